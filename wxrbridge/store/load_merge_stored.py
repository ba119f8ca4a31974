"""Merging stored Disqus and Blogger rows into a WXR that arrives after them.

load_merge.py merges a Disqus export into the WordPress rows already
stored.  Imported the other way round (the Disqus export first), the
Disqus threads and posts are stored as rows of their own; when the site's
WXR then loads, this merges them the same way, so that the store ends up
as it would have with the WXR first:

* a stored Disqus thread that matches a WXR item (merge.py's rules) puts
  its Disqus fields on the item, its posts move to the item, and the
  thread row goes;
* a post of a merged thread that is a stored WordPress comment
  (``wp_id=N``) puts its Disqus fields on the comment and its row goes
  (its replies are linked again, to the comment, by its ``dsq_id``);
* a Disqus author who is a site user writes as that user;
* a stored Blogger post that matches a WXR item by its link moves its
  comments to the item and goes; a Blogger comment there that a WordPress
  comment is a copy of (same author, time and text) leaves its key on that
  comment (``merged_key``) and goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from ..canonical import comment_fingerprint, wp_id_in_identifier
from .bulk import chunks
from .load_issues import IssueLog, LoadReport
from .load_links import ParentLinker
from .load_merge import (
    DSQ_COMMENT_FIELDS,
    DSQ_THREAD_FIELDS,
    extras_not_kept,
    unmatched_comment,
    unmatched_post,
    unmatched_thread,
)
from .merge import Matcher, MergeOptions
from .tables import (
    comment_meta_t,
    comments_t,
    extras_t,
    thread_meta_t,
    thread_terms_t,
    threads_t,
    users_t,
)

DISQUS = "disqus"
BLOGGER = "blogger"


class StoredMerge:
    """Merges the rows of one other export a store holds into its WXR rows;
    use :meth:`run` once a WXR import has written its rows."""

    # What it counts in the report: stored threads and comments merged into
    # this import's ("stored thread merged", "stored comment merged"), apart
    # from this import's merged into stored ones ("thread merged", …).

    def __init__(
        self,
        connection: Connection,
        options: MergeOptions,
        report: LoadReport,
        issues: IssueLog,
        links: ParentLinker,
    ) -> None:
        self.connection = connection
        self.report = report
        self.issues = issues
        self.links = links
        # A matcher of its own: the loader's may have indexed the WXR items
        # before this import wrote its own.
        self.matcher = Matcher(connection, threads_t, comments_t, users_t, options)

    def run(self) -> None:
        raise NotImplementedError


class StoredDisqusMerge(StoredMerge):
    """Stored Disqus threads and posts into WXR items and comments."""

    def run(self) -> None:
        if not self.matcher.has_wxr:
            return
        self._threads()
        self._comments()
        self._users()

    # -- threads --------------------------------------------------------

    def _threads(self) -> None:
        t = threads_t
        rows = self.connection.execute(
            select(t.c.id, t.c.key, t.c.link, *(t.c[f] for f in DSQ_THREAD_FIELDS))
            .where(t.c.origin == DISQUS)
            .order_by(t.c.id)
        ).all()
        moves, updates = [], []
        for row in rows:
            values = row._mapping
            target = self.matcher.thread(values["identifier"], values["link"])
            if target is None:
                self.issues.add(unmatched_thread(values["key"], values["link"] or
                                                 values["identifier"]))
                continue
            moves.append({"old": values["id"], "new": target})
            updates.append({"target": target, **{f: values[f] for f in DSQ_THREAD_FIELDS}})
        if not moves:
            return
        self.matcher.write_fields(threads_t, updates)
        move_comments(self.connection, moves)
        delete_threads(self.connection, [m["old"] for m in moves])
        self.report.counts["stored thread merged"] += len(moves)

    # -- comments -------------------------------------------------------

    def _comments(self) -> None:
        """Disqus posts in WordPress items that say which WordPress comment
        they are (``wp_id=N``) become fields of that comment."""
        c, t = comments_t, threads_t
        rows = self.connection.execute(
            select(c.c.id, c.c.key, c.c.site, c.c.thread_id, *(c.c[f] for f in DSQ_COMMENT_FIELDS))
            .join(t, t.c.id == c.c.thread_id)
            .where(c.c.origin == DISQUS, t.c.origin == "wxr", c.c.dsq_identifier.is_not(None))
            .order_by(c.c.id)
        ).all()
        wanted: dict[int, tuple[int, str]] = {}
        for row in rows:
            wp_id = wp_id_in_identifier(row.dsq_identifier)
            if wp_id is not None:
                wanted[row.id] = (row.thread_id, wp_id)
        found = self.matcher.comments_by_wp_id(list(wanted.values()))
        merged: list[int] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            pair = wanted.get(row.id)
            if pair is None:
                continue
            target = found.get(pair)
            if target is None:
                self.issues.add(unmatched_comment(row.key, pair[1]))
                continue
            merged.append(row.id)
            values = row._mapping
            updates.append({"target": target, **{f: values[f] for f in DSQ_COMMENT_FIELDS}})
            self.links.sites.add((row.site, DISQUS))
            self.links.reset_links.add((row.site, DISQUS))
        if not merged:
            return
        report_dropped_children(
            self.connection, self.issues, merged, {row.id: row.key for row in rows}, "Disqus post"
        )
        # Replies to a merged post are linked again afterwards, to the
        # WordPress comment that now carries its dsq_id.
        unlink_and_delete_comments(self.connection, merged)
        self.matcher.write_fields(comments_t, updates)
        self.report.counts["stored comment merged"] += len(merged)

    # -- authors --------------------------------------------------------

    def _users(self) -> None:
        """A Disqus author who is a site user (by --map-user or email)
        writes as that user, as a post merged on arrival does."""
        matcher = self.matcher
        if not (matcher.users_by_email or matcher.users_by_login):
            return
        c = comments_t
        updates = []
        for comment_id, username, email in self.connection.execute(
            select(c.c.id, c.c.dsq_username, c.c.author_email)
            .where(c.c.origin == DISQUS, c.c.wp_user_id.is_(None))
        ):
            user = matcher.user(username, email)
            if user is not None and user[1] is not None:
                updates.append({"target": comment_id, "wp_user_id": user[1], "user_id": user[0]})
        matcher.write_fields(comments_t, updates)


class StoredBloggerMerge(StoredMerge):
    """Stored Blogger posts and comments into WXR items and comments."""

    def run(self) -> None:
        if not self.matcher.has_wxr:
            return
        t = threads_t
        moves = []
        for thread_id, key, link in self.connection.execute(
            select(t.c.id, t.c.key, t.c.link).where(t.c.origin == BLOGGER).order_by(t.c.id)
        ):
            target = self.matcher.thread(None, link)
            if target is None:
                self.issues.add(unmatched_post(key, link))
            else:
                moves.append({"old": thread_id, "new": target})
        if moves:
            move_comments(self.connection, moves)
            delete_threads(self.connection, [m["old"] for m in moves])
            self.report.counts["stored thread merged"] += len(moves)
        self._comments()

    def _comments(self) -> None:
        c, t = comments_t, threads_t
        rows = self.connection.execute(
            select(c.c.id, c.c.key, c.c.site, c.c.thread_id, c.c.author_name, c.c.created_at,
                   c.c.content, c.c.parent_key)
            .join(t, t.c.id == c.c.thread_id)
            .where(c.c.origin == BLOGGER, t.c.origin == "wxr")
            .order_by(c.c.id)
        ).all()
        if not rows:
            return
        index = self.matcher.comments_by_fingerprint([row.thread_id for row in rows])
        merged: list[int] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            fingerprint = comment_fingerprint(row.author_name, row.created_at, row.content)
            found = index.take(row.thread_id, row.key, fingerprint)
            if found is None:
                continue
            merged.append(row.id)
            target, new = found
            if new:
                updates.append({"target": target, "merged_key": row.key,
                                "merged_parent_key": row.parent_key})
            self.links.sites.add((row.site, BLOGGER))
            self.links.reset_links.add((row.site, BLOGGER))
        if not merged:
            return
        report_dropped_children(
            self.connection, self.issues, merged, {row.id: row.key for row in rows},
            "Blogger comment",
        )
        unlink_and_delete_comments(self.connection, merged)
        self.matcher.write_fields(comments_t, updates)
        self.report.counts["stored comment merged"] += len(merged)


# -- rows -----------------------------------------------------------------


def move_comments(connection: Connection, moves: list[dict[str, int]]) -> None:
    """Move the comments of each thread ``old`` to the thread ``new``."""
    c = comments_t
    connection.execute(
        update(c).where(c.c.thread_id == bindparam("old")).values(thread_id=bindparam("new")),
        moves,
    )


def delete_threads(connection: Connection, ids: Sequence[int]) -> None:
    """Delete merged threads (their comments moved) with their child rows."""
    _delete(connection, threads_t, ids, thread_meta_t.c.thread_id,
            thread_terms_t.c.thread_id, owner="thread")


def unlink_and_delete_comments(connection: Connection, ids: Sequence[int]) -> None:
    """Delete merged comments with their child rows; their replies are left
    unlinked, for the loader to link to the comment they merged into."""
    c = comments_t
    for chunk in chunks(list(ids)):
        connection.execute(update(c).where(c.c.parent_id.in_(chunk)).values(parent_id=None))
    _delete(connection, comments_t, ids, comment_meta_t.c.comment_id, owner="comment")


def _delete(connection: Connection, table: Any, ids: Sequence[int], *owned: Any,
            owner: str) -> None:
    """Delete rows with their child rows (``owned``: the child tables'
    owner columns) and extras."""
    for chunk in chunks(list(ids)):
        for column in owned:
            connection.execute(delete(column.table).where(column.in_(chunk)))
        connection.execute(
            delete(extras_t).where(extras_t.c.owner == owner, extras_t.c.owner_id.in_(chunk))
        )
        connection.execute(delete(table).where(table.c.id.in_(chunk)))



def report_dropped_children(
    connection: Connection, issues: IssueLog, merged: list[int], keys: dict[int, str], what: str
) -> None:
    """What a merged comment held beyond its fields is not kept, as when it
    merges on arrival: say so."""
    dropped: dict[int, tuple[list[Any], list[Any]]] = {}
    m, e = comment_meta_t, extras_t
    for chunk in chunks(merged):
        for owner, key, value in connection.execute(
            select(m.c.comment_id, m.c.meta_key, m.c.meta_value)
            .where(m.c.comment_id.in_(chunk)).order_by(m.c.comment_id, m.c.position)
        ):
            dropped.setdefault(owner, ([], []))[0].append((key, value))
        for owner, name, value in connection.execute(
            select(e.c.owner_id, e.c.name, e.c.value)
            .where(e.c.owner == "comment", e.c.owner_id.in_(chunk))
            .order_by(e.c.owner_id, e.c.position)
        ):
            dropped.setdefault(owner, ([], []))[1].append((name, value))
    for owner in sorted(dropped):
        issues.add(extras_not_kept(keys[owner], dropped[owner], what))
