"""The HTML archive of a page snapshot looks like the archive of the
site's export: the saved pages WordPress rendered (tests/data/wp_page)
and WordPress's export of the same site, each imported and exported with
``export --format html``, give the same archive pages, but for what a page
cannot show (docs/formats.md, saved WordPress post pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import html

from wxrbridge import api
from wxrbridge.canonical import site_user_id
from wxrbridge.cli import cli
from wxrbridge.records import Comment, User

DATA = Path(__file__).parent / "data" / "wp_page"
EXPORT = DATA / "site.wxr.xml"
# The snapshots: name, what to import, and what its pages cannot show
# beyond what no page shows (emails, IPs, comments not approved).
SNAPSHOTS = {
    "classic": ("classic.html", {"ping-dates", "ping-content"}),
    "xhtml": ("xhtml.html", {"ping-dates", "ping-content", "utc"}),
    "block": ("block.html", set()),
    "blocktt2": ("blocktt2.html", set()),
    "classicpaged": ("wp-page:classicpaged-*.html", {"ping-dates", "ping-content"}),
    "blockpaged": ("wp-page:blockpaged-*.html", set()),
    "plainpaged": ("wp-page:plainpaged-*.html", {"permalink"}),
}


def _archive(source: str, folder: Path) -> dict[str, Any]:
    """What the archive of ``source`` shows, read back from its pages."""
    store = f"sqlite:///{folder}.db"
    for command in (["import", source, "--db", store],
                    ["export", "--db", store, "--format", "html", "-o", str(folder)]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0, result.output
    index = html.parse(str(folder / "index.html")).getroot()
    [page_file] = sorted((folder / "threads").glob("*.html"))
    page = html.parse(str(page_file)).getroot()
    [thread] = page.xpath(f"//article[{_having('thread')}]")
    [meta] = thread.xpath(f"p[{_having('meta')}]")
    return {
        "site": (index.get("lang"), _text(index.xpath("//h1")[0])),
        "index": [(a.get("href"), _text(a)) for a in index.xpath(f"//a[{_having('title')}]")],
        "thread": {
            "file": page_file.name, "lang": page.get("lang"), "title": _text(page.find(".//title")),
            "heading": _text(thread.xpath("h1")[0]),
            "dates": meta.xpath("time/@datetime"),
            "link": meta.xpath(f"a[{_having('url')}]/@href"),
            "sections": [_text(h) for h in thread.xpath("section/h2")],
        },
        "entries": [_entry(e) for e in page.xpath(f"//article[{_having('h-entry')}]")],
    }


def _entry(entry: Any) -> dict[str, Any]:
    parent = next((a.get("id") for a in entry.iterancestors("article")
                   if "h-entry" in a.classes), None)
    # Its own parts: in its card, not in the replies' cards inside it.
    own = "div[@class='card']"
    [author] = entry.xpath(f"{own}//*[{_having('p-author')}]")
    published = entry.xpath(f"{own}/header//*[{_having('dt-published')}]")
    local = entry.xpath(f"{own}/header//*[{_having('local')}]")
    [body] = entry.xpath(f"{own}/div[{_having('e-content')}]")
    content = (body.text or "") + "".join(html.tostring(c, encoding="unicode") for c in body)
    return {
        "id": entry.get("id"), "kind": "mention" if "mention" in entry.classes else "comment",
        "parent": parent, "author": _text(author), "url": author.get("href"),
        "utc": published[0].get("datetime") if published and "utc" in published[0].classes
        else None,
        "local": _text(local[0]) if local else None,
        "content": " ".join(content.split()) or None,
        "badge": bool(entry.xpath(f"{own}/header//*[{_having('badge')}]")),
        "author-reply": "author-reply" in entry.classes,
    }


def _having(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _users_not_listed() -> set[str]:
    """The comments of site users the export lists no ``wp:author`` for:
    WordPress exports the authors of the posts only, so an editor's reply
    has its user id but no user, and its archive shows no badge."""
    records = list(api.read(EXPORT))
    listed = {site_user_id(u.wp_id) for u in records if isinstance(u, User)}
    return {f"comment-{c.key}" for c in records if isinstance(c, Comment)
            and site_user_id(c.wp_user_id) not in (None, *listed)}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _archive(str(EXPORT), tmp_path_factory.mktemp("archives") / "export")


@pytest.mark.parametrize("name", list(SNAPSHOTS))
def test_the_archive_of_a_snapshot_is_the_archive_of_the_export(
        name: str, exported: dict[str, Any], tmp_path: Path) -> None:
    source, cannot_show = SNAPSHOTS[name]
    spec = f"wp-page:{DATA / source[8:]}" if source.startswith("wp-page:") else str(DATA / source)
    snapshot = _archive(spec, tmp_path / name)
    expected = {**exported, "entries": [dict(e) for e in exported["entries"]]}
    if "permalink" in cannot_show:
        # Rendered with plain links: the page's URL is ?p=N, without a slug.
        expected["thread"] = {**expected["thread"], "file": "thread-4.html",
                              "link": ["http://blog.example.test/?p=4"]}
        expected["index"] = [("threads/thread-4.html", t) for _, t in expected["index"]]
    for entry in expected["entries"]:
        mention = entry["kind"] == "mention"
        if "utc" in cannot_show or (mention and "ping-dates" in cannot_show):
            entry["utc"] = None
        if mention and "ping-dates" in cannot_show:
            entry["local"] = None
        if mention and "ping-content" in cannot_show:
            entry["content"] = None
    not_listed = _users_not_listed()
    assert not_listed == {"comment-5"}  # Mira, an editor
    for entry in snapshot["entries"]:
        if entry["id"] in not_listed:
            # The page names the user the export leaves out: a badge more.
            assert entry["badge"] and entry["author-reply"]
            entry["badge"] = entry["author-reply"] = False
    assert snapshot["site"] == expected["site"]
    assert snapshot["index"] == expected["index"]
    assert snapshot["thread"] == expected["thread"]
    assert [e["id"] for e in snapshot["entries"]] == [e["id"] for e in expected["entries"]]
    assert snapshot["entries"] == expected["entries"]
    assert sum(e["badge"] for e in snapshot["entries"]) >= 1
