"""WACZ: the HTML archive as a web archive, one file that web-archive
players replay and that archives take for deposit.

The pages, feeds and manifest of the HTML archive are recorded as WARC
``response`` records at addresses under one base URL, with the index,
the page list and the package description the WACZ 1.1.1 specification
asks for.  See ``docs/archive.md``.
"""

from __future__ import annotations

from .. import Format, Option, imported_when_called
from ..html import ARCHIVE_OPTIONS

__all__ = ["BASE_URL", "FORMAT", "write_wacz"]

# Where the archive's files are recorded when no base URL is given: a
# name under .invalid, which no real site can have, so a replayed page is
# never taken for the live one.
BASE_URL = "https://comments.archive.invalid/"

# The writer, with warcio and the HTML writer, is imported on the first call.
write_wacz = imported_when_called(f"{__name__}.writer", "write_wacz")

FORMAT = Format(
    name="wacz",
    description="the HTML archive as a WACZ web archive, for replay and deposit",
    extensions=(".wacz",),
    write_path=write_wacz,
    options=(
        *ARCHIVE_OPTIONS,
        Option("base_url", str, "The address the WACZ records the archive at "
               f"(default {BASE_URL}).", metavar="URL"),
    ),
    statuses_add_to_approved=True,
    writes_meta=False,
)
