"""A site's WXR and Disqus exports give the same store whatever the order
they are imported in, in one command or in several; so do WXR exports that
split a reply cycle between them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES, generate_corpus
from sqlalchemy import delete, update
from store_dump import dump

from wxrbridge import api
from wxrbridge.records import Comment
from wxrbridge.store import MergeOptions, Store, open_store
from wxrbridge.store.models import metadata
from wxrbridge.store.tables import comments_t

WXR = SAMPLES / "agency-blog.wxr.xml"
DISQUS = SAMPLES / "agency-blog.disqus.xml.gz"
# The moderator's Disqus replies are the site author's.
USERS = MergeOptions(user_map={"dokafor": "dokafor"})

def orders(wxr: Path, other: Path) -> dict[str, list[list[Path]]]:
    """Ways to import a site's WXR and another export of it: each plan a
    list of commands, each command the files it imports."""
    return {
        "wxr then other, one command": [[wxr, other]],
        "other then wxr, one command": [[other, wxr]],
        "wxr, then other": [[wxr], [other]],
        "other, then wxr": [[other], [wxr]],
        "other, wxr, other again": [[other], [wxr], [other]],
        "wxr, other, wxr again": [[wxr], [other], [wxr]],
    }


def _empty(store: Store) -> None:
    """Delete every row, so that one test database holds each plan in turn."""
    with store.engine.begin() as connection:
        # MariaDB checks a self-referencing key row by row.
        connection.execute(update(comments_t).values(parent_id=None))
        for table in reversed(metadata.sorted_tables):
            connection.execute(delete(table))


def _import(store: Store, plan: list[list[Path]], merge: MergeOptions) -> dict:
    _empty(store)
    for files in plan:
        api.import_files(store, files, merge=merge)
    return dump(store)


def test_every_order_gives_the_same_store(store_url: str) -> None:
    with open_store(store_url) as store:
        plans = orders(WXR, DISQUS)
        stores = {name: _import(store, plan, USERS) for name, plan in plans.items()}
        reference = stores["wxr then other, one command"]
        # 64 WordPress comments (37 of them also in Disqus) and 13 Disqus-only posts.
        assert len(reference["comments"]) == 77
        assert len(reference["threads"]) == 4
        for name, content in stores.items():
            for part in reference:
                assert content[part] == reference[part], (name, part)


def test_disqus_first_reports_what_the_wxr_merged(store_url: str) -> None:
    with open_store(store_url) as store:
        first, second = api.import_files(store, [DISQUS, WXR], merge=USERS)
        stats = store.stats()
    assert (first.counts["comment merged"], first.counts["thread merged"]) == (0, 0)
    assert (second.counts["stored comment merged"], second.counts["stored thread merged"]) == (
        37, 1
    )
    assert sorted(i.code for i in second.issues) == ["unmatched-thread"] * 3
    assert (stats["comments"], stats["threads"], stats["orphans"]) == (77, 4, 0)


def test_a_generated_site_is_stored_once_in_either_order(store_url: str, tmp_path: Path) -> None:
    wxr, disqus = generate_corpus(150, tmp_path, seed=5)
    with open_store(store_url) as store:
        forward = _import(store, [[wxr, disqus]], MergeOptions())
        backward = _import(store, [[disqus], [wxr]], MergeOptions())
    assert len(backward["comments"]) == 150
    assert backward == forward


@pytest.mark.parametrize("order", ["wxr first", "disqus first"])
def test_a_wxr_imported_again_keeps_the_merged_disqus_fields(sqlite_url: str, order: str) -> None:
    files = [WXR, DISQUS] if order == "wxr first" else [DISQUS, WXR]
    with open_store(sqlite_url) as store:
        api.import_files(store, files)
        before = dump(store)
        api.import_files(store, [WXR])
        assert dump(store) == before


def _wxr(name: Path, comments: list[tuple[str, str, str]]) -> Path:
    """A WXR export of one post holding ``comments``, (id, parent, text)
    each, as written: repeats and cycles included."""
    rows = "".join(
        f"<wp:comment><wp:comment_id>{key}</wp:comment_id>"
        f"<wp:comment_date_gmt>2024-01-02 03:04:05</wp:comment_date_gmt>"
        f"<wp:comment_content>{text}</wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        for key, parent, text in comments
    )
    name.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version>"
        "<wp:base_blog_url>https://cycle.example.org</wp:base_blog_url>"
        "<item><title>post</title><wp:post_id>1</wp:post_id>"
        f"<wp:post_type>post</wp:post_type>{rows}</item></channel></rss>"
    )
    return name


def _content(store: Store) -> dict:
    """The store's content, the file each row last came from aside (that is
    the order of the imports)."""
    content = dump(store)
    del content["sources"]
    return {part: [tuple(field for field in row if field[0] != "source") for row in rows]
            for part, rows in content.items()}


def test_a_reply_cycle_is_cut_alike_in_every_order(store_url: str, tmp_path: Path) -> None:
    # 2 and 97 answer each other, and the first export repeats 2 (kept as
    # 2~2) before 97 and 5 name it: a reply to a repeated id answers its
    # first comment however it is linked, and the cycle is cut at 97, the
    # greater id, whichever file brought it first.
    whole = _wxr(tmp_path / "whole.wxr.xml", [
        ("2", "97", "two"), ("2", "97", "two again"), ("97", "2", "ninety-seven"),
        ("5", "2", "five"),
    ])
    part = _wxr(tmp_path / "part.wxr.xml", [("97", "2", "ninety-seven")])
    plans = {**orders(whole, part), "whole, whole again": [[whole], [whole]]}
    with open_store(store_url) as store:
        stores = {}
        for name, plan in plans.items():
            _import(store, plan, MergeOptions())
            stores[name] = _content(store)
        parents = {c.key: c.parent_key for c in store.records() if isinstance(c, Comment)}
    assert parents == {"2": "97", "2~2": "97", "97": None, "5": "2"}
    reference = stores["wxr then other, one command"]
    for name, content in stores.items():
        assert content == reference, name
