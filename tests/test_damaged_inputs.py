"""Inputs that arrive damaged or doubled: zips with repeated member names,
compressed files cut short, missing their trailer or followed by garbage."""

from __future__ import annotations

import bz2
import gzip
import lzma
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.errors import InputError
from wxrbridge.inputs import open_inputs
from wxrbridge.records import Comment, ImportIssue

WXR = SAMPLES / "agency-blog.wxr.xml"
LEGACY = SAMPLES / "legacy-1.0.wxr.xml"


def _comments(path: Path, *, recover: bool = False) -> list[Comment]:
    return [r for r in api.read(path, recover=recover) if isinstance(r, Comment)]


def test_a_zip_with_two_members_of_one_name_reads_both(tmp_path: Path) -> None:
    packed = tmp_path / "export.zip"
    with zipfile.ZipFile(packed, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        archive.writestr("site.xml", WXR.read_bytes())
        archive.writestr("site.xml", LEGACY.read_bytes())
    expected = len(_comments(WXR)) + len(_comments(LEGACY))
    assert len(_comments(packed)) == expected
    names = [item.name for item in open_inputs(str(packed))]
    assert names == [f"{packed}!site.xml"] * 2


def _gzipped(tmp_path: Path, cut: str, source: Path = WXR) -> tuple[Path, int]:
    data = gzip.compress(source.read_bytes(), mtime=0)
    # The checksum's last byte is wrong: everything was decompressed first.
    checksum = data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:]
    damaged = {
        "truncated": data[: len(data) // 2],
        "no-trailer": data[:-8],
        "garbage": data + b"<html>an error page</html>",
        "checksum": checksum,
    }[cut]
    path = tmp_path / f"{cut}.wxr.xml.gz"
    path.write_bytes(damaged)
    offset = {"garbage": len(data), "checksum": len(data) - 5}.get(cut, len(damaged))
    return path, offset


CUTS = ["truncated", "no-trailer", "garbage", "checksum"]


@pytest.mark.parametrize("cut", CUTS)
def test_a_small_damaged_gzip_is_one_line_with_the_offset(tmp_path: Path, cut: str) -> None:
    # Under 4 KiB decompressed: the damage is met while the format is detected.
    small = Path(__file__).parent / "data" / "wxr" / "no-version.xml"
    path, offset = _gzipped(tmp_path, cut, small)
    result = CliRunner().invoke(cli, ["stats", str(path)])
    assert result.exit_code == 3, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"wxrbridge: error: {path}: gzip data damaged at byte {offset}")


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize("read_ahead", [False, True])
def test_a_damaged_gzip_is_one_line_with_the_offset(
    tmp_path: Path, cut: str, read_ahead: bool, sqlite_url: str
) -> None:
    path, offset = _gzipped(tmp_path, cut)
    with api.open_store(sqlite_url) as store, pytest.raises(InputError) as caught:
        api.import_files(store, [path], read_ahead=read_ahead)
    assert caught.value.file == str(path)
    assert f"gzip data damaged at byte {offset}" in caught.value.reason
    with api.open_store(sqlite_url) as store:
        assert store.stats()["comments"] == 0
    result = CliRunner().invoke(cli, ["import", str(path), "--db", sqlite_url])
    assert result.exit_code == 3, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"wxrbridge: error: {path}: gzip data damaged")


@pytest.mark.parametrize("cut", CUTS)
def test_recover_keeps_every_comment_before_the_damage(tmp_path: Path, cut: str) -> None:
    path, offset = _gzipped(tmp_path, cut)
    records = list(api.read(path, recover=True))
    kept = [r for r in records if isinstance(r, Comment)]
    whole = _comments(WXR)
    # Every comment the damage left whole, in order: all of them when only
    # the trailer or what follows the data is damaged.
    if cut == "truncated":
        assert 0 < len(kept) < len(whole)
    else:
        assert len(kept) == len(whole)
    assert [c.key for c in kept] == [c.key for c in whole[: len(kept)]]
    issues = [r for r in records if isinstance(r, ImportIssue) and r.code == "damaged-compression"]
    assert len(issues) == 1 and f"at byte {offset}" in issues[0].reason


def test_recover_reads_the_same_through_the_reading_process(
    tmp_path: Path, sqlite_url: str
) -> None:
    path, _ = _gzipped(tmp_path, "truncated")
    counts = []
    for read_ahead in (False, True):
        url = f"sqlite:///{tmp_path / f'{read_ahead}.sqlite'}"
        with api.open_store(url) as store:
            (report,) = api.import_files(store, [path], recover=True, read_ahead=read_ahead)
            counts.append((report.counts["comment"], sorted(i.code for i in report.issues)))
    assert counts[0] == counts[1] and "damaged-compression" in counts[0][1]


def test_zero_padding_after_gzip_data_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "padded.xml.gz"
    path.write_bytes(gzip.compress(WXR.read_bytes()) + b"\0" * 512)
    assert len(_comments(path)) == len(_comments(WXR))


@pytest.mark.parametrize("kind", ["bzip2", "xz"])
def test_other_compressions_cut_short_are_input_errors(tmp_path: Path, kind: str) -> None:
    data = (bz2.compress if kind == "bzip2" else lzma.compress)(WXR.read_bytes())
    path = tmp_path / "cut.xml.bz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as caught:
        _comments(path)
    assert caught.value.file == str(path) and f"{kind} data damaged" in caught.value.reason


def _zip_damaged(tmp_path: Path, how: str) -> Path:
    packed = tmp_path / f"{how}.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("a.xml", LEGACY.read_bytes())
        archive.writestr("b.xml", WXR.read_bytes())
    data = bytearray(packed.read_bytes())
    second = data.index(b"PK\x03\x04", 4)
    # The first two were found by the fuzz campaign (tracebacks).
    if how == "bad-header":  # BadZipFile
        data[second + 3] = 0x05
    elif how == "bytes-cut":  # the members before b.xml's header start: a negative seek
        del data[100:300]
    else:  # a stored member's byte changed: its CRC no longer matches
        data[second + 200] ^= 0x01
    packed.write_bytes(bytes(data))
    return packed


@pytest.mark.parametrize("how", ["bad-header", "bytes-cut", "bad-crc"])
def test_a_damaged_zip_member_is_an_input_error_naming_it(tmp_path: Path, how: str) -> None:
    packed = _zip_damaged(tmp_path, how)
    with pytest.raises(InputError) as caught:
        _comments(packed)
    assert caught.value.file.startswith(f"{packed}!")
