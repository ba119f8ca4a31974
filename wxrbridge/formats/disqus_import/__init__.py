"""The file Disqus's importer takes: WXR with a ``dsq`` namespace.

It is written by the WXR writer with two options (``dsq_namespace`` and
``every_field``); this package decides what is sent, so that the import
cannot fail on our file: only comments Disqus accepts, every reply under a
parent in the same file, and files small enough to upload.
"""

from __future__ import annotations

from .. import Format, imported_when_called, register

write_disqus_import = imported_when_called(f"{__name__}.writer", "write_disqus_import")

__all__ = ["FORMAT", "write_disqus_import"]

FORMAT = register(
    Format(
        name="disqus-import",
        description="WXR for Disqus's importer (approved comments, split under 50 MB)",
        extensions=(".disqus-import.xml",),
        write=write_disqus_import,
        directory=False,
    )
)
