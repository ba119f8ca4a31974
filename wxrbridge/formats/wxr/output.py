"""Writing XML in stretches of lxml output and of text.

lxml writes what needs it (namespace declarations, extras, anything
unusual); leaves and whole comments are formatted as text in between (see
text.py), byte for byte as lxml would write them.  The text is kept in
``raw``; every lxml write is preceded by ``_end_raw``, which sends it out
first.  The namespaces of the open elements are tracked, since they decide
the prefixes the text must use.
"""

from __future__ import annotations

import io
import re
from collections.abc import Container, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import IO, Any

from lxml import etree

from ...records import Extra, Meta
from .. import WriteReport
from ..xml.text import (
    CDATA_WRITES,
    FORBIDDEN,
    REPLACEMENT,
    SAFE_PARSING,
    escape_attribute,
    escape_text,
    forbidden_in,
    utf8,
)
from .names import COMMENT_FIELDS
from .placing import NO_EXTRAS, Extras
from .text import CommentTags, cdata_text, comment_parts, plain_names, write_cdata


class XmlOutput:
    """The low-level output of an XML writer: elements, leaves, extras put
    back at their anchors, and the text fast path."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.report = WriteReport()
        self.xf: Any = None
        # Leaves and comments are written as text between stretches of lxml
        # output; ``raw`` holds that text until it goes to ``out``.
        self.raw: list[str] | None = None
        # The namespace declarations of the elements open, and a key for them.
        self.scopes: list[dict[str, str] | None] = []
        self.scope_key: tuple[str | None, ...] = ()
        self.prefixes: dict[tuple[tuple[str | None, ...], str], str | None] = {}
        self.comment_tags: dict[tuple[tuple[str | None, ...], int], CommentTags | None] = {}
        # The WordPress namespace in Clark notation ("{uri}"), once chosen.
        self.wp = ""
        self.safe_parser = etree.XMLParser(**SAFE_PARSING)

    # -- low-level output -----------------------------------------------

    @contextmanager
    def _element(
        self, tag: str, attrib: dict[str, str], nsmap: dict[str, str] | None = None
    ) -> Iterator[None]:
        """An element written by lxml, its namespaces kept track of (they
        decide the prefixes of the elements written as text inside it).

        One that declares nothing and has no attributes is written as text
        where lxml would write its plain name (see _name): what it holds is
        written alike inside it either way, and going from text to lxml
        and back costs more than the element itself.
        """
        if not attrib and not nsmap:
            name = self._name(tag)
            if name is not None:
                self._start_raw().append(f"<{name}>")
                yield
                self._start_raw().append(f"</{name}>")
                return
        self._end_raw()
        nsmap = nsmap or None
        key = self.scope_key
        self.scopes.append(nsmap)
        self.scope_key = (*key, None if nsmap is None else repr(sorted(nsmap.items())))
        try:
            with self.xf.element(tag, attrib, nsmap=nsmap):
                yield
                self._end_raw()
        finally:
            self.scopes.pop()
            self.scope_key = key

    def _nl(self, depth: int) -> None:
        if self.raw is not None:
            self.raw.append("\n" + "\t" * depth)
        else:
            self.xf.write("\n" + "\t" * depth)

    def _clean(self, text: str, label: str, what: str) -> str:
        if not forbidden_in(text):
            return text
        found = sorted({f"U+{ord(ch):04X}" for ch in FORBIDDEN.findall(text)})
        self.report.notes.append(
            f"{label}: {what}: replaced {', '.join(found)} (not allowed in XML) with U+FFFD"
        )
        return FORBIDDEN.sub(REPLACEMENT, text)

    def _leaf(
        self,
        depth: int,
        tag: str,
        text: str,
        cdata: bool,
        label: str,
        attrib: dict[str, str] | None = None,
        nsmap: dict[str, str] | None = None,
    ) -> None:
        self._nl(depth)
        if forbidden_in(text):
            # The element's name only labels the note; most text needs none.
            text = self._clean(text, label, etree.QName(tag).localname)
        if attrib:
            attrib = {k: self._clean(v, label, k) for k, v in attrib.items()}
        if not nsmap and CDATA_WRITES:
            name = self._name(tag)
            if name is not None and (not attrib or plain_names(attrib)):
                self._raw_leaf(name, text, cdata, attrib)
                return
        self._end_raw()
        xf = self.xf
        with xf.element(tag, attrib, nsmap=nsmap or None):
            if not text:
                if cdata and CDATA_WRITES:
                    xf.write(etree.CDATA(""))
            elif not cdata or not CDATA_WRITES or "\r" in text:
                # A carriage return survives a re-read only as a reference.

                xf.write(text)
            else:
                # "]]>" cannot sit in one CDATA section: it is cut after
                # "]]", the ">" opening the next section.
                pieces = text.split("]]>")
                last = len(pieces) - 1
                for index, piece in enumerate(pieces):
                    write_cdata(xf, (">" if index else "") + piece
                                 + ("]]" if index < last else ""))

    def _write_extra_nodes(self, extras: Iterable[Extra], depth: int) -> None:
        for extra in extras:
            self._nl(depth)
            if extra.kind == "comment":
                text = extra.value.replace("--", "- -")
                if text.endswith("-"):
                    text += " "
                self._end_raw()
                self.xf.write(etree.Comment(text))
            elif extra.kind == "pi":
                self._end_raw()
                self.xf.write(etree.PI(extra.name, extra.value.replace("?>", "? >")))
            else:
                try:
                    node = etree.fromstring(extra.value, self.safe_parser)
                except etree.XMLSyntaxError as exc:
                    self.report.left_out.append(
                        f"unknown element {extra.name}: cannot be written back ({exc})"
                    )
                    continue
                node.tail = None
                self._end_raw()
                self.xf.write(node)

    def _place(self, extras: Extras, anchor: str | None, depth: int) -> None:
        if extras.nodes:
            nodes = extras.nodes.get(anchor)
            if nodes:
                extras.used.add(anchor)
                self._write_extra_nodes(nodes, depth)

    def _place_rest(
        self, extras: Extras, depth: int, skip: Container[str | None] = ()
    ) -> None:
        """Extras whose anchor was never written go at the end of the record."""
        if extras.nodes:
            for anchor, nodes in extras.nodes.items():
                if anchor not in extras.used and anchor not in skip and anchor is not None:
                    self._write_extra_nodes(nodes, depth)

    def _fields(
        self,
        depth: int,
        values: Iterable[tuple[str, str, str | None, bool]],
        extras: Extras,
        label: str,
    ) -> None:
        """Write (anchor, tag, text, cdata) children in order, skipping
        absent ones, each followed by the extras that came after it."""
        for anchor, tag, text, cdata in values:
            if text is None:
                continue
            if extras is NO_EXTRAS:
                self._leaf(depth, tag, text, cdata, label)
                continue
            self._leaf(depth, tag, text, cdata, label,
                       extras.attrs.get(anchor), extras.ns.get(anchor))
            self._place(extras, anchor, depth)

    def _meta(
        self, depth: int, tag: str, pairs: Iterable[Meta], label: str
    ) -> None:
        wp = self.wp
        for key, value in pairs:
            self._nl(depth)
            with self._element(tag, {}):
                self._leaf(depth + 1, wp + "meta_key", key, True, label)
                if value is not None:
                    self._leaf(depth + 1, wp + "meta_value", value, True, label)
                self._nl(depth)

    # -- elements as text ---------------------------------------------------
    #
    # A file is mostly small leaf elements, comments' above all, and writing
    # them one by one through lxml costs three times what formatting them as
    # text does.  Leaves, and whole comments without extras, are therefore
    # formatted here and in text.py, byte for byte as lxml writes them: the
    # same prefixes, text and attributes escaped as libxml2 escapes them,
    # CDATA cut where _leaf cuts it.  Anything unusual (extras on a comment, a namespace
    # declared on the element or one lxml would have to declare, an attribute
    # in a namespace) goes through lxml.  The text is kept in ``raw``; every
    # lxml write is preceded by _end_raw, which sends it out first.

    def _comment_tags(self, depth: int) -> CommentTags | None:
        """The tags of the open item's comments, or None to leave them to lxml."""
        key = (self.scope_key, depth)
        if key not in self.comment_tags:
            name = self._name(self.wp + "comment")
            self.comment_tags[key] = (
                None if name is None else CommentTags(name[: -len("comment")], depth)
            )
        return self.comment_tags[key]

    def _name(self, tag: str) -> str | None:
        """The name lxml writes for ``tag`` in the open element (``wp:comment``,
        say), or None where it would declare a namespace on the element itself
        or cannot write CDATA.

        Asked of lxml rather than worked out, since lxml picks among several
        prefixes for one namespace by rules of its own.
        """
        key = (self.scope_key, tag)
        if key in self.prefixes:
            return self.prefixes[key]
        name: str | None = None
        if CDATA_WRITES:
            buffer = io.BytesIO()
            with etree.xmlfile(buffer, encoding="utf-8") as xf, ExitStack() as stack:
                for scope in self.scopes:
                    stack.enter_context(xf.element("scope", nsmap=scope))
                xf.write("|")
                with xf.element(tag):
                    pass
            written = buffer.getvalue().decode("utf-8").rpartition("|")[2]
            local = re.escape(etree.QName(tag).localname)
            match = re.match(rf"<((?:[^\s<>:]+:)?{local})></\1>", written)
            name = match.group(1) if match else None
        self.prefixes[key] = name
        return name

    def _start_raw(self) -> list[str]:
        if self.raw is None:
            # What lxml holds goes out before the text that follows it.
            self.xf.flush()
            self.raw = []
        return self.raw

    def _raw_leaf(
        self, name: str, text: str, cdata: bool, attrib: dict[str, str] | None
    ) -> None:
        """_leaf's element as text (``text`` and ``attrib`` already clean)."""
        if attrib:
            start = f"<{name}" + "".join(
                f' {key}="{escape_attribute(value)}"' for key, value in attrib.items()
            ) + ">"
        else:
            start = f"<{name}>"
        body = cdata_text(text) if cdata else escape_text(text)
        self._start_raw().append(f"{start}{body}</{name}>")

    def _raw_comment(
        self,
        tags: CommentTags,
        texts: tuple[str | None, ...],
        meta: list[Meta],
        comment_key: str,
    ) -> None:
        parts = comment_parts(tags, texts, meta)
        if parts is None:
            # Rare: clean field by field, which notes what was replaced where
            # in the order _leaf would have.
            label = f"comment {comment_key}"
            texts = tuple(
                None if text is None else self._clean(text, label, local)
                for (local, _attr), text in zip(COMMENT_FIELDS, texts, strict=True)
            )
            meta = [
                (self._clean(key, label, "meta_key"),
                 None if value is None else self._clean(value, label, "meta_value"))
                for key, value in meta
            ]
            parts = comment_parts(tags, texts, meta)
            assert parts is not None
        raw = self._start_raw()
        raw.append("".join(parts))
        if len(raw) > 2048:
            self._end_raw()

    def _end_raw(self) -> None:
        """Send the comments written as text to ``out``; lxml writes next."""
        if self.raw is not None:
            self.out.write(utf8(self.raw))
            self.raw = None
