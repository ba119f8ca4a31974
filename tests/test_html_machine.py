"""The archive read by machines: microformats2 h-entries in the pages and
Atom feeds beside them, checked against the store they were written from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import lxml.html
import mf2py
import pytest
from conftest import SAMPLES
from lxml import etree

from wxrbridge import api, canonical
from wxrbridge.formats.html.feeds import SITE_FEED_ENTRIES
from wxrbridge.formats.html.index import as_written
from wxrbridge.formats.html.writer import anchor
from wxrbridge.records import Comment

BASE = "https://archive.example/"
SAMPLE_FILES = [SAMPLES / "agency-blog.wxr.xml", SAMPLES / "legacy-1.0.wxr.xml"]


@pytest.fixture
def exported(store_url: str, tmp_path: Path) -> tuple[Path, list[Comment]]:
    """The samples in a store, its HTML archive, and the store's comments."""
    with api.open_store(store_url) as store:
        api.import_files(store, SAMPLE_FILES)
        api.export(store, tmp_path / "site", format="html")
        comments = [r for r in store.records() if isinstance(r, Comment)]
    return tmp_path / "site", comments


def _entries(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every h-entry of a parsed page, replies nested as children included."""
    found: list[dict[str, Any]] = []
    stack = list(items)
    while stack:
        item = stack.pop()
        if "h-entry" in item["type"]:
            found.append(item)
        stack.extend(item.get("children", []))
    return found


def _key_of(url: str) -> str:
    _page, fragment = urldefrag(url)
    return fragment.removeprefix("comment-")


def test_every_shown_comment_is_an_h_entry_as_the_store_has_it(
    exported: tuple[Path, list[Comment]],
) -> None:
    site, comments = exported
    shown = [c for c in comments if canonical.comment_status(c) == canonical.APPROVED]
    assert len(shown) > 50
    keys = {(c.thread, c.key) for c in shown}
    expected = {}
    for c in shown:
        parent = canonical.parent_of(c)
        utc = canonical.parse_utc(c.created_at)
        # Without a UTC date the page gives the local one as the date published.
        published = (canonical.format_utc_iso(utc) if utc else
                     (c.created_at_local or "")[:16].replace(" ", "T"))
        expected[c.key] = {
            "name": as_written(c.author_name) or "Anonymous",
            "published": published,
            "in-reply-to": parent if (c.thread, parent) in keys else None,
        }
    parsed: dict[str, dict[str, Any]] = {}
    for page in sorted((site / "threads").glob("*.html")):
        url = urljoin(BASE, f"threads/{page.name}")
        data = mf2py.parse(doc=page.read_text(encoding="utf-8"), url=url)
        for entry in _entries(data["items"]):
            props = entry["properties"]
            (permalink,) = props["url"]
            assert urldefrag(permalink)[0] == url
            key = _key_of(permalink)
            assert entry["id"] == anchor(key)  # the h-entry is the comment's element
            (author,) = props["author"]
            assert author["type"] == ["h-card"]
            replies_to = [_key_of(link) for link in props.get("in-reply-to", [])]
            parsed[key] = {
                "name": author["properties"]["name"][0],
                "published": props["published"][0],
                "in-reply-to": replies_to[0] if replies_to else None,
            }
            assert len(replies_to) <= 1
            assert props["content"][0]["value"].strip() or not props["content"][0]["html"]
    assert parsed == expected
    assert any(value["in-reply-to"] for value in parsed.values())


def test_an_author_link_is_the_h_card_url(exported: tuple[Path, list[Comment]]) -> None:
    site, comments = exported
    with_url = {
        c.key: c.author_url.strip() for c in comments
        if (c.author_url or "").startswith("https://")
        and canonical.comment_status(c) == canonical.APPROVED
    }
    assert with_url
    seen = 0
    for page in (site / "threads").glob("*.html"):
        data = mf2py.parse(doc=page.read_text(encoding="utf-8"), url=BASE)
        for entry in _entries(data["items"]):
            key = _key_of(entry["properties"]["url"][0])
            if key in with_url:
                card = entry["properties"]["author"][0]["properties"]
                assert card["url"] == [with_url[key]]
                seen += 1
    assert seen == len(with_url)


ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(path: Path) -> list[dict[str, str | None]]:
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
    assert root.findtext(f"{ATOM}updated")
    return [
        {
            "id": entry.findtext(f"{ATOM}id"),
            "href": entry.find(f"{ATOM}link").get("href"),
            "name": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "published": entry.findtext(f"{ATOM}published"),
            "content": entry.findtext(f"{ATOM}content"),
        }
        for entry in root.iter(f"{ATOM}entry")
    ]


def _atom_date(iso: str) -> str:
    return iso.removesuffix("Z") + "+00:00"


def test_each_thread_and_the_site_have_an_atom_feed_of_the_comments_shown(
    exported: tuple[Path, list[Comment]],
) -> None:
    site, comments = exported
    shown = {c.key: c for c in comments if canonical.comment_status(c) == canonical.APPROVED}
    in_feeds: dict[str, dict[str, str | None]] = {}
    pages = sorted((site / "threads").glob("*.html"))
    assert len(pages) > 1
    for page in pages:
        doc = lxml.html.parse(str(page)).getroot()
        feeds = doc.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]/@href')
        assert feeds == [page.with_suffix(".atom").name, "../feed.atom"]
        anchors = set(doc.xpath("//article/@id"))
        for item in _feed(page.with_suffix(".atom")):
            href, _, fragment = str(item["href"]).partition("#")
            assert href == page.name and fragment in anchors
            in_feeds[fragment.removeprefix("comment-")] = item
    assert set(in_feeds) == set(shown)
    for key, item in in_feeds.items():
        comment = shown[key]
        assert item["name"] == (as_written(comment.author_name) or "Anonymous")
        utc = canonical.format_utc_iso(canonical.parse_utc(comment.created_at))
        if utc:
            assert item["published"] == _atom_date(utc)
        assert item["content"]
    assert len({item["id"] for item in in_feeds.values()}) == len(in_feeds)
    # The site's feed: its latest comments, newest first, linked from the index.
    index = lxml.html.parse(str(site / "index.html")).getroot()
    assert index.xpath('//head/link[@type="application/atom+xml"]/@href') == ["feed.atom"]
    latest = _feed(site / "feed.atom")
    dated = sorted((item["published"] or "" for item in in_feeds.values()), reverse=True)
    assert [item["published"] for item in latest] == dated[:SITE_FEED_ENTRIES]
    for item in latest:
        key = str(item["href"]).partition("#")[2].removeprefix("comment-")
        assert str(item["href"]).startswith("threads/")
        assert item["id"] == in_feeds[key]["id"]


def test_the_feeds_are_in_the_manifest(exported: tuple[Path, list[Comment]]) -> None:
    site, _comments = exported
    listed = {
        entry["path"]: entry["sha256"]
        for entry in json.loads((site / "manifest.json").read_text())["files"]
    }
    feeds = [site / "feed.atom", *(site / "threads").glob("*.atom")]
    for path in feeds:
        relative = path.relative_to(site).as_posix()
        assert listed[relative] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"  {'feed.atom'}\n" in (site / "SHA256SUMS").read_text()


def test_an_export_gives_the_same_feeds_each_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        api.convert(SAMPLES / "legacy-1.0.wxr.xml", folder, to="html")
    for path in first.rglob("*.atom"):
        assert (second / path.relative_to(first)).read_bytes() == path.read_bytes()


def test_a_feed_shows_what_xml_cannot_hold_as_the_replacement_character(
    tmp_path: Path,
) -> None:
    """A store can hold text no XML document can (a control character read
    from JSON Lines, a lone surrogate from a broken source); the feeds must
    still be well-formed, with U+FFFD in its place."""
    from wxrbridge.formats.html import write_html
    from wxrbridge.records import Thread

    records = [
        Thread(origin="wxr", key="1", wp_post_id="1", title="Bell \x07 title", slug="bell",
               status="publish", created_at="2024-01-01 10:00:00"),
        Comment(origin="wxr", key="5", thread="1", wp_id="5", author_name="Ann\x01 \ud800",
                content="Text \x0b with\ufffe controls.", created_at="2024-01-02 10:00:00",
                wp_approved="1"),
    ]
    write_html(records, tmp_path)
    for path in (tmp_path / "threads" / "bell.atom", tmp_path / "feed.atom"):
        [item] = _feed(path)
        assert item["name"] == "Ann\ufffd \ufffd"
        assert "Text \ufffd with\ufffd controls." in str(item["content"])
