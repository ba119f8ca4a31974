"""A strict error that --recover can get past says so; stats takes --recover."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.errors import InputError

BROKEN = SAMPLES / "broken.wxr.xml"
WXR = SAMPLES / "agency-blog.wxr.xml"


def invoke(*args: str | Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output.strip().splitlines()


def test_stats_reads_a_broken_file_with_recover() -> None:
    code, lines = invoke("stats", BROKEN)
    assert code == 3 and len(lines) == 1
    assert lines[0].startswith(f"wxrbridge: error: {BROKEN}:")
    assert lines[0].endswith(" (--recover repairs this)")
    code, lines = invoke("stats", BROKEN, "--recover", "--json")
    assert code == 0
    assert json.loads("\n".join(lines))["comments"] > 0
    assert invoke("stats", "--recover")[0] == 2  # a store is not repaired


@pytest.mark.parametrize("read_ahead", [False, True])
def test_the_hint_comes_back_from_the_reading_process(tmp_path: Path, read_ahead: bool) -> None:
    cut = tmp_path / "cut.xml.gz"
    data = gzip.compress(WXR.read_bytes())
    cut.write_bytes(data[: len(data) // 2])
    for path in (BROKEN, cut):
        with api.open_store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
            with pytest.raises(InputError) as caught:
                api.import_files(store, [path], read_ahead=read_ahead)
        assert caught.value.recoverable, path
        assert "--recover" not in str(caught.value)  # the library speaks no flags


def test_an_error_recover_cannot_mend_has_no_hint(tmp_path: Path) -> None:
    other = tmp_path / "feed.xml"
    other.write_bytes(b"<?xml version='1.0'?><feed/>")
    code, lines = invoke("stats", other)
    assert code == 3 and "--recover" not in lines[0]
    code, lines = invoke("stats", tmp_path / "missing.xml")
    assert code == 3 and "--recover" not in lines[0]
