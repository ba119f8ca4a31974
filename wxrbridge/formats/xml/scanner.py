"""Recover mode's tokenizer: decoded text into tokens, mending on the way.

Each token is emitted as repaired text beside the raw text it was read
from, so that a record can be checked as repaired and reported as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .decoding import Decoder, Mend

# Text is emitted in pieces; a piece never ends within this many characters
# of the buffer's end, so an entity reference is never cut in two.
_TEXT_HOLD = 64
# How far to look for the real end of a CDATA section that holds an unsplit
# "]]>" before giving up and taking the first "]]>" as its end.
_CDATA_LOOKAHEAD = 64 << 20
# A CDATA section longer than this is emitted as several sections in a row
# (the same text), so that no section is held whole however long it is.
_CDATA_PIECE = 1 << 20

_NAME_START = r"[A-Za-z_:\u00C0-\uFFFF]"
_NAME = _NAME_START + r"[\w.\-:\u00B7-\uFFFF]*"
_START_TAG = re.compile(r"<(" + _NAME + r")((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_END_TAG = re.compile(r"</(" + _NAME + r")\s*>")
_ATTRIBUTE = re.compile(
    r"(\s*)([^\s=/>\"']+)(?:(\s*=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?"
)
REFERENCE = re.compile(r"&(?:(" + _NAME + r")|#([0-9]+)|#x([0-9A-Fa-f]+));")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT_SUSPECT = re.compile(r"[&\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|\]\]>")
_ENTITY_DECL = re.compile(r"<!ENTITY\s+(" + _NAME + r")")
PREDEFINED_TEXT = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ATTRIBUTE_SUSPECT = re.compile(r"[&<\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_char(code: int) -> bool:
    """Whether XML 1.0 allows the character ``code`` at all."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


@dataclass
class Token:
    """A piece of the document: markup or text."""

    kind: str  # start, end, text, cdata, comment, pi, doctype
    text: str  # as emitted, repaired
    raw: str  # as read
    line: int
    name: str = ""
    # An end tag the scanner supplied: "eof" when the file ended first,
    # "implied" when an ancestor's end tag or a sibling's start closed it.
    supplied: str = ""



class Scanner:
    """Turns decoded text into tokens, mending what a parser would reject."""

    def __init__(self, decoder: Decoder, mends: list[Mend]) -> None:
        self.decoder = decoder
        self.mends = mends
        self.buffer = ""
        self.position = 0
        self.line = 1
        self.eof = False
        self.entities: set[str] = set()
        # With an external DTD, an undeclared entity may be declared there.
        self.open_entities = False
        self.last_start: str | None = None
        # Inside a CDATA section emitted in pieces (see _CDATA_PIECE).
        self.in_cdata = False
        # Set while the repair leaves out what is read (past a limit): text
        # is not mended, nor its mends reported, as none of it is kept.
        self.dropping = False

    def _more(self) -> bool:
        if self.eof:
            return False
        text = self.decoder.read()
        if text is None:
            self.eof = True
            return False
        self.buffer += text
        return True

    def _compact(self) -> None:
        """Drop what has been read. Only between tokens: a scan in progress
        holds indices into the buffer, which compacting would move."""
        if self.position > (1 << 20):
            self.buffer = self.buffer[self.position:]
            self.position = 0

    def _find(self, needle: str, start: int, limit: int | None = None) -> int:
        """Index of ``needle`` at or after ``start``, reading more as needed."""
        while True:
            found = self.buffer.find(needle, start)
            if found >= 0:
                return found
            if limit is not None and len(self.buffer) - self.position > limit:
                return -1
            start = max(start, len(self.buffer) - len(needle))
            if not self._more():
                return -1

    def _ensure(self, size: int) -> None:
        while len(self.buffer) - self.position < size and self._more():
            pass

    def _mend(self, code: str, detail: str, line: int) -> None:
        self.mends.append(Mend(code, detail, line))

    def _advance(self, raw: str, text: str, kind: str, name: str = "") -> Token:
        token = Token(kind, text, raw, self.line, name)
        self.position += len(raw)
        self.line += raw.count("\n")
        return token

    def tokens(self) -> Iterator[Token]:
        self._ensure(1)
        yield from self._prologue()
        while True:
            self._compact()
            self._ensure(16)
            if self.position >= len(self.buffer):
                return
            if self.in_cdata:
                token = self._cdata_piece(self.position)
            elif self.buffer[self.position] == "<":
                token = self._markup()
            else:
                token = self._text()
            if token.kind != "start":
                # Only a CDATA section right after a start tag is a value
                # whose end can be told by that tag's name.
                self.last_start = None
            yield token

    def _prologue(self) -> Iterator[Token]:
        """Whatever comes before the first markup, and the XML declaration.

        The repaired output is UTF-8 without a declaration (UTF-8 is XML's
        default), so text before the declaration can become whitespace and
        line numbers stay those of the source.
        """
        while self.buffer.find("<", self.position) < 0 and self._more():
            pass
        self._ensure(4096)
        declaration = self.buffer.find("<?xml", self.position, self.position + 4096)
        if declaration < 0:
            start = self.buffer.find("<", self.position)
        else:
            # A PHP notice before the export may hold markup of its own.
            start = declaration
        end = len(self.buffer) if start < 0 else start
        junk = self.buffer[self.position:end]
        if junk.strip():
            self._mend("junk-before-xml", f"text before the XML removed: {junk[:80]!r}",
                       self.line)
            yield self._advance(junk, "\n" * junk.count("\n"), "text")
        elif junk:
            yield self._advance(junk, junk, "text")
        if self.buffer.startswith("<?xml", self.position) and self.buffer[
            self.position + 5:self.position + 6
        ].isspace():
            end = self._find("?>", self.position)
            if end >= 0:
                raw = self.buffer[self.position:end + 2]
                yield self._advance(raw, "\n" * raw.count("\n"), "pi")

    # -- text ------------------------------------------------------------

    def _text(self) -> Token:
        start = self.position
        end = self.buffer.find("<", start)
        while end < 0 and not self.eof and len(self.buffer) - start < 2 * _TEXT_HOLD:
            self._more()
            end = self.buffer.find("<", start)
        if end < 0:
            if self.eof:
                end = len(self.buffer)
            else:
                # Cut where no reference or "]]>" is cut in two.
                end = len(self.buffer) - _TEXT_HOLD
                amp = self.buffer.rfind("&", end - _TEXT_HOLD, end)
                if amp > start:
                    end = amp
                while end - 1 > start and self.buffer[end - 1] == "]":
                    end -= 1
        raw = self.buffer[start:end]
        return self._advance(raw, self._mend_text(raw, self.line), "text")

    def _mend_text(self, raw: str, line: int, attribute: bool = False) -> str:
        if self.dropping and not attribute:
            return raw
        # Substring tests and a plain character class are several times
        # faster than the one expression with its alternative.
        if ("&" not in raw and "]]>" not in raw and not (attribute and "<" in raw)
                and (raw.isprintable() or not _CONTROL.search(raw))):
            return raw
        out: list[str] = []
        position = 0
        pattern = _ATTRIBUTE_SUSPECT if attribute else _TEXT_SUSPECT
        here = line
        for match in pattern.finditer(raw):
            at = match.start()
            # Lines are counted on from the last match, never from the start.
            here += raw.count("\n", position, at)
            out.append(raw[position:at])
            position = match.end()
            found = match.group()
            if found == "&":
                reference = REFERENCE.match(raw, at)
                if reference is not None and self._reference_ok(reference):
                    out.append(reference.group())
                    position = reference.end()
                    continue
                shown = raw[at:at + 12]
                self._mend("raw-ampersand", f"'&' that starts no entity escaped: {shown!r}",
                           here)
                out.append("&amp;")
            elif found == "<":
                self._mend("raw-less-than", "'<' in an attribute value escaped", here)
                out.append("&lt;")
            elif found == "]]>":
                self._mend("cdata-end-in-text", "']]>' in text escaped", here)
                out.append("]]&gt;")
            else:
                self._mend("control-character",
                           f"control character U+{ord(found):04X} removed", here)
        out.append(raw[position:])
        return "".join(out)

    def _reference_ok(self, reference: re.Match[str]) -> bool:
        name, decimal, hexadecimal = reference.groups()
        if name is not None:
            return name in PREDEFINED_TEXT or name in self.entities or self.open_entities
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        return code <= 0x10FFFF and xml_char(code)

    def _strip_controls(self, raw: str, line: int) -> str:
        if not _CONTROL.search(raw):
            return raw
        out: list[str] = []
        position = 0
        here = line
        for match in _CONTROL.finditer(raw):
            here += raw.count("\n", position, match.start())
            out.append(raw[position:match.start()])
            position = match.end()
            self._mend("control-character",
                       f"control character U+{ord(match.group()):04X} removed", here)
        out.append(raw[position:])
        return "".join(out)

    # -- markup ----------------------------------------------------------

    def _markup(self) -> Token:
        buffer_has = self.buffer.startswith
        self._ensure(10)
        at = self.position
        if buffer_has("<!--", at):
            return self._delimited("<!--", "-->", "comment", "comment")
        if buffer_has("<![CDATA[", at):
            return self._cdata()
        if buffer_has("<!DOCTYPE", at):
            return self._doctype()
        if buffer_has("<?", at):
            return self._delimited("<?", "?>", "pi", "processing instruction")
        if buffer_has("</", at):
            match = self._match(_END_TAG)
            if match is not None:
                raw = match.group()
                return self._advance(raw, raw, "end", match.group(1))
        else:
            match = self._match(_START_TAG)
            if match is not None:
                return self._start_tag(match)
        # A '<' that opens no markup is text.
        self._mend("raw-less-than", "'<' that opens no markup escaped", self.line)
        token = self._advance("<", "&lt;", "text")
        return token

    def _delimited(self, opener: str, closer: str, kind: str, what: str) -> Token:
        """A comment or processing instruction: from ``opener`` up to
        ``closer``, with the control characters XML forbids taken out."""
        at = self.position
        end = self._find(closer, at + len(opener))
        if end < 0:
            return self._cut_off(what)
        raw = self.buffer[at:end + len(closer)]
        return self._advance(raw, self._strip_controls(raw, self.line), kind)

    def _match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        while True:
            match = pattern.match(self.buffer, self.position)
            if match is not None:
                return match
            close = self.buffer.find(">", self.position)
            if close >= 0 or self.eof or len(self.buffer) - self.position > 65536:
                return None
            self._more()

    def _cut_off(self, what: str) -> Token:
        raw = self.buffer[self.position:]
        self._mend("truncated", f"the file ends inside a {what}", self.line)
        return self._advance(raw, "\n" * raw.count("\n"), "text")

    def _doctype(self) -> Token:
        at = self.position
        close = self._find(">", at)
        bracket = self.buffer.find("[", at, close if close >= 0 else None)
        if bracket >= 0:
            end = self._find("]", bracket)
            close = self._find(">", end) if end >= 0 else -1
        if close < 0:
            return self._cut_off("DOCTYPE")
        raw = self.buffer[at:close + 1]
        self.entities.update(_ENTITY_DECL.findall(raw))
        head = raw[:bracket - at] if bracket >= 0 else raw
        if "SYSTEM" in head or "PUBLIC" in head or "%" in raw:
            self.open_entities = True
        return self._advance(raw, raw, "doctype")

    def _cdata_piece(self, body: int) -> Token:
        """The next piece of a long CDATA section whose text starts at
        ``body``, as a section of its own; the last one ends where the
        source's does."""
        at = self.position
        end = self._find("]]>", body, _CDATA_PIECE)
        if end >= 0 or self.eof:
            self.in_cdata = False
            stop = end + 3 if end >= 0 else len(self.buffer)
            raw = self.buffer[at:stop]
            inner = self.buffer[body:end if end >= 0 else stop]
        else:
            # Short of a "]]" that a "]]>" may yet complete.
            self.in_cdata = True
            raw = self.buffer[at:len(self.buffer) - 2]
            inner = self.buffer[body:len(self.buffer) - 2]
        text = "<![CDATA[" + self._strip_controls(inner, self.line) + "]]>"
        return self._advance(raw, text, "cdata")

    def _cdata(self) -> Token:
        at = self.position
        end = self._find("]]>", at + 9, _CDATA_PIECE)
        line = self.line
        if end < 0 and not self.eof:
            return self._cdata_piece(at + 9)
        if end < 0:
            raw = self.buffer[at:]
            body = self._strip_controls(raw[9:], line)
            return self._advance(raw, "<![CDATA[" + body + "]]>", "cdata")
        parent = self.last_start
        self._ensure(end - at + 3 + 64)
        after = self.buffer[end + 3:end + 3 + 64]
        if parent is not None and not after.startswith(("</" + parent, "<![CDATA[")):
            # WXR 1.0 wrote a "]]>" inside a value as it was, which ends the
            # section early.  Its real end is the "]]>" right before the
            # element's end tag, if one follows with no new section between.
            closing = self._find("</" + parent + ">", end + 3, _CDATA_LOOKAHEAD)
            real = closing - 3
            reopened = self.buffer.find("<![CDATA[", end + 3, max(real, end + 3))
            if closing >= 0 and self.buffer.startswith("]]>", real) and reopened < 0:
                raw = self.buffer[at:real + 3]
                body = raw[9:-3]
                self._mend("cdata-end-in-value",
                           f"']]>' inside <{parent}> kept as text, not as the end "
                           "of its CDATA section", line)
                body = self._strip_controls(body, line)
                text = "<![CDATA[" + body.replace("]]>", "]]]]><![CDATA[>") + "]]>"
                return self._advance(raw, text, "cdata")
        raw = self.buffer[at:end + 3]
        return self._advance(raw, self._strip_controls(raw, line), "cdata")

    def _start_tag(self, match: re.Match[str]) -> Token:
        raw = match.group()
        name, attributes = match.group(1), match.group(2)
        empty = attributes.rstrip().endswith("/")
        if empty:
            attributes = attributes[:attributes.rstrip().rfind("/")]
        mended = self._mend_attributes(attributes, name)
        text = raw if mended is None else f"<{name}{mended}{'/' if empty else ''}>"
        token = self._advance(raw, text, "empty" if empty else "start", name)
        self.last_start = None if empty else name
        return token

    def _mend_attributes(self, attributes: str, tag: str) -> str | None:
        """The attribute list with its defects mended, or ``None`` when it
        needs no mending."""
        changed = False
        out: list[str] = []
        seen: set[str] = set()
        position = 0
        for match in _ATTRIBUTE.finditer(attributes):
            if match.start() != position:
                dropped = attributes[position:match.start()]
                if dropped.strip():
                    self._mend("bad-attribute", f"{dropped.strip()!r} in <{tag}> removed",
                               self.line)
                    changed = True
                out.append("\n" * dropped.count("\n"))
            position = match.end()
            space, name, equals, double, single, bare = match.groups()
            if not space:
                changed = True
                space = " "
            if equals is None:
                self._mend("bad-attribute", f"attribute {name!r} without a value in "
                           f"<{tag}> removed", self.line)
                changed = True
                out.append(space)
                continue
            if name in seen:
                self._mend("bad-attribute", f"repeated attribute {name!r} in <{tag}> removed",
                           self.line)
                changed = True
                out.append(space)
                continue
            seen.add(name)
            if bare is not None:
                self._mend("unquoted-attribute",
                           f"value of {name!r} in <{tag}> was not quoted", self.line)
                changed = True
                value = bare
            else:
                value = double if double is not None else single
            mended_value = self._mend_text(value, self.line, attribute=True)
            if mended_value != value:
                changed = True
            quote = "'" if single is not None and bare is None else '"'
            if quote == '"' and '"' in mended_value:
                mended_value = mended_value.replace('"', "&quot;")
            out.append(f"{space}{name}{equals if bare is None else '='}"
                       f"{quote}{mended_value}{quote}")
        rest = attributes[position:]
        if rest.strip():
            self._mend("bad-attribute", f"{rest.strip()!r} in <{tag}> removed", self.line)
            changed = True
        out.append("".join(ch for ch in rest if ch.isspace()))
        return "".join(out) if changed else None

