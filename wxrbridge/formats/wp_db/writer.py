"""Writing comments straight into a live WordPress site's database.

Everything happens in one transaction: on any error, or on a dry run,
nothing is left written.  Only the comments and commentmeta tables are
written to, and the posts table for ``comment_count`` (and, with
``create_posts``, the posts made for threads the site has no post for).

Each thread is matched to a post (see :mod:`.match`); each comment gets a
new ``comment_ID`` from the database, and its ``comment_parent`` is the
new id of its parent, set once the parent is written whatever the order
they come in.  An author reply gets the ``user_id`` of the account with
its author's login, else email.  Every comment written carries its
source identity in its meta (``_wxrbridge_source``, and the Disqus
plugin's ``dsq_post_id`` for a Disqus post), so a second run finds it and
writes nothing again; a comment already on the post with the same author,
date and content is not written either.  ``comment_count`` is then counted
again for each post written to, as WordPress counts it: approved comments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy import Connection

from ... import canonical
from ...errors import WriteError
from ...records import Comment, Record, Source, Thread, User
from ...urlmap import UrlMap
from .. import WriteReport
from ..wxr.plan import ORIGINAL_ID_KEY, ORIGINAL_PARENT_KEY
from .match import PostIndex
from .reader import options, permalinks, post_rows, text
from .schema import SchemaMismatchError, Site, open_site

# The meta key holding a written comment's source identity.
SOURCE_META = "_wxrbridge_source"
DISQUS_META = "dsq_post_id"
_OUR_META = frozenset({SOURCE_META})
_DATE = "%Y-%m-%d %H:%M:%S"
# Rows inserted, or parents set, in one statement.
_BATCH = 500


class _DryRunError(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class _Row:
    """A comment to insert, with what is known of it until it has an id."""

    key: tuple[str, str, str]
    post_id: int
    row: dict[str, object]
    meta: list[tuple[str, str | None]]
    identities: list[tuple[str, str]]
    fingerprint: tuple[str, str, str]
    parent: str | None  # a parent reference still to resolve


@dataclass
class _Pending:
    """A written comment whose parent was not written yet."""

    comment_id: int
    thread: str
    parent: str


def _site_zone(found: dict[str, str]) -> timezone | ZoneInfo:
    name = (found.get("timezone_string") or "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        hours = float(found.get("gmt_offset") or 0)
    except ValueError:
        hours = 0.0
    return timezone(timedelta(hours=hours))


class _Writer:
    def __init__(self, connection: Connection, site: Site, *, create_posts: bool,
                 dry_run: bool, url_map: UrlMap) -> None:
        self.connection = connection
        self.site = site
        self.create_posts = create_posts
        self.dry_run = dry_run
        self.report = WriteReport()
        self.posts_table = site.table("posts")
        self.comments = site.table("comments")
        self.meta = site.table("commentmeta")
        found = options(connection, site, ("gmt_offset", "timezone_string"))
        self.zone = _site_zone(found)
        self.links = permalinks(connection, site, found, post_rows(connection, site))
        self.index = PostIndex(self.links, url_map)
        guids = connection.execute(sa.select(self.posts_table.c.ID, self.posts_table.c.guid))
        for post_id, guid in guids:
            self.index.add(int(post_id), text(guid))
        users = site.table("users")
        self.user_by_login: dict[str, int] = {}
        self.user_by_email: dict[str, int] = {}
        for user_id, login, email in connection.execute(
            sa.select(users.c.ID, users.c.user_login, users.c.user_email)
        ):
            self.user_by_login.setdefault(text(login) or "", int(user_id))
            if email:
                self.user_by_email.setdefault((text(email) or "").strip().lower(), int(user_id))
        self.known = self._known_identities()
        self.fingerprints: dict[int, dict[tuple[str, str, str], int]] = {}
        # The posts with comments: the others have none to compare with.
        comments = self.comments
        self.commented = set(connection.execute(
            sa.select(comments.c.comment_post_ID).distinct()).scalars())
        # The source being written, and its accounts by id.
        self.source_site = ""
        self.same_site = False
        self.source_users: dict[tuple[str, str], User] = {}
        self.post_of: dict[tuple[str, str], int | None] = {}
        self.id_of: dict[tuple[str, str, str], int] = {}
        self.pending: list[_Pending] = []
        self.batch: list[_Row] = []
        # What the gathered comments are, to find a repeat among them.
        self.batch_marks: set[object] = set()
        self.consecutive_ids = self._consecutive_ids()
        self.batch_size = _BATCH if self.consecutive_ids else 1
        self.meta_rows: list[dict[str, object]] = []
        self.touched: set[int] = set()
        self.matched: Counter[str] = Counter()
        self.unmatched: dict[tuple[str, str], tuple[Thread, int]] = {}
        self.duplicates = 0
        self.guests: Counter[str] = Counter()

    def _consecutive_ids(self) -> bool:
        """Whether one INSERT's rows get consecutive ids whatever else is
        written meanwhile: SQLite's single writer, InnoDB's auto-increment
        lock modes 0 and 1 (MariaDB's default; mode 2 interleaves) with
        an increment of 1."""
        dialect = self.site.engine.dialect.name
        if dialect == "sqlite":
            return True
        if dialect != "mysql":
            return False
        mode, step = self.connection.execute(
            sa.text("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment")).one()
        # A cluster numbering in steps (Galera) is written one row at a time too.
        return mode is not None and int(mode) <= 1 and int(step or 1) == 1

    def _known_identities(self) -> dict[tuple[str, str], int]:
        """The comments already written from elsewhere, by identity."""
        m = self.meta
        rows = self.connection.execute(
            sa.select(m.c.meta_key, m.c.meta_value, m.c.comment_id)
            .where(m.c.meta_key.in_([SOURCE_META, DISQUS_META])))
        return {(str(k), text(v) or ""): int(c) for k, v, c in rows}

    def _fingerprints(self, post_id: int) -> dict[tuple[str, str, str], int]:
        """The post's comments by author, UTC date and content."""
        found = self.fingerprints.get(post_id)
        if found is None and post_id not in self.commented:
            found = self.fingerprints[post_id] = {}
        if found is None:
            c = self.comments
            rows = self.connection.execute(
                sa.select(c.c.comment_ID, c.c.comment_author, c.c.comment_date_gmt,
                          c.c.comment_content).where(c.c.comment_post_ID == post_id))
            found = {(text(a) or "", text(d) or "", text(t) or ""): int(i)
                     for i, a, d, t in rows}
            self.fingerprints[post_id] = found
        return found

    def run(self, records: Iterable[Record]) -> WriteReport:
        for record in records:
            if isinstance(record, Comment):
                self.add_comment(record)
            elif isinstance(record, Thread):
                self.add_thread(record)
            elif isinstance(record, User):
                if record.wp_id:
                    self.source_users[(self.source_site, record.wp_id.strip())] = record
            elif isinstance(record, Source):
                self.source_site = record.site
                self.same_site = self.index.this_site(record.site)
        self.flush_comments()
        self.resolve_parents()
        self.recount()
        self.summarise()
        return self.report

    # Threads

    def add_thread(self, thread: Thread) -> None:
        key = (self.source_site, thread.key)
        found = self.index.find(thread, same_site=self.same_site)
        if found is not None:
            post_id, how = found
            self.matched[how] += 1
            if self.dry_run:
                self.report.notes.append(
                    f"thread {thread.key}: post {post_id} (matched by {how})")
        elif self.create_posts:
            post_id = self.create_post(thread)
            self.matched["created"] += 1
        else:
            self.post_of[key] = None
            self.unmatched[key] = (thread, 0)
            return
        self.post_of[key] = post_id

    def create_post(self, thread: Thread) -> int:
        local, gmt = self.dates(thread.created_at_local, thread.created_at)
        slug = thread.slug or ""
        guid = thread.guid or thread.link or ""
        status = thread.status if thread.status in ("publish", "draft", "private") else "publish"
        post_type = thread.post_type or "post"
        result = self.connection.execute(sa.insert(self.posts_table).values(
            post_author=0, post_date=local, post_date_gmt=gmt, post_content=thread.content or "",
            post_title=thread.title or "", post_excerpt=thread.excerpt or "",
            post_status=status, comment_status=thread.comment_status or "open",
            ping_status=thread.ping_status or "open", post_password="", post_name=slug,
            to_ping="", pinged="", post_modified=local, post_modified_gmt=gmt,
            post_content_filtered="", post_parent=0, guid=guid, menu_order=0,
            post_type=post_type, post_mime_type="", comment_count=0,
        ))
        post_id = int(result.lastrowid)
        self.report.written["post"] += 1
        if self.dry_run:
            self.report.notes.append(f"thread {thread.key}: a new post would be made")
        return post_id

    # Comments

    def dates(self, local_raw: str | None, utc_raw: str | None) -> tuple[str, str]:
        """comment_date and comment_date_gmt: as the source has them, the
        one it lacks made from the other in the site's time zone."""
        utc = canonical.utc_or_none(utc_raw)
        local = _local(local_raw)
        if utc is None and local is None:
            utc = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        if local is None:
            assert utc is not None
            local = utc.replace(tzinfo=timezone.utc).astimezone(self.zone).replace(tzinfo=None)
        if utc is None:
            utc = local.replace(tzinfo=self.zone).astimezone(timezone.utc).replace(tzinfo=None)
        return local.strftime(_DATE), utc.strftime(_DATE)

    def identities(self, comment: Comment) -> list[tuple[str, str]]:
        """The meta naming where the comment came from."""
        found = [(SOURCE_META, f"{comment.origin} {self.source_site} {comment.key}")]
        if comment.origin == "disqus":
            found.append((DISQUS_META, (comment.dsq_id or comment.key).strip()))
        found += [(DISQUS_META, v.strip()) for k, v in comment.meta if k == DISQUS_META and v]
        return list(dict.fromkeys(found))

    def user_id(self, comment: Comment) -> int:
        source_id = canonical.site_user_id(comment.wp_user_id)
        if source_id is None:
            return 0
        user = self.source_users.get((self.source_site, source_id))
        login = (user.login or "").strip() if user is not None else ""
        if login and login in self.user_by_login:
            return self.user_by_login[login]
        for email in ((user.email if user is not None else None), comment.author_email):
            found = self.user_by_email.get((email or "").strip().lower())
            if found is not None:
                return found
        self.guests[login or f"user {source_id}"] += 1
        return 0

    def add_comment(self, comment: Comment) -> None:
        thread_key = (self.source_site, comment.thread)
        post_id = self.post_of.get(thread_key)
        if post_id is None:
            if thread_key in self.unmatched:
                thread, count = self.unmatched[thread_key]
                self.unmatched[thread_key] = (thread, count + 1)
            else:
                self.report.left_out.append(
                    f"comment {comment.key}: its thread {comment.thread} is not in the input")
            return
        own_key = (self.source_site, comment.thread, comment.key)
        identities = self.identities(comment)
        local, gmt = self.dates(comment.created_at_local, comment.created_at)
        fingerprint = (comment.author_name or "", gmt, comment.content or "")
        existing = self.existing(post_id, identities, fingerprint)
        if existing is not None:
            self.id_of[own_key] = existing
            self.duplicates += 1
            return
        parent_ref = canonical.parent_of(comment)
        parent_id = 0
        if parent_ref is not None:
            parent_id = self.id_of.get((self.source_site, comment.thread, parent_ref), 0)
        status = canonical.comment_status(comment)
        row = {
            "comment_post_ID": post_id, "comment_author": fingerprint[0],
            "comment_author_email": comment.author_email or "",
            "comment_author_url": comment.author_url or "",
            "comment_author_IP": comment.author_ip or "", "comment_date": local,
            "comment_date_gmt": gmt, "comment_content": fingerprint[2], "comment_karma": 0,
            "comment_approved": canonical.wp_approved(status), "comment_agent": "",
            "comment_type": canonical.comment_type(comment), "comment_parent": parent_id,
            "user_id": self.user_id(comment),
        }
        given = {k for k, _v in comment.meta}
        meta = [(k, v) for k, v in comment.meta if k not in _OUR_META]
        meta += [i for i in identities if i[0] not in given or i[0] in _OUR_META]
        if comment.origin == "wxr" and not self.same_site and ORIGINAL_ID_KEY not in given:
            meta.append((ORIGINAL_ID_KEY, (comment.wp_id or comment.key).strip()))
        self.batch.append(_Row(own_key, post_id, row, meta, identities, fingerprint,
                               parent_ref if parent_ref is not None and not parent_id else None))
        self.batch_marks.update([(post_id, fingerprint), *identities])
        self.touched.add(post_id)
        if len(self.batch) >= self.batch_size:
            self.flush_comments()

    def existing(self, post_id: int, identities: list[tuple[str, str]],
                 fingerprint: tuple[str, str, str]) -> int | None:
        """The id of the comment already in the site (or written by this
        run) that this one is."""
        marks = self.batch_marks
        if (post_id, fingerprint) in marks or any(i in marks for i in identities):
            self.flush_comments()
        found = next((self.known[i] for i in identities if i in self.known), None)
        return found if found is not None else self._fingerprints(post_id).get(fingerprint)

    def flush_comments(self) -> None:
        """Insert the comments gathered, then their meta; a parent among
        them or not yet written is set once it is."""
        if not self.batch:
            return
        ids = self.insert_rows([r.row for r in self.batch])
        for row, comment_id in zip(self.batch, ids, strict=True):
            self.id_of[row.key] = comment_id
            self._fingerprints(row.post_id)[row.fingerprint] = comment_id
            for identity in row.identities:
                self.known[identity] = comment_id
            if row.parent is not None:
                self.pending.append(_Pending(comment_id, row.key[1], row.parent))
            self.meta_rows += [{"comment_id": comment_id, "meta_key": key,
                                "meta_value": value or ""} for key, value in row.meta]
        self.report.written["comment"] += len(self.batch)
        self.batch = []
        self.batch_marks = set()
        self.flush_meta()

    def insert_rows(self, rows: list[dict[str, object]]) -> list[int]:
        """Insert comment rows, returning their new ids in order: in one
        statement where the database gives one statement's rows
        consecutive ids, else one at a time."""
        if self.consecutive_ids and len(rows) > 1:
            last = self.insert_in_one(rows)
            # MariaDB reports the first id of the statement, SQLite the last.
            first = last - len(rows) + 1 if self.site.engine.dialect.name == "sqlite" else last
            return list(range(first, first + len(rows)))
        return [int(self.connection.execute(sa.insert(self.comments).values(row)).lastrowid)
                for row in rows]

    def insert_in_one(self, rows: list[dict[str, object]]) -> int:
        """Insert rows with one multi-row INSERT, its text made here so
        that a full batch's is made once (SQLAlchemy compiles a many-row
        ``values()`` anew each time); the id the driver reports."""
        columns = list(rows[0])
        dialect = self.site.engine.dialect
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        one = "(" + ", ".join([mark] * len(columns)) + ")"
        quote = dialect.identifier_preparer.quote
        statement = (f"INSERT INTO {quote(self.site.table_name('comments'))} "
                     f"({', '.join(quote(c) for c in columns)}) VALUES "
                     + ", ".join([one] * len(rows)))
        values = tuple(row[c] for row in rows for c in columns)
        return int(self.connection.exec_driver_sql(statement, values).lastrowid)

    def flush_meta(self) -> None:
        if self.meta_rows:
            self.connection.execute(sa.insert(self.meta), self.meta_rows)
        self.report.written["comment meta row"] += len(self.meta_rows)
        self.meta_rows = []

    def resolve_parents(self) -> None:
        """Set the parents of replies written before them; a parent that
        is not written at all leaves its reply at the top level, its
        reference kept in meta."""
        updates, lost = [], []
        for pending in self.pending:
            parent = self.id_of.get((self.source_site, pending.thread, pending.parent))
            if parent is not None:
                updates.append((pending.comment_id, parent))
                continue
            lost.append({"comment_id": pending.comment_id, "meta_key": ORIGINAL_PARENT_KEY,
                         "meta_value": pending.parent})
            self.report.left_out.append(
                f"comment {pending.comment_id}: its parent {pending.parent} is not written; "
                "the reply is at the top level")
        c = self.comments
        for start in range(0, len(updates), _BATCH):
            chunk = dict(updates[start:start + _BATCH])
            self.connection.execute(
                sa.update(c).where(c.c.comment_ID.in_(list(chunk)))
                .values(comment_parent=sa.case(chunk, value=c.c.comment_ID)))
        if lost:
            self.connection.execute(sa.insert(self.meta), lost)
            self.report.written["comment meta row"] += len(lost)

    def recount(self) -> None:
        """comment_count of each post written to, as WordPress counts it."""
        p, c = self.posts_table, self.comments
        approved = (sa.select(sa.func.count()).select_from(c)
                    .where(c.c.comment_post_ID == p.c.ID, c.c.comment_approved == "1")
                    .scalar_subquery())
        touched = sorted(self.touched)
        for start in range(0, len(touched), _BATCH):
            chunk = touched[start:start + _BATCH]
            self.connection.execute(
                sa.update(p).where(p.c.ID.in_(chunk)).values(comment_count=approved))

    def summarise(self) -> None:
        report = self.report
        empty = sum(1 for _thread, count in self.unmatched.values() if not count)
        if empty:
            report.notes.append(f"{empty} threads without comments match no post")
        for (_site, key), (thread, count) in self.unmatched.items():
            if not count:
                continue
            what = f"{count} comment" + ("" if count == 1 else "s")
            report.left_out.append(
                f"thread {key} ({thread.link or thread.guid or thread.title or 'no link'}): "
                f"no post in the site matches it; its {what} skipped "
                "(create_posts=True makes the post)")
        if self.matched:
            ways = ", ".join(f"{how} {n}" for how, n in sorted(self.matched.items()))
            report.notes.append(f"threads matched to posts: {ways}")
        if self.duplicates:
            report.notes.append(f"{self.duplicates} comments already in the site "
                                "(same source, or same post, author, date and content) "
                                "are not written again")
        for login, count in sorted(self.guests.items()):
            report.notes.append(f"{count} author replies of {login}: no account of that "
                                "login or email in the site; written as a guest's")
        if self.touched:
            report.notes.append(f"comment_count recounted on {len(self.touched)} posts")
        if self.dry_run:
            report.notes.append("dry run: nothing was written")


def _local(raw: str | None) -> datetime | None:
    """A local date as its wall-clock time: comment_date is the site's own
    time, so an offset the text names is set aside."""
    value = (raw or "").strip().rstrip("Zz")
    if not value or value == canonical.WXR_ZERO_DATE:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def write_wp_db(records: Iterable[Record], location: str, /, *, create_posts: bool = False,
                dry_run: bool = False, url_map: str | None = None) -> WriteReport:
    """Write comments into the WordPress database ``location`` names, in
    one transaction (rolled back when ``dry_run``)."""
    prefixes = UrlMap()
    if url_map is not None:
        try:
            prefixes = UrlMap.parse(Path(url_map).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WriteError(f"--url-map {url_map}: {exc}") from None
    try:
        site = open_site(location)
    except ValueError as exc:
        raise WriteError(f"wp:{location}: {exc}") from None
    report: WriteReport | None = None
    try:
        site.check()
        with site.engine.begin() as connection:
            writer = _Writer(connection, site, create_posts=create_posts, dry_run=dry_run,
                             url_map=prefixes)
            report = writer.run(records)
            if dry_run:
                raise _DryRunError
    except _DryRunError:
        assert report is not None
        return report
    except SchemaMismatchError as exc:
        raise WriteError(f"{site.name}: {exc}") from None
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise WriteError(f"{site.name}: cannot write ({reason}); nothing was written") from None
    finally:
        site.engine.dispose()
    assert report is not None
    return report


__all__ = ["write_wp_db", "SOURCE_META", "DISQUS_META"]
