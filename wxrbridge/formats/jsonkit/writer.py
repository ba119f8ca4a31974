"""The part of the Remark42 and Commento writers that is the same: records
taken thread by thread, comments a format cannot hold left out by status
or type, each reply placed under a written parent, and the losses counted
into the report's lines."""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterable
from typing import IO, Any

from ...canonical import comment_status, comment_type, parse_utc
from ...records import Comment, ImportIssue, Record, Source, Term, Thread, User
from .. import WriteReport
from ..wxr.plan import ORIGINAL_ID_KEY, ORIGINAL_PARENT_KEY
from . import Placed, count_line, kept, place_thread

# The meta the WXR writer adds when it renumbers comments: the ids it kept.
WXR_WRITERS_KEYS = frozenset({ORIGINAL_ID_KEY, ORIGINAL_PARENT_KEY})
ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time


def in_order(values: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """``values`` in Go's field order, keys Go does not know after them."""
    data = {key: values[key] for key in order if key in values}
    data.update((k, v) for k, v in values.items() if k not in data)
    return data


def gzipped(out: IO[bytes], path: str | None) -> tuple[IO[bytes], bool]:
    """The stream to write to: gzip when the target's name ends in ``.gz``."""
    if path is not None and path.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=out, mode="wb", mtime=0), True  # type: ignore[return-value]
    return out, False


def utc_rfc3339(raw: str | None) -> str | None:
    """A stored UTC date in RFC 3339 as Go writes it (``2024-01-02T03:04:05Z``,
    ``…05.5Z``), or None."""
    try:
        parsed = parse_utc(raw)
    except ValueError:
        return None
    if parsed is None:
        return None
    text = parsed.isoformat(timespec="microseconds" if parsed.microsecond else "seconds")
    # Go's RFC3339Nano drops the fraction's trailing zeros.
    return (text.rstrip("0") if parsed.microsecond else text) + "Z"


class BackupWriter:
    """Takes records in store order and hands each thread's written
    comments, placed, to :meth:`thread_done`.

    ``format`` names the target in the report's lines; ``statuses`` are
    the canonical statuses it holds, each mapped to its own value.
    """

    format = ""
    origin = ""
    prefix = ""
    statuses: dict[str, str] = {}

    def __init__(self) -> None:
        self.report = WriteReport()
        self.thread: Thread | None = None
        self.comments: list[Comment] = []
        self.sources: list[Source] = []
        self.lost: dict[str, Counter[str]] = {}
        self.ids: set[str] = set()
        self.written_ids: dict[str, str] = {}  # a comment's key -> its written id

    # -- what subclasses give ----------------------------------------------

    def user(self, user: User) -> None:
        self.lose("users", user.origin)

    def thread_done(self, thread: Thread, placed: list[Placed]) -> None:
        raise NotImplementedError

    def keeps_dangling(self, item: Placed) -> bool:
        """Whether a reply to a comment in no thread is written as it was."""
        return False

    # -- the stream ---------------------------------------------------------

    def comment_id(self, c: Comment) -> str:
        """The id to write: the comment's own, or the one a WXR file kept for
        it; one already written gets a suffix."""
        original = next((v for k, v in c.meta if k == ORIGINAL_ID_KEY and v), None)
        key = original if c.origin != self.origin and original else c.key
        if key in self.ids:
            key = f"{key}~{len(self.ids)}"
            self.report.notes.append(f"comment {c.key}: its id is taken; written as {key}")
        self.ids.add(key)
        self.written_ids[c.key] = key
        return key

    def parent_id(self, item: Placed) -> str | None:
        """The written id of the comment's written parent."""
        return None if item.parent is None else self.written_ids[item.parent]

    def kept_values(self, c: Comment) -> dict[str, Any]:
        """The format's keys kept in the comment's meta; the other meta is
        counted as left out."""
        values, foreign = kept(self.prefix, c.meta)
        for key in foreign:
            if key not in WXR_WRITERS_KEYS:
                self.lose("comment meta keys", key)
        return values

    def utc_time(self, c: Comment) -> str:
        """The comment's UTC date in RFC 3339; Go's zero time, noted, when
        it has none."""
        text = utc_rfc3339(c.created_at)
        if text is None:
            self.report.notes.append(f"comment {c.key}: no UTC date; written as {ZERO_TIME}")
            return ZERO_TIME
        return text

    def lose(self, what: str, key: str) -> None:
        """Count one thing of kind ``what`` (by ``key``) not written."""
        self.lost.setdefault(what, Counter())[key] += 1

    def run(self, records: Iterable[Record]) -> None:
        for record in records:
            if isinstance(record, Comment):
                if self.thread is None or record.thread != self.thread.key:
                    self.report.left_out.append(
                        f"comment {record.key}: its thread {record.thread} does not precede it")
                else:
                    self.comments.append(record)
            elif isinstance(record, Thread):
                self._flush()
                self.thread = record
            elif isinstance(record, User):
                self.user(record)
            elif isinstance(record, Term):
                self.lose(f"categories, tags and terms ({self.format} has none)", record.kind)
            elif isinstance(record, Source):
                self.sources.append(record)
            elif not isinstance(record, ImportIssue):  # pragma: no cover
                raise TypeError(type(record))
        self._flush()

    def refusal(self, comment: Comment) -> str | None:
        kind = comment_type(comment)
        if kind != "comment":
            return f"a {kind} has no place in {self.format}"
        status = comment_status(comment)
        if status not in self.statuses:
            return f"{self.format} has no {status} comments"
        return None

    def _flush(self) -> None:
        thread, comments = self.thread, self.comments
        if thread is None:
            return
        refused: set[int] = set()  # by id(): a key may be given twice
        for comment in comments:
            reason = self.refusal(comment)
            if reason is not None:
                refused.add(id(comment))
                self.report.left_out.append(f"comment {comment.key}: {reason}")
        placed = place_thread(comments, lambda c: id(c) not in refused)
        for item in placed:
            if item.moved is not None and not self.keeps_dangling(item):
                self.report.notes.append(f"comment {item.comment.key}: {item.moved}")
        self.thread_done(thread, placed)
        self.thread, self.comments = None, []

    def summarise(self) -> None:
        """The counted losses, one line each."""
        for what, counts in self.lost.items():
            self.report.left_out.append(count_line(counts, what))
