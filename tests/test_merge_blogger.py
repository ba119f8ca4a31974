"""A Blogger export and the WXR of the WordPress site the blog moved to,
merged in one store whatever the order."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select
from store_dump import dump
from test_merge_order import _empty, orders

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.records import Comment
from wxrbridge.store import MergeOptions, Store, UrlMap, open_store
from wxrbridge.store.tables import comments_t

DATA = Path(__file__).parent / "data" / "blogger"
BLOGGER = DATA / "legacy.xml"
WXR = DATA / "allotment-wordpress.wxr.xml"
URL_MAP = DATA / "allotment-url-map.txt"
MOVED = MergeOptions(url_map=UrlMap.parse(URL_MAP.read_text()))

def _import(store: Store, plan: list[list[Path]]) -> dict:
    _empty(store)
    for files in plan:
        api.import_files(store, files, merge=MOVED)
    return dump(store)


def _merged_keys(store: Store) -> dict[str, str]:
    c = comments_t
    with store.engine.connect() as connection:
        return {
            key: merged
            for key, merged in connection.execute(
                select(c.c.key, c.c.merged_key).where(c.c.merged_key.is_not(None))
            )
        }


def test_every_order_gives_the_same_store(store_url: str) -> None:
    with open_store(store_url) as store:
        stores = {name: _import(store, plan) for name, plan in orders(WXR, BLOGGER).items()}
        reference = stores["wxr then other, one command"]
        for name, content in stores.items():
            assert content == reference, name
        # Each order ends with the store of the last plan: look at it.
        merged = _merged_keys(store)
        comments = {c.key: c for c in store.records() if isinstance(c, Comment)}
    # 5 Blogger comments and 4 WordPress ones, 3 of which are copies.
    assert len(reference["comments"]) == 6
    # The two posts are one thread each; the draft never reached WordPress.
    assert len(reference["threads"]) == 3
    assert merged == {"31": "6200000000000000002", "32": "6200000000000000003",
                      "33": "6200000000000000006"}
    # The blog author's reply, which the importer dropped, answers the
    # WordPress copy of its parent; so does the comment written since.
    thanks = comments["6200000000000000004"]
    assert (thanks.origin, thanks.thread, thanks.parent_key) == ("blogger", "12", "32")
    assert comments["40"].parent_key == "32"
    # The importer left its copy of a reply at top level: the Blogger
    # comment it is a copy of puts it back under its parent's copy.
    assert comments["32"].parent_key == "31"


def test_the_wordpress_export_keeps_the_blogger_threading(sqlite_url: str) -> None:
    with open_store(sqlite_url) as store:
        api.import_files(store, [BLOGGER, WXR], merge=MOVED)
        out = io.BytesIO()
        api.export(store, out, format="wxr")
    document = etree.fromstring(out.getvalue())
    wp = "{http://wordpress.org/export/1.2/}"
    parents = {
        c.findtext(f"{wp}comment_author") + " " + c.findtext(f"{wp}comment_date_gmt"):
        c.findtext(f"{wp}comment_parent")
        for c in document.iter(f"{wp}comment")
    }
    ids = {
        c.findtext(f"{wp}comment_author") + " " + c.findtext(f"{wp}comment_date_gmt"):
        c.findtext(f"{wp}comment_id")
        for c in document.iter(f"{wp}comment")
    }
    ines, anonymous = "Ines Thorne 2019-06-03 19:00:00", "Anonymous 2019-06-03 04:45:00"
    assert parents[ines] == ids[anonymous]
    assert parents["Mara Quill 2019-06-04 14:05:00"] == ids[ines]
    assert len(ids) == 6


@pytest.mark.parametrize("first, second, merged", [
    (BLOGGER, WXR, "3 comments and 2 threads stored before merged into them"),
    (WXR, BLOGGER, "plus 3 comments and 2 threads merged into the stored WordPress ones"),
])
def test_the_summary_says_what_merged(
    tmp_path: Path, first: Path, second: Path, merged: str
) -> None:
    db = f"sqlite:///{tmp_path / 'blog.sqlite'}"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(first), "--db", db])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["import", str(second), "--db", db, "--url-map", str(URL_MAP)])
    assert result.exit_code == 0, result.output
    assert merged in result.output
    assert "unmatched-thread: Blogger post '5100000000000000002'" in result.output


def test_without_the_url_map_nothing_merges(sqlite_url: str) -> None:
    with open_store(sqlite_url) as store:
        report = api.import_files(store, [BLOGGER, WXR])[1]
        stats = store.stats()
    assert report.counts["stored comment merged"] == report.counts["stored thread merged"] == 0
    assert [i.code for i in report.issues].count("unmatched-thread") == 3
    assert (stats["comments"], stats["threads"]) == (5 + 4, 3 + 2)


def test_a_longer_old_prefix_wins() -> None:
    url_map = UrlMap.parse(
        "https://blog.example.com/ https://example.com/blog/\n"
        "https://blog.example.com/2019/a.html https://example.com/2019/01/a/\n"
    )
    assert url_map.apply("https://blog.example.com/2019/a.html") == "https://example.com/2019/01/a/"
    assert url_map.apply("https://blog.example.com/2019/b.html") == (
        "https://example.com/blog/2019/b.html"
    )
