"""Where a WordPress database's tables are, and whether they are WordPress's.

A spec is a SQLAlchemy URL with two options of our own in its query:
``prefix`` (the table prefix, ``wp_`` unless given) and ``blog`` (a
multisite network's blog number: its tables are ``wp_N_…``, its accounts
the network's shared ``wp_users`` and ``wp_usermeta``).  The tables and
columns named here are those of WordPress's own schema
(``wp-admin/includes/schema.php``) that wxrbridge reads or writes; a
database lacking any of them is refused with one line naming what is
missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

# The query options of a spec that are ours, not the database driver's.
PREFIX_OPTION = "prefix"
BLOG_OPTION = "blog"
DEFAULT_PREFIX = "wp_"

# The columns wxrbridge uses, by table (without its prefix).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "posts": (
        "ID", "post_author", "post_date", "post_date_gmt", "post_content", "post_title",
        "post_excerpt", "post_status", "comment_status", "ping_status", "post_password",
        "post_name", "to_ping", "pinged", "post_modified", "post_modified_gmt",
        "post_content_filtered", "post_parent", "guid", "menu_order", "post_type",
        "post_mime_type", "comment_count",
    ),
    "comments": (
        "comment_ID", "comment_post_ID", "comment_author", "comment_author_email",
        "comment_author_url", "comment_author_IP", "comment_date", "comment_date_gmt",
        "comment_content", "comment_karma", "comment_approved", "comment_agent",
        "comment_type", "comment_parent", "user_id",
    ),
    "commentmeta": ("meta_id", "comment_id", "meta_key", "meta_value"),
    "postmeta": ("meta_id", "post_id", "meta_key", "meta_value"),
    "options": ("option_name", "option_value"),
    "users": ("ID", "user_login", "user_nicename", "user_email", "user_url", "display_name"),
    "usermeta": ("user_id", "meta_key", "meta_value"),
}
# Tables kept once for a whole network, under the base prefix.
SHARED = frozenset({"users", "usermeta"})
# Tables read when the permalink structure names a category.
TERM_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "terms": ("term_id", "slug"),
    "term_taxonomy": ("term_taxonomy_id", "term_id", "taxonomy", "parent"),
    "term_relationships": ("object_id", "term_taxonomy_id"),
}


class SchemaMismatchError(Exception):
    """The database is not WordPress's: ``str()`` names what is missing."""


@dataclass
class Site:
    """An open WordPress database: its engine and its tables' names."""

    engine: Engine
    prefix: str
    blog: int | None
    name: str  # the spec as shown in messages: its password hidden

    def table_name(self, table: str) -> str:
        if table in SHARED or self.blog is None or self.blog == 1:
            return f"{self.prefix}{table}"
        return f"{self.prefix}{self.blog}_{table}"

    def table(self, table: str, columns: Iterable[str] | None = None) -> sa.TableClause:
        """A lightweight Core table (no reflection) of the columns used."""
        names = tuple(columns) if columns is not None else {**COLUMNS, **TERM_COLUMNS}[table]
        return sa.table(self.table_name(table), *(sa.column(c) for c in names))

    def missing(self, tables: Mapping[str, tuple[str, ...]]) -> list[str]:
        """The tables and columns of ``tables`` the database lacks."""
        inspector = sa.inspect(self.engine)
        present = {name.lower() for name in inspector.get_table_names()}
        missing: list[str] = []
        for table, columns in tables.items():
            name = self.table_name(table)
            if name.lower() not in present:
                missing.append(name)
                continue
            have = {str(c["name"]).lower() for c in inspector.get_columns(name)}
            missing += [f"{name}.{c}" for c in columns if c.lower() not in have]
        return missing

    def check(self) -> None:
        """Refuse a database without WordPress's tables and columns."""
        missing = self.missing(COLUMNS)
        if missing:
            raise SchemaMismatchError(
                f"not a WordPress database (prefix {self.prefix!r}"
                + (f", blog {self.blog}" if self.blog is not None else "")
                + f"): missing {', '.join(missing)}"
            )

    def has_terms(self) -> bool:
        return not self.missing(TERM_COLUMNS)


def open_site(location: str, **engine_options: Any) -> Site:
    """The site a spec's LOCATION names; ValueError for a bad spec."""
    try:
        url = make_url(location)
    except sa.exc.ArgumentError:
        raise ValueError(f"{location!r} is not a database URL") from None
    prefix = url.query.get(PREFIX_OPTION, DEFAULT_PREFIX)
    blog_text = url.query.get(BLOG_OPTION)
    if isinstance(prefix, tuple) or isinstance(blog_text, tuple):
        raise ValueError("prefix and blog are given once")
    if not prefix.replace("_", "").isalnum():
        raise ValueError(f"prefix {prefix!r} is not a table prefix")
    blog = None
    if blog_text is not None:
        if not (blog_text.isascii() and blog_text.isdigit() and int(blog_text) > 0):
            raise ValueError(f"blog {blog_text!r} is not a blog number")
        blog = int(blog_text)
    url = url.difference_update_query([PREFIX_OPTION, BLOG_OPTION])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not os.path.isfile(url.database):
        # Opening it would make an empty database there.
        raise ValueError(f"there is no database file {url.database}")
    name = "wp:" + url.render_as_string(hide_password=True)
    if url.get_backend_name() == "mysql" and "charset" not in url.query:
        # WordPress stores utf8mb4; the driver's default would mangle it.
        url = url.update_query_dict({"charset": "utf8mb4"})
    engine = sa.create_engine(url, **engine_options)
    return Site(engine=engine, prefix=prefix, blog=blog, name=name)
