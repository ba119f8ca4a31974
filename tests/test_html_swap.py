"""Re-exporting an HTML archive: the new one is written aside and swapped in
when complete, so an export that fails leaves the earlier archive whole."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_html_export import _comment, blog
from test_output_paths import _FullDisk

from wxrbridge.cli import cli
from wxrbridge.errors import OutputError
from wxrbridge.formats.html import archive, write_html
from wxrbridge.records import Record, Thread


def _two_threads() -> list[Record]:
    return [*blog(), Thread(origin="wxr", key="200", title="Second", slug="second"),
            _comment("20", thread="200")]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


def _verifies(folder: Path) -> bool:
    if shutil.which("sha256sum") is None:
        pytest.skip("no sha256sum")
    done = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=folder,
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def _staged(folder: Path) -> list[str]:
    """Anything a swap leaves behind, beside the archive or in it."""
    return sorted(p.name for where in (folder, folder.parent) for p in where.iterdir()
                  if p.name.startswith(".") or "wxrbridge-" in p.name)


@pytest.fixture
def old(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An archive of two threads beside a file of the user's."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "CNAME").write_text("comments.example.com\n")
    write_html(_two_threads(), folder)
    assert (folder / "threads" / "second.html").is_file() and _verifies(folder)
    return folder, _snapshot(folder)


def _renamed() -> list[Record]:
    """The same blog with its first thread renamed and the second gone."""
    records = blog()
    records[3] = Thread(origin="wxr", key="100", title="Renamed", slug="renamed")
    return records


def _assert_unchanged(folder: Path, before: dict[str, bytes]) -> None:
    assert _snapshot(folder) == before
    assert _verifies(folder)
    assert _staged(folder) == []


def test_a_stream_that_fails_midway_leaves_the_old_archive(
    old: tuple[Path, dict[str, bytes]],
) -> None:
    folder, before = old

    def failing() -> Iterator[Record]:
        yield from _renamed()
        yield Thread(origin="wxr", key="300", title="Third", slug="third")
        yield _comment("30", thread="300")
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError, match="went away"):
        write_html(failing(), folder)
    _assert_unchanged(folder, before)


@pytest.mark.parametrize("room", [0, 700, 2_000, 6_000])
def test_a_full_disk_leaves_the_old_archive(
    old: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch, room: int,
) -> None:
    folder, before = old
    real_open = Path.open

    def path_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, mode, *args, **kwargs)
        return _FullDisk(handle) if "w" in mode else handle

    # _FullDisk fails once 1 kB is written: give the disk ``room`` bytes.
    monkeypatch.setattr(_FullDisk, "used", 1024 - room)
    monkeypatch.setattr(Path, "open", path_open)
    with pytest.raises(OSError) as raised:
        write_html(_renamed(), folder)
    assert raised.value.errno == errno.ENOSPC
    assert raised.value.filename == str(folder)
    monkeypatch.undo()
    _assert_unchanged(folder, before)


def test_a_full_disk_through_the_cli(
    stored: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "site"
    assert CliRunner().invoke(cli, ["export", "--db", stored, "-f", "html", "-o",
                                    str(folder)]).exit_code == 0
    before = _snapshot(folder)
    real_open = Path.open
    monkeypatch.setattr(_FullDisk, "used", 0)
    monkeypatch.setattr(Path, "open", lambda self, mode="r", *a, **k: (
        _FullDisk(real_open(self, mode, *a, **k)) if "w" in mode
        else real_open(self, mode, *a, **k)))
    result = CliRunner().invoke(cli, ["export", "--db", stored, "-f", "html", "-o",
                                      str(folder)])
    monkeypatch.undo()
    assert result.exit_code == 4, result.output
    assert result.output.strip() == (
        f"wxrbridge: error: cannot write {folder}: no space left on the device; "
        "nothing was left behind")
    assert _snapshot(folder) == before and _verifies(folder)
    assert _staged(folder) == []


@pytest.mark.parametrize("failing", range(1, 9))
def test_a_rename_that_fails_puts_the_old_archive_back(
    old: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch, failing: int,
) -> None:
    """Whichever rename of the swap fails, moving the old archive aside or
    the new one in, the folder is left as it was."""
    folder, before = old
    real_rename = os.rename
    calls = [0]

    def rename(source: Any, target: Any) -> None:
        calls[0] += 1
        if calls[0] == failing:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(source))
        real_rename(source, target)

    # Pages and manifest are moved into place with os.replace, the swap
    # with os.rename: only the swap's renames fail here.
    monkeypatch.setattr(archive.os, "rename", rename)
    with pytest.raises(OSError, match="Input/output error"):
        write_html(_renamed(), folder)
    monkeypatch.undo()
    assert calls[0] == 2 * failing - 1  # the renames before it, then each undone
    _assert_unchanged(folder, before)


def test_a_successful_reexport_replaces_the_archive_whole(
    old: tuple[Path, dict[str, bytes]],
) -> None:
    folder, _before = old
    mode = stat.S_IMODE(folder.stat().st_mode)
    write_html(_renamed(), folder)
    assert sorted(p.name for p in (folder / "threads").iterdir()) == [
        "renamed.atom", "renamed.html"]
    assert "Second" not in (folder / "index.html").read_text(encoding="utf-8")
    assert (folder / "CNAME").read_text() == "comments.example.com\n"
    assert _verifies(folder) and _staged(folder) == []
    assert stat.S_IMODE(folder.stat().st_mode) == mode


def test_the_result_follows_the_umask(tmp_path: Path) -> None:
    old_mask = os.umask(0o027)
    try:
        write_html(blog(), tmp_path)
        write_html(_two_threads(), tmp_path)
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE((tmp_path / "threads").stat().st_mode) == 0o750
    for path in tmp_path.rglob("*.html"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_what_a_killed_export_left_is_cleared(tmp_path: Path) -> None:
    stale = tmp_path / ".wxrbridge-0123456789ab.part" / "threads"
    stale.mkdir(parents=True)
    (stale / "half.html").write_text("<p>half")
    write_html(blog(), tmp_path)
    assert not stale.parent.exists() and _verifies(tmp_path)


def test_a_folder_of_ours_holding_a_file_of_the_users_is_refused(
    old: tuple[Path, dict[str, bytes]],
) -> None:
    folder, _before = old
    (folder / "threads" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"threads/ that no archive manifest lists"):
        write_html(_renamed(), folder)
    assert (folder / "threads" / "notes.txt").read_text() == "mine"
    assert (folder / "threads" / "second.html").is_file()
