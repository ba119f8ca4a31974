"""Writing output files so that none is ever left half written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO


@contextmanager
def complete_file(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary handle whose file appears at ``path`` only when the block
    ends without an error: it is written beside it and renamed into place."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    handle = tempfile.NamedTemporaryFile(
        "wb", dir=folder, prefix=".wxrbridge-", suffix=".part", delete=False
    )
    try:
        with handle:
            # The file itself: the wrapper looks up every write() it passes on.
            yield handle.file
        os.replace(handle.name, target)
    except BaseException:
        os.unlink(handle.name)
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
