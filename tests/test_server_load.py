"""The server side of bulk loading (store/server_load.py): the check of
references after an unchecked first load, the statistics PostgreSQL is
given, and MariaDB's session left as it was."""

from __future__ import annotations

import pytest
from conftest import SAMPLES
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, create_engine, insert
from sqlalchemy.exc import IntegrityError

from wxrbridge import api
from wxrbridge.store.server_load import analyze_sql, check_references
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
