"""Batch writes of rows that have an identity ``(site, origin, key)``.

Two paths, chosen per table, site and origin:

* **fresh**: the store holds no row of this site and origin yet (a first
  import, the common case).  Ids are handed out here, under the store's
  import lock, and rows go in with one ``executemany`` of a precompiled
  ``INSERT … ON CONFLICT DO NOTHING``; child rows (meta, extras) then need
  neither an id lookup nor a delete.  A key the file repeats collides with its
  first row and is not inserted; counting the rows in the batch's id range
  finds that, and the repeat is kept under a key of its own and reported.
* **upsert**: rows may exist (a re-import, or a merge).  Core's dialect
  upsert updates them in place; ids are then looked up by key.

The fresh path passes plain tuples to the driver through
``Connection.exec_driver_sql``, because per-row parameter processing is most
of the cost of a bulk load and these rows need none; PostgreSQL and MariaDB
take them their own quickest way (server_load.py).
"""

from __future__ import annotations

import importlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, DateTime, Table, func, select
from sqlalchemy.exc import IntegrityError

from .server_load import NullColumnsLeftOut, server_writer
from .server_load import chunks as chunks  # where the loader's modules find it

IDENTITY = ("site", "origin", "key")
# What a row whose key the file already used is renamed to: given the key
# and the keys taken, the new key (the loader reports the rename).
Renamer = Callable[[str, "set[str]"], str]


def sqlite_datetime(value: datetime) -> str:
    """What SQLAlchemy's SQLite ``DateTime`` stores: every part zero-padded,
    microseconds included."""
    return value.isoformat(" ", "microseconds")


def pairs(result: Iterable[Any]) -> dict[Any, Any]:
    """A two-column result as a dict (``dict(result)`` would take the
    result's ``keys()`` for a mapping's)."""
    return {first: second for first, second in result}


def upsert(
    connection: Connection, table: Table, rows: list[dict[str, Any]], keep: Sequence[str] = ()
) -> None:
    """Insert rows, updating those whose identity already exists; a stored
    value of a column in ``keep`` stays where the new row has none."""
    if not rows:
        return
    name = connection.dialect.name
    columns = [c for c in rows[0] if c not in IDENTITY and c != "id"]
    # The dialect's own insert, from the dialect already loaded for the
    # connection: importing PostgreSQL's into a SQLite import cost 2 MB.
    if name not in ("sqlite", "postgresql", "mysql", "mariadb"):  # pragma: no cover
        raise NotImplementedError(name)
    dialect = importlib.import_module(
        "sqlalchemy.dialects." + ("mysql" if name == "mariadb" else name))
    stmt = dialect.insert(table)
    if name in ("sqlite", "postgresql"):
        new = stmt.excluded
    else:
        new = stmt.inserted
    values = {
        c: func.coalesce(new[c], table.c[c]) if c in keep else new[c] for c in columns
    }
    if name in ("sqlite", "postgresql"):
        stmt = stmt.on_conflict_do_update(index_elements=list(IDENTITY), set_=values)
    else:
        stmt = stmt.on_duplicate_key_update(values)
    connection.execute(stmt, rows)


def ids_by_key(
    connection: Connection, table: Table, site: str, origin: str, keys: Sequence[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(keys):
        rows = connection.execute(
            select(table.c.key, table.c.id).where(
                table.c.site == site, table.c.origin == origin, table.c.key.in_(chunk)
            )
        )
        found.update(pairs(rows))
    return found


class RawInsert:
    """A precompiled positional INSERT run with the driver's executemany;
    on PostgreSQL and MariaDB through :mod:`server_load`'s writer, on SQLite
    leaving out the columns a batch has no value for.

    ``new_ids``: every row comes with an ``id`` that no stored row has (the
    fresh path's), by which a batch loaded with a warning is found again
    (server_load.MariaDBLoadData).
    """

    def __init__(
        self, connection: Connection, table: Table, columns: Sequence[str], *, ignore: bool,
        new_ids: bool = False,
    ) -> None:
        dialect = connection.dialect
        preparer = dialect.identifier_preparer
        quote = preparer.quote
        mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
        target = preparer.format_table(table)
        column_list = ", ".join(quote(c) for c in columns)
        marks = ", ".join([mark] * len(columns))
        self.sql = f"INSERT INTO {target} ({column_list}) VALUES ({marks})"
        if ignore:
            if dialect.name in ("mysql", "mariadb"):
                self.sql += " ON DUPLICATE KEY UPDATE id = id"
            else:
                self.sql += " ON CONFLICT DO NOTHING"
        self.connection = connection
        self.columns = tuple(columns)
        self.writer = server_writer(
            connection, table, columns, self.sql, ignore=ignore, new_ids=new_ids)
        if self.writer is None and dialect.name == "sqlite":
            self.writer = NullColumnsLeftOut(connection, table, columns, self.sql)

    def __call__(self, rows: Sequence[Sequence[Any]]) -> int | None:
        """Insert rows given as sequences in this statement's column order;
        return how many went in, where the database said so.

        Values go to the driver as they are: on SQLite, whose columns have
        no datetime type, a date must already be the text SQLAlchemy would
        store (``sqlite_datetime``), as the loader makes it.
        """
        if not rows:
            return 0
        if self.writer is not None:
            return self.writer(rows)
        if not isinstance(rows[0], tuple):
            rows = list(map(tuple, rows))  # what SQLAlchemy takes
        self.connection.exec_driver_sql(self.sql, rows)
        return None


class _Batch(NamedTuple):
    """One batch of rows for :meth:`TableWriter.write`, as it was given."""

    site: str
    origin: str
    columns: tuple[str, ...]
    rows: list[list[Any]]
    rename: Renamer


class TableWriter:
    """Writes one entity table's batches for one import, fresh or upsert."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection = connection
        self.table = table
        self.fresh: dict[tuple[str, str], bool] = {}
        self.next_id: int | None = None
        self.inserts: dict[tuple[str, ...], RawInsert] = {}
        self.assigned_ids = False
        # Called with (site, origin, columns, rows, keep) before rows that may
        # be stored are written over: the loader compares them there.
        self.before_upsert: Callable[
            [str, str, tuple[str, ...], list[list[Any]], Sequence[str]], None] | None = None

    def is_fresh(self, site: str, origin: str) -> bool:
        known = self.fresh.get((site, origin))
        if known is None:
            t = self.table
            existing = self.connection.execute(
                select(t.c.id).where(t.c.site == site, t.c.origin == origin).limit(1)
            ).first()
            known = self.fresh[(site, origin)] = existing is None
        return known

    def write(
        self,
        site: str,
        origin: str,
        columns: tuple[str, ...],
        rows: list[list[Any]],
        rename: Renamer,
        source_id: int | None,
        keep: Sequence[str] = (),
    ) -> tuple[list[int], bool]:
        """Write rows; return their ids, in order, and whether they are new.

        Each row is a list in ``columns`` order, which starts with ``id``
        (``None`` for an id not handed out yet) and holds ``key``; the ids
        and any new keys are set in the rows. ``rename(key, taken)`` gives a
        row whose key this file already used a key of its own (not in
        ``taken``). ``keep``: columns a stored row keeps when a row gives
        them no value (see :func:`upsert`).
        """
        batch = _Batch(site, origin, columns, rows, rename)
        if not self.is_fresh(site, origin):
            return self._upsert(batch, source_id, keep), False
        return self._insert_fresh(batch), True

    def allocate(self, count: int) -> int:
        """Hand out ``count`` ids; the first is returned."""
        if self.next_id is None:
            highest = self.connection.execute(select(func.max(self.table.c.id))).scalar()
            self.next_id = (highest or 0) + 1
        start = self.next_id
        self.next_id += count
        self.assigned_ids = True
        return start

    def _raw_insert(self, columns: tuple[str, ...]) -> RawInsert:
        insert = self.inserts.get(columns)
        if insert is None:
            # The fresh path's ids are handed out by allocate(), above
            # every stored one.
            insert = self.inserts[columns] = RawInsert(
                self.connection, self.table, columns, ignore=True, new_ids=True
            )
        return insert

    def _insert_fresh(self, batch: _Batch) -> list[int]:
        site, origin, columns, rows, rename = batch
        t = self.table
        assert columns[0] == "id"
        key_index = columns.index("key")
        if rows[0][0] is None:
            start = self.allocate(len(rows))
            for offset, row in enumerate(rows):
                row[0] = start + offset
        # Ids of one batch are consecutive, so one range scan checks them all.
        low, high = rows[0][0], rows[-1][0]
        insert = self._raw_insert(columns)
        stored = insert(rows)
        if stored is None:
            stored = self.connection.execute(
                select(func.count()).select_from(t).where(t.c.id.between(low, high))
            ).scalar_one()
        pending = rows if stored < len(rows) else []
        while pending:
            present = set(
                self.connection.execute(select(t.c.id).where(t.c.id.between(low, high)))
                .scalars()
            )
            pending = [row for row in pending if row[0] not in present]
            if not pending:
                break
            # These repeated a key of this file. Each keeps its id (a reply
            # may already point at it) under a key of its own.
            keys = [r[key_index] for r in pending]
            taken = self._stored(site, origin, keys, None)
            self._renames_taken(site, origin, keys, taken, None)
            for row in pending:
                row[key_index] = rename(row[key_index], taken)
                taken.add(row[key_index])
            insert(pending)
        return [row[0] for row in rows]

    def _upsert(self, batch: _Batch, source_id: int | None, keep: Sequence[str]) -> list[int]:
        site, origin, columns, rows, rename = batch
        t = self.table
        key_index = columns.index("key")
        # Keys this import already wrote, and repeats within the batch, would
        # let a later row overwrite an earlier one. As on the fresh path, the
        # batch's other rows keep their keys first, then each repeat is
        # renamed: a re-import renames the repeats of a file as its first
        # import did.
        taken = self._stored(site, origin, [r[key_index] for r in rows], source_id)
        repeats = []
        for row in rows:
            if row[key_index] in taken:
                repeats.append(row)
            taken.add(row[key_index])
        if repeats:
            self._renames_taken(
                site, origin, [r[key_index] for r in repeats], taken, source_id
            )
        for row in repeats:
            row[key_index] = rename(row[key_index], taken)
            taken.add(row[key_index])
        if self.before_upsert is not None:
            self.before_upsert(site, origin, columns, rows, keep)
        # The row's own id, if it has one, is not kept: a stored row keeps
        # its id and a new one takes the next.
        values = [dict(zip(columns[1:], row[1:], strict=True)) for row in rows]
        for column in columns[1:]:
            if isinstance(t.c[column].type, DateTime):
                # Core wants datetimes where the fresh path may have been
                # given SQLite's stored text.
                for value in values:
                    if isinstance(value[column], str):
                        value[column] = datetime.fromisoformat(value[column])
        upsert(self.connection, self.table, values, keep)
        ids = ids_by_key(self.connection, self.table, site, origin, [r[key_index] for r in rows])
        for row in rows:
            row[0] = ids[row[key_index]]
        return [row[0] for row in rows]

    def _stored(
        self, site: str, origin: str, keys: Iterable[str], source_id: int | None
    ) -> set[str]:
        """Which of ``keys`` are stored (by ``source_id``'s rows, if given)."""
        t = self.table
        where = [t.c.site == site, t.c.origin == origin]
        if source_id is not None:
            where.append(t.c.source_id == source_id)
        stored: set[str] = set()
        for chunk in chunks(sorted(set(keys))):
            stored.update(
                self.connection.execute(select(t.c.key).where(*where, t.c.key.in_(chunk)))
                .scalars()
            )
        return stored

    def _renames_taken(
        self, site: str, origin: str, repeats: Sequence[str], taken: set[str],
        source_id: int | None,
    ) -> None:
        """Add to ``taken`` the stored keys ``KEY~N`` that renaming
        ``repeats`` will try, so that a renamed row takes a key no other row
        of the import holds (rather than meet one and be renamed again)."""
        wanted = Counter(repeats)
        checked = dict.fromkeys(wanted, 1)  # names KEY~2 … KEY~checked are known
        short = dict(wanted)
        while short:
            names = [f"{key}~{n}" for key, count in short.items()
                     for n in range(checked[key] + 1, checked[key] + 1 + count)]
            for key, count in short.items():
                checked[key] += count
            taken.update(self._stored(site, origin, names, source_id))
            free = {key: sum(f"{key}~{n}" not in taken for n in range(2, checked[key] + 1))
                    for key in short}
            short = {key: wanted[key] - free[key] for key in short if free[key] < wanted[key]}

    def sync_sequence(self) -> None:
        """PostgreSQL's serial sequence does not see ids handed out here."""
        if not self.assigned_ids or self.connection.dialect.name != "postgresql":
            return
        name = self.table.name
        self.connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
        )


def sqlite_keys_off(connection: Connection) -> None:
    """Load an empty SQLite store without checking foreign keys row by row
    (a third of the time its comment inserts took): each insert looked up
    the thread, parent, user and source it points to. Called between
    transactions, where SQLite lets the setting change;
    :func:`sqlite_check_keys` checks them all once the rows are in, and
    :func:`sqlite_keys_on` turns them back on."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")


def sqlite_keys_on(connection: Connection) -> None:
    """Check foreign keys again, as every other connection to the store does."""
    connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def sqlite_check_keys(connection: Connection, tables: Sequence[Table]) -> None:
    """On a connection loading with foreign keys off (see
    :func:`sqlite_keys_off`), do at the end what they would have done: delete
    the child rows an ``ON DELETE CASCADE`` would have taken with a parent the
    load deleted, then refuse any other row that points nowhere, as the
    row-by-row check would have at commit."""
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        return
    for table in tables:
        for key in table.foreign_key_constraints:
            if key.ondelete and key.ondelete.upper() == "CASCADE":
                (child,), (parent,) = key.column_keys, [e.column for e in key.elements]
                connection.execute(table.delete().where(
                    table.c[child].is_not(None),
                    table.c[child].not_in(select(parent)),
                ))
    failed = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if failed is not None:
        raise IntegrityError(
            "PRAGMA foreign_key_check", None,
            sqlite3.IntegrityError(f"FOREIGN KEY constraint failed ({failed[0]} row "
                                   f"{failed[1]} points to a missing {failed[2]} row)"),
        )
