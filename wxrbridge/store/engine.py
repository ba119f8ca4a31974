"""Opening a store's database: the engine, and how SQLite is set up on it."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..errors import StoreError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL with synchronous=FULL: a bulk load writes its pages once, and a
    # committed import survives a power cut.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    _common_pragmas(cursor)


def _scratch_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # A store that is deleted once the command ends has nothing to keep
    # through a crash: the rollback journal stays in memory (an import can
    # still roll back) and nothing waits for the disk.
    cursor.execute("PRAGMA journal_mode=MEMORY")
    cursor.execute("PRAGMA synchronous=OFF")
    _common_pragmas(cursor)


def _common_pragmas(cursor: Any) -> None:
    cursor.execute("PRAGMA foreign_keys=ON")
    # A 2 MiB page cache: memory does not grow with the store, and neither
    # a 4 MiB nor a 16 MiB one loaded 500,000 comments any faster, while
    # each added its size to the peak.
    cursor.execute("PRAGMA cache_size=-2048")
    cursor.close()


def sqlite_path(url: URL) -> str | None:
    """The file a SQLite URL names (plain, or a ``file:`` URI), or ``None``
    (another backend, an in-memory database)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database.startswith("file:") and url.query.get("uri") == "true":
        database = unquote(database[len("file:"):].partition("?")[0])
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return database


def _read_only(url: URL) -> URL:
    """A SQLite URL opening its file read-only (``mode=ro``); on a folder
    that cannot be written (a read-only mount) also ``immutable``, or
    SQLite could not open a WAL store, whose shared-memory file it would
    have to create."""
    path = sqlite_path(url)
    if path is None or url.query.get("uri") == "true":
        return url
    query = {"mode": "ro", "uri": "true"}
    if not os.access(os.path.dirname(os.path.abspath(path)) or ".", os.W_OK):
        query["immutable"] = "1"
    return url.set(database=f"file:{quote(os.path.abspath(path))}").update_query_dict(query)


def parse_store_url(url: str) -> URL:
    """``url`` parsed, or a StoreError saying it is not one."""
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})") from None


def create_store_engine(
    url: str, *, durable: bool = True, reader: bool = False, read_only: bool = False
) -> Engine:
    """An engine for the store at ``url``. ``reader``: for a process that
    only reads a store another one opened, so nothing about the database
    (SQLite's journal, say) is set by it; ``read_only`` also opens a SQLite
    file read-only, so that a store on a read-only mount can be read."""
    parsed = parse_store_url(url)
    if read_only:
        parsed, reader = _read_only(parsed), True
    if parsed.get_backend_name() in ("mysql", "mariadb") and "charset" not in parsed.query:
        # 4-byte UTF-8 (emoji) needs utf8mb4 on the connection, not only the tables.
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    try:
        engine = create_engine(parsed)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise StoreError(f"cannot open {parsed.render_as_string()}: {exc}") from None
    if engine.dialect.name == "sqlite" and not reader:
        event.listen(engine, "connect", _sqlite_pragmas if durable else _scratch_pragmas)
    return engine
