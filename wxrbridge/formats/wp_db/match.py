"""Finding the post of a live site that a thread from elsewhere is.

A thread read from this same site (the source's site is this ``home``)
is its post by id.  Any other is matched, in this order, by its link
(after ``--url-map`` has rewritten a moved blog's old prefixes) against
the posts' permalinks and ``?p=N`` links, by its link or guid against the
posts' guids, by the post id a Disqus identifier names, and last by its
slug (the last part of its link's path) when one post alone has it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ...canonical import normalise_url, post_id_in_identifier, post_id_in_url
from ...records import Thread
from ...urlmap import UrlMap
from .links import Permalinks

# Post types whose slug alone is worth matching a thread by.
_SLUG_TYPES = frozenset({"post", "page"})


@dataclass
class PostIndex:
    """A site's posts by link, guid and slug."""

    links: Permalinks
    url_map: UrlMap = field(default_factory=UrlMap)
    by_link: dict[str, int] = field(default_factory=dict)
    by_guid: dict[str, int] = field(default_factory=dict)
    by_slug: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, post_id: int, guid: str | None) -> None:
        post = self.links.posts[post_id]
        normal = normalise_url(self.links.link(post))
        if normal:
            self.by_link.setdefault(normal, post_id)
        guid_normal = normalise_url(guid)
        if guid_normal:
            self.by_guid.setdefault(guid_normal, post_id)
        if post.slug and post.type in _SLUG_TYPES and post.status == "publish":
            self.by_slug[post.slug].append(post_id)

    def this_site(self, site: str) -> bool:
        """Whether a source keyed ``site`` is this WordPress site."""
        return bool(site) and normalise_url(site) == normalise_url(self.links.home)

    def _post(self, text: str | None) -> int | None:
        value = (text or "").strip()
        if value.isascii() and value.isdigit() and int(value) in self.links.posts:
            return int(value)
        return None

    def find(self, thread: Thread, *, same_site: bool) -> tuple[int, str] | None:
        """The post ``thread`` is, and what matched it."""
        if same_site and thread.origin == "wxr":
            found = self._post(thread.wp_post_id or thread.key)
            if found is not None:
                return found, "id"
        links = [self.url_map.apply(u) for u in (thread.link, thread.guid) if u and u.strip()]
        for url in links:
            normal = normalise_url(url)
            if normal and normal in self.by_link:
                return self.by_link[normal], "link"
            in_url = post_id_in_url(url)
            home = urlsplit(self.links.home).hostname
            if in_url and urlsplit(url or "").hostname == home and self._post(in_url):
                return int(in_url), "link"
        for url in links:
            normal = normalise_url(url)
            if normal and normal in self.by_guid:
                return self.by_guid[normal], "guid"
        by_identifier = self._post(post_id_in_identifier(thread.identifier))
        if by_identifier is not None:
            return by_identifier, "identifier"
        for slug in (thread.slug, *(_last_part(u) for u in links)):
            candidates = self.by_slug.get(slug or "", [])
            if len(candidates) == 1:
                return candidates[0], "slug"
        return None


def _last_part(url: str | None) -> str | None:
    path = urlsplit(url or "").path.rstrip("/")
    return path.rsplit("/", 1)[-1] or None
