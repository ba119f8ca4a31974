"""A WordPress database made for tests: the tables of WordPress's schema
(``wp-admin/includes/schema.php``) that wxrbridge reads and writes, with
their columns, types and defaults as WordPress has them, on SQLite or
MariaDB, and a few rows put in as WordPress itself would.

``wordpress_url`` gives an empty site's URL once per backend: a SQLite file
always, and a database of its own (``wxrb_wpdb_<random>``, dropped
afterwards) on MariaDB when ``WXRBRIDGE_TEST_MYSQL_URL`` is set.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MYSQL_URL, mysql_database
from sqlalchemy import text
from sqlalchemy.engine import Engine

BACKENDS = ["sqlite"] + (["mariadb"] if MYSQL_URL else [])

ID = "bigint(20) unsigned NOT NULL auto_increment"
REF = "bigint(20) unsigned NOT NULL default '0'"
DATE = "datetime NOT NULL default '0000-00-00 00:00:00'"
# Each table: its columns (name, MariaDB type), the first its key.
TABLES: dict[str, list[tuple[str, str]]] = {
    "users": [
        ("ID", ID), ("user_login", "varchar(60) NOT NULL default ''"),
        ("user_pass", "varchar(255) NOT NULL default ''"),
        ("user_nicename", "varchar(50) NOT NULL default ''"),
        ("user_email", "varchar(100) NOT NULL default ''"),
        ("user_url", "varchar(100) NOT NULL default ''"), ("user_registered", DATE),
        ("user_activation_key", "varchar(255) NOT NULL default ''"),
        ("user_status", "int(11) NOT NULL default '0'"),
        ("display_name", "varchar(250) NOT NULL default ''"),
    ],
    "usermeta": [
        ("umeta_id", ID), ("user_id", REF), ("meta_key", "varchar(255) default NULL"),
        ("meta_value", "longtext"),
    ],
    "options": [
        ("option_id", ID), ("option_name", "varchar(191) NOT NULL default ''"),
        ("option_value", "longtext NOT NULL"), ("autoload", "varchar(20) NOT NULL default 'yes'"),
    ],
    "posts": [
        ("ID", ID), ("post_author", REF), ("post_date", DATE), ("post_date_gmt", DATE),
        ("post_content", "longtext NOT NULL"), ("post_title", "text NOT NULL"),
        ("post_excerpt", "text NOT NULL"),
        ("post_status", "varchar(20) NOT NULL default 'publish'"),
        ("comment_status", "varchar(20) NOT NULL default 'open'"),
        ("ping_status", "varchar(20) NOT NULL default 'open'"),
        ("post_password", "varchar(255) NOT NULL default ''"),
        ("post_name", "varchar(200) NOT NULL default ''"), ("to_ping", "text NOT NULL"),
        ("pinged", "text NOT NULL"), ("post_modified", DATE), ("post_modified_gmt", DATE),
        ("post_content_filtered", "longtext NOT NULL"), ("post_parent", REF),
        ("guid", "varchar(255) NOT NULL default ''"),
        ("menu_order", "int(11) NOT NULL default '0'"),
        ("post_type", "varchar(20) NOT NULL default 'post'"),
        ("post_mime_type", "varchar(100) NOT NULL default ''"),
        ("comment_count", "bigint(20) NOT NULL default '0'"),
    ],
    "postmeta": [
        ("meta_id", ID), ("post_id", REF), ("meta_key", "varchar(255) default NULL"),
        ("meta_value", "longtext"),
    ],
    "comments": [
        ("comment_ID", ID), ("comment_post_ID", REF), ("comment_author", "tinytext NOT NULL"),
        ("comment_author_email", "varchar(100) NOT NULL default ''"),
        ("comment_author_url", "varchar(200) NOT NULL default ''"),
        ("comment_author_IP", "varchar(100) NOT NULL default ''"),
        ("comment_date", DATE), ("comment_date_gmt", DATE),
        ("comment_content", "text NOT NULL"), ("comment_karma", "int(11) NOT NULL default '0'"),
        ("comment_approved", "varchar(20) NOT NULL default '1'"),
        ("comment_agent", "varchar(255) NOT NULL default ''"),
        ("comment_type", "varchar(20) NOT NULL default 'comment'"),
        ("comment_parent", REF), ("user_id", REF),
    ],
    "commentmeta": [
        ("meta_id", ID), ("comment_id", REF), ("meta_key", "varchar(255) default NULL"),
        ("meta_value", "longtext"),
    ],
}


# The keys WordPress's schema gives the tables read and written here.
INDEXES: dict[str, list[tuple[str, str]]] = {
    "users": [("user_login_key", "user_login"), ("user_email", "user_email")],
    "usermeta": [("user_id", "user_id"), ("meta_key", "meta_key(191)")],
    "options": [("option_name", "option_name")],
    "posts": [("post_name", "post_name(191)"),
              ("type_status_date", "post_type, post_status, post_date, ID"),
              ("post_parent", "post_parent"), ("post_author", "post_author")],
    "postmeta": [("post_id", "post_id"), ("meta_key", "meta_key(191)")],
    "comments": [("comment_post_ID", "comment_post_ID"),
                 ("comment_approved_date_gmt", "comment_approved, comment_date_gmt"),
                 ("comment_date_gmt", "comment_date_gmt"), ("comment_parent", "comment_parent"),
                 ("comment_author_email", "comment_author_email(10)")],
    "commentmeta": [("comment_id", "comment_id"), ("meta_key", "meta_key(191)")],
}


def _sqlite_type(mysql: str) -> str:
    """The SQLite column for a MariaDB one: its affinity and default."""
    if "auto_increment" in mysql:
        return "INTEGER PRIMARY KEY AUTOINCREMENT"
    kind = "INTEGER" if "int(" in mysql else "TEXT"
    rest = mysql.split(" ", 1)[1] if " " in mysql else ""
    return f"{kind} {rest.replace('default', 'DEFAULT')}".strip()


def create_tables(engine: Engine, prefix: str = "wp_",
                  tables: dict[str, list[tuple[str, str]]] | None = None,
                  indexes: bool = False) -> None:
    """Create the tables; ``indexes`` adds WordPress's keys too (what a
    large site's speed depends on; small tests do without)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        for table, columns in (tables or TABLES).items():
            body = [f"`{name}` {_sqlite_type(kind) if sqlite else kind}" for name, kind in columns]
            if not sqlite:
                body.append(f"PRIMARY KEY (`{columns[0][0]}`)")
                tail = " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci"
            else:
                tail = ""
            connection.execute(text(f"CREATE TABLE `{prefix}{table}` ({', '.join(body)}){tail}"))
            for name, keyed in INDEXES.get(table, []) if indexes else []:
                if sqlite:
                    keyed = re.sub(r"\(\d+\)", "", keyed)
                connection.execute(text(
                    f"CREATE INDEX `{prefix}{table}_{name}` ON `{prefix}{table}` ({keyed})"))


def insert(engine: Engine, table: str, prefix: str = "wp_", **values: Any) -> int:
    columns = ", ".join(f"`{k}`" for k in values)
    marks = ", ".join(f":{k}" for k in values)
    with engine.begin() as connection:
        result = connection.execute(
            text(f"INSERT INTO `{prefix}{table}` ({columns}) VALUES ({marks})"), values)
        return int(result.lastrowid)


POST_TEXT = {"post_content": "", "post_excerpt": "", "to_ping": "", "pinged": "",
             "post_content_filtered": ""}


def add_post(engine: Engine, prefix: str = "wp_", **values: Any) -> int:
    return insert(engine, "posts", prefix, **{**POST_TEXT, "post_title": "", **values})


def add_comment(engine: Engine, prefix: str = "wp_", **values: Any) -> int:
    defaults = {"comment_author": "", "comment_content": "", "comment_approved": "1"}
    return insert(engine, "comments", prefix, **{**defaults, **values})


def set_options(engine: Engine, prefix: str = "wp_", **options: str) -> None:
    for name, value in options.items():
        insert(engine, "options", prefix, option_name=name, option_value=value)


@pytest.fixture(params=BACKENDS)
def wordpress_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database's SQLAlchemy URL, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wordpress.sqlite'}"
        return
    with mysql_database(f"wxrb_wpdb_{uuid.uuid4().hex[:12]}") as url:
        yield url
