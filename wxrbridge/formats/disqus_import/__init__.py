"""The file Disqus's importer takes: WXR with a ``dsq`` namespace.

It is written by the WXR writer with two options (``dsq_namespace`` and
``every_field``); this package decides what is sent, so that the import
cannot fail on our file: only comments Disqus accepts, every reply under a
parent in the same file, and files small enough to upload.
"""

from __future__ import annotations

from ...canonical import STATUSES
from .. import STATUSES_OPTION, TARGET_PATH_OPTION, Format, Option, imported_when_called
from ..disqus import INCLUDE_PINGS

write_disqus_import = imported_when_called(f"{__name__}.writer", "write_disqus_import")

__all__ = ["FORMAT", "write_disqus_import"]

FORMAT = Format(
    name="disqus-import",
    description="WXR for Disqus's importer (approved comments, split under 50 MB)",
    extensions=(".disqus-import.xml",),
    write_stream=write_disqus_import,
    options=(
        Option(STATUSES_OPTION, str,
               "Statuses sent besides approved, with comment_approved 0 (Disqus holds them "
               "for moderation).", default=(), multiple=True, choices=STATUSES, cli=False),
        INCLUDE_PINGS,
        Option("max_bytes", int, "The largest file to write (default 50,000,000); larger "
               "output is cut between items into several files.", cli=False),
        Option(TARGET_PATH_OPTION, str, "The path the output will have: further parts go "
               "beside it.", cli=False),
    ),
    statuses_add_to_approved=True,
)
