"""Repairing broken export files before they are parsed (recover mode).

Real exports break in a handful of known ways: WordPress writes author URLs
with a raw ``&``, comments carry C0 control characters that XML 1.0 forbids,
downloads stop half way, a PHP notice lands before the XML declaration, old
exporters wrote ``]]>`` inside a CDATA section unsplit, and some files
declared UTF-8 hold Latin-1 bytes.  A recovering XML parser copes with each of
these by dropping or cutting text, and the damage spreads to whole records.

So recover mode reads the file in two passes over one stream.  This module is
the first: a tolerant scanner that decodes the bytes, mends each known defect
where it sits (every mend becomes an :class:`ImportIssue`), and re-emits the
file as UTF-8.  It also cuts the document into records (a WXR ``item``, a
Disqus ``post``...) and checks each one with a strict parser on its own; a
record that still does not parse is mended child by child, the way
WordPress's own fallback importer picks ``<wp:comment>`` blocks out of an item
by text matching, and whatever cannot be mended is left out and reported with
its raw text.  The second pass is the ordinary reader, which thus sees a
well-formed file and builds records with the same code as in strict mode.

Line numbers survive the repairs (every newline of the source is kept, even
for text left out), so issues from both passes point into the original file.
Memory stays flat: only the record being scanned is held.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

from ..records import ImportIssue
from .xmltext import SAFE_PARSING

# Raw text kept in an issue only up to this size, so one ruined record cannot
# bloat the issue table.
FRAGMENT_LIMIT = 2000

_READ_SIZE = 1 << 18
# Text is emitted in pieces; a piece never ends within this many characters
# of the buffer's end, so an entity reference is never cut in two.
_TEXT_HOLD = 64
# How far to look for the real end of a CDATA section that holds an unsplit
# "]]>" before giving up and taking the first "]]>" as its end.
_CDATA_LOOKAHEAD = 64 << 20

_NAME_START = r"[A-Za-z_:\u00C0-\uFFFF]"
_NAME = _NAME_START + r"[\w.\-:\u00B7-\uFFFF]*"
_START_TAG = re.compile(r"<(" + _NAME + r")((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_END_TAG = re.compile(r"</(" + _NAME + r")\s*>")
_ATTRIBUTE = re.compile(
    r"(\s*)([^\s=/>\"']+)(?:(\s*=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?"
)
_REFERENCE = re.compile(r"&(?:(" + _NAME + r")|#([0-9]+)|#x([0-9A-Fa-f]+));")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT_SUSPECT = re.compile(r"[&\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|\]\]>")
_ENTITY_DECL = re.compile(r"<!ENTITY\s+(" + _NAME + r")")
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_PREDEFINED_TEXT = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _local(qname: str) -> str:
    return qname.rpartition(":")[2]


@dataclass(frozen=True)
class Layout:
    """What a format's records look like to the scanner.

    ``record_depth`` is the depth of a record element (WXR ``rss/channel/item``
    is 3, Disqus ``disqus/post`` is 2).  ``whole`` names, by local name, the
    elements that are kept whole or not at all when the file ends inside them
    (a cut-off comment is not a comment); other elements cut off by the end of
    the file keep their complete children.  ``describe`` names a record for
    issues from its raw text.
    """

    record_depth: int
    whole: frozenset[str]
    describe: Callable[[str, str], str | None]
    # Local names of elements inside a record that are records of their own
    # (a WXR comment inside its item), so that issues name them.
    parts: frozenset[str] = frozenset()


@dataclass
class _Token:
    kind: str  # start, end, text, cdata, comment, pi, doctype
    text: str  # as emitted, repaired
    raw: str  # as read
    line: int
    name: str = ""
    # An end tag the scanner supplied: "eof" when the file ended first,
    # "implied" when an ancestor's end tag or a sibling's start closed it.
    supplied: str = ""


@dataclass
class _Mend:
    code: str
    detail: str
    line: int


class _Decoder:
    """Bytes to text.  A declared or BOM-marked encoding is used; UTF-8 is
    the default, and bytes that are not UTF-8 in a UTF-8 file are read as
    Windows-1252 (Latin-1 for its five unassigned bytes), which is what the
    editors and databases that produce such files wrote."""

    def __init__(self, stream: IO[bytes], mends: list[_Mend]) -> None:
        self.stream = stream
        self.mends = mends
        self.pending = b""
        self.line = 1
        self.codec: str | None = None
        self.decoder: codecs.IncrementalDecoder | None = None

    def _start(self, head: bytes) -> bytes:
        if head.startswith(codecs.BOM_UTF8):
            self.codec = "utf-8"
            return head[3:]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.codec = "utf-16"
            return head
        declared = _ENCODING.match(head.lstrip())
        name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        try:
            name = codecs.lookup(name).name
        except LookupError:
            self.mends.append(_Mend("bad-encoding", f"unknown encoding {name!r} read as UTF-8",
                                    1))
            name = "utf-8"
        self.codec = name
        return head

    def read(self) -> str | None:
        data = self.stream.read(_READ_SIZE)
        if self.codec is None:
            while data and len(data) < 200:
                more = self.stream.read(_READ_SIZE)
                if not more:
                    break
                data += more
            data = self._start(data)
            if self.codec != "utf-8":
                self.decoder = codecs.getincrementaldecoder(self.codec)("replace")
        if self.decoder is not None:
            text = self.decoder.decode(data, final=not data)
            if not data and not text:
                return None
            return text
        data = self.pending + data
        if not data:
            return None
        final = len(data) == len(self.pending)
        cut = len(data) if final else _utf8_cut(data)
        self.pending = data[cut:]
        text = self._utf8(data[:cut])
        if final:
            self.pending = b""
        return text

    def _utf8(self, data: bytes) -> str:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = self._utf8_mended(data)
        self.line += text.count("\n")
        return text

    def _utf8_mended(self, data: bytes) -> str:
        parts: list[str] = []
        position = 0
        line = self.line
        while position < len(data):
            try:
                parts.append(data[position:].decode("utf-8"))
                break
            except UnicodeDecodeError as exc:
                good = data[position:position + exc.start].decode("utf-8")
                parts.append(good)
                line += good.count("\n")
                bad = data[position + exc.start:position + exc.end]
                fixed = "".join(_cp1252(byte) for byte in bad)
                parts.append(fixed)
                self.mends.append(_Mend(
                    "bad-encoding",
                    f"bytes {bad.hex(' ')} are not UTF-8; read as Windows-1252 {fixed!r}",
                    line,
                ))
                position += exc.end
        return "".join(parts)


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def _utf8_cut(data: bytes) -> int:
    """The length of ``data`` without a multi-byte sequence cut at its end."""
    end = len(data)
    for back in range(1, min(4, end) + 1):
        byte = data[end - back]
        if byte < 0x80:
            return end
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return end if back >= need else end - back
    return end


class _Scanner:
    """Turns decoded text into tokens, mending what a parser would reject."""

    def __init__(self, decoder: _Decoder, mends: list[_Mend]) -> None:
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
        self.mends.append(_Mend(code, detail, line))

    def _advance(self, raw: str, text: str, kind: str, name: str = "") -> _Token:
        token = _Token(kind, text, raw, self.line, name)
        self.position += len(raw)
        self.line += raw.count("\n")
        return token

    def tokens(self) -> Iterator[_Token]:
        self._ensure(1)
        yield from self._prologue()
        while True:
            self._compact()
            self._ensure(16)
            if self.position >= len(self.buffer):
                return
            if self.buffer[self.position] == "<":
                token = self._markup()
            else:
                token = self._text()
            if token.kind != "start":
                # Only a CDATA section right after a start tag is a value
                # whose end can be told by that tag's name.
                self.last_start = None
            yield token

    def _prologue(self) -> Iterator[_Token]:
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

    def _text(self) -> _Token:
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
        if not _TEXT_SUSPECT.search(raw) and not (attribute and "<" in raw):
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
                reference = _REFERENCE.match(raw, at)
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
            return name in _PREDEFINED_TEXT or name in self.entities or self.open_entities
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        return code <= 0x10FFFF and _xml_char(code)

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

    def _markup(self) -> _Token:
        buffer_has = self.buffer.startswith
        self._ensure(10)
        at = self.position
        if buffer_has("<!--", at):
            end = self._find("-->", at + 4)
            if end < 0:
                return self._cut_off("comment")
            raw = self.buffer[at:end + 3]
            return self._advance(raw, self._strip_controls(raw, self.line), "comment")
        if buffer_has("<![CDATA[", at):
            return self._cdata()
        if buffer_has("<!DOCTYPE", at):
            return self._doctype()
        if buffer_has("<?", at):
            end = self._find("?>", at + 2)
            if end < 0:
                return self._cut_off("processing instruction")
            raw = self.buffer[at:end + 2]
            return self._advance(raw, self._strip_controls(raw, self.line), "pi")
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

    def _match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        while True:
            match = pattern.match(self.buffer, self.position)
            if match is not None:
                return match
            close = self.buffer.find(">", self.position)
            if close >= 0 or self.eof or len(self.buffer) - self.position > 65536:
                return None
            self._more()

    def _cut_off(self, what: str) -> _Token:
        raw = self.buffer[self.position:]
        self._mend("truncated", f"the file ends inside a {what}", self.line)
        return self._advance(raw, "\n" * raw.count("\n"), "text")

    def _doctype(self) -> _Token:
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

    def _cdata(self) -> _Token:
        at = self.position
        end = self._find("]]>", at + 9)
        line = self.line
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

    def _start_tag(self, match: re.Match[str]) -> _Token:
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


_ATTRIBUTE_SUSPECT = re.compile(r"[&<\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class _Open:
    name: str
    namespaces: dict[str, str]
    line: int
    has_children: bool = False


@dataclass
class _Context:
    """What a record needs to be parsed on its own."""

    doctype: str = ""
    namespaces: dict[str, str] = field(default_factory=dict)


def _checker() -> etree.XMLParser:
    # The same guards as the readers': no DTD, no network, no expansion.
    return etree.XMLParser(**SAFE_PARSING)


class Repair(io.RawIOBase):
    """A byte stream of the repaired document; ``issues`` fills as it is
    read, and a reader takes them with :meth:`take_issues`."""

    def __init__(self, stream: IO[bytes], *, name: str, layout: Layout) -> None:
        self.name = name
        self.layout = layout
        self.mends: list[_Mend] = []
        self.issues: list[ImportIssue] = []
        self._scanner = _Scanner(_Decoder(stream, self.mends), self.mends)
        self._pieces = self._run()
        self._out = b""
        self._parser = _checker()

    # -- io --------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._out:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._out = piece.encode("utf-8")
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        self._out = self._out[size:]
        return size

    def take_issues(self) -> list[ImportIssue]:
        self._flush_mends(None)
        issues, self.issues = self.issues, []
        return issues

    # -- issues ----------------------------------------------------------

    def _flush_mends(
        self,
        key: str | None,
        up_to: int | None = None,
        tokens: list[_Token] | None = None,
    ) -> None:
        """Turn the mends made up to line ``up_to`` (all, when ``None``) into
        issues, one per kind and record.  The decoder reads ahead, so a mend
        of a later line waits for its own record.  Within a record's
        ``tokens``, a mend belongs to the innermost part with a name of its
        own (a comment inside an item)."""
        if up_to is None:
            mends, self.mends[:] = list(self.mends), []
        else:
            mends = [mend for mend in self.mends if mend.line <= up_to]
            self.mends[:] = [mend for mend in self.mends if mend.line > up_to]
        if not mends:
            return
        parts = self._named_parts(tokens) if tokens else []
        grouped: dict[tuple[str | None, str], list[_Mend]] = {}
        for mend in mends:
            owner = next((name for first, last, name in parts if first <= mend.line <= last),
                         key)
            grouped.setdefault((owner, mend.code), []).append(mend)
        for (owner, code), group in grouped.items():
            first = group[0]
            more = f" (and {len(group) - 1} more like it)" if len(group) > 1 else ""
            self.issues.append(ImportIssue(
                code=code, reason=first.detail + more,
                severity="warning" if code == "truncated" else "repaired",
                file=self.name, line=first.line, record_key=owner,
            ))

    def _named_parts(self, tokens: list[_Token]) -> list[tuple[int, int, str]]:
        """(first line, last line, name) of each part of a record that the
        layout can name, innermost first."""
        parts: list[tuple[int, int, str]] = []
        opened: list[int] = []
        for index, token in enumerate(tokens):
            if token.kind == "start":
                opened.append(index)
            elif token.kind == "end" and opened:
                begin = opened.pop()
                if not opened or _local(tokens[begin].name) not in self.layout.parts:
                    continue  # the record itself is named by default
                group = tokens[begin:index + 1]
                name = self.layout.describe(_local(group[0].name),
                                            "".join(t.raw for t in group))
                if name is not None:
                    parts.append((group[0].line, token.line + token.raw.count("\n"), name))
        return parts

    def _reject(self, tokens: list[_Token], reason: str, key: str | None) -> str:
        raw = "".join(token.raw for token in tokens)
        self.issues.append(ImportIssue(
            code="damaged-record", reason=reason, severity="rejected", file=self.name,
            line=tokens[0].line, fragment=raw if len(raw) <= FRAGMENT_LIMIT else None,
            record_key=key,
        ))
        # The newlines stay, so later line numbers still match the source.
        return "\n" * raw.count("\n")

    # -- the document ----------------------------------------------------

    def _run(self) -> Iterator[str]:
        depth = self.layout.record_depth
        stack: list[_Open] = []
        context = _Context()
        record: list[_Token] | None = None
        for token in self._tokens(stack, context):
            kind = token.kind
            if record is not None:
                record.append(token)
                if kind == "end" and len(stack) < depth:
                    text = self._record(record, context)
                    record = None
                    yield text
                continue
            if kind == "start" and len(stack) == depth:
                # The token is pushed already: this starts a record.
                self._flush_mends(None, token.line - 1)
                record = [token]
                continue
            if kind == "doctype":
                context.doctype = token.text
            elif kind == "start" and len(stack) < depth:
                context.namespaces.update(stack[-1].namespaces)
            yield token.text
        if record is not None:
            yield self._record(record, context)
        self._flush_mends(None)

    def _tokens(self, stack: list[_Open], context: _Context) -> Iterator[_Token]:
        """The scanner's tokens, balanced: every start gets an end, an end
        tag that closes nothing is dropped, and the file's end closes what
        is still open."""
        depth = self.layout.record_depth
        root_done = False
        source = self._scanner.tokens()
        for token in source:
            if root_done and not stack and token.kind not in ("comment", "pi") and (
                token.kind != "text" or token.text.strip()
            ):
                # Whatever follows the root element (a second document
                # appended, a server's error page) is no part of this one.
                self.mends.append(_Mend("junk-outside-root", "content after the root "
                                        "element removed", token.line))
                yield from _drop_rest(token, source)
                return
            if token.kind in ("empty", "start") and stack:
                stack[-1].has_children = True
            if token.kind == "empty":
                token.kind = "start"
                stack.append(_Open(token.name, _namespaces(token.text), token.line))
                yield token
                stack.pop()
                yield _Token("end", "", "", token.line, token.name, "self")
                continue
            if token.kind == "start":
                # A record never holds another of its kind: a second <item>
                # (or <wp:comment>) while one is open means the first lost
                # its end tag.
                local = _local(token.name)
                if len(stack) >= depth and (
                    local in self.layout.parts or local == _local(stack[depth - 1].name)
                ):
                    same = next((index for index in range(len(stack) - 1, depth - 2, -1)
                                 if _local(stack[index].name) == local), None)
                    if same is not None:
                        yield from _close(stack, same, token.line, "implied", self.mends)
                stack.append(_Open(token.name, _namespaces(token.text), token.line))
                yield token
                continue
            if token.kind == "end":
                at = _innermost(stack, token.name)
                if at is None and stack and not stack[-1].has_children and len(stack) > 1:
                    # A misspelt end tag of a field that holds only text ends
                    # that field.
                    opened = stack.pop()
                    self.mends.append(_Mend("mismatched-end-tag",
                                            f"</{token.name}> taken as the end of "
                                            f"<{opened.name}>", token.line))
                    root_done = not stack
                    yield _Token("end", f"</{opened.name}>", token.raw, token.line, opened.name)
                    continue
                if at is None:
                    self.mends.append(_Mend("stray-end-tag",
                                            f"end tag </{token.name}> closes nothing; removed",
                                            token.line))
                    yield _Token("text", "", token.raw, token.line)
                    continue
                yield from _close(stack, at + 1, token.line, "implied", self.mends)
                stack.pop()
                root_done = not stack
                yield token
                continue
            if token.kind == "text" and not stack and token.text.strip():
                self.mends.append(_Mend("junk-outside-root", "text outside the root element "
                                        "removed", token.line))
                token.text = "\n" * token.raw.count("\n")
            yield token
        if stack:
            names = " > ".join(f"<{o.name}>" for o in stack)
            self.mends.append(_Mend("truncated", f"the file ends inside {names}",
                                    self._scanner.line))
            yield from _close(stack, 0, self._scanner.line, "eof", self.mends, quiet=True)

    # -- one record ------------------------------------------------------

    def _record(self, tokens: list[_Token], context: _Context) -> str:
        text = "".join(token.text for token in tokens)
        clean = not any(token.supplied in ("eof", "implied") for token in tokens)
        last = tokens[-1].line + tokens[-1].raw.count("\n")
        if clean and self._parses(text, context):
            # Most records need no name: only one with a mend to report does.
            if any(mend.line <= last for mend in self.mends):
                self._flush_mends(self._describe(tokens), last, tokens)
            return text
        key = self._describe(tokens)
        mended = self._salvage(tokens, context, key, top=True)
        self._flush_mends(key, last, tokens)
        return mended

    def _describe(self, tokens: list[_Token]) -> str | None:
        """How issues name the record these tokens make ("comment 12")."""
        raw = "".join(token.raw for token in tokens)
        return self.layout.describe(_local(tokens[0].name), raw)

    def _parses(self, text: str, context: _Context) -> bool:
        return self._error(text, context) is None

    def _error(self, text: str, context: _Context) -> str | None:
        declarations = "".join(
            f' xmlns{":" + prefix if prefix else ""}="{_attr(uri)}"'
            for prefix, uri in context.namespaces.items()
        )
        document = f"{context.doctype}<wxrbridge-check{declarations}>{text}</wxrbridge-check>"
        try:
            etree.fromstring(document.encode("utf-8"), self._parser)
        except etree.XMLSyntaxError as exc:
            entries = [e for e in exc.error_log if e.level >= etree.ErrorLevels.ERROR]
            return entries[0].message if entries else str(exc)
        return None

    def _salvage(self, tokens: list[_Token], context: _Context, key: str | None,
                 top: bool = False, problem: str = "") -> str:
        """An element that does not parse, mended child by child."""
        start, end = tokens[0], tokens[-1]
        local = _local(start.name)
        what = f"<{start.name}> at line {start.line}"
        if end.supplied == "self":
            trouble = self._error(start.text, context)
            if trouble is None:
                return start.text
            return self._reject(tokens, f"{what} is damaged beyond repair ({trouble}); "
                                "not read", key)
        if end.supplied == "eof" and (local in self.layout.whole or not _has_elements(tokens)):
            return self._reject(tokens, f"{what} is cut off by the end of the file; "
                                "not read", key)
        inner = _children(tokens[1:-1])
        holds_text = any(
            len(group) == 1 and (group[0].kind == "cdata" or (
                group[0].kind == "text" and group[0].text.strip()))
            for group in inner
        )
        if not top and local not in self.layout.whole and (
            holds_text or not _has_elements(tokens)
        ):
            return self._leaf(tokens, context, key, problem)
        namespaces = dict(context.namespaces)
        namespaces.update(_namespaces(start.text))
        child_context = _Context(context.doctype, namespaces)
        pieces = [start.text]
        for group in inner:
            if len(group) == 1 or group[0].kind != "start":
                piece = group[0].text if len(group) == 1 else "".join(t.text for t in group)
                if group[0].kind == "text" and piece.strip():
                    # Stray text between children is what a text-matching
                    # reader ignores too; leaving it would re-break the record.
                    piece = self._reject(group, f"text between the children of {what} "
                                         "left out", key)
                pieces.append(piece)
                continue
            child_text = "".join(t.text for t in group)
            trouble: str | None = "an element without its end tag"
            if not any(t.supplied in ("eof", "implied") for t in group):
                trouble = self._error(child_text, child_context)
            if trouble is None:
                pieces.append(child_text)
                continue
            child_key = self.layout.describe(_local(group[0].name),
                                             "".join(t.raw for t in group)) or key
            pieces.append(self._salvage(group, child_context, child_key, problem=trouble))
        pieces.append(end.text or f"</{start.name}>")
        text = "".join(pieces)
        trouble = self._error(text, context)
        if trouble is None:
            return text
        return self._reject(tokens, f"{what} is damaged beyond repair ({trouble}); not read",
                            key)

    def _leaf(self, tokens: list[_Token], context: _Context, key: str | None,
              problem: str) -> str:
        """A field rebuilt from its text, as WordPress's text-matching parser
        would read it: CDATA unwrapped, markup kept as literal text."""
        start, end = tokens[0], tokens[-1]
        if end.supplied == "eof":
            return self._reject(tokens, f"<{start.name}> at line {start.line} is cut off "
                                "by the end of the file; not read", key)
        value: list[str] = []
        for token in tokens[1:-1]:
            if token.kind == "text":
                value.append(_unescape(token.text))
            elif token.kind == "cdata":
                value.append(_cdata_value(token.text))
            elif not token.supplied:
                value.append(token.raw)
        body = "".join(value)
        self.mends.append(_Mend("field-rebuilt", f"<{start.name}> did not parse ({problem}); "
                                "rebuilt from its text, with markup and entity references "
                                "in it kept as literal text", start.line))
        text = f"{start.text}{_escape(body)}</{start.name}>"
        trouble = self._error(text, context)
        if trouble is None:
            return text
        return self._reject(tokens, f"<{start.name}> at line {start.line} is damaged "
                            f"beyond repair ({trouble}); not read", key)


def _drop_rest(first: _Token, rest: Iterator[_Token]) -> Iterator[_Token]:
    lines = first.raw.count("\n") + sum(token.raw.count("\n") for token in rest)
    yield _Token("text", "\n" * lines, "", first.line)


def _close(stack: list[_Open], keep: int, line: int, why: str, mends: list[_Mend],
           quiet: bool = False) -> Iterator[_Token]:
    while len(stack) > keep:
        opened = stack.pop()
        if not quiet and why == "implied":
            mends.append(_Mend("unclosed-element", f"<{opened.name}> from line {opened.line} "
                               "had no end tag; closed", line))
        yield _Token("end", f"</{opened.name}>", "", line, opened.name, why)


def _innermost(stack: list[_Open], name: str) -> int | None:
    for index in range(len(stack) - 1, -1, -1):
        if stack[index].name == name:
            return index
    return None


def _namespaces(start_tag: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if "xmlns" not in start_tag:
        return found
    for match in re.finditer(r"""\sxmlns(?::([^\s=]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                             start_tag):
        prefix, double, single = match.groups()
        found[prefix or ""] = double if double is not None else single
    return found


def _children(tokens: list[_Token]) -> list[list[_Token]]:
    """Split a balanced token list into single non-element tokens and whole
    child elements."""
    groups: list[list[_Token]] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            groups.append([token])
        else:
            groups[-1].append(token)
        if token.kind == "start":
            depth += 1
        elif token.kind == "end":
            depth -= 1
    return groups


def _has_elements(tokens: list[_Token]) -> bool:
    return any(token.kind == "start" for token in tokens[1:-1])


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        name, decimal, hexadecimal = match.groups()
        if name is not None:
            return _PREDEFINED_TEXT.get(name, match.group())
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        return chr(code) if code <= 0x10FFFF and _xml_char(code) else match.group()

    return _REFERENCE.sub(one, text) if "&" in text else text


def _cdata_value(text: str) -> str:
    return "".join(re.findall(r"<!\[CDATA\[(.*?)\]\]>", text, re.S)) or text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def repair(stream: IO[bytes], *, name: str, layout: Layout) -> Repair:
    """The repaired document of ``stream``, to hand to a parser."""
    return Repair(stream, name=name, layout=layout)
