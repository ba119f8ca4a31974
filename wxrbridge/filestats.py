"""``stats FILE`` counted as the file is read, with no store.

A WordPress export of the usual shape (one document, every comment under
the item before it, keys unique, no cycle of parent links) stores as it
reads: each thread and comment becomes one row, a reply is linked to the
comment its reference names in the same item, and nothing is merged,
renamed or recorded as changed.  Its counts can therefore be taken from the
records themselves, as the store would give them, at a fraction of the cost
of storing the file.  Anything else raises
:class:`~wxrbridge.errors.NeedsStoreError`, and the caller loads the file
into a scratch store and asks that (see :func:`wxrbridge.api.file_stats`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .canonical import wp_status, wp_type
from .errors import NeedsStoreError
from .records import Comment, CommentChange, ImportIssue, Record, Source, Thread
from .threads import find_cycles, max_depth


class _Counts:
    """The running counts; one thread's comments are linked when it ends."""

    def __init__(self) -> None:
        self.sources = 0
        self.threads: set[str] = set()
        self.keys: set[str] = set()
        self.types: Counter[str | None] = Counter()
        self.approved: Counter[str | None] = Counter()
        self.replies = 0
        # Comments are numbered in file order; linked replies' parents.
        self.parent_of: dict[int, int] = {}
        self.unlinked: list[str] = []  # references no comment of their item has
        self.thread: str | None = None
        self.local: dict[str, int] = {}  # the open item's comments by key
        self.references: list[tuple[int, str]] = []
        self.count = 0

    def end_thread(self) -> None:
        local = self.local
        for index, reference in self.references:
            parent = local.get(reference)
            if parent is None:
                self.unlinked.append(reference)
            else:
                self.parent_of[index] = parent
        self.local, self.references = {}, []

    def comment(self, record: Comment) -> None:
        key = record.key
        if record.origin != "wxr" or record.thread != self.thread or key in self.keys:
            raise NeedsStoreError
        self.keys.add(key)
        index = self.count
        self.count = index + 1
        self.local[key] = index
        self.types[record.wp_type] += 1
        self.approved[record.wp_approved] += 1
        raw = record.parent
        if raw is not None:
            reference = raw.strip()
            if reference not in ("", "0"):  # canonical.parent_reference for WXR
                self.replies += 1
                self.references.append((index, reference))

    def result(self) -> dict[str, Any]:
        self.end_thread()
        if find_cycles(self.parent_of):
            raise NeedsStoreError  # which link the store cuts is its own business
        return {
            "threads": len(self.threads),
            "comments": self.count,
            "by_type": _canonical(self.types, wp_type),
            "by_status": _canonical(self.approved, wp_status),
            "replies": self.replies,
            "orphans": sum(1 for reference in self.unlinked if reference not in self.keys),
            "max_depth": max_depth(self.parent_of),
            "changed": 0,
            "deleted": 0,
        }


def _canonical(raw: Counter[str | None], canonical: Any) -> dict[str, int]:
    """Counts of raw values as counts of their canonical values, in the
    order the store's GROUP BY gives them (by value)."""
    merged: Counter[str] = Counter()
    for value, n in raw.items():
        merged[canonical(value)] += n
    return dict(sorted(merged.items()))


def count_records(records: Iterable[Record]) -> dict[str, Any]:
    """What :func:`wxrbridge.store.stats.store_stats` gives for a fresh
    store holding ``records``, a WordPress export's; :class:`~wxrbridge.errors.NeedsStoreError` when
    they are not of the shape that stores as it reads."""
    counts = _Counts()
    comment = counts.comment
    for record in records:
        if type(record) is Comment:
            comment(record)
        elif isinstance(record, Thread):
            if record.origin != "wxr" or record.key in counts.threads:
                raise NeedsStoreError
            counts.end_thread()
            counts.threads.add(record.key)
            counts.thread = record.key
        elif isinstance(record, Source):
            counts.sources += 1
            if counts.sources > 1 or record.origin != "wxr":
                raise NeedsStoreError
        elif isinstance(record, (Comment, CommentChange)):
            raise NeedsStoreError
        elif counts.sources == 0 and not isinstance(record, ImportIssue):
            raise NeedsStoreError  # the store refuses records before their source
    if counts.sources == 0:
        raise NeedsStoreError
    return counts.result()
