"""A static HTML archive: a folder of pages anyone can read, from disk or
any web host, with no database, server, script or network.

``index.html`` lists the threads; ``threads/<slug>.html`` shows one
thread's comments as a nested tree, with pingbacks and trackbacks apart
under "Mentions".  Comment text is sanitised so nothing in it can run or
fetch anything, and ``manifest.json`` lists every file with its SHA-256 so
the archive can be checked years later.  See ``docs/archive.md``.
"""

from __future__ import annotations

from ...canonical import STATUSES
from .. import STATUSES_OPTION, Format, Option, imported_when_called

__all__ = ["ARCHIVE_OPTIONS", "FORMAT", "write_html"]

# The writer, with jinja2 and nh3, is imported on the first call.
write_html = imported_when_called(f"{__name__}.writer", "write_html")

# What the archive shows; the WACZ format, which packages it, takes them too.
ARCHIVE_OPTIONS = (
    Option(STATUSES_OPTION, str, "Statuses shown besides approved, each labelled.",
           default=(), multiple=True, choices=STATUSES, cli=False),
    Option("private", bool, "Also show comments on posts the public cannot see "
           "(password-protected, private, draft, scheduled, trashed).", cli=False),
    Option("search", bool, "Add a full-text search page (search.html, the one page "
           "with script) and its static Pagefind index; needs wxrbridge[archive]."),
)

FORMAT = Format(
    name="html",
    description="static HTML archive: index.html, a page per thread, and a manifest",
    write_folder=write_html,
    options=ARCHIVE_OPTIONS,
    statuses_add_to_approved=True,
    writes_meta=False,
)
