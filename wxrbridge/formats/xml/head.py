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


# Detection looks at this much of a document from its first element on.
DETECT_WINDOW = 4096
_MARKUP_ENDS = {b"<!--": b"-->", b"<?": b"?>"}


def _doctype_end(head: bytes, start: int) -> int | None:
    """The offset just past a DOCTYPE starting at ``start``: past its
    internal subset (``[ … ]``, whose declarations hold ``>`` of their own)
    when it has one; quoted identifiers may hold any character."""
    position = start + len(b"<!DOCTYPE")
    quote: int | None = None
    depth = 0
    while position < len(head):
        char = head[position]
        if quote is not None:
            quote = None if char == quote else quote
        elif char in b"\"'":
            quote = char
        elif char == ord("["):
            depth += 1
        elif char == ord("]"):
            depth -= 1
        elif char == ord(">") and depth <= 0:
            return position + 1
        position += 1
    return None


def first_element_offset(head: bytes) -> int | None:
    """Where the first element starts in an ASCII-compatible ``head``,
    past the declaration, comments, processing instructions and a DOCTYPE
    of any length; ``None`` when ``head`` ends before one does."""
    position = 0
    while True:
        start = head.find(b"<", position)
        if start < 0 or start + 1 >= len(head):
            return None
        opener = next((o for o in _MARKUP_ENDS if head.startswith(o, start)), None)
        if opener is not None:
            end = head.find(_MARKUP_ENDS[opener], start + len(opener))
            if end < 0:
                return None
            position = end + len(_MARKUP_ENDS[opener])
        elif head.startswith(b"<!DOCTYPE", start):
            found = _doctype_end(head, start)
            if found is None:
                return None
            position = found
        elif head.startswith(b"<!", start) and len(head) - start < 9:
            return None  # perhaps a comment or DOCTYPE not yet complete
        else:
            return start


def for_detection(head: bytes) -> bytes:
    """What format detection is shown of a document's first bytes: the
    first :data:`DETECT_WINDOW` bytes; when comments, processing
    instructions or a DOCTYPE fill those, the XML declaration and the
    window from the first element on instead."""
    start = first_element_offset(head) if _starts_with_markup(head) else None
    if start is None or start + _ROOT_TAG_ROOM <= DETECT_WINDOW:
        return head[:DETECT_WINDOW]
    body = head.lstrip(_LEADING)
    declaration = body[: body.find(b"?>") + 2] if body.startswith(b"<?xml") else b""
    return declaration + b"\n" + head[start:start + DETECT_WINDOW]


# Room the root's start tag (its namespace declarations) needs in the window.
_ROOT_TAG_ROOM = 1024
_LEADING = b"\xef\xbb\xbf \t\r\n"


def _starts_with_markup(head: bytes) -> bool:
    """Whether ``head`` is an ASCII-compatible document starting with markup
    (no UTF-16, no server warning before the declaration)."""
    return not head.startswith((b"\xff\xfe", b"\xfe\xff")) and head.lstrip(_LEADING)[:1] == b"<"


def prolog_incomplete(head: bytes) -> bool:
    """Whether ``head`` looks like XML whose prolog runs past its end (more
    must be read to see the first element)."""
    return _starts_with_markup(head) and first_element_offset(head) is None
