"""Opening inputs: plain, compressed, zipped or standard input.

Compression is recognised by its magic bytes, not the file name, because
exports get renamed.  A zip yields each XML member in name order (the way
WordPress.com splits a large export).  The raw byte count feeds progress
bars; the sha256 is of the uncompressed content, so the same export gzipped
or not is the same source.
"""

from __future__ import annotations

import glob
import hashlib
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

from .errors import InputError

if TYPE_CHECKING:
    import zipfile

ProgressCallback = Callable[[int], None]


class Readable(Protocol):
    """What a stream here is read through: ``read``, nothing more."""

    def read(self, size: int = -1, /) -> bytes: ...

_GZIP = b"\x1f\x8b"
_BZ2 = b"BZh"
_XZ = b"\xfd7zXZ\x00"
_ZIP = b"PK\x03\x04"
# A WACZ holds its package description at the top and its WARC files in archive/.
_WACZ_PACKAGE = "datapackage.json"
_WACZ_ARCHIVE = "archive/"
_WARC_ENDINGS = (".warc", ".warc.gz")


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

    @property
    def damage(self) -> str | None:
        """What ended the document early in recover mode (damaged
        compressed data), or ``None``."""
        inner = getattr(self.stream, "_inner", None)
        return inner.damage if isinstance(inner, Damaged) else None


def files_at(location: str, suffixes: tuple[str, ...]) -> list[Path]:
    """The files a location names, for a format read from a folder of
    pages: a folder's files ending in one of ``suffixes`` (lower case), the
    file itself, or the files a glob matches; unsorted, empty when none."""
    path = Path(location)
    if path.is_dir():
        return [p for p in path.iterdir() if p.suffix.lower() in suffixes and p.is_file()]
    if path.is_file():
        return [path]
    return [Path(p) for p in glob.glob(location) if Path(p).is_file()]


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


class Damaged(_PassThrough):
    """A decompressing stream that turns a damaged file (cut short, its
    trailer missing, garbage after the end, a bad checksum) into one
    :class:`InputError` naming the file and the offset.

    With ``recover`` it ends at the damage instead, keeping everything
    decompressed before it, and says what happened in :attr:`damage`.
    """

    def __init__(self, inner: IO[bytes], kind: str, name: str, *, recover: bool,
                 errors: tuple[type[BaseException], ...] = ()) -> None:
        self._inner = inner
        self._errors: tuple[type[BaseException], ...] = (EOFError, OSError, *errors)
        self._kind = kind
        self._name = name
        self._recover = recover
        self._delivered = 0
        self.damage: str | None = None

    def read(self, size: int = -1) -> bytes:
        if self.damage is not None:
            return b""
        if size < 0:
            # Read whole a piece at a time (RawIOBase.readall calls read
            # until it gives nothing): the damage ends a read, and a single
            # read would lose everything before it.
            return self.readall()
        try:
            data = self._inner.read(size)
        except self._errors as exc:
            self._failed(exc)
            return b""
        self._delivered += len(data)
        return data

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, CompressedDataError):
            where = f"at byte {exc.offset}"
        else:
            where = f"after {self._delivered} uncompressed bytes"
        text = str(exc) or "the file ends before the end-of-stream marker (truncated)"
        message = f"{self._kind} data damaged {where}: {text[0].lower()}{text[1:]}"
        if not self._recover:
            raise InputError(message, file=self._name, recoverable=True) from None
        self.damage = f"{message}; what came before it was read"


class CompressedDataError(OSError):
    """Damaged compressed data at a known offset of the compressed file."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset


class GzipStream(_PassThrough):
    """gzip decompression that knows the compressed offset of any damage.

    ``gzip.GzipFile`` reports a file cut short as a bare ``EOFError`` and
    trailing garbage as ``BadGzipFile``, neither saying where; this reads
    member after member with zlib, as gzip does (zero padding after the
    last member is allowed), and raises :class:`CompressedDataError` with the
    byte offset for :class:`Damaged` to report.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        import zlib

        self._zlib = zlib
        self._raw = raw
        self._decoder = zlib.decompressobj(wbits=31)
        self._consumed = 0  # compressed bytes taken by finished members
        self._fed = 0  # compressed bytes given to the current member
        self._pending = b""
        self._ended = False
        self._garbage: CompressedDataError | None = None  # raised once what came before is read

    def read(self, size: int = -1) -> bytes:
        out: list[bytes] = []
        wanted = size if size >= 0 else 1 << 62
        got = 0
        while got < wanted and not self._ended:
            chunk = self._next_chunk(min(wanted - got, 1 << 16))
            out.append(chunk)
            got += len(chunk)
            if chunk and size >= 0:
                break
        return b"".join(out)

    def _next_chunk(self, limit: int) -> bytes:
        if self._garbage is not None:
            raise self._garbage
        decoder = self._decoder
        if decoder.unconsumed_tail:
            data = decoder.unconsumed_tail
        else:
            data = self._pending or self._raw.read(1 << 16)
            self._pending = b""
            if not data:
                if self._fed:
                    raise CompressedDataError(
                        self._consumed + self._fed,
                        "the file ends inside a gzip member (truncated, or its trailer "
                        "is missing)",
                    )
                self._ended = True
                return b""
            self._fed += len(data)
        before = decoder.copy()
        try:
            chunk = decoder.decompress(data, limit)
        except self._zlib.error as exc:
            # zlib gives nothing of a call that fails, though all but the
            # bad byte decompressed (a wrong checksum fails at the very end):
            # that is replayed a byte at a time, and the error comes after it.
            chunk, bad = _until_error(before, data, self._zlib.error)
            self._garbage = CompressedDataError(
                self._consumed + self._fed - len(data) + bad, str(exc)
            )
            return chunk
        if decoder.eof:
            self._member_ended()
        return chunk

    def _member_ended(self) -> None:
        rest = self._decoder.unused_data
        self._consumed += self._fed - len(rest)
        self._fed = 0
        self._decoder = self._zlib.decompressobj(wbits=31)
        while len(rest) < 2:
            more = self._raw.read(1 << 16)
            if not more:
                break
            rest += more
        if rest.startswith(_GZIP):
            self._pending = rest
        elif rest.strip(b"\0") or not self._rest_is_zeros():
            self._garbage = CompressedDataError(
                self._consumed, "garbage after the end of the gzip data"
            )
        else:
            self._ended = True

    def _rest_is_zeros(self) -> bool:
        """Whether the file ends in zero padding only (gzip allows it)."""
        while more := self._raw.read(1 << 16):
            if more.strip(b"\0"):
                return False
        return True


def _until_error(
    decoder: Any, data: bytes, error: type[Exception]
) -> tuple[bytes, int]:
    """What ``decoder`` makes of ``data`` before the byte it fails on, and
    that byte's index."""
    out: list[bytes] = []
    for index in range(len(data)):
        try:
            out.append(decoder.decompress(data[index:index + 1]))
        except error:
            return b"".join(out), index
    return b"".join(out), len(data)


def decompressed(
    raw: IO[bytes], head: bytes, *, name: str = "<input>", recover: bool = False
) -> IO[bytes]:
    """``raw`` uncompressed, by the magic bytes it starts with (``head``);
    damage in compressed data is an :class:`InputError` naming ``name``
    (or, with ``recover``, the end of the stream)."""
    errors: tuple[type[BaseException], ...] = ()
    if head.startswith(_GZIP):
        stream: IO[bytes] = cast("IO[bytes]", GzipStream(raw))
        kind = "gzip"
    # bz2, lzma and zipfile are imported for the files that need them, as
    # the writers are (see formats.imported_when_called).
    elif head.startswith(_BZ2):
        import bz2

        stream, kind = cast("IO[bytes]", bz2.BZ2File(raw, mode="rb")), "bzip2"
    elif head.startswith(_XZ):
        import lzma

        stream, kind = cast("IO[bytes]", lzma.LZMAFile(raw, mode="rb")), "xz"
        errors = (lzma.LZMAError,)
    else:
        return raw
    return cast("IO[bytes]", Damaged(stream, kind, name, recover=recover, errors=errors))


def open_inputs(
    path: str, progress: ProgressCallback | None = None, *, recover: bool = False
) -> Iterator[InputFile]:
    """Yield each XML document in ``path`` (``-`` for standard input).

    Damaged compressed data is an :class:`InputError`; with ``recover``
    the document ends there and its :attr:`InputFile.damage` says so."""
    with _open_raw(path) as handle:
        raw = io.BufferedReader(CountingReader(handle, progress), 1 << 16)
        head = raw.peek(8)[:8]
        display = "<stdin>" if path == "-" else path
        if head.startswith(_ZIP):
            yield from _zip_members(raw, display, recover=recover)
            return
        stream = decompressed(raw, head, name=display, recover=recover)
        yield InputFile(display, HashingReader(stream))


def _wacz_archive(members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The WARC files of a WACZ (a web archive zip: its package
    description at the top, its WARC files in archive/), in order; empty
    for any other zip.  Its indexes and page lists say where the archived
    pages are, and hold none."""
    if _WACZ_PACKAGE not in {info.filename for info in members}:
        return []
    return [info for info in members if info.filename.startswith(_WACZ_ARCHIVE)
            and info.filename.lower().endswith(_WARC_ENDINGS)]


class _Chained(_PassThrough):
    """Streams read one after another as one, each opened when the one
    before is read through."""

    def __init__(self, streams: Iterator[IO[bytes]]) -> None:
        self._streams = streams
        self._current: IO[bytes] | None = None

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            return self.readall()
        while True:
            if self._current is None:
                self._current = next(self._streams, None)
                if self._current is None:
                    return b""
            data = self._current.read(size)
            if data or size == 0:
                return data
            self._current.close()
            self._current = None


def _zip_members(raw: IO[bytes], display: str, *, recover: bool) -> Iterator[InputFile]:
    import zipfile
    import zlib

    # zipfile needs to seek; standard input and pipes get spooled first.
    try:
        raw.seek(0, io.SEEK_CUR)
        seekable: IO[bytes] = raw
    except (OSError, io.UnsupportedOperation):
        seekable = io.BytesIO(raw.read())
    # What zipfile raises for a damaged archive or member: a bad header or
    # checksum, broken deflate data, an offset before the start (a negative
    # seek), a method or an encryption it cannot read.
    damage = (zipfile.BadZipFile, zlib.error, ValueError, NotImplementedError, RuntimeError)
    try:
        archive = zipfile.ZipFile(seekable)
    except damage as exc:
        raise InputError(f"not a readable zip: {exc}", file=display) from None
    def member(info: zipfile.ZipInfo) -> IO[bytes]:
        name = f"{display}!{info.filename}"
        try:
            inner = archive.open(info)
        except damage as exc:
            raise InputError(f"zip member unreadable: {exc}", file=name) from None
        data = io.BufferedReader(Damaged(inner, "zip", name, recover=recover, errors=damage),
                                 1 << 16)
        return decompressed(data, data.peek(8)[:8], name=name, recover=recover)

    with archive:
        # By entry, not by name: two members of one name are both read
        # (``open(name)`` would give the last one twice).
        members = sorted(
            (info for info in archive.infolist() if not info.is_dir()),
            key=lambda info: info.filename,
        )
        warcs = _wacz_archive(members)
        if warcs:
            # A WACZ is one web archive: its WARC files, one after another
            # (WARC records simply follow each other).
            yield InputFile(f"{display}!{_WACZ_ARCHIVE}",
                            HashingReader(cast("IO[bytes]", _Chained(map(member, warcs)))))
            return
        for info in members:
            with member(info) as stream:
                yield InputFile(f"{display}!{info.filename}", HashingReader(stream))


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
