"""Reading a Disqus export as a stream of records.

The file is parsed incrementally: each top-level ``category``, ``thread`` and
``post`` is turned into a record when its end tag arrives and is then thrown
away, so a file of any size is read in flat memory.  Text is kept exactly as
written; whatever the records have no field for travels in ``extras`` so
the writer can put it back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from ...canonical import dsq_bool, parse_utc
from ...errors import InputError
from ...records import Comment, Extra, ImportIssue, Record, Source, Term, Thread
from ..xmlerrors import not_well_formed, syntax_error_parts
from ..xmlhead import normalise_head
from ..xmlrepair import Layout, repair
from ..xmltext import SAFE_PARSING, serialize_fragment
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

# lxml appends the position to its message; InputError carries it separately.
# Enough to report a rejected fragment without bloating the issue table.
_FRAGMENT_LIMIT = 2000

_FIRST_TAG = re.compile(rb"\s*<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)([^>]*)")
_SKIPPABLE = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>)", re.S)


def detect(head: bytes) -> bool:
    """Whether the first bytes of a file open a Disqus export.

    Only the root element decides: a WXR file (``<rss>``) that mentions
    Disqus in a namespace or a comment is not claimed.
    """
    head = normalise_head(head)
    pos = 0
    while True:
        skipped = _SKIPPABLE.match(head, pos)
        if skipped is None:
            break
        pos = skipped.end()
    match = _FIRST_TAG.match(head, pos)
    if match is None:
        return False
    qname, attributes = match.group(1), match.group(2)
    prefix, _, local = qname.rpartition(b":")
    if local != b"disqus":
        return False
    declaration = b"xmlns:" + prefix if prefix else b"xmlns"
    found = re.search(
        rb"(?:^|\s)" + re.escape(declaration) + rb"\s*=\s*(['\"])(.*?)\1", attributes
    )
    if found is None:
        # A hand-made file without the namespace is still plainly Disqus.
        return not prefix
    return found.group(2) == DISQUS_NS.encode()


def read_disqus(
    stream: IO[bytes], *, name: str, recover: bool = False
) -> Iterator[Record]:
    """Yield the records of one Disqus export, in file order.

    A :class:`Source` comes first, then a :class:`Term` per category, a
    :class:`Thread` per thread and a :class:`Comment` per post, each followed
    by the :class:`ImportIssue` records about it.

    With ``recover``, the file is mended on the way in (see
    :mod:`wxrbridge.formats.xmlrepair`): posts whose own text is intact are
    kept, and every mend or loss becomes an :class:`ImportIssue`.
    """
    mended = None
    if recover:
        stream = mended = repair(stream, name=name, layout=LAYOUT)
    # Only the record elements raise events (in any namespace: the root's
    # decides which are records); whatever else sits between them at the
    # top level is swept up when the next one ends, or at the end.
    # Namespace declarations raise events of their own (the tag filter lets
    # them through): counted, they tell whether any is made below the root.
    context = etree.iterparse(
        stream,
        events=("end", "start-ns"),
        tag=("{*}category", "{*}thread", "{*}post"),
        recover=recover,
        **SAFE_PARSING,
    )
    reader = _Reader(name)
    logged = 0
    stopped = False  # reading ended at XML it could not get past
    try:
        for event, element in context:
            if event == "start-ns":
                reader.declarations += 1
                continue
            records = reader.end(element)
            if records:
                yield from records
                if mended is not None:
                    yield from mended.take_issues()
                    logged, issues = _new_errors(context, logged, name)
                    yield from issues
    except etree.XMLSyntaxError as exc:
        if mended is None or reader.root is None:
            raise not_well_formed(exc, name) from None
        stopped = True
        reason, line, column = syntax_error_parts(exc)
        yield ImportIssue(
            code="xml-unrecoverable", severity="rejected",
            reason=f"reading stopped: {reason}", file=name, line=line, column=column,
        )
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=name) from None
    if mended is not None:
        yield from mended.take_issues()
        logged, issues = _new_errors(context, logged, name)
        yield from issues
    yield from reader.finish(context.root, stopped=stopped)
    if mended is not None:
        yield from mended.take_issues()


# Booleans as Disqus writes them, accepted without a closer look.
_PLAIN_BOOLEANS = frozenset({"true", "false", ""})

_DSQ_KEY = re.compile(r"""\bdsq:id\s*=\s*["']?([^"'\s>/]+)""")


def _describe(local: str, raw: str) -> str | None:
    """Names a damaged record in an issue the way the reader keys it."""
    if local not in ("post", "thread", "category"):
        return None
    start = raw[:raw.find(">") + 1]
    match = _DSQ_KEY.search(start)
    kind = "comment" if local == "post" else local
    return f"{kind} {match.group(1)}" if match else None


# A record cut off by the end of the file is not read: a post without its
# thread or author would be a different post.
LAYOUT = Layout(
    record_depth=2,
    whole=frozenset({"post", "thread", "category", "author"}),
    describe=_describe,
)


def _new_errors(
    context: Any, logged: int, name: str
) -> tuple[int, list[ImportIssue]]:
    log = context.error_log
    if len(log) <= logged:
        return logged, []
    issues = [
        ImportIssue(
            code="xml-error",
            reason=f"recovered from malformed XML: {entry.message}",
            severity="repaired",
            file=name,
            line=entry.line or None,
            column=entry.column or None,
        )
        for entry in list(log)[logged:]
    ]
    return len(log), issues


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


class _Reader:
    """Turns the end event of each top-level element into records."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root: Any = None
        self.done: Any = None  # the last record element read, emptied
        self.namespace: str | None = DISQUS_NS
        self._layouts(DISQUS_NS)
        self.source_extras: list[Extra] = []
        self.source_sent = False
        self.categories = 0
        self.threads = 0
        self.posts = 0
        # Namespace declarations met so far, and how many of them the root
        # makes: while there are no others, no record element can declare
        # one, and a record of the usual shape takes the short path.
        self.declarations = 0
        self.root_declarations = 0

    def _layouts(self, namespace: str | None) -> None:
        # Known children are looked up by their full tag, so each child costs
        # one dictionary lookup; the file's own root namespace decides.
        def keyed(layout: tuple[Child, ...]) -> dict[str, Child]:
            prefix = f"{{{namespace}}}" if namespace else ""
            return {prefix + tag: child for tag, child in by_tag(layout).items()}

        self.category_layout = keyed(CATEGORY)
        self.thread_layout = keyed(THREAD)
        self.thread_author_layout = keyed(THREAD_AUTHOR)
        self.post_layout = keyed(POST)
        self.post_author_layout = keyed(POST_AUTHOR)

    # -- the document -----------------------------------------------------

    def end(self, element: Any) -> list[Record]:
        if self.root is None:
            self._found_root(element)
        parent = element.getparent()
        if parent is not self.root:
            return []
        # Earlier siblings still here raised no event of their own: they
        # are read first, in file order, then dropped.
        records: list[Record] = []
        while (first := parent[0]) is not element:
            if first is not self.done:
                records.extend(self._top_level(first))
            del parent[0]
        records.extend(self._top_level(element))
        # The element is done with; emptying it and dropping it with the
        # next sweep is what keeps memory flat however long the file is.
        element.clear(keep_tail=False)
        self.done = element
        return records

    def _found_root(self, element: Any) -> None:
        root = element
        while root.getparent() is not None:
            root = root.getparent()
        self.root = root
        self.root_declarations = len(root.nsmap)
        self.namespace = _split(root.tag)[0]
        self._layouts(self.namespace)
        for attribute, value in root.attrib.items():
            self.source_extras.append(Extra("attribute", attribute, value))

    def _is_record(self, element: Any) -> bool:
        tag = element.tag
        if not isinstance(tag, str):
            return False
        namespace, local = _split(tag)
        return namespace == self.namespace and local in ("category", "thread", "post")

    def _top_level(self, element: Any) -> list[Record]:
        tag = element.tag
        if not isinstance(tag, str):
            return []
        namespace, local = _split(tag)
        records: list[Record] = []
        if namespace == self.namespace and local in ("category", "thread", "post"):
            issues: list[ImportIssue] = []
            if local == "category":
                record: Record = self._category(element, issues)
            elif local == "thread":
                record = self._thread(element, issues)
            else:
                record = self._post(element, issues)
            if not self.source_sent:
                records.append(self._source(record))
            records.append(record)
            records.extend(issues)
        elif not self.source_sent:
            self.source_extras.append(Extra("element", tag, serialize_fragment(element)))
        else:
            text = serialize_fragment(element)
            records.append(ImportIssue(
                code="unknown-element",
                reason=f"<{local}> after the first record has no place to be kept",
                severity="rejected",
                file=self.name,
                line=element.sourceline,
                fragment=text if len(text) <= _FRAGMENT_LIMIT else None,
            ))
        return records

    def _source(self, first: Record | None) -> Source:
        self.source_sent = True
        site = None
        if isinstance(first, (Term, Thread)) and first.dsq_forum:
            # The site is a key for re-imports, not a field: whitespace from
            # pretty-printing is not part of it.
            site = first.dsq_forum.strip()
        namespaces: dict[str, str] = {}
        if self.root is not None:
            namespaces = {prefix or "": uri for prefix, uri in self.root.nsmap.items()}
        return Source(
            origin="disqus",
            site=site or self.name,
            name=self.name,
            namespaces=namespaces,
            extras=self.source_extras,
        )

    def finish(self, root: Any, *, stopped: bool = False) -> list[Record]:
        """The Source, if no record sent it, and what follows the last record.

        ``stopped``: reading broke off, so the last element may be cut short;
        a record cut off raised no event and is not read, as one left
        unfinished never is.
        """
        if self.root is None and root is not None:
            self._found_root(root)
        records: list[Record] = []
        if self.root is not None:
            children = [child for child in self.root if child is not self.done]
            if stopped and children and self._is_record(children[-1]):
                children.pop()
            for child in children:
                records.extend(self._top_level(child))
        if not self.source_sent:
            records.append(self._source(None))
        return records

    # -- the three record elements -----------------------------------------

    def _category(self, element: Any, issues: list[ImportIssue]) -> Term:
        self.categories += 1
        dsq_id = element.get(DSQ_ID)
        key = dsq_id or f"#c{self.categories}"
        # Issues name records the way the store's do: "term 7", "comment 9".
        values, extras = self._children(element, self.category_layout, {}, f"term {key}", issues)
        return Term(origin="disqus", kind="dsq_category", term_id=dsq_id,
                    extras=extras, **values)

    def _thread(self, element: Any, issues: list[ImportIssue]) -> Thread:
        self.threads += 1
        dsq_id = element.get(DSQ_ID)
        key = dsq_id or f"#{self.threads}"
        values, extras = self._children(element, self.thread_layout, self.thread_author_layout,
                                        f"thread {key}", issues)
        return Thread(origin="disqus", key=key, dsq_id=dsq_id, extras=extras, **values)

    def _post(self, element: Any, issues: list[ImportIssue]) -> Comment:
        self.posts += 1
        dsq_id = element.get(DSQ_ID)
        key = dsq_id or f"#p{self.posts}"
        values, extras = self._children(element, self.post_layout, self.post_author_layout,
                                        f"comment {key}", issues)
        thread = values.pop("thread", None)
        if thread is None:
            thread = ""
            issues.append(self._issue(
                "no-thread", "post names no thread", element, f"comment {key}"))
        return Comment(origin="disqus", key=key, dsq_id=dsq_id, thread=thread,
                       extras=extras, **values)

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

    def _children(
        self,
        element: Any,
        layout: dict[str, Child],
        author_layout: dict[str, Child],
        key: str,  # the record as issues name it
        issues: list[ImportIssue],
    ) -> tuple[dict[str, str | None], list[Extra]]:
        """The record's field values and extras, and issues for what cannot
        be kept as it is. An element of the usual shape is read by the short
        path (:meth:`_plain_values`) while no namespace is declared below
        the root, as then no element holds a declaration to keep."""
        if self.plain_records and self.declarations <= self.root_declarations:
            plain = self._plain_values(element, layout, author_layout)
            if plain is not None:
                return plain, []
        values: dict[str, str | None] = {}
        extras: list[Extra] = []
        for attribute, value in element.attrib.items():
            if attribute != DSQ_ID:
                extras.append(Extra("attribute", attribute, value))
        parent_nsmap = element.getparent().nsmap
        for prefix, uri in element.nsmap.items():
            if parent_nsmap.get(prefix) != uri:
                extras.append(Extra("namespace", prefix or "", uri))
        self._stray_text(element.text, element, key, issues)

        anchor: str | None = None
        seen: set[str] = set()
        for child in element:
            tail = child.tail
            if tail and not tail.isspace():
                self._stray_text(tail, element, key, issues)
            tag = child.tag
            if tag is etree.Comment:
                extras.append(Extra("comment", "", child.text or "", anchor))
                continue
            if tag is etree.ProcessingInstruction:
                extras.append(Extra("pi", child.target, child.text or "", anchor))
                continue
            if tag is etree.Entity:
                issues.append(self._issue(
                    "unexpanded-entity",
                    f"entity reference {child.text} between children left out",
                    child, key, severity="rejected"))
                continue
            spec = layout.get(tag)
            if spec is None or spec.tag in seen:
                extras.append(Extra("element", tag, serialize_fragment(child), anchor))
                continue
            local = spec.tag
            if spec.kind == "author":
                seen.add(local)
                self._author(child, author_layout, values, extras, key, issues)
                anchor = local
                continue
            text = child.text or "" if not len(child) else self._leaf_text(child, key, issues)
            if text is None:
                # Markup inside a field we read as text: keep it whole instead.
                extras.append(Extra("element", tag, serialize_fragment(child), anchor))
                continue
            seen.add(local)
            if spec.kind == "text" and not child.attrib:
                values[spec.field] = text  # the common case, nothing to check
            else:
                values[spec.field] = self._value(spec, child, text, local, extras, key,
                                                 issues)
            anchor = local
        return values, extras

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
            tag = child.tag
            if tag is etree.Comment:
                extras.append(Extra("comment", AUTHOR_PREFIX, child.text or "", AUTHOR))
                continue
            if tag is etree.ProcessingInstruction:
                extras.append(Extra("pi", AUTHOR_PREFIX + child.target,
                                    child.text or "", AUTHOR))
                continue
            if tag is etree.Entity:
                issues.append(self._issue(
                    "unexpanded-entity",
                    f"entity reference {child.text} inside <author> left out",
                    child, key, severity="rejected"))
                continue
            spec = layout.get(tag)
            text = None
            if spec is not None and spec.tag not in seen:
                text = self._leaf_text(child, key, issues)
            if spec is None or text is None:
                extras.append(Extra("element", AUTHOR_PREFIX + tag, serialize_fragment(child),
                                    AUTHOR))
                continue
            seen.add(spec.tag)
            values[spec.field] = self._value(spec, child, text, AUTHOR_PREFIX + spec.tag,
                                             extras, key, issues)

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
                f"text between the children of <{_split(element.tag)[1]}> left out",
                element, key, severity="rejected",
                fragment=text if len(text) <= _FRAGMENT_LIMIT else None))

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
