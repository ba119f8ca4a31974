"""The Disqus export format: the XML backup Disqus mails to a site's owner."""

from __future__ import annotations

from .. import Format, Option, imported_when_called
from .schema import RECOVERY_LAYOUT

detect = imported_when_called(f"{__name__}.reader", "detect")
read_disqus = imported_when_called(f"{__name__}.reader", "read_disqus")
write_disqus = imported_when_called(f"{__name__}.writer", "write_disqus")

# Also taken by the Disqus import file (formats.disqus_import) and Isso.
INCLUDE_PINGS = Option(
    "include_pings", bool,
    "Also write pingbacks and trackbacks, which Disqus and Isso have no place for (as "
    "plain comments) and which are left out by default.",
)

FORMAT = Format(
    name="disqus",
    description="Disqus export (the XML backup of a forum's comments)",
    extensions=(".xml.gz", ".disqus.xml", ".disqus.xml.gz"),
    detect=detect,
    read=read_disqus,
    recovery=RECOVERY_LAYOUT,
    write_stream=write_disqus,
    options=(
        INCLUDE_PINGS,
        Option("forum", str, "The Disqus shortname for threads that come from WordPress.",
               cli=False),
    ),
)

__all__ = ["FORMAT", "INCLUDE_PINGS", "detect", "read_disqus", "write_disqus"]
