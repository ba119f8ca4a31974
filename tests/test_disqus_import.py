"""Writing the file Disqus's importer takes, and everything left out of it."""

from __future__ import annotations

import io
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import wxrbridge.formats.disqus_import  # noqa: F401  (registers the format)
from wxrbridge import api, formats
from wxrbridge.formats import WriteReport
from wxrbridge.formats.disqus_import import write_disqus_import
from wxrbridge.formats.disqus_import.writer import part_path
from wxrbridge.formats.wxr import write_wxr
from wxrbridge.records import Comment, Record, Source, Thread, User
from wxrbridge.store import open_store

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
WXR_SAMPLE = SAMPLES / "agency-blog.wxr.xml"
DISQUS_SAMPLE = SAMPLES / "agency-blog.disqus.xml.gz"
DSQ_NS = "http://www.disqus.com/"
DSQ = f"{{{DSQ_NS}}}"
WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ITEM_FIELDS = ("title", "link", CONTENT, DSQ + "thread_identifier", WP + "post_date_gmt",
               WP + "comment_status")
COMMENT_FIELDS = tuple(WP + name for name in (
    "comment_id", "comment_author", "comment_author_email", "comment_author_url",
    "comment_author_IP", "comment_date_gmt", "comment_content", "comment_approved",
    "comment_parent"))


def parse(data: bytes) -> Any:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))


def check_importable(root: Any) -> list[dict[str, str]]:
    """Disqus's rules for a file, asserted; its comments as dicts of fields."""
    assert root.nsmap.get("dsq") == DSQ_NS
    found = []
    for item in root.iter("item"):
        for tag in ITEM_FIELDS:
            assert len(item.findall(tag)) == 1, tag
        assert item.findtext("link").startswith(("http://", "https://"))
        ids = set()
        comments = item.findall(WP + "comment")
        for comment in comments:
            fields = {}
            for tag in COMMENT_FIELDS:
                nodes = comment.findall(tag)
                assert len(nodes) == 1, tag
                fields[etree.QName(tag).localname] = nodes[0].text or ""
            assert fields["comment_approved"] in ("0", "1")
            assert fields["comment_id"].isdigit()
            assert len(fields["comment_content"].strip()) >= 3
            ids.add(fields["comment_id"])
            fields["thread_identifier"] = item.findtext(DSQ + "thread_identifier")
            found.append(fields)
        for fields in found[len(found) - len(comments):]:
            assert fields["comment_parent"] == "0" or fields["comment_parent"] in ids
    return found


def write(records: list[Record], **options: Any) -> tuple[list[dict[str, str]], WriteReport]:
    out = io.BytesIO()
    report = write_disqus_import(records, out, **options)
    return check_importable(parse(out.getvalue())), report


def export(store_url: str, paths: list[Path], target: Path, **options: Any) -> WriteReport:
    with open_store(store_url) as store:
        api.import_files(store, paths)
        return api.export(store, target, format="disqus-import", **options)


def source() -> Source:
    return Source(origin="wxr", site="https://blog.example", version="1.2",
                  base_site_url="https://blog.example", base_blog_url="https://blog.example")


def thread(key: str = "10", **fields: Any) -> Thread:
    values = {"wp_post_id": key, "title": "A post", "link": f"https://blog.example/p{key}/",
              "guid": f"https://blog.example/?p={key}", **fields}
    return Thread(origin="wxr", key=key, **values)


def comment(cid: str, parent: str = "0", thread_key: str = "10", **fields: Any) -> Comment:
    values = {"content": f"comment number {cid}", "wp_approved": "1",
              "author_name": f"Reader {cid}", "author_email": f"r{cid}@mail.example",
              "created_at": "2024-01-02 03:04:05", **fields}
    return Comment(origin="wxr", key=cid, thread=thread_key, wp_id=cid, parent=parent,
                   **values)


def by_id(comments: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {c["comment_id"]: c for c in comments}


# -- the registry ---------------------------------------------------------------------


def test_format_is_registered_with_its_extension() -> None:
    fmt = formats.get("disqus-import")
    assert fmt.write is write_disqus_import and fmt.read is None and not fmt.directory
    assert formats.by_extension("site.disqus-import.xml") is fmt
    assert formats.by_extension("site.xml").name == "wxr"


# -- a WordPress export as Disqus would take it ------------------------------------------


def test_wordpress_export_sends_what_the_disqus_plugin_sends(
    store_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "harwick.disqus-import.xml"
    report = export(store_url, [WXR_SAMPLE], target)
    comments = check_importable(parse(target.read_bytes()))
    # The sample's 37 approved comments of type comment (34 + 3 replies).
    assert len(comments) == 37 and report.written["comment"] == 37
    assert {c["comment_approved"] for c in comments} == {"1"}
    assert {c["thread_identifier"] for c in comments} == {
        "4127 http://www.example.gov/blog/?p=4127"}
    # WordPress ids are kept: Disqus remembers them as wp_id=N.
    ids = by_id(comments)
    assert "18232" not in ids and "18233" in ids
    assert ids["18239"]["comment_parent"] != "0"
    assert [line for line in report.left_out if "pingback" in line] == [
        "21 comments: a pingback is not sent to Disqus (include_pings sends it) (18232, 18241,"
        " 18246, 18249, 18254, 18258, 18261, 18265, 18269, 18279 and 11 more)"]
    assert sum("trackback" in line for line in report.left_out) == 4
    assert "comment 18277: pending comments are not sent (the statuses option adds them)" \
        in report.left_out
    assert "comment 18282: trash comments are not sent (the statuses option adds them)" \
        in report.left_out


def test_statuses_and_pings_are_sent_on_request(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    target = tmp_path / "out.xml"
    report = export(url, [WXR_SAMPLE], target, statuses=("pending",), include_pings=True)
    comments = by_id(check_importable(parse(target.read_bytes())))
    assert len(comments) == 37 + 1 + 25
    assert comments["18277"]["comment_approved"] == "0"
    assert report.left_out == [
        "comment 18282: trash comments are not sent (the statuses option adds them)"]
    assert "1 pending comment sent with comment_approved 0 (Disqus holds them for" \
        " moderation)" in report.notes


def test_disqus_export_goes_back_without_what_disqus_removed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    target = tmp_path / "out.disqus-import.xml"
    report = export(url, [DISQUS_SAMPLE], target)
    comments = check_importable(parse(target.read_bytes()))
    # 50 posts less spam, deleted and pending; the About page had none.
    assert len(comments) == 47
    assert {c["thread_identifier"] for c in comments} == {
        "4127 http://www.example.gov/blog/?p=4127", "2210 http://blog.example.gov/?p=2210",
        "3980 http://www.example.gov/blog/?p=3980"}
    assert "thread 9812330004: no comments to send" in report.left_out
    for key in ("6620400144", "6620400145", "6620400148"):
        assert any(line.startswith(f"comment {key}: ") for line in report.left_out)
    # The live reply to the deleted post is kept, at the top level.
    assert ("comment 6620400146: its parent 6620400145 is not sent; sent as a top-level"
            " comment") in report.notes
    # Imported posts keep their WordPress id.
    assert "18273" in by_id(comments)


# -- replies, lengths and emails -----------------------------------------------------


def test_a_reply_whose_parent_is_not_sent_goes_under_the_nearest_sent_ancestor() -> None:
    records: list[Record] = [
        source(), thread(),
        comment("1"),
        comment("2", "1", wp_approved="spam"),
        comment("3", "2"),                       # under spam under 1: goes under 1
        comment("4", "0", wp_approved="trash"),
        comment("5", "4"),                       # under trash at the top: top level
        comment("6", "99"),                      # parent never in the data
        comment("7", "1", content=" ok "),       # too short
        comment("8", "7"),
        comment("9", "8", wp_type="pingback"),
    ]
    comments, report = write(records)
    parents = {c["comment_id"]: c["comment_parent"] for c in comments}
    assert parents == {"1": "0", "3": "1", "5": "0", "6": "0", "8": "1"}
    assert report.left_out == [
        "comment 2: spam comments are not sent (the statuses option adds them)",
        "comment 4: trash comments are not sent (the statuses option adds them)",
        "comment 7: shorter than 3 characters, which Disqus rejects",
        "comment 9: a pingback is not sent to Disqus (include_pings sends it)",
    ]
    assert report.notes == [
        "comment 3: its parent 2 is not sent; sent under comment 1",
        "comment 5: its parent 4 is not sent; sent as a top-level comment",
        "comment 8: its parent 7 is not sent; sent under comment 1",
        "comment 6: its parent 99 is not in the data; sent as a top-level comment",
    ]


def test_replies_in_a_loop_of_left_out_comments_go_to_the_top() -> None:
    records: list[Record] = [
        source(), thread(),
        comment("1", "2", wp_approved="spam"),
        comment("2", "1", wp_approved="spam"),
        comment("3", "2"),
    ]
    comments, _report = write(records)
    assert [(c["comment_id"], c["comment_parent"]) for c in comments] == [("3", "0")]


@pytest.mark.parametrize("content", ["", "  ", "ab", " a  ", "\n\nok\n"])
def test_comments_under_three_characters_are_left_out(content: str) -> None:
    comments, report = write([source(), thread(), comment("1"), comment("2", content=content)])
    assert [c["comment_id"] for c in comments] == ["1"]
    assert report.left_out == ["comment 2: shorter than 3 characters, which Disqus rejects"]


def test_one_email_under_two_names_is_reported() -> None:
    records: list[Record] = [
        source(), thread(),
        comment("1", author_name="Ada Flint", author_email="ada@mail.example"),
        comment("2", author_name="A. Flint", author_email=" ADA@mail.example"),
        comment("3", author_name="Ada Flint", author_email="ada@mail.example"),
        comment("4", author_name="Bram Oake", author_email="bram@mail.example"),
        comment("5", author_name="Bram Oake", author_email="bram@mail.example"),
        comment("6", author_name="Spammer", author_email="bram@mail.example",
                wp_approved="spam"),
    ]
    _comments, report = write(records)
    assert report.notes == [
        "email ada@mail.example: used under 2 author names ('Ada Flint', 'A. Flint'); Disqus"
        " shows all its comments under one of them"]


def test_left_out_lines_are_summarised_beyond_twenty_per_reason() -> None:
    records: list[Record] = [source(), thread(), comment("1")]
    records += [comment(str(n), wp_approved="spam") for n in range(100, 121)]
    records += [comment(str(n), wp_approved="0") for n in range(200, 220)]
    _comments, report = write(records)
    assert report.left_out[0] == (
        "21 comments: spam comments are not sent (the statuses option adds them) (100, 101,"
        " 102, 103, 104, 105, 106, 107, 108, 109 and 11 more)")
    assert len(report.left_out) == 1 + 20


# -- threads ------------------------------------------------------------------------


def test_thread_identifier_is_the_stored_one_or_the_plugins() -> None:
    records: list[Record] = [
        source(),
        thread("10", identifier="node/2"), comment("1"),
        thread("11"), comment("2", thread_key="11"),
        thread("12", identifier="  "), comment("3", thread_key="12"),
    ]
    comments, _report = write(records)
    assert [c["thread_identifier"] for c in comments] == [
        "node/2", "11 https://blog.example/?p=11", "12 https://blog.example/?p=12"]


def test_links_are_made_absolute_or_the_thread_is_left_out() -> None:
    records: list[Record] = [
        source(),
        thread("10", link="/2024/01/hello/", guid=None), comment("1"),
        thread("11", link=None), comment("2", thread_key="11"),
        thread("12", link="hello", guid="12"), comment("3", thread_key="12"),
        thread("13"),
    ]
    records[0] = Source(origin="wxr", site="x")  # no address to resolve against
    root = io.BytesIO()
    report = write_disqus_import(records, root)
    links = [item.findtext("link") for item in parse(root.getvalue()).iter("item")]
    assert links == ["https://blog.example/?p=11"]
    assert report.left_out == [
        "comment 1: its thread has no absolute link, which Disqus files a thread under",
        "comment 3: its thread has no absolute link, which Disqus files a thread under",
        "thread 10: no absolute link (link or guid)",
        "thread 12: no absolute link (link or guid)",
        "thread 13: no comments to send",
    ]
    assert report.notes[0] == (
        "thread 11: no absolute link; sent with its guid https://blog.example/?p=11")

    comments, report = write([source(), thread("10", link="/2024/01/hello/"), comment("1")])
    assert report.notes == ["thread 10: link '/2024/01/hello/' is not absolute; sent as"
                            " https://blog.example/2024/01/hello/"]


def test_sparse_wordpress_records_get_every_field() -> None:
    records: list[Record] = [
        Source(origin="wxr", site="s"),
        Thread(origin="wxr", key="5", link="https://s.example/p/"),
        Comment(origin="wxr", key="c1", thread="5", content="no id, no date, no status",
                wp_approved="1"),
        Comment(origin="wxr", key="7", thread="5", wp_id=" 7 ", parent=" c1 ",
                content="a reply with a padded id", wp_approved="1"),
    ]
    comments, _report = write(records)
    assert [(c["comment_id"], c["comment_parent"]) for c in comments][1] == (
        "7", comments[0]["comment_id"])
    assert comments[0]["comment_date_gmt"] == "" and comments[0]["thread_identifier"] == (
        "5 ")


def test_users_and_terms_are_written_and_nothing_is_dropped_silently() -> None:
    records: list[Record] = [
        source(), User(origin="wxr", wp_id="3", login="editor"), thread(), comment("1"),
    ]
    out = io.BytesIO()
    report = write_disqus_import(records, out)
    assert report.written == {"user": 1, "thread": 1, "comment": 1}
    assert report.left_out == [] and report.notes == []


# -- files under the size limit ---------------------------------------------------------


def _many_threads(count: int = 10, per_thread: int = 5) -> list[Record]:
    records: list[Record] = [source(), User(origin="wxr", wp_id="3", login="editor")]
    for t in range(count):
        key = str(100 + t)
        records.append(thread(key))
        for n in range(per_thread):
            cid = f"{key}{n}"
            parent = f"{key}{n - 1}" if n else "0"
            records.append(comment(cid, parent, thread_key=key, content=f"words {cid} " * 20))
    return records


def test_part_names() -> None:
    assert part_path("/x/site.xml", 2) == "/x/site-2.xml"
    assert part_path("/x/site.disqus-import.xml", 3) == "/x/site-3.disqus-import.xml"
    assert part_path("/x/site.XML", 2) == "/x/site-2.XML"
    assert part_path("/x/site", 2) == "/x/site-2"
    assert part_path("/x/.xml", 2) == "/x/.xml-2"


def test_big_exports_are_split_between_threads(tmp_path: Path) -> None:
    whole = io.BytesIO()
    write_disqus_import(_many_threads(), whole)
    max_bytes = len(whole.getvalue()) // 3
    target = tmp_path / "site.disqus-import.xml"
    (tmp_path / "site-9.disqus-import.xml").write_text("old")
    report = api.write(_many_threads(), target, format="disqus-import", max_bytes=max_bytes,
                       split_path=target)
    parts = [target] + [Path(part_path(str(target), n)) for n in range(2, 5)]
    assert [p.exists() for p in parts] == [True, True, True, True]
    assert not Path(part_path(str(target), 5)).exists()
    assert report.written["file"] == 4 and report.written["comment"] == 50
    seen: list[str] = []
    for part in parts:
        data = part.read_bytes()
        assert len(data) <= max_bytes
        root = parse(data)
        # Each part is a whole document: header, authors, whole items.
        assert root.findtext(f"channel/{WP}base_site_url") == "https://blog.example"
        assert len(root.findall(f"channel/{WP}author")) == 1
        for item in root.iter("item"):
            assert len(item.findall(WP + "comment")) == 5
        seen += [c["comment_id"] for c in check_importable(root)]
    assert len(seen) == 50 == len(set(seen))
    assert any(note.startswith("split into 4 files of at most") for note in report.notes)
    assert not any("is from an earlier export" in note for note in report.notes)

    (tmp_path / "site-5.disqus-import.xml").write_text("old")
    report = api.write(_many_threads(), target, format="disqus-import", max_bytes=max_bytes,
                       split_path=target)
    assert any("site-5.disqus-import.xml is from an earlier export" in note
               for note in report.notes)


def test_a_thread_bigger_than_the_limit_gets_a_file_of_its_own(tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    records = _many_threads(3)
    records += [thread("900")] + [comment(f"900{n}", thread_key="900", content="x" * 5000)
                                  for n in range(10)]
    report = write_disqus_import(records, io.BytesIO(), max_bytes=20_000,
                                 split_path=str(target))
    assert report.written["file"] == 2
    assert any("over the 20,000-byte limit; one thread's comments cannot be split" in note
               for note in report.notes)


def test_without_a_path_the_file_is_whole_and_the_size_reported() -> None:
    out = io.BytesIO()
    report = write_disqus_import(_many_threads(), out, max_bytes=5000)
    assert len(check_importable(parse(out.getvalue()))) == 50
    assert "file" not in report.written
    assert any("over the 5,000-byte limit" in note and "named file" in note
               for note in report.notes)


def test_convert_takes_the_format_from_the_extension(tmp_path: Path) -> None:
    target = tmp_path / "harwick.disqus-import.xml"
    result = api.convert(WXR_SAMPLE, target)
    assert len(check_importable(parse(target.read_bytes()))) == 37
    assert result.written.written["comment"] == 37


# -- the WXR writer's options this format is built on ----------------------------------


def test_wxr_writer_options_for_disqus() -> None:
    records: list[Record] = [
        Source(origin="wxr", site="s", namespaces={"dsq": "urn:something-else"}),
        Thread(origin="wxr", key="5", wp_post_id="5", guid="https://s.example/?p=5"),
        comment("1", thread_key="5"),
        Thread(origin="wxr", key="6", wp_post_id="6", identifier="page-6"),
    ]
    out = io.BytesIO()
    offsets: list[int] = []
    write_wxr(records, out, dsq_namespace=True, item_offsets=offsets)
    data = out.getvalue()
    root = parse(data)
    assert root.nsmap["dsq"] == DSQ_NS
    # Written even where the item has no content:encoded to follow.
    assert [item.findtext(DSQ + "thread_identifier") for item in root.iter("item")] == [
        "5 https://s.example/?p=5", "page-6"]
    assert len(offsets) == 3
    pieces = [data[a:b].decode() for a, b in pairwise(offsets)]
    assert [piece.strip().startswith("<item>") for piece in pieces] == [True, True]
    assert all(piece.strip().endswith("</item>") for piece in pieces)
    assert data[offsets[-1]:].decode().split() == ["</channel>", "</rss>"]
