"""What a saved post page (the wp-page format) can be compared on.

A page shows a comment as WordPress rendered it for readers: paragraphs
added (wpautop), straight quotes, dashes and dots made typographic
(wptexturize), bare links made links (make_clickable), characters written
as entities.  An export holds the text as it was typed.  So between a page
and a record of another origin, content is compared as the text a reader
sees, folded the same way on both sides; and a page shows only approved
comments, so the other side's comments not approved are not missing from
it.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from .. import canonical

PAGE_ORIGIN = "wp-page"
# Statuses a visitor's page lists (a comment awaiting moderation is shown
# only to its own author's browser; such a page marks it, and it pairs).
SHOWN_STATUSES = {canonical.APPROVED}

# Elements that break a line where they start or end: text on either
# side of them is two words, not one.
_BREAKS = {"p", "br", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4",
           "h5", "h6", "hr", "table", "tr", "td", "th", "dd", "dt", "dl", "figure"}
# wptexturize's typographic characters, each as the ASCII it is typed as.
_FOLDED = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00d7": "x", "\u2122": "(tm)",
})
# Typed as two quotes, rendered as one double quote; "--" and "---" as one dash.
_DOUBLED_QUOTES = re.compile(r"``|''")
_DASHES = re.compile(r"-{2,}")
_NOT_IN_NICENAME = re.compile(r"[^a-z0-9_-]")


class _Text(HTMLParser):
    """The text of some HTML, an image by its alternative text (a smiley
    WordPress turns into an image keeps the typed one there)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append(" ")
        elif tag == "img":
            self.parts.append(next((v or "" for k, v in attrs if k == "alt"), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BREAKS:
            self.parts.append(" ")


def shown_text(content: str | None) -> str | None:
    """Content as the text a reader sees: tags stripped, entities
    unescaped, typographic quotes, dashes and dots as typed in ASCII,
    whitespace collapsed (None when there is no text)."""
    if content is None:
        return None
    parser = _Text()
    parser.feed(content)
    parser.close()
    text = "".join(parser.parts).translate(_FOLDED)
    text = _DASHES.sub("-", _DOUBLED_QUOTES.sub('"', text))
    return " ".join(text.split()) or None


def nicename(login: str) -> str:
    """A login as a page's ``comment-author-`` class writes it: WordPress's
    nicename of it (``sanitize_title``: accents dropped, lower case, dots
    and spaces as dashes, other characters left out)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", login)
                    if not unicodedata.combining(c)).lower()
    plain = _NOT_IN_NICENAME.sub("", re.sub(r"[.\s]+", "-", plain))
    return re.sub(r"-+", "-", plain).strip("-")


def one_is_page(a_origin: str, b_origin: str) -> bool:
    """Whether exactly one of two records is from a saved page."""
    return (a_origin == PAGE_ORIGIN) != (b_origin == PAGE_ORIGIN)


def not_shown(origin: str, status: str | None, page_on_other_side: bool) -> bool:
    """Whether a comment is one a page on the other side cannot show."""
    return page_on_other_side and origin != PAGE_ORIGIN and status not in SHOWN_STATUSES
