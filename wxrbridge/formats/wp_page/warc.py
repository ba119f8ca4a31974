"""The HTML pages a web archive (WARC) holds, for the saved-page reader.

A crawl of a blog keeps every page it fetched as a ``response`` record;
the pages are the successful HTML ones, each named by the URL it was
fetched from.  warcio reads the records, compressed (``.warc.gz``) or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from ...errors import InputError

WARC_START = b"WARC/1."


def html_responses(stream: IO[bytes], name: str) -> Iterator[tuple[str, bytes]]:
    """Each successful HTML response in the archive: its URL and body."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        for record in ArchiveIterator(stream):
            headers = record.http_headers
            if record.rec_type != "response" or headers is None:
                continue
            content_type = str(headers.get_header("Content-Type") or "")
            if str(headers.get_statuscode()) != "200" or "html" not in content_type:
                continue
            url = str(record.rec_headers.get_header("WARC-Target-URI") or "")
            yield url, bytes(record.content_stream().read())
    except ArchiveLoadFailed as exc:
        raise InputError(f"not a readable WARC file: {exc}", file=name) from None
