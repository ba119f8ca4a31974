"""What export is asked to select: a status that is none, a thread that is
not there."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.canonical import STATUSES
from wxrbridge.cli import cli
from wxrbridge.errors import NoSuchThreadError

WXR = SAMPLES / "agency-blog.wxr.xml"


def invoke(*args: str | Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output.strip().splitlines()


@pytest.mark.parametrize("fmt", ["wxr", "disqus", "jsonl"])
def test_an_unknown_status_is_a_usage_error(sqlite_url: str, tmp_path: Path, fmt: str) -> None:
    assert invoke("import", WXR, "--db", sqlite_url, "-q")[0] == 0
    target = tmp_path / "out"
    code, lines = invoke("export", "--db", sqlite_url, "-f", fmt, "-o", target,
                         "--status", "approved", "--status", "bogus")
    assert code == 2
    assert "unknown status 'bogus'; choose from " + ", ".join(STATUSES) in lines[-1]
    assert not target.exists()


def test_a_thread_that_matches_nothing_says_so(store_url: str, tmp_path: Path) -> None:
    assert invoke("import", WXR, "--db", store_url, "-q")[0] == 0
    target = tmp_path / "out.xml"
    code, lines = invoke("export", "--db", store_url, "-f", "wxr", "-o", target,
                         "--thread", "https://example.com/no-such-post/")
    assert code == 2 and lines == [
        "wxrbridge: error: no thread matches --thread 'https://example.com/no-such-post/' "
        "(an id, identifier, link or guid); nothing was written"]
    assert not target.exists()
    with api.open_store(store_url) as store:
        with pytest.raises(NoSuchThreadError, match="no thread matches 'nope'"):
            api.export(store, target, format="jsonl", selection=api.Selection(thread="nope"))
        (thread,) = [r for r in store.records() if type(r).__name__ == "Thread"]
        assert store.has_thread(thread.key) and thread.link and store.has_thread(thread.link)
    code, lines = invoke("export", "--db", store_url, "-f", "jsonl", "-o", target,
                         "--thread", thread.link)
    assert code == 0 and target.exists()
