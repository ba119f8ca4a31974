"""wxrbridge's own JSON Lines, read back: import, verify and convert take it,
losslessly (sample -> jsonl -> store -> jsonl is identical), and a line that
is not a record is one error at its line and column."""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.formats.jsonl.reader import detect, read_jsonl
from wxrbridge.records import Comment, ImportIssue, Source

WXR = SAMPLES / "agency-blog.wxr.xml"
DISQUS = SAMPLES / "agency-blog.disqus.xml.gz"
# Every sample. (An archive of a store holding several sources, such as a
# WXR merged with its Disqus export, lists its sources first, and is read
# back as one source: see docs/jsonl.md.)
CASES = {
    "agency": [WXR],
    "agency-disqus": [DISQUS],
    "legacy": [SAMPLES / "legacy-1.0.wxr.xml"],
    "wpcom": [SAMPLES / "wpcom-pretty.wxr.xml"],
    "broken": [SAMPLES / "broken.wxr.xml"],
}


def invoke(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def _archive(paths: list[Path], folder: Path) -> Path:
    """The samples imported into a store and exported as JSON Lines."""
    url = f"sqlite:///{folder / 'first.sqlite'}"
    with api.open_store(url) as store:
        api.import_files(store, paths, recover=True)
        target = folder / "first.jsonl"
        api.export(store, target, format="jsonl")
    return target


@pytest.mark.parametrize("case", sorted(CASES))
def test_jsonl_store_jsonl_is_identical(case: str, tmp_path: Path, store_url: str) -> None:
    first = _archive(CASES[case], tmp_path)
    assert invoke("import", first, "--db", store_url, "-q") == (0, "")
    again = tmp_path / "again.jsonl"
    code, output = invoke("export", "--db", store_url, "-f", "jsonl", "-o", again, "-q")
    assert code == 0, output
    assert again.read_bytes() == first.read_bytes()


def _without_made_up_date(wxr: bytes) -> bytes:
    # A source with no date of its own (a Disqus export) is given the time
    # of writing.
    return re.sub(rb"(?m)^\t<pubDate>[^<]*</pubDate>\n", b"", wxr, count=1)


@pytest.mark.parametrize("case", sorted(CASES))
def test_jsonl_to_wxr_is_the_sample_to_wxr(case: str, tmp_path: Path) -> None:
    first = _archive(CASES[case], tmp_path)
    direct = tmp_path / "direct.xml"
    with api.open_store(f"sqlite:///{tmp_path / 'first.sqlite'}") as store:
        api.export(store, direct, format="wxr")
    through = tmp_path / "through.xml"
    code, output = invoke("convert", first, through, "--to", "wxr", "-q")
    assert code == 0, output
    assert _without_made_up_date(through.read_bytes()) == \
        _without_made_up_date(direct.read_bytes())
    code, output = invoke("verify", first, direct)
    assert code == 0 and output.strip().endswith("equivalent"), output


def test_a_gzipped_archive_and_standard_input(tmp_path: Path) -> None:
    first = _archive([WXR], tmp_path)
    packed = tmp_path / "site.jsonl.gz"
    packed.write_bytes(gzip.compress(first.read_bytes()))
    expected = sum(isinstance(r, Comment) for r in api.read(WXR))
    assert sum(isinstance(r, Comment) for r in api.read(packed)) == expected
    result = CliRunner().invoke(cli, ["stats", "-", "--json"], input=first.read_bytes())
    assert result.exit_code == 0 and json.loads(result.output)["comments"] == expected


def test_detection() -> None:
    assert detect(b'{"record": "source", "origin": "wxr"')
    assert detect(b'\xef\xbb\xbf  {"record":"comment"')
    assert not detect(b'{"name": "x"}\n')
    assert not detect(b'<?xml version="1.0"?><rss>')
    assert not detect(b'[{"record": "source"}]')


def _lines(tmp_path: Path) -> list[bytes]:
    return _archive([WXR], tmp_path).read_bytes().splitlines(keepends=True)


@pytest.mark.parametrize("damage, reason, column", [
    (lambda line: line[:40] + b"\n", "not JSON: Unterminated string", None),
    (lambda line: b'{"record": "comment", "origin": "wxr", "id": 7, "thread": "1"}\n',
     "not a wxrbridge record: id is int, not text", 1),
    (lambda line: b'{"record": "comment", "origin": "wxr", "id": "7", "thread": "1", '
     b'"raw": {"colour": "red"}}\n', "not a wxrbridge record: raw holds unknown field colour", 1),
    (lambda line: b'{"record": "pingback"}\n',
     "not a wxrbridge record: unknown record kind 'pingback'", 1),
    (lambda line: b'{"record": "thread", "title": "caf\xe9"}\n', "not UTF-8: invalid", 35),
])
def test_a_bad_line_is_an_error_at_its_place(tmp_path: Path, store_url: str, damage: object,
                                             reason: str, column: int | None) -> None:
    lines = _lines(tmp_path)
    number = len(lines) - 3
    lines[number - 1] = damage(lines[number - 1])  # type: ignore[operator]
    if column is None:  # where the JSON parser stops
        with pytest.raises(json.JSONDecodeError) as stop:
            json.loads(lines[number - 1].rstrip(b"\n"))
        column = stop.value.colno
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(lines))
    code, output = invoke("import", bad, "--db", store_url)
    assert code == 3
    (line,) = output.strip().splitlines()
    assert line.startswith(f"wxrbridge: error: {bad}:{number}:{column}: {reason}"), line
    assert invoke("stats", "--db", store_url)[0] == 4  # nothing stored, no store left
    records = list(api.read(bad, recover=True))
    (issue,) = [r for r in records if isinstance(r, ImportIssue)]
    assert (issue.code, issue.line, issue.column) == ("bad-line", number, column)
    expected = sum(isinstance(r, Comment) for r in api.read(WXR))
    assert sum(isinstance(r, Comment) for r in records) == expected - 1


def test_lines_are_read_one_at_a_time(tmp_path: Path) -> None:
    lines = _lines(tmp_path)

    class OneLineAtATime(io.RawIOBase):
        def __init__(self) -> None:
            self.given = 0

        def readline(self, size: int | None = -1) -> bytes:
            self.given += 1
            return lines[self.given - 1] if self.given <= len(lines) else b""

        def read(self, size: int = -1) -> bytes:
            raise AssertionError("the whole file was asked for")

    stream = OneLineAtATime()
    records = read_jsonl(stream, name="archive.jsonl")  # type: ignore[arg-type]
    assert isinstance(next(records), Source) and stream.given == 1
