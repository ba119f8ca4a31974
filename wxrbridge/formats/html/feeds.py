"""Atom feeds of the archive: one beside each thread's page, with every
comment shown on it, and ``feed.atom`` for the site, with its latest.

A feed reader, a planet or an archiving crawler follows a site by its
feeds; the pages name theirs with ``<link rel="alternate">``.  Ids are
``urn:uuid`` values derived from the site and the keys, so a re-export
gives every comment the id it had, and the dates are the comments' own
(never the time of the export), so the same store gives the same bytes.
Links are relative, as the pages' are: the archive works from any host.

A feed's shape is fixed and small (RFC 4287: a head, then an ``<entry>``
of seven elements for each comment), so each one is put together as text,
every value escaped for XML, the way the pages are: building a tree of
objects for each of a hundred thousand comments only to serialise it cost
more than writing the comments' pages.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from ...version import __version__
from .archive import HashedFile, Manifest

SITE_FEED = "feed.atom"
# The site's feed carries the latest comments only: a feed is for news.
SITE_FEED_ENTRIES = 50
FEED_TYPE = "application/atom+xml"
# Atom needs an updated date; a feed with no dated entry takes this one.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes

# Beyond &, < and >, in an attribute: the quote, and the whitespace an XML
# parser would otherwise normalise away.
_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
# What XML 1.0 cannot hold: control characters other than tab, newline and
# carriage return, U+FFFE, U+FFFF, and a lone surrogate (which the store
# keeps from a broken source and UTF-8 has no form for).  A feed shows the
# replacement character in their place.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def feed_name(page_name: str) -> str:
    """The file, beside a thread's page, of that thread's feed."""
    return f"{page_name}.atom"


def _urn(*parts: str) -> str:
    """``uuid.uuid5(NAMESPACE_URL, name).urn`` of the parts, from the SHA-1
    itself: a UUID object for each of a hundred thousand comments costs
    more than the hash."""
    name = "wxrbridge:" + "\x1f".join(parts)
    digest = hashlib.sha1(_URL_NAMESPACE + name.encode("utf-8")).hexdigest()
    # RFC 4122: the version (5) in the 13th hex digit, the variant (binary
    # 10) in the top bits of the 17th.
    variant = "89ab"[int(digest[16], 16) & 3]
    return (f"urn:uuid:{digest[:8]}-{digest[8:12]}-5{digest[13:16]}-"
            f"{variant}{digest[17:20]}-{digest[20:32]}")


def _text(value: str) -> str:
    """``value`` escaped as XML text, as lxml writes it."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;") if "\r" in value else value


_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')


def _attribute(value: str) -> str:
    """``value`` escaped as an XML attribute's value, as lxml writes it."""
    if _ATTRIBUTE_SPECIAL.search(value) is None:
        return value  # most links: a page name and an anchor
    return escape(value, _ATTRIBUTE)


class _Item(NamedTuple):
    """One comment as a feed gives it, its text already escaped."""

    urn: str
    title: str
    href: str  # relative to the thread's page, not escaped
    author: str  # the <author> element's children
    moment: datetime | None
    content: str  # the <content> element


def _head(urn: str, title: str, href: str, lang: str, updated: datetime) -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_attribute(lang)}">\n'
        f"  <id>{urn}</id>\n"
        f"  <title>{_text(title)}</title>\n"
        f"  <updated>{updated.isoformat()}</updated>\n"
        f'  <link href="{_attribute(href)}" rel="alternate" type="text/html"/>\n'
        f'  <generator version="{_attribute(__version__)}">wxrbridge</generator>\n'
    )


def _entry(item: _Item, prefix: str, fallback: str) -> str:
    moment = item.moment.isoformat() if item.moment is not None else fallback
    return (
        f"  <entry>\n    <id>{item.urn}</id>\n    <title>{item.title}</title>\n"
        f"    <updated>{moment}</updated>\n    <author>\n{item.author}    </author>\n"
        f"    {item.content}\n"
        f'    <link href="{_attribute(prefix + item.href)}"/>\n'
        f"    <published>{moment}</published>\n  </entry>\n"
    )


def _write(manifest: Manifest, relative: str, head: str, entries: list[str]) -> None:
    text = "".join((head, *entries, "</feed>\n"))
    if _NOT_XML.search(text) is not None:
        text = _NOT_XML.sub("\ufffd", text)
    with HashedFile(manifest, relative) as out:
        out.write_bytes(text.encode("utf-8"))


@functools.lru_cache(maxsize=64)
def _kind(kind: str) -> str:
    """A comment's kind as a feed entry's title starts: "Comment", "Pingback"."""
    return _text(kind.capitalize())


def _updated(items: Sequence[_Item], fallback: datetime | None) -> datetime:
    dated = [item.moment for item in items if item.moment is not None]
    return max(dated) if dated else fallback or _EPOCH


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
        escaped = _text(title)
        items = [self._item(site_id, key, page, escaped, entry) for entry in entries]
        head = _head(_urn(site_id, key), f"Comments on {title}", page, site["lang"],
                     _updated(items, thread_date))
        # An undated comment shows its thread's date.
        fallback = (thread_date or _EPOCH).isoformat()
        _write(self.manifest, f"{self.pages}/{feed_name(page_name)}", head,
               [_entry(item, "", fallback) for item in items])
        latest = self._latest
        for item in items:
            if item.moment is None:
                continue
            ranked = (item.moment, next(self._order), item)
            if len(latest) < SITE_FEED_ENTRIES:
                heapq.heappush(latest, ranked)
            elif ranked[:2] > latest[0][:2]:
                heapq.heapreplace(latest, ranked)

    @staticmethod
    def _item(site_id: str, key: str, page: str, title: str, entry: Any) -> _Item:
        """``entry`` as its thread's feed gives it; ``title`` is the
        thread's, escaped."""
        name = _text(entry.author_name)
        author = f"      <name>{name}</name>\n"
        if entry.author_url:
            author += f"      <uri>{_text(entry.author_url)}</uri>\n"
        body = str(entry.body)
        return _Item(
            urn=_urn(site_id, key, entry.key),
            title=f"{_kind(entry.kind)} by {name} on {title}",
            href=f"{page}#{entry.anchor}",
            author=author,
            moment=entry.when.moment,
            content=(f'<content type="html">{_text(body)}</content>' if body
                     else '<content type="html"/>'),
        )

    def finish(self, site: dict[str, Any]) -> None:
        latest = [item for _moment, _order, item in sorted(self._latest, reverse=True)]
        site_id = str(site.get("link") or site["title"])
        head = _head(_urn(site_id), f"Latest comments on {site['title']}", "index.html",
                     site["lang"], _updated(latest, None))
        _write(self.manifest, SITE_FEED, head,
               [_entry(item, f"{self.pages}/", _EPOCH.isoformat()) for item in latest])
