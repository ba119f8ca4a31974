"""Opening inputs: plain, compressed, zipped or standard input.

Compression is recognised by its magic bytes, not the file name, because
exports get renamed.  A zip yields each XML member in name order (the way
WordPress.com splits a large export).  The raw byte count feeds progress
bars; the sha256 is of the uncompressed content, so the same export gzipped
or not is the same source.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Protocol, cast

from .errors import InputError

ProgressCallback = Callable[[int], None]


class Readable(Protocol):
    """What a stream here is read through: ``read``, nothing more."""

    def read(self, size: int = -1, /) -> bytes: ...

_GZIP = b"\x1f\x8b"
_BZ2 = b"BZh"
_XZ = b"\xfd7zXZ\x00"
_ZIP = b"PK\x03\x04"


class _PassThrough(io.RawIOBase):
    """A readable stream whose subclasses say what ``read`` does; buffered
    readers (``readinto``) go through it too."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class HashingReader(_PassThrough):
    """Passes reads through, hashing the bytes."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._hash.update(data)
        return data

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class CountingReader(_PassThrough):
    """Reports every raw (still compressed) byte read to a progress callback."""

    def __init__(self, inner: IO[bytes], progress: ProgressCallback | None) -> None:
        self._inner = inner
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        if self._progress and data:
            self._progress(len(data))
        return data


@dataclass
class InputFile:
    """One XML document to read, and where it came from."""

    name: str
    stream: HashingReader


def input_size(path: str) -> int | None:
    """Bytes a progress bar should expect, or ``None`` for a stream."""
    if path == "-":
        return None
    try:
        import os

        return os.path.getsize(path)
    except OSError:
        return None


@contextmanager
def _open_raw(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), file=path) from None
    with handle:
        yield handle


def decompressed(raw: IO[bytes], head: bytes) -> IO[bytes]:
    """``raw`` uncompressed, by the magic bytes it starts with (``head``)."""
    if head.startswith(_GZIP):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    # bz2, lzma and zipfile are imported for the files that need them, as
    # the writers are (see formats.imported_when_called).
    if head.startswith(_BZ2):
        import bz2

        return bz2.BZ2File(raw, mode="rb")
    if head.startswith(_XZ):
        import lzma

        return lzma.LZMAFile(raw, mode="rb")
    return raw


def open_inputs(
    path: str, progress: ProgressCallback | None = None
) -> Iterator[InputFile]:
    """Yield each XML document in ``path`` (``-`` for standard input)."""
    with _open_raw(path) as handle:
        raw = io.BufferedReader(CountingReader(handle, progress), 1 << 16)
        head = raw.peek(8)[:8]
        display = "<stdin>" if path == "-" else path
        if head.startswith(_ZIP):
            yield from _zip_members(raw, display)
            return
        stream = decompressed(raw, head)
        yield InputFile(display, HashingReader(stream))


def _zip_members(raw: IO[bytes], display: str) -> Iterator[InputFile]:
    import zipfile

    # zipfile needs to seek; standard input and pipes get spooled first.
    try:
        raw.seek(0, io.SEEK_CUR)
        seekable: IO[bytes] = raw
    except (OSError, io.UnsupportedOperation):
        seekable = io.BytesIO(raw.read())
    try:
        archive = zipfile.ZipFile(seekable)
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a readable zip: {exc}", file=display) from None
    with archive:
        members = sorted(
            info.filename for info in archive.infolist() if not info.is_dir()
        )
        for member in members:
            with archive.open(member) as inner:
                # typeshed says IO[bytes]; it is a ZipExtFile, a raw-readable stream.
                data = io.BufferedReader(inner, 1 << 16)  # type: ignore[type-var]
                head = data.peek(8)[:8]
                yield InputFile(
                    f"{display}!{member}", HashingReader(decompressed(data, head))
                )


def peek_head(stream: HashingReader, size: int = 4096) -> tuple[bytes, IO[bytes]]:
    """Read the first bytes for detection and give back a stream that still
    starts at the beginning."""
    head = stream.read(size)
    # A RawIOBase reads as an IO[bytes] does; typeshed keeps the two apart.
    return head, cast("IO[bytes]", Prepended(head, stream))


class Prepended(_PassThrough):
    """A stream that gives back bytes already read from it first."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)
