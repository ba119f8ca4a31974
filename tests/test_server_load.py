"""The server side of bulk loading (store/server_load.py): the check of
references after an unchecked first load, the statistics PostgreSQL is
given, MariaDB's session left as it was, and MariaDB's two ways of loading
a batch (LOAD DATA LOCAL, multi-row INSERTs) storing the same values."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from conftest import MYSQL_URL, SAMPLES, mysql_database
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from wxrbridge import api
from wxrbridge.store.bulk import RawInsert
from wxrbridge.store.engine import create_store_engine
from wxrbridge.store.models import LongText
from wxrbridge.store.server_load import (
    _CONSECUTIVE_IDS,
    LOAD_DATA,
    analyze_sql,
    check_references,
)
from wxrbridge.store.tables import comments_t


def _pair(metadata: MetaData, keyed: bool) -> tuple[Table, Table]:
    """A parent table and a child pointing at it and at itself; with
    ``keyed``, the references are declared (as the store's models do),
    else the tables are plain (as a load without checks leaves them)."""
    def key(target: str) -> list[ForeignKey]:
        return [ForeignKey(target)] if keyed else []

    parent = Table("ref_parent", metadata, Column("id", Integer, primary_key=True))
    child = Table("ref_child", metadata, Column("id", Integer, primary_key=True),
                  Column("parent_id", Integer, *key("ref_parent.id")),
                  Column("up_id", Integer, *key("ref_child.id")))
    return parent, child


@pytest.mark.parametrize("dangling", [None, "parent_id", "up_id"])
def test_a_reference_to_no_row_is_found(store_url: str, dangling: str | None) -> None:
    plain = MetaData()
    _pair(plain, keyed=False)
    parent, child = _pair(MetaData(), keyed=True)
    engine = create_engine(store_url)
    try:
        with engine.begin() as connection:
            plain.create_all(connection)
            connection.execute(insert(parent), [{"id": 1}])
            row = {"id": 1, "parent_id": 1, "up_id": None}
            connection.execute(insert(child), [row, {"id": 2, "parent_id": None, "up_id": 1}])
            if dangling is not None:
                connection.execute(insert(child), [{**row, "id": 3, dangling: 9}])
            if dangling is None:
                check_references(connection, [parent, child])
            else:
                with pytest.raises(IntegrityError, match=f"ref_child.{dangling}: 9 names no row"):
                    check_references(connection, [parent, child])
            plain.drop_all(connection)
    finally:
        engine.dispose()


def test_statistics_leave_out_free_text(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            sql = analyze_sql(connection, [comments_t])
    finally:
        engine.dispose()
    assert sql.startswith('ANALYZE comments (id, site, origin, "key", ')
    for text_column in ("content", "author_email", "parent", "wp_approved"):
        assert f" {text_column}," not in sql and f" {text_column})" not in sql
    for looked_up in ("parent_key", "thread_id", "dsq_id", "merged_key", "created_at"):
        assert f" {looked_up}," in sql or f" {looked_up})" in sql


def test_a_first_import_leaves_the_session_checking_references(store_url: str) -> None:
    with api.open_store(store_url) as store:
        api.import_files(store, [SAMPLES / "agency-blog.wxr.xml"])
        # Every connection the import left in the pool.
        pool = store.engine.pool
        connections = [store.engine.connect()
                       for _ in range(max(1, pool.checkedin()))]  # type: ignore[attr-defined]
        try:
            for connection in connections:
                if connection.dialect.name in ("mysql", "mariadb"):
                    checks = connection.exec_driver_sql("SELECT @@SESSION.foreign_key_checks")
                    assert checks.scalar() == 1
                assert not connection.info.get("wxrbridge.unchecked_references")
        finally:
            for connection in connections:
                connection.close()


class _Text(str):
    """Text of a class of its own, as lxml gives an XPath result."""


# Values that must come back from MariaDB exactly as they went in, whichever
# way a batch is sent: NULL beside empty text, every character the
# tab-separated text escapes, the stand-ins it escapes a batch with, what
# looks like its NULL, 4-byte UTF-8, text longer than a packet, and dates.
_HOSTILE_TEXTS = [
    None, "", "N", "NULL", "\\N", "\\", "a\\", "\\\\t", "\t", "\n", "\r\n", "\0", "a\0b",
    "tab\there\nnew line\r\nand\\back\\slash", " padded ", "\x1a", "\ue000\ue001\ue002",
    "emoji 🎉🙈 and ñ, ß, 中文", "x" * 70_000 + "\t\n\\🎉", _Text("a str\tsubclass\n"),
]
_HOSTILE_DATES = [None, datetime(1970, 1, 1), datetime(2038, 1, 19, 3, 14, 8),
                  datetime(9999, 12, 31, 23, 59, 59)]


def _hostile_rows(stand_ins: bool) -> list[tuple[Any, ...]]:
    texts = [t for t in _HOSTILE_TEXTS if stand_ins or t is None or "\ue000" not in t]
    return [(i + 1, f"key {i}", text, _HOSTILE_DATES[i % len(_HOSTILE_DATES)],
             None if i % 3 else i * 7, text if i % 2 else "")
            for i, text in enumerate(texts)]


def _hostile_table(metadata: MetaData) -> Table:
    return Table("hostile", metadata, Column("id", Integer, primary_key=True),
                 Column("key", String(255), nullable=False, unique=True),
                 Column("body", LongText), Column("at", DateTime),
                 Column("number", Integer), Column("other", LongText))


@contextmanager
def _mariadb(offered: bool) -> Iterator[Connection]:
    """A connection to a database of its own on WXRBRIDGE_TEST_MYSQL_URL's
    server, in a transaction; ``offered``: opened as the store opens it,
    offering local data, else as a plain engine, which does not."""
    with mysql_database(f"wxrb_{uuid.uuid4().hex[:12]}", collation="utf8mb4_nopad_bin") as url:
        engine = create_store_engine(url) if offered else create_engine(url)
        try:
            with engine.begin() as connection:
                yield connection
        finally:
            engine.dispose()


mariadb_only = pytest.mark.skipif(not MYSQL_URL, reason="WXRBRIDGE_TEST_MYSQL_URL is not set")


@mariadb_only
@pytest.mark.parametrize("offered", [True, False], ids=["load-data", "inserts"])
@pytest.mark.parametrize("stand_ins", [False, True], ids=["plain", "stand-ins"])
def test_hostile_values_round_trip_on_mariadb(offered: bool, stand_ins: bool) -> None:
    metadata = MetaData()
    table = _hostile_table(metadata)
    rows = _hostile_rows(stand_ins)
    with _mariadb(offered) as connection:
        metadata.create_all(connection)
        insert_rows = RawInsert(connection, table, [c.name for c in table.columns], ignore=False)
        # LOAD DATA counts what it loaded, and loads only where offered;
        # the INSERTs, run also for a batch it loads with a warning, do not.
        assert insert_rows(rows) == (len(rows) if offered else None)
        assert connection.info[LOAD_DATA] is offered
        stored = connection.execute(select(table).order_by(table.c.id)).all()
    assert [tuple(row) for row in stored] == rows


@mariadb_only
@pytest.mark.parametrize("new_ids", [False, True], ids=["savepoint", "taken-out-by-id"])
def test_a_repeated_key_is_skipped_and_a_bad_value_fails_as_inserts_do(new_ids: bool) -> None:
    metadata = MetaData()
    table = _hostile_table(metadata)
    columns = ("id", "key", "body")
    with _mariadb(offered=True) as connection:
        metadata.create_all(connection)
        skipping = RawInsert(connection, table, columns, ignore=True, new_ids=new_ids)
        assert skipping([(1, "a", "first"), (3, "b", None)]) == 2
        # A repeated key: loaded with a warning, so sent again as INSERTs.
        assert skipping([(2, "a", "repeats a"), (4, "c", "")]) is None
        stored = connection.execute(select(table.c.id, table.c.body).order_by(table.c.id)).all()
        assert [tuple(row) for row in stored] == [(1, "first"), (3, None), (4, "")]
        strict = RawInsert(connection, table, columns, ignore=False)
        with pytest.raises(DBAPIError, match="too long"):
            strict([(5, "d", "fine"), (6, "k" * 256, "key too long for its column")])


def _savepoint_was_set(connection: Connection) -> bool:
    try:
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT wxrbridge_load")
    except DBAPIError as exc:
        assert "does not exist" in str(exc)
        return False
    return True


@mariadb_only
@pytest.mark.parametrize("ids", ["ours", "the-servers", "the-servers-scattered"])
def test_a_batch_failing_after_its_load_leaves_the_table_as_it_was(ids: str) -> None:
    """A batch loaded with a warning is taken out again before its INSERTs
    fail: by the ids it gave, by the range of ids the server handed out,
    or, where the server may scatter them, by a savepoint."""
    metadata = MetaData()
    table = _hostile_table(metadata)
    columns = ("id", "key", "body") if ids == "ours" else ("key", "body")

    def rows(first: int, keys: list[str]) -> list[tuple[Any, ...]]:
        return [((first + i,) if ids == "ours" else ()) + (key, f"body of {key}")
                for i, key in enumerate(keys)]

    with _mariadb(offered=True) as connection:
        metadata.create_all(connection)
        insert_rows = RawInsert(connection, table, columns, ignore=False, new_ids=ids == "ours")
        assert insert_rows(rows(1, ["a", "b", "c"])) == 3
        if ids == "the-servers-scattered":
            connection.info[_CONSECUTIVE_IDS] = False
        # Only where the rows cannot be found again is a savepoint set.
        assert _savepoint_was_set(connection) is False
        before = connection.execute(select(table).order_by(table.c.id)).all()
        loaded = rows(4, ["d", "e", "k" * 256, "f"])
        with pytest.raises(DBAPIError, match="too long"):
            insert_rows(loaded)
        assert connection.execute(select(table).order_by(table.c.id)).all() == before
        assert _savepoint_was_set(connection) is (ids == "the-servers-scattered")
        # And the next batch goes in as if the failed one had never come.
        assert insert_rows(rows(8, ["g"])) == 1
        keys = connection.execute(select(table.c.key).order_by(table.c.id)).scalars().all()
        assert keys == ["a", "b", "c", "g"]
