"""The records of a WXR channel's children: items with their comments,
authors and terms.

:class:`ItemReader` holds the tag tables for the file's own namespaces (a
child is known by one dictionary lookup of its full tag) and reads each
record element in one pass over its children.  The usual comment, every
child a known leaf, takes a short path of its own; this is where the time
of reading a large export goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any

from lxml import etree

from ...records import Comment, Extra, ImportIssue, Meta, Record, Term, Thread, ThreadTerm, User
from ..xml.extras import attribute_items, extra_from_node
from ..xml.prefixes import PrefixBinder
from .groups import PostIdKeys, ThreadGroups
from .names import (
    COMMENT_FIELDS,
    CONTENT_ANCHOR,
    CONTENT_NS,
    DC_NS,
    EXCERPT_ANCHOR,
    ITEM_NAMES,
    ITEM_ORDER,
    ITEM_WP_FIELDS,
    SOURCE_PLAIN_FIELDS,
    SOURCE_WP_FIELDS,
    TERM_FIELDS,
    THREAD_IDENTIFIER_TAG,
    USER_FIELDS,
    in_core_order,
)

# How a known child is handled: a plain text field, or a structured child.
_TEXT = 0
_GUID = 1
_CATEGORY = 2
_POSTMETA = 3
_COMMENT = 4  # taken before the table is looked at (see item)
_COMMENTMETA = 5

# Where each field goes in the positional arguments of Comment, for the
# plain comment path (see ItemReader._plain_comment).
_COMMENT_SLOTS = {f.name: i for i, f in enumerate(fields(Comment))}
_KEY_SLOT = _COMMENT_SLOTS["key"]
_THREAD_SLOT = _COMMENT_SLOTS["thread"]
_WP_ID_SLOT = _COMMENT_SLOTS["wp_id"]
_META_SLOT = _COMMENT_SLOTS["meta"]
_EXTRAS_SLOT = _COMMENT_SLOTS["extras"]
_POSITION_SLOT = _COMMENT_SLOTS["position"]


def note_child(order: list[str], name: str) -> None:
    """Note a known child in the order of a record's children; a repeated
    group (categories, comments, ...) counts where it starts."""
    if name not in order:
        order.append(name)


class ItemReader:
    """Turns the record elements of one file's channel into records.

    ``ns_decls`` maps an element to the namespace declarations it makes
    (the document reader fills it); ``issues`` collects what is noted while
    reading, for the document reader to send on.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.wp_ns: str | None = None
        self.issues: list[ImportIssue] = []
        self.ns_decls: dict[Any, list[tuple[str, str]]] = {}
        self.entities_warned: set[str] = set()
        self.entities_left_out: set[tuple[int | None, str]] = set()
        self.item_index = 0
        self.post_keys = PostIdKeys(name)
        self.comment_index = 0
        self._item_tags: dict[str, tuple[int, str, str]] = {}
        self._comment_tags: dict[str, tuple[int, str, str]] = {}
        self.channel_tags: dict[str, tuple[str, str]] = {}
        self._meta_tags = ("{None}meta_key", "{None}meta_value")
        # For plain comments: field tag -> its slot in Comment's arguments
        # (0 for commentmeta), and the arguments before any field is read.
        self._comment_slots: dict[Any, int] = {}
        self._comment_blank: list[Any] = [None] * len(_COMMENT_SLOTS)
        self._comment_blank[_COMMENT_SLOTS["origin"]] = "wxr"
        self._comment_tag: str | None = None
        self.groups = ThreadGroups(name)
        self.prefixes = PrefixBinder(name)
        # Prefixes the document reader declared for the parser.
        self.injected: dict[str, str] = {}
        # The channel's extras that came before an item whose thread was
        # made by an earlier item: the document reader keeps them after the
        # items.
        self.displaced: list[Extra] = []

    # -- namespaces -----------------------------------------------------

    def set_wp_ns(self, uri: str | None) -> None:
        """Build the tag tables for the file's own wp URI (``None`` until one
        is found: the plain RSS children can still be read)."""
        self.wp_ns = uri
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
            self._comment_tag = wp + "comment"
        self._comment_slots = {
            tag: _COMMENT_SLOTS[attr] if how == _TEXT else 0
            for tag, (how, attr, _local) in comment.items()
        }
        self._item_tags = item
        self._comment_tags = comment
        self.channel_tags = channel

    def note_excerpt_ns(self, uri: str) -> None:
        """Know ``<encoded>`` in the excerpt namespace ``uri`` as the excerpt."""
        self._item_tags[f"{{{uri}}}encoded"] = (_TEXT, "excerpt", EXCERPT_ANCHOR)

    # -- text -----------------------------------------------------------

    def text(self, node: Any, record_key: str | None) -> str | None:
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

    def extra(self, node: Any, anchor: str | None, key: str | None = None) -> Extra | None:
        """A child kept as an extra; an entity reference between elements,
        which has no place to go back to, is reported as left out."""
        extra = extra_from_node(node, anchor)
        if extra is not None and extra.kind == "element" and (self.injected or self.prefixes.seen):
            self.prefixes.bind(node, extra, self.injected, self.issues)
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

    def node_extras(
        self, node: Any, anchor: str | None, extras: list[Extra], skip: tuple[str, ...] = ()
    ) -> None:
        """Attributes and namespace declarations the schema has no field for,
        on a record's own element (``anchor`` None) or on a known child."""
        if node.attrib:
            for key, value in attribute_items(node):
                if key not in skip:
                    if self.prefixes.seen:
                        key = self.prefixes.attribute(key)
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
                meta_key = child.text or "" if not len(child) else self.text(child, key)
                if meta_key is None:
                    return None
            elif tag == value_tag and not seen_value and meta_key is not None:
                seen_value = True
                meta_value = child.text or "" if not len(child) else self.text(child, key)
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
        self.node_extras(node, None, extras)
        anchor: str | None = None
        seen: set[str] = set()
        for child in node:
            tag = child.tag
            known = table.get(tag) if isinstance(tag, str) else None
            if known is not None and known[0] not in seen:
                attr, local = known
                value = self.text(child, key)
                if value is not None:
                    seen.add(attr)
                    setattr(record, attr, value)
                    self.node_extras(child, local, extras)
                    anchor = local
                    continue
            elif tag == meta_tag and isinstance(record, Term):
                pair = self._meta_pair(child, key)
                if pair is not None:
                    record.meta.append(pair)
                    anchor = "termmeta"
                    continue
            extra = self.extra(child, anchor)
            if extra is not None:
                extras.append(extra)

    def user(self, node: Any) -> User:
        """A ``<wp:author>``."""
        user = User(origin="wxr")
        self._simple_record(node, user, USER_FIELDS, None)
        return user

    def term(self, node: Any, kind: str) -> Term:
        """A ``<wp:category>``, ``<wp:tag>`` or ``<wp:term>`` of the channel."""
        term = Term(origin="wxr", kind=kind)
        self._simple_record(node, term, TERM_FIELDS[kind], None)
        return term

    def item(self, node: Any, before: list[Extra]) -> Iterator[Record]:
        """The thread of an ``<item>``, then its comments and the issues
        about them; ``before`` are the channel's extras that came before it."""
        self.item_index += 1
        thread = Thread(origin="wxr", key="")
        extras = thread.extras
        if before:
            extras.extend(before)
        self.node_extras(node, None, extras)
        label = f"#{self.item_index}"
        tags = self._item_tags
        anchor: str | None = None
        seen: set[str] = set()
        order: list[str] = []
        comment_nodes: list[Any] = []
        identifiers: list[str | None] = []  # dsq:thread_identifier, each written
        comment_tag = self._comment_tag
        for child in node:
            tag = child.tag
            if tag == comment_tag:
                # Most of an item's children: the shortest way through.
                comment_nodes.append(child)
                if anchor != "comment":
                    anchor = "comment"
                    note_child(order, ITEM_NAMES["comment"])
                continue
            known = tags.get(tag) if isinstance(tag, str) else None
            if known is not None:
                how, attr, local = known
                taken = False
                if how == _TEXT or how == _GUID:
                    if attr not in seen:
                        value = self.text(child, label)
                        if value is not None:
                            seen.add(attr)
                            setattr(thread, attr, value)
                            if how == _GUID:
                                thread.guid_is_permalink = child.get("isPermaLink")
                                self.node_extras(child, local, extras, ("isPermaLink",))
                            else:
                                self.node_extras(child, local, extras)
                            taken = True
                elif how == _CATEGORY:
                    value = self.text(child, label)
                    if value is not None:
                        thread.terms.append(ThreadTerm(
                            child.get("domain"), child.get("nicename"), value,
                        ))
                        self.node_extras(child, local, extras, ("domain", "nicename"))
                        taken = True
                elif how == _POSTMETA:
                    pair = self._meta_pair(child, label)
                    if pair is not None:
                        thread.meta.append(pair)
                        taken = True
                if taken:
                    anchor = local
                    note_child(order, ITEM_NAMES[local])
                    continue
            elif tag == THREAD_IDENTIFIER_TAG:
                # Kept as an extra too, where it was.
                identifiers.append(self.text(child, label))
            extra = self.extra(child, anchor, label)
            if extra is not None:
                extras.append(extra)
        if not in_core_order(order, ITEM_ORDER):
            thread.child_order = order
        post_id = (thread.wp_post_id or "").strip()
        thread.key = (self.post_keys.key(post_id, node.sourceline, self.issues) if post_id
                      else label)
        first, start = True, 0
        if not post_id:
            first, start = self.groups.join(
                thread, identifiers, (self.item_index, node.sourceline), len(comment_nodes),
                self.issues, self.displaced,
            )
        if first:
            yield thread
        if comment_nodes:
            key = thread.key
            plain_comment = self._plain_comment
            for index, child in enumerate(comment_nodes, start + 1):
                comment = None if self.ns_decls else plain_comment(child, key, index)
                yield comment if comment is not None else self._comment(child, key, index)
        yield from self._take_issues()

    def _plain_comment(self, node: Any, thread_key: str, index: int) -> Comment | None:
        """The comment, when it is the usual shape: every child a known
        field met once or a key/value commentmeta, each a leaf of text with
        no attributes. ``None`` otherwise; :meth:`_comment` reads it then.

        One walk over the comment's subtree checks the shape and takes the
        values: a child that holds an element shows up in the walk as one
        more "child" than ``len(node)`` counts, or as a tag out of place."""
        if node.keys():
            return None
        slots = self._comment_slots
        key_tag, value_tag = self._meta_tags
        values = self._comment_blank.copy()
        meta: list[Meta] = []
        walk = node.iterdescendants()
        children = 0
        for child in walk:
            slot = slots.get(child.tag)
            if slot is None or child.keys():
                return None
            children += 1
            if slot:
                if values[slot] is not None:
                    return None
                values[slot] = child.text or ""
            else:  # a commentmeta: its key and value come next in the walk
                if len(child) != 2:
                    return None
                key = next(walk)
                value = next(walk)
                if (key.tag != key_tag or value.tag != value_tag
                        or key.keys() or value.keys()):
                    return None
                meta.append((key.text or "", value.text or ""))
        if children != len(node):
            return None
        comment_id = values[_WP_ID_SLOT]
        values[_KEY_SLOT] = (comment_id and comment_id.strip()) or f"#{thread_key}/{index}"
        values[_THREAD_SLOT] = thread_key
        values[_META_SLOT] = meta
        values[_EXTRAS_SLOT] = []
        values[_POSITION_SLOT] = self.comment_index
        self.comment_index += 1
        return Comment(*values)

    def _comment(self, node: Any, thread_key: str, index: int) -> Comment:
        """Any comment, whatever its shape (the general path)."""
        extras: list[Extra] = []
        meta: list[Meta] = []
        ns_decls = self.ns_decls
        if node.attrib or ns_decls:
            self.node_extras(node, None, extras)
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
                        value = self.text(child, label)
                        if value is not None:
                            values[attr] = value
                            self.node_extras(child, local, extras)
                            anchor = local
                            continue
                else:
                    pair = self._meta_pair(child, label)
                    if pair is not None:
                        meta.append(pair)
                        anchor = local
                        continue
            extra = self.extra(child, anchor, label)
            if extra is not None:
                extras.append(extra)
        comment_id = (values.get("wp_id") or "").strip()
        comment = Comment(
            origin="wxr", key=comment_id or label, thread=thread_key,
            position=self.comment_index, meta=meta, extras=extras, **values,
        )
        self.comment_index += 1
        return comment

    def _take_issues(self) -> Iterator[Record]:
        if self.issues:
            issues, self.issues = self.issues, []
            yield from issues
