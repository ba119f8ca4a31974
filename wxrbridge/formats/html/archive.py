"""The archive folder: files written whole, each one hashed, and a manifest.

An archive is meant to be kept for years and copied between hosts, so it
carries its own proof of integrity: ``manifest.json`` lists every file with
its size and SHA-256, and ``SHA256SUMS`` says the same in the form
``sha256sum -c`` reads.  Both are written as the files are, line by line,
so a store with a million threads needs no more memory than one with ten.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Any

from ...errors import OutputError
from .sanitize import well_formed

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
MANIFEST_FORMAT = "wxrbridge-html-archive"
MANIFEST_VERSION = 1


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


def prepare(folder: Path, pages: str) -> None:
    """Make ``folder`` ready for a new archive.

    The files of an earlier archive (those its manifest lists) are removed,
    so re-exporting into the same folder leaves no stale page behind.
    Anything else is kept (a ``.git`` or ``CNAME`` for a static host, say),
    but a file of ours that no manifest accounts for means an earlier export
    was interrupted or the folder belongs to something else, and overwriting
    it would be a guess.
    """
    if (folder / MANIFEST).exists():
        for path in _listed_paths(folder):
            if path.is_file():
                path.unlink()
        for name in (MANIFEST, CHECKSUMS):
            (folder / name).unlink(missing_ok=True)
        pages_folder = folder / pages
        if pages_folder.is_dir() and not any(pages_folder.iterdir()):
            pages_folder.rmdir()
    clashes = [name for name in ("index.html", MANIFEST, CHECKSUMS) if (folder / name).exists()]
    pages_folder = folder / pages
    if pages_folder.exists() and (not pages_folder.is_dir() or any(pages_folder.iterdir())):
        clashes.append(f"{pages}/")
    if clashes:
        raise OutputError(
            f"{folder} already holds {', '.join(clashes)} that no archive manifest lists; "
            "export into an empty folder, or remove them"
        )
    pages_folder.mkdir(parents=True, exist_ok=True)


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
        """Remove what an export that failed had written, so the folder is
        as it was and the next export need not be told to clean up."""
        self._sums.close()
        self._manifest.close()
        sums = self._sums_part if self._sums_part.exists() else self.folder / CHECKSUMS
        if sums.exists():
            for line in sums.read_text(encoding="utf-8").splitlines():
                relative = line.split("  ", 1)[1]
                self.folder.joinpath(*relative.split("/")).unlink(missing_ok=True)
            sums.unlink()
        self._manifest_part.unlink(missing_ok=True)


class HashedFile:
    """A file written whole: to a ``.part`` beside it, hashed on the way,
    renamed into place and entered in the manifest when closed cleanly."""

    def __init__(self, manifest: Manifest, relative: str) -> None:
        self.manifest = manifest
        self.relative = relative
        self.path = manifest.folder.joinpath(*relative.split("/"))
        self._part = self.path.with_name(f".{self.path.name}.part")
        self._hash = hashlib.sha256()
        self._size = 0
        self._handle: IO[bytes] = self._part.open("wb")

    def write_text(self, chunks: Iterable[str]) -> None:
        for chunk in chunks:
            self.write_bytes(well_formed(chunk).encode("utf-8"))

    def write_bytes(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)
        self._handle.write(data)

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
            self._part.unlink(missing_ok=True)
            return
        os.replace(self._part, self.path)
        self.manifest.add(self.relative, self._size, self._hash.hexdigest())
