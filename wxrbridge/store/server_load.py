"""Bulk writes into PostgreSQL and MariaDB, as :class:`bulk.RawInsert` hands
them over: a batch of rows in one statement's column order.

* **PostgreSQL** (psycopg 3): ``COPY … FROM STDIN``, since an
  ``executemany`` costs a round of the protocol per row.  ``COPY`` knows no
  ``ON CONFLICT``: rows that may collide (a key the file repeats) are copied
  straight into their table inside a savepoint, and only a batch that does
  collide is copied again into a temporary table and moved with one
  ``INSERT … SELECT … ON CONFLICT DO NOTHING`` in file order.
* **MariaDB** (PyMySQL): PyMySQL's ``executemany`` sends a plain
  ``INSERT … VALUES`` as multi-row inserts, escaping every value in Python;
  a column no row of the batch has a value for is left out of the
  statement (it is NULL either way), which on a WXR's comments is a third
  of them.

Each writer returns how many rows went in when the database says so (what
spares the caller a count), else ``None``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, Text, select
from sqlalchemy.exc import DBAPIError, IntegrityError

Rows = Sequence[Sequence[Any]]
Writer = Callable[[Rows], "int | None"]


def server_writer(
    connection: Connection, table: Table, columns: Sequence[str], sql: str, *, ignore: bool
) -> Writer | None:
    """The writer of ``table``'s ``columns`` for this connection's server,
    or ``None`` where ``sql`` (the plain INSERT) is run as it is."""
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return PostgresCopy(connection, table, columns, ignore=ignore)
    if dialect.name in ("mysql", "mariadb"):
        return NullColumnsLeftOut(connection, table, columns, sql)
    return None


class PostgresCopy:
    """Rows through ``COPY``, which sends NULL for ``None`` and escapes text
    itself; driver errors come out as SQLAlchemy's, as they would from an
    ``executemany``."""

    def __init__(
        self, connection: Connection, table: Table, columns: Sequence[str], *, ignore: bool
    ) -> None:
        preparer = connection.dialect.identifier_preparer
        target = preparer.format_table(table)
        column_list = ", ".join(preparer.quote(c) for c in columns)
        self.connection = connection
        self.ignore = ignore
        self.copy_sql = f"COPY {target} ({column_list}) FROM STDIN"
        # A temporary table of these columns only (no constraints), emptied
        # before each batch that needs it and gone at commit; one per table
        # and set of columns.
        digest = hashlib.sha1(",".join(columns).encode()).hexdigest()[:16]
        stage = preparer.quote(f"wxrbridge_stage_{table.name}_{digest}")
        order = " ORDER BY id" if "id" in columns else ""
        self.stage_sql = [
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
            f"SELECT {column_list} FROM {target} WITH NO DATA",
            f"TRUNCATE {stage}",
        ]
        self.stage_copy_sql = f"COPY {stage} ({column_list}) FROM STDIN"
        self.move_sql = (
            f"INSERT INTO {target} ({column_list}) SELECT {column_list} "
            f"FROM {stage}{order} ON CONFLICT DO NOTHING"
        )

    def __call__(self, rows: Rows) -> int | None:
        raw = self.connection.connection.driver_connection
        assert raw is not None
        dbapi = self.connection.dialect.loaded_dbapi
        statement = self.copy_sql
        try:
            with raw.cursor() as cursor:
                if not self.ignore:
                    self._copy(cursor, self.copy_sql, rows)
                    return len(rows)
                # Mostly no key repeats: the rows go straight in.
                cursor.execute("SAVEPOINT wxrbridge_copy")
                try:
                    self._copy(cursor, self.copy_sql, rows)
                except dbapi.IntegrityError:
                    cursor.execute("ROLLBACK TO SAVEPOINT wxrbridge_copy")
                else:
                    cursor.execute("RELEASE SAVEPOINT wxrbridge_copy")
                    return len(rows)
                cursor.execute("RELEASE SAVEPOINT wxrbridge_copy")
                for sql in self.stage_sql:
                    statement = sql
                    cursor.execute(sql)
                statement = self.stage_copy_sql
                self._copy(cursor, self.stage_copy_sql, rows)
                statement = self.move_sql
                cursor.execute(self.move_sql)
                return int(cursor.rowcount)
        except dbapi.Error as exc:
            raise DBAPIError.instance(
                statement, None, exc, dbapi.Error, dialect=self.connection.dialect
            ) from exc

    @staticmethod
    def _copy(cursor: Any, sql: str, rows: Rows) -> None:
        with cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)


class NullColumnsLeftOut:
    """An ``executemany`` of the batch's columns that hold a value in some
    row; the statement for each such set of columns is made once."""

    def __init__(
        self, connection: Connection, table: Table, columns: Sequence[str], sql: str
    ) -> None:
        self.connection = connection
        self.sql = sql
        self.columns = tuple(columns)
        # Only a nullable column may be left out: a NOT NULL one given no
        # value is refused as it is now, not given its default.
        self.optional = [
            i for i, name in enumerate(self.columns)
            if table.c[name].nullable and table.c[name].server_default is None
        ]
        head, values = sql.split(" VALUES ", 1)
        self.tail = values[values.index(")") + 1:]
        self.target = head[: head.index("(")].strip()
        self.statements: dict[tuple[int, ...], tuple[str, Callable[[Any], Any]]] = {}

    def __call__(self, rows: Rows) -> int | None:
        empty = {i for i in self.optional if all(row[i] is None for row in rows)}
        if not empty:
            self.connection.exec_driver_sql(self.sql, [tuple(row) for row in rows])
            return None
        kept = tuple(i for i in range(len(self.columns)) if i not in empty)
        made = self.statements.get(kept)
        if made is None:
            made = self.statements[kept] = self._statement(kept)
        sql, pick = made
        self.connection.exec_driver_sql(sql, list(map(pick, rows)))
        return None

    def _statement(self, kept: tuple[int, ...]) -> tuple[str, Callable[[Any], Any]]:
        quote = self.connection.dialect.identifier_preparer.quote
        names = ", ".join(quote(self.columns[i]) for i in kept)
        marks = ", ".join(["%s"] * len(kept))
        sql = f"{self.target} ({names}) VALUES ({marks}){self.tail}"
        getter = itemgetter(*kept)
        if len(kept) == 1:
            return sql, lambda row: (getter(row),)
        return sql, getter


def analyze_sql(connection: Connection, tables: Sequence[Table]) -> str:
    """PostgreSQL's ``ANALYZE`` of ``tables``, column by column for every
    column but free text: the store finds rows by ids, keys, kinds and
    dates, and a sample of bodies and meta values (most of what an
    ``ANALYZE`` of the whole rows reads) tells its planner nothing."""
    quote = connection.dialect.identifier_preparer.quote
    parts = []
    for table in tables:
        names = [quote(c.name) for c in table.columns if not isinstance(c.type, Text)]
        parts.append(f"{quote(table.name)} ({', '.join(names)})")
    return "ANALYZE " + ", ".join(parts)


# Set on a connection while MariaDB loads without checking references.
UNCHECKED = "wxrbridge.unchecked_references"


@contextmanager
def unchecked_references(connection: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Load an empty MariaDB store with its foreign keys unchecked, then
    check every reference of ``tables`` at once.

    InnoDB checks a foreign key row by row as rows go in, a lookup and a
    shared lock in the table it points to for each; and it checks a reply's
    parent before the rest of its batch is in, so replies could only be
    linked by an ``UPDATE`` after loading. Unchecked, a reply is linked as
    it is built, as on the other backends (``ParentLinker``). A reference
    pointing nowhere afterwards fails the import, which then rolls back,
    as it would have failed row by row.
    """
    connection.exec_driver_sql("SET SESSION foreign_key_checks = 0")
    connection.info[UNCHECKED] = True
    try:
        yield
        check_references(connection, tables)
    finally:
        connection.info.pop(UNCHECKED, None)
        connection.exec_driver_sql("SET SESSION foreign_key_checks = 1")


def check_references(connection: Connection, tables: Sequence[Table]) -> None:
    """Raise IntegrityError for the first row of ``tables`` whose foreign
    key names no row: one anti-join per key."""
    for table in tables:
        for key in table.foreign_key_constraints:
            (column,), (element,) = key.columns, key.elements
            # An alias: a comment's parent is in its own table.
            target = element.column.table.alias("referred")
            referred = target.c[element.column.name]
            found = connection.execute(
                select(column).select_from(table.outerjoin(target, referred == column))
                .where(column.is_not(None), referred.is_(None)).limit(1)
            ).first()
            if found is not None:
                name = element.column.table.name
                raise IntegrityError(f"{table.name}.{column.name} -> {name}", None, ValueError(
                    f"foreign key {table.name}.{column.name}: {found[0]} names no row "
                    f"of {name}"))
