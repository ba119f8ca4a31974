"""Linking replies to their parents as an import loads them.

A reply whose parent came earlier in its thread is linked as its row is
built (SQLite and PostgreSQL); the rest are linked after loading with
set-based ``UPDATE``s, because a reply may come before its parent and only
the whole file says whether a parent exists.  Only those ``UPDATE``s can
close a cycle of parent links, which is then cut by the rule of
:mod:`wxrbridge.threads`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, case, or_, select, update

from ..records import ImportIssue
from ..threads import KeyRank, cycle_cut, find_cycles, key_rank
from .bulk import chunks, pairs
from .load_issues import IssueLog, LoadReport
from .load_rows import ID, KEY, PARENT_ID, PARENT_KEY, THREAD_ID, THREAD_KEY
from .server_load import IN_CHUNK, UNCHECKED
from .tables import comments_t

# The column of a WordPress row that a reply of another export names its
# merged parent by.
_MERGED_AS = {"disqus": "dsq_id", "blogger": "merged_key"}
# Replies whose ancestors are walked at a time when looking for cycles.
_WALK_GROUP = 10_000


def _scopes(
    whole: ColumnElement[bool] | None, ids: array[int]
) -> Iterator[ColumnElement[bool]]:
    """The rows to link, a statement's worth at a time: ``whole`` at once,
    else ``ids`` by chunks, each condition made as its statement runs (made
    all at once, they held every id as a bound parameter)."""
    if whole is not None:
        yield whole
        return
    for start in range(0, len(ids), IN_CHUNK):
        yield comments_t.c.id.in_(ids[start : start + IN_CHUNK].tolist())


class ParentLinker:
    """The parent links of one import's comments."""

    def __init__(self, connection: Connection, report: LoadReport, issues: IssueLog) -> None:
        self.connection = connection
        self.report = report
        self.issues = issues
        # The (site, origin) pairs whose comments this import wrote.
        self.sites: set[tuple[str, str]] = set()
        # Sites whose comments did not all go in by the fresh path: relinked
        # whole.  (A fresh site's parent links start out empty and need no
        # reset before linking.)
        self.reset_links: set[tuple[str, str]] = set()
        # Fresh path: each reply whose parent came earlier in the same thread
        # is linked as its row is built; the rest wait here for the UPDATE
        # (as 8-byte ids, not int objects of 40 bytes: a file may have
        # millions).
        self.local_thread: str | None = None
        self.local_ids: dict[str, int] = {}
        self.unresolved: dict[tuple[str, str], array[int]] = {}
        # Linking rows of one batch to each other needs the parent foreign
        # key checked after the rows are in: SQLite defers it to commit,
        # PostgreSQL checks it at the end of each statement (a batch is one
        # statement there).  MariaDB checks each row as it goes in, unless
        # it loads an empty store (server_load.unchecked_references).
        self.link_while_loading = connection.dialect.name in ("sqlite", "postgresql") \
            or connection.info.get(UNCHECKED, False)

    def unresolved_of(self, site: str, origin: str) -> array[int]:
        """The ids of the replies of ``site`` and ``origin`` left to the UPDATE."""
        found = self.unresolved.get((site, origin))
        if found is None:
            found = self.unresolved[(site, origin)] = array("q")
        return found

    def link_parents(self, merged_parents: Callable[[], bool]) -> None:
        """Link the replies not linked while loading, set-based.

        A parent is linked only when it is in the same thread: a reference to
        another thread's comment is kept raw and reported, as is a reference
        to nothing at all (a parent that was spam and left out of the export).
        A re-imported site is relinked whole, since its rows may have moved.
        ``merged_parents()``: whether Disqus and Blogger replies may answer
        comments merged onto WordPress rows (see :meth:`_link_where`); asked
        only when this import wrote such replies.
        """
        c = comments_t
        for site, origin in sorted(self.sites):
            in_site = and_(c.c.site == site, c.c.origin == origin)
            # Replies whose parent merged onto a WordPress row name it by
            # the Disqus id or the Blogger key that row now carries.
            merged_as = _MERGED_AS.get(origin)
            if merged_as is not None and not merged_parents():
                merged_as = None
            reset = (site, origin) in self.reset_links
            if reset:
                self.connection.execute(update(c).where(in_site).values(parent_id=None))
            unresolved = self.unresolved.get((site, origin), array("q"))
            scopes = partial(_scopes, in_site if reset else None, unresolved)
            linked = 0
            for scope in scopes():
                linked += self._link_where(
                    scope, c.c.parent_key.is_not(None), c.c.parent_id.is_(None),
                    by_ids=not reset,
                )
                if merged_as is not None:
                    linked += self._link_where(
                        scope,
                        c.c.parent_key.is_not(None),
                        c.c.parent_id.is_(None),
                        merged_as=merged_as,
                        by_ids=not reset,
                    )
            for scope in scopes():
                self._report_unlinked(scope)
            self.report.linked += linked
            # Links made while loading point backwards in the file and cannot
            # close a cycle; only the UPDATE's can.
            if linked:
                starts = None if reset else unresolved
                self.report.cycles_broken += self._break_cycles(site, origin, starts)

    def link_merged_copies(self) -> None:
        """Link a WordPress comment that another export's comment merged
        into, and that has no parent of its own (an importer's copy left at
        top level), under the parent that comment answered: the WordPress
        row it merged into, or its own export's row, in the same thread."""
        c = comments_t
        p = comments_t.alias("p")
        self.report.linked += self.connection.execute(
            update(c)
            .where(
                c.c.merged_parent_key.is_not(None),
                c.c.parent_key.is_(None),
                c.c.parent_id.is_(None),
                p.c.thread_id == c.c.thread_id,
                p.c.id != c.c.id,
                or_(
                    p.c.merged_key == c.c.merged_parent_key,
                    and_(p.c.origin == "blogger", p.c.key == c.c.merged_parent_key),
                ),
            )
            .values(parent_id=p.c.id)
        ).rowcount

    def _link_where(
        self, *conditions: ColumnElement[bool], merged_as: str | None = None,
        by_ids: bool = False,
    ) -> int:
        """Link replies to the parent their reference names, in their thread.

        ``merged_as``: a reply's parent merged onto a WordPress row answers
        to that row's column of this name (``dsq_id`` for a Disqus reply,
        ``merged_key`` for a Blogger one) rather than its key. ``by_ids``:
        the conditions pick the replies by a list of their ids.
        """
        c = comments_t
        p = comments_t.alias("p")
        if merged_as is not None:
            names_parent = and_(p.c[merged_as] == c.c.parent_key, p.c.id != c.c.id)
        else:
            names_parent = and_(
                p.c.site == c.c.site, p.c.origin == c.c.origin, p.c.key == c.c.parent_key
            )
        if self.connection.dialect.name in ("mysql", "mariadb"):
            return self._link_found(
                select(c.c.id, p.c.id).where(*conditions, names_parent,
                                             p.c.thread_id == c.c.thread_id), by_ids)
        rowcount: int = self.connection.execute(
            update(c)
            .where(*conditions, names_parent, p.c.thread_id == c.c.thread_id)
            .values(parent_id=p.c.id)
        ).rowcount
        return rowcount

    def _link_found(self, found: Select[Any], by_ids: bool) -> int:
        """MariaDB's link: the pairs of reply and parent are selected, then
        set by id.

        Its planner may read the replies of a multi-table ``UPDATE`` by the
        index on ``parent_id`` (every unlinked row is NULL there) rather
        than by their ids: 900 replies of a stored 100,000-comment site took
        0.31 s so, 0.05 s by id. A ``SELECT`` can be told to read them by
        id; through SQLAlchemy, an ``UPDATE`` of two tables cannot.
        """
        c = comments_t
        if by_ids:
            for dialect_name in ("mysql", "mariadb"):
                found = found.with_hint(c, "FORCE INDEX (PRIMARY)", dialect_name)
        parent_of: dict[int, int] = {}
        for reply, parent in self.connection.execute(found):
            # Of two rows a reply's reference names, the earlier, whichever
            # the server met first.
            parent_of[reply] = min(parent, parent_of.get(reply, parent))
        replies = sorted(parent_of)
        for chunk in chunks(replies):
            self.connection.execute(
                update(c).where(c.c.id.in_(chunk))
                .values(parent_id=case({reply: parent_of[reply] for reply in chunk},
                                       value=c.c.id))
            )
        return len(replies)

    def _report_unlinked(self, *conditions: ColumnElement[bool]) -> None:
        c = comments_t
        p = comments_t.alias("p")
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
        self.issues.store(issues)

    def _break_cycles(self, site: str, origin: str, starts: array[int] | None) -> int:
        """Find parent cycles and cut each at one link.

        Only linked replies can be in a cycle. Links made while loading point
        backwards in the file, so a cycle passes through one the UPDATE made:
        walking up from those (``starts``) is enough, and reads only their
        ancestors.  ``None`` walks every linked reply of the site (after a
        re-import relinked it whole).  Each cycle is cut by the rule of
        :func:`wxrbridge.threads.cycle_cut`, at its member of the greatest
        key: row ids follow the order rows first arrived in, which the
        files imported and their order decide, and must not.
        """
        if starts is None:
            cycles = find_cycles(self._linked_ancestors(site, origin, None))
        else:
            # A cycle through a start is among that start's ancestors, so
            # the starts are walked a group at a time: the links held stay
            # a group's, however many replies the file has (the ancestors
            # of all of them took 23 MB at 5,000,000 comments). A cycle two
            # groups meet is found twice and cut once.
            cycles = [cycle for group in chunks(starts, _WALK_GROUP)
                      for cycle in find_cycles(self._linked_ancestors(site, origin, group))]
        if not cycles:
            return 0
        c = comments_t
        names = self._names(sorted({member for cycle in cycles for member in cycle}))

        def rank(row_id: int) -> tuple[KeyRank, str]:
            key, row_origin = names[row_id]
            return key_rank(key), row_origin

        cuts = sorted({cycle_cut(cycle, rank) for cycle in cycles}, key=rank)
        for chunk in chunks(cuts):
            self.connection.execute(update(c).where(c.c.id.in_(chunk)).values(parent_id=None))
        self.issues.store(
            ImportIssue(
                "parent-cycle",
                "parent links form a cycle; this link was cut and the comment "
                "is shown at top level (its raw parent id is kept)",
                severity="repaired",
                record_key=f"comment {names[cut][0]}",
            )
            for cut in cuts
        )
        return len(cuts)

    def _names(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        """Each comment's key and origin, by its id."""
        c = comments_t
        names: dict[int, tuple[str, str]] = {}
        for chunk in chunks(ids):
            for row_id, key, row_origin in self.connection.execute(
                select(c.c.id, c.c.key, c.c.origin).where(c.c.id.in_(chunk))
            ):
                names[row_id] = (key, row_origin)
        return names

    def _linked_ancestors(
        self, site: str, origin: str, starts: Sequence[int] | None
    ) -> dict[int, int]:
        """The parent links of ``starts`` and all their ancestors (``None``:
        of every linked reply of the site)."""
        c = comments_t
        if starts is None:
            in_site = and_(c.c.site == site, c.c.origin == origin, c.c.parent_id.is_not(None))
            return pairs(self.connection.execute(select(c.c.id, c.c.parent_id).where(in_site)))
        parent_of: dict[int, int] = {}
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
        return parent_of

    def forget_renamed(self, site: str, origin: str, renamed: list[tuple[int, str]]) -> None:
        """Rows of a fresh batch kept under a new key, ``(id, key read)``,
        because an earlier row of the import has that key: a reply to the
        key read answers that earlier row, not them.  Replies linked to them
        while loading go to the UPDATE instead, which links by the stored
        keys (a repeat of a key of another thread had been the first of its
        thread here)."""
        for row_id, key in renamed:
            if self.local_ids.get(key) == row_id:
                del self.local_ids[key]
        c = comments_t
        ids = [row_id for row_id, _ in renamed]
        moved = [
            reply for chunk in chunks(ids) for reply in self.connection.execute(
                select(c.c.id).where(c.c.parent_id.in_(chunk))).scalars()
        ]
        for chunk in chunks(moved):
            self.connection.execute(update(c).where(c.c.id.in_(chunk)).values(parent_id=None))
        self.unresolved_of(site, origin).extend(moved)
        self.report.linked -= len(moved)

    def link_locally(
        self, rows: list[list[Any]], first_id: int, unresolved: array[int]
    ) -> None:
        """Give a fresh batch's rows their ids, from ``first_id`` on, and each
        reply whose parent came earlier in the same thread its parent link;
        the other replies' links are left to the UPDATE (``unresolved``)."""
        if not self.link_while_loading:
            for row_id, row in enumerate(rows, first_id):
                row[ID] = row_id
                if row[PARENT_KEY] is not None:
                    unresolved.append(row_id)
            return
        local_thread, local_ids = self.local_thread, self.local_ids
        linked = 0
        for row_id, row in enumerate(rows, first_id):
            row[ID] = row_id
            thread = row[THREAD_KEY]
            if thread != local_thread:
                local_thread = thread
                local_ids = {}
            # A key the thread repeats names its first row, as the UPDATE
            # (and every relinking after a re-import) has it.
            local_ids.setdefault(row[KEY], row_id)
            parent_key = row[PARENT_KEY]
            if parent_key is None:
                continue
            parent_id = local_ids.get(parent_key)
            if parent_id is not None and parent_id != row_id and row[THREAD_ID] is not None:
                row[PARENT_ID] = parent_id
                linked += 1
            else:
                unresolved.append(row_id)
        self.local_thread, self.local_ids = local_thread, local_ids
        self.report.linked += linked
