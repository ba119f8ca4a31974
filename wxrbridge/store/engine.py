"""Opening a store's database: the engine, and how SQLite is set up on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
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


def create_store_engine(url: str, *, durable: bool = True, reader: bool = False) -> Engine:
    """An engine for the store at ``url``. ``reader``: for a process that
    only reads a store another one opened, so nothing about the database
    (SQLite's journal, say) is set by it."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})") from None
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
