"""A format installed by another package: found through its entry point,
offered by the CLI, detected, imported, exported and converted.

The package is written into the test's folder with a ``*.dist-info`` beside
it, as pip would install it; nothing outside it changes, and the CLI runs
as a real process with that folder on PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import SAMPLES

WXR = SAMPLES / "agency-blog.wxr.xml"

PLUGIN = '''
"""Comments as tab-separated lines after a "#lines" header: thread, id, text."""

from wxrbridge.formats import Format, Option, WriteReport
from wxrbridge.records import Comment, Source, Thread

HEADER = b"#lines\\n"


def detect(head):
    return head.startswith(HEADER)


def _records(lines, name):
    yield Source(origin="lines", site="lines.example", name=name)
    threads = set()
    for line in lines:
        thread, key, text = line.split("\\t")
        if thread not in threads:
            threads.add(thread)
            yield Thread(origin="lines", key=thread, title=f"thread {thread}",
                         link=f"https://lines.example/{thread}")
        yield Comment(origin="lines", key=key, thread=thread, content=text,
                      author_name="someone", created_at="2024-01-02 03:04:05")


def read_lines(stream, *, name, recover=False):
    text = stream.read().decode("utf-8")
    yield from _records(text.splitlines()[1:], name)


def write_lines(records, out, /, *, shout=False):
    report = WriteReport()
    out.write(HEADER)
    for record in records:
        if isinstance(record, Comment):
            text = (record.content or "").replace("\\t", " ").replace("\\n", " ")
            out.write(f"{record.thread}\\t{record.key}\\t{text.upper() if shout else text}\\n"
                      .encode("utf-8"))
            report.written["comment"] += 1
    return report


FORMAT = Format(
    name="lines",
    description="tab-separated comment lines",
    extensions=(".lines",),
    detect=detect,
    read=read_lines,
    write_stream=write_lines,
    options=(Option("shout", bool, "Write comment text in capitals."),),
)


def memo_format():
    """A format read from a location, not a file: "memo:a,b" is two comments."""

    def read_memo(location, *, recover=False):
        yield from _records([f"m\\t{n}\\t{text}" for n, text in
                             enumerate(location.split(","), 1)], f"memo:{location}")

    return Format(name="memo", description="comments named in the location itself",
                  read_location=read_memo)
'''

ENTRY_POINTS = """\
[wxrbridge.formats]
lines = wxrbridge_lines:FORMAT
memo = wxrbridge_lines:memo_format
"""


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    (folder / "wxrbridge_lines.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = folder / "wxrbridge_lines-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: wxrbridge-lines\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    return folder


@pytest.fixture
def lines_file(tmp_path: Path) -> Path:
    path = tmp_path / "talk.lines"
    path.write_text("#lines\nt1\t1\tfirst words\nt1\t2\ta reply\nt2\t3\telsewhere\n",
                    encoding="utf-8")
    return path


def wxrbridge(plugins: Path, *args: object, code: int = 0) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(plugins), *filter(None, [os.environ.get("PYTHONPATH")])])}
    result = subprocess.run([sys.executable, "-m", "wxrbridge", *map(str, args)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == code, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_help_offers_the_format_and_its_option(plugin_path: Path) -> None:
    for command in ("export", "convert"):
        text = wxrbridge(plugin_path, command, "--help")
        assert "lines" in text and "tab-separated comment lines" in text, command
        assert "--shout" in text and "lines: Write comment text in capitals." in text, command
    assert "memo" in wxrbridge(plugin_path, "import", "--help")


def test_import_detects_it(plugin_path: Path, lines_file: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert "imported 3 comments in 2 threads" in wxrbridge(plugin_path, "import", lines_file,
                                                             "--db", db)
    stats = json.loads(wxrbridge(plugin_path, "stats", "--db", db, "--json"))
    assert stats["comments"] == 3


def test_export_with_its_option(plugin_path: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    wxrbridge(plugin_path, "import", WXR, "--db", db, "--quiet")
    target = tmp_path / "out.lines"
    wxrbridge(plugin_path, "export", "--db", db, "--format", "lines", "-o", target, "--shout")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#lines" and len(lines) == 65
    assert all(text == text.upper() for text in (line.split("\t")[2] for line in lines[1:]))


def test_its_option_is_refused_by_other_formats(plugin_path: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    wxrbridge(plugin_path, "import", WXR, "--db", db, "--quiet")
    text = wxrbridge(plugin_path, "export", "--db", db, "--format", "jsonl", "-o",
                     tmp_path / "x.jsonl", "--shout", code=2)
    assert "jsonl does not take --shout" in text
    assert not (tmp_path / "x.jsonl").exists()


def test_convert_both_ways(plugin_path: Path, lines_file: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "talk.jsonl"
    wxrbridge(plugin_path, "convert", lines_file, jsonl)
    comments = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()
                if '"record": "comment"' in line]
    assert [c["content"] for c in comments] == ["first words", "a reply", "elsewhere"]
    # The extension names the format; --to and the option work as for any other.
    wxrbridge(plugin_path, "convert", lines_file, tmp_path / "again.lines")
    assert (tmp_path / "again.lines").read_text(encoding="utf-8") == lines_file.read_text(
        encoding="utf-8")
    wxrbridge(plugin_path, "convert", WXR, tmp_path / "blog.txt", "--to", "lines", "--shout")
    assert (tmp_path / "blog.txt").read_text(encoding="utf-8").startswith("#lines\n")


def test_a_location_format_reads_its_spec(plugin_path: Path, tmp_path: Path) -> None:
    """``NAME:LOCATION`` is handed to the format's location reader, not opened."""
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert "imported 2 comments in 1 thread" in wxrbridge(
        plugin_path, "import", "memo:one,two", "--db", db)
    target = tmp_path / "memo.lines"
    wxrbridge(plugin_path, "convert", "memo:hello,world", target)
    assert target.read_text(encoding="utf-8") == "#lines\nm\t1\thello\nm\t2\tworld\n"


def test_builtins_come_first(plugin_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(plugin_path)}
    found = subprocess.run(
        [sys.executable, "-c", "from wxrbridge import formats; print(formats.writable())"],
        capture_output=True, text=True, env=env, check=True, timeout=60,
    )
    assert found.stdout.strip() == str(["wxr", "disqus", "disqus-import", "jsonl", "html",
                                         "isso", "lines"])
