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

import re

import nh3
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "b", "i", "blockquote", "code", "pre", "ul", "ol", "li"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# nofollow: the archive should not lend its standing to spam links.
# noopener: a followed link cannot reach back into the page that opened it.
LINK_REL = "nofollow noopener"

# The block-level tags whose presence means the text already says where its
# paragraphs are (Disqus stores HTML; WordPress keeps what the author typed).
_BLOCK = re.compile(r"<\s*(p|pre|blockquote|ul|ol|li|div|h[1-6]|table)\b", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


def paragraphs(text: str) -> str:
    """Line breaks as WordPress would show them.

    WordPress stores comments as typed and adds ``<p>`` and ``<br>`` only
    when displaying them, so a blank line is a new paragraph and a single
    newline a line break.  Text that already has block markup is left as
    written, as WordPress's own ``wpautop`` would mostly do too.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text or _BLOCK.search(text):
        return text
    return "".join(
        "<p>" + block.replace("\n", "<br>\n") + "</p>\n"
        for block in _PARAGRAPH_BREAK.split(text)
        if block.strip()
    )


def clean(html: str) -> str:
    """``html`` with every tag, attribute and URL not known to be harmless
    removed; script and style elements go with their content.

    ``url_schemes`` needs nh3 0.2.13 or later; older releases reject it.
    """
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def well_formed(text: str) -> str:
    """``text`` with any lone surrogate (kept by the store from a broken
    source, and not encodable as UTF-8) shown as the replacement character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def comment_html(text: str | None) -> Markup:
    """A comment's text as sanitised HTML, ready for a template."""
    if not text:
        return Markup("")
    return Markup(clean(paragraphs(well_formed(text))))


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
    # fooled; a real address has none.
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    return value
