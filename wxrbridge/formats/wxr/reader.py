"""Streaming WXR reader.

The file is parsed with ``iterparse``; each child of the channel is turned
into records at its end event and then dropped from the tree, so memory stays
flat however many items the file holds.  Nothing from the file is expanded:
entities stay as written, DTDs are not loaded and the network is never used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from ...errors import InputError
from ...inputs import Prepended
from ...records import (
    Comment,
    Extra,
    ImportIssue,
    Meta,
    Record,
    Source,
    Term,
    Thread,
    ThreadTerm,
    User,
)
from ..xmlerrors import not_well_formed, syntax_error_parts
from ..xmlrepair import Layout, Repair, repair
from ..xmltext import SAFE_PARSING, serialize_fragment
from .names import (
    AFTER_CHANNEL_ANCHOR,
    BEFORE_ITEM_ANCHOR,
    CHANNEL_NAMES,
    CHANNEL_ORDER,
    COMMENT_FIELDS,
    CONTENT_ANCHOR,
    CONTENT_NS,
    DC_NS,
    EXCERPT_ANCHOR,
    EXCERPT_NS_RE,
    ITEM_NAMES,
    ITEM_ORDER,
    ITEM_WP_FIELDS,
    RSS_ANCHOR,
    SOURCE_PLAIN_FIELDS,
    SOURCE_WP_FIELDS,
    TERM_FIELDS,
    USER_FIELDS,
    WP_NS_RE,
    in_core_order,
)

# How a known child is handled: a plain text field, or a structured child.
_TEXT = 0
_GUID = 1
_CATEGORY = 2
_POSTMETA = 3
_COMMENT = 4
_COMMENTMETA = 5
_TERMMETA = 6

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
    ``recover`` is set: then the file is mended on the way in (see
    :mod:`wxrbridge.formats.xmlrepair`), every item keeps the comments whose
    own text is intact, and each mend or loss becomes an :class:`ImportIssue`.
    """
    if not recover:
        return _WxrReader(name, recover).run(stream)
    return _recovering(stream, name)


_KEY_PATTERNS = {
    "item": (re.compile(r"<(?:[\w.-]+:)?post_id\s*>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]+)"),
             "thread"),
    "comment": (re.compile(r"<(?:[\w.-]+:)?comment_id\s*>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]+)"),
                "comment"),
}


def _describe(local: str, raw: str) -> str | None:
    """Names a damaged record in an issue the way the store names it."""
    found = _KEY_PATTERNS.get(local)
    if found is None:
        return None
    match = found[0].search(raw)
    return f"{found[1]} {match.group(1)}" if match else None


# An item cut off by the end of the file keeps its complete comments; a
# comment, user or term cut off is not one any more.
LAYOUT = Layout(
    record_depth=3,
    whole=frozenset({"comment", "commentmeta", "postmeta", "termmeta", "author", "tag",
                     "term", "category"}),
    describe=_describe,
    parts=frozenset({"comment"}),
)


def _recovering(stream: IO[bytes], name: str) -> Iterator[Record]:
    mended: Repair = repair(stream, name=name, layout=LAYOUT)
    for record in _WxrReader(name, True).run(mended):
        yield from mended.take_issues()
        yield record
    yield from mended.take_issues()


def _extra_from_node(node: Any, anchor: str | None) -> Extra | None:
    """Keep a child the schema has no field for, exactly as serialized."""
    tag = node.tag
    if tag is etree.Comment:
        return Extra("comment", "", node.text or "", anchor)
    if tag is etree.PI:
        return Extra("pi", node.target, node.text or "", anchor)
    if tag is etree.Entity:
        return None
    return Extra("element", tag, serialize_fragment(node), anchor)


class _WxrReader:
    def __init__(self, name: str, recover: bool) -> None:
        self.name = name
        self.recover = recover
        self.root: Any = None
        self.done: Any = None  # the channel's child read last, emptied
        # A namespace was declared below the root since the last record
        # element was read (see _declarations).
        self.declared_below = False
        self.error_log: Any = None  # the parser's, in recover mode
        self.errors_seen = 0
        self.wp_ns: str | None = None
        self.source = Source(origin="wxr", site="", name=name)
        self.source_emitted = False
        self.held: list[Record] = []  # users and terms met before the Source
        self.issues: list[ImportIssue] = []
        self.channel: Any = None
        self.channel_line: int | None = None
        self.channel_anchor: str | None = None
        self.channel_seen: set[str] = set()
        self.channel_done = False
        self.items_started = False
        self.item_index = 0
        self.comment_index = 0
        # Known channel children before the first item, first occurrences.
        self.channel_order: list[str] = []
        self.before_next_item: list[Extra] = []
        self.ns_decls: dict[Any, list[tuple[str, str]]] = {}
        self.entities_warned: set[str] = set()
        self.entities_left_out: set[tuple[int | None, str]] = set()
        self._item_tags: dict[str, tuple[int, str, str]] = {}
        self._comment_tags: dict[str, tuple[int, str, str]] = {}
        self._channel_tags: dict[str, tuple[str, str]] = {}
        self._meta_tags = ("{None}meta_key", "{None}meta_value")
        # For plain comments: field tag -> attribute, and the meta tag.
        self._comment_fields: dict[str, str] = {}
        self._commentmeta_tag = "{None}commentmeta"

    # -- namespaces -----------------------------------------------------

    def _set_wp_ns(self, uri: str | None) -> None:
        """Build the tag tables for the file's own wp URI (``None`` until one
        is found: the plain RSS children can still be read)."""
        self.wp_ns = uri
        self.source.wp_namespace = uri
        item: dict[str, tuple[int, str, str]] = {
            "title": (_TEXT, "title", "title"),
            "link": (_TEXT, "link", "link"),
            "pubDate": (_TEXT, "pub_date", "pubDate"),
            f"{{{DC_NS}}}creator": (_TEXT, "creator", "creator"),
            "guid": (_GUID, "guid", "guid"),
            "description": (_TEXT, "description", "description"),
            f"{{{CONTENT_NS}}}encoded": (_TEXT, "content", CONTENT_ANCHOR),
            "category": (_CATEGORY, "terms", "category"),
        }
        excerpt = [tag for tag, known in self._item_tags.items() if known[1] == "excerpt"]
        for tag in excerpt:
            item[tag] = self._item_tags[tag]
        channel = {local: (attr, local) for local, attr in SOURCE_PLAIN_FIELDS}
        channel["generator"] = ("generator", "generator")
        comment: dict[str, tuple[int, str, str]] = {}
        if uri is not None:
            wp = f"{{{uri}}}"
            item[wp + "postmeta"] = (_POSTMETA, "meta", "postmeta")
            item[wp + "comment"] = (_COMMENT, "", "comment")
            for local, attr in ITEM_WP_FIELDS:
                item[wp + local] = (_TEXT, attr, local)
            for local, attr in COMMENT_FIELDS:
                comment[wp + local] = (_TEXT, attr, local)
            comment[wp + "commentmeta"] = (_COMMENTMETA, "meta", "commentmeta")
            for local, attr in SOURCE_WP_FIELDS:
                channel[wp + local] = (attr, local)
            self._meta_tags = (wp + "meta_key", wp + "meta_value")
            self._commentmeta_tag = wp + "commentmeta"
        self._comment_fields = {
            tag: attr for tag, (how, attr, _local) in comment.items() if how == _TEXT
        }
        self._item_tags = item
        self._comment_tags = comment
        self._channel_tags = channel

    def _note_excerpt_ns(self, uri: str) -> None:
        self._item_tags[f"{{{uri}}}encoded"] = (_TEXT, "excerpt", EXCERPT_ANCHOR)

    # -- driving the parser ---------------------------------------------

    def run(self, stream: IO[bytes]) -> Iterator[Record]:
        stream = self._check_root(stream)
        # Only the elements that make records raise events; everything else
        # at the channel's level (its fields, XML comments) is read from the
        # tree when the next of them starts or ends. Python then sees a few
        # events per item instead of two per element. Item categories match
        # "{*}category" too and are passed over.
        context = etree.iterparse(
            stream,
            events=("start-ns", "start", "end"),
            tag=_EVENT_TAGS,
            recover=self.recover,
            **SAFE_PARSING,
        )
        self.error_log = context.error_log if self.recover else None
        try:
            for event, node in context:
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
                raise not_well_formed(exc, self.name) from None
            reason, line, column = syntax_error_parts(exc)
            self.issues.append(ImportIssue(
                code="xml-unrecoverable", severity="rejected",
                reason=f"reading stopped: {reason}", file=self.name,
                line=line, column=column,
            ))
        except etree.LxmlError as exc:
            raise InputError(f"cannot parse XML: {exc}", file=self.name) from None
        if self.wp_ns is None and self.channel is None and not self.recover:
            raise InputError("no <rss> document found", file=self.name)
        if self.root is not None:
            self._sweep_rss(None)
        yield from self._emit_source()
        if self.recover:
            for entry in context.error_log:
                if entry.level >= etree.ErrorLevels.ERROR:
                    self.issues.append(ImportIssue(
                        code="xml-recovered", severity="repaired",
                        reason=f"parser recovered from: {entry.message}",
                        file=self.name, line=entry.line, column=entry.column,
                    ))
        yield from self._flush_issues()

    def _check_root(self, stream: IO[bytes]) -> IO[bytes]:
        """Refuse a document whose root is not ``<rss>`` before reading it:
        no event would come from it, and all of it would pile up in memory.
        Returns a stream that starts again from the first byte."""
        head: list[bytes] = []
        parser = etree.XMLPullParser(events=("start",), recover=self.recover, **SAFE_PARSING)
        root = None
        try:
            while root is None and sum(map(len, head)) < _ROOT_SEARCH_LIMIT:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                head.append(chunk)
                parser.feed(chunk)
                root = next((element for _event, element in parser.read_events()), None)
        except etree.XMLSyntaxError:
            pass  # the real parse reports it, with its position
        if root is not None and root.tag != "rss":
            self._not_wxr(root)
        return Prepended(b"".join(head), stream)

    def _not_wxr(self, root: Any) -> None:
        raise InputError(
            f"not a WXR file: the root element is <{_display(root)}>, not <rss>",
            file=self.name, line=root.sourceline,
        )

    def _note_errors(self, node: Any) -> None:
        """In recover mode, flag a record read while the parser patched
        something up."""
        log = self.error_log
        if log is not None and len(log) > self.errors_seen:
            self.errors_seen = len(log)
            self._note_damaged(node)

    def _note_damaged(self, node: Any) -> None:
        self.issues.append(ImportIssue(
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
        for prefix, uri in node.nsmap.items():
            self.source.namespaces[prefix or ""] = uri
            if self.wp_ns is None and WP_NS_RE.match(uri):
                self._set_wp_ns(uri)
        for key, value in node.attrib.items():
            self.source.extras.append(Extra("attribute", key, value, RSS_ANCHOR))
        if self.wp_ns is None:
            self._set_wp_ns(None)
        for uri in self.source.namespaces.values():
            if EXCERPT_NS_RE.match(uri):
                self._note_excerpt_ns(uri)

    def _start_channel(self, node: Any) -> None:
        self._sweep_rss(node)
        self.channel = node
        self.channel_line = node.sourceline
        for key, value in node.attrib.items():
            self.source.extras.append(Extra("attribute", key, value, None))
        self._declarations(node, inside=False)
        for prefix, uri in self.ns_decls.pop(node, ()):
            self._adopt_namespace(uri)
            self.source.extras.append(Extra("namespace", prefix or "", uri, None))

    def _adopt_namespace(self, uri: str) -> None:
        if self.wp_ns is None and WP_NS_RE.match(uri):
            self._set_wp_ns(uri)
        elif EXCERPT_NS_RE.match(uri):
            self._note_excerpt_ns(uri)

    def _start_channel_child(self, node: Any) -> Iterator[Record]:
        for _prefix, uri in self.ns_decls.get(node, ()):
            self._adopt_namespace(uri)
        if self.wp_ns is None:
            tag = node.tag
            ns = tag[1:].partition("}")[0] if isinstance(tag, str) and tag[:1] == "{" else None
            if ns and WP_NS_RE.match(ns):
                self._set_wp_ns(ns)
        if self.error_log is not None:
            self.errors_seen = len(self.error_log)
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
        extra = self._extra(node, anchor)
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
                    extra = self._extra(first, self.channel_anchor)
                    if extra is not None:
                        self._channel_extras([extra])
            del channel[0]

    def _channel_child(self, node: Any) -> Iterator[Record]:
        """Make the records of one complete child of the channel."""
        if self.error_log is not None:
            self._note_errors(node)
        tag = node.tag
        wp = f"{{{self.wp_ns}}}" if self.wp_ns else None
        if tag == "item":
            yield from self._item(node)
        elif wp and tag.startswith(wp) and tag[len(wp):] in ("author", "category", "tag", "term"):
            local = tag[len(wp):]
            record: Record = self._user(node) if local == "author" else self._term(node, local)
            self._set_channel_anchor(local)
            if not self.items_started:
                self._note_child(self.channel_order, CHANNEL_NAMES[local])
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

    @staticmethod
    def _note_child(order: list[str], name: str) -> None:
        # A repeated group (categories, comments, ...) counts where it starts.
        if name not in order:
            order.append(name)

    def _set_channel_anchor(self, anchor: str) -> None:
        if not self.items_started:
            self.channel_anchor = anchor

    def _channel_field(self, node: Any) -> None:
        known = self._channel_tags.get(node.tag)
        if known is not None and not self.items_started:
            attr, anchor = known
            if attr not in self.channel_seen:
                value = self._text(node, None)
                if value is not None:
                    self.channel_seen.add(attr)
                    setattr(self.source, attr, value)
                    self._node_extras(node, anchor, self.source.extras)
                    self.channel_anchor = anchor
                    self._note_child(self.channel_order, CHANNEL_NAMES[anchor])
                    return
        extra = self._extra(node, self.channel_anchor)
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
            self._note_child(self.channel_order, "item")
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
        if self.issues:
            issues, self.issues = self.issues, []
            yield from issues

    # -- text -----------------------------------------------------------

    def _text(self, node: Any, record_key: str | None) -> str | None:
        """The text of a leaf element exactly as written, or ``None`` when it
        holds elements (then it is kept whole as an extra instead)."""
        if len(node) == 0:
            return node.text or ""
        parts = [node.text or ""]
        for child in node:
            tag = child.tag
            if tag is etree.Entity:
                # An undeclared or external entity: kept as its reference,
                # never expanded.
                parts.append(child.text)
                self._warn_entity(child.name, child.sourceline, record_key)
            elif isinstance(tag, str):
                return None
            parts.append(child.tail or "")
        return "".join(parts)

    def _extra(self, node: Any, anchor: str | None, key: str | None = None) -> Extra | None:
        """A child kept as an extra; an entity reference between elements,
        which has no place to go back to, is reported as left out."""
        extra = _extra_from_node(node, anchor)
        where = (node.sourceline, node.name) if node.tag is etree.Entity else None
        # The channel's children are swept from more than one place.
        if extra is None and where is not None and where not in self.entities_left_out:
            self.entities_left_out.add(where)
            self.issues.append(ImportIssue(
                code="unexpanded-entity", severity="rejected",
                reason=f"entity reference &{node.name}; between elements left out "
                "(entities are never expanded)",
                file=self.name, line=node.sourceline, record_key=key,
            ))
        return extra

    def _warn_entity(self, entity: str, line: int | None, key: str | None) -> None:
        if entity in self.entities_warned:
            return
        self.entities_warned.add(entity)
        self.issues.append(ImportIssue(
            code="unexpanded-entity", severity="warning",
            reason=f"entity &{entity}; is kept as written, not expanded",
            file=self.name, line=line, record_key=key,
        ))

    def _node_extras(
        self, node: Any, anchor: str | None, extras: list[Extra], skip: tuple[str, ...] = ()
    ) -> None:
        """Attributes and namespace declarations the schema has no field for,
        on a record's own element (``anchor`` None) or on a known child."""
        if node.attrib:
            for key, value in node.attrib.items():
                if key not in skip:
                    extras.append(Extra("attribute", key, value, anchor))
        if self.ns_decls:
            for prefix, uri in self.ns_decls.pop(node, ()):
                extras.append(Extra("namespace", prefix or "", uri, anchor))

    def _meta_pair(self, node: Any, key: str | None) -> Meta | None:
        """A ``meta_key``/``meta_value`` pair, or ``None`` when the element
        has any other shape (it is then kept whole as an extra)."""
        ns_decls = self.ns_decls
        if node.attrib or (ns_decls and node in ns_decls):
            return None
        key_tag, value_tag = self._meta_tags
        meta_key: str | None = None
        meta_value: str | None = None
        seen_value = False
        for child in node:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if child.attrib:
                return None
            if tag == key_tag and meta_key is None:
                meta_key = child.text or "" if not len(child) else self._text(child, key)
                if meta_key is None:
                    return None
            elif tag == value_tag and not seen_value and meta_key is not None:
                seen_value = True
                meta_value = child.text or "" if not len(child) else self._text(child, key)
                if meta_value is None:
                    return None
            else:
                return None
        if meta_key is None:
            return None
        return (meta_key, meta_value)

    # -- records --------------------------------------------------------

    def _simple_record(
        self,
        node: Any,
        record: User | Term,
        fields: tuple[tuple[str, str], ...],
        key: str | None,
    ) -> None:
        wp = f"{{{self.wp_ns}}}"
        table = {wp + local: (attr, local) for local, attr in fields}
        meta_tag = wp + "termmeta"
        extras = record.extras
        self._node_extras(node, None, extras)
        anchor: str | None = None
        seen: set[str] = set()
        for child in node:
            tag = child.tag
            known = table.get(tag) if isinstance(tag, str) else None
            if known is not None and known[0] not in seen:
                attr, local = known
                value = self._text(child, key)
                if value is not None:
                    seen.add(attr)
                    setattr(record, attr, value)
                    self._node_extras(child, local, extras)
                    anchor = local
                    continue
            elif tag == meta_tag and isinstance(record, Term):
                pair = self._meta_pair(child, key)
                if pair is not None:
                    record.meta.append(pair)
                    anchor = "termmeta"
                    continue
            extra = self._extra(child, anchor)
            if extra is not None:
                extras.append(extra)

    def _user(self, node: Any) -> User:
        user = User(origin="wxr")
        self._simple_record(node, user, USER_FIELDS, None)
        return user

    def _term(self, node: Any, kind: str) -> Term:
        term = Term(origin="wxr", kind=kind)
        self._simple_record(node, term, TERM_FIELDS[kind], None)
        return term

    def _item(self, node: Any) -> Iterator[Record]:
        self.item_index += 1
        thread = Thread(origin="wxr", key="")
        extras = thread.extras
        if self.before_next_item:
            extras.extend(self.before_next_item)
            self.before_next_item = []
        self._node_extras(node, None, extras)
        label = f"#{self.item_index}"
        tags = self._item_tags
        anchor: str | None = None
        seen: set[str] = set()
        order: list[str] = []
        comment_nodes: list[Any] = []
        for child in node:
            tag = child.tag
            known = tags.get(tag) if isinstance(tag, str) else None
            if known is not None:
                how, attr, local = known
                if how == _TEXT or how == _GUID:
                    if attr not in seen:
                        value = self._text(child, label)
                        if value is not None:
                            seen.add(attr)
                            setattr(thread, attr, value)
                            if how == _GUID:
                                permalink = child.get("isPermaLink")
                                thread.guid_is_permalink = permalink
                                self._node_extras(child, local, extras, ("isPermaLink",))
                            else:
                                self._node_extras(child, local, extras)
                            anchor = local
                            self._note_child(order, ITEM_NAMES[local])
                            continue
                elif how == _CATEGORY:
                    value = self._text(child, label)
                    if value is not None:
                        thread.terms.append(ThreadTerm(
                            child.get("domain"), child.get("nicename"), value,
                        ))
                        self._node_extras(child, local, extras, ("domain", "nicename"))
                        anchor = local
                        self._note_child(order, ITEM_NAMES[local])
                        continue
                elif how == _POSTMETA:
                    pair = self._meta_pair(child, label)
                    if pair is not None:
                        thread.meta.append(pair)
                        anchor = local
                        self._note_child(order, ITEM_NAMES[local])
                        continue
                elif how == _COMMENT:
                    comment_nodes.append(child)
                    anchor = local
                    self._note_child(order, ITEM_NAMES[local])
                    continue
            extra = self._extra(child, anchor, label)
            if extra is not None:
                extras.append(extra)
        if not in_core_order(order, ITEM_ORDER):
            thread.child_order = order
        post_id = (thread.wp_post_id or "").strip()
        thread.key = post_id or label
        yield thread
        for index, child in enumerate(comment_nodes, 1):
            yield self._comment(child, thread.key, index)
        yield from self._flush_issues()

    def _plain_comment(self, node: Any, thread_key: str, index: int) -> Comment | None:
        """The comment, when it is the usual shape: every child a known
        field met once or a key/value commentmeta, each a leaf of text with
        no attributes. ``None`` otherwise; :meth:`_comment` reads it then."""
        if node.keys():
            return None
        fields = self._comment_fields
        meta_tag = self._commentmeta_tag
        key_tag, value_tag = self._meta_tags
        values: dict[str, str] = {}
        meta: list[Meta] = []
        for child in node:
            tag = child.tag
            attr = fields.get(tag)
            if attr is not None:
                if attr in values or len(child) or child.keys():
                    return None
                values[attr] = child.text or ""
            elif tag == meta_tag:
                if len(child) != 2 or child.keys():
                    return None
                key, value = child
                if (key.tag != key_tag or value.tag != value_tag or len(key) or len(value)
                        or key.keys() or value.keys()):
                    return None
                meta.append((key.text or "", value.text or ""))
            else:
                return None
        comment_id = (values.get("wp_id") or "").strip()
        comment = Comment(
            origin="wxr", key=comment_id or f"#{thread_key}/{index}", thread=thread_key,
            position=self.comment_index, meta=meta, **values,
        )
        self.comment_index += 1
        return comment

    def _comment(self, node: Any, thread_key: str, index: int) -> Comment:
        if not self.ns_decls:
            plain = self._plain_comment(node, thread_key, index)
            if plain is not None:
                return plain
        extras: list[Extra] = []
        meta: list[Meta] = []
        ns_decls = self.ns_decls
        if node.attrib or ns_decls:
            self._node_extras(node, None, extras)
        label = f"#{thread_key}/{index}"
        tags = self._comment_tags
        anchor: str | None = None
        # Field values by attribute name; a field's first occurrence wins.
        values: dict[str, str] = {}
        for child in node:
            known = tags.get(child.tag)
            if known is not None:
                how, attr, local = known
                if how == _TEXT:
                    if attr not in values:
                        # Nearly every field is a plain leaf: no children,
                        # attributes or namespace declarations to keep.
                        if not len(child) and not child.attrib and not (
                            ns_decls and child in ns_decls
                        ):
                            values[attr] = child.text or ""
                            anchor = local
                            continue
                        value = self._text(child, label)
                        if value is not None:
                            values[attr] = value
                            self._node_extras(child, local, extras)
                            anchor = local
                            continue
                else:
                    pair = self._meta_pair(child, label)
                    if pair is not None:
                        meta.append(pair)
                        anchor = local
                        continue
            extra = self._extra(child, anchor, label)
            if extra is not None:
                extras.append(extra)
        comment_id = (values.get("wp_id") or "").strip()
        comment = Comment(
            origin="wxr", key=comment_id or label, thread=thread_key,
            position=self.comment_index, meta=meta, extras=extras, **values,
        )
        self.comment_index += 1
        return comment


def _display(node: Any) -> str:
    # The tag as lxml holds it ("{uri}local", or "local"); a broken file can
    # leave a prefix unbound ("wp:comment"), which QName() would refuse.
    tag = node.tag
    return tag if isinstance(tag, str) else str(tag)
