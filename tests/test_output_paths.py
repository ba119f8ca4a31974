"""Where an export goes: a folder in the way, a folder missing, a file
where a folder should be, a full disk; and the permissions it is made with."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api, formats
from wxrbridge.cli import cli
from wxrbridge.errors import WriteError

WXR = SAMPLES / "agency-blog.wxr.xml"


def _export(url: str, fmt: str, target: str | Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["export", "--db", url, "-f", fmt, "-o", str(target)])
    return result.exit_code, result.output.strip().splitlines()


def _leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if ".part" in p.name)


def test_a_file_format_given_an_existing_folder(stored: str, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    for fmt in ("wxr", "jsonl", "disqus"):
        code, lines = _export(stored, fmt, folder)
        assert code == 4 and lines == [
            f"wxrbridge: error: {folder} is a folder; {fmt} output is a file: give -o FILE"]
    assert list(folder.iterdir()) == []


def test_a_file_in_a_missing_folder(stored: str, tmp_path: Path) -> None:
    code, lines = _export(stored, "wxr", tmp_path / "missing" / "out.xml")
    assert code == 4 and len(lines) == 1 and "there is no folder" in lines[0]
    assert not (tmp_path / "missing").exists()
    convert = CliRunner().invoke(cli, ["convert", str(WXR), str(tmp_path / "no" / "a.jsonl")])
    assert convert.exit_code == 4 and "there is no folder" in convert.output


def test_a_folder_format_given_an_existing_file(stored: str, tmp_path: Path) -> None:
    target = tmp_path / "archive"
    target.write_text("mine")
    code, lines = _export(stored, "html", target)
    assert code == 4 and lines == [
        f"wxrbridge: error: {target} is not a folder; html output is a folder: give -o DIR"]
    assert target.read_text() == "mine"


class _FullDisk:
    """A file on a disk that is full once it holds 1 kB, all files together
    (a folder format writes many small ones)."""

    used = 0

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner

    def write(self, data: bytes) -> int:
        _FullDisk.used += len(data)
        if _FullDisk.used > 1024:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()


# A format written as a database by its path (Isso) meets a full disk inside
# SQLite, which no file handle here can stand in for: tests/test_isso.py
# fills its database instead.  A format written into a database server's
# location (wp-db) writes no file at all.
@pytest.mark.parametrize("fmt", [
    f.name for f in formats.formats()
    if f.write is not None and f.write_path is None and f.write_location is None
])
def test_a_full_disk_during_any_export(
    stored: str, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fdopen, real_open = os.fdopen, Path.open
    monkeypatch.setattr(_FullDisk, "used", 0)

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return _FullDisk(real_fdopen(fd, *args, **kwargs))

    def path_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, mode, *args, **kwargs)
        return _FullDisk(handle) if "w" in mode else handle

    monkeypatch.setattr("wxrbridge.outputs.os.fdopen", fdopen)
    monkeypatch.setattr(Path, "open", path_open)
    out = tmp_path / "out"
    target = out / ("site" if formats.get(fmt).directory else f"site.{fmt}")
    out.mkdir()
    code, lines = _export(stored, fmt, target)
    assert code == 4, lines
    assert lines == [f"wxrbridge: error: cannot write {lines[0].split('cannot write ')[1]}"]
    assert "no space left on the device; nothing was left behind" in lines[0]
    assert _leftovers(out) == []
    assert not target.exists() or target.is_dir()


def test_a_full_standard_output(stored: str) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with pytest.raises(WriteError, match="cannot write /dev/full: no space left"):
        with api.open_store(stored) as store:
            api.export(store, "/dev/full", format="jsonl")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # written to, not replaced


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_an_export_follows_the_umask(stored: str, tmp_path: Path, umask: None,
                                     mask: int, mode: int) -> None:
    os.umask(mask)
    for fmt in ("wxr", "jsonl"):
        target = tmp_path / f"site.{fmt}"
        code, lines = _export(stored, fmt, target)
        assert code == 0, lines
        assert stat.S_IMODE(target.stat().st_mode) == mode
