"""verify: inputs that once tripped it, and data it must not call equal."""

from __future__ import annotations

import bz2
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES

import wxrbridge.store as store_package
from wxrbridge import api, readahead
from wxrbridge.formats.xml.compare import diff_documents

THREADLESS = b"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<post dsq:id="1"><message>first</message><createdAt>2020-01-01T00:00:00Z</createdAt>
<thread dsq:id="404"/></post>
<post dsq:id="2"><message>second</message><createdAt>2020-01-01T00:00:00Z</createdAt>
<thread dsq:id="404"/><parent dsq:id="1"/></post>
</disqus>
"""


def test_posts_of_a_thread_missing_from_the_export_are_the_same_thread(tmp_path: Path) -> None:
    a = tmp_path / "a.xml"
    b = tmp_path / "b.xml"
    a.write_bytes(THREADLESS)
    b.write_bytes(THREADLESS)
    report = api.verify(a, b)
    assert report.equivalent, [str(d) for d in report.differences]


def test_exact_comparison_reads_compressed_files(tmp_path: Path) -> None:
    original = SAMPLES / "wpcom-pretty.wxr.xml"
    packed = tmp_path / "copy.wxr.xml.bz2"
    packed.write_bytes(bz2.compress(original.read_bytes()))
    assert diff_documents(original, packed) == []
    assert diff_documents(original.read_bytes(), bz2.compress(original.read_bytes())) == []


CORE = Path(__file__).parent / "data" / "wxr" / "core-1.2.xml"
FIRST_META = """			<wp:commentmeta>
				<wp:meta_key><![CDATA[akismet_result]]></wp:meta_key>
				<wp:meta_value><![CDATA[false]]></wp:meta_value>
			</wp:commentmeta>
"""
# One change each to a copy of CORE (whose comment 102, an author's reply,
# is made user 7's in both), and the difference verify must report.
CHANGES = {
    "dropped meta": ((FIRST_META, ""), "comment 101: meta akismet_result 'false' -> None"),
    "changed meta value": (("<![CDATA[false]]>", "<![CDATA[true]]>"),
                           "comment 101: meta akismet_result 'false' -> 'true'"),
    "changed ip": (("192.0.2.10]", "192.0.2.99]"),
                   "comment 102: author_ip '192.0.2.10' -> '192.0.2.99'"),
    "user 7 to 0": (("<wp:comment_user_id>7<", "<wp:comment_user_id>0<"),
                    "comment 102: user_id '7' -> None"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_changed_data_is_a_difference(tmp_path: Path, change: str) -> None:
    (old, new), expected = CHANGES[change]
    original = CORE.read_text(encoding="utf-8").replace(
        "<wp:comment_user_id>1</wp:comment_user_id>", "<wp:comment_user_id>7</wp:comment_user_id>")
    assert original.count(old) == 1
    a, b = tmp_path / "a.wxr.xml", tmp_path / "b.wxr.xml"
    a.write_text(original, encoding="utf-8")
    b.write_text(original.replace(old, new), encoding="utf-8")
    assert api.verify(a, a).equivalent
    assert [str(d) for d in api.verify(a, b).differences] == [expected]


def test_meta_order_and_padding_around_an_ip_are_not_differences(tmp_path: Path) -> None:
    original = CORE.read_text(encoding="utf-8")
    a, b = tmp_path / "a.wxr.xml", tmp_path / "b.wxr.xml"
    a.write_text(original, encoding="utf-8")
    # The first comment's first meta moved to its end; spaces around an IP.
    end = "\t\t</wp:comment>\n"
    changed = original.replace(FIRST_META, "").replace(end, FIRST_META + end, 1)
    b.write_text(changed.replace("192.0.2.10]", " 192.0.2.10 ]"), encoding="utf-8")
    assert changed.index(FIRST_META) > original.index(FIRST_META)
    assert api.verify(a, b).equivalent, [str(d) for d in api.verify(a, b).differences]


def test_fields_a_format_cannot_hold_are_not_compared_across_formats(tmp_path: Path) -> None:
    # Disqus holds no comment meta and no site user ids, but an IP address:
    # a WXR and its Disqus conversion differ by meta and user ids, not in
    # verify's eyes; a changed IP still shows.
    converted = tmp_path / "site.disqus.xml"
    api.convert(CORE, converted)
    report = api.verify(CORE, converted)
    assert not [d for d in report.differences
                if d.field and d.field.startswith(("meta", "user_id", "author_ip"))]
    text = converted.read_text(encoding="utf-8")
    assert text.count("192.0.2.10<") == 1
    converted.write_text(text.replace("192.0.2.10<", "192.0.2.99<"), encoding="utf-8")
    assert "comment 102: author_ip '192.0.2.10' -> '192.0.2.99'" in [
        str(d) for d in api.verify(CORE, converted).differences]


# Comments as typed, and as a WordPress page shows them (wpautop,
# wptexturize, make_clickable, convert_smilies, entities).
TYPED_AND_SHOWN = [
    ('It\'s "quoted" -- and so on...',
     "<p>It&#8217;s &#8220;quoted&#8221; &#8212; and so on&#8230;</p>"),
    ("pages 3--5, a 2x4 board", "<p>pages 3&#8211;5, a 2&#215;4 board</p>"),
    ("Line one\nline two\n\nNew paragraph & more",
     "<p>Line one<br />\nline two</p>\n<p>New paragraph &amp; more</p>"),
    ("see https://example.test/a",
     '<p>see <a href="https://example.test/a" rel="nofollow ugc">https://example.test/a</a></p>'),
    ("Nice :)", '<p>Nice <img src="https://example.test/smilies/1f642.png" alt=":)" '
                'class="wp-smiley" style="height: 1em" /></p>'),
    ("a < b and <em>c</em>.", "<p>a &lt; b and <em>c</em>.</p>"),
]


@pytest.mark.parametrize(("typed", "shown"), TYPED_AND_SHOWN)
def test_a_page_and_an_export_compare_content_as_read(typed: str, shown: str) -> None:
    from wxrbridge.verify.identity import field_differences

    assert list(field_differences("content", shown, typed, "wp-page", "wxr")) == []
    assert list(field_differences("content", typed, shown, "wxr", "wp-page")) == []
    # Between two exports the same values differ, and a changed word is found.
    assert list(field_differences("content", shown, typed, "wxr", "wxr")) != []
    changed = typed.replace(typed.split()[0], "Another", 1)
    [(name, a, b)] = field_differences("content", shown, changed, "wp-page", "wxr")
    assert name == "content" and a != b


def test_a_page_and_an_export_compare_author_names_as_read() -> None:
    """A pingback's author is its source's title, kept with its entities;
    the page shows it decoded (and any name texturized)."""
    from wxrbridge.verify.identity import field_differences

    typed, shown = "Harwick&#8217;s river walk", "Harwick\u2019s river walk"
    assert list(field_differences("author_name", shown, typed, "wp-page", "wxr")) == []
    assert list(field_differences("author_name", "Tom's", "Tom\u2019s", "wxr", "wp-page")) == []
    assert list(field_differences("author_name", typed, shown, "wxr", "wxr")) != []
    assert list(field_differences("author_name", shown, "Harwick's river", "wp-page",
                                  "wxr")) == [("author_name", "Harwick's river walk",
                                               "Harwick's river")]


@pytest.mark.parametrize(("page", "export", "differs"), [
    ("dokafor", "dokafor", False),
    ("dokafor", "", False),  # a site user the export names no login for
    ("dokafor", "mira", True),
    ("dana-okafor", "Dana.Okafor", False),  # the class has the login's nicename
    ("jose-m", "José M", False),
    (None, "dokafor", True),  # an author reply shown as a guest's
    ("dokafor", None, True),
    (None, None, False),
])
def test_a_page_and_an_export_compare_site_users_by_login(page: str | None, export: str | None,
                                                          differs: bool) -> None:
    from wxrbridge.verify.identity import compared, field_differences

    found = list(field_differences("site_user", page, export, "wp-page", "wxr"))
    assert bool(found) is differs
    assert compared("site_user", "wp-page", "wxr") and compared("site_user", "wxr", "wp-page")
    # Between other formats the user id is compared, not the login.
    assert not compared("site_user", "wxr", "wxr")
    assert not compared("site_user", "wxr", "disqus")


def test_recover_reads_wordpress_own_export_of_a_bare_ampersand(tmp_path: Path) -> None:
    """WordPress's exporter writes a commenter's URL unescaped: such an
    export is verified with --recover, as it is imported."""
    from click.testing import CliRunner

    from wxrbridge.cli import cli

    raw = tmp_path / "core.wxr.xml"
    raw.write_text((SAMPLES / "agency-blog.wxr.xml").read_text(encoding="utf-8")
                   .replace("id=5521&amp;tab=posts", "id=5521&tab=posts"), encoding="utf-8")
    sample = str(SAMPLES / "agency-blog.wxr.xml")
    refused = CliRunner().invoke(cli, ["verify", sample, str(raw)])
    assert refused.exit_code == 3 and "--recover repairs this" in refused.output
    read = CliRunner().invoke(cli, ["verify", "--recover", sample, str(raw)])
    assert read.exit_code == 0 and read.output.endswith(": equivalent\n"), read.output
    assert api.verify(raw, sample, recover=True).equivalent


def test_a_comment_id_used_twice_is_named_as_the_store_keeps_it(tmp_path: Path) -> None:
    # The store keeps the second comment "x" as "x~2"; verify names it so.
    odd = Path(__file__).parent / "data" / "wxr" / "odd-comment-ids.xml"
    changed = tmp_path / "changed.wxr.xml"
    changed.write_text(odd.read_text(encoding="utf-8").replace("D says", "D changed"),
                       encoding="utf-8")
    assert [str(d) for d in api.verify(odd, changed).differences] == [
        "comment x~2: content 'D says' -> 'D changed'"]


def test_the_documents_of_a_zip_are_compared_merged(tmp_path: Path) -> None:
    # A zip of a WXR and its Disqus export holds one site, as imported.
    disqus = tmp_path / "site.disqus.xml"
    api.convert(CORE, disqus)
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(both, "w") as archive:
        archive.write(CORE, "site.wxr.xml")
        archive.write(disqus, "site.disqus.xml")
    for a, b in ((both, CORE), (CORE, both)):
        report = api.verify(a, b)
        assert report.equivalent, [str(d) for d in report.differences]


def test_verify_reads_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # However large the files, and with a second core: no reading process.
    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a second process")

    monkeypatch.setattr(readahead, "_WORTHWHILE", 0)
    monkeypatch.setattr(readahead, "second_process", lambda: True)
    monkeypatch.setattr(readahead, "read_ahead", refused)
    monkeypatch.setattr(store_package, "read_records_ahead", refused)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with api.open_store(url) as store:
        api.import_files(store, [CORE], read_ahead=False)
    odd = Path(__file__).parent / "data" / "wxr" / "odd-comment-ids.xml"
    assert api.verify(url, CORE).equivalent
    assert api.verify(odd, odd).equivalent
