"""Writing the file Disqus's importer takes.

Disqus fails a whole import over one bad comment, so what is sent is chosen
before the WXR writer sees it, and everything not sent is reported:

* only approved comments of type comment, as the Disqus WordPress plugin
  sends them; ``statuses`` adds further canonical statuses (sent with
  ``comment_approved`` 0, so Disqus holds them for moderation) and
  ``include_pings`` adds pingbacks, trackbacks and other types;
* comments under three characters are left out, since Disqus rejects them;
* a reply whose parent is not sent goes under its nearest sent ancestor, or
  to the top level, since a ``comment_parent`` missing from the file fails
  the import;
* a thread with nothing to send is left out, and so is one without an
  absolute link, which is how Disqus files a thread;
* one email used under several author names is reported, since Disqus
  shows all of that email's comments under one name.

Files over ``max_bytes`` (Disqus takes up to 50 MB) are cut between items:
given ``split_path`` (the path the output will have), the first part goes
to ``out`` and the others beside it as ``NAME-2.xml``, ``NAME-3.xml``, ...,
each a complete WXR document with the same channel header.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from ...canonical import APPROVED, comment_status, comment_type, parent_of
from ...outputs import SPOOL_IN_MEMORY, complete_file, copy_range
from ...records import Comment, Record, Source, Thread
from ...threads import parent_index
from .. import WriteReport
from ..tally import Tally
from ..wxr.writer import write_wxr

# Every field of a Comment in order, read in one call: a copy with a few
# fields changed costs a third of what dataclasses.replace does, which
# matters for the one record there are hundreds of thousands of.
_COMMENT_VALUES = attrgetter(*(f.name for f in fields(Comment)))


def _with_changes(comment: Comment, changes: dict[str, Any]) -> Comment:
    """A copy of ``comment`` with ``changes``, as dataclasses.replace makes it."""
    copy = Comment(*_COMMENT_VALUES(comment))
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy

MAX_BYTES = 50 * 1000 * 1000
MIN_LENGTH = 3
# Extensions a part number goes in front of, longest first.
_PART_SUFFIXES = (".disqus-import.xml", ".xml")


def write_disqus_import(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    statuses: Sequence[str] = (),
    include_pings: bool = False,
    max_bytes: int | None = None,
    split_path: str | os.PathLike[str] | None = None,
) -> WriteReport:
    """Write ``records`` as a Disqus import file (or several, see above).

    ``statuses`` names canonical statuses sent besides approved;
    ``max_bytes`` defaults to 50,000,000.  Comment ids are kept wherever
    they are unique numbers (Disqus remembers each as ``wp_id=N``, which is
    how a later Disqus export finds its way back to the WordPress comment)
    and every item's comments are written parents first.
    """
    if isinstance(statuses, str):
        statuses = (statuses,)
    sender = _Sender(statuses=statuses, include_pings=include_pings)
    path = os.fspath(split_path) if split_path is not None else None
    offsets: list[int] = []
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        written = write_wxr(sender.run(records), spool, dsq_namespace=True, every_field=True,
                            keep_ids=True, parents_first=True, item_offsets=offsets)
        size = spool.tell()
        report = WriteReport(
            written=written.written,
            left_out=[*sender.left_out.lines(), *written.left_out],
            notes=[*sender.notes(), *written.notes],
        )
        _Splitter(spool, size, offsets, max_bytes or MAX_BYTES, report).write(
            out, None if path == "-" else path
        )
    return report


# -- what is sent --------------------------------------------------------------


def _absolute(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class _Sender:
    """Chooses what goes to Disqus, record by record, and says why about
    everything that does not."""

    def __init__(self, *, statuses: Sequence[str], include_pings: bool) -> None:
        self.statuses = {APPROVED, *statuses}
        self.include_pings = include_pings
        self.left_out = Tally()
        self.moved = Tally()
        self.links: list[str] = []
        self.held: Counter[str] = Counter()
        self.source: Source | None = None
        # email -> the author names it was sent with, in order met.
        self.emails: dict[str, dict[str, None]] = {}

    def run(self, records: Iterable[Record]) -> Iterator[Record]:
        thread: Thread | None = None
        comments: list[Comment] = []
        for record in records:
            if isinstance(record, Comment):
                if thread is not None and record.thread == thread.key:
                    comments.append(record)
                else:
                    # Out of place: the WXR writer reports it as left out.
                    yield record
                continue
            if thread is not None:
                yield from self._thread(thread, comments)
                thread, comments = None, []
            if isinstance(record, Thread):
                thread = record
                continue
            if isinstance(record, Source) and self.source is None:
                self.source = record
            yield record
        if thread is not None:
            yield from self._thread(thread, comments)

    def _reason(self, comment: Comment) -> str | None:
        """Why a comment is not sent, or ``None`` when it is."""
        kind = comment_type(comment)
        if kind != "comment" and not self.include_pings:
            return f"a {kind} is not sent to Disqus (include_pings sends it)"
        status = comment_status(comment)
        if status not in self.statuses:
            return f"{status} comments are not sent (the statuses option adds them)"
        if len((comment.content or "").strip()) < MIN_LENGTH:
            return f"shorter than {MIN_LENGTH} characters, which Disqus rejects"
        return None

    def _link(self, thread: Thread) -> str | None:
        """An absolute URL for the thread: its link, its link resolved
        against the site's address, or its guid."""
        link = thread.link
        if link and _absolute(link):
            return link
        source = self.source
        bases = (source.base_blog_url, source.base_site_url, source.link) if source else ()
        if link and link.strip():
            for base in bases:
                if base and _absolute(base):
                    joined = urljoin(base.strip().rstrip("/") + "/", link.strip())
                    self.links.append(f"thread {thread.key}: link {link!r} is not absolute;"
                                      f" sent as {joined}")
                    return joined
        guid = thread.guid
        if guid and _absolute(guid):
            self.links.append(f"thread {thread.key}: no absolute link; sent with its guid {guid}")
            return guid.strip()
        return None

    def _thread(self, thread: Thread, comments: list[Comment]) -> Iterator[Record]:
        reasons = [self._reason(c) for c in comments]
        if all(reason is not None for reason in reasons):
            for comment, reason in zip(comments, reasons, strict=True):
                self.left_out.add("comment", comment.key, reason or "")
            self.left_out.add("thread", thread.key, "no comments to send")
            return
        link = self._link(thread)
        if link is None:
            reason = "its thread has no absolute link, which Disqus files a thread under"
            for comment in comments:
                self.left_out.add("comment", comment.key, reason)
            self.left_out.add("thread", thread.key, "no absolute link (link or guid)")
            return
        for comment, reason in zip(comments, reasons, strict=True):
            if reason is not None:
                self.left_out.add("comment", comment.key, reason)
        yield thread if link == thread.link else replace(thread, link=link)

        parents = parent_index((c.key for c in comments), map(parent_of, comments))
        for position, comment in enumerate(comments):
            if reasons[position] is None:
                yield self._sent(comment, position, comments, parents, reasons)

    def _sent(
        self,
        comment: Comment,
        position: int,
        comments: list[Comment],
        parents: list[int | None],
        reasons: list[str | None],
    ) -> Comment:
        """The comment as sent: status as Disqus reads it, parent in the file."""
        changes: dict[str, Any] = {}
        status = comment_status(comment)
        approved = status == APPROVED
        if not approved:
            self.held[status] += 1
        if comment.origin == "wxr":
            changes["wp_approved"] = "1" if approved else "0"
        elif not approved:
            changes.update(dsq_is_spam="false", dsq_is_deleted="false", dsq_is_approved="false")

        parent = parents[position]
        referenced = parent_of(comment) is not None
        ancestor = self._nearest_sent(position, parents, reasons)
        if ancestor != parent or (parent is None and referenced):
            top = "0" if comment.origin == "wxr" else None
            if ancestor is None:
                changes.update(parent_key=None, parent=top)
            else:
                changes.update(parent_key=comments[ancestor].key, parent=comments[ancestor].key)
            where = ("as a top-level comment" if ancestor is None
                     else f"under comment {comments[ancestor].key}")
            if parent is None:
                reference = comment.parent_key or comment.parent
                self.moved.add("comment", comment.key,
                               "its parent is not in the data; sent as a top-level comment",
                               f"its parent {reference} is not in the data; sent {where}")
            else:
                self.moved.add("comment", comment.key,
                               "its parent is not sent; sent under the nearest sent ancestor"
                               " or as a top-level comment",
                               f"its parent {comments[parent].key} is not sent; sent {where}")

        email = (comment.author_email or "").strip().lower()
        if email:
            self.emails.setdefault(email, {})[(comment.author_name or "").strip()] = None
        return _with_changes(comment, changes) if changes else comment

    @staticmethod
    def _nearest_sent(
        position: int, parents: list[int | None], reasons: list[str | None]
    ) -> int | None:
        seen = {position}
        parent = parents[position]
        while parent is not None:
            if parent in seen:
                return None  # a loop of replies not sent: nothing above to hang on
            if reasons[parent] is None:
                return parent
            seen.add(parent)
            parent = parents[parent]
        return None

    def notes(self) -> list[str]:
        notes = [*self.links, *self.moved.lines()]
        for status, count in sorted(self.held.items()):
            comments = "comment" if count == 1 else "comments"
            notes.append(f"{count} {status} {comments} sent with comment_approved 0"
                         " (Disqus holds them for moderation)")
        shared = Tally()
        for email, names in self.emails.items():
            if len(names) > 1:
                listed = ", ".join(repr(name) for name in names)
                shared.add("email", email,
                           "used under several author names; Disqus shows all its"
                           " comments under one of them",
                           f"used under {len(names)} author names ({listed}); Disqus shows"
                           " all its comments under one of them")
        notes.extend(shared.lines())
        return notes


# -- files under the size limit ---------------------------------------------------


def part_path(path: str, number: int) -> str:
    """The path of part ``number`` (from 2) of an output named ``path``:
    ``site.xml`` -> ``site-2.xml``, ``site.disqus-import.xml`` ->
    ``site-2.disqus-import.xml``."""
    folder, name = os.path.split(path)
    lowered = name.lower()
    stem, suffix = name, ""
    for candidate in _PART_SUFFIXES:
        if lowered.endswith(candidate) and len(name) > len(candidate):
            stem, suffix = name[: -len(candidate)], name[-len(candidate):]
            break
    return os.path.join(folder, f"{stem}-{number}{suffix}")


@dataclass
class _Splitter:
    """Cuts the written document between items into parts that each hold
    the channel header, whole items and the closing tags."""

    spool: IO[bytes]
    size: int
    offsets: list[int]
    max_bytes: int
    report: WriteReport

    def _parts(self) -> list[tuple[int, int]]:
        """Ranges of item numbers, as many items to a part as fit."""
        offsets = self.offsets
        frame = offsets[0] + (self.size - offsets[-1])
        parts: list[tuple[int, int]] = []
        first, used = 0, frame
        for item in range(len(offsets) - 1):
            length = offsets[item + 1] - offsets[item]
            if item > first and used + length > self.max_bytes:
                parts.append((first, item))
                first, used = item, frame
            used += length
        parts.append((first, len(offsets) - 1))
        return parts

    def _write_part(self, out: IO[bytes], first: int, last: int) -> int:
        offsets = self.offsets
        copy_range(self.spool, out, 0, offsets[0])
        copy_range(self.spool, out, offsets[first], offsets[last])
        copy_range(self.spool, out, offsets[-1], self.size)
        return offsets[0] + offsets[last] - offsets[first] + self.size - offsets[-1]

    def write(self, out: IO[bytes], split_path: str | None) -> None:
        report = self.report
        parts = self._parts()
        if len(parts) == 1 or split_path is None:
            copy_range(self.spool, out, 0, self.size)
            if self.size > self.max_bytes:
                where = ("one thread's comments cannot be split across files" if split_path
                         else "write it to a named file to have it split")
                report.notes.append(
                    f"the file is {self.size:,} bytes, over the {self.max_bytes:,}-byte"
                    f" limit Disqus's importer takes; {where}"
                )
            return
        names = [split_path] + [part_path(split_path, n) for n in range(2, len(parts) + 1)]
        for number, ((first, last), name) in enumerate(zip(parts, names, strict=True)):
            if number == 0:
                size = self._write_part(out, first, last)
            else:
                size = self._write_sibling(name, first, last)
            if size > self.max_bytes:
                report.notes.append(
                    f"{name}: {size:,} bytes, over the {self.max_bytes:,}-byte limit;"
                    " one thread's comments cannot be split across files"
                )
        report.written["file"] = len(parts)
        listed = ", ".join(
            f"{os.path.basename(name)} ({last - first} thread{'' if last - first == 1 else 's'})"
            for (first, last), name in zip(parts, names, strict=True)
        )
        report.notes.append(
            f"split into {len(parts)} files of at most {self.max_bytes:,} bytes,"
            f" whole threads each; upload every one: {listed}"
        )
        stale = part_path(split_path, len(parts) + 1)
        if os.path.exists(stale):
            report.notes.append(
                f"{stale} is from an earlier export, not this one; do not upload it"
            )

    def _write_sibling(self, path: str, first: int, last: int) -> int:
        # Like the main output, a part appears only when complete.
        with complete_file(path) as handle:
            return self._write_part(handle, first, last)
