"""How a command ends: --debug shows the traceback and keeps the exit code;
a reader of standard output that goes away ends it quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.cli import cli

WXR = SAMPLES / "agency-blog.wxr.xml"


@pytest.mark.parametrize("args, code", [
    (["stats", "--db", "sqlite:///{tmp}/none.sqlite"], 4),
    (["stats", "{tmp}/missing.xml"], 3),
    (["export", "--db", "sqlite:///{tmp}/none.sqlite", "-f", "html", "-o", "-"], 2),
])
def test_debug_keeps_the_exit_code(tmp_path: Path, args: list[str], code: int) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(cli, ["--debug", *args])
    assert result.exit_code == code, result.output
    assert "Traceback (most recent call last)" in result.output
    assert result.output.strip().splitlines()[-1].startswith("wxrbridge: error: ")


@pytest.mark.parametrize("fmt", ["wxr", "jsonl", "disqus"])
@pytest.mark.parametrize("read_ahead", [False, True])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, fmt: str, read_ahead: bool) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with api.open_store(url) as store:
        api.import_files(store, [WXR])
    # The store is small: read-ahead, asked for by size, is asked for here.
    script = (
        "import sys\n"
        "from wxrbridge import readahead\n"
        f"readahead.worthwhile = lambda path, wanted: {read_ahead}\n"
        "from wxrbridge.cli import main\n"
        "sys.argv = ['wxrbridge', *sys.argv[1:]]\n"
        "main()\n"
    )
    export = subprocess.Popen(
        [sys.executable, "-c", script, "export", "--db", url, "-f", fmt, "-o", "-"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert export.stdout is not None and export.stderr is not None
    export.stdout.readline()
    export.stdout.close()  # as `| head -1` does
    stderr = export.stderr.read().decode()
    assert export.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
