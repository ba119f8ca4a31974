"""Recover mode within strict mode's limits.

What strict mode's parser refuses for its size is bounded the same way, at
the same limits: an element nested deeper than :data:`MAX_DEPTH` is left out
with everything in it, a text longer than :data:`MAX_TEXT_BYTES` (what a
store can take) is cut there, and either is a mend, so that no input makes the record the repairer
holds, or its work, unbounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .decoding import Mend
from .scanner import Scanner, Token

# How deep elements nest: libxml2's limit with huge_tree (XML_PARSE_HUGE),
# which strict mode reads with; the repaired document is parsed by the same
# parser, so it must stay within it too.
MAX_DEPTH = 2048
# The most bytes one text (or CDATA) node keeps.  Strict mode's parser
# refuses a node past 1,000,000,000 bytes, but no store takes a value that
# size (SQLite's and PostgreSQL's limits are about there, for the whole row
# or value), and recover mode holds a record several times over while it
# checks it: cut at 256 MiB, far past any real comment or post, the peak
# stays near 1.5 GB and the value can be stored.
MAX_TEXT_BYTES = 256 << 20


def bounded(scanner: Scanner, mends: list[Mend], max_depth: int,
            max_text: int) -> Iterator[Token]:
    """The scanner's tokens within strict mode's limits: an element
    nested deeper than ``max_depth`` is left out with all it holds, and
    a text node is cut at ``max_text`` bytes.  Depth is counted on the
    tokens as written (unclosed elements count), so that no input makes
    the repairer's balancing, or a record, unbounded.  The newlines of what
    is left out follow the next end tag, not to be taken as text."""
    level = 0
    skipping = 0  # the level whose subtree is being left out, or 0
    node = 0  # UTF-8 bytes of the text node read so far
    node_line = 1  # where it starts
    cut: _Cut | None = None
    lines = 0  # newlines of what was left out, still to be emitted
    for token in scanner.tokens():
        kind = token.kind
        # Before each token goes on (the scanner reads the next one then):
        # whether what it reads next is being left out.
        if skipping or (cut is not None and kind in ("text", "cdata")):
            if cut is not None:
                cut.dropped += _utf8_size(token.text)
            lines += token.raw.count("\n")
            if kind in ("start", "end"):
                level += 1 if kind == "start" else -1
                if level < skipping:
                    skipping = 0
            scanner.dropping = bool(skipping) or cut is not None
            continue
        if kind in ("text", "cdata"):
            size = _utf8_size(token.text)
            if node == 0:
                node_line = token.line
            if node + size > max_text:
                token = _cut_token(token, max_text - node)
                kept = _utf8_size(token.text)
                cut = _Cut(node_line, node + kept, size - kept)
            node += size
            scanner.dropping = cut is not None
            yield token
            continue
        if cut is not None:
            mends.append(_text_cut(cut))
            cut = None
        node = 0
        if kind == "end":
            level = max(0, level - 1)
        elif kind in ("start", "empty") and level >= max_depth:
            mends.append(Mend("too-deep", f"<{token.name}> nested more than "
                                   f"{max_depth} elements deep (the most strict mode "
                                   "reads); left out with everything in it", token.line))
            lines += token.raw.count("\n")
            if kind == "start":
                level += 1
                skipping = level
            scanner.dropping = bool(skipping)
            continue
        elif kind == "start":
            level += 1
        scanner.dropping = False
        yield token
        if kind == "end" and lines:
            yield Token("text", "\n" * lines, "\n" * lines, token.line)
            lines = 0
    if cut is not None:
        mends.append(_text_cut(cut))
    if lines:
        yield Token("text", "\n" * lines, "\n" * lines, scanner.line)

def _text_cut(cut: _Cut) -> Mend:
    return Mend(
        "text-cut", f"a text of {cut.kept + cut.dropped:,} bytes (as repaired) cut after "
        f"{cut.kept:,}, the most recover mode keeps of one; {cut.dropped:,} left out",
        cut.line)


@dataclass
class _Cut:
    """A text node being cut: where it starts, and how much is left out."""

    line: int
    kept: int
    dropped: int


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _cut_token(token: Token, size: int) -> Token:
    """A text or CDATA token cut to at most ``size`` bytes of UTF-8, never
    inside a character or an entity reference."""
    if token.kind == "cdata":
        body = token.text[9:-3]
        kept = body.encode("utf-8", "surrogatepass")[:max(0, size - 12)]
        body = kept.decode("utf-8", "ignore")
        if body.endswith("]]"):
            body = body[:-2]
        return Token("cdata", f"<![CDATA[{body}]]>", token.raw, token.line, token.name)
    text = token.text.encode("utf-8", "surrogatepass")[:max(0, size)].decode("utf-8", "ignore")
    amp = text.rfind("&", max(0, len(text) - 16))
    if amp >= 0 and ";" not in text[amp:]:
        text = text[:amp]
    return Token("text", text, token.raw, token.line)
