"""The records of a Disqus export's record elements: categories, threads
and posts, each read from its children in one pass.

A record element of the usual shape takes a short path
(:meth:`RecordReader._plain_values`); any other is read child by child,
keeping what no field takes as extras and reporting what cannot be kept.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ...canonical import dsq_bool, parse_utc
from ...records import Comment, Extra, ImportIssue, Term, Thread
from ..xml.errors import kept_fragment
from ..xml.extras import extra_from_node
from .schema import (
    AUTHOR,
    AUTHOR_PREFIX,
    CATEGORY,
    DISQUS_NS,
    DSQ_ID,
    POST,
    POST_AUTHOR,
    THREAD,
    THREAD_AUTHOR,
    Child,
    by_tag,
)

# A record's text fields by name, passed on as keywords: mypy checks a
# ``**`` argument against every parameter, so its values cannot say str.
_Fields = dict[str, Any]

# Booleans as Disqus writes them, accepted without a closer look.
_PLAIN_BOOLEANS = frozenset({"true", "false", ""})


def split_tag(tag: str) -> tuple[str | None, str]:
    """The namespace (``None`` for none) and local name of a Clark tag."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


class RecordReader:
    """Makes the record of one record element, for one file."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.set_namespace(DISQUS_NS)
        self.categories = 0
        self.threads = 0
        self.posts = 0
        # Namespace declarations met so far, and how many of them the root
        # makes: while there are no others, no record element can declare
        # one, and a record of the usual shape takes the short path.
        self.declarations = 0
        self.root_declarations = 0

    def set_namespace(self, namespace: str | None) -> None:
        """Take ``namespace``, the root's, as the one of the known children."""
        # Known children are looked up by their full tag, so each child costs
        # one dictionary lookup.
        def keyed(layout: tuple[Child, ...]) -> dict[str, Child]:
            prefix = f"{{{namespace}}}" if namespace else ""
            return {prefix + tag: child for tag, child in by_tag(layout).items()}

        self.category_layout = keyed(CATEGORY)
        self.thread_layout = keyed(THREAD)
        self.thread_author_layout = keyed(THREAD_AUTHOR)
        self.post_layout = keyed(POST)
        self.post_author_layout = keyed(POST_AUTHOR)

    def category(self, element: Any, issues: list[ImportIssue]) -> Term:
        """A ``<category>``; ``issues`` takes what is noted about it."""
        self.categories += 1
        dsq_id, _key, fields, extras = self._record(
            element, "term", "#c", self.categories, self.category_layout, {}, issues)
        return Term(origin="disqus", kind="dsq_category", term_id=dsq_id,
                    extras=extras, **fields)

    def thread(self, element: Any, issues: list[ImportIssue]) -> Thread:
        """A ``<thread>``; ``issues`` takes what is noted about it."""
        self.threads += 1
        dsq_id, key, fields, extras = self._record(
            element, "thread", "#", self.threads, self.thread_layout, self.thread_author_layout,
            issues)
        return Thread(origin="disqus", key=key, dsq_id=dsq_id, extras=extras, **fields)

    def post(self, element: Any, issues: list[ImportIssue]) -> Comment:
        """A ``<post>``; ``issues`` takes what is noted about it."""
        self.posts += 1
        dsq_id, key, fields, extras = self._record(
            element, "comment", "#p", self.posts, self.post_layout, self.post_author_layout,
            issues)
        thread = fields.pop("thread", None)
        if thread is None:
            thread = ""
            issues.append(self._issue(
                "no-thread", "post names no thread", element, f"comment {key}"))
        return Comment(origin="disqus", key=key, dsq_id=dsq_id, thread=thread,
                       extras=extras, **fields)

    # Off only in tests, which check that both ways read every record alike.
    plain_records = True

    def _plain_values(
        self, element: Any, layout: dict[str, Child], author_layout: dict[str, Child]
    ) -> dict[str, str | None] | None:
        """The fields of a record element of the usual shape: no attribute
        but its dsq:id, every child a known field met once, a leaf without
        attributes (a reference with its dsq:id alone), booleans and dates
        as Disqus writes them, an author of such leaves, and nothing but
        whitespace between them. ``None`` for any other."""
        attributes = element.keys()
        if attributes and attributes != [DSQ_ID]:
            return None
        text = element.text
        if text and not text.isspace():
            return None
        values: dict[str, str | None] = {}
        author = False
        for child in element:
            tail = child.tail
            if tail and not tail.isspace():
                return None
            spec = layout.get(child.tag)  # comments and PIs have no str tag
            if spec is None:
                return None
            kind = spec.kind
            if kind == "author":
                if author or not self._plain_author(child, author_layout, values):
                    return None
                author = True
                continue
            if spec.field in values or len(child):
                return None
            value = child.text or ""
            if child.keys():
                if kind != "ref" or child.keys() != [DSQ_ID] or value.strip():
                    return None
                value = child.get(DSQ_ID)
            elif kind == "bool":
                if value not in _PLAIN_BOOLEANS:
                    return None
            elif kind == "date":
                try:
                    parse_utc(value)
                except ValueError:
                    return None
            values[spec.field] = value
        return values

    def _plain_author(
        self, element: Any, layout: dict[str, Child], values: dict[str, str | None]
    ) -> bool:
        """Adds the author's fields to ``values`` when :meth:`_plain_values`
        can take the author as it is."""
        if element.keys():
            return False
        text = element.text
        if text and not text.isspace():
            return False
        found: dict[str, str] = {}
        for child in element:
            tail = child.tail
            if tail and not tail.isspace():
                return False
            spec = layout.get(child.tag)
            if spec is None or spec.field in found or len(child) or child.keys():
                return False
            value = child.text or ""
            if spec.kind == "bool" and value not in _PLAIN_BOOLEANS:
                return False
            found[spec.field] = value
        values.update(found)
        return True

    # -- children ---------------------------------------------------------

    def _record(
        self,
        element: Any,
        kind: str,
        numbered: str,
        number: int,
        layout: dict[str, Child],
        author_layout: dict[str, Child],
        issues: list[ImportIssue],
    ) -> tuple[str | None, str, _Fields, list[Extra]]:
        """The dsq:id, key, field values and extras of a record element, and
        issues for what cannot be kept as it is.  Without a dsq:id the key
        is made up of ``numbered`` and the record's ``number``.

        An element of the usual shape is read by the short path
        (:meth:`_plain_values`) while no namespace is declared below the
        root, as then no element holds a declaration to keep."""
        dsq_id = element.get(DSQ_ID)
        key = dsq_id or f"{numbered}{number}"
        if self.plain_records and self.declarations <= self.root_declarations:
            plain = self._plain_values(element, layout, author_layout)
            if plain is not None:
                return dsq_id, key, plain, []
        # Issues name records the way the store's do: "term 7", "comment 9".
        name = f"{kind} {key}"
        values: dict[str, str | None] = {}
        extras: list[Extra] = []
        for attribute, value in element.attrib.items():
            if attribute != DSQ_ID:
                extras.append(Extra("attribute", attribute, value))
        parent_nsmap = element.getparent().nsmap
        for prefix, uri in element.nsmap.items():
            if parent_nsmap.get(prefix) != uri:
                extras.append(Extra("namespace", prefix or "", uri))
        self._stray_text(element.text, element, name, issues)

        anchor: str | None = None
        seen: set[str] = set()
        for child in element:
            tail = child.tail
            if tail and not tail.isspace():
                self._stray_text(tail, element, name, issues)
            spec = layout.get(child.tag)  # comments, PIs and entities have no str tag
            if spec is None or spec.tag in seen:
                self._keep(child, anchor, "", "between children", extras, name, issues)
                continue
            local = spec.tag
            if spec.kind == "author":
                seen.add(local)
                self._author(child, author_layout, values, extras, name, issues)
                anchor = local
                continue
            text = child.text or "" if not len(child) else self._leaf_text(child, name, issues)
            if text is None:
                # Markup inside a field we read as text: keep it whole instead.
                self._keep(child, anchor, "", "between children", extras, name, issues)
                continue
            seen.add(local)
            if spec.kind == "text" and not child.attrib:
                values[spec.field] = text  # the common case, nothing to check
            else:
                values[spec.field] = self._value(spec, child, text, local, extras, name,
                                                 issues)
            anchor = local
        return dsq_id, key, values, extras

    def _author(
        self,
        element: Any,
        layout: dict[str, Child],
        values: dict[str, str | None],
        extras: list[Extra],
        key: str,
        issues: list[ImportIssue],
    ) -> None:
        for attribute, value in element.attrib.items():
            extras.append(Extra("attribute", attribute, value, AUTHOR))
        self._stray_text(element.text, element, key, issues)
        seen: set[str] = set()
        for child in element:
            tail = child.tail
            if tail and not tail.isspace():
                self._stray_text(tail, element, key, issues)
            spec = layout.get(child.tag)
            text = None
            if spec is not None and spec.tag not in seen:
                text = self._leaf_text(child, key, issues)
            if spec is None or text is None:
                self._keep(child, AUTHOR, AUTHOR_PREFIX, "inside <author>", extras, key, issues)
                continue
            seen.add(spec.tag)
            values[spec.field] = self._value(spec, child, text, AUTHOR_PREFIX + spec.tag,
                                             extras, key, issues)

    def _keep(
        self,
        node: Any,
        anchor: str | None,
        prefix: str,
        where: str,
        extras: list[Extra],
        key: str,
        issues: list[ImportIssue],
    ) -> None:
        """Keep a child no field takes as an extra; an entity reference,
        which has no place to go back to, is reported as left out."""
        extra = extra_from_node(node, anchor, prefix)
        if extra is not None:
            extras.append(extra)
        else:
            issues.append(self._issue(
                "unexpanded-entity", f"entity reference {node.text} {where} left out",
                node, key, severity="rejected"))

    def _value(
        self,
        spec: Child,
        child: Any,
        text: str,
        anchor: str,
        extras: list[Extra],
        key: str,
        issues: list[ImportIssue],
    ) -> str:
        value = text
        by_attribute = False
        for attribute, attribute_value in child.attrib.items():
            if spec.kind == "ref" and attribute == DSQ_ID:
                value = attribute_value
                by_attribute = True
                continue
            extras.append(Extra("attribute", attribute, attribute_value, anchor))
        if by_attribute and text.strip():
            issues.append(self._issue(
                "ignored-text",
                f"<{spec.tag}> has both a dsq:id and text {text!r}; the text is "
                "left out",
                child, key))
        elif spec.kind == "bool" and value not in _PLAIN_BOOLEANS and (
            dsq_bool(value, False) is None
        ):
            issues.append(self._issue(
                "bad-boolean",
                f"<{spec.tag}> is {value!r}, neither true nor false; kept as written",
                child, key))
        elif spec.kind == "date":
            try:
                parse_utc(value)
            except ValueError:
                issues.append(self._issue(
                    "bad-date",
                    f"<{spec.tag}> is {value!r}, not a date; kept as written",
                    child, key))
        return value

    def _leaf_text(
        self, element: Any, key: str, issues: list[ImportIssue]
    ) -> str | None:
        """The text of a field, or ``None`` when it holds markup.

        Entity references are never expanded (that is how a file would pull
        in local files or blow up memory); one left in a field is kept as
        its literal ``&name;`` text and reported.
        """
        if len(element) == 0:
            return element.text or ""
        parts = [element.text or ""]
        for sub in element:
            if sub.tag is not etree.Entity:
                return None
            parts.append(sub.text or "")
            parts.append(sub.tail or "")
            issues.append(self._issue(
                "unexpanded-entity",
                f"entity reference {sub.text} kept as literal text, not expanded",
                sub, key))
        return "".join(parts)

    def _stray_text(
        self, text: str | None, element: Any, key: str, issues: list[ImportIssue]
    ) -> None:
        if text and text.strip():
            issues.append(self._issue(
                "stray-text",
                f"text between the children of <{split_tag(element.tag)[1]}> left out",
                element, key, severity="rejected",
                fragment=kept_fragment(text)))

    def _issue(
        self,
        code: str,
        reason: str,
        element: Any,
        key: str,
        *,
        severity: str = "warning",
        fragment: str | None = None,
    ) -> ImportIssue:
        return ImportIssue(
            code=code,
            reason=reason,
            severity=severity,
            file=self.name,
            line=element.sourceline,
            fragment=fragment,
            record_key=key,
        )
