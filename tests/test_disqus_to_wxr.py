"""Disqus to WordPress: every Disqus post arrives as the comment it was.

A Disqus export goes through the store into WXR, and the WXR is read back by
PHP's SimpleXML the way WordPress's importer reads it (tests/wp_oracle.php).
Each comment is matched to its Disqus post through the comment meta
``dsq_post_id`` the Disqus WordPress plugin uses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from test_disqus_write import make_disqus_fixture

from wxrbridge import api, canonical
from wxrbridge.formats.wxr.writer import ORIGINAL_ID_KEY, ORIGINAL_PARENT_KEY
from wxrbridge.records import Comment, Thread
from wxrbridge.store import open_store
from wxrbridge.usermap import MADE_UP_ID_FLOOR, UserMap

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ORACLE = Path(__file__).parent / "wp_oracle.php"
WP = "{http://wordpress.org/export/1.2/}"
SOURCES = ["generated", "sample"]
WP_STATUS = {canonical.APPROVED: "1", canonical.PENDING: "0", canonical.SPAM: "spam",
             canonical.DELETED: "trash"}


@pytest.fixture(params=SOURCES)
def disqus_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "sample":
        return SAMPLES / "agency-blog.disqus.xml.gz"
    path = tmp_path / "kettleandkiln-2021-06-03T03_54_08.772063-all.xml.gz"
    make_disqus_fixture.write(path)
    return path


@dataclass
class Written:
    """The Disqus posts and what WordPress's importer reads from the WXR."""

    posts: dict[str, Comment]
    # One (thread dsq:id from post meta, comments as the oracle read them) per item.
    items: list[tuple[str, list[dict[str, Any]]]]

    def parent_of(self, post: Comment) -> str | None:
        """The dsq:id of the post's parent, when that parent is in the export
        and in the same thread."""
        reference = canonical.parent_reference(post)
        parent = self.posts.get(reference) if reference else None
        return reference if parent is not None and parent.thread == post.thread else None


def _meta(comment: dict[str, Any], key: str) -> str | None:
    return next((value for k, value in comment["commentmeta"] if k == key), None)


def _oracle(path: Path) -> list[dict[str, Any]]:
    php = shutil.which("php")
    if php is None:
        pytest.skip("php is not installed")
    result = subprocess.run(
        [php, str(ORACLE), str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _thread_ids(path: Path) -> list[str]:
    """Each item's post meta ``dsq_thread_id``, in document order."""
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, huge_tree=True))
    found = []
    for item in root.iter("item"):
        values = [meta.findtext(WP + "meta_value") for meta in item.iter(WP + "postmeta")
                  if meta.findtext(WP + "meta_key") == "dsq_thread_id"]
        assert len(values) == 1
        found.append(values[0])
    return found


def _written(source: Path, target: Path) -> Written:
    posts = {r.dsq_id: r for r in api.read(source) if isinstance(r, Comment) and r.dsq_id}
    items = _oracle(target)
    thread_ids = _thread_ids(target)
    return Written(posts, [(thread_id, item["comments"])
                           for thread_id, item in zip(thread_ids, items, strict=True)])


def _through_store(store_url: str, source: Path, target: Path, **options: Any) -> Written:
    with open_store(store_url) as store:
        api.import_files(store, [source])
        api.export(store, target, format="wxr", **options)
    return _written(source, target)


def test_every_post_is_a_comment_under_its_thread_and_parent(
    store_url: str, disqus_file: Path, tmp_path: Path
) -> None:
    written = _through_store(store_url, disqus_file, tmp_path / "out.xml")
    seen: list[str] = []
    for thread_id, comments in written.items:
        by_id = {c["comment_id"]: c for c in comments}
        assert len(by_id) == len(comments), "comment ids repeat within an item"
        for comment in comments:
            dsq_id = _meta(comment, "dsq_post_id")
            assert dsq_id is not None
            seen.append(dsq_id)
            post = written.posts[dsq_id]
            assert post.thread == thread_id
            assert comment["comment_content"] == (post.content or "")
            created = canonical.parse_utc(post.created_at)
            assert comment["comment_date_gmt"] == canonical.format_wxr_date(created)
            expected = written.parent_of(post)
            if expected is None:
                # A parent Disqus no longer has: top level, the reference kept.
                assert comment["comment_parent"] == 0
                if canonical.parent_reference(post) is not None:
                    assert _meta(comment, ORIGINAL_PARENT_KEY) == post.parent
            else:
                parent = by_id[comment["comment_parent"]]
                assert _meta(parent, "dsq_post_id") == expected
    assert sorted(seen) == sorted(written.posts)


def test_statuses_and_wordpress_ids_come_through(
    store_url: str, disqus_file: Path, tmp_path: Path
) -> None:
    written = _through_store(store_url, disqus_file, tmp_path / "out.xml")
    renumbered = []
    under_removed = 0
    kept = 0
    for _thread_id, comments in written.items:
        by_id = {c["comment_id"]: c for c in comments}
        for comment in comments:
            post = written.posts[_meta(comment, "dsq_post_id") or ""]
            assert comment["comment_approved"] == WP_STATUS[canonical.comment_status(post)]
            parent = by_id.get(comment["comment_parent"])
            if parent is not None and parent["comment_approved"] in ("spam", "trash"):
                under_removed += 1
            wp_id = canonical.wp_id_in_identifier(post.dsq_identifier)
            if wp_id is None:
                continue
            if comment["comment_id"] == int(wp_id):
                kept += 1
                continue
            # Only a parent written with a higher id (a Disqus-only post, whose
            # id is its Disqus id) forces a fresh id; the old one is in meta.
            renumbered.append(wp_id)
            assert _meta(comment, ORIGINAL_ID_KEY) == wp_id
            assert comment["comment_parent"] >= int(wp_id)
    statuses = {comment["comment_approved"]
                for _thread_id, comments in written.items for comment in comments}
    assert statuses == {"1", "0", "spam", "trash"}
    if disqus_file.parent == SAMPLES:
        assert kept == 41 and renumbered == []
        # 6620400146 answers the deleted 6620400145 and stays under it.
        assert under_removed >= 1
    else:
        assert kept > len(renumbered)


def test_wordpress_importer_relinks_every_reply(disqus_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    api.convert(disqus_file, target, to="wxr")
    written = _written(disqus_file, target)
    replies = 0
    for _thread_id, comments in written.items:
        # WordPress's importer: comments of an item by id, a parent linked
        # only when it was inserted before the reply.
        inserted: dict[int, str] = {}
        for comment in sorted(comments, key=lambda c: c["comment_id"]):
            dsq_id = _meta(comment, "dsq_post_id") or ""
            expected = written.parent_of(written.posts[dsq_id])
            if expected is None:
                assert comment["comment_parent"] == 0
            else:
                assert inserted.get(comment["comment_parent"]) == expected, dsq_id
                replies += 1
            inserted[comment["comment_id"]] = dsq_id
    assert replies == sum(written.parent_of(p) is not None for p in written.posts.values())
    assert replies > 0


# -- --map-user without any WordPress data ----------------------------------------------


def test_map_user_makes_author_replies_without_wordpress_data(
    store_url: str, tmp_path: Path
) -> None:
    source = SAMPLES / "agency-blog.disqus.xml.gz"
    target = tmp_path / "out.xml"
    mapper = UserMap({"dokafor": "dokafor", "nobody_here": "ghost"})
    with open_store(store_url) as store:
        api.import_files(store, [source])
        report = api.write(mapper.apply(store.records()), target, format="wxr")
    root = etree.parse(str(target))
    authors = {a.findtext(WP + "author_login"): a.findtext(WP + "author_id")
               for a in root.iter(WP + "author")}
    assert set(authors) == {"dokafor", "ghost"}
    author_id = int(authors["dokafor"])
    assert author_id > MADE_UP_ID_FLOOR
    written = _written(source, target)
    by_user = {_meta(c, "dsq_post_id"): c["comment_user_id"]
               for _thread_id, comments in written.items for c in comments}
    # The moderator reply is dokafor's only comment under her username.
    assert by_user.pop("6620400143") == author_id
    assert set(by_user.values()) == {0}
    # Every comment_user_id has its wp:author: nothing for the writer to flag.
    assert not [n for n in report.notes if "comment_user_id" in n]
    assert any(f"author_id {author_id} is made up" in n for n in mapper.notes)
    assert any("nobody_here" in n and "no comment" in n for n in mapper.notes)


def test_map_user_uses_an_account_the_data_already_has(tmp_path: Path) -> None:
    """After a merge with the WordPress export, the login's real id is used."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    target = tmp_path / "out.xml"
    mapper = UserMap({"wenli_harwick": "dokafor"})
    with open_store(url) as store:
        api.import_files(store, [SAMPLES / "agency-blog.wxr.xml",
                                 SAMPLES / "agency-blog.disqus.xml.gz"])
        api.write(mapper.apply(store.records()), target, format="wxr")
    logins = [a.findtext(WP + "author_login") for a in etree.parse(str(target)).iter(WP + "author")]
    assert sorted(logins) == ["dokafor", "mlindqvist"]
    linked = [c for item in _oracle(target) for c in item["comments"]
              if _meta(c, "dsq_post_id") == "6620400142"]
    assert [c["comment_user_id"] for c in linked] == [7]
    assert mapper.notes == ["1 comment by Disqus user wenli_harwick written as author replies"
                            " of dokafor (comment_user_id 7)"]


def test_map_user_leaves_wordpress_comments_and_linked_ones_alone() -> None:
    records = [
        Thread(origin="disqus", key="1", dsq_id="1"),
        Comment(origin="disqus", key="2", thread="1", dsq_id="2", dsq_username="mod"),
        Comment(origin="disqus", key="3", thread="1", dsq_id="3", dsq_username="mod",
                wp_user_id="12"),
        Comment(origin="wxr", key="4", thread="1", wp_id="4", dsq_username="mod"),
    ]
    mapper = UserMap({"mod": "admin"})
    out = list(mapper.apply(records))
    assert [type(r).__name__ for r in out] == ["User", "Thread", "Comment", "Comment", "Comment"]
    assert [c.wp_user_id for c in out if isinstance(c, Comment)] == [
        str(MADE_UP_ID_FLOOR + 1), "12", None]
    assert records[1].wp_user_id is None  # the input records are not changed
