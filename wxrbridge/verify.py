"""The migration check: are two exports (or stores) the same discussions?

Each side is read into records and every thread and comment gets identity
tokens, by the rules the merge uses: a WordPress comment id, the ``wp_id=N``
a Disqus post carries, the Disqus id kept in ``dsq_post_id`` meta, the id a
renumbering writer kept in ``_wxrbridge_original_id``; a post id, a Disqus
identifier, a normalised link.  Comments that share a token are the same
comment; then threads, parent links, types, statuses, authors, dates and
content are compared, and every difference is one line.

A format that keys threads by path alone (Isso) is matched by the link's
path and query when no stronger token pairs a thread.  Comments that no
token pairs but whose threads are paired (a tool that renumbered them, such
as Isso's own importer) are paired by the same id, then by the same author
name in date order, then by the same date.

Fields one format cannot hold are not held against it: an email or a local
date missing on one side is not a difference, a different one is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import canonical
from .canonical import normalise_url, post_id_in_identifier, post_id_in_url, wp_id_in_identifier
from .records import Comment, Record, Thread

Token = tuple[str, str]


@dataclass
class Difference:
    """One way B differs from A."""

    kind: str  # missing, extra, changed
    what: str  # thread or comment
    key: str  # A's id (B's for extra)
    field: str | None = None
    a: Any = None
    b: Any = None

    def __str__(self) -> str:
        if self.kind == "missing":
            return f"{self.what} {self.key}: in A, not in B"
        if self.kind == "extra":
            return f"{self.what} {self.key}: in B, not in A"
        return f"{self.what} {self.key}: {self.field} {self.a!r} -> {self.b!r}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "what": self.what, "key": self.key,
                "field": self.field, "a": self.a, "b": self.b}


@dataclass
class VerifyReport:
    threads: tuple[int, int] = (0, 0)
    comments: tuple[int, int] = (0, 0)
    differences: list[Difference] = field(default_factory=list)

    @property
    def equivalent(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        return {
            "equivalent": self.equivalent,
            "threads": {"a": self.threads[0], "b": self.threads[1]},
            "comments": {"a": self.comments[0], "b": self.comments[1]},
            "differences": [d.as_dict() for d in self.differences],
        }


@dataclass
class _ThreadView:
    key: str
    tokens: set[Token]


@dataclass
class _CommentView:
    key: str
    origin: str
    thread: _ThreadView
    tokens: set[Token]
    parent_key: str | None
    fields: dict[str, Any]
    dangling: bool = False  # parent_key names a parent known to be missing
    parent: _CommentView | None = None


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


def _thread_tokens(thread: Thread) -> set[Token]:
    # The thread's own key is a token even when blank: it is its identity.
    tokens = {(_THREAD_KEY.get(thread.origin, "dsq"), thread.key.strip())}
    tokens |= _path_token(thread.link)
    tokens |= _tokens([
        ("post", thread.wp_post_id),
        ("dsq", thread.dsq_id),
        ("post", post_id_in_identifier(thread.identifier)),
        *_meta_named(thread.meta, "dsq_thread_id", "dsq"),
        *_meta_named(thread.meta, "_wxrbridge_original_post_id", "post"),
    ])
    for url in (thread.link, thread.guid):
        normal = normalise_url(url)
        if normal:
            tokens.add(("url", normal))
        if thread.origin == "wxr":
            tokens |= _tokens([("post", post_id_in_url(url))])
    return tokens


def _comment_tokens(comment: Comment) -> set[Token]:
    tokens = {(_COMMENT_KEY.get(comment.origin, "dsq"), comment.key.strip())}
    tokens |= _tokens([
        ("wp", comment.wp_id),
        ("dsq", comment.dsq_id),
        ("wp", wp_id_in_identifier(comment.dsq_identifier)),
        *_meta_named(comment.meta, "dsq_post_id", "dsq"),
        *_meta_named(comment.meta, "_wxrbridge_original_id", "wp"),
    ])
    return tokens


def _fields(comment: Comment) -> dict[str, Any]:
    return {
        "type": canonical.comment_type(comment),
        "status": canonical.comment_status(comment),
        "author_name": comment.author_name,
        "author_email": (comment.author_email or "").strip().lower() or None,
        "author_url": (comment.author_url or "").strip() or None,
        "created_at": canonical.utc_iso(comment.created_at, not_a_date=comment.created_at),
        # A date: padding around it is not a difference (WXR exports write it trimmed).
        "created_at_local": None if comment.created_at_local is None
        else comment.created_at_local.strip(),
        "content": comment.content,
    }


# Disqus has one "deleted" where WordPress has trash and post-trashed: across
# the two formats those are the same state.
_REMOVED = {canonical.TRASH, canonical.POST_TRASHED, canonical.DELETED}


def _same_status(a: str, b: str, same_origin: bool) -> bool:
    return a == b or (not same_origin and a in _REMOVED and b in _REMOVED)


# Fields compared only when both sides have a value: one format may not
# carry them at all (Disqus exports have no emails, no local dates).
_WHEN_BOTH = {"author_email", "author_url", "created_at", "created_at_local"}


class _Side:
    def __init__(self, records: Iterable[Record]) -> None:
        self.threads: list[_ThreadView] = []
        self.comments: list[_CommentView] = []
        thread_by_key: dict[str, _ThreadView] = {}
        for record in records:
            if isinstance(record, Thread):
                view = _ThreadView(record.key, _thread_tokens(record))
                self.threads.append(view)
                thread_by_key[record.key] = view
            elif isinstance(record, Comment):
                thread = thread_by_key.get(record.thread)
                if thread is None:
                    # A Disqus post whose thread is not in the export: its
                    # thread is known by that reference alone, once for all
                    # the posts that name it.
                    thread = _ThreadView(record.thread, {("dsq", record.thread)})
                    self.threads.append(thread)
                    thread_by_key[record.thread] = thread
                parent = canonical.parent_of(record)
                kept = None
                if parent is None:
                    # A reply whose parent was missing, written at the top
                    # level with its reference kept: that same dangling id.
                    kept = next((v for k, v in record.meta
                                 if k == "_wxrbridge_original_parent" and v), None)
                self.comments.append(
                    _CommentView(record.key, record.origin, thread, _comment_tokens(record),
                                 kept or parent, _fields(record), dangling=kept is not None)
                )
        by_key = {(c.thread.key, c.key): c for c in self.comments}
        for comment in self.comments:
            if comment.parent_key is not None and not comment.dangling:
                comment.parent = by_key.get((comment.thread.key, comment.parent_key))


def _match(a_items: list[Any], b_items: list[Any]) -> dict[int, Any]:
    """A's index -> B's item, for items sharing an identity token."""
    # Each token's items in B's order: a token two of them share (a post id
    # an export gave a later item of the same id, kept in meta) pairs the
    # first not yet paired.
    index: dict[Token, list[Any]] = {}
    for item in b_items:
        for token in item.tokens:
            index.setdefault(token, []).append(item)
    # How far each token's list is paired already: every token is passed
    # over once, however many items share it.
    start: dict[Token, int] = {}
    matched: dict[int, Any] = {}
    used: set[int] = set()
    for i, item in enumerate(a_items):
        for token in sorted(item.tokens):
            others = index.get(token)
            if not others:
                continue
            at = start.get(token, 0)
            while at < len(others) and id(others[at]) in used:
                at += 1
            start[token] = at
            if at < len(others):
                other = others[at]
                matched[i] = other
                used.add(id(other))
                break
    return matched


def _ranked(comments: list[_CommentView], by_author: bool) -> dict[Any, _CommentView]:
    """Each comment by (author name, or its date, and its rank among the
    comments sharing that, in date order)."""
    ranked: dict[Any, _CommentView] = {}
    seen: Counter[str] = Counter()
    for comment in sorted(comments, key=lambda c: (c.fields["created_at"] or "", c.key)):
        name = (comment.fields["author_name"] if by_author else comment.fields["created_at"])
        name = (name or "").strip()
        ranked[(name, seen[name])] = comment
        seen[name] += 1
    return ranked


def _match_in_threads(
    a_items: list[_CommentView], b_items: list[_CommentView],
    thread_pair: dict[int, _ThreadView], matched: dict[int, _CommentView],
) -> None:
    """Pair the comments no token paired, within paired threads: by the
    same id, then by author, then by date (see the module)."""
    used = {id(c) for c in matched.values()}
    a_left: defaultdict[int, list[int]] = defaultdict(list)
    for i, comment in enumerate(a_items):
        other_thread = thread_pair.get(id(comment.thread))
        if i not in matched and other_thread is not None:
            a_left[id(other_thread)].append(i)
    b_left: defaultdict[int, list[_CommentView]] = defaultdict(list)
    for comment in b_items:
        if id(comment) not in used:
            b_left[id(comment.thread)].append(comment)
    for thread, indexes in a_left.items():
        candidates = b_left.get(thread, [])
        by_key = {c.key.strip(): c for c in candidates}
        rest = []
        for i in indexes:
            other = by_key.pop(a_items[i].key.strip(), None)
            if other is None:
                rest.append(i)
            else:
                matched[i] = other
                used.add(id(other))
        for by_author in (True, False):
            ranked_b = _ranked([c for c in candidates if id(c) not in used], by_author)
            index_of = {id(a_items[i]): i for i in rest}
            for rank, comment in _ranked([a_items[i] for i in rest], by_author).items():
                other = ranked_b.get(rank)
                if other is not None:
                    matched[index_of[id(comment)]] = other
                    used.add(id(other))
            rest = [i for i in rest if i not in matched]


def verify_records(a: Iterable[Record], b: Iterable[Record]) -> VerifyReport:
    """Compare two record streams; see the module's docstring."""
    side_a, side_b = _Side(a), _Side(b)
    report = VerifyReport(
        threads=(len(side_a.threads), len(side_b.threads)),
        comments=(len(side_a.comments), len(side_b.comments)),
    )
    diffs = report.differences

    thread_match = _match(side_a.threads, side_b.threads)
    thread_pair = {id(side_a.threads[i]): t for i, t in thread_match.items()}
    matched_b = {id(t) for t in thread_match.values()}
    for i, thread in enumerate(side_a.threads):
        if i not in thread_match:
            diffs.append(Difference("missing", "thread", thread.key))
    for thread in side_b.threads:
        if id(thread) not in matched_b:
            diffs.append(Difference("extra", "thread", thread.key))

    comment_match = _match(side_a.comments, side_b.comments)
    _match_in_threads(side_a.comments, side_b.comments, thread_pair, comment_match)
    pair = {id(side_a.comments[i]): c for i, c in comment_match.items()}
    matched_b = {id(c) for c in comment_match.values()}
    for i, comment in enumerate(side_a.comments):
        other = comment_match.get(i)
        if other is None:
            diffs.append(Difference("missing", "comment", comment.key))
            continue
        if thread_pair.get(id(comment.thread)) is not other.thread:
            diffs.append(Difference("changed", "comment", comment.key, "thread",
                                    comment.thread.key, other.thread.key))
        expected_parent = pair.get(id(comment.parent)) if comment.parent else None
        if comment.parent is None and comment.parent_key is not None:
            # A parent A does not have either: B should keep the same dangling id.
            if other.parent is not None or other.parent_key is None:
                diffs.append(Difference("changed", "comment", comment.key, "parent",
                                        comment.parent_key, other.parent.key if other.parent
                                        else other.parent_key))
        elif expected_parent is not other.parent:
            diffs.append(Difference(
                "changed", "comment", comment.key, "parent",
                comment.parent.key if comment.parent else None,
                other.parent.key if other.parent else other.parent_key,
            ))
        for name, value in comment.fields.items():
            theirs = other.fields[name]
            if name in _WHEN_BOTH and (value is None or theirs is None):
                continue
            if name == "status" and _same_status(value, theirs, comment.origin == other.origin):
                continue
            if value != theirs:
                diffs.append(Difference("changed", "comment", comment.key, name, value, theirs))
    for comment in side_b.comments:
        if id(comment) not in matched_b:
            diffs.append(Difference("extra", "comment", comment.key))
    return report
