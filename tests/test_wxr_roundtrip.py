"""File -> records -> file: every test file comes back equal under xmlcompare."""

from __future__ import annotations

import ast
import gzip
import io
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from wxrbridge.errors import InputError
from wxrbridge.formats.wxr import read_wxr, write_wxr
from wxrbridge.formats.xml.compare import canonical_tree, diff_documents
from wxrbridge.records import Comment, Record, Source, Thread

DATA = Path(__file__).parent / "data" / "wxr"
FILES = sorted(DATA.glob("*.xml"))


# Files WordPress's importer would refuse, or lose comments of: the default
# output adds what it needs (and notes it); an exact copy keeps them as is.
FILLED_FOR_WORDPRESS = {"no-version.xml", "duplicate-post-id.xml", "importer-merges.xml",
                        "odd-comment-ids.xml"}
# Files with padded ids, types, statuses or dates, which the default output
# writes trimmed (test_wxr_padded.py): an exact copy keeps the padding.
PADDED = {"values.xml", "wpcom-https.xml"}


# The note a reply to a comment the file lacks gets (threading.xml has one):
# the file is written as it is, the note is for WordPress's importer.
UNKNOWN_PARENT = "replies to a comment not in the data"


def notes_but_unknown_parents(report: Any) -> list[str]:
    return [n for n in report.notes if UNKNOWN_PARENT not in n]


def roundtrip(path: Path, keep_ids: bool = False) -> tuple[bytes, object]:
    out = io.BytesIO()
    with open(path, "rb") as handle:
        report = write_wxr(read_wxr(handle, name=path.name), out, keep_ids=keep_ids)
    return out.getvalue(), report


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_records_file_is_equal(path: Path) -> None:
    written, report = roundtrip(path, keep_ids=path.name in FILLED_FOR_WORDPRESS | PADDED)
    assert diff_documents(path, written) == []
    assert report.left_out == []
    assert notes_but_unknown_parents(report) == []


_TRIMMED = re.compile(
    r"/wp:(post_id|post_date|post_date_gmt|comment_status|ping_status|status|post_parent"
    r"|menu_order|post_type|is_sticky|comment_id|comment_date|comment_date_gmt"
    r"|comment_approved|comment_type|comment_parent|comment_user_id): text differs: "
    r"(.+) != (.+)$"
)


def is_trimmed(difference: str) -> bool:
    """True for a ``diff_documents`` line that is one of WordPress's fields
    written trimmed, and nothing else."""
    match = _TRIMMED.search(difference)
    if match is None:
        return False
    raw, written = ast.literal_eval(match[2]), ast.literal_eval(match[3])
    return bool(raw.strip() == written != raw)


@pytest.mark.parametrize("name", sorted(PADDED))
def test_padded_files_differ_only_by_trimmed_fields(name: str) -> None:
    written, report = roundtrip(DATA / name)
    differences = diff_documents(DATA / name, written)
    assert differences and all(is_trimmed(line) for line in differences), differences
    assert report.notes == [
        f"{len(differences)} padded values of ids, parents, types, statuses, user ids or"
        " dates written trimmed, since WordPress's importer does not trim them and would"
        " drop the posts and comments"
    ]


def test_a_file_without_version_gets_one_for_wordpress() -> None:
    written, report = roundtrip(DATA / "no-version.xml")
    document = etree.fromstring(written)
    wp = "{http://wordpress.org/export/1.2/}"
    assert document.findtext(f"channel/{wp}wxr_version") == "1.2"
    # The comment had only its GMT date: WordPress would store an empty one.
    assert document.findtext(f".//{wp}comment_date") == "2015-05-05 05:05:05"
    assert report.notes == [
        "channel: no wp:wxr_version; written as 1.2, its namespace's",
        "1 comments had no comment_date: written with their GMT date, since WordPress's"
        " importer would store an empty one",
        "1 items had no post_date: written with their GMT date, else their first comment's,"
        " since WordPress's importer takes an undated item for any earlier post of the same"
        " title",
    ]
    # The post, undated, takes its comment's date.
    assert document.findtext(f"channel/item/{wp}post_date") == "2015-05-05 05:05:05"
    # Nothing else differs.
    differences = diff_documents(DATA / "no-version.xml", written)
    assert len(differences) == 2, differences


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



def read_records(path: Path) -> list[Record]:
    with open(path, "rb") as handle:
        return list(read_wxr(handle, name=path.name))


# -- the order of the source file ---------------------------------------------------------


def test_wxr_1_0_channel_and_item_order_is_kept() -> None:
    # WordPress 2.x wrote <generator> before <language> and an item's
    # categories before its <guid>; core writes both later today.
    path = DATA / "legacy-order.xml"
    records = read_records(path)
    source = next(r for r in records if isinstance(r, Source))
    assert source.child_order == [
        "title", "link", "description", "pubDate", "generator", "language",
        "wp:wxr_version", "wp:base_site_url", "wp:base_blog_url",
        "wp:category", "wp:tag", "item",
    ]
    threads = [r for r in records if isinstance(r, Thread)]
    for thread in threads:
        assert thread.child_order is not None
        assert thread.child_order.index("category") < thread.child_order.index("guid")
    # Repeated children count once, where their group starts.
    assert threads[0].child_order.count("category") == 1

    written, report = roundtrip(path)
    assert diff_documents(path, written) == []
    assert notes_but_unknown_parents(report) == [] and report.left_out == []
    assert written.index(b"<generator>") < written.index(b"<language>")


def test_files_in_core_order_carry_no_child_order() -> None:
    for name in ("core-1.2.xml", "v1.0.xml", "threading.xml"):
        for record in read_records(DATA / name):
            if isinstance(record, (Source, Thread)):
                assert record.child_order is None, (name, record)


def test_comment_positions_run_over_the_whole_file() -> None:
    comments = [r for r in read_records(DATA / "threading.xml") if isinstance(r, Comment)]
    assert len({c.thread for c in comments}) > 1
    assert [c.position for c in comments] == list(range(len(comments)))


def parents_first(records: list[Record]) -> list[Record]:
    """Each thread's comments as the store hands them out: source order,
    except that a reply listed before its parent waits until just after it
    (and replies to that reply right after it in turn)."""
    result: list[Record] = []
    batch: list[Comment] = []

    def flush() -> None:
        keys = {c.key for c in batch}
        waiting: dict[str, list[Comment]] = {}
        emitted: set[str] = set()

        def emit(comment: Comment) -> None:
            result.append(comment)
            emitted.add(comment.key)
            for reply in waiting.pop(comment.key, []):
                emit(reply)

        for comment in batch:
            parent = comment.parent.strip() if comment.parent else None
            if parent in keys and parent not in emitted and parent != comment.key:
                comment.parent_key = parent
                waiting.setdefault(parent, []).append(comment)
            else:
                if parent in keys and parent != comment.key:
                    comment.parent_key = parent
                emit(comment)
        assert not waiting, "a parent cycle in the test data"
        batch.clear()

    for record in records:
        if isinstance(record, Comment):
            batch.append(record)
        else:
            flush()
            result.append(record)
    flush()
    return result


def test_reply_before_its_parent_keeps_its_place_after_a_parents_first_stream() -> None:
    path = DATA / "threading.xml"
    records = read_records(path)
    reordered = parents_first(records)
    # The data really has a reply ahead of its parent, so the stream changed.
    before = [r.key for r in records if isinstance(r, Comment)]
    after = [r.key for r in reordered if isinstance(r, Comment)]
    assert sorted(before) == sorted(after) and before != after

    out = io.BytesIO()
    report = write_wxr(reordered, out)
    assert diff_documents(path, out.getvalue()) == []
    assert notes_but_unknown_parents(report) == [] and report.left_out == []


def test_parents_first_stream_without_positions_is_written_as_it_arrives() -> None:
    # Positions are all or nothing per item: with one missing, the writer
    # cannot know the source order and keeps the order it was given.
    reordered = parents_first(read_records(DATA / "threading.xml"))
    comments = [r for r in reordered if isinstance(r, Comment)]
    comments[0].position = None
    out = io.BytesIO()
    write_wxr(reordered, out)
    back = [r for r in read_wxr(io.BytesIO(out.getvalue()), name="out") if isinstance(r, Comment)]
    first_item = [c.key for c in comments if c.thread == comments[0].thread]
    assert [c.key for c in back if c.thread == comments[0].thread] == first_item


def test_a_repeated_channel_group_gets_its_trailing_extra_once() -> None:
    data = (DATA / "legacy-order.xml").read_bytes().replace(
        b"\t<wp:tag>", b"\t<x:note xmlns:x=\"urn:example:notes\">after the kit</x:note>\n\t<wp:tag>"
    )
    written = write_wxr_bytes(data)
    assert written.count(b"after the kit") == 1
    assert diff_documents(data, written) == []


def write_wxr_bytes(data: bytes) -> bytes:
    out = io.BytesIO()
    write_wxr(read_wxr(io.BytesIO(data), name="in.xml"), out)
    return out.getvalue()


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
