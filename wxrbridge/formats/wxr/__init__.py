"""WordPress eXtended RSS (WXR), the format of WordPress's own exports."""

from __future__ import annotations

import re

from .. import Format, Option, imported_when_called
from ..xml.head import first_element_offset, normalise_head
from .names import RECOVERY_LAYOUT

read_wxr = imported_when_called(f"{__name__}.reader", "read_wxr")
write_wxr = imported_when_called(f"{__name__}.writer", "write_wxr")

__all__ = ["FORMAT", "detect", "read_wxr", "write_wxr"]

# The root must be <rss>, and the wp namespace must show up somewhere in the
# head: either its URI or the usual prefix.  Disqus exports have a <disqus>
# root; the WXR files Disqus imports have an <rss> root and are WXR.
_RSS_ROOT = re.compile(rb"<rss[\s>/]")
_DISQUS_ROOT = re.compile(rb"<disqus[\s>/]")
_WP_MARK = re.compile(rb"wordpress\.org/export/|xmlns:wp\s*=|<wp:")
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def _first_element(head: bytes) -> bytes | None:
    """The name of the first element, skipping the declaration, comments,
    processing instructions and a DOCTYPE."""
    start = first_element_offset(head)
    match = _FIRST_ELEMENT.match(head, start) if start is not None else None
    return match.group(1) if match else None


def detect(head: bytes) -> bool:
    """True when the first bytes look like a WXR file."""
    head = normalise_head(head)
    root = _first_element(head)
    if root is not None:
        return root == b"rss" and bool(_WP_MARK.search(head))
    if _DISQUS_ROOT.search(head):
        return False
    return bool(_RSS_ROOT.search(head) and _WP_MARK.search(head))


FORMAT = Format(
    name="wxr",
    description="WordPress eXtended RSS (WordPress export, WXR 1.0 to 1.2)",
    extensions=(".xml", ".wxr", ".xml.gz", ".wxr.xml"),
    detect=detect,
    read=read_wxr,
    recovery=RECOVERY_LAYOUT,
    write_stream=write_wxr,
    options=(
        Option("keep_ids", bool,
               "Never renumber comments for WordPress's importer (an archive's exact copy). "
               "By default a reply whose id is below its parent's gets a fresh id, the old "
               "one kept in comment meta."),
        Option("parents_first", bool,
               "Write every item's comments parents first, even when their ids already "
               "suit WordPress.", cli=False),
        Option("max_comment_id", int,
               "The largest comment id of the whole data set: fresh ids start above it.",
               cli=False),
        Option("dsq_namespace", bool,
               "Declare Disqus's import namespace and give every item a "
               "dsq:thread_identifier.", cli=False),
        Option("every_field", bool,
               "Write every element WordPress writes, even where a record had none.",
               cli=False),
    ),
)
