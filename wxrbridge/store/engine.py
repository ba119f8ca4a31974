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


# The backends whose driver comes with an extra of wxrbridge's: the name
# people know it by, the extra, the driver wxrbridge is tested with, and
# the scheme names a hosting panel may show for it.
_BACKENDS = {
    "postgresql": ("PostgreSQL", "pg", "psycopg", ("postgres", "postgresql")),
    "mysql": ("MariaDB or MySQL", "mysql", "pymysql", ("mysql", "mariadb")),
}


def _backend(url: URL) -> tuple[str, str, str] | None:
    """The backend's (name, extra, tested driver), for those wxrbridge has
    an extra for."""
    for name, extra, driver, schemes in _BACKENDS.values():
        if url.drivername.partition("+")[0] in schemes:
            return name, extra, driver
    return None


def _with_driver(url: URL) -> URL:
    """A URL naming no driver (``postgres://…``, ``mysql://…``, as hosting
    panels show them) given the driver wxrbridge's extra installs, when it
    is installed; ``postgres`` read as ``postgresql``."""
    backend = _backend(url)
    if backend is None or "+" in url.drivername:
        return url
    from importlib.util import find_spec

    scheme = "postgresql" if url.drivername == "postgres" else url.drivername
    try:
        installed = find_spec(backend[2]) is not None
    except (ImportError, ValueError):  # a module entry without a spec
        installed = False
    # Without it, SQLAlchemy's own default driver is tried, and its absence
    # reported as the missing extra.
    return url.set(drivername=f"{scheme}+{backend[2]}" if installed else scheme)


def _missing_driver(url: URL, exc: ImportError) -> StoreError:
    backend = _backend(url)
    shown = url.render_as_string()
    if backend is None:
        return StoreError(f"cannot open {shown}: {exc}")
    name, extra, driver = backend
    named = url.drivername.partition("+")[2]
    if named and named != driver:
        return StoreError(
            f"cannot open {shown}: its driver {named} is not installed ({exc}); wxrbridge's "
            f"[{extra}] extra installs {driver}: pip install 'wxrbridge[{extra}]' and use "
            f"{url.drivername.partition('+')[0]}+{driver}://…"
        )
    return StoreError(
        f"cannot open {shown}: {name} needs the [{extra}] extra: pip install 'wxrbridge[{extra}]'"
    )


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
    parsed = _with_driver(parse_store_url(url))
    if read_only:
        parsed, reader = _read_only(parsed), True
    if parsed.get_backend_name() in ("mysql", "mariadb") and "charset" not in parsed.query:
        # 4-byte UTF-8 (emoji) needs utf8mb4 on the connection, not only the tables.
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    try:
        engine = create_engine(parsed)
    except ImportError as exc:
        raise _missing_driver(parsed, exc) from None
    except (ArgumentError, SQLAlchemyError) as exc:
        raise StoreError(f"cannot open {parsed.render_as_string()}: {exc}") from None
    if engine.dialect.name == "sqlite" and not reader:
        event.listen(engine, "connect", _sqlite_pragmas if durable else _scratch_pragmas)
    if engine.dialect.driver == "pymysql":  # batches load as LOAD DATA LOCAL (server_load)
        from .server_load import offer_local_files

        event.listen(engine, "do_connect", offer_local_files)
    return engine
