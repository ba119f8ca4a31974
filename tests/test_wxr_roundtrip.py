"""File -> records -> file: every test file comes back equal under xmlcompare."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from wxrbridge.errors import InputError
from wxrbridge.formats.wxr import read_wxr, write_wxr
from wxrbridge.xmlcompare import canonical_tree, diff_documents

DATA = Path(__file__).parent / "data" / "wxr"
FILES = sorted(DATA.glob("*.xml"))


def roundtrip(path: Path) -> tuple[bytes, object]:
    out = io.BytesIO()
    with open(path, "rb") as handle:
        report = write_wxr(read_wxr(handle, name=path.name), out)
    return out.getvalue(), report


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_records_file_is_equal(path: Path) -> None:
    written, report = roundtrip(path)
    assert diff_documents(path, written) == []
    assert report.left_out == []
    assert report.notes == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_second_round_trip_is_byte_identical(path: Path) -> None:
    first, _ = roundtrip(path)
    second_out = io.BytesIO()
    write_wxr(read_wxr(io.BytesIO(first), name="first"), second_out)
    assert second_out.getvalue() == first


def test_roundtrip_keeps_wxr_1_0_namespace() -> None:
    written, _ = roundtrip(DATA / "v1.0.xml")
    assert b'xmlns:wp="http://wordpress.org/export/1.0/"' in written
    assert b"export/1.2" not in written


# -- xmlcompare ---------------------------------------------------------------------------

DOC = b"""<?xml version="1.0"?>
<!-- a generator comment -->
<rss xmlns:wp="http://wordpress.org/export/1.2/" version="2.0">
  <channel>
    <title>T</title>
    <item><title>one</title></item>
    <item>
      <title>two</title>
      <wp:comment><wp:comment_content>a</wp:comment_content></wp:comment>
      <wp:comment><wp:comment_content> b </wp:comment_content></wp:comment>
    </item>
  </channel>
</rss>"""


def test_equal_documents_have_no_differences() -> None:
    assert diff_documents(DOC, DOC) == []


def test_cdata_whitespace_between_elements_and_comments_are_ignored() -> None:
    other = (
        b'<rss xmlns:wp="http://wordpress.org/export/1.2/" version="2.0"><channel>'
        b"<title><![CDATA[T]]></title><!-- x --><item><title>o<![CDATA[n]]>e</title></item>"
        b"<item><title>two</title><wp:comment><wp:comment_content><![CDATA[a]]>"
        b"</wp:comment_content></wp:comment><wp:comment><wp:comment_content> <![CDATA[b ]]>"
        b"</wp:comment_content></wp:comment></item></channel></rss>"
    )
    assert diff_documents(DOC, other) == []


def test_whitespace_inside_a_value_counts() -> None:
    other = DOC.replace(b"> b <", b">b<")
    assert diff_documents(DOC, other) == [
        "/rss/channel/item[2]/wp:comment[2]/wp:comment_content: text differs: ' b ' != 'b'"
    ]


def test_namespace_uri_is_compared_exactly() -> None:
    other = DOC.replace(b"export/1.2/", b"export/1.0/")
    differences = diff_documents(DOC, other)
    assert differences[0].startswith("/rss: namespace declarations differ")
    assert any(d.startswith("/rss/channel/item[2]/wp:comment: element") for d in differences)


def test_attributes_missing_and_extra_elements_are_reported() -> None:
    other = DOC.replace(b'version="2.0"', b'version="0.9"').replace(
        b"<item><title>one</title></item>", b"<item><title>one</title><x/></item>"
    ).replace(b"</channel>", b"<item/></channel>")
    assert diff_documents(DOC, other) == [
        "/rss/@version: '2.0' != '0.9'",
        "/rss/channel/item/x: only in the second document",
        "/rss/channel/item[3]: only in the second document",
    ]


def test_limit_and_inputs_of_every_kind(tmp_path: Path) -> None:
    path = tmp_path / "a.xml.gz"
    path.write_bytes(gzip.compress(DOC))
    assert diff_documents(path, io.BytesIO(DOC)) == []
    assert diff_documents(str(path), gzip.compress(DOC)) == []
    many = DOC.replace(b">one<", b">1<").replace(b">two<", b">2<").replace(b">a<", b">3<")
    assert len(diff_documents(DOC, many, limit=2)) == 2


def test_malformed_input_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        diff_documents(DOC, b"<rss><channel></rss>")
    assert caught.value.line == 1


def test_canonical_tree_drops_what_does_not_count() -> None:
    root = canonical_tree(DOC)
    assert root.tag == "rss"
    channel = root[0]
    assert channel.text is None and channel[0].tail is None
    comment_content = channel[2][1][0]
    assert comment_content.text == "a"
    assert channel[2][2][0].text == " b "
