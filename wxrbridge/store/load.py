"""Bulk loading of a record stream into the store.

One import is one transaction.  Rows go in in batches (see bulk.py: a first
import of a site takes ids handed out here and plain inserts; rows that may
exist already are upserted on their identity ``(site, origin, key)``), so
loading the same file twice updates rows in place.  A reply whose parent came
earlier in its thread is linked as its row is built (SQLite and PostgreSQL);
the rest are linked afterwards with set-based ``UPDATE``s, because a reply
may come before its parent and only the whole file says whether a parent
exists.  A Disqus export of a site whose WXR is stored is merged into it
(merge.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from .. import canonical
from ..canonical import wp_id_in_identifier
from ..records import (
    Comment,
    Extra,
    ImportIssue,
    Meta,
    Record,
    Source,
    Term,
    Thread,
    User,
)
from .bulk import (
    RawInsert,
    Renamer,
    TableWriter,
    chunks,
    ids_by_key,
    pairs,
    sqlite_datetime,
    upsert,
)
from .merge import Matcher, MergeOptions
from .models import (
    CommentMetaRow,
    CommentRow,
    ExtraRow,
    ImportIssueRow,
    SourceRow,
    TermMetaRow,
    TermRow,
    ThreadMetaRow,
    ThreadRow,
    ThreadTermRow,
    UserRow,
)

comments_t: Table = CommentRow.__table__  # type: ignore[assignment]
comment_meta_t: Table = CommentMetaRow.__table__  # type: ignore[assignment]
threads_t: Table = ThreadRow.__table__  # type: ignore[assignment]
thread_meta_t: Table = ThreadMetaRow.__table__  # type: ignore[assignment]
thread_terms_t: Table = ThreadTermRow.__table__  # type: ignore[assignment]
users_t: Table = UserRow.__table__  # type: ignore[assignment]
terms_t: Table = TermRow.__table__  # type: ignore[assignment]
term_meta_t: Table = TermMetaRow.__table__  # type: ignore[assignment]
extras_t: Table = ExtraRow.__table__  # type: ignore[assignment]
sources_t: Table = SourceRow.__table__  # type: ignore[assignment]
issues_t: Table = ImportIssueRow.__table__  # type: ignore[assignment]

# Rows per executemany. A batch of comments is held as records and rows
# until it is written: 1,000 rather than 2,000 took the storing process's
# peak in a 500k-comment import from 65.3 to 62.5 MB, and loaded no slower.
BATCH_SIZE = 1000

# Columns of the rows the loader builds, in the order it builds them (each
# starts with the id, see TableWriter.write).
THREAD_COLUMNS = (
    "id", "site", "origin", "key", "source_id", "position", "wp_post_id", "dsq_id",
    "identifier", "title", "link", "pub_date", "creator", "guid", "guid_is_permalink",
    "description", "content", "excerpt", "created_at", "created_at_raw", "created_at_local",
    "modified_at_raw", "modified_at_local", "comment_status", "ping_status", "slug", "status",
    "post_parent", "menu_order", "post_type", "post_password", "is_sticky", "attachment_url",
    "dsq_forum", "dsq_category", "dsq_is_closed", "dsq_is_deleted", "dsq_ip_address",
    "dsq_author_name", "dsq_author_email", "dsq_author_username", "dsq_author_is_anonymous",
    "child_order",
)
COMMENT_COLUMNS = (
    "id", "site", "origin", "key", "source_id", "position", "thread_key", "thread_id",
    "parent", "parent_key", "parent_id", "wp_id", "dsq_id", "type", "wp_type", "status",
    "wp_approved", "dsq_is_approved", "dsq_is_deleted", "dsq_is_spam", "dsq_is_flagged",
    "dsq_is_highlighted", "dsq_is_anonymous", "dsq_identifier", "author_name", "author_email",
    "author_url", "author_ip", "wp_user_id", "dsq_username", "user_id", "created_at",
    "created_at_raw", "created_at_local", "content",
)
_ID, _KEY = 0, 3
_THREAD_ID = COMMENT_COLUMNS.index("thread_id")
_PARENT_KEY = COMMENT_COLUMNS.index("parent_key")
_PARENT_ID = COMMENT_COLUMNS.index("parent_id")
_EXTRA_COLUMNS = ("owner", "owner_id", "position", "kind", "name", "value", "anchor")


@dataclass
class LoadReport:
    """What one import did."""

    source_id: int | None = None
    sources: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    issues: list[ImportIssue] = field(default_factory=list)
    linked: int = 0
    orphans: int = 0
    cycles_broken: int = 0


def _json_list(values: list[str] | None) -> str | None:
    return None if values is None else json.dumps(values)


class Loader:
    """Loads one record stream; use :meth:`load`."""

    def __init__(
        self,
        connection: Connection,
        *,
        batch_size: int = BATCH_SIZE,
        merge: MergeOptions | None = None,
    ) -> None:
        self.connection = connection
        self.matcher = Matcher(connection, threads_t, comments_t, users_t, merge or MergeOptions())
        self.merged_threads: set[str] = set()
        self.batch_size = batch_size
        self.report = LoadReport()
        self.source: Source | None = None
        self.source_id: int | None = None
        self.site = ""
        self.sites: set[tuple[str, str]] = set()
        self.now = datetime.now(timezone.utc).replace(tzinfo=None)
        self.position = 0
        self.source_extras_stored = 0
        self.thread_ids: dict[str, int] = {}
        self.user_ids_by_wp_id: dict[str, int] = {}
        self.user_ids_by_username: dict[str, int] = {}
        self.pending_threads: list[Thread] = []
        self.pending_comments: list[Comment] = []
        self.pending_issues: list[ImportIssue] = []
        self.writers = {
            table.name: TableWriter(connection, table) for table in (threads_t, comments_t)
        }
        self.child_inserts: dict[tuple[str, tuple[str, ...]], RawInsert] = {}
        # Sites whose comments all went in by the fresh path: their parent
        # links start out empty and need no reset before linking.
        self.reset_links: set[tuple[str, str]] = set()
        # Fresh path: each reply whose parent came earlier in the same thread
        # is linked as its row is built; the rest wait here for the UPDATE.
        self.local_thread: str | None = None
        self.local_ids: dict[str, int] = {}
        self.unresolved: dict[tuple[str, str], list[int]] = {}
        # Linking rows of one batch to each other needs the parent foreign
        # key checked after the rows are in: SQLite defers it to commit,
        # PostgreSQL checks it at the end of each statement (a batch is one
        # statement there).  MariaDB checks each row as it goes in.
        self.link_while_loading = connection.dialect.name in ("sqlite", "postgresql")
        # On PostgreSQL a batch linked to a parent that a repeated id kept
        # out of the table fails its foreign key; it is then written again
        # unlinked, inside a savepoint. (A first import, loaded without
        # foreign keys, meets that check once at its end instead: the
        # parent is in by then, as on SQLite.)
        self.guard_links = connection.dialect.name == "postgresql"
        # SQLite stores dates as text: made here from the raw text, which
        # is quicker than through a datetime.
        self.dates_as_text = connection.dialect.name == "sqlite"

    # -- the stream -----------------------------------------------------

    def load(self, records: Iterable[Record]) -> LoadReport:
        handlers: dict[type, Callable[[Any], None]] = {
            Source: self._source,
            User: self._user,
            Term: self._term,
            Thread: self._thread,
            Comment: self._comment,
            ImportIssue: self._issue,
        }
        for record in records:
            handlers[type(record)](record)
        self._flush_threads()
        self._flush_comments()
        self._flush_issues()
        self._store_late_source_extras()
        self._link_parents()
        for writer in self.writers.values():
            writer.sync_sequence()
        self._refresh_statistics()
        return self.report

    def _refresh_statistics(self) -> None:
        """Let PostgreSQL's planner see what a large load wrote.

        Statistics taken while the tables were small make it plan key
        lookups as scans of the whole site: re-importing a 50k-comment file
        then took minutes instead of seconds.
        """
        if self.connection.dialect.name != "postgresql":
            return
        if self.report.counts["comment"] + self.report.counts["thread"] < 1000:
            return
        self.connection.exec_driver_sql(
            "ANALYZE comments, comment_meta, threads, thread_meta, extras"
        )

    def finish_source(self, sha256: str | None) -> None:
        """Record the hash of the file just read; a file seen before keeps its
        first source row, so re-importing it changes nothing."""
        if self.source_id is None or sha256 is None:
            return
        earlier = self.connection.execute(
            select(sources_t.c.id)
            .where(sources_t.c.sha256 == sha256, sources_t.c.id != self.source_id)
            .order_by(sources_t.c.id)
            .limit(1)
        ).scalar()
        if earlier is None:
            self.connection.execute(
                update(sources_t).where(sources_t.c.id == self.source_id).values(sha256=sha256)
            )
            return
        # The first import already recorded this file's issues.
        self.connection.execute(delete(issues_t).where(issues_t.c.source_id == self.source_id))
        for table in (users_t, terms_t, threads_t, comments_t):
            self.connection.execute(
                update(table).where(table.c.source_id == self.source_id).values(source_id=earlier)
            )
        self.connection.execute(
            delete(extras_t).where(
                extras_t.c.owner == "source", extras_t.c.owner_id == self.source_id
            )
        )
        self.connection.execute(delete(sources_t).where(sources_t.c.id == self.source_id))
        self.report.source_id = earlier

    # -- per record kind ------------------------------------------------

    def _source(self, record: Source) -> None:
        self._flush_threads()
        self._flush_comments()
        self._store_late_source_extras()
        self.source = record
        self.site = record.site
        values = {
            "origin": record.origin,
            "site": record.site,
            "name": record.name,
            "sha256": record.sha256,
            "version": record.version,
            "wp_namespace": record.wp_namespace,
            "namespaces": json.dumps(record.namespaces, sort_keys=True)
            if record.namespaces
            else None,
            "title": record.title,
            "link": record.link,
            "description": record.description,
            "pub_date": record.pub_date,
            "language": record.language,
            "generator": record.generator,
            "base_site_url": record.base_site_url,
            "base_blog_url": record.base_blog_url,
            "child_order": _json_list(record.child_order),
            "imported_at": self.now,
        }
        result = self.connection.execute(insert(sources_t).values(**values))
        self.source_id = int(result.inserted_primary_key[0])
        self.report.source_id = self.source_id
        self.report.sources.append(record.name)
        self.report.counts["source"] += 1
        self._replace_extras("source", [(self.source_id, record.extras)], True)
        self.source_extras_stored = len(record.extras)

    def _store_late_source_extras(self) -> None:
        """Extras a reader added to the Source after yielding it (content
        after the last item), stored once the stream is exhausted."""
        if self.source is None or self.source_id is None:
            return
        late = self.source.extras[self.source_extras_stored :]
        if late:
            first = self.source_extras_stored
            self._child_insert(extras_t, _EXTRA_COLUMNS)(
                [
                    ("source", self.source_id, first + i, e.kind, e.name, e.value, e.anchor)
                    for i, e in enumerate(late)
                ]
            )
            self.source_extras_stored += len(late)

    def _utc(self, raw: str | None, kind: str, key: str) -> datetime | str | None:
        """The canonical UTC date of a raw one, as the driver takes it; text
        that is not a date is kept raw and reported."""
        if self.dates_as_text:
            # What sqlite_datetime() would store: the usual text with the
            # microseconds added.
            text = canonical.usual_utc_text(raw)
            if text is not None:
                return text + ".000000"
        try:
            value = canonical.parse_utc(raw)
        except ValueError:
            self._issue(ImportIssue("bad-date", f"not a date: {raw!r}", record_key=f"{kind} {key}"))
            return None
        if value is None or not self.dates_as_text:
            return value
        return sqlite_datetime(value)

    def _require_source(self, what: str) -> None:
        if self.source is None:
            raise ValueError(f"a {what} record came before any source record")

    def _next_position(self) -> int:
        self.position += 1
        return self.position

    def _user(self, record: User) -> None:
        self._require_source("user")
        key = record.login if record.origin == "wxr" else record.dsq_username
        if key is None:
            key = f"id:{record.wp_id}"
        row = {
            "site": self.site,
            "origin": record.origin,
            "key": key,
            "source_id": self.source_id,
            "position": self._next_position(),
            "wp_id": record.wp_id,
            "login": record.login,
            "email": record.email,
            "display_name": record.display_name,
            "first_name": record.first_name,
            "last_name": record.last_name,
            "dsq_username": record.dsq_username,
        }
        upsert(self.connection, users_t, [row])
        user_id = ids_by_key(self.connection, users_t, self.site, record.origin, [key])[key]
        if record.wp_id is not None:
            self.user_ids_by_wp_id[record.wp_id.strip()] = user_id
        if record.dsq_username:
            self.user_ids_by_username[record.dsq_username] = user_id
        self._replace_extras("user", [(user_id, record.extras)])
        self.report.counts["user"] += 1

    def _term(self, record: Term) -> None:
        self._require_source("term")
        ident = record.term_id if record.term_id is not None else record.slug
        key = f"{record.kind}:{ident if ident is not None else self.position + 1}"
        row = {
            "site": self.site,
            "origin": record.origin,
            "key": key,
            "source_id": self.source_id,
            "position": self._next_position(),
            "kind": record.kind,
            "term_id": record.term_id,
            "taxonomy": record.taxonomy,
            "slug": record.slug,
            "parent": record.parent,
            "name": record.name,
            "description": record.description,
            "dsq_forum": record.dsq_forum,
            "dsq_is_default": record.dsq_is_default,
        }
        upsert(self.connection, terms_t, [row])
        term_id = ids_by_key(self.connection, terms_t, self.site, record.origin, [key])[key]
        self._replace_meta(term_meta_t, "term_id", [(term_id, record.meta)])
        self._replace_extras("term", [(term_id, record.extras)])
        self.report.counts["term"] += 1

    def _thread(self, record: Thread) -> None:
        self._require_source("thread")
        self.pending_threads.append(record)
        if len(self.pending_threads) >= self.batch_size:
            self._flush_threads()

    def _comment(self, record: Comment) -> None:
        pending = self.pending_comments
        if not pending:
            self._require_source("comment")
        pending.append(record)
        if len(pending) >= self.batch_size:
            self._flush_threads()
            self._flush_comments()

    def _issue(self, record: ImportIssue) -> None:
        self.report.issues.append(record)
        self.pending_issues.append(record)

    # -- batches --------------------------------------------------------

    def _flush_threads(self) -> None:
        threads, self.pending_threads = self.pending_threads, []
        if threads and threads[0].origin == "disqus":
            threads = self._merge_threads(threads)
        if not threads:
            return
        site, source_id, utc = self.site, self.source_id, self._utc
        rows = []
        for record in threads:
            self.position += 1
            # In THREAD_COLUMNS order.
            rows.append([
                None, site, record.origin, record.key, source_id, self.position,
                record.wp_post_id, record.dsq_id, record.identifier, record.title,
                record.link, record.pub_date, record.creator, record.guid,
                record.guid_is_permalink, record.description, record.content, record.excerpt,
                utc(record.created_at, "thread", record.key), record.created_at,
                record.created_at_local, record.modified_at, record.modified_at_local,
                record.comment_status, record.ping_status, record.slug, record.status,
                record.post_parent, record.menu_order, record.post_type, record.post_password,
                record.is_sticky, record.attachment_url, record.dsq_forum, record.dsq_category,
                record.dsq_is_closed, record.dsq_is_deleted, record.dsq_ip_address,
                record.dsq_author_name, record.dsq_author_email, record.dsq_author_username,
                record.dsq_author_is_anonymous, _json_list(record.child_order),
            ])
        origin = threads[0].origin
        ids, new = self.writers["threads"].write(
            self.site, origin, THREAD_COLUMNS, rows, self._renamer("thread"), self.source_id
        )
        for record, row in zip(threads, rows, strict=True):
            record.key = row[_KEY]
        self.thread_ids.update((t.key, i) for t, i in zip(threads, ids, strict=True))
        self._replace_meta(
            thread_meta_t, "thread_id", zip(ids, (t.meta for t in threads), strict=True), new
        )
        terms = [
            (thread_id, position, term.domain, term.nicename, term.name)
            for thread_id, thread in zip(ids, threads, strict=True)
            for position, term in enumerate(thread.terms)
        ]
        self._replace_children(
            thread_terms_t, "thread_id", ids,
            ("thread_id", "position", "domain", "nicename", "name"), terms, new,
        )
        self._replace_extras("thread", zip(ids, (t.extras for t in threads), strict=True), new)
        self.report.counts["thread"] += len(threads)

    def _flush_comments(self) -> None:
        comments, self.pending_comments = self.pending_comments, []
        if comments and comments[0].origin == "disqus":
            comments = self._merge_comments(comments)
        if not comments:
            return
        origin = comments[0].origin
        writer = self.writers["comments"]
        fresh = writer.is_fresh(self.site, origin)
        next_id = writer.allocate(len(comments)) if fresh else 0
        unresolved = self.unresolved.setdefault((self.site, origin), [])
        site, source_id, utc = self.site, self.source_id, self._utc
        thread_ids = self.thread_ids
        users_by_wp_id, users_by_username = self.user_ids_by_wp_id, self.user_ids_by_username
        rows = []
        for record in comments:
            user_id = None
            if record.wp_user_id is not None:
                user_id = users_by_wp_id.get(record.wp_user_id.strip())
            elif record.dsq_username:
                user_id = users_by_username.get(record.dsq_username)
            thread_id = thread_ids.get(record.thread)
            if thread_id is None:
                self._issue(ImportIssue(
                    "thread-missing", f"thread {record.thread!r} is not in the file",
                    record_key=f"comment {record.key}",
                ))
            self.position += 1
            # In COMMENT_COLUMNS order.
            row = [
                None, site, record.origin, record.key, source_id, self.position,
                record.thread, thread_id, record.parent, canonical.parent_reference(record),
                None, record.wp_id, record.dsq_id, canonical.comment_type(record),
                record.wp_type, canonical.comment_status(record),
                record.wp_approved, record.dsq_is_approved, record.dsq_is_deleted,
                record.dsq_is_spam, record.dsq_is_flagged, record.dsq_is_highlighted,
                record.dsq_is_anonymous, record.dsq_identifier, record.author_name,
                record.author_email, record.author_url, record.author_ip, record.wp_user_id,
                record.dsq_username, user_id, utc(record.created_at, "comment", record.key),
                record.created_at, record.created_at_local, record.content,
            ]
            rows.append(row)
            if fresh:
                self._link_locally(record, row, next_id, unresolved)
                next_id += 1
        self.sites.add((self.site, origin))
        ids, new = self._write_comments(origin, rows, unresolved)
        if not new:
            self.reset_links.add((self.site, origin))
        for record, row in zip(comments, rows, strict=True):
            record.key = row[_KEY]
        self._replace_meta(
            comment_meta_t, "comment_id", zip(ids, (c.meta for c in comments), strict=True), new
        )
        self._replace_extras("comment", zip(ids, (c.extras for c in comments), strict=True), new)
        self.report.counts["comment"] += len(comments)

    def _write_comments(
        self, origin: str, rows: list[list[Any]], unresolved: list[int]
    ) -> tuple[list[int], bool]:
        writer = self.writers["comments"]
        rename = self._renamer("comment")
        linked = [row for row in rows if row[_PARENT_ID] is not None]
        if not (self.guard_links and linked):
            return writer.write(self.site, origin, COMMENT_COLUMNS, rows, rename, self.source_id)
        try:
            with self.connection.begin_nested():
                return writer.write(
                    self.site, origin, COMMENT_COLUMNS, rows, rename, self.source_id
                )
        except IntegrityError:
            pass
        # A parent of this batch shares its id with an earlier row and was
        # not inserted (it is renamed on the way in): leave every link of the
        # batch to the UPDATE after loading.
        for row in linked:
            row[_PARENT_ID] = None
            unresolved.append(row[_ID])
        self.report.linked -= len(linked)
        return writer.write(self.site, origin, COMMENT_COLUMNS, rows, rename, self.source_id)

    # -- merging a Disqus export into stored WordPress data ---------------

    # What a matched Disqus record adds to the stored WordPress row: its own
    # fields, which the records name with a dsq_ prefix (and the identifier).
    _DSQ_THREAD_FIELDS = ("identifier",) + tuple(
        f.name for f in fields(Thread) if f.name.startswith("dsq_")
    )
    _DSQ_COMMENT_FIELDS = tuple(f.name for f in fields(Comment) if f.name.startswith("dsq_"))

    def _merge_threads(self, threads: list[Thread]) -> list[Thread]:
        """Disqus threads that are stored WXR items become fields of those
        items; the rest are returned to be stored as threads of their own."""
        if not self.matcher.has_wxr:
            return threads
        unmatched, updates = [], []
        for record in threads:
            target = self.matcher.thread(record.identifier, record.link)
            if target is None:
                unmatched.append(record)
                self._issue(
                    ImportIssue(
                        "unmatched-thread",
                        f"Disqus thread {record.key!r} "
                        f"({record.link or record.identifier or 'no link'}) matches no WordPress "
                        "item by identifier, URL or URL map; kept as a thread of its own",
                        record_key=f"thread {record.key}",
                    )
                )
                continue
            self.thread_ids[record.key] = target
            self.merged_threads.add(record.key)
            updates.append(
                {"target": target, **{f: getattr(record, f) for f in self._DSQ_THREAD_FIELDS}}
            )
        self.matcher.write_fields(threads_t, updates)
        self.report.counts["thread merged"] += len(updates)
        return unmatched

    def _merge_comments(self, comments: list[Comment]) -> list[Comment]:
        """Disqus posts that are stored WordPress comments (``wp_id=N`` in a
        merged thread) become fields of those comments; the rest go on."""
        if not self.matcher.has_wxr:
            return comments
        wanted: dict[int, tuple[int, str]] = {}
        for index, record in enumerate(comments):
            wp_id = wp_id_in_identifier(record.dsq_identifier)
            if wp_id is not None and record.thread in self.merged_threads:
                wanted[index] = (self.thread_ids[record.thread], wp_id)
        found = self.matcher.comments_by_wp_id(list(wanted.values()))
        rest, updates = [], []
        for index, record in enumerate(comments):
            pair = wanted.get(index)
            target = found.get(pair) if pair else None
            if target is None:
                if pair is not None:
                    self._issue(
                        ImportIssue(
                            "unmatched-comment",
                            f"Disqus post {record.key!r} says it is WordPress comment {pair[1]}, "
                            "which is not stored in its thread; kept as a comment of its own",
                            record_key=f"comment {record.key}",
                        )
                    )
                user = self.matcher.user(record.dsq_username, record.author_email)
                if user is not None and user[1] is not None:
                    # A mapped author writes as that site user: the row links
                    # to it as a WordPress comment's comment_user_id would.
                    record.wp_user_id = user[1]
                    self.user_ids_by_wp_id.setdefault(user[1].strip(), user[0])
                rest.append(record)
                continue
            updates.append(
                {"target": target, **{f: getattr(record, f) for f in self._DSQ_COMMENT_FIELDS}}
            )
            if record.meta or record.extras:
                self._issue(
                    ImportIssue(
                        "merged-extras-not-kept",
                        "meta or unknown elements of a Disqus post merged into a WordPress comment "
                        "are not kept",
                        severity="rejected",
                        record_key=f"comment {record.key}",
                        fragment=repr((record.meta, record.extras))[:2000],
                    )
                )
        self.matcher.write_fields(comments_t, updates)
        self.report.counts["comment merged"] += len(updates)
        return rest

    def _link_locally(
        self, record: Comment, row: list[Any], row_id: int, unresolved: list[int]
    ) -> None:
        """Give the row its id and, when its parent came earlier in the same
        thread, its parent link; otherwise leave the link to the UPDATE."""
        row[_ID] = row_id
        parent_key = row[_PARENT_KEY]
        if not self.link_while_loading:
            if parent_key is not None:
                unresolved.append(row_id)
            return
        if record.thread != self.local_thread:
            self.local_thread = record.thread
            self.local_ids = {}
        self.local_ids[record.key] = row_id
        if parent_key is None:
            return
        parent_id = self.local_ids.get(parent_key)
        if parent_id is not None and parent_id != row_id and row[_THREAD_ID] is not None:
            row[_PARENT_ID] = parent_id
            self.report.linked += 1
        else:
            unresolved.append(row_id)

    def _renamer(self, kind: str) -> Renamer:
        """Keep a record whose id this file already used, under a key of its
        own, so that it cannot overwrite the first; report it."""

        def rename(original: str, taken: set[str]) -> str:
            n = 2
            while f"{original}~{n}" in taken:
                n += 1
            renamed = f"{original}~{n}"
            self._issue(
                ImportIssue(
                    "duplicate-id",
                    f"{kind} id {original!r} appears more than once in the file; "
                    f"this one is kept as {renamed!r}",
                    severity="repaired",
                    record_key=f"{kind} {original}",
                )
            )
            return renamed

        return rename

    def _flush_issues(self) -> None:
        issues, self.pending_issues = self.pending_issues, []
        if not issues:
            return
        self.connection.execute(
            insert(issues_t),
            [
                {
                    "source_id": self.source_id,
                    "severity": i.severity,
                    "code": i.code,
                    "reason": i.reason,
                    "file": i.file or (self.source.name if self.source else None),
                    "line": i.line,
                    "column": i.column,
                    "record_key": i.record_key,
                    "fragment": i.fragment,
                    "created_at": self.now,
                }
                for i in issues
            ],
        )

    # -- child rows -----------------------------------------------------

    def _child_insert(self, table: Table, columns: tuple[str, ...]) -> RawInsert:
        insert_ = self.child_inserts.get((table.name, columns))
        if insert_ is None:
            insert_ = self.child_inserts[(table.name, columns)] = RawInsert(
                self.connection, table, columns, ignore=False
            )
        return insert_

    def _replace_children(
        self,
        table: Table,
        owner_column: str,
        owners: list[int],
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
        new_owners: bool,
        **owner_filter: Any,
    ) -> None:
        """Make the owners' child rows exactly ``rows`` (in ``columns``
        order).

        Owners just created have no child rows yet, so nothing is deleted.
        """
        if not new_owners:
            where = [table.c[k] == v for k, v in owner_filter.items()]
            for chunk in chunks(owners):
                self.connection.execute(
                    delete(table).where(table.c[owner_column].in_(chunk), *where)
                )
        if rows:
            self._child_insert(table, columns)(rows)

    def _replace_meta(
        self,
        table: Table,
        owner_column: str,
        meta_by_owner: Iterable[tuple[int, list[Meta]]],
        new_owners: bool = False,
    ) -> None:
        owners: list[int] = []
        rows: list[tuple[Any, ...]] = []
        for owner, meta in meta_by_owner:
            owners.append(owner)
            if meta:
                rows.extend(
                    (owner, position, key, value) for position, (key, value) in enumerate(meta)
                )
        self._replace_children(
            table, owner_column, owners, (owner_column, "position", "meta_key", "meta_value"),
            rows, new_owners,
        )

    def _replace_extras(
        self,
        owner: str,
        extras_by_owner: Iterable[tuple[int, list[Extra]]],
        new_owners: bool = False,
    ) -> None:
        owners: list[int] = []
        rows: list[tuple[Any, ...]] = []
        for owner_id, extras in extras_by_owner:
            owners.append(owner_id)
            if extras:
                rows.extend(
                    (owner, owner_id, position, e.kind, e.name, e.value, e.anchor)
                    for position, e in enumerate(extras)
                )
        self._replace_children(
            extras_t, "owner_id", owners, _EXTRA_COLUMNS, rows, new_owners, owner=owner
        )

    # -- the tree -------------------------------------------------------

    def _link_parents(self) -> None:
        """Link the replies not linked while loading, set-based.

        A parent is linked only when it is in the same thread: a reference to
        another thread's comment is kept raw and reported, as is a reference
        to nothing at all (a parent that was spam and left out of the export).
        A re-imported site is relinked whole, since its rows may have moved.
        """
        c = comments_t
        for site, origin in sorted(self.sites):
            in_site = and_(c.c.site == site, c.c.origin == origin)
            by_dsq_id = origin == "disqus" and self.matcher.has_wxr
            if (site, origin) in self.reset_links:
                self.connection.execute(update(c).where(in_site).values(parent_id=None))
                scopes = [in_site]
            else:
                scopes = [
                    c.c.id.in_(chunk) for chunk in chunks(self.unresolved.get((site, origin), []))
                ]
            linked = 0
            for scope in scopes:
                linked += self._link_where(
                    scope, c.c.parent_key.is_not(None), c.c.parent_id.is_(None)
                )
                if by_dsq_id:
                    linked += self._link_where(
                        scope,
                        c.c.parent_key.is_not(None),
                        c.c.parent_id.is_(None),
                        by_dsq_id=True,
                    )
            for scope in scopes:
                self._report_unlinked(scope)
            self.report.linked += linked
            # Links made while loading point backwards in the file and cannot
            # close a cycle; only the UPDATE's can.
            if linked:
                reset = (site, origin) in self.reset_links
                starts = None if reset else self.unresolved.get((site, origin), [])
                self.report.cycles_broken += self._break_cycles(site, origin, starts)

    def _link_where(self, *conditions: Any, by_dsq_id: bool = False) -> int:
        """Link replies to the parent their reference names, in their thread.

        ``by_dsq_id``: a Disqus reply's parent merged onto a WordPress row
        answers to that row's ``dsq_id`` rather than its key.
        """
        c = comments_t
        p = aliased(comments_t, name="p")
        if by_dsq_id:
            names_parent = and_(p.c.dsq_id == c.c.parent_key, p.c.id != c.c.id)
        else:
            names_parent = and_(
                p.c.site == c.c.site, p.c.origin == c.c.origin, p.c.key == c.c.parent_key
            )
        return self.connection.execute(
            update(c)
            .where(*conditions, names_parent, p.c.thread_id == c.c.thread_id)
            .values(parent_id=p.c.id)
        ).rowcount

    def _report_unlinked(self, *conditions: Any) -> None:
        c = comments_t
        p = aliased(comments_t, name="p")
        rows = self.connection.execute(
            select(c.c.key, c.c.parent, p.c.thread_key)
            .select_from(
                c.outerjoin(
                    p,
                    and_(
                        p.c.site == c.c.site,
                        p.c.origin == c.c.origin,
                        p.c.key == c.c.parent_key,
                    ),
                )
            )
            .where(*conditions, c.c.parent_key.is_not(None), c.c.parent_id.is_(None))
        )
        issues = []
        for key, parent, other_thread in rows:
            self.report.orphans += 1
            if other_thread is None:
                issues.append(
                    ImportIssue(
                        "parent-missing",
                        f"parent {parent.strip()!r} is not in the store; the raw id "
                        "is kept and the comment is shown at top level",
                        record_key=f"comment {key}",
                    )
                )
            else:
                issues.append(
                    ImportIssue(
                        "parent-other-thread",
                        f"parent {parent.strip()!r} belongs to thread {other_thread!r}; "
                        "kept raw, not linked",
                        record_key=f"comment {key}",
                    )
                )
        self.report.issues.extend(issues)
        self.pending_issues.extend(issues)
        self._flush_issues()

    def _break_cycles(self, site: str, origin: str, starts: list[int] | None) -> int:
        """Find parent cycles and cut each at one link.

        Only linked replies can be in a cycle. Links made while loading point
        backwards in the file, so a cycle passes through one the UPDATE made:
        walking up from those (``starts``) is enough, and reads only their
        ancestors.  ``None`` walks every linked reply of the site (after a
        re-import relinked it whole).  Each cycle is cut at its member listed
        last in the file, whose parent link is the one most likely wrong.
        """
        c = comments_t
        in_site = and_(c.c.site == site, c.c.origin == origin, c.c.parent_id.is_not(None))
        if starts is None:
            parent_of: dict[int, int] = pairs(
                self.connection.execute(select(c.c.id, c.c.parent_id).where(in_site))
            )
        else:
            parent_of = {}
            frontier = set(starts)
            while frontier:
                found: dict[int, int] = {}
                for chunk in chunks(sorted(frontier)):
                    # By primary key alone: with the site's columns in the
                    # WHERE, PostgreSQL plans a scan of the whole site per chunk.
                    for comment_id, parent_id in self.connection.execute(
                        select(c.c.id, c.c.parent_id).where(c.c.id.in_(chunk))
                    ):
                        if parent_id is not None:
                            found[comment_id] = parent_id
                parent_of.update(found)
                frontier = {p for p in found.values() if p not in parent_of}
        state: dict[int, int] = {}  # 1 = on the current walk, 2 = known acyclic
        cuts: list[int] = []
        for start in parent_of:
            walk = []
            node: int | None = start
            while node is not None and node in parent_of and state.get(node) is None:
                state[node] = 1
                walk.append(node)
                node = parent_of[node]
            if node is not None and state.get(node) == 1:
                cycle = walk[walk.index(node) :]
                cuts.append(max(cycle))
            for member in walk:
                state[member] = 2
        if not cuts:
            return 0
        keys = pairs(self.connection.execute(select(c.c.id, c.c.key).where(c.c.id.in_(cuts))))
        self.connection.execute(update(c).where(c.c.id.in_(cuts)).values(parent_id=None))
        issues = [
            ImportIssue(
                "parent-cycle",
                "parent links form a cycle; this link was cut and the comment "
                "is shown at top level (its raw parent id is kept)",
                severity="repaired",
                record_key=f"comment {keys[cut]}",
            )
            for cut in cuts
        ]
        self.report.issues.extend(issues)
        self.pending_issues.extend(issues)
        self._flush_issues()
        return len(cuts)
