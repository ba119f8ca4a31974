"""A static HTML archive: a folder of pages anyone can read, from disk or
any web host, with no database, server, script or network.

``index.html`` lists the threads; ``threads/<slug>.html`` shows one
thread's comments as a nested tree, with pingbacks and trackbacks apart
under "Mentions".  Comment text is sanitised so nothing in it can run or
fetch anything, and ``manifest.json`` lists every file with its SHA-256 so
the archive can be checked years later.  See ``docs/archive.md``.
"""

from __future__ import annotations

from .. import Format, imported_when_called, register
from .. import formats as _registered

__all__ = ["FORMAT", "write_html"]

# Importing this package directly (as the tests do) must not put html ahead
# of the formats the registry loads itself: its order is the order of the
# CLI's help.  Loading them first keeps that order the same either way.
_registered()


# The writer, with jinja2 and nh3, is imported on the first call.
write_html = imported_when_called(f"{__name__}.writer", "write_html")


FORMAT = register(
    Format(
        name="html",
        description="static HTML archive: index.html, a page per thread, and a manifest",
        extensions=(),
        write=write_html,  # type: ignore[arg-type]  # a directory writer takes a Path
        directory=True,
    )
)
