"""A site's WXR and then its Disqus export, merged in one store."""

from __future__ import annotations

import io

from conftest import SAMPLES
from lxml import etree
from sqlalchemy import func, select

from wxrbridge import api
from wxrbridge.canonical import normalise_url
from wxrbridge.records import Comment, Source, Thread
from wxrbridge.store import MergeOptions, UrlMap, open_store
from wxrbridge.store.orm import CommentRow

WXR = SAMPLES / "agency-blog.wxr.xml"
DISQUS = SAMPLES / "agency-blog.disqus.xml.gz"
WP = "{http://wordpress.org/export/1.2/}"


def _rows(store, *conditions) -> int:
    with store.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(CommentRow).where(*conditions)
        ).scalar_one()


def test_disqus_export_merges_into_the_wxr_without_duplicates(store_url: str) -> None:
    with open_store(store_url) as store:
        api.import_files(store, [WXR])
        before = store.stats()
        reports = api.import_files(store, [DISQUS])
        after = store.stats()
        # The 37 Disqus posts imported from WordPress are its comments.
        assert reports[0].counts["comment merged"] == 37
        assert reports[0].counts["thread merged"] == 1
        assert _rows(store, CommentRow.origin == "wxr") == before["comments"] == 64
        assert _rows(store, CommentRow.origin == "wxr", CommentRow.dsq_id.is_not(None)) == 37
        # The rest are Disqus-only posts and threads the WXR does not have.
        assert after["comments"] == 64 + 13
        assert after["threads"] == 1 + 3
        assert after["orphans"] == 0
        codes = sorted(i.code for i in reports[0].issues)
        assert codes == ["unmatched-thread"] * 3
        # Importing the Disqus export again changes nothing.
        api.import_files(store, [DISQUS])
        assert store.stats() == after


def test_native_replies_stay_under_merged_parents(store_url: str) -> None:
    with open_store(store_url) as store:
        api.import_files(store, [WXR, DISQUS])
        comments = [r for r in store.records() if isinstance(r, Comment)]
    by_key = {c.key: c for c in comments}
    disqus_replies = [c for c in comments if c.origin == "disqus" and c.parent is not None]
    assert disqus_replies
    for reply in disqus_replies:
        assert reply.parent_key in by_key, reply.key
    # Every comment of the merged thread is written under the WordPress item.
    out = io.BytesIO()
    with open_store(store_url) as store:
        report = api.export(store, out, format="wxr")
    assert report.written["comment"] == 77
    assert not [line for line in report.left_out if "comment" in line]


def test_map_user_turns_a_moderator_reply_into_an_author_reply(store_url: str) -> None:
    with open_store(store_url) as store:
        api.import_files(
            store, [WXR, DISQUS], merge=MergeOptions(user_map={"dokafor": "dokafor"})
        )
        out = io.BytesIO()
        api.export(store, out, format="wxr")
        comments = {r.key: r for r in store.records() if isinstance(r, Comment)}
    assert comments["6620400143"].wp_user_id == "7"
    document = etree.fromstring(out.getvalue())
    written = {
        c.findtext(f"{WP}comment_id"): c.findtext(f"{WP}comment_user_id")
        for c in document.iter(f"{WP}comment")
    }
    assert "7" in written.values()
    authors = [a.findtext(f"{WP}author_id") for a in document.iter(f"{WP}author")]
    assert "7" in authors


def _site(origin: str, threads: list[Thread], comments: list[Comment]) -> list:
    site = "example.org" if origin == "wxr" else "forum"
    return [Source(origin=origin, site=site, name=f"{origin}.xml"), *threads, *comments]


def test_threads_match_by_normalised_url_and_url_map(store_url: str) -> None:
    wxr = _site("wxr", [
        Thread(origin="wxr", key="1", link="https://www.example.org/2020/01/first/"),
        Thread(origin="wxr", key="2", link="https://new.example.net/2021/02/moved/"),
        Thread(origin="wxr", key="3", guid="https://example.org/?p=3"),
    ], [])
    disqus = _site("disqus", [
        # http, no www, no trailing slash.
        Thread(origin="disqus", key="d1", dsq_id="d1", link="http://example.org/2020/01/first"),
        # The blog moved domain: only the URL map can tell.
        Thread(origin="disqus", key="d2", dsq_id="d2",
               link="http://old.example.net/2021/02/moved/"),
        # The plugin's identifier names post 3.
        Thread(origin="disqus", key="d3", dsq_id="d3", identifier="3 https://example.org/?p=3"),
        Thread(origin="disqus", key="d4", dsq_id="d4", link="https://example.org/elsewhere/"),
    ], [])
    url_map = UrlMap.parse("http://old.example.net/ https://new.example.net/\n")
    with open_store(store_url) as store:
        store.load(wxr)
        report = store.load(disqus, merge=MergeOptions(url_map=url_map))
        threads = [r for r in store.records() if isinstance(r, Thread)]
    assert report.counts["thread merged"] == 3
    assert {t.key: t.dsq_id for t in threads} == {"1": "d1", "2": "d2", "3": "d3", "d4": "d4"}
    assert [i.code for i in report.issues] == ["unmatched-thread"]


def test_normalise_url() -> None:
    assert normalise_url("HTTPS://WWW.Example.org/a/b/") == "example.org/a/b"
    assert normalise_url("http://example.org/a/b") == "example.org/a/b"
    assert normalise_url("http://example.org/?p=12") == "example.org?p=12"
    assert normalise_url("") is None
