"""Streaming WXR reader.

The file is parsed with ``iterparse``; each child of the channel is turned
into records at its end event and then dropped from the tree, so memory stays
flat however many items the file holds.  Nothing from the file is expanded:
entities stay as written, DTDs are not loaded and the network is never used.

This module reads the document: the root, the channel's own fields and
whatever lies around its record elements; :mod:`.items` makes the records of
items, comments, authors and terms.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any, TypeVar

from lxml import etree

from ...errors import InputError
from ...inputs import Prepended
from ...records import Extra, ImportIssue, Record, Source
from ..xml.errors import not_well_formed, parser_recoveries, reading_stopped
from ..xml.extras import attribute_items
from ..xml.prefixes import FIRST_ITEM, declare_on_root, undeclared_prefix
from ..xml.text import SAFE_PARSING
from .items import ItemReader, note_child
from .names import (
    AFTER_CHANNEL_ANCHOR,
    BEFORE_ITEM_ANCHOR,
    CHANNEL_NAMES,
    CHANNEL_ORDER,
    EXCERPT_NS_RE,
    RSS_ANCHOR,
    WP_NS_RE,
    in_core_order,
)

E = TypeVar("E", InputError, ImportIssue)

# The elements that raise parser events (see _WxrReader.run).
_EVENT_TAGS = ("rss", "channel", "item", "{*}author", "{*}category", "{*}tag", "{*}term")
# How far into a file its root element is looked for before reading starts:
# only the prolog (declaration, comments, a DOCTYPE) can come before it.
_ROOT_SEARCH_LIMIT = 16 * 1024 * 1024
_CHUNK = 64 * 1024


def read_wxr(
    stream: IO[bytes], *, name: str, recover: bool = False
) -> Iterator[Record]:
    """Yield the records of one WXR document in file order.

    Raises :class:`InputError` for XML that is not well-formed, unless
    ``recover`` is set: then the parser reads past what it can, and each
    error it recovered from becomes an :class:`ImportIssue`.  Mending the
    file before it is parsed is recover mode's first pass, which
    :func:`wxrbridge.formats.read_input` runs for every format that declares
    its layout (see :mod:`wxrbridge.formats.xml.repair`).
    """
    return _WxrReader(name, recover).run(stream)


class _WxrReader:
    """Reads one document: drives the parser, keeps the channel's fields
    and the extras around its records, and sends each record element to
    :class:`ItemReader`."""

    def __init__(self, name: str, recover: bool) -> None:
        self.name = name
        self.recover = recover
        self.items = ItemReader(name)
        # The same dictionary: filled here, read where records are made.
        self.ns_decls = self.items.ns_decls
        self.root: Any = None
        self.done: Any = None  # the channel's child read last, emptied
        # A namespace was declared below the root since the last record
        # element was read (see _declarations).
        self.declared_below = False
        self.error_log: Any = None  # the parser's, in recover mode
        self.context: Any = None  # the parser
        # Prefixes declared on the root for the parser (see declare_on_root)
        # and where that moved the bytes.
        self.injected: dict[str, str] = {}
        self.shift: tuple[int, int, int] | None = None
        self.log_seen = 0  # entries of it taken by _scan_log
        self.damage = 0  # errors in it, other than undeclared prefixes
        self.errors_seen = 0  # damage already flagged on a record
        self.source = Source(origin="wxr", site="", name=name)
        self.source_emitted = False
        self.held: list[Record] = []  # users and terms met before the Source
        self.channel: Any = None
        self.channel_line: int | None = None
        self.channel_anchor: str | None = None
        self.channel_seen: set[str] = set()
        self.channel_done = False
        self.items_started = False
        # Known channel children before the first item, first occurrences.
        self.channel_order: list[str] = []
        self.before_next_item: list[Extra] = []

    def _set_wp_ns(self, uri: str | None) -> None:
        """Take ``uri`` as the file's wp namespace (``None`` until one is
        found: the plain RSS children can still be read)."""
        self.items.set_wp_ns(uri)
        self.source.wp_namespace = uri

    # -- driving the parser ---------------------------------------------

    def run(self, stream: IO[bytes]) -> Iterator[Record]:
        """The records of the document in ``stream``, in file order."""
        whole = self._check_root(stream)
        # Only the elements that make records raise events; everything else
        # at the channel's level (its fields, XML comments) is read from the
        # tree when the next of them starts or ends. Python then sees a few
        # events per item instead of two per element. Item categories match
        # "{*}category" too and are passed over.
        context = etree.iterparse(
            whole,
            events=("start-ns", "start", "end"),
            tag=_EVENT_TAGS,
            recover=self.recover,
            **SAFE_PARSING,
        )
        # The property hands out a copy of the log as it stands.
        self.context = context
        self.error_log = context.error_log if self.recover else None
        recover = self.recover
        try:
            for event, node in context:
                if recover and len(context.error_log) != self.log_seen:
                    self._scan_log()
                if event == "end":
                    parent = node.getparent()
                    if parent is None:
                        continue  # the root
                    if parent is self.channel:
                        if not self.channel_done:
                            yield from self._reach(node, inside=True)
                            yield from self._channel_child(node)
                    elif node is self.channel:
                        yield from self._end_channel(node)
                    elif parent is self.root:
                        # A second channel, or an item outside any: kept
                        # whole, like any other element beside the channel.
                        self._sweep_rss(node)
                        self._rss_child(node)
                        parent.remove(node)
                elif event == "start":
                    if self.root is None:
                        self._start_root(node)
                        if node is self.root:
                            continue
                    parent = node.getparent()
                    if parent is self.channel:
                        if not self.channel_done:
                            # Its inside is not parsed yet.
                            yield from self._reach(node, inside=False)
                            yield from self._start_channel_child(node)
                    elif parent is self.root and self.channel is None and node.tag == "channel":
                        self._start_channel(node)
                elif self.root is not None:
                    # A namespace declared below the root: which element
                    # declared it is read off the tree when that element's
                    # record is made (start events are not raised for most).
                    self.declared_below = True
        except etree.XMLSyntaxError as exc:
            if not self.recover:
                raise _unshifted(not_well_formed(exc, self.name), self.shift) from None
            self.items.issues.append(reading_stopped(exc, self.name))
        except etree.LxmlError as exc:
            raise InputError(f"cannot parse XML: {exc}", file=self.name) from None
        if recover:
            self._scan_log()
        if self.items.wp_ns is None and self.channel is None and not self.recover:
            raise InputError("no <rss> document found", file=self.name)
        if self.root is not None:
            self._sweep_rss(None)
        yield from self._emit_source()
        if self.recover:
            self.items.issues.extend(
                _unshifted(issue, self.shift) for issue in parser_recoveries(
                    context.error_log, 0, self.name, skip=undeclared_prefix))
        yield from self._flush_issues()

    def _check_root(self, stream: IO[bytes]) -> Prepended:
        """Refuse a document whose root is not ``<rss>`` before reading it:
        no event would come from it, and all of it would pile up in memory.
        Returns a stream that starts again from the first byte."""
        data, self.injected, self.shift = declare_on_root(_read_head(stream))
        root = _first_element(data, self.recover)
        if root is not None and root.tag != "rss":
            self._not_wxr(root)
        return Prepended(data, stream)

    def _not_wxr(self, root: Any) -> None:
        raise InputError(
            f"not a WXR file: the root element is <{_display(root)}>, not <rss>",
            file=self.name, line=root.sourceline,
        )

    def _scan_log(self) -> None:
        """In recover mode, take the parser's new log entries (see
        :meth:`PrefixBinder.take_log`)."""
        log = self.context.error_log
        start, self.log_seen = self.log_seen, len(log)
        self.damage += self.items.prefixes.take_log(log, start, self.items.issues)

    def _note_errors(self, node: Any) -> None:
        """In recover mode, flag a record read while the parser patched
        something up."""
        if self.damage > self.errors_seen:
            self.errors_seen = self.damage
            self._note_damaged(node)

    def _note_damaged(self, node: Any) -> None:
        self.items.issues.append(ImportIssue(
            code="xml-damaged-record", severity="warning",
            reason=f"<{_display(node)}> near a parser error (see the parser errors); "
            "read as the parser recovered it",
            file=self.name, line=node.sourceline,
        ))

    def _declarations(self, top: Any, *, inside: bool = True) -> None:
        """Record the namespace declarations of ``top`` (and of every element
        inside it) in ``ns_decls``, read off the in-scope maps: what an
        element has that its parent has not, it declared. A declaration that
        repeats its parent's changes nothing and is not kept."""
        elements = top.iter(tag=etree.Element) if inside else (top,)
        for element in elements:
            parent = element.getparent()
            inherited = parent.nsmap if parent is not None else {}
            own = [
                (prefix or "", uri) for prefix, uri in element.nsmap.items()
                if inherited.get(prefix) != uri
            ]
            if own:
                self.ns_decls[element] = own

    def _start_root(self, node: Any) -> None:
        if node.getparent() is not None:
            # A recovered document whose head could not be checked.
            node = node.getroottree().getroot()
        if node.tag != "rss":
            self._not_wxr(node)
        self.root = node
        injected = self.injected
        self.items.injected = injected
        for prefix, uri in node.nsmap.items():
            if prefix in injected:
                continue  # not the file's
            self.source.namespaces[prefix or ""] = uri
            if self.items.wp_ns is None and WP_NS_RE.match(uri):
                self._set_wp_ns(uri)
        for key, value in attribute_items(node):
            self.source.extras.append(Extra("attribute", key, value, RSS_ANCHOR))
        if self.items.wp_ns is None:
            self._set_wp_ns(None)
        for uri in self.source.namespaces.values():
            if EXCERPT_NS_RE.match(uri):
                self.items.note_excerpt_ns(uri)

    def _start_channel(self, node: Any) -> None:
        self._sweep_rss(node)
        self.channel = node
        self.channel_line = node.sourceline
        for key, value in attribute_items(node):
            self.source.extras.append(Extra("attribute", key, value, None))
        self._declarations(node, inside=False)
        for prefix, uri in self.ns_decls.pop(node, ()):
            self._adopt_namespace(uri)
            self.source.extras.append(Extra("namespace", prefix or "", uri, None))

    def _adopt_namespace(self, uri: str) -> None:
        if self.items.wp_ns is None and WP_NS_RE.match(uri):
            self._set_wp_ns(uri)
        elif EXCERPT_NS_RE.match(uri):
            self.items.note_excerpt_ns(uri)

    def _start_channel_child(self, node: Any) -> Iterator[Record]:
        for _prefix, uri in self.ns_decls.get(node, ()):
            self._adopt_namespace(uri)
        if self.items.wp_ns is None:
            tag = node.tag
            ns = tag[1:].partition("}")[0] if isinstance(tag, str) and tag[:1] == "{" else None
            if ns and WP_NS_RE.match(ns):
                self._set_wp_ns(ns)
        if self.error_log is not None:
            self.errors_seen = self.damage
        if node.tag == "item" and not self.items_started:
            self.items_started = True
            yield from self._emit_source()

    # -- what lies around the channel -------------------------------------

    def _sweep_rss(self, upto: Any) -> None:
        """Keep, as extras of the Source, the root's elements before ``upto``
        (all of them when ``None``) other than the channel, then drop them."""
        root = self.root
        index = 0
        while index < len(root):
            child = root[index]
            if child is upto:
                break
            if child is self.channel:
                index += 1
                continue
            if isinstance(child.tag, str):
                self._rss_child(child)
            del root[index]

    def _rss_child(self, node: Any) -> None:
        anchor = AFTER_CHANNEL_ANCHOR if self.channel is not None else RSS_ANCHOR
        extra = self.items.extra(node, anchor)
        if extra is not None:
            self.source.extras.append(extra)
        node.clear()

    def _end_channel(self, node: Any) -> Iterator[Record]:
        yield from self._sweep_channel(None)
        self.declared_below = False
        self.channel_done = True
        if self.items_started:
            # Nothing follows to carry them: they go back after the items.
            for extra in self.before_next_item:
                extra.anchor = "item"
                self.source.extras.append(extra)
            self.before_next_item = []
        yield from self._emit_source()
        node.clear()

    # -- channel children -----------------------------------------------

    def _channel_extras(self, extras: list[Extra]) -> None:
        if self.items_started:
            for extra in extras:
                extra.anchor = BEFORE_ITEM_ANCHOR
            self.before_next_item.extend(extras)
        else:
            self.source.extras.extend(extras)

    def _reach(self, node: Any, *, inside: bool) -> Iterator[Record]:
        """Come to a record element of the channel: read what lies before
        it, then take up the namespaces declared since the last one (on it,
        and when ``inside``, within it)."""
        yield from self._sweep_channel(node)
        if self.declared_below:
            self.declared_below = False
            self._declarations(node, inside=inside)

    def _sweep_channel(self, upto: Any) -> Iterator[Record]:
        """Read the channel's children before ``upto`` (all of them when
        ``None``) that raised no event of their own, in file order, and drop
        them along with the record element read last."""
        channel = self.channel
        while len(channel) and (first := channel[0]) is not upto:
            if first is not self.done:
                if isinstance(first.tag, str):
                    if self.declared_below:
                        # Left set: declarations may lie further on too.
                        self._declarations(first)
                    yield from self._start_channel_child(first)
                    yield from self._channel_child(first)
                else:
                    extra = self.items.extra(first, self.channel_anchor)
                    if extra is not None:
                        self._channel_extras([extra])
            del channel[0]

    def _channel_child(self, node: Any) -> Iterator[Record]:
        """Make the records of one complete child of the channel."""
        if self.error_log is not None:
            self._note_errors(node)
        tag = node.tag
        wp = f"{{{self.items.wp_ns}}}" if self.items.wp_ns else None
        if tag == "item":
            before, self.before_next_item = self.before_next_item, []
            yield from self.items.item(node, before)
            displaced = self.items.displaced
            if displaced:
                # Their item made no thread of its own: they go back after
                # the items, like what follows the last one.
                for extra in displaced:
                    extra.anchor = "item"
                self.source.extras.extend(displaced)
                displaced.clear()
        elif wp and tag.startswith(wp) and tag[len(wp):] in ("author", "category", "tag", "term"):
            local = tag[len(wp):]
            items = self.items
            record: Record = items.user(node) if local == "author" else items.term(node, local)
            self._set_channel_anchor(local)
            if not self.items_started:
                note_child(self.channel_order, CHANNEL_NAMES[local])
            if self.source_emitted:
                yield record
                yield from self._flush_issues()
            else:
                self.held.append(record)
        else:
            self._channel_field(node)
        node.clear()
        self.done = node
        if self.ns_decls:
            self.ns_decls.clear()

    def _set_channel_anchor(self, anchor: str) -> None:
        if not self.items_started:
            self.channel_anchor = anchor

    def _channel_field(self, node: Any) -> None:
        known = self.items.channel_tags.get(node.tag)
        if known is not None and not self.items_started:
            attr, anchor = known
            if attr not in self.channel_seen:
                value = self.items.text(node, None)
                if value is not None:
                    self.channel_seen.add(attr)
                    setattr(self.source, attr, value)
                    self.items.node_extras(node, anchor, self.source.extras)
                    self.channel_anchor = anchor
                    note_child(self.channel_order, CHANNEL_NAMES[anchor])
                    return
        extra = self.items.extra(node, self.channel_anchor)
        if extra is not None:
            self._channel_extras([extra])

    def _emit_source(self) -> Iterator[Record]:
        if self.source_emitted:
            return
        self.source_emitted = True
        source = self.source
        for candidate in (source.base_blog_url, source.base_site_url, source.link):
            if candidate is not None and candidate.strip():
                source.site = candidate.strip()
                break
        else:
            source.site = self.name
        if self.items_started:
            note_child(self.channel_order, "item")
        if not in_core_order(self.channel_order, CHANNEL_ORDER):
            source.child_order = self.channel_order
        yield source
        if source.version is None:
            yield ImportIssue(
                code="no-wxr-version", severity="warning",
                reason="no wp:wxr_version in the channel; WordPress's importer "
                "would reject this file",
                file=self.name, line=self.channel_line,
            )
        held, self.held = self.held, []
        yield from held
        yield from self._flush_issues()

    def _flush_issues(self) -> Iterator[Record]:
        items = self.items
        if items.issues:
            issues, items.issues = items.issues, []
            yield from issues



def _display(node: Any) -> str:
    # The tag as lxml holds it ("{uri}local", or "local"); a broken file can
    # leave a prefix unbound ("wp:comment"), which QName() would refuse.
    tag = node.tag
    return tag if isinstance(tag, str) else str(tag)


def _read_head(stream: IO[bytes]) -> bytes:
    """The bytes up to the first item (all of them, in a file with
    none; at most a limit's worth): the channel's head, where exports
    write what plugins add with prefixes nobody declared."""
    chunks: list[bytes] = []
    size = 0
    while size < _ROOT_SEARCH_LIMIT:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        # An item's tag may straddle two chunks.
        seam = chunks[-1][-8:] if chunks else b""
        chunks.append(chunk)
        size += len(chunk)
        if FIRST_ITEM.search(seam + chunk):
            break
    return b"".join(chunks)


def _unshifted(error: E, shift: tuple[int, int, int] | None) -> E:
    """An error or issue with the place the file has it: the parser read
    the root's start tag with the declarations added."""
    if shift is not None and error.line == shift[0] and (error.column or 0) > shift[1]:
        error.column = (error.column or 0) - shift[2]
        if isinstance(error, InputError):
            return type(error)(error.reason, file=error.file, line=error.line,
                               column=error.column)
    return error


def _first_element(data: bytes, recover: bool) -> Any:
    """The root element of the document that starts with ``data``, read no
    further than to its start tag (``None`` if none comes)."""
    parser = etree.XMLPullParser(events=("start",), recover=recover, **SAFE_PARSING)
    try:
        for offset in range(0, min(len(data), _ROOT_SEARCH_LIMIT), _CHUNK):
            parser.feed(data[offset:offset + _CHUNK])
            # Start events carry elements; the first is the root.
            root = next((element for _event, element in parser.read_events()
                         if isinstance(element, etree._Element)), None)
            if root is not None:
                return root
    except etree.XMLSyntaxError:
        pass  # the real parse reports it, with its position
    return None
