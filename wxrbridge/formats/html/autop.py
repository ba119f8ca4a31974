"""Paragraphs and links in a comment's text, as WordPress shows them.

WordPress stores a comment as its author typed it and formats it only when
it is displayed: ``make_clickable`` turns bare addresses into links and
``wpautop`` turns blank lines into paragraphs and single newlines into line
breaks.  This module follows ``wpautop``'s rules (written here from its
documented behaviour, rule by rule):

- text inside ``<pre>`` is set aside first and put back untouched;
- two ``<br>`` in a row are a paragraph break;
- each block-level tag (``<blockquote>``, ``<ul>``, ``<table>``, a heading…)
  stands in a paragraph of its own, so the plain text around it still gets
  its ``<p>``;
- blank lines separate paragraphs; a newline inside a tag is kept;
- a paragraph that holds only a block tag loses its ``<p>``, and a
  ``<p>`` opened right before a ``<blockquote>`` moves inside it;
- every other newline becomes ``<br />``, except right after a block tag
  or right before one.

The output still goes through the sanitiser, which repairs whatever nesting
the text itself got wrong.
"""

from __future__ import annotations

import re

_BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    "|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section"
    "|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary"
)
_B = f"(?:{_BLOCKS})"

_PRE = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
_DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)
_BEFORE_BLOCK = re.compile(rf"(<{_B}[\s/>])", re.IGNORECASE)
_AFTER_BLOCK = re.compile(rf"(</{_B}>)", re.IGNORECASE)
_HR = re.compile(r"(<hr\s*?/?>)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_TAG_WITH_NEWLINE = re.compile(r"<[^>]*\n")  # where a _TAG holding a newline starts
_NEWLINE_MARK = " <!-- wpnl --> "
_MANY_NEWLINES = re.compile(r"\n\n+")
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
_EMPTY_P = re.compile(r"<p>\s*</p>")
_P_BEFORE_CLOSE = re.compile(r"<p>([^<]+)</(div|address|form)>", re.IGNORECASE)
_P_AROUND_BLOCK = re.compile(rf"<p>\s*(</?{_B}[^>]*>)\s*</p>", re.IGNORECASE)
_P_AROUND_LI = re.compile(r"<p>(<li.+?)</p>", re.IGNORECASE)
_P_BLOCKQUOTE_OPEN = re.compile(r"<p><blockquote([^>]*)>", re.IGNORECASE)
_P_BLOCKQUOTE_CLOSE = re.compile(r"</blockquote></p>", re.IGNORECASE)
_P_OPEN_BLOCK = re.compile(rf"<p>\s*(</?{_B}[^>]*>)", re.IGNORECASE)
_BLOCK_CLOSE_P = re.compile(rf"(</?{_B}[^>]*>)\s*</p>", re.IGNORECASE)
_RAW_TEXT = re.compile(r"<(script|style|svg)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_ANY_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_NEWLINE_TO_BR = re.compile(r"(?<!<br />)\s*\n")
_BLOCK_THEN_BR = re.compile(rf"(</?{_B}[^>]*>)\s*<br />", re.IGNORECASE)
_BR_THEN_BLOCK = re.compile(
    r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", re.IGNORECASE
)
_LAST_P = re.compile(r"\n</p>$")
_KEEP_NEWLINE = "\x00wpnl\x00"
# Every tag any block rule could act on starts like this (the rules match
# by prefix, as WordPress's do: ``<p`` also finds ``<param>``).
_MAY_HOLD_BLOCKS = re.compile(rf"</?(?:{_BLOCKS}|br)|<(?:script|style|svg)", re.IGNORECASE)


def autop(text: str, *, tags: bool | None = None) -> str:
    """``text`` with ``<p>`` and ``<br />`` where WordPress would add them.

    The rules that act on block tags are skipped for text that holds none
    (most comments), which they could not change; ``tags=True`` applies
    them anyway.
    """
    if not text.strip():
        return ""
    inline = "<" in text
    if tags is None:
        tags = inline and _MAY_HOLD_BLOCKS.search(text) is not None
        if not tags and "\n" not in text and "\r" not in text and "\x00" not in text:
            # One line and no block tag or <br> (most comments): one
            # paragraph; of the rules below only the last could act.
            return f"<p>{text}</p>\n".replace(_NEWLINE_MARK, "\n")
    text = text + "\n"
    pres: list[str] = []

    def set_aside(match: re.Match[str]) -> str:
        pres.append(match.group(0))
        return f"<pre wp-pre-tag-{len(pres) - 1}></pre>"

    if tags:
        text = _PRE.sub(set_aside, text)
        text = _DOUBLE_BR.sub("\n\n", text)
        text = _BEFORE_BLOCK.sub(r"\n\n\1", text)
        text = _AFTER_BLOCK.sub(r"\1\n\n", text)
        text = _HR.sub(r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if (tags or inline) and _TAG_WITH_NEWLINE.search(text):
        # A newline inside a tag is part of the tag, not of the text.
        text = _TAG.sub(lambda m: m.group(0).replace("\n", _NEWLINE_MARK), text)
    if "\n\n" in text:
        text = _MANY_NEWLINES.sub("\n\n", text)
    text = "".join(
        "<p>" + part.strip("\n") + "</p>\n"
        for part in _PARAGRAPH_SPLIT.split(text)
        if part.strip()
    )
    if tags:
        # Without tags of its own, no paragraph is empty or holds a block.
        text = _EMPTY_P.sub("", text)
        text = _P_BEFORE_CLOSE.sub(r"<p>\1</p></\2>", text)
        text = _P_AROUND_BLOCK.sub(r"\1", text)
        text = _P_AROUND_LI.sub(r"\1", text)
        text = _P_BLOCKQUOTE_OPEN.sub(r"<blockquote\1><p>", text)
        text = _P_BLOCKQUOTE_CLOSE.sub("</p></blockquote>", text)
        text = _P_OPEN_BLOCK.sub(r"\1", text)
        text = _BLOCK_CLOSE_P.sub(r"\1", text)
        text = _RAW_TEXT.sub(lambda m: m.group(0).replace("\n", _KEEP_NEWLINE), text)
        text = _ANY_BR.sub("<br />", text)
    text = _NEWLINE_TO_BR.sub("<br />\n", text)
    text = text.replace(_KEEP_NEWLINE, "\n")
    text = _BLOCK_THEN_BR.sub(r"\1", text)
    text = _BR_THEN_BLOCK.sub(r"\1", text)
    text = _LAST_P.sub("</p>", text)
    for number, pre in enumerate(pres):
        text = text.replace(f"<pre wp-pre-tag-{number}></pre>", pre)
    return text.replace(_NEWLINE_MARK, "\n")


# -- bare addresses into links ---------------------------------------------

# An address starts at a word boundary with a scheme or "www."; it ends
# before whitespace, a quote or an angle bracket, and trailing punctuation
# is the sentence's, not the address's.
_URL = re.compile(r"(?<![\w/.@=\"'])((?:https?://|www\.)[^\s<>\"']+)", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\u2019\u201d"
_SKIP = re.compile(r"<(/?)(a|pre|code|script|style)\b", re.IGNORECASE)


def _link(match: re.Match[str]) -> str:
    url = match.group(1)
    tail = ""
    while url and url[-1] in _TRAILING:
        # A closing bracket that the address opened is part of it.
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        tail = url[-1] + tail
        url = url[:-1]
    if url.lower() in ("http://", "https://", "www.") or "." not in url:
        return match.group(0)
    href = url if "://" in url else "http://" + url
    return f'<a href="{href}">{url}</a>{tail}'


def linkify(html: str) -> str:
    """``html`` with each bare http(s) or ``www.`` address in its text made a
    link, as WordPress's ``make_clickable`` does; text already inside a
    link, ``<pre>`` or ``<code>`` is left alone."""
    lowered = html.lower()
    if "http" not in lowered and "www." not in lowered:
        return html
    out: list[str] = []
    inside = 0
    position = 0
    for tag in _TAG.finditer(html):
        text = html[position : tag.start()]
        out.append(text if inside else _URL.sub(_link, text))
        out.append(tag.group(0))
        skip = _SKIP.match(tag.group(0))
        if skip:
            inside = max(0, inside + (-1 if skip.group(1) else 1))
        position = tag.end()
    rest = html[position:]
    out.append(rest if inside else _URL.sub(_link, rest))
    return "".join(out)
