"""What a format's records look like to recover mode's repairer.

A format declares one in the registry (``Format.recovery``); this module is
kept apart from the repairer so that declaring one loads nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """What a format's records look like to the scanner.

    ``record_depth`` is the depth of a record element (WXR ``rss/channel/item``
    is 3, Disqus ``disqus/post`` is 2).  ``whole`` names, by local name, the
    elements that are kept whole or not at all when the file ends inside them
    (a cut-off comment is not a comment); other elements cut off by the end of
    the file keep their complete children.  ``describe`` names a record for
    issues from its raw text.
    """

    record_depth: int
    whole: frozenset[str]
    describe: Callable[[str, str], str | None]
    # Local names of elements inside a record that are records of their own
    # (a WXR comment inside its item), so that issues name them.
    parts: frozenset[str] = frozenset()
