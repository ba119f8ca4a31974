"""Reading a Disqus export as a stream of records.

The file is parsed incrementally: each top-level ``category``, ``thread`` and
``post`` is turned into a record when its end tag arrives and is then thrown
away, so a file of any size is read in flat memory.  Text is kept exactly as
written; whatever the records have no field for travels in ``extras`` so
the writer can put it back.  This module reads the document;
:mod:`.elements` makes the record of each record element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from ...records import Extra, ImportIssue, Record, Source, Term, Thread
from ..xml.errors import kept_fragment, records_of_events
from ..xml.extras import extra_from_node
from ..xml.head import normalise_head
from ..xml.text import SAFE_PARSING, serialize_fragment
from .elements import RecordReader, split_tag
from .schema import DISQUS_NS

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

    With ``recover``, the parser reads past what it can, and each error it
    recovered from becomes an :class:`ImportIssue`.  Mending the file before
    it is parsed is recover mode's first pass, which
    :func:`wxrbridge.formats.read_input` runs for every format that declares
    its layout (see :mod:`wxrbridge.formats.xml.repair`).
    """
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
    stopped = yield from records_of_events(
        context, name, recover, reader.event, lambda: reader.root is not None
    )
    yield from reader.finish(context.root, stopped=stopped)


class _Reader:
    """Turns the end event of each top-level element into records."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root: Any = None
        self.done: Any = None  # the last record element read, emptied
        self.namespace: str | None = DISQUS_NS
        self.records = RecordReader(name)
        self.source_extras: list[Extra] = []
        self.source_sent = False

    # -- the document -----------------------------------------------------

    def event(self, event: str, element: Any) -> list[Record]:
        if event == "start-ns":
            self.records.declarations += 1
            return []
        return self.end(element)

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
        self.records.root_declarations = len(root.nsmap)
        self.namespace = split_tag(root.tag)[0]
        self.records.set_namespace(self.namespace)
        for attribute, value in root.attrib.items():
            self.source_extras.append(Extra("attribute", attribute, value))

    def _is_record(self, element: Any) -> bool:
        tag = element.tag
        if not isinstance(tag, str):
            return False
        namespace, local = split_tag(tag)
        return namespace == self.namespace and local in ("category", "thread", "post")

    def _top_level(self, element: Any) -> list[Record]:
        tag = element.tag
        if not isinstance(tag, str):
            return []
        namespace, local = split_tag(tag)
        records: list[Record] = []
        if namespace == self.namespace and local in ("category", "thread", "post"):
            issues: list[ImportIssue] = []
            if local == "category":
                record: Record = self.records.category(element, issues)
            elif local == "thread":
                record = self.records.thread(element, issues)
            else:
                record = self.records.post(element, issues)
            if not self.source_sent:
                records.append(self._source(record))
            records.append(record)
            records.extend(issues)
        elif not self.source_sent:
            extra = extra_from_node(element)
            if extra is not None:
                self.source_extras.append(extra)
        else:
            records.append(ImportIssue(
                code="unknown-element",
                reason=f"<{local}> after the first record has no place to be kept",
                severity="rejected",
                file=self.name,
                line=element.sourceline,
                fragment=kept_fragment(serialize_fragment(element)),
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
