"""Merging a site's Disqus export into the WordPress data already stored.

Imports that "succeed" while showing nothing are the commonest complaint
about comment migrations: the thread keys did not match (identifier against
URL, http against https, a trailing slash, a blog that moved domain).  A
Disqus thread is matched to a stored WXR item, in this order:

1. by its identifier: the one an item of the WXR written for Disqus's
   importer carried (``dsq:thread_identifier``), else, when it is the
   WordPress plugin's ``"<post_id> <url>"``, its post id;
2. by its link, normalised (scheme, ``www.``, trailing slash dropped), after
   the user's URL map has rewritten old prefixes to new ones, against each
   item's link and guid, and ``?p=N`` against post N;

and a Disqus post carrying ``wp_id=N`` is the WordPress comment N of that
item.  A matched thread or post is not stored twice: its Disqus fields are
written onto the existing row.

A Blogger post is matched by its link alone (rule 2: the URL map is how a
changed permalink is told), and a Blogger comment of a matched post is the
WordPress comment of that item with the same author, time and text
(:func:`wxrbridge.canonical.comment_fingerprint`), the copy a
Blogger-to-WordPress importer made; the WordPress row keeps the Blogger
comment's key (``merged_key``), which the Blogger replies to it name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from ..canonical import (
    comment_fingerprint,
    normalise_url,
    post_id_in_identifier,
    post_id_in_url,
)
from ..urlmap import UrlMap
from .bulk import chunks


@dataclass
class MergeOptions:
    url_map: UrlMap = field(default_factory=UrlMap)
    # Disqus username -> WordPress login, for moderator and author replies.
    user_map: Mapping[str, str] = field(default_factory=dict)


@dataclass
class FingerprintIndex:
    """WordPress comments another export's comments may be copies of."""

    free: dict[tuple[int, tuple[str, str, str]], list[int]] = field(default_factory=dict)
    by_merged_key: dict[tuple[int, str], int] = field(default_factory=dict)
    # The items whose comments are in it: an import's later batches add
    # only the items not read yet.
    thread_ids: set[int] = field(default_factory=set)

    def take(
        self, thread_id: int, key: str, fingerprint: tuple[str, str, str] | None
    ) -> tuple[int, bool] | None:
        """The WordPress comment a comment of item ``thread_id`` is, and
        whether it is newly merged; ``None`` when it is none."""
        known = self.by_merged_key.get((thread_id, key))
        if known is not None:
            return known, False
        candidates = self.free.get((thread_id, fingerprint)) if fingerprint else None
        if not candidates:
            return None
        comment_id = candidates.pop(0)
        self.by_merged_key[(thread_id, key)] = comment_id
        return comment_id, True


@dataclass
class Matcher:
    """Finds the stored WXR item and comment a Disqus record is the same as."""

    connection: Connection
    threads: Any
    comments: Any
    users: Any
    options: MergeOptions
    # Indexes of the stored WXR items and site users, built on first use.
    _loaded: bool = field(default=False, init=False)
    by_post_id: dict[str, list[tuple[int, str]]] = field(default_factory=dict, init=False)
    by_url: dict[str, int] = field(default_factory=dict, init=False)
    by_identifier: dict[str, int] = field(default_factory=dict, init=False)
    site_of: dict[int, str] = field(default_factory=dict, init=False)
    users_by_login: dict[str, tuple[int, str | None]] = field(default_factory=dict, init=False)
    users_by_email: dict[str, tuple[int, str | None]] = field(default_factory=dict, init=False)

    def _load(self) -> None:
        """Index the stored WXR items and site users once, by id and URL."""
        if self._loaded:
            return
        self._loaded = True
        t = self.threads
        rows = self.connection.execute(
            select(t.c.id, t.c.site, t.c.key, t.c.link, t.c.guid, t.c.identifier)
            .where(t.c.origin == "wxr")
        )
        for thread_id, site, key, link, guid, identifier in rows:
            self.site_of[thread_id] = site
            if identifier is not None and identifier.strip():
                self.by_identifier.setdefault(identifier.strip(), thread_id)
            self.by_post_id.setdefault(key.strip(), []).append((thread_id, site))
            for url in (link, guid):
                normal = normalise_url(url)
                if normal:
                    self.by_url.setdefault(normal, thread_id)
        u = self.users
        for user_id, login, email, wp_id in self.connection.execute(
            select(u.c.id, u.c.login, u.c.email, u.c.wp_id).where(u.c.origin == "wxr")
        ):
            if login:
                self.users_by_login.setdefault(login, (user_id, wp_id))
            if email and email.strip():
                self.users_by_email.setdefault(email.strip().lower(), (user_id, wp_id))

    @property
    def has_wxr(self) -> bool:
        self._load()
        return bool(self.site_of)

    def thread(self, identifier: str | None, link: str | None) -> int | None:
        """The stored WXR item a Disqus thread is, or ``None``."""
        self._load()
        if identifier is not None and identifier.strip() in self.by_identifier:
            return self.by_identifier[identifier.strip()]
        mapped = self.options.url_map.apply(link)
        host = normalise_url(mapped)
        post_id = post_id_in_identifier(identifier)
        if post_id is not None and post_id in self.by_post_id:
            candidates = self.by_post_id[post_id]
            if len(candidates) == 1 or host is None:
                return candidates[0][0]
            # Several sites have a post N: prefer the one on the link's host.
            for thread_id, site in candidates:
                if normalise_url(site) and host.startswith(normalise_url(site) or ""):
                    return thread_id
            return candidates[0][0]
        if host is not None and host in self.by_url:
            return self.by_url[host]
        url_post_id = post_id_in_url(mapped)
        if url_post_id is not None and url_post_id in self.by_post_id:
            return self.by_post_id[url_post_id][0][0]
        return None

    def comments_by_wp_id(self, wanted: Sequence[tuple[int, str]]) -> dict[tuple[int, str], int]:
        """Stored WXR comment ids for (thread id, WordPress comment id) pairs."""
        c = self.comments
        found: dict[tuple[int, str], int] = {}
        by_site: dict[str, list[tuple[int, str]]] = {}
        for thread_id, wp_id in wanted:
            by_site.setdefault(self.site_of[thread_id], []).append((thread_id, wp_id))
        for site, pairs in by_site.items():
            keys = sorted({wp_id for _, wp_id in pairs})
            for chunk in chunks(keys):
                for comment_id, key, thread_id in self.connection.execute(
                    select(c.c.id, c.c.key, c.c.thread_id).where(
                        c.c.site == site, c.c.origin == "wxr", c.c.key.in_(chunk)
                    )
                ):
                    found[(thread_id, key)] = comment_id
        return {pair: found[pair] for pair in wanted if pair in found}

    def comments_by_fingerprint(
        self, thread_ids: Sequence[int], index: FingerprintIndex | None = None
    ) -> FingerprintIndex:
        """The stored WordPress comments of these items, by fingerprint
        (those not merged with a comment yet) and by the key merged into
        them: ``index`` with the items it does not hold yet added, or a new
        index."""
        c = self.comments
        index = FingerprintIndex() if index is None else index
        wanted = set(thread_ids) - index.thread_ids
        index.thread_ids |= wanted
        for chunk in chunks(sorted(wanted)):
            for comment_id, thread_id, author, created_at, content, merged_key in (
                self.connection.execute(
                    select(c.c.id, c.c.thread_id, c.c.author_name, c.c.created_at, c.c.content,
                           c.c.merged_key)
                    .where(c.c.origin == "wxr", c.c.thread_id.in_(chunk))
                    .order_by(c.c.id)
                )
            ):
                if merged_key is not None:
                    index.by_merged_key[(thread_id, merged_key)] = comment_id
                    continue
                fingerprint = comment_fingerprint(author, created_at, content)
                if fingerprint is not None:
                    index.free.setdefault((thread_id, fingerprint), []).append(comment_id)
        return index

    def user(self, username: str | None, email: str | None) -> tuple[int, str | None] | None:
        """The WordPress user a Disqus author is: by --map-user, then by email."""
        self._load()
        if username and username in self.options.user_map:
            return self.users_by_login.get(self.options.user_map[username])
        if email and email.strip():
            return self.users_by_email.get(email.strip().lower())
        return None

    def write_fields(self, table: Any, updates: list[dict[str, Any]]) -> None:
        """Put matched Disqus records' fields on the stored rows.

        Each update is ``{"target": row id, column: value, …}``.
        """
        if not updates:
            return
        columns = [k for k in updates[0] if k != "target"]
        # Bound names must differ from column names in an UPDATE's SET.
        params = [{"target": u["target"], **{f"new_{k}": u[k] for k in columns}} for u in updates]
        self.connection.execute(
            update(table)
            .where(table.c.id == bindparam("target"))
            .values({k: bindparam(f"new_{k}") for k in columns}),
            params,
        )
