"""A thread's comments as HTML, written in Python rather than a template.

A page of a thousand comments would call a template macro a thousand times
(and the archive of a large site, a hundred thousand); the markup of one
comment is small and fixed, so it is put together here with every value
escaped, as the templates would.  The rest of each page is a template.

The walk (see ``writer._walk``) arrives as flat events, so no depth of
replies turns into recursion.  Replies are nested ordered lists inside the
comment they answer, so the nesting shows even without the stylesheet.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import Template
from markupsafe import Markup


def escape(value: object) -> str:
    """``value`` as HTML text, escaped as markupsafe escapes it (the same
    entities, so the pages are the same bytes), without making a Markup
    object for each of the dozen values a comment has."""
    if isinstance(value, Markup):
        return str(value)
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def dates(when: Any, published: bool = False) -> Markup:
    """A date as the page shows it: UTC, with the local time where the
    source recorded a different one (the ``dates`` macro, in Python).

    ``published`` marks the UTC date as its comment's ``dt-published``.
    """
    return Markup(_dates(when, published))


def _dates(when: Any, published: bool) -> str:
    # The ISO and UTC forms are written here from a parsed date (digits,
    # "-", ":", "T" and "UTC"): they have nothing to escape.
    if when.utc and not (when.local or when.raw):
        classes = "utc dt-published" if published else "utc"
        return f'<time class="{classes}" datetime="{when.iso}">{when.utc}</time>'
    parts: list[str] = []
    if when.utc:
        classes = "utc dt-published" if published else "utc"
        parts.append(f'<time class="{classes}" datetime="{when.iso}">{when.utc}</time>')
    if when.local:
        local = f'<span class="local">{escape(when.local)} local time</span>'
        if published and not when.utc:
            # Only the site's local time is known: it is the date published.
            stamp = escape(when.local.replace(" ", "T"))
            local = (f'<time class="local dt-published" datetime="{stamp}">'
                     f"{escape(when.local)} local time</time>")
        parts.append(f" ({local})" if when.utc else local)
    if when.raw:
        parts.append(f'<span class="raw-date"><bdi>{escape(when.raw)}</bdi></span>')
    if not when.known:
        parts.append('<span class="no-date">date unknown</span>')
    return "".join(parts)


def _said(when: Any) -> str:
    return str(when.utc or when.local or when.raw or "an unknown date")


# A comment's kind and status are one of a few words, each escaped once.
_word = functools.lru_cache(maxsize=256)(escape)


def _open(c: Any, fragment: Callable[[str], str]) -> str:
    # Each comment is a microformats2 h-entry (its author an h-card), so
    # the archive can be read back by machines as well as people.
    classes = "mention h-entry" if c.is_mention else "comment h-entry"
    if c.is_author:
        classes += " author-reply"
    approved = c.status == "approved"
    if not approved:
        classes += f" status-{c.status}"
    anchor = escape(c.anchor)
    name = escape(c.author_name)
    kind = _word(c.kind)
    out = [
        f'<li>\n<article class="{_word(classes)}" id="{anchor}" aria-labelledby="{anchor}-by">\n'
        f'<div class="card">\n<header>\n<h3 class="byline" id="{anchor}-by">\n'
    ]
    if c.is_mention:
        out.append(f'<span class="kind">{kind}</span> ')
    if c.author_url:
        out.append(
            f'<a class="author p-author h-card" href="{escape(c.author_url)}" '
            f'rel="nofollow noopener ugc"><bdi>{name}</bdi></a>\n'
        )
    else:
        # The h-card's name and link are implied: its text and its href.
        out.append(f'<bdi class="author p-author h-card">{name}</bdi>\n')
    if c.is_author:
        out.append('<span class="badge">Author</span>\n')
    if not approved:
        out.append(f'<span class="status">{_word(c.status)}</span>\n')
    when = c.when
    said = when.utc if when.utc else escape(_said(when))
    out.append(
        # The dates and the "#" are left out of the search index's excerpts.
        f'</h3>\n<span class="dates" data-pagefind-ignore>{_dates(when, True)}</span>\n'
        f'<a class="permalink u-url" data-pagefind-ignore href="{escape(fragment(c.key))}" '
        f'aria-label="Link to this {kind} by {name}, {said}">#</a>\n'
        "</header>\n"
    )
    if c.parent_missing:
        out.append('<p class="note orphan">In reply to a comment not in this archive.</p>\n')
    elif c.reply_to is not None:
        out.append(
            f'<p class="note reply-to"><a class="u-in-reply-to" '
            f'href="{escape(fragment(c.reply_to.key))}">'
            f"In reply to <bdi>{escape(c.reply_to.author_name)}</bdi></a></p>\n"
        )
    elif c.parent is not None and c.parent != c.key:
        # Shown inside its parent: the nesting says what it answers to a
        # reader; this says it to a parser, and shows nothing.
        out.append(f'<data class="u-in-reply-to" value="{escape(fragment(c.parent))}"></data>\n')
    body_class = "body excerpt e-content" if c.is_mention else "body e-content"
    out.append(f'<div class="{body_class}" dir="auto">\n{c.body}\n</div>\n</div>\n')
    return "".join(out)


def tree(events: Iterable[Any], fragment: Callable[[str], str]) -> Markup:
    """The walk of a comment tree as HTML, joined once."""
    out = ['<ol class="comments">\n']
    for event in events:
        kind = event.kind
        if kind == "open":
            out.append(_open(event.entry, fragment))
        elif kind == "replies":
            out.append('<ol class="replies">\n')
        elif kind == "end-replies":
            out.append("</ol>\n")
        else:
            out.append("</article>\n</li>\n")
    out.append("</ol>\n")
    return Markup("".join(out))


class _Count(int):
    """A count that a template compares as the number it is but prints as
    its marker."""

    marker: str

    def __html__(self) -> str:
        return self.marker


def _marker(name: str) -> str:
    # NUL is in no template, and escaping leaves it as it is.
    return f"\x00{name}\x00"


_MARKED = re.compile("\x00([a-z_]+)\x00")


class Frames:
    """Pages of one template, rendered once per shape of page rather than
    once per page.

    What a page holds around its printed values depends only on the site
    and on the page's shape: which of those values it has at all (a link,
    left out comments), whether a count is 0, 1 or more, and its other,
    unprinted values.  That frame is rendered once, with a marker in place
    of each value, and split at the markers; each page is then its frame's
    pieces and its own values, escaped as the template escapes them,
    joined: the bytes the template would write, without a template call per
    page.  A template printed through it prints its values as they are
    (no filter, no expression on them) and tests only their truth and a
    count's ``== 1``.
    """

    def __init__(self, template: Template) -> None:
        self.template = template
        self._frames: dict[tuple[object, ...], list[str]] = {}

    def render(self, site: dict[str, Any], values: dict[str, Any], **flags: Any) -> str:
        """A page of ``values`` (Markup, or text and numbers to escape);
        ``flags`` are the template's unprinted values."""
        shape = tuple(
            value if not value else min(value, 2) if isinstance(value, int) else True
            for value in values.values()
        )
        key = (site["lang"], site["title"], *values, *shape, *sorted(flags.items()))
        frame = self._frames.get(key)
        if frame is None:
            frame = self._frames[key] = self._frame(site, values, flags)
        out = frame[:]
        for index in range(1, len(out), 2):
            out[index] = escape(values[out[index]])
        return "".join(out)

    def _frame(self, site: dict[str, Any], values: dict[str, Any],
               flags: dict[str, Any]) -> list[str]:
        marked: dict[str, Any] = {}
        for name, value in values.items():
            if not value:
                marked[name] = value  # not printed, or printed as itself
            elif isinstance(value, int):
                count = marked[name] = _Count(min(value, 2))
                count.marker = _marker(name)
            else:
                marked[name] = Markup(_marker(name))
        return _MARKED.split(self.template.render(site=site, **marked, **flags))
