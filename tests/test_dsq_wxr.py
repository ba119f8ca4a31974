"""WXR written for Disqus's importer by other tools: one item per comment.

Disqus's importer groups the items that share a ``dsq:thread_identifier``
(else a ``link``) into one thread; so does the reader, and every reply then
finds its parent, wherever its item is.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cli_oracle import php_read, run
from dsq_wxr_fixture import COMMENTS, REPLY_COUNT, THREAD_COUNT, THREADS, dsq_wxr
from lxml import etree

from wxrbridge import api
from wxrbridge.formats.wxr import read_wxr, write_wxr
from wxrbridge.records import Comment, ImportIssue, Record, Source, Thread
from wxrbridge.store import open_store

WP10 = "{http://wordpress.org/export/1.0/}"
DSQ = "{http://www.disqus.com/}"


def read(data: bytes) -> list[Record]:
    return list(read_wxr(io.BytesIO(data), name="dsq.xml"))


@pytest.fixture
def dsq_file(tmp_path: Path) -> Path:
    path = tmp_path / "dsq.xml"
    path.write_bytes(dsq_wxr())
    return path


def test_items_sharing_an_identifier_or_link_are_one_thread() -> None:
    records = read(dsq_wxr())
    threads = [r for r in records if isinstance(r, Thread)]
    comments = [r for r in records if isinstance(r, Comment)]
    assert [t.key for t in threads] == [
        "dsq:a1f3", "dsq:文章-2", "link:http://blog.example.com/2014/07/über-uns/"]
    # The identifier is kept for a later merge with the site's Disqus export.
    assert [t.identifier for t in threads] == ["a1f3", "文章-2", None]
    assert [t.title for t in threads] == [title for _i, _l, title in THREADS]
    assert [(c.key, c.thread) for c in comments] == [
        (cid, threads[index].key) for cid, index, _p, _a in COMMENTS]
    # The second identifier of the item that repeats it is kept as written.
    second = threads[1]
    assert [e.name for e in second.extras] == [f"{DSQ}thread_identifier"] * 2
    issues = [r for r in records if isinstance(r, ImportIssue)]
    assert [i.code for i in issues] == ["no-wxr-version"]


def test_stats_show_the_threads_and_no_orphans(dsq_file: Path) -> None:
    stats = json.loads(run("stats", dsq_file, "--json"))
    assert stats["threads"] == THREAD_COUNT == 3
    assert stats["comments"] == len(COMMENTS)
    assert stats["replies"] == REPLY_COUNT
    assert stats["orphans"] == 0


def test_convert_to_wxr_is_read_by_wordpress_with_every_reply_under_its_parent(
    dsq_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.xml"
    run("convert", dsq_file, out, "--to", "wxr")
    items = php_read(out)
    assert len(items) == THREAD_COUNT
    post_ids = [item["post_id"] for item in items]
    assert 0 not in post_ids and len(set(post_ids)) == len(post_ids)
    parents = {cid: parent for cid, _t, parent, _a in COMMENTS}
    written = 0
    for item in items:
        # WordPress inserts an item's comments by id and links a reply to
        # a parent inserted before it, in the same item.
        ids = {c["comment_id"] for c in item["comments"]}
        for comment in item["comments"]:
            written += 1
            want = parents[str(comment["comment_id"])]
            assert comment["comment_parent"] == (int(want) if want else 0)
            if comment["comment_parent"]:
                assert comment["comment_parent"] in ids
                assert comment["comment_parent"] < comment["comment_id"]
            assert comment["comment_date"] == comment["comment_date_gmt"] != ""
    assert written == len(COMMENTS)
    document = etree.parse(str(out)).getroot()
    # What WordPress's importer needs to keep the posts.
    assert document.findtext(f"channel/{WP10}wxr_version") == "1.0"
    for item in document.iter("item"):
        assert item.findtext(f"{WP10}post_type") == "post"
        assert item.findtext(f"{WP10}status") == "publish"


def test_convert_to_disqus_import_gives_the_shape_back(dsq_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "back.xml"
    run("convert", dsq_file, out, "--to", "disqus-import")
    document = etree.parse(str(out)).getroot()
    items = list(document.iter("item"))
    assert len(items) == THREAD_COUNT
    identifiers = [[e.text for e in item.findall(f"{DSQ}thread_identifier")] for item in items]
    # One identifier each; a thread that named none is known by its link.
    assert identifiers == [["a1f3"], ["文章-2"], ["http://blog.example.com/2014/07/über-uns/"]]
    ids = {c.findtext(f"{WP10}comment_id") for c in document.iter(f"{WP10}comment")}
    assert ids == {cid for cid, _t, _p, _a in COMMENTS}
    for comment in document.iter(f"{WP10}comment"):
        parent = comment.findtext(f"{WP10}comment_parent")
        assert parent == "0" or parent in ids
    # Read again, it is the same discussions.
    stats = json.loads(run("stats", out, "--json"))
    assert (stats["threads"], stats["comments"], stats["orphans"]) == (3, len(COMMENTS), 0)


def test_a_later_item_saying_otherwise_is_reported() -> None:
    data = dsq_wxr().replace(
        b"<title>Hello</title>", b"<title>Hello again</title>", 2
    ).replace(b"<title>Hello again</title>", b"<title>Hello</title>", 1)
    records = read(data)
    threads = [r for r in records if isinstance(r, Thread)]
    assert [t.title for t in threads][0] == "Hello"
    (issue,) = [r for r in records if isinstance(r, ImportIssue) and r.code != "no-wxr-version"]
    assert (issue.code, issue.severity) == ("split-thread-conflict", "rejected")
    assert issue.record_key == "thread dsq:a1f3"
    assert "item #2" in issue.reason and "title" in issue.reason
    # Its comment still belongs to the thread.
    assert sum(1 for r in records if isinstance(r, Comment) and r.thread == "dsq:a1f3") == 4


def test_what_lies_between_items_is_kept_when_its_item_makes_no_thread() -> None:
    data = dsq_wxr().replace(b"</item>\n<item>", b"</item>\n<!-- cut here -->\n<item>", 1)
    records = read(data)
    source = next(r for r in records if isinstance(r, Source))
    assert [(e.value, e.anchor) for e in source.extras if e.kind == "comment"] == [
        (" cut here ", "item")]
    out = io.BytesIO()
    write_wxr(records, out, keep_ids=True)
    assert b"<!-- cut here -->" in out.getvalue()


def test_a_wordpress_export_keeps_its_items() -> None:
    # Items with post ids stay threads of their own, link or not.
    data = dsq_wxr().replace(b"<wp:comment_status>", b"<wp:post_id>5</wp:post_id>"
                             b"<wp:comment_status>", 1).replace(
        b"<wp:comment_status>", b"<wp:post_id>6</wp:post_id><wp:comment_status>", 2)
    records = read(data)
    threads = [r for r in records if isinstance(r, Thread)]
    assert [t.key for t in threads[:2]] == ["5", "6"]
    assert threads[0].identifier is None and threads[0].link == threads[1].link


def test_the_thread_merges_with_the_sites_disqus_export(
    dsq_file: Path, tmp_path: Path, store_url: str
) -> None:
    disqus = tmp_path / "disqus.xml"
    disqus.write_text("""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="77">
    <id>a1f3</id><forum>blog</forum>
    <link>https://moved.example.net/hello</link><title>Hello</title>
    <createdAt>2014-05-01T10:00:00Z</createdAt>
  </thread>
  <post dsq:id="900">
    <id></id><message><![CDATA[Written on Disqus after the move.]]></message>
    <createdAt>2014-06-01T10:00:00Z</createdAt>
    <author><name>Jo</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="77"/>
  </post>
</disqus>
""", encoding="utf-8")
    with open_store(store_url) as store:
        api.import_files(store, [dsq_file])
        reports = api.import_files(store, [disqus])
        stats = store.stats()
    assert reports[0].counts["thread merged"] == 1
    assert stats["threads"] == THREAD_COUNT
    assert stats["comments"] == len(COMMENTS) + 1


def test_ids_too_large_for_wordpress_are_renumbered(tmp_path: Path) -> None:
    # Above PHP_INT_MAX every id would be cast to the same number.
    big = "9323372036854775801"
    comments = [(big if cid == "6012345678901234501" else cid, thread,
                 big if parent == "6012345678901234501" else parent, author)
                for cid, thread, parent, author in COMMENTS]
    source = tmp_path / "big.xml"
    source.write_bytes(dsq_wxr(comments))
    out = tmp_path / "out.xml"
    output = run("convert", source, out, "--to", "wxr")
    assert f"{big}->" in output
    first = php_read(out)[0]["comments"]
    ids = [c["comment_id"] for c in first]
    assert len(set(ids)) == len(ids) == 4 and max(ids) < 2**63 - 1
    by_author = {c["comment_author"]: c for c in first}
    assert by_author["Ana"]["comment_parent"] == 0
    for reply in ("Cai", "Eli"):
        assert by_author[reply]["comment_parent"] == by_author["Ana"]["comment_id"]
    # An exact copy keeps it.
    kept = tmp_path / "kept.xml"
    run("convert", source, kept, "--to", "wxr", "--keep-ids")
    assert big.encode() in kept.read_bytes()


def test_an_item_naming_two_identifiers_uses_the_first_and_says_so() -> None:
    data = dsq_wxr().replace(
        b"<dsq:thread_identifier>a1f3</dsq:thread_identifier>",
        b"<dsq:thread_identifier>a1f3</dsq:thread_identifier>"
        b"<dsq:thread_identifier>old-a1</dsq:thread_identifier>", 1)
    records = read(data)
    assert [t.key for t in records if isinstance(t, Thread)][0] == "dsq:a1f3"
    (issue,) = [r for r in records if isinstance(r, ImportIssue) and r.code != "no-wxr-version"]
    assert (issue.code, issue.severity) == ("split-thread-conflict", "warning")
    assert "old-a1 besides a1f3" in issue.reason
