"""XML text the way libxml2 writes it, for writers that format plain
elements as text between lxml's own writes (the bytes must not differ)."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

from lxml import etree

# How every parser of untrusted XML is set up: entities are never expanded,
# no DTD is loaded and the network is never used; huge_tree lifts libxml2's
# limits on text size and depth, which a large export would pass.
SAFE_PARSING: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": True,
}

# Characters XML 1.0 does not allow anywhere, not even as references; a
# writer puts U+FFFD in their place and says so.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def forbidden_in(text: str) -> bool:
    """Whether ``text`` holds a character XML 1.0 forbids.

    Every such character is unprintable, and str.isprintable answers in a
    fraction of the time the regular expression takes, so the expression
    only looks at text with something unprintable in it (a line break, say).
    """
    return not text.isprintable() and FORBIDDEN.search(text) is not None


def utf8(texts: list[str]) -> bytes:
    """``texts`` joined, in UTF-8.

    Encoded one by one: a single string of them all would be as wide as its
    widest character (one emoji makes it four bytes a character), and
    encoding that took five times as long.
    """
    return b"".join([text.encode("utf-8") for text in texts])


def escape_text(text: str) -> str:
    """Element text as libxml2 writes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


# What libxml2 escapes in an attribute value besides what it escapes in text.
_ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;"))


def escape_attribute(value: str) -> str:
    """An attribute value as libxml2 writes it, between double quotes."""
    value = escape_text(value)
    for char, reference in _ATTRIBUTE_ESCAPES:
        if char in value:
            value = value.replace(char, reference)
    return value


def _cdata_writes() -> bool:
    """Whether this lxml can write CDATA incrementally (lxml 6 and later);
    writers fall back to escaped text where it cannot."""
    try:
        with etree.xmlfile(io.BytesIO()) as xf, xf.element("probe"):
            xf.write(etree.CDATA("probe"))
    except TypeError:
        return False
    return True


CDATA_WRITES = _cdata_writes()


def serialize_fragment(node: Any) -> str:
    """An element as kept XML: a detached copy, without its tail and with
    only the namespace declarations it uses, not every one in scope."""
    alone = copy.deepcopy(node)
    alone.tail = None
    etree.cleanup_namespaces(alone)
    return etree.tostring(alone, encoding="unicode", with_tail=False)
