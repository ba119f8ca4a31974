"""Isso: the SQLite database of the Isso comment server.

Read from any schema version Isso has shipped and written at the current
one, into a new file or merged into an existing database (the threads
written replace theirs there; the others are left alone).  The mapping
both ways is in ``docs/formats.md``.
"""

from __future__ import annotations

from .. import Format, imported_when_called
from ..disqus import INCLUDE_PINGS
from .schema import detect

read_isso = imported_when_called(f"{__name__}.reader", "read_isso")
write_isso = imported_when_called(f"{__name__}.writer", "write_isso")

FORMAT = Format(
    name="isso",
    description="Isso's SQLite database (comments.db)",
    extensions=(".db", ".isso.db"),
    detect=detect,
    read_path=read_isso,
    write_path=write_isso,
    options=(INCLUDE_PINGS,),
)

__all__ = ["FORMAT", "detect", "read_isso", "write_isso"]
