"""The neutral relational schema every conversion passes through.

Raw columns hold the source's text exactly (``NULL`` = the element was
absent), so writers can reproduce the file; canonical columns (``status``,
``type``, ``created_at``, ``parent_id``, ``depth``) are derived from them on
load and are what queries, statistics and cross-format writers use.

A row's identity is ``(site, origin, key)``: the source's own id within one
site.  Loading the same file again therefore updates rows in place instead of
adding copies.  Columns are kept portable across SQLite, PostgreSQL and
MariaDB: free text is ``Text``, unbounded on every backend (``LONGTEXT`` on
MariaDB, whose ``TEXT`` stops at 64 KiB), so what one store takes the others
take too; identity columns are bounded ``String`` so MariaDB can index them
under utf8mb4 with a binary, no-pad collation (``"a"`` and ``"a "`` stay two
different keys), and the loader refuses a longer value on every backend
alike (``load_rows.check_lengths``).

The tables are SQLAlchemy Core's, which is all wxrbridge itself uses:
mapping them for the ORM, with the ORM's import, took half the time of
opening a store. Code that queries a store through the ORM finds them mapped
in store/orm.py (``Base``, ``CommentRow``, …).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# MariaDB: any text (a body, an email, a meta key) can exceed TEXT's 64 KiB.
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
KEY_LENGTH = 255


def Key(length: int = KEY_LENGTH) -> String:  # noqa: N802 - reads like a type
    return String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_nopad_bin"),
        "mysql",
        "mariadb",
    )


MYSQL_TABLE_ARGS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_nopad_bin",
    "mysql_engine": "InnoDB",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _text(name: str) -> Column[Any]:
    """Raw text of the source, NULL where it had none."""
    return Column(name, LongText, nullable=True)


def _key(name: str, length: int = KEY_LENGTH, *, nullable: bool = True) -> Column[Any]:
    return Column(name, Key(length), nullable=nullable)


def _reference(name: str, target: str, **key: Any) -> Column[Any]:
    return Column(name, Integer, ForeignKey(target, **key), nullable=True)


def _sourced(name: str, *items: Any) -> Table:
    """A user, term, thread or comment table: first the identity every such
    row has, the source's own id (``key``) within a site and origin, unique
    together, the file it was last imported from and its place in that
    file; then ``items``."""
    return Table(
        name, metadata,
        Column("id", Integer, primary_key=True),
        _key("site", nullable=False),
        _key("origin", 16, nullable=False),
        _key("key", nullable=False),
        _reference("source_id", "sources.id"),
        Column("position", Integer, nullable=False, default=0),
        *items,
        UniqueConstraint("site", "origin", "key"),
        **MYSQL_TABLE_ARGS,
    )


def _owned_rows(table: str, owner: str, *columns: Column[Any]) -> Table:
    """A table of rows that belong to one ``owner`` row (a term, thread or
    comment) in source order: an id, the owner's id (the rows go with it),
    their position, then ``columns``. The owner's column is named for it
    (``term_id``, ``thread_id``, ``comment_id``)."""
    return Table(
        table, metadata,
        Column("id", Integer, primary_key=True),
        Column(f"{owner}_id", Integer, ForeignKey(f"{owner}s.id", ondelete="CASCADE"),
               nullable=False, index=True),
        Column("position", Integer, nullable=False),
        *columns,
        **MYSQL_TABLE_ARGS,
    )


def _meta(owner: str) -> Table:
    """A ``wp:*meta`` table: key and value pairs of one owner, in source
    order; keys may repeat."""
    return _owned_rows(f"{owner}_meta", owner,
                       Column("meta_key", LongText, nullable=False), _text("meta_value"))


# One imported file.
sources_t = Table(
    "sources", metadata,
    Column("id", Integer, primary_key=True),
    _key("origin", 16, nullable=False),
    _key("site", nullable=False),
    Column("name", LongText, nullable=False),
    _key("sha256", 64),
    *map(_text, ("version", "wp_namespace")),
    _text("namespaces"),  # JSON: prefix -> URI
    *map(_text, ("title", "link", "description", "pub_date", "language", "generator",
                 "base_site_url", "base_blog_url")),
    _text("child_order"),  # JSON list
    Column("imported_at", DateTime, nullable=False),
    Index(None, "sha256"),
    **MYSQL_TABLE_ARGS,
)

# A site account (WXR ``wp:author``) or a Disqus author's username.
users_t = _sourced(
    "users",
    _key("wp_id"),
    *map(_text, ("login", "email", "display_name", "first_name", "last_name",
                 "dsq_username")),
)

# A WXR category, tag or term, or a Disqus category.
terms_t = _sourced(
    "terms",
    _key("kind", 32, nullable=False),
    *map(_text, ("term_id", "taxonomy", "slug", "parent", "name", "description",
                 "dsq_forum", "dsq_is_default")),
)

# ``wp:termmeta`` in source order; keys may repeat.
term_meta_t = _meta("term")

# A WXR item (post, page, attachment, …) or a Disqus thread.
threads_t = _sourced(
    "threads",
    _key("wp_post_id"),
    _key("dsq_id", 64),
    _key("identifier"),
    *map(_text, ("title", "link", "pub_date", "creator", "guid", "guid_is_permalink",
                 "description", "content", "excerpt")),
    Column("created_at", DateTime, nullable=True),
    *map(_text, ("created_at_raw", "created_at_local", "modified_at_raw",
                 "modified_at_local", "comment_status", "ping_status", "slug", "status",
                 "post_parent", "menu_order", "post_type", "post_password", "is_sticky",
                 "attachment_url", "dsq_forum", "dsq_category", "dsq_is_closed",
                 "dsq_is_deleted", "dsq_ip_address", "dsq_author_name", "dsq_author_email",
                 "dsq_author_username", "dsq_author_is_anonymous")),
    _text("child_order"),  # JSON list
    Index(None, "identifier"),
)

# An item's ``<category domain nicename>`` line, in order.
thread_terms_t = _owned_rows("thread_terms", "thread", *map(_text, ("domain", "nicename",
                                                                     "name")))
# ``wp:postmeta`` in source order; keys may repeat.
thread_meta_t = _meta("thread")

# A comment, pingback, trackback or Disqus post.
comments_t = _sourced(
    "comments",
    # The thread as the source named it, and the row it resolved to (NULL
    # for a Disqus post whose thread is not in the file).
    _key("thread_key", nullable=False),
    _reference("thread_id", "threads.id"),
    # The parent as the source wrote it, the key it names, and the row it
    # resolved to: a missing parent keeps parent/parent_key with no parent_id.
    _text("parent"),
    _key("parent_key"),
    _reference("parent_id", "comments.id"),
    _key("wp_id"),
    _key("dsq_id", 64),
    _key("type", 64, nullable=False),
    _text("wp_type"),
    _key("status", 64, nullable=False),
    *map(_text, ("wp_approved", "dsq_is_approved", "dsq_is_deleted", "dsq_is_spam",
                 "dsq_is_flagged", "dsq_is_highlighted", "dsq_is_anonymous", "dsq_identifier",
                 "author_name", "author_email", "author_url", "author_ip")),
    # The site account that wrote it: what makes an author reply.
    _text("wp_user_id"),
    _text("dsq_username"),
    _reference("user_id", "users.id"),
    Column("created_at", DateTime, nullable=True),
    *map(_text, ("created_at_raw", "created_at_local", "content")),
    # The key of the comment of another export (a Blogger comment a
    # Blogger-to-WordPress importer carried over) merged into this row:
    # what that export's replies to it name.
    _key("merged_key"),
    # And the parent that comment answered: a copy the importer left at top
    # level is linked under it.
    _key("merged_parent_key"),
    Index(None, "thread_id", "position"),
    Index(None, "parent_id"),
    # Disqus replies find a parent merged onto a WordPress row by dsq_id.
    Index("ix_comments_dsq_id", "dsq_id"),
    # Blogger replies find a parent merged onto a WordPress row by its key.
    Index("ix_comments_merged_key", "merged_key"),
)

# ``wp:commentmeta`` in source order; keys may repeat.
comment_meta_t = _meta("comment")

# XML the schema has no column for, kept raw per owner row so a writer of
# the same format can put it back where it was.
extras_t = Table(
    "extras", metadata,
    Column("id", Integer, primary_key=True),
    _key("owner", 16, nullable=False),  # source, user, term, thread, comment
    Column("owner_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    _key("kind", 16, nullable=False),
    Column("name", LongText, nullable=False),
    Column("value", LongText, nullable=False),
    _text("anchor"),
    Index(None, "owner", "owner_id"),
    **MYSQL_TABLE_ARGS,
)

# What an import repaired, recovered or rejected, and where.
issues_t = Table(
    "import_issues", metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=True,
           index=True),
    _key("severity", 16, nullable=False),
    _key("code", 64, nullable=False),
    Column("reason", LongText, nullable=False),
    _text("file"),
    Column("line", Integer, nullable=True),
    Column("column", Integer, nullable=True),
    _text("record_key"),
    _text("fragment"),
    Column("created_at", DateTime, nullable=False),
    **MYSQL_TABLE_ARGS,
)

# What a stored comment was before an import of its source changed it
# (``change`` "changed": ``fields`` lists the fields, as JSON, and
# ``previous`` holds their earlier values, a JSON object) or no longer held
# it ("deleted": the comment is kept as it was).
history_t = Table(
    "comment_history", metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", Integer, ForeignKey("comments.id", ondelete="CASCADE"),
           nullable=False, index=True),
    # The import that found the change.
    _reference("source_id", "sources.id"),
    _key("change", 16, nullable=False),
    _text("fields"),
    _text("previous"),
    Column("recorded_at", DateTime, nullable=False),
    **MYSQL_TABLE_ARGS,
)

