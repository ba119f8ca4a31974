"""The XML toolkit every XML format shares.

* :mod:`.text`: how untrusted XML is parsed (``SAFE_PARSING``) and how text
  is written the way libxml2 writes it;
* :mod:`.head`: the first bytes of a file, made ready for format detection;
* :mod:`.errors`: lxml's parse errors and recoveries as wxrbridge's errors
  and import issues;
* :mod:`.extras`: what a reader has no field for, kept as ``Extra`` records;
* :mod:`.repair` (with :mod:`.decoding` and :mod:`.scanner`): recover mode's
  first pass, which mends a broken file before a reader parses it, guided by
  the format's :class:`Layout` (:mod:`.layout`);
* :mod:`.compare`: two documents compared the way a round trip is judged.

Only :class:`Layout` is imported here, which the registry names; every
other module costs only what it imports itself.
"""

from .layout import Layout

__all__ = ["Layout"]
