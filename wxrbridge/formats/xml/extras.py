"""What a reader has no field for, kept as :class:`Extra` records so that a
writer of the same format can put it back where it was."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from ...records import Extra
from .text import serialize_fragment

# Up to this many attributes an element's own mapping is read; past it, one
# XPath pass.  lxml looks each value up by its name along the element's list
# of attributes, so ``attrib.items()`` is quadratic: 100,000 attributes took
# minutes, where the XPath results carry their values with them.
_FEW_ATTRIBUTES = 32
_ALL_ATTRIBUTES: Any = etree.XPath("@*")  # a list of "smart" strings


def attribute_items(node: Any) -> Iterator[tuple[str, str]]:
    """``node``'s attributes as ``(name, value)`` in document order, names
    in Clark notation as ``attrib`` gives them, in time linear in their
    number."""
    attrib = node.attrib
    if len(attrib) <= _FEW_ATTRIBUTES:
        yield from attrib.items()
        return
    value: Any
    for value in _ALL_ATTRIBUTES(node):
        yield value.attrname, str(value)


def extra_from_node(node: Any, anchor: str | None = None, prefix: str = "") -> Extra | None:
    """A node the schema has no field for, kept exactly as written: an XML
    comment or processing instruction by its text, an element serialized
    whole.  ``anchor`` names the known child it followed; ``prefix`` goes
    before the kept name (a Disqus ``author/`` child).  ``None`` for an
    entity reference, which has no place to go back to: the reader reports
    it as left out."""
    tag = node.tag
    if tag is etree.Comment:
        return Extra("comment", prefix, node.text or "", anchor)
    if tag is etree.PI:
        return Extra("pi", prefix + node.target, node.text or "", anchor)
    if tag is etree.Entity:
        return None
    return Extra("element", prefix + tag, serialize_fragment(node), anchor)
