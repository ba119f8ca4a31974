"""Atom feeds of the archive: one beside each thread's page, with every
comment shown on it, and ``feed.atom`` for the site, with its latest.

A feed reader, a planet or an archiving crawler follows a site by its
feeds; the pages name theirs with ``<link rel="alternate">``.  Ids are
``urn:uuid`` values derived from the site and the keys, so a re-export
gives every comment the id it had, and the dates are the comments' own
(never the time of the export), so the same store gives the same bytes.
Links are relative, as the pages' are: the archive works from any host.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from feedgen.feed import FeedGenerator

from ...version import __version__
from .archive import HashedFile, Manifest

SITE_FEED = "feed.atom"
# The site's feed carries the latest comments only: a feed is for news.
SITE_FEED_ENTRIES = 50
FEED_TYPE = "application/atom+xml"
# Atom needs an updated date; a feed with no dated entry takes this one.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def feed_name(page_name: str) -> str:
    """The file, beside a thread's page, of that thread's feed."""
    return f"{page_name}.atom"


def _urn(*parts: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "wxrbridge:" + "\x1f".join(parts)).urn


@dataclass
class _Item:
    """One comment as a feed gives it."""

    urn: str
    title: str
    href: str
    author_name: str
    author_url: str | None
    moment: datetime | None
    body: str


def _generator(urn: str, title: str, href: str, lang: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(urn)
    feed.title(title)
    feed.link(href=href, rel="alternate", type="text/html")
    feed.language(lang)
    feed.generator("wxrbridge", version=__version__)
    return feed


def _write(feed: FeedGenerator, items: Sequence[_Item], manifest: Manifest, relative: str,
           fallback: datetime | None) -> None:
    dated = [item.moment for item in items if item.moment is not None]
    feed.updated(max(dated) if dated else fallback or _EPOCH)
    for item in items:
        entry = feed.add_entry(order="append")
        entry.id(item.urn)
        entry.title(item.title)
        entry.link(href=item.href, rel="alternate", type="text/html")
        author: dict[str, str] = {"name": item.author_name}
        if item.author_url:
            author["uri"] = item.author_url
        entry.author(author)
        moment = item.moment or fallback or _EPOCH
        entry.published(moment)
        entry.updated(moment)
        entry.content(item.body, type="html")
    with HashedFile(manifest, relative) as out:
        out.write_bytes(feed.atom_str(pretty=True))


class Feeds:
    """Writes each thread's feed as its page is made, and keeps the site's
    latest comments (no more than the site's feed holds) for the end."""

    def __init__(self, manifest: Manifest, pages: str) -> None:
        self.manifest = manifest
        self.pages = pages
        self._latest: list[tuple[datetime, int, _Item]] = []
        self._order = itertools.count()

    def thread(self, site: dict[str, Any], key: str, page_name: str, title: str,
               thread_date: datetime | None, entries: Sequence[Any]) -> None:
        site_id = str(site.get("link") or site["title"])
        page = f"{page_name}.html"
        items = [
            _Item(
                urn=_urn(site_id, key, entry.key),
                title=f"{entry.kind.capitalize()} by {entry.author_name} on {title}",
                href=f"{page}#{entry.anchor}",
                author_name=entry.author_name,
                author_url=entry.author_url,
                moment=entry.when.moment,
                body=str(entry.body),
            )
            for entry in entries
        ]
        feed = _generator(_urn(site_id, key), f"Comments on {title}", page, site["lang"])
        _write(feed, items, self.manifest, f"{self.pages}/{feed_name(page_name)}",
               thread_date)
        for item in items:
            if item.moment is None:
                continue
            listed = _Item(**{**vars(item), "href": f"{self.pages}/{item.href}"})
            ranked = (item.moment, next(self._order), listed)
            if len(self._latest) < SITE_FEED_ENTRIES:
                heapq.heappush(self._latest, ranked)
            elif ranked[:2] > self._latest[0][:2]:
                heapq.heapreplace(self._latest, ranked)

    def finish(self, site: dict[str, Any]) -> None:
        latest = [item for _moment, _order, item in sorted(self._latest, reverse=True)]
        site_id = str(site.get("link") or site["title"])
        feed = _generator(_urn(site_id), f"Latest comments on {site['title']}", "index.html",
                          site["lang"])
        _write(feed, latest, self.manifest, SITE_FEED, None)
