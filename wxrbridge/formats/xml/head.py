"""The first bytes of an XML file, made ready for format detection."""

from __future__ import annotations


def normalise_head(head: bytes) -> bytes:
    """UTF-8 bytes that start at the document: a byte order mark dropped,
    UTF-16 decoded, and text before the XML declaration (a server's warning,
    often with markup of its own) skipped, as recover mode skips it."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    declaration = head.find(b"<?xml")
    if declaration > 0 and head[:declaration].strip():
        head = head[declaration:]
    return head
