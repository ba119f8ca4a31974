"""Bytes to text for recover mode's scanner, mending bad encodings.

A declared or BOM-marked encoding is used; UTF-8 is the default, and bytes
that are not UTF-8 in a UTF-8 file are read as Windows-1252 (Latin-1 for its
five unassigned bytes), which is what the editors and databases that produce
such files wrote.  Every such reading is noted as a :class:`Mend`.

A declaration can lie: exporters copy ``encoding="US-ASCII"`` or
``ISO-8859-1`` from a template and write UTF-8 all the same.  When a file
declares an ASCII-based single-byte encoding, its first non-ASCII bytes
decide: text that decodes as UTF-8 (which Latin-1 text, with its lone high
bytes, practically never does) is UTF-8, read so and noted as
``wrong-encoding``; otherwise the declaration holds.  A file declaring
UTF-16 or UTF-32 whose declaration is itself written in single bytes is not
in that encoding either, and is read as UTF-8 the same way.  A byte that no
reading can take becomes U+FFFD, and how many did, and where, is noted too:
no character is replaced without an issue.
"""

from __future__ import annotations

import codecs
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO

_READ_SIZE = 1 << 18
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")


# Declared encodings whose first 128 bytes are ASCII, one byte a character:
# bytes that decode as UTF-8 outvote such a declaration.
_SINGLE_BYTE = re.compile(r"^(ascii|iso8859-\d+|cp125\d|cp437|cp850|mac-roman|koi8-[ru])$")
_WIDE = ("utf-16", "utf-32")


@dataclass
class _Replaced:
    """Bytes a codec could not decode, counted as they are replaced."""

    count: int = 0
    # Where in the bytes being decoded the first of them is, or -1.
    first: int = -1

    def handle(self, error: UnicodeError) -> tuple[str, int]:
        assert isinstance(error, UnicodeDecodeError)
        if self.first < 0:
            self.first = error.start
        self.count += error.end - error.start
        return "\ufffd", error.end


# One error handler for every decoder, registered once: it counts into the
# _Replaced of the decoder decoding now (codecs name handlers globally, so
# a handler per decoder would stay registered for the life of the process).
_REPLACING: ContextVar[_Replaced] = ContextVar("wxrbridge_replacing")
_COUNTED_REPLACE = "wxrbridge.counted-replace"
codecs.register_error(_COUNTED_REPLACE, lambda error: _REPLACING.get().handle(error))


@dataclass
class Mend:
    """One defect mended where it sits; the repairer makes the issues."""

    code: str
    detail: str
    line: int


class Decoder:
    """Reads a byte stream as text, a piece at a time (see the module)."""

    def __init__(self, stream: IO[bytes], mends: list[Mend]) -> None:
        self.stream = stream
        self.mends = mends
        self.pending = b""
        self.line = 1
        self.codec: str | None = None
        self.decoder: codecs.IncrementalDecoder | None = None
        # A single-byte encoding declared, not yet tested against UTF-8.
        self.declared: str | None = None
        self.replaced = _Replaced()
        self.reported = 0

    def _start(self, head: bytes) -> tuple[str, bytes]:
        """The codec of the file whose first bytes are ``head``, and those
        bytes without a UTF-8 byte order mark."""
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8", head[3:]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", head
        if head.startswith(b"<\0?\0"):
            return "utf-16-le", head
        if head.startswith(b"\0<\0?"):
            return "utf-16-be", head
        declared = _ENCODING.match(head.lstrip())
        shown = declared.group(1).decode("ascii") if declared else "UTF-8"
        try:
            name = codecs.lookup(shown.lower()).name
        except LookupError:
            self.mends.append(Mend("bad-encoding", f"unknown encoding {shown!r} read as UTF-8",
                                    1))
            return "utf-8", head
        if name.startswith(_WIDE):
            # The declaration was just read as ASCII: the file is not wide.
            self.mends.append(Mend("wrong-encoding", f"declared {shown}, but written one byte "
                                    "a character (its own declaration is); read as UTF-8", 1))
            return "utf-8", head
        if _SINGLE_BYTE.match(name):
            self.declared = shown
            return "utf-8", head
        return name, head

    def _test_declaration(self, data: bytes) -> None:
        """Whether the declared single-byte encoding or UTF-8 reads the
        rest, decided by the first bytes that are not ASCII (``data``
        holds them; what came before was ASCII, the same in both)."""
        declared, self.declared = self.declared, None
        assert declared is not None
        first = next(index for index, byte in enumerate(data) if byte >= 0x80)
        line = self.line + data.count(b"\n", 0, first)
        try:
            sample = data[:_utf8_cut(data)].decode("utf-8")
        except UnicodeDecodeError:
            if codecs.lookup(declared).name != "ascii":
                self.decoder = codecs.getincrementaldecoder(declared)(_COUNTED_REPLACE)
                return
            self.mends.append(Mend("wrong-encoding", f"declared {declared}, but holds bytes "
                                    "that are not ASCII; read as UTF-8", line))
            return
        shown = sample[len(data[:first].decode("ascii"))]
        self.mends.append(Mend("wrong-encoding", f"declared {declared}, but the bytes are "
                                f"UTF-8 ({shown!r} first); read as UTF-8", line))

    def _decoded(self, data: bytes) -> str:
        assert self.decoder is not None
        self.replaced.first = -1
        token = _REPLACING.set(self.replaced)
        try:
            text = self.decoder.decode(data, final=not data)
        finally:
            _REPLACING.reset(token)
        if self.replaced.count > self.reported:
            count = self.replaced.count - self.reported
            self.reported = self.replaced.count
            # The line of the first (bytes the decoder held back from the
            # last read are counted from this one's start).
            first = self.replaced.first
            assert self.codec is not None
            if self.codec.startswith(_WIDE):
                line = self.line + text[:first // (4 if "32" in self.codec else 2)].count("\n")
            else:
                line = self.line + data.count(b"\n", 0, first)
            self.mends.append(Mend("bad-encoding", f"{count} byte{'s' if count > 1 else ''} "
                                    f"not valid {self.codec} replaced by U+FFFD", line))
        self.line += text.count("\n")
        return text

    def read(self) -> str | None:
        data = self.stream.read(_READ_SIZE)
        if self.codec is None:
            while data and len(data) < 200:
                more = self.stream.read(_READ_SIZE)
                if not more:
                    break
                data += more
            self.codec, data = self._start(data)
            if self.codec != "utf-8":
                self.decoder = codecs.getincrementaldecoder(self.codec)(_COUNTED_REPLACE)
        if self.declared is not None and not data.isascii():
            self._test_declaration(self.pending + data)
            if self.decoder is not None:
                data, self.pending = self.pending + data, b""
        if self.decoder is not None:
            text = self._decoded(data)
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
                self.mends.append(Mend(
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
