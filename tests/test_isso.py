"""The Isso database format: reading every schema version, writing the
current one into a new file or an existing database, round trips, bad
input, and what the writer names as lost."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api, formats
from wxrbridge.cli import cli
from wxrbridge.errors import InputError, OutputError
from wxrbridge.formats.isso import schema
from wxrbridge.records import Comment, Record, Source, Thread

WXR = SAMPLES / "agency-blog.wxr.xml"
DISQUS = SAMPLES / "agency-blog.disqus.xml.gz"
THREADING = Path(__file__).parent / "data" / "wxr" / "threading.xml"

# An Isso database as Isso 0.14 leaves it, with every column used: a
# fractional date no ISO text holds exactly, an edit, votes, a deleted
# comment kept for its reply, a pending one, a reply to a reply.
VOTERS = bytes(range(256))
ROWS = [
    # tid, id, parent, created, modified, mode, remote_addr, text, author, email,
    # website, likes, dislikes, voters, notification
    (1, 1, None, 1700000000.123456789, None, 1, "192.0.2.0", "Hello *there*", "Ann",
     "ann@example.org", "https://ann.example.org", 0, 0, bytes(256), 0),
    (1, 2, 1, 1700000100.5, 1700000200.25, 1, "198.51.100.0", "<p>HTML &amp; all</p>",
     "Bo", None, None, 3, 1, VOTERS, 1),
    (1, 3, 2, 1700000300.0, None, 4, "198.51.100.0", "", None, "c@example.org", None, 0,
     0, bytes(256), 0),
    (1, 4, 3, 1700000400.0, None, 2, "203.0.113.0", "pending reply", "Di", "", "", 0, 0,
     bytes(256), 0),
    (2, 7, None, 1600000000.0, None, 1, "", "other thread", "Ed", None, None, None, 0,
     bytes(256), None),
]


def make_isso(path: Path, rows: list[tuple] = ROWS, version: int = 5,
              notification: bool = True, text_null: bool = False) -> Path:
    con = sqlite3.connect(path)
    con.execute(schema.CREATE_THREADS)
    create = schema.CREATE_COMMENTS
    if not notification:
        create = create.replace(",\n    notification INTEGER DEFAULT 0", "")
    if text_null:
        create = create.replace("text VARCHAR NOT NULL", "text VARCHAR")
    con.execute(create)
    con.execute("INSERT INTO threads VALUES (1, '/blog/hello/', 'Hello'), (2, '/p?id=2', NULL)")
    for row in rows:
        values = row if notification else row[:-1]
        con.execute(f"INSERT INTO comments VALUES ({', '.join('?' * len(values))})", values)
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()
    return path


def dump(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        rows = [("threads", *r) for r in con.execute("SELECT * FROM threads ORDER BY id")]
        rows += [("comments", *r) for r in con.execute("SELECT * FROM comments ORDER BY id")]
        rows.append(("version", schema.user_version(con)))
        return rows
    finally:
        con.close()


def comments_of(records: Iterator[Record]) -> dict[str, Comment]:
    return {r.key: r for r in records if isinstance(r, Comment)}


def invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def test_isso_database_round_trips_through_the_store(tmp_path: Path) -> None:
    source = make_isso(tmp_path / "comments.db")
    result = api.convert(source, tmp_path / "copy.db", to="isso")
    assert dump(tmp_path / "copy.db") == dump(source)
    assert result.written.left_out == []


def test_isso_is_detected_by_its_bytes_and_tables(tmp_path: Path) -> None:
    source = make_isso(tmp_path / "renamed.bin")
    assert formats.at_path(str(source)) is formats.get("isso")
    comments = comments_of(api.read(source))
    assert comments["2"].parent == "1" and comments["3"].parent == "2"
    assert comments["1"].created_at == "2023-11-14T22:13:20.123457Z"
    assert ("isso_created", repr(1700000000.123456789)) in comments["1"].meta
    assert comments["2"].meta == [("isso_modified", "1700000200.25"), ("isso_likes", "3"),
                                  ("isso_dislikes", "1"), ("isso_notification", "1"),
                                  ("isso_voters", VOTERS.hex())]
    assert [comments[k].wp_approved for k in "1234"] == ["1", "1", "trash", "0"]
    assert comments["7"].meta == [("isso_likes", None), ("isso_notification", None)]


@pytest.mark.parametrize("version, notification, text_null", [
    (0, False, True), (3, False, True), (4, True, True), (5, True, False),
])
def test_every_schema_version_isso_shipped_is_read(
    tmp_path: Path, version: int, notification: bool, text_null: bool
) -> None:
    rows = [ROWS[0][:7] + (None,) + ROWS[0][8:]] if text_null else ROWS[:1]
    source = make_isso(tmp_path / "old.db", rows, version, notification, text_null)
    records = list(api.read(source))
    assert next(r for r in records if isinstance(r, Source)).version == str(version)
    comment = comments_of(iter(records))["1"]
    assert comment.content == (None if text_null else "Hello *there*")
    api.convert(source, tmp_path / "new.db", to="isso")
    con = sqlite3.connect(tmp_path / "new.db")
    assert schema.user_version(con) == schema.CURRENT_VERSION
    assert con.execute("SELECT text, notification FROM comments").fetchall() == [
        ("" if text_null else "Hello *there*", 0)]


def test_a_newer_schema_is_read_with_an_issue(tmp_path: Path, sqlite_url: str) -> None:
    source = make_isso(tmp_path / "future.db", version=9)
    codes = [r.code for r in api.read(source) if hasattr(r, "code")]
    assert codes == ["isso-newer-schema"]


def test_an_unknown_mode_reads_as_pending_and_goes_back(tmp_path: Path) -> None:
    rows = [ROWS[0][:5] + (8,) + ROWS[0][6:]]
    source = make_isso(tmp_path / "odd.db", rows)
    records = list(api.read(source))
    assert [r.code for r in records if hasattr(r, "code")] == ["isso-unknown-mode"]
    assert comments_of(iter(records))["1"].wp_approved == "0"
    api.convert(source, tmp_path / "back.db", to="isso")
    assert dump(tmp_path / "back.db") == dump(source)


def _bad_date(tmp_path: Path) -> Path:
    source = make_isso(tmp_path / "bad.db")
    con = sqlite3.connect(source)
    con.execute("UPDATE comments SET created='yesterday' WHERE id=2")
    con.commit()
    con.close()
    return source


@pytest.mark.parametrize("kind", ["not isso", "corrupt", "bad date", "no thread"])
def test_bad_input_is_one_line_exit_3_nothing_stored(
    tmp_path: Path, sqlite_url: str, kind: str
) -> None:
    path = tmp_path / "in.db"
    if kind == "not isso":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE posts (id INTEGER)")
        con.commit()
        con.close()
        expected = f"{path}: an SQLite database without Isso's threads and comments tables"
    elif kind == "corrupt":
        path.write_bytes(schema.SQLITE_MAGIC + b"\x00" * 40 + b"garbage" * 50)
        expected = f"{path}: not a readable SQLite database"
    elif kind == "bad date":
        _bad_date(tmp_path).rename(path)
        expected = f"{path}: comments row id=2, created: 'yesterday' is not a number"
    else:
        make_isso(path)
        con = sqlite3.connect(path)
        con.execute("DELETE FROM threads WHERE id=2")
        con.commit()
        con.close()
        expected = f"{path}: comments row id=7: thread 2 is not in the threads table"
    code, output = invoke("import", path, "--db", sqlite_url)
    assert code == 3
    assert len(output.strip().splitlines()) == 1, output
    assert output.startswith(f"wxrbridge: error: {expected}"), output
    code, output = invoke("stats", "--db", sqlite_url, "--json")
    assert code == 4 and "no store at" in output  # nothing stored: not even an empty store


def test_recover_skips_a_bad_row_with_an_issue(tmp_path: Path) -> None:
    records = list(api.read(_bad_date(tmp_path), recover=True))
    issues = [r for r in records if hasattr(r, "code")]
    assert [(i.code, i.severity, i.record_key) for i in issues] == [
        ("isso-bad-row", "rejected", "2")]
    assert sorted(comments_of(iter(records))) == ["1", "3", "4", "7"]


def test_wxr_to_isso_keeps_ids_dates_and_tree(tmp_path: Path) -> None:
    target = tmp_path / "site.db"
    result = api.convert(THREADING, target)  # .db names the format
    con = sqlite3.connect(target)
    rows = {str(r[0]): r for r in con.execute("SELECT id, parent, created, mode FROM comments")}
    source = comments_of(api.read(THREADING))
    for key, comment in source.items():
        if key not in rows:
            assert any(f"comment {key}:" in line for line in result.written.left_out)
            continue
        created = datetime.fromisoformat(comment.created_at or "").replace(tzinfo=timezone.utc)
        assert rows[key][2] == created.timestamp()
    said = "\n".join(result.written.left_out + result.written.notes)
    # A reply whose parent is missing is at top level, and named.
    assert rows["22"][1] is None and "comment 22: its parent 999 is not linked" in said
    # A reply listed before its parent still hangs under it.
    assert all(rows[k][1] is None or int(rows[k][1]) in {int(i) for i in rows} for k in rows)
    assert "levels deep" in said


def test_wxr_through_isso_back_to_wxr_loses_only_what_is_named(tmp_path: Path) -> None:
    result = api.convert(WXR, tmp_path / "site.db", to="isso")
    api.convert(tmp_path / "site.db", tmp_path / "back.wxr.xml")
    report = api.verify(WXR, tmp_path / "back.wxr.xml")
    named = {line.split(":")[0].split()[1] for line in result.written.left_out
             if line.startswith("comment ")}
    missing = {d.key for d in report.differences if d.kind == "missing"}
    assert missing == named and len(named) == 26
    # The local dates, which Isso has no place for (named below), come back
    # as the UTC ones; the comment meta and the site user ids (no accounts)
    # named below are gone, and verify says so.
    changed = Counter((d.field or "").split()[0] for d in report.differences
                      if d.kind != "missing")
    source = comments_of(api.read(WXR))
    kept = [c for key, c in source.items() if key not in missing]
    assert changed == {
        "created_at_local": 38,
        "meta": sum(len({k for k, _ in c.meta}) for c in kept),
        "user_id": sum(c.wp_user_id not in (None, "", "0") for c in kept),
    }
    kinds = [line for line in result.written.left_out if not line.startswith("comment ")]
    assert kinds == [
        "2 users: Isso has no accounts; each comment keeps its author's name, email and website",
        "2 terms: Isso has no categories or tags",
        "1 post content: Isso keeps a thread's uri and title, not the post",
        "38 local dates: Isso keeps the UTC date alone; the local one (comment_date) is not "
        "written",
        "74 comment meta: Isso has no comment meta",
    ]


def test_disqus_through_isso_keeps_threads_and_names_spam(tmp_path: Path) -> None:
    result = api.convert(DISQUS, tmp_path / "comments.db", to="isso")
    report = api.verify(DISQUS, tmp_path / "comments.db")
    assert report.threads == (4, 4)
    assert result.written.left_out[:2] == [
        "comment 6620400144: spam, which Isso cannot hold",
        "comment 6620400145: deleted, which Isso cannot hold; written as a deleted comment "
        "(mode 4, no text) for its replies",
    ]
    assert sorted(str(d) for d in report.differences) == [
        "comment 6620400144: in A, not in B",
        "comment 6620400145: author_name 'Angry of Hollin Road' -> None",
        "comment 6620400145: content '<p>This whole plan is a waste and everyone involved "
        "should be ashamed.</p>' -> ''",
    ]
    api.convert(tmp_path / "comments.db", tmp_path / "back.disqus.xml")
    back = api.verify(DISQUS, tmp_path / "back.disqus.xml")
    assert back.threads == (4, 4)
    assert {d.key for d in back.differences} == {"6620400144", "6620400145"}


def test_pingbacks_are_written_as_comments_when_asked(tmp_path: Path) -> None:
    result = api.convert(WXR, tmp_path / "site.db", to="isso", include_pings=True)
    assert not any("pingback" in line for line in result.written.left_out)
    assert sum("written as a plain comment" in line for line in result.written.notes) == 25


PATH = "/blog/2024/02/05/have-your-say-millrace-river-walk/"


def test_merge_replaces_its_threads_and_leaves_the_others(tmp_path: Path) -> None:
    target = make_isso(tmp_path / "comments.db")
    con = sqlite3.connect(target)
    con.execute("UPDATE threads SET uri=? WHERE id=2", (PATH,))
    # What Isso adds when it opens a database: a trigger removing threads
    # left without comments; and a thread without any.
    con.execute("CREATE TRIGGER remove_stale_threads AFTER DELETE ON comments BEGIN "
                "DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments); END")
    con.execute("INSERT INTO threads VALUES (5, '/empty/', 'Nothing yet')")
    con.commit()
    con.close()
    before = [r for r in dump(target) if r[0] == "comments" and r[1] == 1]
    result = api.convert(WXR, target, to="isso")
    after = dump(target)
    assert [r for r in after if r[0] == "comments" and r[1] == 1] == before
    assert ("comments", 2, 7) not in {r[:3] for r in after}
    assert sum(1 for r in after if r[0] == "comments" and r[1] == 2) == 38
    assert ("threads", 2, PATH, "Have your say on the Millrace River Walk plan") in after
    assert ("threads", 5, "/empty/", "Nothing yet") in after
    assert any("was in the database; its 1 comments there are replaced" in n
               for n in result.written.notes)


def _failing(records: Iterator[Record]) -> Iterator[Record]:
    yield from records
    raise RuntimeError("the stream broke")


def test_a_failed_write_leaves_no_file_and_no_change(tmp_path: Path) -> None:
    records = list(api.read(make_isso(tmp_path / "in.db")))
    new = tmp_path / "new.db"
    with pytest.raises(RuntimeError):
        api.write(_failing(iter(records)), new, format="isso")
    assert list(tmp_path.iterdir()) == [tmp_path / "in.db"]
    existing = make_isso(tmp_path / "existing.db")
    before = dump(existing)
    more = [Thread(origin="wxr", key="9", link="https://example.com/new/"),
            Comment(origin="wxr", key="90", thread="9", content="x",
                    created_at="2020-01-01 00:00:00")]
    with pytest.raises(RuntimeError):
        api.write(_failing(iter(more)), existing, format="isso")
    assert dump(existing) == before


def test_a_full_disk_is_a_write_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_connect = sqlite3.connect

    def small_disk(database: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        con = real_connect(database, *args, **kwargs)  # type: ignore[call-overload]
        if str(database).endswith(".part"):  # the new Isso database, and only it
            con.execute("PRAGMA max_page_count = 4")  # full after a few pages
        return con

    monkeypatch.setattr(sqlite3, "connect", small_disk)
    out = tmp_path / "out"
    out.mkdir()
    code, output = invoke("convert", WXR, out / "comments.db", "--to", "isso")
    assert code == 4, output
    assert output.strip().splitlines() == [
        f"wxrbridge: error: cannot write {out / 'comments.db'}: no space left on the device; "
        "nothing was left behind"]
    assert list(out.iterdir()) == []


def test_a_target_that_is_not_isso_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("my notes")
    with pytest.raises(OutputError, match="exists and is not an Isso database"):
        api.convert(WXR, other, to="isso")
    assert other.read_text() == "my notes"
    code, output = invoke("convert", WXR, "-", "--to", "isso")
    assert code == 2 and "isso output is a database file: give its path" in output


def test_lone_surrogates_are_replaced_and_said(tmp_path: Path) -> None:
    records = [Thread(origin="wxr", key="1", link="/a", title="t\ud800"),
               Comment(origin="wxr", key="5", thread="1", content="x\udfffy",
                       created_at="2020-01-01 00:00:00", wp_approved="1")]
    report = api.write(records, tmp_path / "s.db", format="isso")
    con = sqlite3.connect(tmp_path / "s.db")
    assert con.execute("SELECT text FROM comments").fetchall() == [("x\ufffdy",)]
    assert con.execute("SELECT title FROM threads").fetchall() == [("t\ufffd",)]
    assert len([n for n in report.notes if "lone surrogates" in n]) == 2


def test_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        list(api.read(tmp_path / "missing.db"))


def test_a_comment_of_no_thread_is_named(tmp_path: Path) -> None:
    records = [Comment(origin="wxr", key="3", thread="9", content="lost",
                       created_at="2020-01-01 00:00:00", wp_approved="1"),
               Thread(origin="wxr", key="1", link="/a"),
               Comment(origin="wxr", key="4", thread="1", content="kept",
                       created_at="2020-01-01 00:00:00", wp_approved="1")]
    report = api.write(records, tmp_path / "s.db", format="isso")
    assert report.left_out == ["comment 3: its thread 9 is not in the export"]
    con = sqlite3.connect(tmp_path / "s.db")
    assert con.execute("SELECT id, tid, text FROM comments").fetchall() == [(4, 1, "kept")]
