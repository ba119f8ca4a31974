"""Reading a WordPress database into records.

The records are those a WXR export of the same site gives (origin
``wxr``, keyed by post and comment id, the site keyed by its ``home``
URL), so that reading the database and importing its export are the same
to the store and to ``verify``: posts (every type but revisions, no
auto-drafts) as threads with their permalinks, comments with their meta,
and the blog's accounts.  Older schemas read as they are: an enum
``comment_approved`` is its text, an empty ``comment_type`` a comment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from ...errors import InputError
from ...records import Comment, ImportIssue, Meta, Record, Source, Thread, User
from .links import Permalinks, PostRow
from .schema import SchemaMismatchError, Site, open_site

ORIGIN = "wxr"
# Post types and statuses WordPress's exporter leaves out.
_SKIPPED_TYPES = ("revision",)
_SKIPPED_STATUSES = ("auto-draft",)
# Post meta WordPress's exporter leaves out: the editing lock.
_SKIPPED_POST_META = frozenset({"_edit_lock"})
_OPTIONS = ("home", "siteurl", "blogname", "blogdescription", "permalink_structure",
            "show_on_front", "page_on_front", "default_category")
# Rows fetched at a time from a large table.
_BATCH = 2000


def text(value: Any) -> str | None:
    """A column's value as the text WordPress would show for it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def number(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def options(connection: Connection, site: Site, more: tuple[str, ...] = ()) -> dict[str, str]:
    """The site options links and the source are made from, and ``more``."""
    t = site.table("options")
    rows = connection.execute(
        sa.select(t.c.option_name, t.c.option_value)
        .where(t.c.option_name.in_([*_OPTIONS, *more]))
    )
    return {str(name): text(value) or "" for name, value in rows}


def home_of(found: dict[str, str]) -> str:
    return (found.get("home") or found.get("siteurl") or "").strip()


def post_rows(connection: Connection, site: Site) -> dict[int, PostRow]:
    """Every post's link fields, by id (revisions and auto-drafts too:
    a page's ancestors may be among them)."""
    t = site.table("posts")
    rows = connection.execute(sa.select(
        t.c.ID, t.c.post_type, t.c.post_status, t.c.post_name, t.c.post_parent,
        t.c.post_date, t.c.post_author,
    ))
    return {
        int(row[0]): PostRow(int(row[0]), text(row[1]) or "", text(row[2]) or "",
                             text(row[3]) or "", number(row[4]), text(row[5]) or "",
                             number(row[6]))
        for row in rows
    }


def permalinks(connection: Connection, site: Site, found: dict[str, str],
               posts: dict[int, PostRow]) -> Permalinks:
    """The site's permalink rules, with the authors and categories its
    structure names loaded."""
    structure = found.get("permalink_structure", "")
    links = Permalinks(home=home_of(found), structure=structure,
                       show_on_front=found.get("show_on_front", ""),
                       page_on_front=number(found.get("page_on_front")), posts=posts)
    if "%author%" in structure:
        u = site.table("users")
        links.author_nicenames = {int(i): text(n) or "" for i, n in connection.execute(
            sa.select(u.c.ID, u.c.user_nicename))}
    if "%category%" in structure and site.has_terms():
        links.categories, links.default_category = _categories(
            connection, site, number(found.get("default_category")))
    return links


def _categories(connection: Connection, site: Site, default: int
                ) -> tuple[dict[int, str], str]:
    """Each post's category path (its lowest-id category, under its
    parents), and the default category's slug."""
    terms, taxonomy, relations = (site.table(n) for n in
                                  ("terms", "term_taxonomy", "term_relationships"))
    slug: dict[int, str] = {}
    parent: dict[int, int] = {}
    by_taxonomy_id: dict[int, int] = {}
    for term_id, term_slug, tt_id, parent_id in connection.execute(
        sa.select(terms.c.term_id, terms.c.slug, taxonomy.c.term_taxonomy_id, taxonomy.c.parent)
        .select_from(terms.join(taxonomy, terms.c.term_id == taxonomy.c.term_id))
        .where(taxonomy.c.taxonomy == "category")
    ):
        slug[int(term_id)] = text(term_slug) or ""
        parent[int(term_id)] = number(parent_id)
        by_taxonomy_id[int(tt_id)] = int(term_id)

    def path(term: int) -> str:
        parts, seen = [], set()
        while term in slug and term not in seen:
            seen.add(term)
            parts.append(slug[term])
            term = parent[term]
        return "/".join(reversed(parts))

    lowest: dict[int, int] = {}
    for object_id, tt_id in connection.execute(
        sa.select(relations.c.object_id, relations.c.term_taxonomy_id)
    ):
        term = by_taxonomy_id.get(int(tt_id))
        if term is not None:
            post = int(object_id)
            lowest[post] = min(term, lowest.get(post, term))
    return {post: path(term) for post, term in lowest.items()}, slug.get(default, "")


def _users(connection: Connection, site: Site) -> Iterator[User]:
    """The blog's accounts: those with a role on it (on a single site's
    database where none has, all of them)."""
    u, m = site.table("users"), site.table("usermeta")
    capabilities = f"{site.table_name('')}capabilities"
    names: dict[int, dict[str, str]] = defaultdict(dict)
    member: set[int] = set()
    for user_id, key, value in connection.execute(
        sa.select(m.c.user_id, m.c.meta_key, m.c.meta_value)
        .where(m.c.meta_key.in_(["first_name", "last_name", capabilities]))
    ):
        if key == capabilities:
            member.add(int(user_id))
        else:
            names[int(user_id)][str(key)] = text(value) or ""
    for row in connection.execute(sa.select(
        u.c.ID, u.c.user_login, u.c.user_email, u.c.display_name).order_by(u.c.ID)
    ):
        user_id = int(row[0])
        if (member or site.blog not in (None, 1)) and user_id not in member:
            continue
        yield User(origin=ORIGIN, wp_id=str(user_id), login=text(row[1]), email=text(row[2]),
                   display_name=text(row[3]), first_name=names[user_id].get("first_name", ""),
                   last_name=names[user_id].get("last_name", ""))


def _post_meta(connection: Connection, site: Site) -> dict[int, list[Meta]]:
    t = site.table("postmeta")
    found: dict[int, list[Meta]] = defaultdict(list)
    for post_id, key, value in connection.execute(
        sa.select(t.c.post_id, t.c.meta_key, t.c.meta_value).order_by(t.c.meta_id)
    ):
        if key not in _SKIPPED_POST_META:
            found[int(post_id)].append((text(key) or "", text(value)))
    return found


def _threads(connection: Connection, site: Site, links: Permalinks,
             logins: dict[int, str]) -> Iterator[Thread]:
    t = site.table("posts")
    meta = _post_meta(connection, site)
    query = (sa.select(t.c.ID, t.c.post_title, t.c.guid, t.c.post_content, t.c.post_excerpt,
                       t.c.post_date, t.c.post_date_gmt, t.c.post_modified,
                       t.c.post_modified_gmt, t.c.comment_status, t.c.ping_status,
                       t.c.post_name, t.c.post_status, t.c.post_parent, t.c.menu_order,
                       t.c.post_type, t.c.post_password, t.c.post_author)
             .where(t.c.post_type.not_in(_SKIPPED_TYPES),
                    t.c.post_status.not_in(_SKIPPED_STATUSES))
             .order_by(t.c.ID))
    for row in connection.execute(query):
        post_id = int(row[0])
        post = links.posts[post_id]
        yield Thread(
            origin=ORIGIN, key=str(post_id), wp_post_id=str(post_id), title=text(row[1]),
            link=links.link(post), guid=text(row[2]), guid_is_permalink="false",
            content=text(row[3]), excerpt=text(row[4]), created_at_local=text(row[5]),
            created_at=text(row[6]), modified_at_local=text(row[7]), modified_at=text(row[8]),
            comment_status=text(row[9]), ping_status=text(row[10]), slug=text(row[11]),
            status=text(row[12]), post_parent=text(row[13]), menu_order=text(row[14]),
            post_type=text(row[15]), post_password=text(row[16]),
            creator=logins.get(number(row[17]), ""), meta=meta.pop(post_id, []),
        )


def _comment_meta(connection: Connection, site: Site) -> Iterator[tuple[int, Meta]]:
    t = site.table("commentmeta")
    rows = connection.execution_options(stream_results=True, yield_per=_BATCH).execute(
        sa.select(t.c.comment_id, t.c.meta_key, t.c.meta_value)
        .order_by(t.c.comment_id, t.c.meta_id))
    for comment_id, key, value in rows:
        yield int(comment_id), (text(key) or "", text(value))


def _comments(connection: Connection, meta_connection: Connection, site: Site,
              threads: set[int]) -> Iterator[Record]:
    t = site.table("comments")
    rows = connection.execution_options(stream_results=True, yield_per=_BATCH).execute(
        sa.select(t.c.comment_ID, t.c.comment_post_ID, t.c.comment_parent,
                  t.c.comment_author, t.c.comment_author_email, t.c.comment_author_url,
                  t.c.comment_author_IP, t.c.comment_date, t.c.comment_date_gmt,
                  t.c.comment_content, t.c.comment_approved, t.c.comment_type, t.c.user_id)
        .order_by(t.c.comment_ID))
    meta = _comment_meta(meta_connection, site)
    pending = next(meta, None)
    for row in rows:
        comment_id = int(row[0])
        own: list[Meta] = []
        while pending is not None and pending[0] <= comment_id:
            if pending[0] == comment_id:
                own.append(pending[1])
            pending = next(meta, None)
        post_id = number(row[1])
        if post_id not in threads:
            yield ImportIssue(
                "wp-db-orphan-comment", f"comment {comment_id}: its post {post_id} is not "
                "read (none, a revision or an auto-draft); the comment is skipped",
                severity="rejected", file=site.name, record_key=str(comment_id))
            continue
        yield Comment(
            origin=ORIGIN, key=str(comment_id), thread=str(post_id), wp_id=str(comment_id),
            parent=str(number(row[2])), author_name=text(row[3]), author_email=text(row[4]),
            author_url=text(row[5]), author_ip=text(row[6]), created_at_local=text(row[7]),
            created_at=text(row[8]), content=text(row[9]), wp_approved=text(row[10]),
            wp_type=text(row[11]), wp_user_id=str(number(row[12])), meta=own,
            position=comment_id,
        )


def read_wp_db(location: str, *, recover: bool = False) -> Iterator[Record]:
    """Stream the records of the WordPress database ``location`` names
    (a SQLAlchemy URL, with ``prefix=`` and ``blog=`` options)."""
    try:
        site = open_site(location)
    except ValueError as exc:
        raise InputError(str(exc), file=f"wp:{location}") from None
    try:
        site.check()
        with site.engine.connect() as connection, site.engine.connect() as meta_connection:
            found = options(connection, site)
            home = home_of(found)
            yield Source(origin=ORIGIN, site=home or site.name, name=site.name,
                         title=found.get("blogname"), link=home,
                         description=found.get("blogdescription"),
                         base_site_url=found.get("siteurl"), base_blog_url=home,
                         generator="WordPress (read from its database)")
            users = list(_users(connection, site))
            yield from users
            posts = post_rows(connection, site)
            links = permalinks(connection, site, found, posts)
            logins = {int(u.wp_id or 0): u.login or "" for u in users}
            threads: set[int] = set()
            for thread in _threads(connection, site, links, logins):
                threads.add(int(thread.key))
                yield thread
            yield from _comments(connection, meta_connection, site, threads)
    except SchemaMismatchError as exc:
        raise InputError(str(exc), file=site.name) from None
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise InputError(f"cannot read the database ({reason})", file=site.name) from None
    finally:
        site.engine.dispose()
