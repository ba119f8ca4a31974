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
date missing on one side is not a difference, a different one is; an IP
address, a site user id and comment meta are compared where both formats
hold them (see :mod:`.identity`).  A saved page (wp-page) shows content
rendered and only approved comments: against another format its content and
author names are compared as read, its site users by login (it shows no
user ids), and what it cannot show is not missing (:mod:`.shown`).

Both sides are kept in a scratch SQLite file while they are compared
(:mod:`.sides`), so memory stays flat however large the exports are.  A
file of one document is read straight from its reader, one side after the
other in this one process; one that holds what a store settles (a second
document, which it merges, an id used twice, which it renames) is read
again through a scratch store, as are files a format reads from their
location.  Only the pairs whose compared values are not all
equal come back from the scratch file to be looked at one by one.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from ..errors import NeedsStoreError
from ..records import Record
from .identity import FIELDS, compared, field_differences
from .shown import PAGE_ORIGIN, not_shown
from .sides import SIDES, Sides


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


# An unpaired comment: (B's thread, index, key, author name, UTC date).
_Left = tuple[int, int, str, Any, Any]


def _ranked(comments: list[_Left], by_author: bool) -> dict[Any, _Left]:
    """Each comment by (author name, or its date, and its rank among the
    comments sharing that, in date order)."""
    ranked: dict[Any, _Left] = {}
    seen: Counter[str] = Counter()
    for comment in sorted(comments, key=lambda c: (c[4] or "", c[2])):
        name = ((comment[3] if by_author else comment[4]) or "").strip()
        ranked[(name, seen[name])] = comment
        seen[name] += 1
    return ranked


def _pair_in_thread(mine: list[_Left], candidates: list[_Left]) -> Iterator[tuple[int, int]]:
    """Pair one thread's comments no token paired: by the same id, then by
    author, then by date (see the module)."""
    by_key = {c[2].strip(): c for c in candidates}
    used: set[int] = set()
    rest = []
    for comment in mine:
        other = by_key.pop(comment[2].strip(), None)
        if other is None:
            rest.append(comment)
        else:
            used.add(other[1])
            yield comment[1], other[1]
    for by_author in (True, False):
        ranked_b = _ranked([c for c in candidates if c[1] not in used], by_author)
        paired = set()
        for rank, comment in _ranked(rest, by_author).items():
            other = ranked_b.get(rank)
            if other is not None:
                used.add(other[1])
                paired.add(comment[1])
                yield comment[1], other[1]
        rest = [c for c in rest if c[1] not in paired]


def _pair_in_threads(sides: Sides, pairs: Any, taken: bytearray) -> None:
    """Pair, within paired threads, the comments no token paired."""
    mine = sides.unpaired("a", (i for i, b in enumerate(pairs) if b < 0))
    theirs = groupby(sides.unpaired("b", (i for i, t in enumerate(taken) if not t)),
                     key=lambda c: c[0])
    group: tuple[int, list[_Left]] = (-1, [])
    found: list[tuple[int, int]] = []
    for thread, comments in groupby(mine, key=lambda c: c[0]):
        while group[0] < thread:
            following = next(theirs, None)
            if following is None:
                group = (1 << 62, [])
                break
            group = (following[0], list(following[1]))
        if group[0] == thread:
            found.extend(_pair_in_thread(list(comments), group[1]))
    for i, b in found:
        pairs[i] = b
        taken[b] = 1


_STATUS = 13 + FIELDS.index("status")


def _compare(row: tuple[Any, ...], thread_pairs: Any, page_in_b: bool,
             diffs: list[Difference]) -> None:
    """The differences of one A comment (one row of Sides.pairs_of_comments)."""
    (key, origin, thread_idx, thread_key, parent_key, parent_idx, parent_pair,
     b_idx, b_origin, b_thread_idx, b_thread_key, b_parent_key, b_parent_idx) = row[:13]
    if b_idx is None:
        if not not_shown(origin, row[_STATUS], page_in_b):
            diffs.append(Difference("missing", "comment", key))
        return
    if thread_pairs[thread_idx] != b_thread_idx:
        diffs.append(Difference("changed", "comment", key, "thread", thread_key, b_thread_key))
    if parent_idx is None and parent_key is not None:
        # A parent A does not have either: B should keep the same dangling id.
        if b_parent_idx is not None or b_parent_key is None:
            diffs.append(Difference("changed", "comment", key, "parent", parent_key,
                                    b_parent_key))
    elif (parent_pair if parent_idx is not None else None) != b_parent_idx:
        diffs.append(Difference("changed", "comment", key, "parent",
                                parent_key if parent_idx is not None else None, b_parent_key))
    count = len(FIELDS)
    for name, mine, theirs in zip(FIELDS, row[13:13 + count], row[13 + count:],
                                  strict=True):
        if compared(name, origin, b_origin):
            for what, a, b in field_differences(name, mine, theirs, origin, b_origin):
                diffs.append(Difference("changed", "comment", key, what, a, b))


def _unpaired(flags: Iterable[bool]) -> list[int]:
    return [i for i, flag in enumerate(flags) if flag]


@dataclass
class SideSource:
    """How one side is read: ``stored`` gives its records as a store holds
    them; ``direct``, when not None, straight from the file's reader, which
    raises :class:`NeedsStoreError` when the file needs the store after all."""

    stored: Callable[[], AbstractContextManager[Iterable[Record]]]
    direct: Callable[[], Iterable[Record]] | None = None


def verify_records(a: Iterable[Record], b: Iterable[Record]) -> VerifyReport:
    """Compare two record streams; see the module's docstring."""
    return verify_sources(SideSource(lambda: nullcontext(a)), SideSource(lambda: nullcontext(b)))


def verify_sources(a: SideSource, b: SideSource) -> VerifyReport:
    """Compare two sides, each read straight from its file where it can
    be, else through a store; see the module's docstring."""
    with tempfile.TemporaryDirectory(prefix="wxrbridge-verify-") as folder:
        sides = Sides(folder)
        try:
            for side, source in zip(SIDES, (a, b), strict=True):
                _load(sides, side, source)
            return _verify(sides)
        finally:
            sides.close()


def _load(sides: Sides, side: str, source: SideSource) -> None:
    """Load one side, one after the other, so that only one is being read
    at a time."""
    if source.direct is not None:
        try:
            sides.load(side, source.direct(), checked=True)
            return
        except NeedsStoreError:
            sides.reset(side)
    with source.stored() as records:
        sides.load(side, records)


def _verify(sides: Sides) -> VerifyReport:
    report = VerifyReport(threads=(sides.threads["a"], sides.threads["b"]),
                          comments=(sides.comments["a"], sides.comments["b"]))
    diffs = report.differences

    thread_pairs, threads_taken = sides.match("thread")
    for key in sides.keys("a_thread", _unpaired(p < 0 for p in thread_pairs)):
        diffs.append(Difference("missing", "thread", key))
    for key in sides.keys("b_thread", _unpaired(not t for t in threads_taken)):
        diffs.append(Difference("extra", "thread", key))
    sides.pair_threads(thread_pairs)

    pairs, taken = sides.match("comment")
    if min(pairs, default=0) < 0 and not all(taken):
        _pair_in_threads(sides, pairs, taken)
    page_in = {side: PAGE_ORIGIN in sides.origins[side] for side in sides.origins}
    for row in sides.pairs_of_comments(pairs):
        _compare(row, thread_pairs, page_in["b"], diffs)
    for key, origin, status in sides.rows("b_comment", _unpaired(not t for t in taken),
                                          "key, origin, f_status"):
        if not not_shown(origin, status, page_in["a"]):
            diffs.append(Difference("extra", "comment", key))
    return report
