"""Repairing broken export files before they are parsed (recover mode).

Real exports break in a handful of known ways: WordPress writes author URLs
with a raw ``&``, comments carry C0 control characters that XML 1.0 forbids,
downloads stop half way, a PHP notice lands before the XML declaration, old
exporters wrote ``]]>`` inside a CDATA section unsplit, and some files
declared UTF-8 hold Latin-1 bytes.  A recovering XML parser copes with each of
these by dropping or cutting text, and the damage spreads to whole records.

So recover mode reads the file in two passes over one stream.  This module is
the first: a tolerant scanner (:mod:`.decoding` decodes the bytes,
:mod:`.scanner` cuts the text into tokens) mends each known defect where it
sits (every mend becomes an :class:`ImportIssue`), and the file is re-emitted
as UTF-8.  This module also cuts the document into records (a WXR ``item``, a
Disqus ``post``...) and checks each one with a strict parser on its own; a
record that still does not parse is mended child by child, the way
WordPress's own fallback importer picks ``<wp:comment>`` blocks out of an item
by text matching, and whatever cannot be mended is left out and reported with
its raw text.  The second pass is the ordinary reader, which thus sees a
well-formed file and builds records with the same code as in strict mode;
:func:`read_repaired` joins the two for any format that declares its
:class:`Layout` (``Format.recovery``).

Line numbers survive the repairs (every newline of the source is kept, even
for text left out), so issues from both passes point into the original file.
Memory stays flat: only the record being scanned is held, and what strict
mode's parser refuses for its size is bounded the same way (:mod:`.bounds`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

from ...records import ImportIssue, Record
from .bounds import MAX_DEPTH, MAX_TEXT_BYTES, bounded
from .decoding import Decoder, Mend
from .errors import kept_fragment
from .layout import Layout
from .prefixes import undeclared_prefix
from .scanner import PREDEFINED_TEXT, REFERENCE, Scanner, Token, xml_char
from .text import SAFE_PARSING

# What lost something rather than changed it.
_LOSSES = {"too-deep": "rejected", "text-cut": "rejected", "truncated": "warning"}
# How deep a damaged record is mended child by child; a part deeper than this
# is mended, or left out, whole (each level is a call).
_SALVAGE_DEPTH = 200


def _local(qname: str) -> str:
    return qname.rpartition(":")[2]


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

    def __init__(self, stream: IO[bytes], *, name: str, layout: Layout,
                 max_depth: int | None = None, max_text: int | None = None) -> None:
        self.name = name
        self.layout = layout
        self.max_depth = MAX_DEPTH if max_depth is None else max_depth
        self.max_text = MAX_TEXT_BYTES if max_text is None else max_text
        self.mends: list[Mend] = []
        self.issues: list[ImportIssue] = []
        self._scanner = Scanner(Decoder(stream, self.mends), self.mends)
        self._pieces = self._run()
        self._out = b""
        self._sent = 0
        self._parser = _checker()

    # -- io --------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._sent >= len(self._out):
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._out, self._sent = piece.encode("utf-8"), 0
        # By an offset: cutting what was sent off a record's bytes would copy
        # the rest at every read, quadratic in the record's size.
        size = min(len(buffer), len(self._out) - self._sent)
        buffer[:size] = memoryview(self._out)[self._sent:self._sent + size]
        self._sent += size
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
        tokens: list[Token] | None = None,
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
        grouped: dict[tuple[str | None, str], list[Mend]] = {}
        for mend in mends:
            owner = next((name for first, last, name in parts if first <= mend.line <= last),
                         key)
            grouped.setdefault((owner, mend.code), []).append(mend)
        for (owner, code), group in grouped.items():
            first = group[0]
            more = f" (and {len(group) - 1} more like it)" if len(group) > 1 else ""
            self.issues.append(ImportIssue(
                code=code, reason=first.detail + more,
                severity=_LOSSES.get(code, "repaired"),
                file=self.name, line=first.line, record_key=owner,
            ))

    def _named_parts(self, tokens: list[Token]) -> list[tuple[int, int, str]]:
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

    def _reject(self, tokens: list[Token], reason: str, key: str | None) -> str:
        raw = "".join(token.raw for token in tokens)
        self.issues.append(ImportIssue(
            code="damaged-record", reason=reason, severity="rejected", file=self.name,
            line=tokens[0].line, fragment=kept_fragment(raw),
            record_key=key,
        ))
        # The newlines stay, so later line numbers still match the source.
        return "\n" * raw.count("\n")

    # -- the document ----------------------------------------------------

    def _run(self) -> Iterator[str]:
        depth = self.layout.record_depth
        stack: list[_Open] = []
        context = _Context()
        record: list[Token] | None = None
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

    def _tokens(self, stack: list[_Open], context: _Context) -> Iterator[Token]:
        """The scanner's tokens, balanced: every start gets an end, an end
        tag that closes nothing is dropped, and the file's end closes what
        is still open."""
        depth = self.layout.record_depth
        root_done = False
        source = bounded(self._scanner, self.mends, self.max_depth, self.max_text)
        for token in source:
            if root_done and not stack and token.kind not in ("comment", "pi") and (
                token.kind != "text" or token.text.strip()
            ):
                # Whatever follows the root element (a second document
                # appended, a server's error page) is no part of this one.
                self.mends.append(Mend("junk-outside-root", "content after the root "
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
                yield Token("end", "", "", token.line, token.name, "self")
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
                    self.mends.append(Mend("mismatched-end-tag",
                                            f"</{token.name}> taken as the end of "
                                            f"<{opened.name}>", token.line))
                    root_done = not stack
                    yield Token("end", f"</{opened.name}>", token.raw, token.line, opened.name)
                    continue
                if at is None:
                    self.mends.append(Mend("stray-end-tag",
                                            f"end tag </{token.name}> closes nothing; removed",
                                            token.line))
                    yield Token("text", "", token.raw, token.line)
                    continue
                yield from _close(stack, at + 1, token.line, "implied", self.mends)
                stack.pop()
                root_done = not stack
                yield token
                continue
            if token.kind == "text" and not stack and token.text.strip():
                self.mends.append(Mend("junk-outside-root", "text outside the root element "
                                        "removed", token.line))
                token.text = "\n" * token.raw.count("\n")
            yield token
        if stack:
            names = " > ".join(f"<{o.name}>" for o in stack)
            self.mends.append(Mend("truncated", f"the file ends inside {names}",
                                    self._scanner.line))
            yield from _close(stack, 0, self._scanner.line, "eof", self.mends, quiet=True)

    # -- one record ------------------------------------------------------

    def _record(self, tokens: list[Token], context: _Context) -> str:
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

    def _describe(self, tokens: list[Token]) -> str | None:
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
            entries = [
                # lxml-stubs leave out _ErrorLog.__iter__, which lxml has.
                e for e in exc.error_log  # type: ignore[attr-defined]
                if e.level >= etree.ErrorLevels.ERROR
            ]
            # The exception's log can hold earlier parses' entries too; the
            # parser's is this parse's alone.
            own = [e for e in self._parser.error_log if e.level >= etree.ErrorLevels.ERROR]
            if own and all(undeclared_prefix(e) is not None for e in own):
                return None  # the reader binds such prefixes (see prefixes.py)
            return entries[0].message if entries else str(exc)
        return None

    def _salvage(self, tokens: list[Token], context: _Context, key: str | None,
                 top: bool = False, problem: str = "", nesting: int = 0) -> str:
        """An element that does not parse, mended child by child."""
        start, end = tokens[0], tokens[-1]
        local = _local(start.name)
        what = f"<{start.name}> at line {start.line}"
        if nesting > _SALVAGE_DEPTH:
            return self._reject(tokens, f"{what} is damaged {_SALVAGE_DEPTH} elements deep "
                                f"into its record ({problem}); not read", key)
        if end.supplied == "self":
            damage = self._error(start.text, context)
            if damage is None:
                return start.text
            return self._reject(tokens, f"{what} is damaged beyond repair ({damage}); "
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
            pieces.append(self._salvage(group, child_context, child_key, problem=trouble,
                                        nesting=nesting + 1))
        pieces.append(end.text or f"</{start.name}>")
        text = "".join(pieces)
        trouble = self._error(text, context)
        if trouble is None:
            return text
        return self._reject(tokens, f"{what} is damaged beyond repair ({trouble}); not read",
                            key)

    def _leaf(self, tokens: list[Token], context: _Context, key: str | None,
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
        self.mends.append(Mend("field-rebuilt", f"<{start.name}> did not parse ({problem}); "
                                "rebuilt from its text, with markup and entity references "
                                "in it kept as literal text", start.line))
        text = f"{start.text}{_escape(body)}</{start.name}>"
        trouble = self._error(text, context)
        if trouble is None:
            return text
        return self._reject(tokens, f"<{start.name}> at line {start.line} is damaged "
                            f"beyond repair ({trouble}); not read", key)


def _drop_rest(first: Token, rest: Iterator[Token]) -> Iterator[Token]:
    lines = first.raw.count("\n") + sum(token.raw.count("\n") for token in rest)
    yield Token("text", "\n" * lines, "", first.line)


def _close(stack: list[_Open], keep: int, line: int, why: str, mends: list[Mend],
           quiet: bool = False) -> Iterator[Token]:
    while len(stack) > keep:
        opened = stack.pop()
        if not quiet and why == "implied":
            mends.append(Mend("unclosed-element", f"<{opened.name}> from line {opened.line} "
                               "had no end tag; closed", line))
        yield Token("end", f"</{opened.name}>", "", line, opened.name, why)


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


def _children(tokens: list[Token]) -> list[list[Token]]:
    """Split a balanced token list into single non-element tokens and whole
    child elements."""
    groups: list[list[Token]] = []
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


def _has_elements(tokens: list[Token]) -> bool:
    return any(token.kind == "start" for token in tokens[1:-1])


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        name, decimal, hexadecimal = match.groups()
        if name is not None:
            return PREDEFINED_TEXT.get(name, match.group())
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        return chr(code) if code <= 0x10FFFF and xml_char(code) else match.group()

    return REFERENCE.sub(one, text) if "&" in text else text


def _cdata_value(text: str) -> str:
    return "".join(re.findall(r"<!\[CDATA\[(.*?)\]\]>", text, re.S)) or text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def read_repaired(
    read: Callable[..., Iterator[Record]], stream: IO[bytes], *, name: str, layout: Layout,
    **limits: int,
) -> Iterator[Record]:
    """Recover mode for any format: the records ``read`` makes of ``stream``
    once repaired (``read`` is told to recover, to be lenient in checks of
    its own), each preceded by the issues about what the repair met so far,
    and the rest of them at the end.  ``limits`` lowers :class:`Repair`'s
    ``max_depth`` and ``max_text`` (for tests)."""
    mended = Repair(stream, name=name, layout=layout, **limits)
    for record in read(mended, name=name, recover=True):
        yield from mended.take_issues()
        yield record
    yield from mended.take_issues()
