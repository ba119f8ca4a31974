"""Broken files: strict by default, and with ``recover`` every comment whose
own text is intact comes back.

Each file under tests/data/broken/ carries one defect real exports have (see
formats.md, "Broken files that exist").  WordPress's importer falls back to
a text-matching parser when its XML parser fails, so it keeps every
``<wp:comment>`` block that is complete; recover mode must keep at least as
many, with the values the file meant, and report every mend as an issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import generate_corpus
from sqlalchemy import text

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.errors import InputError
from wxrbridge.records import Comment, ImportIssue, Record

BROKEN = Path(__file__).parent / "data" / "broken"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
GOOD = Path(__file__).parent / "data" / "wxr" / "core-1.2.xml"


@dataclass
class Case:
    file: Path
    # Comments (or posts) that appear in the file at all, cut off or not.
    in_file: int
    # Comment key -> the fields whose values must come back exactly.
    intact: dict[str, dict[str, str]]
    # Issue codes the mends must be reported under.
    codes: set[str]
    # Comment keys reported as left out, with their raw text.
    rejected: tuple[str, ...] = ()


CASES = [
    Case(BROKEN / "wxr-raw-ampersand.xml", 4, {
        "101": {"content": "Will there be heritage tomatoes?"},
        "102": {"author_url": "https://beds.example.net/index.php?club=7&page=swap",
                "author_name": "Beds & Borders club"},
        "103": {"author_url": "https://tam.example.com/?a=1&b=2&c"},
        # A well-formed reference stays what it was.
        "104": {"content": "Count me in, fish &amp; chips after?"},
    }, {"raw-ampersand"}),
    Case(BROKEN / "wxr-control-chars.xml", 3, {
        "111": {"content": "Monday is mine."},
        "112": {"content": "Tuesday and Wednesday, [1mweather[0m permitting."},
        "113": {"content": "Thursday please."},
    }, {"control-character"}),
    Case(BROKEN / "wxr-truncated.xml", 3, {
        "121": {"content": "Spare key is with plot 4."},
        "122": {"content": "Thanks, collected it today.", "parent": "121"},
    }, {"truncated", "damaged-record"}, rejected=("comment 123",)),
    Case(BROKEN / "wxr-junk-before.xml", 2, {
        "131": {"content": "Bay two is ready to turn."},
        "132": {"content": "I turned it on Sunday."},
    }, {"junk-before-xml"}),
    Case(BROKEN / "wxr-latin1.xml", 2, {
        "141": {"author_name": "Ren\u00e9e Fa\u00e7on",
                "content": "The cr\u00e8me br\u00fbl\u00e9e stall was lovely."},
        "142": {"content": "Plain ASCII here."},
    }, {"bad-encoding"}),
    Case(BROKEN / "wxr-1.0-cdata-end.xml", 3, {
        "151": {"content": "In JavaScript: if (a[b[0]]>1) open();"},
        "152": {"content": "Arrays nest: x[y[z]]> and <b>more</b>]]> done "},
        "153": {"content": "Thanks both."},
    }, {"cdata-end-in-value"}),
    Case(BROKEN / "wxr-damaged-comment.xml", 3, {
        "161": {"content": "Cover the dahlias tonight."},
        "162": {"author_name": "Yara Cole", "content": "The frost came early this year."},
        "163": {"content": "Fleece is in the shed."},
    }, {"mismatched-end-tag"}),
    Case(BROKEN / "disqus-bad-post.xml", 3, {
        "8001": {"content": "New code is on the noticeboard."},
        # Values that are not what they claim stay as written, with a warning.
        "8002": {"thread": "7001", "parent": "8001", "created_at": "yesterday",
                 "dsq_is_approved": "123"},
        "8003": {"content": "The one by the tap.", "parent": "8002"},
    }, {"unquoted-attribute", "bad-date", "bad-boolean"}),
    Case(BROKEN / "disqus-truncated.xml", 3, {
        "8101": {"content": "Gate sticks too."},
        "8102": {"content": "Oil it, as with the shed.", "parent": "8101"},
    }, {"truncated", "damaged-record"}, rejected=("comment 8103",)),
    Case(SAMPLES / "broken.wxr.xml", 7, {
        "903": {"author_url": "https://bookclub.example.org/index.php?page=reviews&id=88"},
        "905": {"content": "Pasted from my notes: the Saturday opening hours on the door "
                           "still say 9 to 1."},
        **{str(n): {} for n in (901, 902, 904, 906, 907)},
    }, {"raw-ampersand", "control-character"}),
]

IDS = [case.file.name for case in CASES]


def comments_in(path: Path) -> int:
    data = path.read_bytes()
    return len(re.findall(rb"<wp:comment>|<post[\s>]", data))


def of(records: list[Record], kind: type) -> list:
    return [r for r in records if isinstance(r, kind)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_strict_reading_refuses_with_file_line_and_column(case: Case) -> None:
    with pytest.raises(InputError) as caught:
        list(api.read(case.file))
    error = caught.value
    assert error.file == str(case.file)
    assert error.line is not None and error.line > 0
    assert error.column is not None
    assert "not well-formed XML" in error.reason


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_recover_keeps_every_intact_comment(case: Case) -> None:
    records = list(api.read(case.file, recover=True))
    comments = {c.key: c for c in of(records, Comment)}
    assert comments_in(case.file) == case.in_file
    # Counted per case: every comment whose own text is intact is back...
    assert set(case.intact) <= set(comments), (case.file.name, sorted(comments))
    # ...and nothing else was made up.
    assert len(comments) == len(case.intact)
    assert len(comments) + len(case.rejected) == case.in_file
    for key, fields in case.intact.items():
        for name, value in fields.items():
            assert getattr(comments[key], name) == value, (key, name)
    issues = of(records, ImportIssue)
    assert case.codes <= {i.code for i in issues}
    for issue in issues:
        assert issue.file == str(case.file)
        assert issue.line is not None and issue.line > 0
        assert issue.severity in ("warning", "repaired", "rejected")
    rejected = [i for i in issues if i.severity == "rejected"]
    assert sorted(i.record_key for i in rejected) == sorted(case.rejected)
    for issue in rejected:
        # Small enough to keep: the raw text, as the file had it.
        assert issue.fragment is not None and len(issue.fragment) < 2000
        assert issue.fragment in case.file.read_text("utf-8", "replace")


def test_issues_point_at_the_defect_and_name_the_comment() -> None:
    records = list(api.read(SAMPLES / "broken.wxr.xml", recover=True))
    found = {(i.code, i.line, i.record_key) for i in of(records, ImportIssue)}
    # The sample's README names the two defects and their lines.
    assert ("raw-ampersand", 80, "comment 903") in found
    assert ("control-character", 112, "comment 905") in found


def test_misspelt_end_tag_of_a_record_does_not_swallow_the_next(tmp_path: Path) -> None:
    data = (BROKEN / "wxr-raw-ampersand.xml").read_text()
    # The first comment loses its end tag: the next <wp:comment> starts anew.
    data = data.replace("</wp:comment>", "", 1)
    path = tmp_path / "lost-end.xml"
    path.write_text(data)
    records = list(api.read(path, recover=True))
    assert [c.key for c in of(records, Comment)] == ["101", "102", "103", "104"]


def test_text_after_the_root_is_dropped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "tail.xml"
    path.write_bytes(GOOD.read_bytes() + b"<html><body>Error 500</body></html>\n")
    with pytest.raises(InputError):
        list(api.read(path))
    records = list(api.read(path, recover=True))
    strict = list(api.read(GOOD))
    assert len(of(records, Comment)) == len(of(strict, Comment))
    assert "junk-outside-root" in {i.code for i in of(records, ImportIssue)}


def test_recover_reads_a_well_formed_file_exactly_as_strict_mode() -> None:
    for path in (GOOD, SAMPLES / "agency-blog.wxr.xml", SAMPLES / "legacy-1.0.wxr.xml",
                 SAMPLES / "wpcom-pretty.wxr.xml", SAMPLES / "agency-blog.disqus.xml.gz",
                 Path(__file__).parent / "data" / "disqus" / "full.xml"):
        assert list(api.read(path, recover=True)) == list(api.read(path)), path.name


def test_recover_reads_a_large_well_formed_file_exactly_as_strict_mode(tmp_path: Path) -> None:
    """Past a mebibyte the scanner drops what it has read; it once did so in
    the middle of a scan, slicing values at the wrong place."""
    wxr, disqus = generate_corpus(4000, tmp_path, seed=5)
    for path in (wxr, disqus):
        assert path.stat().st_size > 1 << 20  # past the point the scanner compacts
        strict = list(api.read(path))
        recovered = list(api.read(path, recover=True))
        assert [r for r in recovered if isinstance(r, ImportIssue)] == [], path.name
        assert recovered == strict, path.name


# -- through the store --------------------------------------------------------


def _counts(store: api.Store) -> tuple[dict, int]:
    with store.engine.connect() as connection:
        issues = connection.execute(text("SELECT count(*) FROM import_issues")).scalar()
    return store.stats(), int(issues or 0)


def test_a_broken_file_leaves_the_store_as_it_was(store_url: str) -> None:
    with api.open_store(store_url) as store:
        api.import_files(store, [GOOD])
        before = _counts(store)
        for case in CASES:
            with pytest.raises(InputError) as caught:
                api.import_files(store, [GOOD, case.file])
            assert caught.value.line is not None
            assert _counts(store) == before, case.file.name


def test_recover_stores_comments_and_issues(sqlite_url: str) -> None:
    with api.open_store(sqlite_url) as store:
        reports = api.import_files(store, [case.file for case in CASES], recover=True)
        stored = sum(r.counts["comment"] for r in reports)
        assert stored == sum(len(case.intact) for case in CASES)
        with store.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT code, severity, file, line, fragment FROM import_issues"
            )).all()
    codes = {row.code for row in rows}
    assert set().union(*(case.codes for case in CASES)) <= codes
    rejected = [row for row in rows if row.severity == "rejected"]
    assert len(rejected) == 2 and all(row.fragment and row.line for row in rejected)


def test_cli_prints_a_summary_of_what_recover_did(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    strict = runner.invoke(cli, ["import", str(BROKEN / "wxr-truncated.xml"), "--db", db])
    assert strict.exit_code == 3
    assert "wxr-truncated.xml:53:" in strict.output
    result = runner.invoke(cli, ["import", "--recover", str(BROKEN / "wxr-truncated.xml"),
                                 "--db", db])
    assert result.exit_code == 0, result.output
    assert "imported 2 comments in 1 thread" in result.output
    assert "damaged-record:" in result.output and "comment 123" in result.output
    assert "truncated:" in result.output
    out = tmp_path / "out.jsonl"
    converted = runner.invoke(cli, ["convert", "--recover", str(BROKEN / "disqus-bad-post.xml"),
                                    str(out)])
    assert converted.exit_code == 0, converted.output
    assert "unquoted-attribute:" in converted.output
    assert "read 3 comments in 1 thread" in converted.output
