"""What an Isso database is: its tables, columns, modes and version."""

from __future__ import annotations

import sqlite3

SQLITE_MAGIC = b"SQLite format 3\x00"
# PRAGMA user_version of the schema Isso writes today (Isso 0.13 and 0.14).
CURRENT_VERSION = 5

MODE_ACCEPTED = 1
MODE_PENDING = 2
MODE_DELETED = 4

# The comments table's columns in Isso's order; a database older than
# version 4 may lack ``notification``.
COMMENT_COLUMNS = (
    "tid", "id", "parent", "created", "modified", "mode", "remote_addr", "text",
    "author", "email", "website", "likes", "dislikes", "voters", "notification",
)
# Columns every version has; a table without one of them is not Isso's.
REQUIRED_COLUMNS = frozenset({"tid", "id", "parent", "created", "mode", "text"})

# The tables as Isso creates them at version 5.
CREATE_THREADS = (
    "CREATE TABLE IF NOT EXISTS threads ("
    "id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))"
)
CREATE_COMMENTS = """CREATE TABLE IF NOT EXISTS comments (
    tid REFERENCES threads(id),
    id INTEGER PRIMARY KEY,
    parent INTEGER,
    created FLOAT NOT NULL,
    modified FLOAT,
    mode INTEGER,
    remote_addr VARCHAR,
    text VARCHAR NOT NULL,
    author VARCHAR,
    email VARCHAR,
    website VARCHAR,
    likes INTEGER DEFAULT 0,
    dislikes INTEGER DEFAULT 0,
    voters BLOB NOT NULL,
    notification INTEGER DEFAULT 0
)"""
# Isso's vote memory: a 256-byte Bloom filter of the voters' addresses.
EMPTY_VOTERS = bytes(256)


def detect(head: bytes) -> bool:
    """Whether a file's first bytes are an SQLite database's."""
    return head.startswith(SQLITE_MAGIC)


def comment_columns(con: sqlite3.Connection) -> list[str] | None:
    """The comments table's columns, when the database has Isso's two
    tables (None otherwise)."""
    tables = {row[0] for row in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name IN ('threads', 'comments')"
    )}
    if tables != {"threads", "comments"}:
        return None
    columns = [row[1] for row in con.execute("PRAGMA table_info(comments)")]
    return columns if REQUIRED_COLUMNS <= set(columns) else None


def user_version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])
