"""Imports are all or nothing, even when the process is killed, and
concurrent imports of one file into one store do not duplicate anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, generate_corpus

from wxrbridge.store import open_store


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A WXR file big enough that an import is still running after a moment."""
    wxr, _ = generate_corpus(40_000, tmp_path_factory.mktemp("corpus"), seed=11)
    return wxr


def _bytes_read(pid: int) -> int:
    """Bytes the process has read so far, from /proc."""
    try:
        with open(f"/proc/{pid}/io", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _import(path: Path, url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "wxrbridge", "import", str(path), "--db", url, "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _kill_midway(corpus: Path, store_url: str) -> None:
    process = _import(corpus, store_url)
    # Kill it once it has read a quarter of the file: well into the load,
    # however fast the machine.
    wanted = corpus.stat().st_size // 4
    deadline = time.monotonic() + 120
    while _bytes_read(process.pid) < wanted and time.monotonic() < deadline:
        assert process.poll() is None, "the import ended before it could be killed"
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_killed_import_leaves_the_store_as_it_was(store_url: str, corpus: Path) -> None:
    sample = REPO / "samples" / "agency-blog.wxr.xml"
    with open_store(store_url) as store:
        from wxrbridge import api

        api.import_files(store, [sample])
        before = store.stats()
    _kill_midway(corpus, store_url)
    with open_store(store_url) as store:
        assert store.stats() == before


def test_killed_first_import_leaves_an_empty_store(store_url: str, corpus: Path) -> None:
    # A first import into an empty SQLite store goes through a rollback
    # journal instead of WAL (see store/__init__.py); killed, it must roll
    # back all the same, and the store must work as before.
    open_store(store_url).close()
    _kill_midway(corpus, store_url)
    sample = REPO / "samples" / "agency-blog.wxr.xml"
    with open_store(store_url) as store:
        assert store.stats()["comments"] == 0
        from wxrbridge import api

        api.import_files(store, [sample])
        assert store.stats()["comments"] == 64
        if store_url.startswith("sqlite"):
            with store.engine.connect() as connection:
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            assert mode == "wal"


def test_concurrent_imports_of_one_file_do_not_duplicate(store_url: str) -> None:
    if store_url.startswith("sqlite"):
        pytest.skip("SQLite allows one writer; the second import would wait or fail busy")
    sample = REPO / "samples" / "agency-blog.wxr.xml"
    open_store(store_url).close()  # create the schema before the race
    processes = [_import(sample, store_url) for _ in range(2)]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    with open_store(store_url) as store:
        stats = store.stats()
    assert stats["comments"] == 64 and stats["threads"] == 1
