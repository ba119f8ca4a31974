"""What a re-import changed in stored comments, and what they were before.

A batch of comments that may already be stored is written into a temporary
table first and compared with the stored rows in the database, column by
column, by one join (``IS DISTINCT FROM``, whatever each backend spells it):
no comment costs a round trip of its own.  Only the rows that differ come
back, with their stored values, which go into ``comment_history`` with an
issue of code ``changed`` naming the comment and the fields.  Meta is
compared in the same batches, read for the stored comments of the batch at
once.

A comment that the previous import of the same site and origin held and this
one does not is not deleted: it stays as it was, and a ``deleted`` row in
its history and an issue say that the newer file no longer has it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    MetaData,
    Table,
    and_,
    delete,
    insert,
    literal,
    select,
)
from sqlalchemy.schema import CreateTable

from ..records import RECORDED_AT_FORMAT, CommentChange, ImportIssue, Meta
from .bulk import RawInsert, chunks, ids_by_key, pairs
from .load_issues import IssueLog, LoadReport
from .models import MYSQL_TABLE_ARGS, Key, LongText
from .tables import comment_meta_t, comments_t, history_t, sources_t

# The columns that hold what the source said, by the name of the record
# field they come from. The canonical columns derive from these; ids,
# positions and links are the store's own, and a file is free to reorder.
COMPARED: dict[str, str] = {
    "thread_key": "thread", "parent": "parent", "wp_id": "wp_id", "dsq_id": "dsq_id",
    "wp_type": "wp_type", "wp_approved": "wp_approved",
    "dsq_is_approved": "dsq_is_approved", "dsq_is_deleted": "dsq_is_deleted",
    "dsq_is_spam": "dsq_is_spam", "dsq_is_flagged": "dsq_is_flagged",
    "dsq_is_highlighted": "dsq_is_highlighted", "dsq_is_anonymous": "dsq_is_anonymous",
    "dsq_identifier": "dsq_identifier", "author_name": "author_name",
    "author_email": "author_email", "author_url": "author_url", "author_ip": "author_ip",
    "wp_user_id": "wp_user_id", "dsq_username": "dsq_username",
    "created_at_raw": "created_at", "created_at_local": "created_at_local",
    "content": "content",
}


# The issues a re-import records of what it changed in the store.
CHANGE_CODES = ("changed", "deleted")


def _stage_table(dialect: str) -> Table:
    """The temporary table a batch is compared from: its keys and compared
    columns, under the comments table's collation on MariaDB, so that text
    compares byte for byte there as well."""
    columns: list[Column[Any]] = [Column("key", Key(), primary_key=True)]
    columns += [Column(name, LongText) for name in COMPARED]
    options: dict[str, Any] = {"prefixes": ["TEMPORARY"], **MYSQL_TABLE_ARGS}
    if dialect == "postgresql":
        # Only there: the keyword imports PostgreSQL's dialect, a twentieth
        # of a second, into every import.
        options["postgresql_on_commit"] = "DROP"
    return Table("wxrbridge_incoming_comments", MetaData(), *columns, **options)


@dataclass
class _Found:
    """What :meth:`ChangeLog.compare` found in one batch, kept until the
    batch is written (a write retried in a savepoint compares again)."""

    stored: dict[str, int] = field(default_factory=dict)  # key -> id, of stored rows
    # id -> the fields that differ and their stored values.
    changed: dict[int, dict[str, Any]] = field(default_factory=dict)


class ChangeLog:
    """Compares the comment batches of one import with what is stored."""

    def __init__(
        self, connection: Connection, report: LoadReport, issues: IssueLog, now: datetime
    ) -> None:
        self.connection = connection
        self.report = report
        self.issues = issues
        self.now = now
        self.stage = _stage_table(connection.dialect.name)
        self.stage_insert: RawInsert | None = None
        self.found = _Found()

    def compare(self, site: str, origin: str, columns: Sequence[str],
                rows: Sequence[Sequence[Any]], keep: Sequence[str] = ()) -> None:
        """Find the rows of a batch that are stored and differ from the
        stored ones (called before they are written over). ``keep``: the
        columns the write keeps where a row has no value (see bulk.upsert),
        which a row without one does not change."""
        self.found = found = _Found()
        if not rows:
            return
        stage, c = self.stage, comments_t
        places = [columns.index(name) for name in ("key", *COMPARED)]
        names = ("key", *COMPARED)
        self.connection.execute(CreateTable(stage, if_not_exists=True))
        self.connection.execute(delete(stage))
        if self.stage_insert is None:
            self.stage_insert = RawInsert(self.connection, stage, names, ignore=False)
        self.stage_insert([tuple([row[i] for i in places]) for row in rows])
        differs = [self._differs(name, name in keep) for name in COMPARED]
        changed_ids: list[int] = []
        flags_by_id: dict[int, list[str]] = {}
        result = self.connection.execute(
            select(c.c.id, c.c.key, *differs)
            .join(stage, stage.c.key == c.c.key)
            .where(c.c.site == site, c.c.origin == origin)
        )
        for row_id, key, *flags in result:
            found.stored[key] = row_id
            fields = [name for name, flag in zip(COMPARED, flags, strict=True) if flag]
            if fields:
                changed_ids.append(row_id)
                flags_by_id[row_id] = fields
        for chunk in chunks(changed_ids):
            for stored in self.connection.execute(
                select(c.c.id, *(c.c[name] for name in COMPARED)).where(c.c.id.in_(chunk))
            ).mappings():
                found.changed[stored["id"]] = {
                    COMPARED[name]: stored[name] for name in flags_by_id[stored["id"]]
                }

    def _differs(self, name: str, kept: bool) -> ColumnElement[bool]:
        """Whether the stored and the incoming value of a column differ;
        for a ``kept`` column (the ``dsq_*`` fields a merged Disqus export
        put on a WordPress comment), a row with no value says nothing."""
        stored, incoming = comments_t.c[name], self.stage.c[name]
        if kept:
            return and_(incoming.is_not(None), stored.is_distinct_from(incoming))
        return stored.is_distinct_from(incoming)

    def record(
        self, source_id: int | None, keys: Sequence[str], ids: Sequence[int],
        meta: Sequence[list[Meta]], new: bool,
    ) -> None:
        """Keep what the written batch changed: its history rows and issues,
        and the counts of new, unchanged and changed comments. Called after
        the batch is written, before its meta is replaced."""
        found, self.found = self.found, _Found()
        if new:
            self.report.changes["new"] += len(ids)
            return
        changed = found.changed
        stored = set(found.stored.values())
        stored_ids = [row_id for row_id in ids if row_id in stored]
        incoming_meta = dict(zip(ids, meta, strict=True))
        for row_id, stored_meta in self._stored_meta(stored_ids).items():
            if stored_meta != incoming_meta[row_id]:
                changed.setdefault(row_id, {})["meta"] = [list(pair) for pair in stored_meta]
        if changed:
            self.connection.execute(insert(history_t), [
                {
                    "comment_id": row_id, "source_id": source_id, "change": "changed",
                    "fields": json.dumps(list(previous)),
                    "previous": json.dumps(previous, ensure_ascii=False),
                    "recorded_at": self.now,
                }
                for row_id, previous in changed.items()
            ])
            key_of = dict(zip(ids, keys, strict=True))
            for row_id, previous in changed.items():
                self.issues.add(ImportIssue(
                    "changed",
                    f"comment {key_of[row_id]} differs from the stored one in "
                    f"{', '.join(previous)}; its earlier values are kept in its history",
                    record_key=f"comment {key_of[row_id]}",
                ))
        counts = self.report.changes
        counts["new"] += len(ids) - len(stored_ids)
        counts["changed"] += len(changed)
        counts["unchanged"] += len(stored_ids) - len(changed)

    def _stored_meta(self, ids: Sequence[int]) -> dict[int, list[tuple[str, str | None]]]:
        """The stored meta of comments, in order, read a chunk at a time."""
        m = comment_meta_t
        meta: dict[int, list[tuple[str, str | None]]] = {row_id: [] for row_id in ids}
        for chunk in chunks(ids):
            for owner, key, value in self.connection.execute(
                select(m.c.comment_id, m.c.meta_key, m.c.meta_value)
                .where(m.c.comment_id.in_(chunk))
                .order_by(m.c.comment_id, m.c.position)
            ):
                meta[owner].append((key, value))
        return meta

    def record_deletions(self, site: str, origin: str, source_id: int) -> None:
        """Record the comments the previous import of this site and origin
        held and this one did not: kept, with a ``deleted`` history row."""
        c, s = comments_t, sources_t
        previous = self.connection.execute(
            select(s.c.id, s.c.name)
            .where(s.c.site == site, s.c.origin == origin, s.c.id < source_id)
            .order_by(s.c.id.desc())
            .limit(1)
        ).first()
        if previous is None:
            return
        missing = (c.c.site == site, c.c.origin == origin, c.c.source_id == previous.id)
        self.connection.execute(
            insert(history_t).from_select(
                ["comment_id", "source_id", "change", "recorded_at"],
                select(c.c.id, literal(source_id, Integer), literal("deleted"),
                       literal(self.now, DateTime))
                .where(*missing),
            )
        )
        gone = pairs(self.connection.execute(select(c.c.id, c.c.key).where(*missing)))
        for key in gone.values():
            self.issues.add(ImportIssue(
                "deleted",
                f"comment {key} of {previous.name} is not in this file; it is kept as it "
                "was, and its history records it as deleted",
                record_key=f"comment {key}",
            ))
        self.report.changes["deleted"] += len(gone)

    def keep(self, changes: Sequence[CommentChange], source_id: int | None) -> None:
        """Store history read from a file (a JSON Lines archive written with
        it) under the comments it names; an entry already stored is not
        stored twice, so importing the archive again adds nothing."""
        by_place: dict[tuple[str, str], list[CommentChange]] = {}
        for change in changes:
            by_place.setdefault((change.site, change.origin), []).append(change)
        h = history_t
        for (site, origin), items in by_place.items():
            ids = ids_by_key(self.connection, comments_t, site, origin,
                             sorted({c.comment for c in items}))
            stored: set[tuple[Any, ...]] = set()
            for chunk in chunks(list(ids.values())):
                stored.update(
                    (row_id, change, recorded_at.replace(microsecond=0), previous)
                    for row_id, change, recorded_at, previous in self.connection.execute(
                        select(h.c.comment_id, h.c.change, h.c.recorded_at, h.c.previous)
                        .where(h.c.comment_id.in_(chunk))
                    )
                )
            rows = []
            for item in items:
                row_id = ids.get(item.comment)
                if row_id is None:
                    self.issues.add(ImportIssue(
                        "history-no-comment",
                        f"history of comment {item.comment} names no comment of the store; "
                        "left out", "rejected", record_key=f"comment {item.comment}",
                    ))
                    continue
                previous = json.dumps(item.previous, ensure_ascii=False) \
                    if item.previous else None
                recorded_at = datetime.strptime(item.recorded_at, RECORDED_AT_FORMAT)
                identity = (row_id, item.change, recorded_at, previous)
                if identity in stored:
                    continue
                stored.add(identity)
                rows.append({
                    "comment_id": row_id, "source_id": source_id, "change": item.change,
                    "fields": json.dumps(list(item.previous)) if item.previous else None,
                    "previous": previous, "recorded_at": recorded_at,
                })
            if rows:
                self.connection.execute(insert(history_t), rows)
