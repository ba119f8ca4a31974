"""Reading commands read: they refuse a store that is not there rather than
create an empty one, and open a SQLite store read-only, so a store on a
read-only mount can be read."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from sqlalchemy import create_engine, inspect

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.errors import NoStoreError

WXR = SAMPLES / "agency-blog.wxr.xml"


def invoke(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def _tables(url: str) -> set[str]:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not os.path.exists(path):
            return set()
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_reading_commands_refuse_a_store_that_is_not_there(store_url: str) -> None:
    for args in (["stats", "--db", store_url], ["stats", "--db", store_url, "--json"],
                 ["export", "--db", store_url, "-f", "jsonl", "-o", "-"],
                 ["db", "current", "--db", store_url],
                 ["verify", store_url, str(WXR)]):
        code, output = invoke(*args)
        assert code == 4, (args, output)
        lines = output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("wxrbridge: error: no store at "), lines
        assert lines[0].endswith("; import into it first, or run db upgrade")
    assert _tables(store_url) == set()


def test_a_bare_stats_refuses_the_default_store(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WXRBRIDGE_DB", raising=False)
    code, output = invoke("stats")
    assert code == 4 and "no store at sqlite:///wxrbridge.sqlite" in output
    assert list(tmp_path.iterdir()) == []


def test_a_dry_run_or_failed_import_leaves_no_new_store(store_url: str, tmp_path: Path) -> None:
    code, _ = invoke("import", WXR, "--db", store_url, "--dry-run")
    assert code == 0 and _tables(store_url) == set()
    bad = tmp_path / "bad.xml"
    bad.write_bytes(WXR.read_bytes()[:-2000])
    code, _ = invoke("import", bad, "--db", store_url)
    assert code == 3 and _tables(store_url) == set()
    with pytest.raises(NoStoreError):
        api.open_store(store_url, read_only=True)
    # An import creates it, and then the reading commands read it.
    assert invoke("import", WXR, "--db", store_url)[0] == 0
    code, output = invoke("stats", "--db", store_url, "--json")
    assert code == 0 and '"comments": 64' in output


def test_a_failed_import_into_an_existing_store_keeps_it(store_url: str, tmp_path: Path) -> None:
    assert invoke("db", "upgrade", "--db", store_url)[0] == 0
    code, _ = invoke("import", WXR, "--db", store_url, "--dry-run")
    assert code == 0 and "alembic_version" in _tables(store_url)
    code, output = invoke("stats", "--db", store_url, "--json")
    assert code == 0 and '"comments": 0' in output


@pytest.fixture
def read_only_store(tmp_path: Path) -> Iterator[Path]:
    """A SQLite store on a read-only bind mount (as root, permission bits
    would not stop a write: the mount does)."""
    source, mounted = tmp_path / "rw", tmp_path / "ro"
    source.mkdir()
    mounted.mkdir()
    with api.open_store(f"sqlite:///{source / 'site.sqlite'}") as store:
        api.import_files(store, [WXR])
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(mounted)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount read-only here: {done.stderr.decode().strip()}")
    try:
        yield mounted / "site.sqlite"
    finally:
        subprocess.run(["umount", str(mounted)], check=True)


def test_a_store_on_a_read_only_mount_can_be_read(read_only_store: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{read_only_store}"
    before = hashlib.sha256(read_only_store.read_bytes()).hexdigest()
    code, output = invoke("stats", "--db", url, "--json")
    assert code == 0 and '"comments": 64' in output, output
    code, output = invoke("db", "current", "--db", url)
    assert code == 0 and "(current)" in output, output
    for read_ahead in (False, True):
        target = tmp_path / f"out-{read_ahead}.jsonl"
        with api.open_store(url, read_only=True) as store:
            api.export(store, target, format="jsonl", read_ahead=read_ahead)
        assert target.read_bytes().count(b'"record": "comment"') == 64
    code, output = invoke("export", "--db", url, "-f", "wxr", "-o", tmp_path / "out.xml")
    assert code == 0, output
    assert hashlib.sha256(read_only_store.read_bytes()).hexdigest() == before
    # Writing is still refused, as one line.
    code, output = invoke("import", WXR, "--db", url)
    assert code == 4 and len(output.strip().splitlines()) == 1, output


def test_a_read_only_opening_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "site.sqlite"
    with api.open_store(f"sqlite:///{path}") as store:
        api.import_files(store, [WXR])
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with api.open_store(f"sqlite:///{path}", read_only=True) as store:
        assert "mode=ro" in str(store.engine.url)
        assert store.stats()["comments"] == 64
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
