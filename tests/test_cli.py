"""Every command through click's runner, and once as a real process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge.cli import cli

WXR = SAMPLES / "agency-blog.wxr.xml"
PRETTY = SAMPLES / "wpcom-pretty.wxr.xml"
DISQUS = SAMPLES / "agency-blog.disqus.xml.gz"
BROKEN = SAMPLES / "broken.wxr.xml"


def run(*args: str, code: int = 0, input: bytes | None = None) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False,
                                input=input)
    assert result.exit_code == code, result.output
    return result.output


def test_import_then_stats_as_json(sqlite_url: str) -> None:
    out = run("import", WXR, "--db", sqlite_url)
    assert "imported 64 comments in 1 thread" in out
    stats = json.loads(run("stats", "--db", sqlite_url, "--json"))
    assert stats["comments"] == 64 and stats["threads"] == 1
    assert stats["by_type"] == {"comment": 39, "pingback": 21, "trackback": 4}
    assert stats["replies"] == 3


def test_stats_of_a_file_as_a_table() -> None:
    out = run("stats", PRETTY)
    assert "max depth" in out and "orphans" in out


def test_import_dry_run_changes_nothing(sqlite_url: str) -> None:
    assert "would import 64 comments" in run("import", WXR, "--db", sqlite_url, "--dry-run")
    # Not even an empty store is left behind.
    assert "no store at" in run("stats", "--db", sqlite_url, "--json", code=4)


def test_quiet_import_prints_nothing(sqlite_url: str) -> None:
    assert run("import", WXR, "--db", sqlite_url, "--quiet") == ""


def test_import_merges_and_reports_unmatched_threads(sqlite_url: str) -> None:
    out = run("import", WXR, DISQUS, "--db", sqlite_url)
    assert "37 comments and 1 thread merged" in out
    assert "unmatched-thread" in out


def test_export_each_format(sqlite_url: str, tmp_path: Path) -> None:
    run("import", PRETTY, "--db", sqlite_url)
    for fmt in ("wxr", "disqus", "jsonl"):
        target = tmp_path / f"out.{fmt}"
        run("export", "--db", sqlite_url, "--format", fmt, "-o", target)
        assert target.stat().st_size > 0
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    comments = [json.loads(x) for x in lines if '"record": "comment"' in x]
    assert len(comments) == 21


def test_export_filters(sqlite_url: str, tmp_path: Path) -> None:
    run("import", WXR, "--db", sqlite_url)
    target = tmp_path / "pings.jsonl"
    run("export", "--db", sqlite_url, "--format", "jsonl", "-o", target, "--type", "pingback")
    kinds = [json.loads(x)["type"] for x in target.read_text().splitlines()
             if '"record": "comment"' in x]
    assert kinds == ["pingback"] * 21


def test_export_to_stdout(sqlite_url: str) -> None:
    run("import", PRETTY, "--db", sqlite_url)
    out = run("export", "--db", sqlite_url, "--format", "jsonl", "-o", "-", "--quiet")
    assert sum('"record": "comment"' in line for line in out.splitlines()) == 21


def test_convert_infers_the_format_from_the_extension(tmp_path: Path) -> None:
    target = tmp_path / "site.jsonl"
    run("convert", WXR, target)
    assert target.read_text(encoding="utf-8").count('"record": "comment"') == 64


def test_convert_without_a_known_extension_is_a_usage_error(tmp_path: Path) -> None:
    out = run("convert", WXR, tmp_path / "site.out", code=2)
    assert "--to" in out


def test_verify_equivalent_and_lossy(tmp_path: Path) -> None:
    copy = tmp_path / "copy.wxr.xml"
    run("convert", PRETTY, copy, "--to", "wxr")
    assert "equivalent" in run("verify", PRETTY, copy)
    flat = tmp_path / "flat.wxr.xml"
    text = PRETTY.read_text(encoding="utf-8")
    flat.write_text(re.sub(r"<wp:comment_parent>\d+</wp:comment_parent>",
                           "<wp:comment_parent>0</wp:comment_parent>", text), encoding="utf-8")
    report = json.loads(run("verify", PRETTY, flat, "--json", code=1))
    lost = sorted(d["key"] for d in report["differences"] if d["field"] == "parent")
    assert lost == sorted(["302", "303", "304", "305", "306", "307", "308", "309", "310",
                           "311", "402", "404", "405", "406", "398"])


def test_verify_exact(tmp_path: Path) -> None:
    copy = tmp_path / "copy.wxr.xml"
    run("convert", WXR, copy, "--to", "wxr")
    assert "equivalent" in run("verify", "--exact", WXR, copy)


def test_bad_input_exits_3_with_file_line_and_column(sqlite_url: str) -> None:
    result = CliRunner().invoke(cli, ["import", str(BROKEN), "--db", sqlite_url])
    assert result.exit_code == 3
    assert f"{BROKEN}:80:81: not well-formed XML" in result.output
    assert "Traceback" not in result.output


def test_unknown_format_is_bad_input(tmp_path: Path, sqlite_url: str) -> None:
    junk = tmp_path / "notes.xml"
    junk.write_text("<notes/>")
    result = CliRunner().invoke(cli, ["import", str(junk), "--db", sqlite_url])
    assert result.exit_code == 3 and "not a WXR or Disqus export" in result.output


def test_store_error_exits_4(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["import", str(WXR), "--db", f"sqlite:///{tmp_path}/no/such/dir/x.sqlite"])
    assert result.exit_code == 4 and "cannot reach" in result.output


def test_usage_error_exits_2() -> None:
    assert CliRunner().invoke(cli, ["export", "--format", "nope", "-o", "x"]).exit_code == 2


def test_db_upgrade_and_current(sqlite_url: str) -> None:
    assert "(head)" in run("db", "upgrade", "--db", sqlite_url)
    assert "current" in run("db", "current", "--db", sqlite_url)


def test_every_command_has_help_with_an_example() -> None:
    for command in ("import", "export", "convert", "stats", "verify"):
        assert "Example" in run(command, "--help"), command
    for command in ("upgrade", "current"):
        assert "Example" in run("db", command, "--help"), command


def _process(*args: str, stdin: bytes | None = None, cwd: Path | None = None
             ) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "wxrbridge", *map(str, args)],
                          input=stdin, capture_output=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("args, code", [
    (["--version"], 0),
    (["stats", str(WXR), "--json"], 0),
    (["verify", str(PRETTY), str(PRETTY)], 0),
    (["import", str(BROKEN), "--db", "sqlite:///{tmp}/s.sqlite"], 3),
    (["db", "current", "--db", "sqlite:///{tmp}/s.sqlite"], 4),  # no store there
    (["export", "--format", "nope", "-o", "-"], 2),
    (["convert", str(PRETTY), "{tmp}/out.jsonl"], 0),
    (["convert", str(DISQUS), "{tmp}/out.wxr.xml", "--to", "wxr"], 0),
])
def test_commands_as_real_processes(tmp_path: Path, args: list[str], code: int) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = _process(*args)
    assert result.returncode == code, result.stderr.decode()


def test_real_process_pipes_stdin_to_stdout(tmp_path: Path) -> None:
    """`-` both ways, and nothing but the data on stdout when piped."""
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    imported = _process("import", "-", "--db", db, stdin=PRETTY.read_bytes())
    assert imported.returncode == 0, imported.stderr.decode()
    assert imported.stdout == b""
    exported = _process("export", "--db", db, "--format", "jsonl", "-o", "-")
    assert exported.returncode == 0
    lines = exported.stdout.decode().splitlines()
    assert all(json.loads(line)["record"] for line in lines)
    # No progress bar when stderr is not a terminal.
    assert "\r" not in exported.stderr.decode()
