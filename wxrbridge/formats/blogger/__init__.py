"""Blogger's Atom export, the legacy backup and the Takeout feed: posts,
pages and threaded comments (read only)."""

from __future__ import annotations

from .. import Format, imported_when_called
from .schema import RECOVERY_LAYOUT, detect

read_blogger = imported_when_called(f"{__name__}.reader", "read_blogger")

FORMAT = Format(
    name="blogger",
    description="Blogger export (Atom: the legacy backup or Takeout's feed.atom)",
    detect=detect,
    read=read_blogger,
    recovery=RECOVERY_LAYOUT,
)

__all__ = ["FORMAT", "detect", "read_blogger"]
