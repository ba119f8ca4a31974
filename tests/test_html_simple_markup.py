"""Simple markup skips the sanitiser: what it gives must be the sanitiser's
own output, byte for byte, and anything else must still reach it."""

from __future__ import annotations

import random
from collections import Counter

from wxrbridge.formats.html.sanitize import clean, comment_html, paragraphs
from wxrbridge.formats.html.simple_html import clean_simple

HREFS = [
    "https://example.org/", "http://www.example.com/notes?id=7&amp;lang=en",
    "https://Example.ORG", "https://a-b.example/x_y~z/(1)?q=a,b;c=d#f", "http://localhost",
    "https://example.org/%zz'!$*+@:",
    # The rest are for the sanitiser to judge.
    "https://x.org/a&b", "https://x.org/&lt;",
    "http://127.0.0.1/", "http://1.2.3.4.example/", "http://example.org:8080/",
    "http://user@example.org/", "https://xn--nxasmq6b.example/", "https://xn--zz.example/",
    "https://-a.example/", "https://a..example/", "https://example.org./", "https://",
    "javascript:alert(1)", "/relative", "//example.org/", "mailto:a@example.org",
    "https://example.org/\u202e", "https://exa mple.org/", "https://example.org/\u00a0",
    "https://[::1]/", "https://example.org/<b>", 'https://e.org/"',
]
TEXT = ["a", "b c", " ", "\n", "\n\n", "\t", "é", "\u00a0", ">", "'", '"', "=", "\u0085",
        "\ufffe", "\U0001f44d", "http://example.org/x", "www.example.org"]
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;", "&hellip;", "&#8230;",
            "&#x41;", "&#X263a;", "&#38;", "&#60;", "&#160;", "&notin;", "&NewLine;", "&Tab;",
            "&#x10FFFF;",
            # The rest are for the sanitiser to judge.
            "&#0;", "&#9;", "&#10;", "&#13;",
            "&#31;", "&#127;", "&#128;", "&#159;", "&#xD800;", "&#xFDD0;", "&#65534;",
            "&#x1FFFF;", "&#x110000;", "&#99999999;", "&notit;", "&copy2", "&amp", "&", "&#;",
            "&unknown;", "&AMP;"]
TAGS = ["<em>", "</em>", "<strong>", "</strong>", "<b>", "</b>", "<code>", "</code>",
        "<q>", "</q>", "<abbr>", "</abbr>", "<sup>", "</sup>", "<del>", "</del>", "</a>",
        "<p>", "</p>", "<br>", "<br />", "<br/>", "<EM>", "<em >", "<span>", "</span>",
        "<a>", "<img>", "<h2>", "</h2>", "<blockquote>", "</blockquote>", "<", "<!-- x -->",
        "<script>", "</script>", "<a title=\"x\">"]


INLINE = ["em", "strong", "b", "i", "u", "s", "code", "q", "cite", "abbr", "sup", "del",
          "kbd", "a", "a", "a",
          # The rest are for the sanitiser to judge.
          "span", "EM"]


def _mostly_simple(rng: random.Random, choices: list[str], first_unsure: str) -> str:
    """One of ``choices``, nine times in ten one of those before ``first_unsure``."""
    cut = choices.index(first_unsure)
    return rng.choice(choices[:cut] if rng.random() < 0.9 else choices[cut:])


def _inline(rng: random.Random, depth: int = 0) -> str:
    """Text with inline elements, properly nested, as most comments have it."""
    parts: list[str] = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.3 and depth < 3:
            name = _mostly_simple(rng, INLINE, "span")
            href = _mostly_simple(rng, HREFS, "https://x.org/a&b")
            opening = f'<a href="{href}">' if name == "a" else f"<{name}>"
            parts.append(f"{opening}{_inline(rng, depth + 1)}</{name}>")
        elif kind < 0.5:
            parts.append(_mostly_simple(rng, ENTITIES, "&#0;"))
        else:
            parts.append(rng.choice(TEXT))
    return "".join(parts)


def _comment(rng: random.Random) -> str:
    """A comment's text: inline markup in paragraphs, sometimes broken."""
    text = rng.choice(["\n", "\n\n", " "]).join(_inline(rng) for _ in range(rng.randint(1, 3)))
    for _ in range(rng.choice([0, 0, 1, 2])):
        # A tag or entity of any kind anywhere, or a piece cut out.
        at = rng.randint(0, len(text))
        if rng.random() < 0.7:
            text = text[:at] + rng.choice(TAGS + ENTITIES) + text[at:]
        else:
            text = text[:at] + text[at + rng.randint(1, 6):]
    return text


def test_simple_markup_gives_what_the_sanitiser_gives() -> None:
    rng = random.Random(11)
    taken: Counter[str] = Counter()
    for _ in range(8000):
        text = _comment(rng)
        # As a comment is written: paragraphs, then the sanitiser or not.
        assert str(comment_html(text)) == clean(paragraphs(text)), repr(text)
        # And as markup of any shape, in paragraphs or not.
        for html in (paragraphs(text), f"<p>{text}</p>", text):
            simple = clean_simple(html)
            if simple is not None:
                assert simple == clean(html), repr(html)
                taken.update(part for part in ("<p>", "<a href", "&", "</") if part in html)
            else:
                taken["sanitiser"] += 1
    # Both ways were taken often, with links, entities and inline tags.
    assert min(taken.values()) > 300, taken


def test_markup_the_parser_would_change_goes_to_the_sanitiser() -> None:
    for html in [
        "<p><em>a</p>\n",  # left open
        "<p><em><b>a</em></b></p>\n",  # crossed
        '<p><a href="https://example.org/"><a href="https://example.org/">a</a></a></p>\n',
        "<p><p>a</p></p>\n",
        "a<p>b</p>\n",  # text outside a paragraph
        '<p><a href="http://xn--zz.example/">a</a></p>\n',
        "<p>&#128;</p>\n",
        "<p>&notit;</p>\n",
        "<p>a\rb</p>\n",
    ]:
        assert clean_simple(html) is None, html
