"""What a reader has no field for, kept as :class:`Extra` records so that a
writer of the same format can put it back where it was."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ...records import Extra
from .text import serialize_fragment


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
