"""What verify knows of one record: its identity tokens and the fields it
compares, and which fields a pair of formats can both hold."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from .. import canonical
from ..canonical import normalise_url, post_id_in_identifier, post_id_in_url, wp_id_in_identifier
from ..formats.wxr.plan import ORIGINAL_ID_KEY
from ..formats.wxr.values import ORIGINAL_POST_ID_KEY
from ..records import Comment, Thread
from .shown import PAGE_ORIGIN, nicename, one_is_page, shown_text

Token = tuple[str, str]


def _tokens(named: Iterable[tuple[str, str | None]]) -> set[Token]:
    """The ``(kind, value)`` pairs that have a value, the value stripped."""
    return {(kind, value.strip()) for kind, value in named if value}


def _meta_named(
    meta: Iterable[tuple[str, str | None]], name: str, kind: str
) -> Iterator[tuple[str, str | None]]:
    """Each value of the meta key ``name``, as a token of ``kind``."""
    for key, value in meta:
        if key == name:
            yield kind, value


# The token kind of a record's own key, by origin (Disqus for the others).
_THREAD_KEY = {"wxr": "post", "isso": "isso"}
_COMMENT_KEY = {"wxr": "wp", "isso": "isso"}
# A link's path: the weakest token, tried after all the others.
_PATH = "~path"


def _path_token(url: str | None) -> set[Token]:
    if not url or not url.strip():
        return set()
    parts = urlsplit(url.strip())
    query = f"?{parts.query}" if parts.query else ""
    return {(_PATH, (parts.path.rstrip("/") or "/") + query)}


def thread_tokens(thread: Thread) -> list[Token]:
    """A thread's identity tokens, in the order they are tried."""
    # The thread's own key is a token even when blank: it is its identity.
    tokens = {(_THREAD_KEY.get(thread.origin, "dsq"), thread.key.strip())}
    tokens |= _path_token(thread.link)
    tokens |= _tokens([
        ("post", thread.wp_post_id),
        ("dsq", thread.dsq_id),
        ("post", post_id_in_identifier(thread.identifier)),
        *_meta_named(thread.meta, "dsq_thread_id", "dsq"),
        *_meta_named(thread.meta, ORIGINAL_POST_ID_KEY, "post"),
    ])
    for url in (thread.link, thread.guid):
        normal = normalise_url(url)
        if normal:
            tokens.add(("url", normal))
        if thread.origin == "wxr":
            tokens |= _tokens([("post", post_id_in_url(url))])
    return sorted(tokens)


# Comment meta that names the comment in another format: the token kind.
_ID_META = {"dsq_post_id": "dsq", ORIGINAL_ID_KEY: "wp"}


def comment_tokens(comment: Comment) -> list[Token]:
    """A comment's identity tokens, in the order they are tried."""
    own = (_COMMENT_KEY.get(comment.origin, "dsq"), comment.key.strip())
    # As _tokens has them, one by one: every comment is read here.
    more = []
    if comment.wp_id:
        more.append(("wp", comment.wp_id.strip()))
    if comment.dsq_id:
        more.append(("dsq", comment.dsq_id.strip()))
    if comment.dsq_identifier:
        wp_id = wp_id_in_identifier(comment.dsq_identifier)
        if wp_id:
            more.append(("wp", wp_id.strip()))
    for key, value in comment.meta:
        if value and key in _ID_META:
            more.append((_ID_META[key], value.strip()))
    if not more or (len(more) == 1 and more[0] == own):
        return [own]  # the usual comment: its key, and a WordPress id the same
    return sorted({own, *more})


# Meta wxrbridge's own writers add to carry an identity or a dangling
# parent across formats: how the comment is found, not its data.
OWN_META = "_wxrbridge_"

# The fields compared, in the order differences are listed.
FIELDS = ("type", "status", "author_name", "author_email", "author_url", "created_at",
          "created_at_local", "content", "author_ip", "user_id", "site_user", "meta")
# A site user whose login the side does not name (a WXR lists only the
# posts' authors): a site user still, any login.
SOME_USER = ""


# Meta as compared: JSON text, each string as the JSON encoder writes it.
_JSON_STRING = json.encoder.encode_basestring


def _meta_order(pair: tuple[str, str | None]) -> tuple[str, str]:
    return pair[0], pair[1] or ""


def _meta_text(meta: list[tuple[str, str | None]]) -> str | None:
    """A comment's meta as compared: its pairs but wxrbridge's own, in
    order, as JSON text (None when there are none)."""
    kept = [pair for pair in meta if not pair[0].startswith(OWN_META)]
    if not kept:
        return None
    if len(kept) > 1:
        kept.sort(key=_meta_order)
    # The encoder's text for a list of pairs, without building an encoder
    # for each comment.
    return "[" + ", ".join(
        f"[{_JSON_STRING(key)}, {'null' if value is None else _JSON_STRING(value)}]"
        for key, value in kept) + "]"


def comment_fields(comment: Comment, logins: dict[str, str]) -> tuple[Any, ...]:
    """The values of :data:`FIELDS`, as compared (meta as JSON text);
    ``logins`` are the side's users' logins by id."""
    # canonical.site_user_id, comment_type and comment_status, inline: every
    # comment of both sides comes through here.
    user: str | None = (comment.wp_user_id or "").strip()
    if user in ("", "0"):
        user = None
    if comment.origin == "disqus":
        kind, status = "comment", canonical.dsq_status(comment)
    else:
        kind = (comment.wp_type or "").strip() or "comment"
        status = canonical.wp_status(comment.wp_approved)
    email, url, ip = comment.author_email, comment.author_url, comment.author_ip
    local = comment.created_at_local
    return (
        kind,
        status,
        comment.author_name,
        email and email.strip().lower() or None,
        url and url.strip() or None,
        canonical.utc_iso(comment.created_at, not_a_date=comment.created_at),
        # A date: padding around it is not a difference (WXR exports write it trimmed).
        None if local is None else local.strip(),
        comment.content,
        ip and ip.strip() or None,
        user,
        None if user is None else logins.get(user, SOME_USER),
        _meta_text(comment.meta) if comment.meta else None,
    )


# Fields compared only when both sides have a value: one format may not
# carry them at all (Disqus exports have no emails, no local dates).
_WHEN_BOTH = {"author_email", "author_url", "created_at", "created_at_local"}
# Fields only some formats hold, by the origins that hold them; between two
# records of one origin they are always compared.  Isso keeps an address
# cut to its network (192.0.2.0), not the address.  Comment meta is each
# format's own (WordPress comment meta, another format's unmapped fields
# under its prefix), so it is compared within one origin only.
_HELD_BY = {
    "author_ip": {"wxr", "disqus", "wp-rest"},
    "user_id": {"wxr", "wp-rest"},
    "meta": set(),
}
# Fields a saved page shows as HTML renders them.
_SHOWN = {"content", "author_name"}
# Disqus has one "deleted" where WordPress has trash and post-trashed: across
# the two formats those are the same state.
_REMOVED = {canonical.TRASH, canonical.POST_TRASHED, canonical.DELETED}


def compared(name: str, a_origin: str, b_origin: str) -> bool:
    """Whether field ``name`` is compared between records of these origins
    (a site user by login between a saved page, which shows no user ids,
    and another origin)."""
    if name == "site_user":
        return one_is_page(a_origin, b_origin)
    holders = _HELD_BY.get(name)
    return holders is None or a_origin == b_origin or (a_origin in holders
                                                       and b_origin in holders)


def field_differences(
    name: str, mine: Any, theirs: Any, a_origin: str, b_origin: str
) -> Iterator[tuple[str, Any, Any]]:
    """``(field, A's value, B's value)`` for each way one compared field
    differs (none when it is the same, or the same on purpose)."""
    if mine == theirs or (name in _WHEN_BOTH and (mine is None or theirs is None)):
        return
    same_origin = a_origin == b_origin
    if name in _SHOWN and one_is_page(a_origin, b_origin):
        # A page shows content and author names rendered (a pingback's
        # name is its source's title, entities and all): compared, and
        # told, as read; a classic theme's ping shows no content.
        if name == "content" and (mine if a_origin == PAGE_ORIGIN else theirs) is None:
            return
        mine, theirs = shown_text(mine), shown_text(theirs)
        if mine != theirs:
            yield name, mine, theirs
        return
    if name == "site_user" and None not in (mine, theirs) and (
            SOME_USER in (mine, theirs) or nicename(mine) == nicename(theirs)):
        return
    if name == "status" and not same_origin and mine in _REMOVED and theirs in _REMOVED:
        return
    if name != "meta":
        yield name, mine, theirs
        return
    # Meta by key, each key's values as a sorted list (keys may repeat).
    a_values: dict[str, list[Any]] = {}
    b_values: dict[str, list[Any]] = {}
    for text, values in ((mine, a_values), (theirs, b_values)):
        for key, value in json.loads(text) if text else []:
            values.setdefault(key, []).append(value)
    for key in sorted(a_values.keys() | b_values.keys()):
        a, b = a_values.get(key), b_values.get(key)
        if a != b:
            yield (f"meta {key}", a[0] if a and len(a) == 1 else a,
                   b[0] if b and len(b) == 1 else b)
