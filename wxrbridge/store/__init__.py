"""The store: a relational database holding the neutral schema.

Open one by URL with :func:`open_store`.  SQLite is the default; PostgreSQL
(``postgresql+psycopg://``) and MariaDB (``mysql+pymysql://``) hold large or
shared stores.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, MetaData
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.schema import AddConstraint, DropConstraint

from .. import readahead
from ..errors import NoStoreError, StoreError
from ..records import Record
from ..urlmap import UrlMap
from .bulk import sqlite_check_keys, sqlite_keys_off, sqlite_keys_on
from .engine import create_store_engine, parse_store_url, sqlite_path
from .load_issues import LoadReport
from .migrate import check_current, ensure_current, has_schema
from .models import metadata
from .read import Selection, iter_records, read_records_ahead, thread_exists
from .server_load import unchecked_references
from .stats import store_stats

if TYPE_CHECKING:
    from .merge import MergeOptions

DEFAULT_URL = "sqlite:///wxrbridge.sqlite"

__all__ = [
    "DEFAULT_URL",
    "LoadReport",
    "MergeOptions",
    "Selection",
    "Store",
    "UrlMap",
    "open_existing_engine",
    "open_store",
    "resolve_url",
]


def __getattr__(name: str) -> Any:
    # The loader and its merges are imported by the first load: a command
    # that only reads a store (stats, export) does without them.
    if name == "MergeOptions":
        from .merge import MergeOptions

        return MergeOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def resolve_url(url: str | None) -> str:
    """``--db``, else ``WXRBRIDGE_DB``, else a SQLite file in the current folder."""
    return url or os.environ.get("WXRBRIDGE_DB") or DEFAULT_URL


# One number for every wxrbridge store: imports into the same database wait
# for each other, so ids handed out by one are never taken by another.
_LOCK_ID = 0x77787262
_LOCK_NAME = "wxrbridge.import"


@contextmanager
def _import_lock(connection: Connection) -> Iterator[None]:
    """Serialise imports into one store.

    PostgreSQL takes a transaction-level advisory lock (released at commit or
    rollback); MariaDB a named session lock, released here; SQLite needs none
    because its first write takes the database's single write lock.
    """
    name = connection.dialect.name
    if name in ("mysql", "mariadb"):
        connection.exec_driver_sql(f"SELECT GET_LOCK('{_LOCK_NAME}', 3600)")
        connection.commit()
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT RELEASE_LOCK('{_LOCK_NAME}')")
            connection.commit()
        return
    yield


@contextmanager
def _first_load_journal(connection: Connection) -> Iterator[None]:
    """Load an empty SQLite store through a rollback journal, then go back
    to WAL; and without foreign keys checked row by row (see
    :func:`~wxrbridge.store.bulk.sqlite_keys_off`), which
    :func:`_first_load_constraints` checks at the end.

    In WAL mode every page is written twice, to the log and then, at
    commit, into the database; a first import of a large file is mostly
    new pages, which a rollback journal writes once, as durably (the
    commit still waits for the disk). Where the switch is refused (another
    connection has the store open), the load goes through WAL as usual.
    """
    if connection.dialect.name != "sqlite" or not _holds_nothing(connection):
        connection.commit()
        yield
        return
    connection.commit()
    try:
        mode = connection.exec_driver_sql("PRAGMA journal_mode=DELETE").scalar()
    except OperationalError:
        mode = "wal"
    sqlite_keys_off(connection)
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        sqlite_keys_on(connection)
        if mode == "delete":
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.commit()


def _holds_nothing(connection: Connection) -> bool:
    return connection.exec_driver_sql("SELECT 1 FROM sources LIMIT 1").first() is None


@contextmanager
def _first_load_constraints(connection: Connection) -> Iterator[None]:
    """Load an empty PostgreSQL store without its foreign keys, then add
    them back, in the same transaction (MariaDB: see
    :func:`~.server_load.unchecked_references`).

    PostgreSQL checks a foreign key row by row as rows go in, each check a
    lookup and a lock in the table it points to: a fifth of a first
    import's time. Added back once the rows are in, each key is checked
    for the whole table by one join, as pg_restore does it. A row pointing
    nowhere fails that check and the import rolls back, as it would have
    failed row by row. Until it commits, the import holds the tables to
    itself, which on an empty store keeps nobody from anything.
    """
    name = connection.dialect.name
    if name == "sqlite":
        yield
        sqlite_check_keys(connection, metadata.sorted_tables)
        return
    if name not in ("postgresql", "mysql", "mariadb") or not _holds_nothing(connection):
        yield
        return
    if name != "postgresql":
        with unchecked_references(connection, metadata.sorted_tables):
            yield
        return
    # From a copy of the tables: SQLAlchemy marks a constraint given to
    # AddConstraint (and, before 2.0.39, DropConstraint) as not to be
    # created with its table, and a store created later in this process
    # would have no foreign keys.
    copy = MetaData()
    keys = [key for table in metadata.sorted_tables
            for key in table.to_metadata(copy).foreign_key_constraints]
    for key in keys:
        connection.execute(DropConstraint(key))
    yield
    for key in keys:
        connection.execute(AddConstraint(key))


def _start_import(connection: Connection) -> None:
    """Take PostgreSQL's import lock; on SQLite, check foreign keys at commit.

    The SQLite loader links a reply to a parent row of the same batch, which
    a repeated id may make it re-insert after the reply (see bulk.py).
    """
    name = connection.dialect.name
    if name == "sqlite":
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    elif name == "postgresql":
        # Per schema: imports into other schemas of the database need not wait.
        connection.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({_LOCK_ID}, hashtext(current_schema()))"
        )


class Store:
    """An open store. Use as a context manager, or call :meth:`close`."""

    def __init__(self, engine: Engine, *, created: bool = False) -> None:
        self.engine = engine
        # Made by this opening (a new SQLite file, a new schema): see discard_if_empty.
        self.created = created

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def load(
        self,
        records: Iterable[Record],
        *,
        sha256: str | Callable[[], str | None] | None = None,
        dry_run: bool = False,
        merge: MergeOptions | None = None,
    ) -> LoadReport:
        """Load one record stream in one transaction: all or nothing."""
        return self.load_many([(records, sha256)], dry_run=dry_run, merge=merge)[0]

    def load_many(
        self,
        streams: Iterable[tuple[Iterable[Record], str | Callable[[], str | None] | None]],
        *,
        dry_run: bool = False,
        merge: MergeOptions | None = None,
    ) -> list[LoadReport]:
        """Load several files' record streams in one transaction.

        ``sha256`` may be a callable, asked once its stream is exhausted (a
        streamed file's hash is known only at its end).  Any error rolls the
        whole transaction back, so the store is left as it was; so does
        ``dry_run``.
        """
        from .load import Loader, count_stored

        reports = []
        try:
            with self.engine.connect() as connection, _import_lock(connection), \
                    _first_load_journal(connection):
                transaction = connection.begin()
                _start_import(connection)
                try:
                    with _first_load_constraints(connection):
                        for records, sha256 in streams:
                            loader = Loader(connection, merge=merge)
                            reports.append(loader.load(records))
                            loader.finish_source(sha256() if callable(sha256) else sha256)
                        count_stored(connection, reports)
                except BaseException:
                    transaction.rollback()
                    raise
                if dry_run:
                    transaction.rollback()
                else:
                    transaction.commit()
        except (OperationalError, IntegrityError, DataError) as exc:
            raise StoreError(f"{self.url}: {exc.orig}") from None
        except UnicodeEncodeError as exc:
            # Only a caller's own records can hold one: every reader decodes
            # real text. UTF-8 has no form for a lone surrogate.
            raise StoreError(
                f"{self.url}: a value holds {exc.object[exc.start:exc.end]!r}, a lone "
                "surrogate that UTF-8 (and so the store) cannot hold; nothing was stored"
            ) from None
        return reports

    def records(
        self, selection: Selection | None = None, *, read_ahead: bool | None = None,
        history: bool = False, meta: bool = True,
    ) -> Iterator[Record]:
        """Stream every record back out, threads in order, comments in tree order.

        A SQLite store of 8 MB or more is read by a second process while the
        caller writes what it has (see :mod:`wxrbridge.readahead`), when
        there is a second core; ``read_ahead`` True or False asks for that,
        or not, on any store. The records are the same either way. With
        ``history``, the selected comments' history follows them
        (:class:`~wxrbridge.records.CommentChange` records). ``meta`` False
        leaves the threads' and comments' meta, extras and terms unread
        (empty), for a writer that shows none of them.
        """
        if self._read_ahead(read_ahead):
            url = self.engine.url.render_as_string(hide_password=False)
            yield from read_records_ahead(url, selection, history, meta)
            return
        with self.engine.connect() as connection:
            yield from iter_records(connection, selection, history, meta)

    def _read_ahead(self, wanted: bool | None) -> bool:
        url = self.engine.url
        if url.get_backend_name() != "sqlite":
            return bool(wanted) and readahead.second_process()
        path = sqlite_path(url)
        if path is None:
            return False  # another process cannot open it by this name
        return readahead.worthwhile(path, wanted)

    def discard_if_empty(self) -> bool:
        """Remove the store this opening created, when it still holds
        nothing (a failed or dry-run first import): no empty store is left
        where there was none. Returns whether it was removed."""
        if not self.created:
            return False
        with self.engine.connect() as connection:
            if not _holds_nothing(connection):
                return False
        path = sqlite_path(self.engine.url)
        self.engine.dispose()
        if path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with suppress(FileNotFoundError):
                    os.unlink(path + suffix)
        else:
            with self.engine.begin() as connection:
                metadata.drop_all(connection)
                connection.exec_driver_sql("DROP TABLE alembic_version")
            self.engine.dispose()
        self.created = False
        return True

    def has_thread(self, wanted: str) -> bool:
        """Whether a thread's key, identifier, link or guid is ``wanted``."""
        with self.engine.connect() as connection:
            return thread_exists(connection, wanted)

    def stats(self) -> dict[str, Any]:
        with self.engine.connect() as connection:
            return store_stats(connection)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    url: str | None = None, *, migrate: bool = True, durable: bool = True,
    read_only: bool = False,
) -> Store:
    """Open the store at ``url`` (see :func:`resolve_url`).

    A new database gets the schema; one made by an older wxrbridge raises
    :class:`~wxrbridge.errors.StoreOutOfDateError` naming the upgrade command.
    ``durable=False`` is for a SQLite store deleted after use: a commit
    then does not wait for the disk, and a crash may lose the file.
    ``read_only`` is for reading alone: a store that does not exist is
    refused (:class:`~wxrbridge.errors.NoStoreError`) rather than created,
    and a SQLite file is opened read-only, so a read-only mount will do.
    """
    if read_only:
        return _open_existing(resolve_url(url))
    resolved = resolve_url(url)
    path = sqlite_path(parse_store_url(resolved))
    new_file = path is not None and not os.path.exists(path)
    engine = create_store_engine(resolved, durable=durable)
    # Whether this opening made the store: by its schema, made under a lock
    # (two processes may both have found the file missing).
    created = new_file
    if migrate:
        try:
            created = ensure_current(engine, display_url=engine.url.render_as_string())
        except OperationalError as exc:
            engine.dispose()
            raise StoreError(
                f"cannot reach {engine.url.render_as_string()}: {exc.orig}"
            ) from None
    return Store(engine, created=created)


def _open_existing(url: str) -> Store:
    engine = open_existing_engine(url)
    try:
        check_current(engine, display_url=engine.url.render_as_string())
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)


def open_existing_engine(url: str | None) -> Engine:
    """A read-only engine on the store at ``url``, which must exist (hold
    wxrbridge's schema, at any revision): :class:`NoStoreError` if not."""
    resolved = resolve_url(url)
    parsed = parse_store_url(resolved)
    display = parsed.render_as_string()
    path = sqlite_path(parsed)
    if path is not None and not os.path.isfile(path):
        raise NoStoreError(display)
    engine = create_store_engine(resolved, read_only=True)
    try:
        if not has_schema(engine):
            raise NoStoreError(display)
    except BaseException:
        engine.dispose()
        raise
    return engine
