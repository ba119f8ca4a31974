"""Compare two XML documents the way a round trip should be judged.

Two documents are equal when they hold the same elements in the same order,
with the same namespace URIs, attributes and text.  What a serializer may
change without changing the data is ignored, and nothing else:

* CDATA sections versus escaped text, and how a value is split into CDATA
  sections;
* whitespace-only text *between* elements (indentation).  The text of an
  element without child elements is a value and is compared exactly, spaces
  included;
* XML comments, the XML declaration and the DOCTYPE;
* namespace prefixes below the root, and redundant declarations.  The
  root's own prefix-to-URI map is compared exactly, so a WXR 1.0 file must
  come back as 1.0.

:func:`diff_documents` streams both documents side by side, one grandchild
of the root at a time (one ``item`` of a WXR channel), so two large exports
can be compared in little memory.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import IO, Any, Union

from lxml import etree

from ...errors import InputError
from ...inputs import decompressed
from .errors import not_well_formed
from .text import SAFE_PARSING

XmlSource = Union[str, "os.PathLike[str]", bytes, IO[bytes]]

_PARSER_OPTIONS: dict[str, Any] = {
    **SAFE_PARSING,
    "remove_comments": True,
    "strip_cdata": True,
}
_SHOWN = 60  # characters of a differing value shown on each side


def canonical_tree(source: XmlSource) -> Any:
    """Parse a whole document into the form :func:`diff_documents` compares:
    comments gone, CDATA merged into text, whitespace-only text between
    elements removed.  Returns the root element."""
    stream, name = _open(source)
    try:
        tree = etree.parse(stream, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise not_well_formed(exc, name) from None
    finally:
        if stream is not source:
            stream.close()
    root = tree.getroot()
    for node in root.iter():
        if len(node):
            if _blank(node.text):
                node.text = None
            for child in node:
                if _blank(child.tail):
                    child.tail = None
    return root


def diff_documents(a: XmlSource, b: XmlSource, *, limit: int = 100) -> list[str]:
    """The differences between two documents, one line each with the path of
    the first document (``/rss/channel/item[3]/wp:comment[2]/wp:comment_content``,
    an index shown from the second sibling of the same name on).  An empty
    list means the documents are equal.  Stops after ``limit`` lines."""
    differences = _Differences(limit)
    stream_a, name_a = _open(a)
    stream_b, name_b = _open(b)
    try:
        units_a = _units(stream_a, name_a)
        units_b = _units(stream_b, name_b)
        unit_a = next(units_a, None)
        unit_b = next(units_b, None)
        while (unit_a is not None or unit_b is not None) and not differences.full:
            if unit_a is not None and unit_b is not None and unit_a.kind == unit_b.kind:
                _compare_units(unit_a, unit_b, differences)
                unit_a, unit_b = next(units_a, None), next(units_b, None)
            elif unit_a is not None and (unit_b is None or unit_a.kind == "unit"):
                differences.add(f"{unit_a.path}: only in the first document")
                unit_a = next(units_a, None)
            elif unit_b is not None and (unit_a is None or unit_b.kind == "unit"):
                differences.add(f"{unit_b.path}: only in the second document")
                unit_b = next(units_b, None)
            else:
                assert unit_a is not None and unit_b is not None
                differences.add(
                    f"{unit_a.path}: the structure differs here "
                    f"(second document: {unit_b.path})"
                )
                break
    finally:
        for stream, source in ((stream_a, a), (stream_b, b)):
            if stream is not source:
                stream.close()
    return differences.lines


# -- reading ----------------------------------------------------------------


def _open(source: XmlSource) -> tuple[IO[bytes], str]:
    """A stream of the document, uncompressed as the importer would
    (gzip, bzip2 or xz, by their magic bytes)."""
    if isinstance(source, bytes):
        raw: io.BufferedReader = io.BufferedReader(io.BytesIO(source))
        name = "<bytes>"
    elif isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            raw = open(name, "rb")
        except OSError as exc:
            raise InputError(exc.strerror or str(exc), file=name) from None
    else:
        return source, getattr(source, "name", "<stream>")
    return decompressed(raw, raw.peek(8)[:8]), name


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


@dataclass
class _Unit:
    """One step of the side-by-side walk.

    ``open``/``close`` are the root and its children (compared shallowly),
    ``unit`` a complete grandchild of the root (compared in full).
    """

    kind: str
    path: str
    node: Any
    had_children: bool = False
    root_nsmap: dict[str | None, str] = field(default_factory=dict)


def _units(stream: IO[bytes], name: str) -> Iterator[_Unit]:
    events = etree.iterparse(stream, events=("start", "end"), **_PARSER_OPTIONS)
    depth = 0
    paths: list[str] = [""]
    counts: list[dict[Any, int]] = [{}]
    had_children: list[bool] = [False]
    pending: _Unit | None = None
    try:
        for event, node in events:
            if event == "start":
                depth += 1
                had_children[-1] = True
                if depth > 3:
                    continue
                if pending is not None:
                    yield pending
                    _drop(pending)
                    pending = None
                step = _step(node, counts[-1])
                paths.append(paths[-1] + "/" + step)
                counts.append({})
                had_children.append(False)
                if depth < 3:
                    unit = _Unit("open", paths[-1], node)
                    if depth == 1:
                        unit.root_nsmap = dict(node.nsmap)
                    yield unit
                continue
            depth -= 1
            if depth >= 3:
                continue
            if pending is not None:
                yield pending
                _drop(pending)
                pending = None
            path = paths.pop()
            counts.pop()
            children = had_children.pop()
            kind = "unit" if depth == 2 else "close"
            pending = _Unit(kind, path, node, had_children=children)
        if pending is not None:
            yield pending
    except etree.XMLSyntaxError as exc:
        raise not_well_formed(exc, name) from None


def _drop(unit: _Unit) -> None:
    """Free a compared grandchild and the siblings before it."""
    if unit.kind != "unit":
        return
    node = unit.node
    node.clear()
    parent = node.getparent()
    if parent is not None:
        while node.getprevious() is not None:
            del parent[0]


def _step(node: Any, counts: dict[Any, int]) -> str:
    key = node.tag
    counts[key] = counts.get(key, 0) + 1
    name = _name(node)
    return name if counts[key] == 1 else f"{name}[{counts[key]}]"


def _name(node: Any) -> str:
    tag = node.tag
    if tag is etree.PI:
        return f"processing-instruction({node.target})"
    if tag is etree.Entity:
        return f"entity({node.name})"
    local = etree.QName(node).localname
    return f"{node.prefix}:{local}" if node.prefix else local


# -- comparing -----------------------------------------------------------------


class _Differences:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: list[str] = []

    @property
    def full(self) -> bool:
        return len(self.lines) >= self.limit

    def add(self, line: str) -> None:
        if len(self.lines) < self.limit:
            self.lines.append(line)


def _compare_units(a: _Unit, b: _Unit, out: _Differences) -> None:
    if a.kind == "open":
        if a.node.tag != b.node.tag:
            out.add(f"{a.path}: element {_clark(a.node)} != {_clark(b.node)}")
            return
        if a.root_nsmap != b.root_nsmap:
            out.add(
                f"{a.path}: namespace declarations differ: "
                f"{_ns_text(a.root_nsmap)} != {_ns_text(b.root_nsmap)}"
            )
        _compare_attributes(a.node, b.node, a.path, out)
    elif a.kind == "close":
        _compare_text(a.node.text, b.node.text, not a.had_children and not b.had_children,
                      a.path, "text", out)
        _compare_text(a.node.tail, b.node.tail, False, a.path, "text after", out)
    else:
        _compare_elements(a.node, b.node, a.path, out)
        _compare_text(a.node.tail, b.node.tail, False, a.path, "text after", out)


def _compare_elements(a: Any, b: Any, path: str, out: _Differences) -> None:
    if a.tag != b.tag or (a.tag is etree.PI and a.target != b.target):
        out.add(f"{path}: element {_clark(a)} != {_clark(b)}")
        return
    if a.tag is etree.Entity:
        return
    if a.tag is not etree.PI:
        _compare_attributes(a, b, path, out)
    leaf = len(a) == 0 and len(b) == 0
    _compare_text(a.text, b.text, leaf, path, "text", out)
    if leaf:
        return
    seen_a: dict[Any, int] = {}
    totals: dict[Any, int] = {}
    for child in a:
        totals[child.tag] = totals.get(child.tag, 0) + 1
    for child_a, child_b in zip_longest(a, b):
        if out.full:
            return
        if child_a is None:
            out.add(f"{path}/{_name(child_b)}: only in the second document")
            continue
        seen_a[child_a.tag] = seen_a.get(child_a.tag, 0) + 1
        index = seen_a[child_a.tag]
        step = _name(child_a)
        if index > 1:
            step += f"[{index}]"
        child_path = f"{path}/{step}"
        if child_b is None:
            out.add(f"{child_path}: only in the first document")
            continue
        _compare_elements(child_a, child_b, child_path, out)
        _compare_text(child_a.tail, child_b.tail, False, child_path, "text after", out)


def _compare_attributes(a: Any, b: Any, path: str, out: _Differences) -> None:
    attrs_a, attrs_b = dict(a.attrib), dict(b.attrib)
    if attrs_a == attrs_b:
        return
    for key in sorted(set(attrs_a) | set(attrs_b)):
        if key not in attrs_b:
            out.add(f"{path}/@{key}: only in the first document")
        elif key not in attrs_a:
            out.add(f"{path}/@{key}: only in the second document")
        elif attrs_a[key] != attrs_b[key]:
            out.add(f"{path}/@{key}: {_show(attrs_a[key], attrs_b[key])}")


def _compare_text(
    a: str | None, b: str | None, exact: bool, path: str, what: str, out: _Differences
) -> None:
    a, b = a or "", b or ""
    if a == b:
        return
    if not exact and not a.strip() and not b.strip():
        return
    out.add(f"{path}: {what} differs: {_show(a, b)}")


def _show(a: str, b: str) -> str:
    """Both values around their first difference."""
    start = 0
    for start, (char_a, char_b) in enumerate(zip(a, b, strict=False)):  # noqa: B007
        if char_a != char_b:
            break
    else:
        start = min(len(a), len(b))
    left = max(0, start - _SHOWN // 2)
    prefix = "…" if left else ""

    def cut(text: str) -> str:
        end = left + _SHOWN
        return prefix + text[left:end] + ("…" if len(text) > end else "")

    return f"{cut(a)!r} != {cut(b)!r}"


def _clark(node: Any) -> str:
    if node.tag is etree.PI:
        return f"<?{node.target}?>"
    if node.tag is etree.Entity:
        return f"&{node.name};"
    return f"<{node.tag}>"


def _ns_text(nsmap: dict[str | None, str]) -> str:
    return ", ".join(
        f"{prefix or '(default)'}={uri}"
        for prefix, uri in sorted(nsmap.items(), key=lambda item: item[0] or "")
    )
