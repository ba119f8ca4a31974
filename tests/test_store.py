"""The store on every configured backend: round trips, idempotence, trees."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text

from wxrbridge import canonical
from wxrbridge.errors import StoreError, StoreOutOfDateError
from wxrbridge.records import (
    Comment,
    Extra,
    ImportIssue,
    Source,
    Term,
    Thread,
    ThreadTerm,
    User,
)
from wxrbridge.store import Selection, open_store
from wxrbridge.store import migrate as store_schema
from wxrbridge.store.models import metadata
from wxrbridge.store.orm import CommentRow


def sample_records() -> list:
    """A small site with every shape the store must keep."""
    return [
        Source(
            origin="wxr", site="example.gov/blog", name="sample.xml", version="1.2",
            wp_namespace="http://wordpress.org/export/1.2/",
            namespaces={"wp": "http://wordpress.org/export/1.2/"},
            title="River Office", link="https://example.gov/blog",
            base_site_url="https://example.gov", base_blog_url="https://example.gov/blog",
            extras=[Extra("element", "{urn:x}note", '<x:note xmlns:x="urn:x">kept</x:note>',
                          "language")],
        ),
        User(origin="wxr", wp_id="3", login="rparks", email="r.parks@example.gov",
             display_name="Rosa Parkes", first_name="", last_name=None),
        Term(origin="wxr", kind="category", term_id="4", slug="planning", parent="",
             name="Planning"),
        Term(origin="wxr", kind="term", term_id="9", taxonomy="series", slug="river",
             name="River", meta=[("colour", "blue"), ("colour", "green")]),
        Thread(
            origin="wxr", key="101", wp_post_id="101", title="Riverside walk: have your say",
            link="https://example.gov/blog/riverside", guid="https://example.gov/blog/?p=101",
            guid_is_permalink="false", created_at="2024-03-01 14:00:00",
            created_at_local="2024-03-01 09:00:00", post_type="post", status="publish",
            content="  Body with leading space and 𝄞 (4-byte).  ",
            terms=[ThreadTerm("category", "planning", "Planning")],
            meta=[("_edit_last", "3"), ("views", "1"), ("views", "2")],
        ),
        # A reply listed before its parent, by the post's author (site user 3).
        Comment(origin="wxr", key="12", thread="101", wp_id="12", parent="11",
                author_name="Rosa Parkes", author_email="r.parks@example.gov",
                wp_user_id="3", wp_approved="1", wp_type="",
                created_at="2024-03-02 10:00:00", created_at_local="2024-03-02 05:00:00",
                content="Thanks, we will look at the lighting 🙂",
                meta=[("akismet_result", "false"), ("akismet_result", "false")]),
        Comment(origin="wxr", key="11", thread="101", wp_id="11", parent="0",
                author_name="Dev Okafor", author_email="dev@example.org",
                author_url="https://example.org/?a=1&b=2", author_ip="2001:db8::1",
                wp_approved="1", wp_type="comment", wp_user_id="0",
                created_at="2024-03-02 09:00:00", created_at_local="2024-03-02 04:00:00",
                content="Please add lights]]> near the bridge."),
        # Its parent was spam and left out of the export.
        Comment(origin="wxr", key="13", thread="101", wp_id="13", parent="7",
                author_name="Mo", wp_approved="0", created_at="0000-00-00 00:00:00",
                created_at_local="2024-03-03 00:00:00", content="0"),
        Comment(origin="wxr", key="14", thread="101", wp_id="14", parent="0",
                author_name="Other blog post title", author_url="https://example.net/p",
                wp_approved="1", wp_type="pingback", content="[…] a mention […]",
                extras=[Extra("element", "{urn:x}karma", '<x:karma xmlns:x="urn:x">2</x:karma>',
                              "comment_type")]),
        Comment(origin="wxr", key="15", thread="101", wp_id="15", parent="12",
                author_name="Dev Okafor", wp_approved="trash", wp_type="",
                content="", meta=[("_wp_trash_meta_status", "1")]),
        ImportIssue("no-wxr-version", "the file has no wp:wxr_version", line=3, column=5),
    ]


def by_identity(records: list) -> dict:
    out = {}
    for record in records:
        if isinstance(record, ImportIssue):
            continue
        name = type(record).__name__
        ident = getattr(record, "key", None) or getattr(record, "login", None) or (
            getattr(record, "kind", None), getattr(record, "term_id", None)
        ) or getattr(record, "name", None)
        out[(name, ident)] = record
    return out


def assert_tree_order(records: list) -> None:
    seen: set[str] = set()
    for record in records:
        if isinstance(record, Comment):
            if record.parent_key is not None:
                assert record.parent_key in seen, f"{record.key} came before its parent"
            seen.add(record.key)


def test_round_trip_is_identical(store_url: str) -> None:
    records = sample_records()
    with open_store(store_url) as store:
        report = store.load(copy.deepcopy(records), sha256="0" * 64)
        out = list(store.records())
    assert report.counts["comment"] == 5
    assert_tree_order(out)
    expected = by_identity(records)
    got = by_identity(out)
    assert got.keys() == expected.keys()
    # Positions grow with the source order; compare the rest field by field.
    source_order = [r.key for r in records if isinstance(r, Comment)]
    positions = [got[("Comment", key)].position for key in source_order]
    assert positions == sorted(positions) and None not in positions
    for ident, record in got.items():
        if isinstance(record, Comment):
            got[ident] = replace(record, position=None)
    for ident, record in expected.items():
        if isinstance(record, Source):
            record = replace(record, sha256="0" * 64)
        if isinstance(record, Comment):
            # The store says which comment the parent reference resolved to.
            parent_key = {"12": "11", "15": "12"}.get(record.key)
            record = replace(record, parent_key=parent_key)
        assert got[ident] == record, ident


def test_reply_before_parent_and_missing_parent(store_url: str) -> None:
    with open_store(store_url) as store:
        report = store.load(sample_records())
        stats = store.stats()
        comments = {r.key: r for r in store.records() if isinstance(r, Comment)}
    assert comments["12"].parent_key == "11"
    assert comments["13"].parent_key is None and comments["13"].parent == "7"
    assert report.orphans == 1
    assert [i.code for i in report.issues].count("parent-missing") == 1
    assert stats == {
        "threads": 1, "comments": 5,
        "by_type": {"comment": 4, "pingback": 1},
        "by_status": {"approved": 3, "pending": 1, "trash": 1},
        "replies": 3, "orphans": 1, "max_depth": 2, "changed": 0, "deleted": 0,
    }


def test_importing_twice_changes_nothing(store_url: str) -> None:
    tables = [t.name for t in metadata.sorted_tables]
    with open_store(store_url) as store:
        store.load(sample_records(), sha256="a" * 64)
        first = list(store.records())
        with store.engine.connect() as connection:
            counts = {t: connection.execute(
                select(func.count()).select_from(metadata.tables[t])).scalar_one()
                for t in tables}
            ids = connection.execute(
                select(CommentRow.key, CommentRow.id).order_by(CommentRow.key)).all()
        store.load(sample_records(), sha256="a" * 64)
        second = list(store.records())
        with store.engine.connect() as connection:
            counts_again = {t: connection.execute(
                select(func.count()).select_from(metadata.tables[t])).scalar_one()
                for t in tables}
            ids_again = connection.execute(
                select(CommentRow.key, CommentRow.id).order_by(CommentRow.key)).all()
    assert second == first
    assert counts_again == counts
    assert ids_again == ids


@pytest.mark.parametrize("walk_group", [1, 10_000])
@pytest.mark.parametrize(("parents", "cut"), [
    # Only 20 names a parent that comes later: one walk up meets the cycle.
    ({"20": "22", "21": "20", "22": "21", "23": "22"}, "22"),
    # 20 and 21 do: the walks up from both meet the one cycle.
    ({"20": "22", "21": "23", "22": "21", "23": "20"}, "23"),
])
def test_parent_cycle_is_cut_once_and_reported(
    store_url: str, parents: dict[str, str], cut: str, walk_group: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("wxrbridge.store.load_links._WALK_GROUP", walk_group)
    records = [
        Source(origin="wxr", site="s", name="cycle.xml"),
        Thread(origin="wxr", key="1"),
        *(Comment(origin="wxr", key=key, thread="1", parent=parent)
          for key, parent in parents.items()),
    ]
    with open_store(store_url) as store:
        report = store.load(records)
        out = [r for r in store.records() if isinstance(r, Comment)]
    assert report.cycles_broken == 1
    assert [(i.code, i.record_key) for i in report.issues] == [("parent-cycle", f"comment {cut}")]
    assert [c.key for c in out if c.parent_key is None] == [cut]
    assert_tree_order(out)
    assert {c.key: c.parent for c in out} == parents


def test_duplicate_id_in_one_file_keeps_both(store_url: str) -> None:
    records = [
        Source(origin="wxr", site="s", name="dup.xml"),
        Thread(origin="wxr", key="1"),
        Comment(origin="wxr", key="5", thread="1", content="first"),
        Comment(origin="wxr", key="5", thread="1", content="second"),
    ]
    with open_store(store_url) as store:
        report = store.load(records)
        out = [r for r in store.records() if isinstance(r, Comment)]
    assert sorted(c.content for c in out) == ["first", "second"]
    assert [i.code for i in report.issues] == ["duplicate-id"]


@pytest.mark.parametrize("keys", [["2", "2~2", "2"], ["2", "2", "2~2"]])
def test_a_repeat_is_renamed_alike_on_a_re_import(store_url: str, keys: list[str]) -> None:
    # A repeat takes the first KEY~N no comment of the file holds, the
    # other comments keeping their keys, on the first import (which
    # renames the repeats after the rest are in) as on a re-import.
    records = [
        Source(origin="wxr", site="s", name="dup.xml"),
        Thread(origin="wxr", key="1"),
        *(Comment(origin="wxr", key=key, thread="1", content=f"comment {n}")
          for n, key in enumerate(keys)),
    ]
    with open_store(store_url) as store:
        stored = []
        for _ in range(2):
            store.load(copy.deepcopy(records))
            stored.append(sorted((r.key, r.content) for r in store.records()
                                 if isinstance(r, Comment)))
    assert stored[0] == stored[1]
    assert [key for key, _ in stored[0]] == ["2", "2~2", "2~3"]


def test_reply_to_repeated_id_is_linked(store_url: str) -> None:
    # The reply names the key the file repeats. Where replies are linked
    # while loading, the repeat it is linked to goes in only after its
    # renaming, after the reply: the load must not fail on that.
    records = [
        Source(origin="wxr", site="s", name="dup.xml"),
        Thread(origin="wxr", key="1"),
        Comment(origin="wxr", key="4", thread="1", content="top"),
        Comment(origin="wxr", key="5", thread="1", content="first"),
        Comment(origin="wxr", key="5", thread="1", content="second"),
        Comment(origin="wxr", key="6", thread="1", parent="5", content="reply"),
        Comment(origin="wxr", key="7", thread="1", parent="4", content="other"),
    ]
    with open_store(store_url) as store:
        report = store.load(records)
        out = {r.content: r for r in store.records() if isinstance(r, Comment)}
    assert [i.code for i in report.issues] == ["duplicate-id"]
    # The reply answers the first "5", whether it was linked while loading
    # (SQLite, PostgreSQL) or by the UPDATE after loading (MariaDB), as the
    # relinking after a re-import has it.
    assert out["reply"].parent_key == "5"
    assert out["other"].parent_key == "4"
    assert report.linked == 2 and report.orphans == 0


def test_a_key_repeated_from_another_thread_is_no_parent_in_either_import(
    store_url: str,
) -> None:
    # The second thread's "5" repeats the first thread's and is kept as
    # "5~2": the key "5" names the first thread's comment, so the reply in
    # the second thread answers a comment of another thread, on a first
    # import as on a re-import (which links by the stored keys).
    records = [
        Source(origin="wxr", site="s", name="dup.xml"),
        Thread(origin="wxr", key="1"),
        Thread(origin="wxr", key="2"),
        Comment(origin="wxr", key="5", thread="1", content="first"),
        Comment(origin="wxr", key="5", thread="2", content="second"),
        Comment(origin="wxr", key="6", thread="2", parent="5", content="reply"),
    ]
    with open_store(store_url) as store:
        parents = []
        for _ in range(2):
            report = store.load(copy.deepcopy(records))
            parents.append({r.key: r.parent_key for r in store.records()
                            if isinstance(r, Comment)})
    assert parents[0] == parents[1] == {"5": None, "5~2": None, "6": None}
    assert "parent-other-thread" in [i.code for i in report.issues]


def test_parent_in_another_thread_is_kept_raw(store_url: str) -> None:
    records = [
        Source(origin="disqus", site="forum", name="x.xml"),
        Thread(origin="disqus", key="t1"),
        Thread(origin="disqus", key="t2"),
        Comment(origin="disqus", key="p1", thread="t1"),
        Comment(origin="disqus", key="p2", thread="t2", parent="p1"),
    ]
    with open_store(store_url) as store:
        report = store.load(records)
        out = {r.key: r for r in store.records() if isinstance(r, Comment)}
        stats = store.stats()
    assert out["p2"].parent_key is None and out["p2"].parent == "p1"
    assert [i.code for i in report.issues] == ["parent-other-thread"]
    assert stats["orphans"] == 0


def test_failed_import_leaves_store_unchanged(store_url: str) -> None:
    def broken():
        yield from sample_records()[:6]
        raise RuntimeError("the file ended early")

    with open_store(store_url) as store:
        with pytest.raises(RuntimeError):
            store.load(broken())
        assert store.stats()["comments"] == 0
        store.load(sample_records(), dry_run=True)
        assert store.stats()["comments"] == 0


def test_selection_filters(store_url: str) -> None:
    with open_store(store_url) as store:
        store.load(sample_records())
        pings = [r for r in store.records(Selection(types=["pingback"]))
                 if isinstance(r, Comment)]
        approved = [r.key for r in store.records(Selection(statuses=["approved"]))
                    if isinstance(r, Comment)]
        none = [r for r in store.records(Selection(thread="nope")) if isinstance(r, Thread)]
    assert [p.key for p in pings] == ["14"]
    assert sorted(approved) == ["11", "12", "14"]
    assert none == []


def _schema_of(engine: Engine) -> dict[str, object]:
    """Everything the database says about its tables, for comparing two
    ways of creating them."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        described: dict[str, object] = {}
        for table in sorted(inspector.get_table_names()):
            described[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                    for c in inspector.get_columns(table)
                ],
                "primary key": inspector.get_pk_constraint(table),
                "foreign keys": sorted(
                    inspector.get_foreign_keys(table), key=lambda fk: str(fk["name"])),
                "indexes": sorted(inspector.get_indexes(table), key=lambda ix: str(ix["name"])),
                "unique": sorted(
                    inspector.get_unique_constraints(table), key=lambda uq: str(uq["name"])),
                "options": inspector.get_table_options(table),
            }
        if connection.dialect.name == "sqlite":
            # SQLite keeps the DDL itself: the same clauses, in any order.
            described["sqlite_master"] = [
                # One definition a part: a column a migration added is on the
                # line of the one before it.
                (kind, name, table, sorted(
                    part.strip(", \t")
                    for line in (sql or "").split("\n")
                    for part in re.split(r",(?![^()]*\))", line)
                    if part.strip(", \t")
                ))
                for kind, name, table, sql in connection.exec_driver_sql(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
            ]
        described["revision"] = connection.exec_driver_sql(
            "SELECT version_num FROM alembic_version").all()
    return described


def test_new_store_schema_is_the_migrated_schema(store_url: str) -> None:
    # A new store is created from the models and stamped, without alembic;
    # running the migrations must give the same database.
    with open_store(store_url) as store:
        created = _schema_of(store.engine)
        with store.engine.begin() as connection:
            metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE alembic_version")
        assert inspect(store.engine).get_table_names() == []
        store_schema.upgrade(store.engine)
        migrated = _schema_of(store.engine)
    assert created["revision"] == [(store_schema.head_revision(store.engine),)]
    assert set(created) == set(migrated)
    for table in created:
        assert created[table] == migrated[table], table


def test_models_and_migrations_agree(store_url: str) -> None:
    with open_store(store_url, migrate=False) as store:
        store_schema.upgrade(store.engine)
        with store.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, metadata)
    assert diff == []


def test_db_upgrade_on_empty_and_current(store_url: str) -> None:
    with open_store(store_url, migrate=False) as store:
        assert store_schema.current_revision(store.engine) is None
        store_schema.upgrade(store.engine)
        head = store_schema.head_revision(store.engine)
        assert store_schema.current_revision(store.engine) == head
        store_schema.upgrade(store.engine)
        assert store_schema.current_revision(store.engine) == head
        # Opening a current store checks its revision without alembic: that
        # check must name the same head alembic does.
        assert store_schema._script_head() == head
        assert store_schema._is_current(store.engine)


def test_out_of_date_store_names_the_command(store_url: str) -> None:
    with open_store(store_url) as store:
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(StoreOutOfDateError, match="wxrbridge db upgrade --db"):
        open_store(store_url)


def test_a_large_load_leaves_postgresql_statistics_current(store_url: str) -> None:
    """Statistics from while the tables were empty made PostgreSQL plan key
    lookups as scans of the whole site, so a re-import took minutes."""
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's planner statistics")
    records: list = [Source(origin="wxr", site="s", name="big.xml"), Thread(origin="wxr", key="1")]
    records += [Comment(origin="wxr", key=str(n), thread="1", parent="0") for n in range(1200)]
    with open_store(store_url) as store:
        store.load(records)
        with store.engine.connect() as connection:
            analysed = connection.execute(text(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'comments' AND schemaname = current_schema()"
            )).scalar_one()
    assert analysed


@pytest.mark.parametrize("raw", [
    "2024-01-02 03:04:05", "2024-01-02T03:04:05", "2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05z", "2024-02-30T03:04:05Z", "2024-01-02 03:04:05 ",
    "2024-01-02T03:04:05+02:00", "2024-01-02T03:04:05.250Z", "0000-00-00 00:00:00",
    "0000-00-00 00:00:00Z", "9999-12-31T23:59:59Z", "2024-01-02X03:04:05Z",
])
def test_sqlite_date_text_is_what_the_driver_would_store(sqlite_url: str, raw: str) -> None:
    from wxrbridge.store.bulk import sqlite_datetime
    from wxrbridge.store.load import Loader

    try:
        parsed = canonical.parse_utc(raw)
    except ValueError:
        parsed = "bad"
    with open_store(sqlite_url) as store, store.engine.connect() as connection:
        loader = Loader(connection)
        assert loader.dates_as_text
        stored = loader._utc(raw, "comment", "1")
    if parsed == "bad":
        assert stored is None
        assert [i.code for i in loader.pending_issues] == ["bad-date"]
    else:
        assert stored == (None if parsed is None else sqlite_datetime(parsed))


def _foreign_keys(engine: Engine) -> int:
    with engine.connect() as connection:
        inspector = inspect(connection)
        return sum(len(inspector.get_foreign_keys(t)) for t in inspector.get_table_names())


def test_first_import_keeps_every_foreign_key(store_url: str, tmp_path: Path) -> None:
    # PostgreSQL loads an empty store without its foreign keys and adds them
    # back before committing; neither that store nor one created after it
    # may be left without them.
    expected = sum(len(t.foreign_key_constraints) for t in metadata.sorted_tables)
    with open_store(store_url) as store:
        store.load(sample_records())
        assert _foreign_keys(store.engine) == expected
        # A second import into the now non-empty store goes the usual way.
        store.load(sample_records())
        assert _foreign_keys(store.engine) == expected
    with open_store(f"sqlite:///{tmp_path / 'later.sqlite'}") as later:
        assert _foreign_keys(later.engine) == expected


def _dangling_links(original: Any) -> Any:
    """Loader._write_comments linking every comment to a row that does not exist."""
    from wxrbridge.store.load_rows import PARENT_ID

    def dangling(self: Any, origin: str, rows: list, unresolved: list) -> object:
        for row in rows:
            row[PARENT_ID] = 10**9  # a row that does not exist
        return original(self, origin, rows, unresolved)

    return dangling


def test_first_import_with_a_dangling_link_fails_whole(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first import checks foreign keys once at the end (SQLite with them
    # off, PostgreSQL without the constraints, MariaDB with its checks off):
    # that must refuse what the row-by-row check refused, and leave the
    # store checking them again afterwards.
    from wxrbridge.store import load as store_load

    dangling = _dangling_links(store_load.Loader._write_comments)
    with open_store(store_url) as store:
        monkeypatch.setattr(store_load.Loader, "_write_comments", dangling)
        with pytest.raises(StoreError, match="(?i)foreign key"):
            store.load(sample_records())
        monkeypatch.undo()
        assert store.stats()["comments"] == 0
        if store_url.startswith("sqlite"):
            with store.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            assert _foreign_keys(store.engine) == sum(
                len(t.foreign_key_constraints) for t in metadata.sorted_tables)
        store.load(sample_records())
        assert store.stats()["comments"] > 0
