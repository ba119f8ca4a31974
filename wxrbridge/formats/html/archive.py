"""The archive folder: files written whole, each one hashed, and a manifest.

An archive is meant to be kept for years and copied between hosts, so it
carries its own proof of integrity: ``manifest.json`` lists every file with
its size and SHA-256, and ``SHA256SUMS`` says the same in the form
``sha256sum -c`` reads.  Both are written as the files are, line by line,
so a store with a million threads needs no more memory than one with ten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Any

from ...errors import OutputError
from .sanitize import utf8

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
MANIFEST_FORMAT = "wxrbridge-html-archive"
MANIFEST_VERSION = 1
# The new archive is written in a folder named so, inside the old one.
_STAGED = ".wxrbridge-"
_PART = ".part"


def _listed_paths(folder: Path) -> list[Path]:
    """The files a previous archive's manifest lists, each checked to lie
    inside ``folder`` so a tampered manifest cannot name files elsewhere."""
    not_ours = OutputError(f"{folder}: {MANIFEST} is not a wxrbridge archive manifest")
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if data.get("format") != MANIFEST_FORMAT:
            raise not_ours
        names = [str(entry["path"]) for entry in data["files"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise not_ours from error
    root = folder.resolve()
    found = []
    for name in names:
        relative = PurePosixPath(name)
        path = folder.joinpath(*relative.parts)
        if relative.is_absolute() or ".." in relative.parts or root not in path.resolve().parents:
            raise OutputError(f"{folder}: {MANIFEST} lists {name!r}, outside the archive")
        found.append(path)
    return found


def earlier_archive(folder: Path, pages: str) -> list[str]:
    """The names at the top of ``folder`` that belong to an earlier archive
    (those its manifest lists, the manifest and ``SHA256SUMS``): what a new
    archive replaces.

    Anything else is kept (a ``.git`` or ``CNAME`` for a static host, say),
    but a file of ours that no manifest accounts for means an earlier export
    was interrupted or the folder belongs to something else, and replacing
    it would be a guess.  Nothing is changed here: the new archive is
    written aside and swapped in by :func:`swap_in` once it is complete.
    """
    ours: set[str] = set()
    if (folder / MANIFEST).exists():
        listed = _listed_paths(folder)
        ours = {path.relative_to(folder).parts[0] for path in listed if path.exists()}
        ours |= {name for name in (MANIFEST, CHECKSUMS) if (folder / name).exists()}
        accounted = set(listed)
        # A folder of ours is replaced whole, so it may hold nothing else.
        for name in sorted(ours):
            top = folder / name
            if top.is_dir() and not top.is_symlink() and any(
                not path.is_dir() and path not in accounted for path in top.rglob("*")
            ):
                raise _clash(folder, [f"{name}/"])
    clashes = [
        name for name in ("index.html", MANIFEST, CHECKSUMS)
        if name not in ours and (folder / name).exists()
    ]
    pages_folder = folder / pages
    if pages not in ours and pages_folder.exists() and (
        not pages_folder.is_dir() or any(pages_folder.iterdir())
    ):
        clashes.append(f"{pages}/")
    if clashes:
        raise _clash(folder, clashes)
    return sorted(ours, key=lambda name: name != MANIFEST)  # the manifest goes first


def _clash(folder: Path, names: list[str]) -> OutputError:
    return OutputError(
        f"{folder} already holds {', '.join(names)} that no archive manifest lists; "
        "export into an empty folder, or remove them"
    )


def staging_folder(folder: Path) -> Path:
    """A new, empty folder inside ``folder`` for the new archive: on the
    same filesystem, so its files move into place by renaming, and made as
    ``folder`` would make one (by the umask)."""
    for stale in folder.glob(f"{_STAGED}*{_PART}"):
        shutil.rmtree(stale, ignore_errors=True)  # left by an export that was killed
    while True:
        staging = folder / f"{_STAGED}{secrets.token_hex(6)}{_PART}"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def swap_in(folder: Path, staging: Path, old: list[str]) -> None:
    """Replace the earlier archive's ``old`` entries in ``folder`` with the
    complete new archive in ``staging``.

    Linux has no exchange of two folders in one step, so each entry is
    renamed: the old ones aside (the manifest first), then the new ones in
    (the manifest last), a few renames in all.  Should one fail, the moves
    are undone, so ``folder`` holds the earlier archive as it was; only
    once the new one is in place is the old one removed.
    """
    new = sorted(os.listdir(staging), key=lambda name: name == MANIFEST)
    in_the_way = [name for name in new if name not in old and (folder / name).exists()]
    if any(not (folder / name).is_dir() or any((folder / name).iterdir())
           for name in in_the_way):
        raise _clash(folder, in_the_way)
    aside = staging.with_name(staging.name.removesuffix(_PART) + ".old")
    aside.mkdir()
    moved_out: list[str] = []
    moved_in: list[str] = []
    emptied: list[str] = []
    try:
        for name in in_the_way:
            (folder / name).rmdir()
            emptied.append(name)
        for name in old:
            os.rename(folder / name, aside / name)
            moved_out.append(name)
        for name in new:
            os.rename(staging / name, folder / name)
            moved_in.append(name)
    except BaseException:
        _undo(folder, staging, aside, moved_in, moved_out, emptied)
        raise
    # The new archive is in place: what is left to remove is only clutter.
    shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _undo(folder: Path, staging: Path, aside: Path, moved_in: list[str],
          moved_out: list[str], emptied: list[str]) -> None:
    try:
        for name in reversed(moved_in):
            os.rename(folder / name, staging / name)
        for name in reversed(moved_out):
            os.rename(aside / name, folder / name)
        for name in emptied:
            (folder / name).mkdir()
        aside.rmdir()
    except OSError as error:
        raise OutputError(
            f"{folder}: the new archive could not be moved into place, nor the "
            f"earlier one back ({error}); the earlier archive is in {aside}"
        ) from error


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path``, read a mebibyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Manifest:
    """Records each finished file in ``manifest.json`` and ``SHA256SUMS``.

    Both are written to ``.part`` files and renamed when complete: an
    archive without a manifest is one whose export did not finish.
    """

    def __init__(self, folder: Path, header: dict[str, Any]) -> None:
        self.folder = folder
        self.count = 0
        self._manifest_part = folder / f".{MANIFEST}.part"
        self._sums_part = folder / f".{CHECKSUMS}.part"
        self._manifest = self._manifest_part.open("w", encoding="utf-8", newline="\n")
        self._sums = self._sums_part.open("wb")
        # SHA256SUMS is hashed as it is written: reading it back at the end
        # would hold a line per file in memory.
        self._sums_hash = hashlib.sha256()
        self._sums_size = 0
        head = json.dumps(header, ensure_ascii=False, indent=2)
        # The header is a JSON object; open it up to append the file list.
        self._manifest.write(head[:-2] + ',\n  "files": [')

    def add(self, relative: str, size: int, sha256: str) -> None:
        line = f"{sha256}  {relative}\n".encode()
        self._sums.write(line)
        self._sums_hash.update(line)
        self._sums_size += len(line)
        self._entry(relative, size, sha256)

    def _entry(self, relative: str, size: int, sha256: str) -> None:
        entry = json.dumps({"path": relative, "size": size, "sha256": sha256}, ensure_ascii=False)
        self._manifest.write(("\n    " if self.count == 0 else ",\n    ") + entry)
        self.count += 1

    def close(self) -> None:
        """Finish ``SHA256SUMS`` (listed in the manifest), then the manifest."""
        self._sums.close()
        os.replace(self._sums_part, self.folder / CHECKSUMS)
        # SHA256SUMS cannot list itself, but the manifest lists it.
        self._entry(CHECKSUMS, self._sums_size, self._sums_hash.hexdigest())
        self._manifest.write("\n  ]\n}\n")
        self._manifest.close()
        os.replace(self._manifest_part, self.folder / MANIFEST)

    def abandon(self) -> None:
        """Close the files of an export that failed; the staging folder
        they are in is removed whole."""
        for handle in (self._sums, self._manifest):
            with contextlib.suppress(OSError):  # a full disk fails the flush again
                handle.close()


class HashedFile:
    """A file of the archive, hashed on the way and entered in the manifest
    when closed cleanly (and removed if not).

    It is written in place: the archive is written in a staging folder
    that replaces the earlier one only once complete (see :func:`swap_in`),
    so a file of its own beside each file would only cost a rename."""

    def __init__(self, manifest: Manifest, relative: str) -> None:
        self.manifest = manifest
        self.relative = relative
        self.path = manifest.folder.joinpath(*relative.split("/"))
        self._hash = hashlib.sha256()
        self._size = 0
        # Unbuffered: each file is written in one or two large pieces, and
        # a buffer would only cost its own system calls on every file.
        self._handle: IO[bytes] = self.path.open("wb", buffering=0)

    def write_text(self, chunks: Iterable[str]) -> None:
        # A template's many small pieces, written as one.
        self.write_bytes(utf8("".join(chunks)))

    def write_bytes(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)
        view = memoryview(data)
        while view:  # an unbuffered write may take less than it is given
            view = view[self._handle.write(view):]

    def __enter__(self) -> HashedFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._handle.close()
        if kind is not None:
            self.path.unlink(missing_ok=True)
            return
        self.manifest.add(self.relative, self._size, self._hash.hexdigest())
