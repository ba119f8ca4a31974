"""What the sanitiser would write for the simple markup most comments have,
without parsing it.

Most comments that hold any markup at all hold only a little of it: an
``<em>`` or a ``<strong>``, a link to an address, an entity such as
``&#8230;`` or ``&amp;``.  For such text, wrapped in ``autop``'s paragraphs,
the parse ``nh3`` does builds exactly the elements the text spells, and
writing them back changes only a few spellings: entities decoded and the
characters that need one re-escaped, ``<br />`` as ``<br>``, each link given
its ``rel``.  :func:`clean_simple` writes those spellings itself, and for
anything it is not sure of (a tag or attribute outside a small set, wrong
nesting, an address whose host a URL parser could reject, an entity
outside the spec's table or a character reference the parser would
replace) it answers ``None``, and the text goes through ``nh3``.
"""

from __future__ import annotations

import functools
import re
from html.entities import html5

# Inline elements the sanitiser keeps, that hold only text and inline
# elements and that the parser places as written when they are properly
# nested (no rule of the tree builder moves or closes them).  ``a`` is
# handled apart: it takes an attribute and cannot hold another ``a``.
_INLINE = frozenset({
    "em", "strong", "b", "i", "u", "del", "s", "ins", "sub", "sup",
    "q", "cite", "code", "kbd", "samp", "var", "abbr",
})

# A link the sanitiser keeps as written: http(s), a host of ASCII letters,
# digits and hyphens whose last label starts with a letter (so no URL
# parser reads it as an IPv4 address) and none of them punycode (which it
# would decode, and might refuse), no user, no port; then a path, query and
# fragment of the characters URLs are made of (parsing those never fails),
# with ``&amp;`` as the only entity.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_TAIL_CHARS = r"[A-Za-z0-9\-._~/?#@!$'()*+,;=%:]"
_HREF = re.compile(
    rf"https?://(?:{_LABEL}\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    rf"(?:[/?#](?:{_TAIL_CHARS}|&amp;)*)?"
)

# What is inside each tag.
_TAG = re.compile(r"<([^>]*)>")
# A character reference or entity, as the spec's table names them.
_REFERENCE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")

# Characters the parser rewrites or treats specially wherever they are.
_UNSURE_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f]")

_LINK_END = '" rel="nofollow noopener">'


def _escape_text(text: str) -> str:
    """Text as the sanitiser's serializer writes it."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\u00a0", "&nbsp;"))


def _character(reference: str) -> str | None:
    """The text a character reference (without ``&`` and ``;``) stands for,
    or ``None`` where the parser would replace or keep an unusual code point
    (NUL, controls, surrogates, noncharacters, the Windows-1252 range)."""
    if reference[0] != "#":
        return html5.get(reference + ";")
    number = int(reference[2:], 16) if reference[1] in "xX" else int(reference[1:])
    if (0x20 <= number < 0x7F or 0xA0 <= number < 0xD800 or 0xE000 <= number < 0xFDD0
            or 0xFDF0 <= number < 0xFFFE
            or (0x10000 <= number <= 0x10FFFF and number & 0xFFFE != 0xFFFE)):
        return chr(number)
    return None


@functools.lru_cache(maxsize=1024)
def _respelled(reference: str) -> str | None:
    """A reference as the serializer writes what it stands for."""
    character = _character(reference)
    return None if character is None else _escape_text(character)


def _respell(match: re.Match[str]) -> str:
    return _respelled(match.group(1)) or ""


def clean_simple(html: str) -> str | None:
    """What the sanitiser makes of ``html`` (paragraphs from ``autop``), or
    ``None`` if the text is not simple enough to be sure."""
    # Paragraphs one after another, as autop writes them, and nothing
    # between them.
    if not (html.startswith("<p>") and html.endswith("</p>\n")
            and html.count("</p>") == html.count("</p>\n<p>") + 1):
        return None
    if _UNSURE_CHARACTER.search(html) is not None:
        return None
    tags = _TAG.findall(html)
    # Every "<" starts a tag and every ">" ends one: none is in the text.
    if html.count("<") != len(tags) or html.count(">") != len(tags):
        return None
    open_tags: list[str] = []  # innermost last; "p" at the bottom
    links = False
    for tag in tags:
        if tag.startswith("/"):
            if not open_tags or open_tags.pop() != tag[1:]:
                return None
        elif tag in _INLINE:
            if not open_tags:
                return None
            open_tags.append(tag)
        elif tag == "p":
            if open_tags:
                return None
            open_tags.append(tag)
        elif tag == "br /":
            if not open_tags:
                return None
        elif tag.startswith('a href="') and tag.endswith('"'):
            href = tag[8:-1]
            if (not open_tags or "a" in open_tags or _HREF.fullmatch(href) is None
                    or "xn--" in href.lower()):
                return None
            open_tags.append("a")
            links = True
        else:
            return None
    if open_tags:
        return None
    if "&" in html:
        references = _REFERENCE.findall(html)
        if len(references) != html.count("&") or any(
            _respelled(reference) is None for reference in references
        ):
            return None
        html = _REFERENCE.sub(_respell, html)
    if "<br />" in html:
        html = html.replace("<br />", "<br>")
    if links:
        # A tag ends with '">' only where it is a link: no text holds a ">".
        html = html.replace('">', _LINK_END)
    if "\u00a0" in html:
        html = html.replace("\u00a0", "&nbsp;")
    return html
