"""Bytes to text for recover mode's scanner, mending bad encodings.

A declared or BOM-marked encoding is used; UTF-8 is the default, and bytes
that are not UTF-8 in a UTF-8 file are read as Windows-1252 (Latin-1 for its
five unassigned bytes), which is what the editors and databases that produce
such files wrote.  Every such reading is noted as a :class:`Mend`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import IO

_READ_SIZE = 1 << 18
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")


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

    def _start(self, head: bytes) -> tuple[str, bytes]:
        """The codec of the file whose first bytes are ``head``, and those
        bytes without a UTF-8 byte order mark."""
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8", head[3:]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", head
        declared = _ENCODING.match(head.lstrip())
        name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        try:
            name = codecs.lookup(name).name
        except LookupError:
            self.mends.append(Mend("bad-encoding", f"unknown encoding {name!r} read as UTF-8",
                                    1))
            name = "utf-8"
        if name.startswith(("utf-16", "utf-32")):
            # A declaration read as ASCII, with no byte order mark: the
            # bytes are not UTF-16 or UTF-32, whatever they say.
            self.mends.append(Mend("bad-encoding", f"declared {name} without a byte order "
                                   "mark, in single bytes: read as UTF-8", 1))
            name = "utf-8"
        return name, head

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
