"""Bulk loading of a record stream into the store.

One import is one transaction.  Rows go in through Core ``executemany`` in
batches as upserts on their identity ``(site, origin, key)``, so loading the
same file twice updates rows in place.  Parents are linked afterwards with one
set-based ``UPDATE`` per site, because a reply may come before its parent and
only the whole file says whether a parent exists.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, select, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import aliased

from .. import canonical
from ..models import (
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

BATCH_SIZE = 5000
# Bound parameters per statement stay well under every backend's limit
# (SQLite's default is 32766, MariaDB's and PostgreSQL's 65535).
IN_CHUNK = 900
IDENTITY = ("site", "origin", "key")


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


def _upsert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, updating those whose identity already exists."""
    if not rows:
        return
    name = connection.dialect.name
    columns = [c for c in rows[0] if c not in IDENTITY]
    if name in ("sqlite", "postgresql"):
        module = sqlite if name == "sqlite" else postgresql
        stmt = module.insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(IDENTITY),
            set_={c: stmt.excluded[c] for c in columns},
        )
    elif name in ("mysql", "mariadb"):
        stmt = mysql.insert(table)
        stmt = stmt.on_duplicate_key_update({c: stmt.inserted[c] for c in columns})
    else:  # pragma: no cover - other backends are not supported
        raise NotImplementedError(name)
    connection.execute(stmt, rows)


def pairs(result: Iterable[Any]) -> dict[Any, Any]:
    """A two-column result as a dict (``dict(result)`` would take the
    result's ``keys()`` for a mapping's)."""
    return {first: second for first, second in result}


def _chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ids_by_key(
    connection: Connection, table: Table, site: str, origin: str, keys: Sequence[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(keys):
        rows = connection.execute(
            select(table.c.key, table.c.id).where(
                table.c.site == site,
                table.c.origin == origin,
                table.c.key.in_(chunk),
            )
        )
        found.update((key, id_) for key, id_ in rows)
    return found


def _utc(raw: str | None, issue: Callable[[str, str], None]) -> datetime | None:
    try:
        return canonical.parse_utc(raw)
    except ValueError:
        issue("bad-date", f"not a date: {raw!r}")
        return None


class Loader:
    """Loads one record stream; use :meth:`load`."""

    def __init__(self, connection: Connection, *, batch_size: int = BATCH_SIZE) -> None:
        self.connection = connection
        self.batch_size = batch_size
        self.report = LoadReport()
        self.source: Source | None = None
        self.source_id: int | None = None
        self.site = ""
        self.sites: set[tuple[str, str]] = set()
        self.now = datetime.now(timezone.utc).replace(tzinfo=None)
        self.position = 0
        self.thread_ids: dict[str, int] = {}
        self.user_ids_by_wp_id: dict[str, int] = {}
        self.user_ids_by_username: dict[str, int] = {}
        self.pending_threads: list[Thread] = []
        self.pending_comments: list[Comment] = []
        self.pending_issues: list[ImportIssue] = []

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
        self._link_parents()
        return self.report

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
            "imported_at": self.now,
        }
        result = self.connection.execute(insert(sources_t).values(**values))
        self.source_id = int(result.inserted_primary_key[0])
        self.report.source_id = self.source_id
        self.report.sources.append(record.name)
        self.report.counts["source"] += 1
        self._replace_extras("source", {self.source_id: record.extras})

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
        _upsert(self.connection, users_t, [row])
        user_id = _ids_by_key(self.connection, users_t, self.site, record.origin, [key])[key]
        if record.wp_id is not None:
            self.user_ids_by_wp_id[record.wp_id.strip()] = user_id
        if record.dsq_username:
            self.user_ids_by_username[record.dsq_username] = user_id
        self._replace_extras("user", {user_id: record.extras})
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
        _upsert(self.connection, terms_t, [row])
        term_id = _ids_by_key(self.connection, terms_t, self.site, record.origin, [key])[key]
        self._replace_meta(term_meta_t, "term_id", {term_id: record.meta})
        self._replace_extras("term", {term_id: record.extras})
        self.report.counts["term"] += 1

    def _thread(self, record: Thread) -> None:
        self._require_source("thread")
        self.pending_threads.append(record)
        if len(self.pending_threads) >= self.batch_size:
            self._flush_threads()

    def _comment(self, record: Comment) -> None:
        self._require_source("comment")
        self.pending_comments.append(record)
        if len(self.pending_comments) >= self.batch_size:
            self._flush_threads()
            self._flush_comments()

    def _issue(self, record: ImportIssue) -> None:
        self.report.issues.append(record)
        self.pending_issues.append(record)

    # -- batches --------------------------------------------------------

    def _flush_threads(self) -> None:
        threads, self.pending_threads = self.pending_threads, []
        if not threads:
            return
        rows = []
        for record in threads:

            def issue(code: str, reason: str, key: str = record.key) -> None:
                self._issue(ImportIssue(code, reason, record_key=f"thread {key}"))

            rows.append(
                {
                    "site": self.site,
                    "origin": record.origin,
                    "key": record.key,
                    "source_id": self.source_id,
                    "position": self._next_position(),
                    "wp_post_id": record.wp_post_id,
                    "dsq_id": record.dsq_id,
                    "identifier": record.identifier,
                    "title": record.title,
                    "link": record.link,
                    "pub_date": record.pub_date,
                    "creator": record.creator,
                    "guid": record.guid,
                    "guid_is_permalink": record.guid_is_permalink,
                    "description": record.description,
                    "content": record.content,
                    "excerpt": record.excerpt,
                    "created_at": _utc(record.created_at, issue),
                    "created_at_raw": record.created_at,
                    "created_at_local": record.created_at_local,
                    "modified_at_raw": record.modified_at,
                    "modified_at_local": record.modified_at_local,
                    "comment_status": record.comment_status,
                    "ping_status": record.ping_status,
                    "slug": record.slug,
                    "status": record.status,
                    "post_parent": record.post_parent,
                    "menu_order": record.menu_order,
                    "post_type": record.post_type,
                    "post_password": record.post_password,
                    "is_sticky": record.is_sticky,
                    "attachment_url": record.attachment_url,
                    "dsq_forum": record.dsq_forum,
                    "dsq_category": record.dsq_category,
                    "dsq_is_closed": record.dsq_is_closed,
                    "dsq_is_deleted": record.dsq_is_deleted,
                    "dsq_ip_address": record.dsq_ip_address,
                    "dsq_author_name": record.dsq_author_name,
                    "dsq_author_email": record.dsq_author_email,
                    "dsq_author_username": record.dsq_author_username,
                    "dsq_author_is_anonymous": record.dsq_author_is_anonymous,
                }
            )
        _upsert(self.connection, threads_t, rows)
        origin = threads[0].origin
        ids = _ids_by_key(self.connection, threads_t, self.site, origin, [t.key for t in threads])
        self.thread_ids.update(ids)
        self.sites.add((self.site, origin))
        self._replace_meta(thread_meta_t, "thread_id", {ids[t.key]: t.meta for t in threads})
        self._replace_rows(
            thread_terms_t,
            "thread_id",
            {
                ids[t.key]: [
                    {"domain": term.domain, "nicename": term.nicename, "name": term.name}
                    for term in t.terms
                ]
                for t in threads
            },
        )
        self._replace_extras("thread", {ids[t.key]: t.extras for t in threads})
        self.report.counts["thread"] += len(threads)

    def _flush_comments(self) -> None:
        comments, self.pending_comments = self.pending_comments, []
        if not comments:
            return
        self._rename_duplicates(comments)
        rows = []
        for record in comments:

            def issue(code: str, reason: str, key: str = record.key) -> None:
                self._issue(ImportIssue(code, reason, record_key=f"comment {key}"))

            user_id = None
            if record.wp_user_id is not None:
                user_id = self.user_ids_by_wp_id.get(record.wp_user_id.strip())
            elif record.dsq_username:
                user_id = self.user_ids_by_username.get(record.dsq_username)
            thread_id = self.thread_ids.get(record.thread)
            if thread_id is None:
                issue("thread-missing", f"thread {record.thread!r} is not in the file")
            rows.append(
                {
                    "site": self.site,
                    "origin": record.origin,
                    "key": record.key,
                    "source_id": self.source_id,
                    "position": self._next_position(),
                    "thread_key": record.thread,
                    "thread_id": thread_id,
                    "parent": record.parent,
                    "parent_key": canonical.parent_reference(record),
                    "wp_id": record.wp_id,
                    "dsq_id": record.dsq_id,
                    "type": canonical.comment_type(record),
                    "wp_type": record.wp_type,
                    "status": canonical.comment_status(record),
                    "wp_approved": record.wp_approved,
                    "dsq_is_approved": record.dsq_is_approved,
                    "dsq_is_deleted": record.dsq_is_deleted,
                    "dsq_is_spam": record.dsq_is_spam,
                    "dsq_is_flagged": record.dsq_is_flagged,
                    "dsq_is_highlighted": record.dsq_is_highlighted,
                    "dsq_is_anonymous": record.dsq_is_anonymous,
                    "dsq_identifier": record.dsq_identifier,
                    "author_name": record.author_name,
                    "author_email": record.author_email,
                    "author_url": record.author_url,
                    "author_ip": record.author_ip,
                    "wp_user_id": record.wp_user_id,
                    "dsq_username": record.dsq_username,
                    "user_id": user_id,
                    "created_at": _utc(record.created_at, issue),
                    "created_at_raw": record.created_at,
                    "created_at_local": record.created_at_local,
                    "content": record.content,
                }
            )
        origin = comments[0].origin
        self.sites.add((self.site, origin))
        _upsert(self.connection, comments_t, rows)
        ids = _ids_by_key(self.connection, comments_t, self.site, origin, [c.key for c in comments])
        self._replace_meta(comment_meta_t, "comment_id", {ids[c.key]: c.meta for c in comments})
        self._replace_extras("comment", {ids[c.key]: c.extras for c in comments})
        self.report.counts["comment"] += len(comments)

    def _rename_duplicates(self, comments: list[Comment]) -> None:
        """Give a comment whose id this file already used a key of its own.

        An upsert would otherwise let the second overwrite the first; both
        are kept and the repeat is reported.
        """
        origin = comments[0].origin
        keys = [c.key for c in comments]
        c = comments_t
        seen_here: set[str] = set()
        for chunk in _chunks(keys):
            seen_here.update(
                self.connection.execute(
                    select(c.c.key).where(
                        c.c.site == self.site,
                        c.c.origin == origin,
                        c.c.key.in_(chunk),
                        c.c.source_id == self.source_id,
                    )
                ).scalars()
            )
        for record in comments:
            if record.key in seen_here:
                original = record.key
                n = 2
                while f"{original}~{n}" in seen_here:
                    n += 1
                record.key = f"{original}~{n}"
                self._issue(
                    ImportIssue(
                        "duplicate-id",
                        f"comment id {original!r} appears more than once in the file; "
                        f"this one is kept as {record.key!r}",
                        severity="repaired",
                        record_key=f"comment {original}",
                    )
                )
            seen_here.add(record.key)

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

    def _replace_rows(
        self, table: Table, owner_column: str, rows_by_owner: dict[int, list[dict[str, Any]]]
    ) -> None:
        """Make each owner's child rows exactly these, in this order."""
        owners = list(rows_by_owner)
        for chunk in _chunks(owners):
            self.connection.execute(delete(table).where(table.c[owner_column].in_(chunk)))
        rows = [
            {owner_column: owner, "position": position, **row}
            for owner, children in rows_by_owner.items()
            for position, row in enumerate(children)
        ]
        if rows:
            self.connection.execute(insert(table), rows)

    def _replace_meta(
        self, table: Table, owner_column: str, meta_by_owner: dict[int, list[Meta]]
    ) -> None:
        self._replace_rows(
            table,
            owner_column,
            {
                owner: [{"meta_key": k, "meta_value": v} for k, v in meta]
                for owner, meta in meta_by_owner.items()
            },
        )

    def _replace_extras(self, owner: str, extras_by_owner: dict[int, list[Extra]]) -> None:
        owners = list(extras_by_owner)
        for chunk in _chunks(owners):
            self.connection.execute(
                delete(extras_t).where(extras_t.c.owner == owner, extras_t.c.owner_id.in_(chunk))
            )
        rows = [
            {
                "owner": owner,
                "owner_id": owner_id,
                "position": position,
                "kind": extra.kind,
                "name": extra.name,
                "value": extra.value,
                "anchor": extra.anchor,
            }
            for owner_id, extras in extras_by_owner.items()
            for position, extra in enumerate(extras)
        ]
        if rows:
            self.connection.execute(insert(extras_t), rows)

    # -- the tree -------------------------------------------------------

    def _link_parents(self) -> None:
        """Link every reply of the loaded sites to its parent, set-based.

        A parent is linked only when it is in the same thread: a reference to
        another thread's comment is kept raw and reported, as is a reference
        to nothing at all (a parent that was spam and left out of the export).
        """
        for site, origin in sorted(self.sites):
            c = comments_t
            p = aliased(comments_t, name="p")
            in_site = and_(c.c.site == site, c.c.origin == origin)
            self.connection.execute(update(c).where(in_site).values(parent_id=None))
            linked = self.connection.execute(
                update(c)
                .where(
                    in_site,
                    c.c.parent_key.is_not(None),
                    p.c.site == c.c.site,
                    p.c.origin == c.c.origin,
                    p.c.key == c.c.parent_key,
                    p.c.thread_id == c.c.thread_id,
                )
                .values(parent_id=p.c.id)
            ).rowcount
            self.report.linked += linked
            self._report_unlinked(site, origin)
            self.report.cycles_broken += self._break_cycles(site, origin)

    def _report_unlinked(self, site: str, origin: str) -> None:
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
            .where(
                c.c.site == site,
                c.c.origin == origin,
                c.c.parent_key.is_not(None),
                c.c.parent_id.is_(None),
            )
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

    def _break_cycles(self, site: str, origin: str) -> int:
        """Find parent cycles and cut each at one link.

        Only linked replies can be in a cycle, so just their (id, parent)
        pairs are read; each cycle is cut at its member listed last in the
        file, whose parent link is the one most likely to be wrong.
        """
        c = comments_t
        parent_of: dict[int, int] = pairs(
            self.connection.execute(
                select(c.c.id, c.c.parent_id).where(
                    c.c.site == site, c.c.origin == origin, c.c.parent_id.is_not(None)
                )
            )
        )
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
