"""Bulk writes into PostgreSQL and MariaDB, as :class:`bulk.RawInsert` hands
them over: a batch of rows in one statement's column order.

* **PostgreSQL** (psycopg 3): ``COPY … FROM STDIN``, since an
  ``executemany`` costs a round of the protocol per row.  ``COPY`` knows no
  ``ON CONFLICT``: rows that may collide (a key the file repeats) are copied
  straight into their table inside a savepoint, and only a batch that does
  collide is copied again into a temporary table and moved with one
  ``INSERT … SELECT … ON CONFLICT DO NOTHING`` in file order.
* **MariaDB** (PyMySQL): ``LOAD DATA LOCAL INFILE`` of the batch as
  tab-separated text made in memory (:class:`MariaDBLoadData`), where the
  server allows it and the connection offered it (``offer_local_files``).
  Otherwise, and for any batch the server loads with a warning (a key the
  file repeats, a value a column cannot hold), PyMySQL's ``executemany``
  sends a plain ``INSERT … VALUES`` as multi-row inserts, escaping every
  value in Python; a column no row of the batch has a value for is left
  out of the statement (it is NULL either way), which on a WXR's comments
  is a third of them.

Each writer returns how many rows went in when the database says so (what
spares the caller a count), else ``None``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import countOf, itemgetter
from typing import Any

from sqlalchemy import Connection, Table, Text, select
from sqlalchemy.exc import DBAPIError, IntegrityError

Rows = Sequence[Sequence[Any]]
Writer = Callable[[Rows], "int | None"]
# Bound parameters per statement stay well under every backend's limit
# (SQLite's default is 32766, MariaDB's and PostgreSQL's 65535).
IN_CHUNK = 900


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def server_writer(
    connection: Connection, table: Table, columns: Sequence[str], sql: str, *, ignore: bool,
    new_ids: bool = False,
) -> Writer | None:
    """The writer of ``table``'s ``columns`` for this connection's server,
    or ``None`` where ``sql`` (the plain INSERT) is run as it is.
    ``new_ids``: every row carries an ``id`` no stored row has (handed out
    for this import), so a batch's rows can be found again by them."""
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return PostgresCopy(connection, table, columns, ignore=ignore)
    if dialect.name in ("mysql", "mariadb"):
        inserts = NullColumnsLeftOut(connection, table, columns, sql)
        if dialect.driver == "pymysql":
            return MariaDBLoadData(connection, table, columns, inserts, new_ids=new_ids)
        return inserts
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
    row; the statement for each such set of columns is made once.

    Also SQLite's writer: a WXR comment has a value in about 26 of its 35
    columns, and binding fewer parameters a row makes the inserts cheaper.
    """

    def __init__(
        self, connection: Connection, table: Table, columns: Sequence[str], sql: str
    ) -> None:
        self.connection = connection
        self.sql = sql
        self.columns = tuple(columns)
        # Only a nullable column may be left out: a NOT NULL one given no
        # value is refused as it is now, not given its default.
        # And only one whose default is NULL, so that leaving it out stores
        # what binding None did.
        self.optional = [
            i for i, name in enumerate(self.columns)
            if table.c[name].nullable and table.c[name].server_default is None
            and table.c[name].default is None
        ]
        self.mark = "?" if connection.dialect.paramstyle in ("qmark", "numeric") else "%s"
        head, values = sql.split(" VALUES ", 1)
        self.tail = values[values.index(")") + 1:]
        self.target = head[: head.index("(")].strip()
        self.statements: dict[tuple[int, ...], tuple[str, Callable[[Any], Any]]] = {}

    def __call__(self, rows: Rows) -> int | None:
        count = len(rows)
        # Counted in C: a column is looked at once a batch, in every row.
        empty = {i for i in self.optional if countOf(map(itemgetter(i), rows), None) == count}
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
        marks = ", ".join([self.mark] * len(kept))
        sql = f"{self.target} ({names}) VALUES ({marks}){self.tail}"
        getter = itemgetter(*kept)
        if len(kept) == 1:
            return sql, lambda row: (getter(row),)
        return sql, getter


class NotLoadableError(Exception):
    """A value the tab-separated text has no exact form for."""


def _field_text(value: Any) -> str:
    """A field's text of a value that is not a plain ``str`` nor NULL, as
    PyMySQL would have sent it."""
    kind = value.__class__
    if kind is int:
        return str(value)
    if kind is bool:
        return "1" if value else "0"
    if kind is datetime and value.tzinfo is None:
        return str(value.isoformat(" "))
    if isinstance(value, str):  # lxml's text of an XPath result, say
        return str(value)
    raise NotLoadableError(kind.__name__)


def _escape(text: str) -> str:
    """Text with what LOAD DATA's default format would read otherwise
    escaped: its escape (a backslash), a field's end (tab) and a line's end
    (newline). A carriage return or NUL is read as it is."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _field(value: Any) -> str:
    if value is None:
        return "\\N"
    return _escape(value) if isinstance(value, str) else _field_text(value)


# Stand-ins for a field's end, a line's end and NULL while a whole batch is
# escaped at once: a few passes over one string instead of several calls a
# value. A batch whose own text holds one of them is escaped value by value.
_FIELD, _LINE, _NULL = "\ue000", "\ue001", "\ue002"


def tab_separated(rows: Rows) -> bytes:
    """``rows`` as the UTF-8 text ``LOAD DATA`` reads by default: fields
    ended by tabs, lines by newlines, ``\\N`` for NULL, values escaped by
    :func:`_escape`. Raises NotLoadableError for a value of a type it has no
    exact text for."""
    nulls = sum(row.count(None) for row in rows)
    text = _LINE.join([
        _FIELD.join([value if value.__class__ is str else _NULL if value is None
                     else str(value) if value.__class__ is int else _field_text(value)
                     for value in row])
        for row in rows
    ])
    if (text.count(_NULL) == nulls and text.count(_LINE) == len(rows) - 1
            and text.count(_FIELD) == len(rows) * (len(rows[0]) - 1)):
        text = _escape(text).replace(_FIELD, "\t").replace(_LINE, "\n").replace(_NULL, "\\N")
    else:
        text = "\n".join(["\t".join(map(_field, row)) for row in rows])
    return (text + "\n").encode()


# Per pooled connection: whether it may send LOAD DATA LOCAL.
LOAD_DATA = "wxrbridge.load_data"
# The name the statement gives its data; the server asks for it back, and
# no other name is answered.
_BATCH_NAME = "wxrbridge-batch"
# PyMySQL's own packet size for local data.
_PACKET = 16 * 1024
# MariaDB and MySQL refusing LOCAL: "not allowed with this version",
# "loading local data is disabled".
_REFUSED = (1148, 3948, 4166)
# Per pooled connection: whether the server hands out the ids of one
# statement's rows as one unbroken range (see MariaDBLoadData._undoable).
_CONSECUTIVE_IDS = "wxrbridge.consecutive_ids"


def offer_local_files(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
    """A ``do_connect`` hook: PyMySQL connections tell the server they can
    send local data. PyMySQL itself still answers no request for a file
    (its ``local_infile`` stays off); only :class:`MariaDBLoadData` sends a
    batch, and only for the statement it runs."""
    from pymysql.constants import CLIENT

    cparams["client_flag"] = int(cparams.get("client_flag", 0)) | CLIENT.LOCAL_FILES


class MariaDBLoadData:
    """A batch through ``LOAD DATA LOCAL INFILE`` from memory, where the
    server and connection allow it; else, and for a batch the server loads
    with any warning, through ``inserts``.

    A LOCAL load turns errors a strict ``INSERT`` raises (a repeated key, a
    value too long, a NULL in a NOT NULL column) into warnings and goes on,
    so a batch loaded with a warning is taken out again and sent through
    ``inserts``: what the file repeats is skipped and what is wrong fails,
    exactly as it does there.

    Taking it out is a ``DELETE`` of the batch's own rows where they can be
    named (see :meth:`_undoable`), else a rollback to a savepoint set before
    the load. The savepoint is the exception, since a batch loaded with a
    warning is rare and savepoints are not free: on a busy server the 500
    ``SAVEPOINT`` statements of a 100,000-comment import took 3 s of its
    19 s in statements (0.1 s on a quiet one), and the loads themselves
    were slower beside them.
    """

    def __init__(
        self, connection: Connection, table: Table, columns: Sequence[str],
        inserts: NullColumnsLeftOut, *, new_ids: bool = False,
    ) -> None:
        preparer = connection.dialect.identifier_preparer
        column_list = ", ".join(preparer.quote(c) for c in columns)
        self.connection = connection
        self.inserts = inserts
        self.table = table
        self.sql = (
            f"LOAD DATA LOCAL INFILE '{_BATCH_NAME}' INTO TABLE {preparer.format_table(table)} "
            "CHARACTER SET utf8mb4 FIELDS TERMINATED BY X'09' ENCLOSED BY '' ESCAPED BY X'5C' "
            f"LINES TERMINATED BY X'0A' STARTING BY '' ({column_list})"
        )
        has_id = table.autoincrement_column is not None and \
            table.autoincrement_column.name == "id"
        # Where the rows' ids are ours, the place of the id in a row; where
        # the server hands them out, -1.
        self.id_index: int | None = None
        if has_id and new_ids and "id" in columns:
            self.id_index = list(columns).index("id")
        elif has_id and "id" not in columns:
            self.id_index = -1

    def __call__(self, rows: Rows) -> int | None:
        if not self._allowed():
            return self.inserts(rows)
        try:
            data = tab_separated(rows)
        except (NotLoadableError, UnicodeEncodeError):
            return self.inserts(rows)
        raw = self.connection.connection.driver_connection
        assert raw is not None
        dbapi = self.connection.dialect.loaded_dbapi
        undoable = self._undoable()
        statement = "SAVEPOINT wxrbridge_load"
        try:
            with raw.cursor() as cursor:
                if not undoable:
                    cursor.execute(statement)
                statement = self.sql
                try:
                    loaded, warnings = _load_local(raw, self.sql, data)
                except dbapi.Error as exc:
                    if exc.args[0] not in _REFUSED:
                        raise
                    self.connection.info[LOAD_DATA] = False
                    loaded, warnings = -1, 0
                if warnings or loaded != len(rows):
                    if not undoable:
                        statement = "ROLLBACK TO SAVEPOINT wxrbridge_load"
                        cursor.execute(statement)
                    elif loaded > 0:
                        statement = "DELETE"
                        self._take_out(cursor, rows)
                    return self.inserts(rows)
                # A savepoint is not released: the next batch's SAVEPOINT of
                # the same name replaces it and commit ends it, a round trip
                # less a batch.
                return loaded
        except dbapi.Error as exc:
            raise DBAPIError.instance(
                statement, None, exc, dbapi.Error, dialect=self.connection.dialect
            ) from exc

    def _undoable(self) -> bool:
        """Whether a batch's rows can be found again after its load, so that
        it needs no savepoint: by the ids given with them, or by the range
        of ids the server handed out, which only its 'traditional' and
        'consecutive' ways of handing them out (``innodb_autoinc_lock_mode``
        0 or 1, steps of 1) keep to one statement's rows alone."""
        if self.id_index is None:
            return False
        return self.id_index >= 0 or bool(self.connection.info.get(_CONSECUTIVE_IDS))

    def _take_out(self, cursor: Any, rows: Rows) -> None:
        """Delete the rows a load that put some in put in: those of
        ``rows``' ids, or of the ids the server handed out."""
        target = self.connection.dialect.identifier_preparer.format_table(self.table)
        if self.id_index is not None and self.id_index >= 0:
            for chunk in chunks(sorted(row[self.id_index] for row in rows)):
                cursor.execute(
                    f"DELETE FROM {target} WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    list(chunk))
        else:
            # The first id the load handed out (its OK packet does not say).
            # A row it skipped (a repeated key) used an id up all the same,
            # so the batch's ids are at most len(rows) from the first.
            cursor.execute("SELECT LAST_INSERT_ID()")
            (first_id,) = cursor.fetchone()
            cursor.execute(f"DELETE FROM {target} WHERE id BETWEEN %s AND %s",
                           (first_id, first_id + len(rows) - 1))

    def _allowed(self) -> bool:
        info = self.connection.info
        allowed = info.get(LOAD_DATA)
        if allowed is None:
            from pymysql.constants import CLIENT

            raw = self.connection.connection.driver_connection
            allowed = (
                bool(getattr(raw, "client_flag", 0) & CLIENT.LOCAL_FILES)
                and all(hasattr(raw, name) for name in (
                    "_execute_command", "_read_packet", "write_packet"))
            )
            if allowed:
                local, lock_mode, step = self.connection.exec_driver_sql(
                    "SELECT @@local_infile, @@innodb_autoinc_lock_mode, "
                    "@@auto_increment_increment").one()
                allowed = local == 1
                info[_CONSECUTIVE_IDS] = lock_mode in (0, 1) and step == 1
            info[LOAD_DATA] = allowed
        return bool(allowed)


def _load_local(raw: Any, sql: str, data: bytes) -> tuple[int, int]:
    """Run a ``LOAD DATA LOCAL INFILE`` on PyMySQL connection ``raw``,
    answering the server's request for the file with ``data``; return the
    rows loaded and the warnings. PyMySQL would open a file of the name the
    server asks for; here nothing but ``data`` is ever sent."""
    from pymysql import err
    from pymysql.constants import COMMAND
    from pymysql.protocol import LoadLocalPacketWrapper, OKPacketWrapper

    raw._execute_command(COMMAND.COM_QUERY, sql)
    packet = raw._read_packet()  # raises the server's error, if it sent one
    if not packet.is_load_local_packet():
        raise err.OperationalError(2027, "LOAD DATA LOCAL answered without a request for data")
    if LoadLocalPacketWrapper(packet).filename.decode("utf-8", "replace") != _BATCH_NAME:
        data = b""  # not ours: the load gets no rows and fails the count
    for start in range(0, len(data), _PACKET):
        raw.write_packet(data[start:start + _PACKET])
    raw.write_packet(b"")
    done = OKPacketWrapper(raw._read_packet())
    return int(done.affected_rows), int(done.warning_count)


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
