"""Writing records into an Isso database.

A new file is written beside the target and renamed into place when
complete; an existing Isso database is merged into in one transaction, the
threads written replacing theirs (same uri) and the others left as they
are.  What Isso cannot hold is named in the report: comment types, spam and
removed comments as such, local dates, accounts, terms and post content.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ... import canonical
from ...errors import OutputError, WriteError
from ...outputs import complete_path
from ...records import Comment, Record, Source, Term, Thread, User
from .. import WriteReport
from . import schema, values
from .reader import ORIGIN

_PINGS = frozenset({"pingback", "trackback"})
_ISSO_META = frozenset({
    values.META_MODIFIED, values.META_LIKES, values.META_DISLIKES, values.META_VOTERS,
    values.META_NOTIFICATION, values.META_CREATED, values.META_MODE,
})


def thread_uri(thread: Thread) -> str | None:
    """The path Isso keys a thread by: an Isso thread's own uri, else the
    path and query of its link (or guid), as Isso's importer takes it."""
    if thread.origin == ORIGIN:
        return thread.link
    for url in (thread.link, thread.guid):
        if url and url.strip():
            parts = urlsplit(url.strip())
            return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return None


def _integer(text: str | None) -> int | None:
    value = (text or "").strip()
    if value.isascii() and value.isdigit() and 0 < int(value) < 2**63:
        return int(value)
    return None


_TEXT_COLUMNS = ("remote_addr", "text", "author", "email", "website")
# A tag in a comment's text.
_HTML = re.compile(r"</?[A-Za-z][^<>]*>")


def _utf8(value: str) -> str | None:
    """``value`` with its lone surrogates (which SQLite's UTF-8 cannot
    hold) as U+FFFD, or None when it has none."""
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)
    return None


def _first_meta(comment: Comment) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for key, value in comment.meta:
        found.setdefault(key, value)
    return found


class _Writer:
    def __init__(self, con: sqlite3.Connection, *, merging: bool, include_pings: bool) -> None:
        self.con = con
        self.merging = merging
        self.include_pings = include_pings
        self.report = WriteReport()
        self.columns = set(schema.comment_columns(con) or schema.COMMENT_COLUMNS)
        self.tid_by_uri: dict[str, int] = dict(
            (uri, tid) for tid, uri in con.execute("SELECT id, uri FROM threads")
        )
        self.existing = set(self.tid_by_uri) if merging else set()
        self.used_ids = {row[0] for row in con.execute("SELECT id FROM comments")}
        self.used_tids = set(self.tid_by_uri.values())
        self.tid_by_key: dict[str, int] = {}
        self.id_by_key: dict[tuple[str, str], int] = {}
        self.depth: dict[int, int] = {}
        self.comments: list[Comment] = []
        self.lost: Counter[str] = Counter()

    def left_out(self, line: str) -> None:
        self.report.left_out.append(line)

    def run(self, records: Iterable[Record]) -> WriteReport:
        for record in records:
            if isinstance(record, Comment):
                self.comments.append(record)
            elif isinstance(record, Thread):
                self.flush()
                self.add_thread(record)
            elif isinstance(record, User):
                self.lost["users"] += 1
            elif isinstance(record, Term):
                self.lost["terms"] += 1
            elif isinstance(record, Source):
                continue
        self.flush()
        self.summarise()
        return self.report

    def add_thread(self, thread: Thread) -> None:
        uri = thread_uri(thread)
        if uri is None:
            uri = f"/{thread.key.strip()}"
            self.report.notes.append(f"thread {thread.key}: no link; written at {uri!r}")
        if thread.origin != ORIGIN and (thread.content or "").strip():
            self.lost["post contents"] += 1
        title = thread.title
        for what in ("uri", "title"):
            value = uri if what == "uri" else title
            fixed = _utf8(value) if value is not None else None
            if fixed is not None:
                self.report.notes.append(f"thread {thread.key}: lone surrogates in its {what} "
                                         "written as U+FFFD")
                uri, title = (fixed, title) if what == "uri" else (uri, fixed)
        tid = self.tid_by_uri.get(uri)
        if tid is not None and uri in self.existing:
            self.existing.discard(uri)
            gone = self.con.execute("SELECT id FROM comments WHERE tid=?", (tid,)).fetchall()
            # Isso's trigger removes every thread left without comments: the
            # ones without comments before are put back, this one too.
            empty = self.con.execute(
                "SELECT id, uri, title FROM threads WHERE id NOT IN (SELECT tid FROM comments)"
            ).fetchall()
            self.con.execute("DELETE FROM comments WHERE tid=?", (tid,))
            self.con.executemany("INSERT OR IGNORE INTO threads (id, uri, title) VALUES (?, ?, ?)",
                                 [*empty, (tid, uri, title)])
            self.con.execute("UPDATE threads SET title=? WHERE id=?", (title, tid))
            self.used_ids.difference_update(row[0] for row in gone)
            self.report.notes.append(
                f"thread {thread.key}: {uri!r} was in the database; its {len(gone)} "
                "comments there are replaced"
            )
        elif tid is not None:
            self.report.notes.append(
                f"thread {thread.key}: same path {uri!r} as a thread written before; "
                "its comments join that one"
            )
        else:
            wanted = _integer(thread.key) if thread.origin == ORIGIN else None
            keep = wanted if wanted is not None and wanted not in self.used_tids else None
            cursor = self.con.execute(
                "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)", (keep, uri, title)
            )
            tid = int(cursor.lastrowid or 0)
            self.used_tids.add(tid)
            self.tid_by_uri[uri] = tid
            self.report.written["thread"] += 1
        self.tid_by_key[thread.key] = tid

    def kept(self, comments: list[Comment]) -> list[tuple[Comment, bool]]:
        """The comments to write, each with whether it is a placeholder (a
        removed comment kept, emptied, for the replies under it)."""
        answered: set[str] = set()
        chosen: list[tuple[Comment, bool]] = []
        # Found last to first (a reply before the comment it answers), said
        # in the order of the export.
        said: list[tuple[bool, str]] = []
        for comment in reversed(comments):
            kind = canonical.comment_type(comment)
            status = canonical.comment_status(comment)
            if kind != "comment" and comment.origin != ORIGIN:
                if kind in _PINGS and not self.include_pings:
                    said.append((True, f"comment {comment.key}: a {kind}, which Isso has no "
                                 "place for (include_pings=True writes it as a comment)"))
                    continue
                said.append((False, f"comment {comment.key}: a {kind}, written as a plain "
                             "comment"))
            placeholder = status in values.REMOVED and comment.origin != ORIGIN
            if placeholder and comment.key not in answered:
                said.append((True, f"comment {comment.key}: {status}, which Isso cannot hold"))
                continue
            if placeholder:
                said.append((True, f"comment {comment.key}: {status}, which Isso cannot hold; "
                             "written as a deleted comment (mode 4, no text) for its replies"))
            parent = canonical.parent_of(comment)
            if parent is not None:
                answered.add(parent)
            chosen.append((comment, placeholder))
        chosen.reverse()
        for lost, line in reversed(said):
            (self.report.left_out if lost else self.report.notes).append(line)
        return chosen

    def flush(self) -> None:
        """Write the comments gathered since the last thread, each under
        its own thread (the store sends a thread's comments after it)."""
        by_thread: dict[str, list[Comment]] = {}
        for comment in self.comments:
            by_thread.setdefault(comment.thread, []).append(comment)
        self.comments = []
        for key, comments in by_thread.items():
            tid = self.tid_by_key.get(key)
            if tid is None:
                self.report.left_out.extend(
                    f"comment {c.key}: its thread {key} is not in the export" for c in comments
                )
                continue
            for comment, placeholder in self.kept(comments):
                self.add_comment(comment, tid, placeholder)

    def parent_id(self, comment: Comment) -> int | None:
        if comment.parent_key is not None:
            found = self.id_by_key.get((comment.thread, comment.parent_key))
            if found is not None:
                return found
        reference = canonical.parent_reference(comment)
        if reference is not None:
            self.left_out(f"comment {comment.key}: its parent {reference} is not linked "
                          "(missing, in another thread, or cut from a cycle); written at "
                          "top level")
        return None

    def created(self, comment: Comment, meta: dict[str, str | None]) -> float:
        exact = meta.get(values.META_CREATED)
        if comment.origin == ORIGIN and exact is not None:
            return float(exact)
        when = values.utc_epoch(comment.created_at)
        if when is not None:
            if comment.created_at_local is not None and comment.origin != ORIGIN:
                self.lost["local dates"] += 1
            return when
        when = values.utc_epoch(comment.created_at_local)
        if when is not None:
            self.report.notes.append(f"comment {comment.key}: no UTC date; its local date "
                                     "is written as UTC")
            return when
        self.left_out(f"comment {comment.key}: no date Isso can read; written as 1970-01-01")
        return 0.0

    def mode(self, comment: Comment, meta: dict[str, str | None]) -> int:
        raw = meta.get(values.META_MODE)
        if comment.origin == ORIGIN and raw is not None and raw.lstrip("-").isdigit():
            return int(raw)
        status = canonical.comment_status(comment)
        if status in values.REMOVED:
            return schema.MODE_DELETED
        mode = values.MODE_OF_STATUS.get(status)
        if mode is None:
            self.report.notes.append(f"comment {comment.key}: status {status!r} written "
                                     "as pending")
            return schema.MODE_PENDING
        return mode

    def add_comment(self, comment: Comment, tid: int, placeholder: bool) -> None:
        meta = _first_meta(comment)
        isso = comment.origin == ORIGIN
        if not isso:
            self.lost["comment meta"] += sum(1 for key, _ in comment.meta if key not in _ISSO_META)
        parent = self.parent_id(comment)
        wanted = _integer(comment.key) if isso or comment.origin == "wxr" else None
        if wanted is None and comment.origin == "disqus":
            wanted = _integer(comment.dsq_id)
        row: dict[str, Any] = {
            "tid": tid,
            "id": wanted if wanted is not None and wanted not in self.used_ids else None,
            "parent": parent,
            "created": self.created(comment, meta),
            "modified": float(meta[values.META_MODIFIED] or 0)
            if isso and meta.get(values.META_MODIFIED) else None,
            "mode": self.mode(comment, meta),
            "remote_addr": comment.author_ip,
            "text": "" if placeholder else comment.content or "",
            "author": None if placeholder else comment.author_name,
            "email": comment.author_email,
            "website": None if placeholder else comment.author_url,
            "likes": self.count(meta, values.META_LIKES, isso),
            "dislikes": self.count(meta, values.META_DISLIKES, isso),
            "voters": bytes.fromhex(meta[values.META_VOTERS] or "")
            if isso and meta.get(values.META_VOTERS) else schema.EMPTY_VOTERS,
            "notification": self.count(meta, values.META_NOTIFICATION, isso),
        }
        if row["remote_addr"] is None and not isso and not row["email"]:
            row["remote_addr"] = ""  # Isso's page hashes the email, else the address
        for name in _TEXT_COLUMNS:
            fixed = _utf8(row[name]) if isinstance(row[name], str) else None
            if fixed is not None:
                row[name] = fixed
                self.report.notes.append(f"comment {comment.key}: lone surrogates in its "
                                         f"{name} written as U+FFFD")
        if not isso and _HTML.search(row["text"]):
            self.lost["html"] += 1
        if comment.content is None and not placeholder:
            self.report.notes.append(f"comment {comment.key}: no text; written empty")
        names = [name for name in schema.COMMENT_COLUMNS if name in self.columns]
        cursor = self.con.execute(
            f"INSERT INTO comments ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [row[name] for name in names],
        )
        written = int(cursor.lastrowid or 0)
        if wanted is not None and written != wanted:
            self.report.notes.append(f"comment {comment.key}: id {wanted} is taken; "
                                     f"written as {written}")
        self.used_ids.add(written)
        self.id_by_key[(comment.thread, comment.key)] = written
        depth = 0 if parent is None else self.depth.get(parent, 0) + 1
        self.depth[written] = depth
        if depth > 1:
            self.report.notes.append(
                f"comment {comment.key}: a reply {depth} levels deep; Isso's page shows one "
                "level (the parent link is kept as is)"
            )
        self.report.written["comment"] += 1

    @staticmethod
    def count(meta: dict[str, str | None], key: str, isso: bool) -> int | None:
        if not isso or key not in meta:
            return 0
        raw = meta[key]
        return None if raw is None else int(raw)

    def summarise(self) -> None:
        reasons = {
            "users": "Isso has no accounts; each comment keeps its author's name, email "
                     "and website",
            "terms": "Isso has no categories or tags",
            "post contents": "Isso keeps a thread's uri and title, not the post",
            "local dates": "Isso keeps the UTC date alone; the local one (comment_date) "
                           "is not written",
            "comment meta": "Isso has no comment meta",
        }
        singular = {"users": "user", "terms": "term", "post contents": "post content",
                    "local dates": "local date", "comment meta": "comment meta"}
        for what, reason in reasons.items():
            n = self.lost[what]
            if n:
                self.left_out(f"{n} {what if n != 1 else singular[what]}: {reason}")
        if self.lost["html"]:
            self.report.notes.append(
                f"{self.lost['html']} comments hold HTML, written as it is: Isso shows it "
                "with [markup] renderer = misaka; its default, mistune, shows the tags as text"
            )


def _isso_database(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            if not schema.detect(handle.read(len(schema.SQLITE_MAGIC))):
                return False
        con = sqlite3.connect(path)
        try:
            return schema.comment_columns(con) is not None
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return False


@contextmanager
def _new_database(path: Path) -> Iterator[sqlite3.Connection]:
    """A new database beside ``path``, renamed to it when the block ends
    without an error."""
    with complete_path(path) as part:
        con = sqlite3.connect(part, isolation_level=None)
        try:
            con.execute(schema.CREATE_THREADS)
            con.execute(schema.CREATE_COMMENTS)
            con.execute(f"PRAGMA user_version = {schema.CURRENT_VERSION}")
            con.execute("BEGIN")
            yield con
            con.execute("COMMIT")
        finally:
            con.close()


@contextmanager
def _merged_database(path: Path) -> Iterator[sqlite3.Connection]:
    """The existing database at ``path``, written in one transaction."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        yield con
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def write_isso(
    records: Iterable[Record], path: Path, /, *, include_pings: bool = False
) -> WriteReport:
    """Write ``records`` into the Isso database at ``path`` (see the module).

    ``include_pings`` writes pingbacks and trackbacks as plain comments
    instead of leaving them out.
    """
    merging = path.exists()
    if merging and not _isso_database(path):
        raise OutputError(f"{path}: exists and is not an Isso database; give a new file")
    opened = _merged_database(path) if merging else _new_database(path)
    try:
        with opened as con:
            return _Writer(con, merging=merging, include_pings=include_pings).run(records)
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            # As every writer says a full disk (see api.write): exit 4, and
            # the new database's part file is already gone.
            raise WriteError(
                f"cannot write {path}: no space left on the device; nothing was left behind"
            ) from None
        raise OutputError(f"{path}: cannot write the Isso database ({exc})") from None
