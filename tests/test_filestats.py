"""`stats FILE` counted as the file is read: the same counts a scratch
store holding the file gives, and the store only for files that need it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.errors import NeedsStoreError
from wxrbridge.filestats import count_records

DATA = Path(__file__).parent / "data"
COUNTED = [
    SAMPLES / "agency-blog.wxr.xml",
    SAMPLES / "wpcom-pretty.wxr.xml",
    SAMPLES / "legacy-1.0.wxr.xml",
    DATA / "wxr" / "threading.xml",
    DATA / "wxr" / "core-1.2.xml",
    DATA / "wxr" / "duplicate-post-id.xml",
    DATA / "wxr" / "importer-merges.xml",
    DATA / "wxr" / "extras.xml",
]
# Duplicate comment ids, Disqus's merge, Blogger's: only the store counts these.
STORED = [
    DATA / "wxr" / "odd-comment-ids.xml",
    SAMPLES / "agency-blog.disqus.xml.gz",
    DATA / "blogger" / "legacy.xml",
]


def stored_stats(path: Path, recover: bool = False) -> dict[str, Any]:
    with api.scratch_store([path], recover=recover) as (store, _reports):
        return store.stats()


@contextmanager
def no_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("counted through a store")

    with monkeypatch.context() as patch:
        patch.setattr(api, "scratch_store", refuse)
        yield


def same(counted: dict[str, Any], stored: dict[str, Any]) -> None:
    assert counted == stored
    # The table lists types and statuses in the order the store gives them.
    assert list(counted["by_type"]) == list(stored["by_type"])
    assert list(counted["by_status"]) == list(stored["by_status"])


@pytest.mark.parametrize("path", COUNTED, ids=lambda p: p.name)
def test_a_wordpress_export_is_counted_without_a_store(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = stored_stats(path)
    with no_store(monkeypatch):
        counted = api.file_stats(path)
    same(counted, stored)


def test_a_broken_file_is_counted_as_recovered(monkeypatch: pytest.MonkeyPatch) -> None:
    path = SAMPLES / "broken.wxr.xml"
    stored = stored_stats(path, recover=True)
    with no_store(monkeypatch):
        counted = api.file_stats(path, recover=True)
    same(counted, stored)


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_other_files_are_counted_by_the_store(path: Path) -> None:
    same(api.file_stats(path), stored_stats(path))


def test_a_cycle_of_replies_is_left_to_the_store(tmp_path: Path) -> None:
    text = (DATA / "wxr" / "threading.xml").read_text(encoding="utf-8")
    # Comment 21 answers 20; 20 answering 21 closes a cycle, which the store cuts.
    at = text.index("<wp:comment_parent>0</wp:comment_parent>",
                    text.index("<wp:comment_id>20</wp:comment_id>"))
    cycled = tmp_path / "cycle.xml"
    cycled.write_text(text[:at] + "<wp:comment_parent>21</wp:comment_parent>"
                      + text[at + len("<wp:comment_parent>0</wp:comment_parent>"):],
                      encoding="utf-8")
    with pytest.raises(NeedsStoreError):
        count_records(api.read(cycled))
    same(api.file_stats(cycled), stored_stats(cycled))


def test_stats_of_a_wordpress_file_loads_no_store() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from wxrbridge.cli import cli\n"
        f"result = CliRunner().invoke(cli, ['stats', {str(SAMPLES / 'agency-blog.wxr.xml')!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'wxrbridge.store'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
