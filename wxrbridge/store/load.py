"""Bulk loading of a record stream into the store.

One import is one transaction.  Rows go in in batches (see bulk.py: a first
import of a site takes ids handed out here and plain inserts; rows that may
exist already are upserted on their identity ``(site, origin, key)``), so
loading the same file twice updates rows in place.  Replies are linked to
their parents as they load and after (load_links.py), child rows are
replaced whole (load_children.py), issues are reported and stored
(load_issues.py).  A Disqus or Blogger export of a site whose WXR is stored is
merged into it (load_merge.py, with merge.py's matching), and a WXR merges
the Disqus or Blogger rows stored before it (load_merge_stored.py).  Comments
that may be stored are compared with the stored rows before they are written
over, and what differs or went missing is kept in their history
(load_changes.py).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import canonical
from ..records import (
    Comment,
    CommentChange,
    ImportIssue,
    Record,
    Source,
    Term,
    Thread,
    User,
)
from .bulk import TableWriter, ids_by_key, sqlite_datetime, upsert
from .load_changes import CHANGE_CODES, ChangeLog
from .load_children import ChildRows
from .load_indexes import DeferredIndexes
from .load_issues import IssueLog, LoadReport
from .load_links import ParentLinker
from .load_merge import DSQ_COMMENT_FIELDS, DSQ_THREAD_FIELDS, BloggerMerge, DisqusMerge
from .load_merge_stored import StoredBloggerMerge, StoredDisqusMerge
from .load_rows import (
    COMMENT_COLUMNS,
    ID,
    KEY,
    PARENT_ID,
    THREAD_COLUMNS,
    bounds,
    check_lengths,
    check_value_lengths,
    json_list,
)
from .load_thread_ids import ThreadIds
from .merge import Matcher, MergeOptions
from .server_load import analyze_sql
from .tables import (
    comment_meta_t,
    comments_t,
    extras_t,
    history_t,
    issues_t,
    sources_t,
    term_meta_t,
    terms_t,
    thread_meta_t,
    thread_terms_t,
    threads_t,
    users_t,
)

# The tables stay importable from here, where read.py takes them from.
__all__ = [
    "BATCH_SIZE", "LoadReport", "Loader", "comment_meta_t", "comments_t", "extras_t", "history_t",
    "issues_t", "sources_t", "term_meta_t", "terms_t", "thread_meta_t", "thread_terms_t",
    "threads_t", "users_t",
]

# Rows per executemany. A batch of comments is held as records and rows
# until it is written: 1,000 rather than 2,000 took the storing process's
# peak in a 500k-comment import from 65.3 to 62.5 MB, and loaded no slower.
BATCH_SIZE = 1000
# How many combinations of a comment's raw type and status values the
# loader keeps worked out (a file has a handful; a strange one, no more).
_KINDS_KEPT = 256
# Runs of a comment's fields in COMMENT_COLUMNS order (one C call each).
_ORIGIN_KEY = attrgetter("origin", "key")
_IDS = attrgetter("wp_id", "dsq_id")
_KIND_OF = attrgetter(
    "origin", "wp_type", "wp_approved", "dsq_is_spam", "dsq_is_deleted", "dsq_is_approved"
)
_FLAGS_TO_USER_ID = attrgetter(
    "wp_approved", "dsq_is_approved", "dsq_is_deleted", "dsq_is_spam", "dsq_is_flagged",
    "dsq_is_highlighted", "dsq_is_anonymous", "dsq_identifier", "author_name",
    "author_email", "author_url", "author_ip", "wp_user_id", "dsq_username",
)
_DATES_CONTENT = attrgetter("created_at", "created_at_local", "content")


def refresh_statistics(connection: Connection, report: LoadReport) -> None:
    """Let PostgreSQL's planner see what a large load wrote.

    Statistics taken while the tables were small make it plan key lookups as
    scans of the whole site: re-importing a 50k-comment file then took
    minutes instead of seconds.
    """
    if connection.dialect.name != "postgresql":
        return
    if report.counts["comment"] + report.counts["thread"] < 1000:
        return
    connection.exec_driver_sql(analyze_sql(
        connection, (comments_t, comment_meta_t, threads_t, thread_meta_t, extras_t)))


def _merged_fields(origin: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    """The columns a re-imported WordPress row keeps when the file has no
    value for them: those a merged Disqus record put there."""
    return fields if origin == "wxr" else ()


def count_stored(connection: Connection, reports: Iterable[LoadReport]) -> None:
    """Fill each report's ``stored`` counts once every file of an import is
    loaded: what the store holds from its file, not what was read (a file
    imported twice in one command is stored once)."""
    seen: set[int] = set()
    for report in reports:
        if report.source_id is None or report.source_id in seen:
            continue
        seen.add(report.source_id)
        for kind, table in (("comment", comments_t), ("thread", threads_t)):
            report.stored[kind] = connection.execute(
                select(func.count()).select_from(table)
                .where(table.c.source_id == report.source_id)
            ).scalar_one()


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
        self.batch_size = batch_size
        self.report = LoadReport()
        self.now = datetime.now(timezone.utc).replace(tzinfo=None)
        self.issues = IssueLog(connection, self.report, self.now)
        self.children = ChildRows(connection)
        self.indexes = DeferredIndexes(connection)
        self.links = ParentLinker(connection, self.report, self.issues)
        self.changes = ChangeLog(connection, self.report, self.issues, self.now)
        # Each site, origin and source this import stored comments under.
        self.comment_sources: set[tuple[str, str, int]] = set()
        self.source: Source | None = None
        self.source_id: int | None = None
        self.site = ""
        self.position = 0
        self.source_extras_stored = 0
        self.thread_ids = ThreadIds(connection)
        self.user_ids_by_wp_id: dict[str, int] = {}
        self.user_ids_by_username: dict[str, int] = {}
        self.matcher = Matcher(connection, threads_t, comments_t, users_t, merge or MergeOptions())
        self.disqus = DisqusMerge(
            self.matcher, self.report, self.issues, self.thread_ids, self.user_ids_by_wp_id
        )
        self.blogger = BloggerMerge(self.matcher, self.report, self.issues, self.thread_ids)
        # Whether this import wrote WordPress items, which Disqus rows
        # stored before them may merge into.
        self.wrote_wxr = False
        self.pending_threads: list[Thread] = []
        self.pending_comments: list[Comment] = []
        self.pending_history: list[CommentChange] = []
        self.kinds: dict[tuple[str | None, ...], tuple[str, str | None, str]] = {}
        self.writers = {
            table.name: TableWriter(connection, table) for table in (threads_t, comments_t)
        }
        self.writers["comments"].before_upsert = self.changes.compare
        # On PostgreSQL a batch linked to a parent that a repeated id kept
        # out of the table fails its foreign key; it is then written again
        # unlinked, inside a savepoint. (A first import, loaded without
        # foreign keys, meets that check once at its end instead: the
        # parent is in by then, as on SQLite.)
        self.guard_links = connection.dialect.name == "postgresql"
        # SQLite stores dates as text: made here from the raw text, which
        # is quicker than through a datetime.
        self.dates_as_text = connection.dialect.name == "sqlite"
        # Checked here so that a value too long for its column is refused
        # alike on every backend (SQLite would take it).
        self.thread_bounds = bounds(threads_t, THREAD_COLUMNS)
        self.comment_bounds = bounds(comments_t, COMMENT_COLUMNS)

    @property
    def pending_issues(self) -> list[ImportIssue]:
        """Issues recorded and not yet stored."""
        return self.issues.pending

    # -- the stream -----------------------------------------------------

    def load(self, records: Iterable[Record]) -> LoadReport:
        """Store every record of the stream; what was done is reported."""
        handlers: dict[type, Callable[[Any], None]] = {
            Source: self._source,
            User: self._user,
            Term: self._term,
            Thread: self._thread,
            Comment: self._comment,
            ImportIssue: self._issue,
            CommentChange: self.pending_history.append,
        }
        for record in records:
            handlers[type(record)](record)
        self._flush_threads()
        self._flush_comments()
        self.indexes.restore()
        if self.wrote_wxr:
            self._merge_stored()
        if self.pending_history:
            self.changes.keep(self.pending_history, self.source_id)
        for site, origin, source_id in sorted(self.comment_sources):
            self.changes.record_deletions(site, origin, source_id)
        self.issues.flush()
        self._store_late_source_extras()
        # Asked only for an export whose replies may answer merged rows:
        # knowing whether a WXR is stored indexes every stored item.
        self.links.link_parents(lambda: self.matcher.has_wxr)
        relinked = {origin for _, origin in self.links.reset_links}
        counts = self.report.counts
        merged = counts["comment merged"] + counts["stored comment merged"]
        if merged or relinked & {"wxr", "blogger"}:
            self.links.link_merged_copies()
        for writer in self.writers.values():
            writer.sync_sequence()
        refresh_statistics(self.connection, self.report)
        return self.report

    def _merge_stored(self) -> None:
        """Merge the Disqus and Blogger rows stored before this WXR into it.

        Only when such an export was imported (the sources say, in a few
        rows): looking for their rows would read the whole comments table.
        """
        origins = set(
            self.connection.execute(select(sources_t.c.origin).distinct()).scalars()
        )
        merges = {"disqus": StoredDisqusMerge, "blogger": StoredBloggerMerge}
        for origin, merge in merges.items():
            if origin in origins:
                merge(
                    self.connection, self.matcher.options, self.report, self.issues, self.links
                ).run()

    def finish_source(self, sha256: str | None) -> None:
        """Record the hash of the file just read; a file seen before keeps its
        first source row, so re-importing it changes nothing.

        A source that came with a hash of its own (an archive's record of the
        file it was first read from) keeps it: that file's hash stands for it.
        """
        if self.source is not None and self.source.sha256 is not None:
            sha256 = self.source.sha256
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
        # The first import already recorded this file's issues, but not
        # what it changed in the store since: those go with the history.
        self.connection.execute(delete(issues_t).where(
            issues_t.c.source_id == self.source_id, issues_t.c.code.not_in(CHANGE_CODES)
        ))
        for table in (users_t, terms_t, threads_t, comments_t, history_t, issues_t):
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
        self.indexes.restore()
        self.source = record
        self.issues.file = record.name
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
            "child_order": json_list(record.child_order),
            "imported_at": self.now,
        }
        check_value_lengths(sources_t, values, "source", record.name, record.name)
        result = self.connection.execute(insert(sources_t).values(**values))
        inserted = result.inserted_primary_key
        assert inserted is not None  # a single-row insert has its key
        self.source_id = self.issues.source_id = int(inserted[0])
        if record.origin == "wxr":
            # After the insert, which began the transaction the drops
            # belong to: the driver begins none for DDL.
            self.indexes.drop_for_first_load()
        self.report.source_id = self.source_id
        self.report.sources.append(record.name)
        self.report.counts["source"] += 1
        self.children.replace_extras("source", [(self.source_id, record.extras)], True)
        self.source_extras_stored = len(record.extras)

    def _store_late_source_extras(self) -> None:
        """Extras a reader added to the Source after yielding it (content
        after the last item), stored once the stream is exhausted."""
        if self.source is None or self.source_id is None:
            return
        late = self.source.extras[self.source_extras_stored :]
        if late:
            first = self.source_extras_stored
            self.children.add_extras("source", self.source_id, first, late)
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
            self.issues.add(
                ImportIssue("bad-date", f"not a date: {raw!r}", record_key=f"{kind} {key}")
            )
            return None
        if value is None or not self.dates_as_text:
            return value
        return sqlite_datetime(value)

    def _require_source(self, what: str) -> None:
        if self.source is None:
            raise ValueError(f"a {what} record came before any source record")

    def _store_one(self, table: Table, origin: str, key: str, **values: Any) -> int:
        """Upsert one row of ``table`` (users, terms: few, and written as
        they come) and return its id."""
        self.position += 1
        row = {
            "site": self.site,
            "origin": origin,
            "key": key,
            "source_id": self.source_id,
            "position": self.position,
            **values,
        }
        check_value_lengths(table, row, table.name.rstrip("s"), self.issues.file, key)
        upsert(self.connection, table, [row])
        row_id: int = ids_by_key(self.connection, table, self.site, origin, [key])[key]
        return row_id

    def _user(self, record: User) -> None:
        self._require_source("user")
        key = (record.login if record.origin == "wxr" else record.dsq_username) or None
        if key is None:
            # A user known by login alone (a saved page's comment-author-LOGIN),
            # or by id alone (an author whose login is blank: one key each).
            key = (f"login:{record.login}" if record.wp_id is None and record.login
                   else f"id:{record.wp_id}")
        user_id = self._store_one(
            users_t, record.origin, key,
            wp_id=record.wp_id, login=record.login, email=record.email,
            display_name=record.display_name, first_name=record.first_name,
            last_name=record.last_name, dsq_username=record.dsq_username,
        )
        if record.wp_id is not None:
            self.user_ids_by_wp_id[record.wp_id.strip()] = user_id
        if record.dsq_username:
            self.user_ids_by_username[record.dsq_username] = user_id
        self.children.replace_extras("user", [(user_id, record.extras)])
        self.report.counts["user"] += 1

    def _term(self, record: Term) -> None:
        self._require_source("term")
        ident = record.term_id if record.term_id is not None else record.slug
        key = f"{record.kind}:{ident if ident is not None else self.position + 1}"
        term_id = self._store_one(
            terms_t, record.origin, key,
            kind=record.kind, term_id=record.term_id, taxonomy=record.taxonomy,
            slug=record.slug, parent=record.parent, name=record.name,
            description=record.description, dsq_forum=record.dsq_forum,
            dsq_is_default=record.dsq_is_default,
        )
        self.children.replace_meta(term_meta_t, "term_id", [(term_id, record.meta)])
        self.children.replace_extras("term", [(term_id, record.extras)])
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
        self.issues.add(record)

    # -- batches --------------------------------------------------------

    def _flush_threads(self) -> None:
        threads, self.pending_threads = self.pending_threads, []
        if threads and threads[0].origin == "disqus":
            threads = self.disqus.threads(threads)
        elif threads and threads[0].origin == "blogger":
            threads = self.blogger.threads(threads)
        if not threads:
            return
        site, source_id, utc = self.site, self.source_id, self._utc
        rows: list[list[Any]] = []
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
                record.dsq_author_is_anonymous, json_list(record.child_order),
            ])
        check_lengths(rows, self.thread_bounds, "thread", self.issues.file)
        origin = threads[0].origin
        self.wrote_wxr = self.wrote_wxr or origin == "wxr"
        ids, new = self.writers["threads"].write(
            self.site, origin, THREAD_COLUMNS, rows, self.issues.renamer("thread"),
            self.source_id, keep=_merged_fields(origin, DSQ_THREAD_FIELDS),
        )
        for record, row in zip(threads, rows, strict=True):
            record.key = row[KEY]
        self.thread_ids.wrote(
            self.site, origin, self.source_id,
            ((t.key, i) for t, i in zip(threads, ids, strict=True)),
        )
        self.children.replace_meta(
            thread_meta_t, "thread_id", zip(ids, (t.meta for t in threads), strict=True), new
        )
        terms = [
            (thread_id, position, term.domain, term.nicename, term.name)
            for thread_id, thread in zip(ids, threads, strict=True)
            for position, term in enumerate(thread.terms)
        ]
        self.children.replace(
            thread_terms_t, "thread_id", ids,
            ("thread_id", "position", "domain", "nicename", "name"), terms, new,
        )
        self.children.replace_extras(
            "thread", zip(ids, (t.extras for t in threads), strict=True), new
        )
        self.report.counts["thread"] += len(threads)

    def _flush_comments(self) -> None:
        comments, self.pending_comments = self.pending_comments, []
        if comments and comments[0].origin == "disqus":
            comments = self.disqus.comments(comments)
        elif comments and comments[0].origin == "blogger":
            comments = self.blogger.comments(comments)
        if not comments:
            return
        origin = comments[0].origin
        writer = self.writers["comments"]
        fresh = writer.is_fresh(self.site, origin)
        next_id = writer.allocate(len(comments)) if fresh else 0
        unresolved = self.links.unresolved_of(self.site, origin)
        rows = self._comment_rows(comments)
        if fresh:
            self.links.link_locally(rows, next_id, unresolved)
        check_lengths(rows, self.comment_bounds, "comment", self.issues.file)
        self.links.sites.add((self.site, origin))
        ids, new = self._write_comments(origin, rows, unresolved)
        if not new:
            self.links.reset_links.add((self.site, origin))
        elif self.links.link_while_loading:
            renamed = [(row[ID], c.key) for c, row in zip(comments, rows, strict=True)
                       if row[KEY] != c.key]
            if renamed:
                self.links.forget_renamed(self.site, origin, renamed)
        for record, row in zip(comments, rows, strict=True):
            record.key = row[KEY]
        self.changes.record(
            self.source_id, [c.key for c in comments], ids, [c.meta for c in comments], new
        )
        if self.source_id is not None:
            self.comment_sources.add((self.site, origin, self.source_id))
        self.children.replace_meta(
            comment_meta_t, "comment_id", zip(ids, (c.meta for c in comments), strict=True), new
        )
        self.children.replace_extras(
            "comment", zip(ids, (c.extras for c in comments), strict=True), new
        )
        self.report.counts["comment"] += len(comments)

    def _comment_rows(self, comments: list[Comment]) -> list[list[Any]]:
        """A batch's rows, in COMMENT_COLUMNS order, without their ids.

        The loop every comment goes through: the record's fields are taken
        a run of columns at a time.
        """
        site, source_id, utc = self.site, self.source_id, self._utc
        thread_ids = self.thread_ids.ids_of(dict.fromkeys(c.thread for c in comments))
        users_by_wp_id, users_by_username = self.user_ids_by_wp_id, self.user_ids_by_username
        kind = self._kind
        # A comment of an archive written from a store (its source came
        # with its hash) keeps the place it had there: the order of its
        # source, which the archive's tree order does not show.
        archived = self.source is not None and self.source.sha256 is not None
        position = self.position
        rows: list[list[Any]] = []
        append = rows.append
        for record in comments:
            user_id = None
            if record.wp_user_id is not None:
                user_id = users_by_wp_id.get(record.wp_user_id.strip())
            elif record.dsq_username:
                user_id = users_by_username.get(record.dsq_username)
            thread = record.thread
            thread_id = thread_ids.get(thread)
            if thread_id is None:
                self.issues.add(ImportIssue(
                    "thread-missing", f"thread {thread!r} is not in the file",
                    record_key=f"comment {record.key}",
                ))
            position += 1
            append([
                None, site, *_ORIGIN_KEY(record), source_id,
                record.position if archived and record.position is not None else position,
                thread, thread_id, record.parent, canonical.parent_reference(record), None,
                *_IDS(record), *kind(record), *_FLAGS_TO_USER_ID(record), user_id,
                utc(record.created_at, "comment", record.key), *_DATES_CONTENT(record),
            ])
        self.position = position
        return rows

    def _kind(self, record: Comment) -> tuple[str, str | None, str]:
        """The comment's canonical type, its raw WordPress type and its
        canonical status, in COMMENT_COLUMNS order: worked out once for each
        combination of the raw values they are made from."""
        raw = _KIND_OF(record)
        known = self.kinds.get(raw)
        if known is None:
            known = (
                canonical.comment_type(record), record.wp_type, canonical.comment_status(record)
            )
            if len(self.kinds) < _KINDS_KEPT:
                self.kinds[raw] = known
        return known

    def _write_comments(
        self, origin: str, rows: list[list[Any]], unresolved: array[int]
    ) -> tuple[list[int], bool]:
        writer = self.writers["comments"]
        rename = self.issues.renamer("comment")
        keep = _merged_fields(origin, DSQ_COMMENT_FIELDS)
        linked = [row for row in rows if row[PARENT_ID] is not None]
        if not (self.guard_links and linked):
            return writer.write(
                self.site, origin, COMMENT_COLUMNS, rows, rename, self.source_id, keep=keep
            )
        try:
            with self.connection.begin_nested():
                return writer.write(
                    self.site, origin, COMMENT_COLUMNS, rows, rename, self.source_id, keep=keep
                )
        except IntegrityError:
            pass
        # A parent of this batch shares its id with an earlier row and was
        # not inserted (it is renamed on the way in): leave every link of the
        # batch to the UPDATE after loading.
        for row in linked:
            row[PARENT_ID] = None
            unresolved.append(row[ID])
        self.report.linked -= len(linked)
        return writer.write(
            self.site, origin, COMMENT_COLUMNS, rows, rename, self.source_id, keep=keep
        )
