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
"""

# No ``from __future__ import annotations``: the ``Mapped[...]`` annotations
# are then objects, which the declarative mapping reads as they are, instead
# of strings it parses and evaluates, column by column, whenever a store is opened.
import types
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

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


MYSQL_TABLE_ARGS = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_nopad_bin",
    "mysql_engine": "InnoDB",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _owned_rows(
    name: str, table: str, owner: str, doc: str, columns: dict[str, MappedColumn[Any]]
) -> type[Base]:
    """A table of rows that belong to one ``owner`` row (a term, thread or
    comment) in source order: an id, the owner's id (the rows go with it),
    their position, then ``columns``.

    A function rather than a mixin because the owner's column is named for
    it (``term_id``, ``thread_id``, ``comment_id``); the columns are in the
    order the migration creates them.
    """
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": doc,
        "__tablename__": table,
        "__table_args__": (MYSQL_TABLE_ARGS,),
        "id": mapped_column(Integer, primary_key=True),
        f"{owner}_id": mapped_column(
            Integer, ForeignKey(f"{owner}s.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        "position": mapped_column(Integer, nullable=False),
        **columns,
    }
    return types.new_class(name, (Base,), exec_body=lambda body: body.update(namespace))


def _meta(owner: str, doc: str) -> type[Base]:
    """A ``wp:*meta`` table: key and value pairs of one owner, in source
    order; keys may repeat."""
    return _owned_rows(f"{owner.capitalize()}MetaRow", f"{owner}_meta", owner, doc, {
        "meta_key": mapped_column(LongText, nullable=False),
        "meta_value": mapped_column(LongText, nullable=True),
    })


class SourcedColumns:
    """The identity every user, term, thread and comment row has: the
    source's own id (``key``) within a site and origin, unique together, the
    file it was last imported from, and its place in that file."""

    # Listed first in each table, as the migration creates them.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-6)
    site: Mapped[str] = mapped_column(Key(), sort_order=-5)
    origin: Mapped[str] = mapped_column(Key(16), sort_order=-4)
    key: Mapped[str] = mapped_column(Key(), sort_order=-3)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), sort_order=-2)
    position: Mapped[int] = mapped_column(Integer, default=0, sort_order=-1)


class SourceRow(Base):
    """One imported file."""

    __tablename__ = "sources"
    __table_args__ = (Index(None, "sha256"), MYSQL_TABLE_ARGS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(Key(16))
    site: Mapped[str] = mapped_column(Key())
    name: Mapped[str] = mapped_column(LongText)
    sha256: Mapped[str | None] = mapped_column(Key(64))
    version: Mapped[str | None] = mapped_column(LongText)
    wp_namespace: Mapped[str | None] = mapped_column(LongText)
    namespaces: Mapped[str | None] = mapped_column(LongText)  # JSON: prefix -> URI
    title: Mapped[str | None] = mapped_column(LongText)
    link: Mapped[str | None] = mapped_column(LongText)
    description: Mapped[str | None] = mapped_column(LongText)
    pub_date: Mapped[str | None] = mapped_column(LongText)
    language: Mapped[str | None] = mapped_column(LongText)
    generator: Mapped[str | None] = mapped_column(LongText)
    base_site_url: Mapped[str | None] = mapped_column(LongText)
    base_blog_url: Mapped[str | None] = mapped_column(LongText)
    child_order: Mapped[str | None] = mapped_column(LongText)  # JSON list
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class UserRow(SourcedColumns, Base):
    """A site account (WXR ``wp:author``) or a Disqus author's username."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("site", "origin", "key"), MYSQL_TABLE_ARGS)

    wp_id: Mapped[str | None] = mapped_column(Key())
    login: Mapped[str | None] = mapped_column(LongText)
    email: Mapped[str | None] = mapped_column(LongText)
    display_name: Mapped[str | None] = mapped_column(LongText)
    first_name: Mapped[str | None] = mapped_column(LongText)
    last_name: Mapped[str | None] = mapped_column(LongText)
    dsq_username: Mapped[str | None] = mapped_column(LongText)


class TermRow(SourcedColumns, Base):
    """A WXR category, tag or term, or a Disqus category."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("site", "origin", "key"), MYSQL_TABLE_ARGS)

    kind: Mapped[str] = mapped_column(Key(32))
    term_id: Mapped[str | None] = mapped_column(LongText)
    taxonomy: Mapped[str | None] = mapped_column(LongText)
    slug: Mapped[str | None] = mapped_column(LongText)
    parent: Mapped[str | None] = mapped_column(LongText)
    name: Mapped[str | None] = mapped_column(LongText)
    description: Mapped[str | None] = mapped_column(LongText)
    dsq_forum: Mapped[str | None] = mapped_column(LongText)
    dsq_is_default: Mapped[str | None] = mapped_column(LongText)


TermMetaRow = _meta("term", "``wp:termmeta`` in source order; keys may repeat.")


class ThreadRow(SourcedColumns, Base):
    """A WXR item (post, page, attachment, …) or a Disqus thread."""

    __tablename__ = "threads"
    __table_args__ = (
        UniqueConstraint("site", "origin", "key"),
        Index(None, "identifier"),
        MYSQL_TABLE_ARGS,
    )

    wp_post_id: Mapped[str | None] = mapped_column(Key())
    dsq_id: Mapped[str | None] = mapped_column(Key(64))
    identifier: Mapped[str | None] = mapped_column(Key())
    title: Mapped[str | None] = mapped_column(LongText)
    link: Mapped[str | None] = mapped_column(LongText)
    pub_date: Mapped[str | None] = mapped_column(LongText)
    creator: Mapped[str | None] = mapped_column(LongText)
    guid: Mapped[str | None] = mapped_column(LongText)
    guid_is_permalink: Mapped[str | None] = mapped_column(LongText)
    description: Mapped[str | None] = mapped_column(LongText)
    content: Mapped[str | None] = mapped_column(LongText)
    excerpt: Mapped[str | None] = mapped_column(LongText)
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at_raw: Mapped[str | None] = mapped_column(LongText)
    created_at_local: Mapped[str | None] = mapped_column(LongText)
    modified_at_raw: Mapped[str | None] = mapped_column(LongText)
    modified_at_local: Mapped[str | None] = mapped_column(LongText)
    comment_status: Mapped[str | None] = mapped_column(LongText)
    ping_status: Mapped[str | None] = mapped_column(LongText)
    slug: Mapped[str | None] = mapped_column(LongText)
    status: Mapped[str | None] = mapped_column(LongText)
    post_parent: Mapped[str | None] = mapped_column(LongText)
    menu_order: Mapped[str | None] = mapped_column(LongText)
    post_type: Mapped[str | None] = mapped_column(LongText)
    post_password: Mapped[str | None] = mapped_column(LongText)
    is_sticky: Mapped[str | None] = mapped_column(LongText)
    attachment_url: Mapped[str | None] = mapped_column(LongText)
    dsq_forum: Mapped[str | None] = mapped_column(LongText)
    dsq_category: Mapped[str | None] = mapped_column(LongText)
    dsq_is_closed: Mapped[str | None] = mapped_column(LongText)
    dsq_is_deleted: Mapped[str | None] = mapped_column(LongText)
    dsq_ip_address: Mapped[str | None] = mapped_column(LongText)
    dsq_author_name: Mapped[str | None] = mapped_column(LongText)
    dsq_author_email: Mapped[str | None] = mapped_column(LongText)
    dsq_author_username: Mapped[str | None] = mapped_column(LongText)
    dsq_author_is_anonymous: Mapped[str | None] = mapped_column(LongText)
    child_order: Mapped[str | None] = mapped_column(LongText)  # JSON list


ThreadTermRow = _owned_rows(
    "ThreadTermRow", "thread_terms", "thread",
    "An item's ``<category domain nicename>`` line, in order.",
    {
        "domain": mapped_column(LongText, nullable=True),
        "nicename": mapped_column(LongText, nullable=True),
        "name": mapped_column(LongText, nullable=True),
    },
)
ThreadMetaRow = _meta("thread", "``wp:postmeta`` in source order; keys may repeat.")


class CommentRow(SourcedColumns, Base):
    """A comment, pingback, trackback or Disqus post."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("site", "origin", "key"),
        Index(None, "thread_id", "position"),
        Index(None, "parent_id"),
        # Disqus replies find a parent merged onto a WordPress row by dsq_id.
        Index("ix_comments_dsq_id", "dsq_id"),
        # Blogger replies find a parent merged onto a WordPress row by its key.
        Index("ix_comments_merged_key", "merged_key"),
        MYSQL_TABLE_ARGS,
    )

    # The thread as the source named it, and the row it resolved to (NULL
    # for a Disqus post whose thread is not in the file).
    thread_key: Mapped[str] = mapped_column(Key())
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    # The parent as the source wrote it, the key it names, and the row it
    # resolved to: a missing parent keeps parent/parent_key with no parent_id.
    parent: Mapped[str | None] = mapped_column(LongText)
    parent_key: Mapped[str | None] = mapped_column(Key())
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    wp_id: Mapped[str | None] = mapped_column(Key())
    dsq_id: Mapped[str | None] = mapped_column(Key(64))
    type: Mapped[str] = mapped_column(Key(64))
    wp_type: Mapped[str | None] = mapped_column(LongText)
    status: Mapped[str] = mapped_column(Key(64))
    wp_approved: Mapped[str | None] = mapped_column(LongText)
    dsq_is_approved: Mapped[str | None] = mapped_column(LongText)
    dsq_is_deleted: Mapped[str | None] = mapped_column(LongText)
    dsq_is_spam: Mapped[str | None] = mapped_column(LongText)
    dsq_is_flagged: Mapped[str | None] = mapped_column(LongText)
    dsq_is_highlighted: Mapped[str | None] = mapped_column(LongText)
    dsq_is_anonymous: Mapped[str | None] = mapped_column(LongText)
    dsq_identifier: Mapped[str | None] = mapped_column(LongText)
    author_name: Mapped[str | None] = mapped_column(LongText)
    author_email: Mapped[str | None] = mapped_column(LongText)
    author_url: Mapped[str | None] = mapped_column(LongText)
    author_ip: Mapped[str | None] = mapped_column(LongText)
    # The site account that wrote it: what makes an author reply.
    wp_user_id: Mapped[str | None] = mapped_column(LongText)
    dsq_username: Mapped[str | None] = mapped_column(LongText)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at_raw: Mapped[str | None] = mapped_column(LongText)
    created_at_local: Mapped[str | None] = mapped_column(LongText)
    content: Mapped[str | None] = mapped_column(LongText)
    # The key of the comment of another export (a Blogger comment a
    # Blogger-to-WordPress importer carried over) merged into this row:
    # what that export's replies to it name.
    merged_key: Mapped[str | None] = mapped_column(Key())
    # And the parent that comment answered: a copy the importer left at top
    # level is linked under it.
    merged_parent_key: Mapped[str | None] = mapped_column(Key())


CommentMetaRow = _meta("comment", "``wp:commentmeta`` in source order; keys may repeat.")


class ExtraRow(Base):
    """XML the schema has no column for, kept raw per owner row so a writer of
    the same format can put it back where it was."""

    __tablename__ = "extras"
    __table_args__ = (Index(None, "owner", "owner_id"), MYSQL_TABLE_ARGS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(Key(16))  # source, user, term, thread, comment
    owner_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Key(16))
    name: Mapped[str] = mapped_column(LongText)
    value: Mapped[str] = mapped_column(LongText)
    anchor: Mapped[str | None] = mapped_column(LongText)


class ImportIssueRow(Base):
    """What an import repaired, recovered or rejected, and where."""

    __tablename__ = "import_issues"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    severity: Mapped[str] = mapped_column(Key(16))
    code: Mapped[str] = mapped_column(Key(64))
    reason: Mapped[str] = mapped_column(LongText)
    file: Mapped[str | None] = mapped_column(LongText)
    line: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[int | None] = mapped_column(Integer)
    record_key: Mapped[str | None] = mapped_column(LongText)
    fragment: Mapped[str | None] = mapped_column(LongText)
    created_at: Mapped[datetime] = mapped_column(DateTime)



class CommentHistoryRow(Base):
    """What a stored comment was before an import of its source changed it
    (``change`` "changed": ``fields`` lists the fields, as JSON, and
    ``previous`` holds their earlier values, a JSON object) or no longer held
    it ("deleted": the comment is kept as it was)."""

    __tablename__ = "comment_history"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # The import that found the change.
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    change: Mapped[str] = mapped_column(Key(16))
    fields: Mapped[str | None] = mapped_column(LongText)
    previous: Mapped[str | None] = mapped_column(LongText)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
