"""Turning a comment's stored text into HTML that is safe to publish.

A comment's text is whatever its author typed, and whatever a spammer typed.
The archive is meant to be opened from disk or put on any static host, so
nothing in a comment may run script, load a remote resource (a tracking
pixel is a privacy leak long after the blog is gone) or restyle the page.
Only plain formatting survives; everything else is stripped by ``nh3``
(the Rust ``ammonia`` sanitiser), which parses the fragment as a browser
would rather than guessing with regular expressions.
"""

from __future__ import annotations

import functools
import re

import nh3
from markupsafe import Markup

from .autop import autop, linkify
from .simple_html import clean_simple

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "a", "em", "strong", "b", "i", "u", "del", "s", "ins", "sub", "sup",
        "blockquote", "q", "cite", "code", "pre", "kbd", "samp", "var", "abbr",
        "ul", "ol", "li", "dl", "dt", "dd", "h4", "h5", "h6", "hr",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# nofollow: the archive should not lend its standing to spam links.
# noopener: a followed link cannot reach back into the page that opened it.
LINK_REL = "nofollow noopener"

# Characters that reorder text: embeddings, overrides and isolates.  A URL
# holding one shows a different address from the one it opens.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")

_NOT_IN_A_URL = re.compile("[\\s\\x00-\\x1f\\x7f" + "".join(sorted(BIDI_CONTROLS)) + "]")

# The page's own headings are h1 (the thread), h2 (its sections) and h3 (each
# comment); a heading inside a comment comes below them.
_HEADING = re.compile(r"<(/?)h([1-6])(?=[\s/>])", re.IGNORECASE)


def _lower_heading(match: re.Match[str]) -> str:
    return f"<{match.group(1)}h{min(6, int(match.group(2)) + 3)}"


def paragraphs(text: str) -> str:
    """Paragraphs, line breaks and links as WordPress shows a comment
    (``wpautop`` after ``make_clickable``; see :mod:`.autop`)."""
    return autop(linkify(text))


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "href" and any(ch in BIDI_CONTROLS for ch in value):
        return None
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        # A relative link would point into the reader's own disk or host.
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )


def clean(html: str) -> str:
    """``html`` with every tag, attribute and URL not known to be harmless
    removed; script and style elements go with their content.  Only
    absolute http, https and mailto links are kept, and none whose address
    holds a bidi control.
    """
    return _cleaner().clean(_HEADING.sub(_lower_heading, html))


def well_formed(text: str) -> str:
    """``text`` with any lone surrogate (kept by the store from a broken
    source, and not encodable as UTF-8) shown as the replacement character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def utf8(text: str) -> bytes:
    """``well_formed(text)`` as UTF-8, encoded once where it already is."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return well_formed(text).encode("utf-8")


# Text in which the sanitiser could change nothing but the spelling of the
# ``<br />`` that :func:`autop` adds: no markup, no entity, no address to
# link, no character the HTML parser rewrites.
_NEEDS_CLEANING = re.compile(
    r"[<>&\x00-\x08\x0b-\x1f\x7f\u00a0]|https?:|www\.", re.IGNORECASE
)


def comment_html(text: str | None) -> Markup:
    """A comment's text as sanitised HTML, ready for a template."""
    if not text:
        return Markup("")
    text = well_formed(text)
    if _NEEDS_CLEANING.search(text) is None:
        return Markup(autop(text).replace("<br />", "<br>"))
    html = paragraphs(text)
    simple = clean_simple(html)
    return Markup(simple if simple is not None else clean(html))


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) address, else ``None``.

    Used for the links the archive makes itself (an author's website, a
    pingback's source, a thread's original address): a stored
    ``javascript:`` URL must not become a link, and a relative one would
    point into the reader's own disk.
    """
    if not url:
        return None
    value = url.strip()
    scheme, _, rest = value.partition(":")
    if scheme.lower() not in ("http", "https") or not rest.startswith("//"):
        return None
    # Control characters and whitespace inside a URL are how filters get
    # fooled, and a bidi control shows another address than it opens; a
    # real address has none.
    if _NOT_IN_A_URL.search(value):
        return None
    return value
