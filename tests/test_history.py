"""Re-importing a source: what changed and what went missing is recorded,
never replaced or dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import SAMPLES
from sqlalchemy import select

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.records import Comment, Source, Thread
from wxrbridge.store import open_store
from wxrbridge.store.tables import comments_t, history_t, issues_t


def snapshot(month: str, *comments: Comment) -> list:
    return [
        Source(origin="wxr", site="news.example", name=f"news-{month}.xml"),
        Thread(origin="wxr", key="5", wp_post_id="5", title="Post"),
        *comments,
    ]


def comment(key: str, content: str, **values: object) -> Comment:
    return Comment(origin="wxr", key=key, thread="5", wp_id=key, parent="0",
                   author_name="Ana", content=content, **values)  # type: ignore[arg-type]


JANUARY = snapshot(
    "01",
    comment("1", "first", author_email="ana@example.org"),
    comment("2", "second", meta=[("akismet_result", "false")]),
    comment("3", "third"),
)
FEBRUARY = snapshot(
    "02",
    comment("1", "first, edited", author_email="ana@example.net"),
    comment("2", "second", meta=[("akismet_result", "true")]),
    comment("4", "fourth"),
)


def test_a_changed_snapshot_keeps_the_earlier_values(store_url: str) -> None:
    with open_store(store_url) as store:
        store.load(JANUARY, sha256="1" * 64)
        report = store.load(FEBRUARY, sha256="2" * 64)
        again = store.load(FEBRUARY, sha256="3" * 64)
        with store.engine.connect() as connection:
            history = connection.execute(
                select(comments_t.c.key, history_t.c.change, history_t.c.fields,
                       history_t.c.previous)
                .join(comments_t, comments_t.c.id == history_t.c.comment_id)
                .order_by(history_t.c.id)
            ).all()
        stats = store.stats()
        kept = {r.key: r for r in store.records() if isinstance(r, Comment)}
    assert +report.changes == {"new": 1, "changed": 2, "deleted": 1}
    reasons = {i.record_key: (i.code, i.reason) for i in report.issues}
    assert reasons["comment 1"] == ("changed", "comment 1 differs from the stored one in "
                                    "author_email, content; its earlier values are kept "
                                    "in its history")
    assert reasons["comment 2"][0] == "changed" and " in meta;" in reasons["comment 2"][1]
    assert reasons["comment 3"][0] == "deleted" and "news-01.xml" in reasons["comment 3"][1]
    assert [(key, change, json.loads(fields) if fields else None,
             json.loads(previous) if previous else None)
            for key, change, fields, previous in history] == [
        ("1", "changed", ["author_email", "content"],
         {"author_email": "ana@example.org", "content": "first"}),
        ("2", "changed", ["meta"], {"meta": [["akismet_result", "false"]]}),
        ("3", "deleted", None, None),
    ]
    # The missing comment is kept; the new values are stored.
    assert kept["3"].content == "third" and kept["1"].content == "first, edited"
    assert (stats["changed"], stats["deleted"]) == (2, 1)
    # The same snapshot again: nothing new to record.
    assert +again.changes == {"unchanged": 3}
    assert not again.issues


def test_import_summary_says_what_was_stored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    wxr = SAMPLES / "agency-blog.wxr.xml"
    out = CliRunner().invoke(cli, ["import", str(wxr), str(wxr), "--db", url]).output
    assert "imported 64 comments in 1 thread (128 read: 64 new, 64 unchanged)" in out
    edited = tmp_path / "edited.xml"
    text = wxr.read_text(encoding="utf-8")
    start = text.index("<wp:comment_content>")
    end = text.index("</wp:comment_content>", start)
    edited.write_text(text[:start] + "<wp:comment_content>edited" + text[end:],
                      encoding="utf-8")
    out = CliRunner().invoke(cli, ["import", str(edited), "--db", url]).output
    assert "imported 64 comments in 1 thread (63 unchanged, 1 changed)" in out
    assert "changed: comment 18232 differs from the stored one in content" in out


def test_json_lines_history_comes_back_whole(store_url: str, tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'first.sqlite'}") as first:
        first.load(JANUARY, sha256="1" * 64)
        first.load(FEBRUARY, sha256="2" * 64)
        written = api.export(first, tmp_path / "first.jsonl", format="jsonl", history=True)
        api.export(first, tmp_path / "plain.jsonl", format="jsonl")
    assert written.written["change"] == 3
    archive = (tmp_path / "first.jsonl").read_bytes()
    assert b'"record": "history"' not in (tmp_path / "plain.jsonl").read_bytes()
    with open_store(store_url) as store:
        api.import_files(store, [tmp_path / "first.jsonl"])
        api.export(store, tmp_path / "again.jsonl", format="jsonl", history=True)
        assert (tmp_path / "again.jsonl").read_bytes() == archive
        # Importing the archive once more adds no history.
        api.import_files(store, [tmp_path / "first.jsonl"])
        with store.engine.connect() as connection:
            assert len(connection.execute(select(history_t.c.id)).all()) == 3


def test_disqus_values_merged_into_a_wordpress_comment_are_no_change(sqlite_url: str) -> None:
    wxr, disqus = SAMPLES / "agency-blog.wxr.xml", SAMPLES / "agency-blog.disqus.xml.gz"
    runner = CliRunner()
    runner.invoke(cli, ["import", str(wxr), str(disqus), "--db", sqlite_url])
    out = runner.invoke(cli, ["import", str(wxr), "--db", sqlite_url]).output
    assert "imported 64 comments in 1 thread (64 unchanged)" in out


def test_a_file_imported_before_keeps_what_it_changed_since(sqlite_url: str) -> None:
    with open_store(sqlite_url) as store:
        store.load(JANUARY, sha256="1" * 64)
        store.load(FEBRUARY, sha256="2" * 64)
        store.load(JANUARY, sha256="1" * 64)
        with store.engine.connect() as connection:
            codes = sorted(connection.execute(
                select(issues_t.c.code, issues_t.c.record_key)).all())
    assert codes == [("changed", "comment 1"), ("changed", "comment 1"),
                     ("changed", "comment 2"), ("changed", "comment 2"),
                     ("deleted", "comment 3"), ("deleted", "comment 4")]
