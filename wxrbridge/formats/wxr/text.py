"""Elements formatted as text, byte for byte as lxml writes them.

A file is mostly small leaf elements, comments' above all, and writing them
one by one through lxml costs three times what formatting them as text does.
These pieces are the writer's fast path (see ``XmlOutput``): the markup of a
comment without extras, CDATA cut where lxml's writes are cut.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ...records import Meta
from ..xml.text import FORBIDDEN, escape_text
from .names import COMMENT_FIELDS

# Comment fields core writes without CDATA (plain text or numbers).
COMMENT_PLAIN = {"comment_id", "comment_author_url", "comment_parent", "comment_user_id"}


def write_cdata(xf: Any, text: str) -> None:
    # lxml 6.0/6.1 crash when an incrementally written CDATA section ends in
    # a single "]"; that last character goes out as plain text instead,
    # which every XML reader joins back to the same value.
    if text.endswith("]") and not text.endswith("]]"):
        if len(text) > 1:
            xf.write(etree.CDATA(text[:-1]))
        xf.write("]")
    else:
        xf.write(etree.CDATA(text))


def plain_names(attrib: dict[str, str]) -> bool:
    return all("{" not in key and ":" not in key for key in attrib)


def cdata_text(text: str) -> str:
    """Text for a CDATA field exactly as XmlOutput._leaf has lxml write it."""
    if not text:
        return "<![CDATA[]]>"
    if "\r" in text:
        return escape_text(text)
    if "]]>" not in text and text[-1] != "]":
        return f"<![CDATA[{text}]]>"
    out: list[str] = []
    pieces = text.split("]]>")
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        piece = (">" if index else "") + piece + ("]]" if index < last else "")
        if piece.endswith("]") and not piece.endswith("]]"):
            # Mirrors write_cdata's way round lxml's crash.
            if len(piece) > 1:
                out.append(f"<![CDATA[{piece[:-1]}]]>")
            out.append("]")
        else:
            out.append(f"<![CDATA[{piece}]]>")
    return "".join(out)


class CommentTags:
    """The markup around a comment's fields, for one prefix and depth.

    Each field has its start and end tags twice: alone, and with a CDATA
    section's opening and closing around the text (the common case, so one
    concatenation writes it).
    """

    __slots__ = ("open", "close", "fields", "meta_open", "meta_close", "key", "value")

    def __init__(self, prefix: str, depth: int) -> None:
        outer = "\n" + "\t" * depth
        inner = outer + "\t"
        leaf = inner + "\t"
        self.open = f"{outer}<{prefix}comment>"
        self.close = f"{outer}</{prefix}comment>"
        self.fields = tuple(
            tag_pair(inner, prefix + local, local not in COMMENT_PLAIN)
            for local, _attr in COMMENT_FIELDS
        )
        self.meta_open = f"{inner}<{prefix}commentmeta>"
        self.meta_close = f"{inner}</{prefix}commentmeta>"
        self.key = tag_pair(leaf, prefix + "meta_key", True)
        self.value = tag_pair(leaf, prefix + "meta_value", True)


def tag_pair(indent: str, name: str, cdata: bool) -> tuple[str, str, str, str, bool]:
    start, end = f"{indent}<{name}>", f"</{name}>"
    return start, end, start + "<![CDATA[", "]]>" + end, cdata


def cdata_field(tag: tuple[str, str, str, str, bool], text: str) -> str:
    if text and "]]>" not in text and "\r" not in text and text[-1] != "]":
        return tag[2] + text + tag[3]
    return tag[0] + cdata_text(text) + tag[1]


def comment_parts(
    tags: CommentTags, texts: tuple[str | None, ...], meta: list[Meta]
) -> list[str] | None:
    """The comment's markup and text, or ``None`` when a value holds a
    character XML forbids (checked here, on the way, for every field)."""
    search = FORBIDDEN.search
    parts = [tags.open]
    append = parts.append
    for tag, text in zip(tags.fields, texts, strict=True):
        if text is None:
            continue
        if not text.isprintable() and search(text):  # forbidden_in, inlined
            return None
        if tag[4]:
            if text and "]]>" not in text and "\r" not in text and text[-1] != "]":
                append(tag[2] + text + tag[3])
            else:
                append(tag[0] + cdata_text(text) + tag[1])
        else:
            append(tag[0] + escape_text(text) + tag[1])
    if meta:
        key_tag, value_tag = tags.key, tags.value
        meta_open, meta_close = tags.meta_open, tags.meta_close
        for key, value in meta:
            if not key.isprintable() and search(key):
                return None
            append(meta_open)
            append(cdata_field(key_tag, key))
            if value is not None:
                if not value.isprintable() and search(value):
                    return None
                append(cdata_field(value_tag, value))
            append(meta_close)
    append(tags.close)
    return parts
