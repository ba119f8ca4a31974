"""Writing output files so that none is ever left half written."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

# The buffer of a file being written: a writer hands it an element or a line
# at a time, which the default 8 KiB would send to the disk every few lines.
WRITE_BUFFER = 1 << 20


def _new_part(folder: str) -> tuple[str, IO[bytes]]:
    """A new ``.part`` file in ``folder``, created with the permissions any
    new file gets (0666 less the umask), not a temporary file's 0600."""
    while True:
        name = os.path.join(folder, f".wxrbridge-{secrets.token_hex(6)}.part")
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        return name, os.fdopen(fd, "wb", buffering=WRITE_BUFFER)


@contextmanager
def complete_file(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary handle whose file appears at ``path`` only when the block
    ends without an error: it is written beside it and renamed into place."""
    target = os.fspath(path)
    name, handle = _new_part(os.path.dirname(os.path.abspath(target)))
    try:
        with handle:
            yield handle
        os.replace(name, target)
    except BaseException:
        os.unlink(name)
        raise


@contextmanager
def complete_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """The name of a new file beside ``path`` for a writer that opens it
    itself (SQLite), renamed to ``path`` when the block ends without an
    error; the writer closes it before then."""
    target = os.fspath(path)
    name, handle = _new_part(os.path.dirname(os.path.abspath(target)))
    handle.close()
    try:
        yield name
        os.replace(name, target)
    except BaseException:
        os.unlink(name)
        raise


# What a writer spooling part of its output keeps in memory before the spool
# moves to a temporary file on disk.
SPOOL_IN_MEMORY = 8 << 20
_COPY_CHUNK = 1 << 20


def copy_range(source: IO[bytes], out: IO[bytes], start: int, end: int) -> None:
    """Copy ``source``'s bytes from ``start`` to ``end`` into ``out``, a
    mebibyte at a time."""
    source.seek(start)
    remaining = end - start
    while remaining > 0:
        chunk = source.read(min(remaining, _COPY_CHUNK))
        if not chunk:
            break
        out.write(chunk)
        remaining -= len(chunk)
