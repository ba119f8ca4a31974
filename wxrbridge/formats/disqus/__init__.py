"""The Disqus export format: the XML backup Disqus mails to a site's owner."""

from __future__ import annotations

from .. import Format, imported_when_called, register
from .reader import detect, read_disqus
from .schema import RECOVERY_LAYOUT

write_disqus = imported_when_called(f"{__name__}.writer", "write_disqus")

FORMAT = register(
    Format(
        name="disqus",
        description="Disqus export (the XML backup of a forum's comments)",
        extensions=(".xml.gz", ".disqus.xml", ".disqus.xml.gz"),
        detect=detect,
        read=read_disqus,
        write=write_disqus,
        recovery=RECOVERY_LAYOUT,
    )
)

__all__ = ["FORMAT", "detect", "read_disqus", "write_disqus"]
