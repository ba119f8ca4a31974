"""Streaming WXR writer.

Writes WXR 1.2 the way WordPress core's exporter does (same prefixes, same
element order, CDATA where core uses it), with three differences that make
every file it writes importable without loss:

* the output is always well-formed: author URLs are escaped, and characters
  XML 1.0 forbids are replaced (each replacement noted in the report);
* within an item, comment ids are arranged so that WordPress's importer,
  which sorts comments by id and links a reply only to a parent with a lower
  id in the same item, re-links every reply;
* every comment's ``comment_user_id`` is checked against the authors written.

Records from a WXR source are written back as they came: a field that is
``None`` was absent and stays absent, unknown XML goes back where it was,
known children follow the file's own order when it was not core's
(``child_order``), and an item's comments keep their source order
(``position``) whenever their ids can be kept.
Records from another format get every element core writes, with values
derived through :mod:`wxrbridge.canonical`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import IO, Any

from lxml import etree

from ...canonical import (
    APPROVED,
    DELETED,
    PENDING,
    POST_TRASHED,
    SPAM,
    TRASH,
    comment_status,
    comment_type,
    dsq_bool,
    format_wxr_date,
    parent_reference,
    parse_utc,
    post_id_in_identifier,
    site_user_id,
    usual_utc_text,
    wp_id_in_identifier,
)
from ...records import Comment, Extra, Meta, Record, Source, Term, Thread, User
from ...version import __version__
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
from .names import (
    AFTER_CHANNEL_ANCHOR,
    BEFORE_ITEM_ANCHOR,
    CHANNEL_NAMES,
    CHANNEL_ORDER,
    COMMENT_FIELDS,
    CONTENT_ANCHOR,
    CONTENT_NS,
    DC_NS,
    DEFAULT_VERSION,
    DEFAULT_WP_NS,
    EXCERPT_ANCHOR,
    EXCERPT_NS_RE,
    ITEM_NAMES,
    ITEM_ORDER,
    RSS_ANCHOR,
    TERM_FIELDS,
    USER_FIELDS,
    WFW_NS,
    WP_NS_RE,
    excerpt_ns_for,
)

ORIGINAL_ID_KEY = "_wxrbridge_original_id"
ORIGINAL_PARENT_KEY = "_wxrbridge_original_parent"
# The namespace Disqus's importer reads ``dsq:thread_identifier`` from.
DSQ_IMPORT_NS = "http://www.disqus.com/"

_DIGITS = re.compile(r"^\s*([0-9]+)\s*$")


_STATUS_TO_WP = {
    APPROVED: "1", PENDING: "0", SPAM: "spam", TRASH: "trash",
    POST_TRASHED: "post-trashed", DELETED: "trash",
}

# Fields core wraps in CDATA (the rest it escapes or writes as numbers).
_USER_CDATA = {"author_login", "author_email", "author_display_name",
               "author_first_name", "author_last_name"}
_COMMENT_PLAIN = {"comment_id", "comment_author_url", "comment_parent", "comment_user_id"}
_TERM_KINDS = ("category", "tag", "term")


def _source_comment_id(comment: Comment) -> str | None:
    """The id a comment had in WordPress, as far as the record tells.

    A Disqus post imported from WordPress says ``wp_id=N``: it is comment N.
    """
    if comment.origin == "wxr":
        return comment.wp_id
    wp_id = wp_id_in_identifier(comment.dsq_identifier)
    if wp_id is not None:
        return wp_id
    return comment.wp_id if comment.wp_id is not None else comment.key


def write_wxr(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    keep_ids: bool = False,
    parents_first: bool = False,
    max_comment_id: int | None = None,
    dsq_namespace: bool = False,
    every_field: bool = False,
    item_offsets: list[int] | None = None,
) -> WriteReport:
    """Write ``records`` to ``out`` as one WXR document.

    Options: ``max_comment_id`` (the largest comment id of the whole data
    set, when the caller knows it: fresh ids then start above it),
    ``parents_first`` (write every item's comments parents first even when
    their ids already suit WordPress) and ``keep_ids`` (never renumber to
    suit WordPress's importer: an archive's exact copy, in which a reply with
    a lower id than its parent stays so).

    For other readers of WXR: ``dsq_namespace`` declares Disqus's import
    namespace and gives every item a ``dsq:thread_identifier`` (the thread's
    stored identifier, else ``"<post_id> <guid>"`` as the Disqus WordPress
    plugin writes it); ``every_field`` writes every element core writes even
    where a WXR record had none (empty, ``0`` for ``comment_parent`` and
    ``comment_user_id``) and every comment id as a plain number;
    ``item_offsets`` is a list the writer appends each item's starting byte
    offset to, then the offset where the last item ends (``out`` must then
    have ``tell``), so a caller can cut the file between items.
    """
    options = {
        "keep_ids": keep_ids, "parents_first": parents_first, "max_comment_id": max_comment_id,
        "dsq_namespace": dsq_namespace, "every_field": every_field, "item_offsets": item_offsets,
    }
    writer = _WxrWriter(out, options)
    writer.write(records)
    return writer.report


def _numeric(raw: str | None) -> int | None:
    if raw is None:
        return None
    if raw.isdigit() and raw.isascii():
        # The usual id, answered without the expression.
        return int(raw)
    match = _DIGITS.match(raw)
    return int(match.group(1)) if match else None


def _rfc822(value: datetime) -> str:
    return format_datetime(value.replace(tzinfo=timezone.utc))




def _write_cdata(xf: Any, text: str) -> None:
    # lxml 6.0/6.1 crash when an incrementally written CDATA section ends in
    # a single "]"; that last character goes out as plain text instead,
    # which every XML reader joins back to the same value.
    if text.endswith("]") and not text.endswith("]]"):
        if len(text) > 1:
            xf.write(etree.CDATA(text[:-1]))
        xf.write("]")
    else:
        xf.write(etree.CDATA(text))


def _arrange(core: tuple[str, ...], given: list[str] | None) -> tuple[str, ...]:
    """The order to write known children in: a record's ``child_order``
    where it has one, else core's.

    Names ``given`` leaves out go back where core puts them, right after the
    nearest child core writes before them; names core does not know are
    dropped, since nothing would be written for them.
    """
    if not given:
        return core
    order = [name for name in dict.fromkeys(given) if name in core]
    for index, name in enumerate(core):
        if name in order:
            continue
        at = 0
        for earlier in reversed(core[:index]):
            if earlier in order:
                at = order.index(earlier) + 1
                break
        order.insert(at, name)
    return tuple(order)


class _Extras:
    """A record's extras, sorted by where they go back."""

    __slots__ = ("nodes", "attrs", "ns", "used")

    def __init__(self, extras: list[Extra]) -> None:
        self.nodes: dict[str | None, list[Extra]] = {}
        self.attrs: dict[str | None, dict[str, str]] = {}
        self.ns: dict[str | None, dict[str, str]] = {}
        self.used: set[str | None] = set()
        for extra in extras:
            if extra.kind == "attribute":
                self.attrs.setdefault(extra.anchor, {})[extra.name] = extra.value
            elif extra.kind == "namespace":
                self.ns.setdefault(extra.anchor, {})[extra.name] = extra.value
            else:
                self.nodes.setdefault(extra.anchor, []).append(extra)


class _WxrWriter:
    def __init__(self, out: IO[bytes], options: dict[str, Any]) -> None:
        self.out = out
        self.report = WriteReport()
        self.parents_first = bool(options.get("parents_first", False))
        self.keep_ids = bool(options.get("keep_ids", False))
        self.dsq_namespace = bool(options.get("dsq_namespace", False))
        self.every_field = bool(options.get("every_field", False))
        self.item_offsets: list[int] | None = options.get("item_offsets")
        max_id = options.get("max_comment_id")
        self.max_id = int(max_id) if max_id is not None else 0
        self.issued: set[int] = set()
        self.max_post_id = 0
        self.sources: list[Source] = []
        self.source: Source | None = None
        self.users: list[User] = []
        self.terms: list[Term] = []
        self.user_ids: set[str] = set()
        self.unknown_users: set[str] = set()
        self.xf: Any = None
        # Leaves and comments are written as text (see "elements as text"
        # below) between stretches of lxml output; ``raw`` holds that text
        # until it goes to ``out``.
        self.raw: list[str] | None = None
        # The namespace declarations of the elements open, and a key for them.
        self.scopes: list[dict[str, str] | None] = []
        self.scope_key: tuple[str | None, ...] = ()
        self.prefixes: dict[tuple[tuple[str | None, ...], str], str | None] = {}
        self.comment_tags: dict[tuple[tuple[str | None, ...], int], _CommentTags | None] = {}
        self.wp = ""
        self.excerpt = ""
        self.header_written = False
        # Items of one file usually share one child order: arrange it once.
        self.item_orders: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.safe_parser = etree.XMLParser(**SAFE_PARSING)

    # -- the stream -----------------------------------------------------

    def write(self, records: Iterable[Record]) -> None:
        iterator = iter(records)
        thread: Thread | None = None
        comments: list[Comment] = []
        for record in iterator:
            if isinstance(record, Thread):
                break
            self._collect(record)
        else:
            record = None
        self._choose_source()
        self.out.write(
            b'<?xml version="1.0" encoding="UTF-8" ?>\n'
            + f"<!-- WordPress eXtended RSS written by wxrbridge {__version__} -->\n"
            .encode()
        )
        with etree.xmlfile(self.out, encoding="utf-8") as xf:
            self.xf = xf
            source_extras = _Extras(self.source.extras if self._wxr_source() else [])
            with self._element("rss", self._rss_attributes(source_extras), self.nsmap):
                self._write_extra_nodes(source_extras.nodes.get(RSS_ANCHOR, ()), 0)
                self._nl(0)
                with self._element("channel", source_extras.attrs.get(None, {}),
                                   source_extras.ns.get(None)):
                    self._channel_header(source_extras)
                    self.header_written = True
                    if isinstance(record, Thread):
                        thread = record
                        for record in iterator:
                            if isinstance(record, Comment):
                                if thread is not None and record.thread == thread.key:
                                    comments.append(record)
                                else:
                                    self.report.left_out.append(
                                        f"comment {record.key}: its thread {record.thread}"
                                        " does not precede it in the stream"
                                    )
                                continue
                            if thread is not None:
                                self._item(thread, comments)
                                thread, comments = None, []
                            if isinstance(record, Thread):
                                thread = record
                            else:
                                self._late_record(record)
                        if thread is not None:
                            self._item(thread, comments)
                    self._mark_offset()
                    # A reader can only hand over what follows the last item
                    # once the items are through: look at the Source again.
                    if self._wxr_source():
                        source_extras = _Extras(self.source.extras)
                    self._write_extra_nodes(source_extras.nodes.get("item", ()), 1)
                    self._nl(0)
                self._write_extra_nodes(source_extras.nodes.get(AFTER_CHANNEL_ANCHOR, ()), 0)
                self._nl(-1)
        self.out.write(b"\n")

    def _mark_offset(self) -> None:
        if self.item_offsets is not None:
            self._end_raw()
            self.xf.flush()
            self.item_offsets.append(self.out.tell())

    def _collect(self, record: Record) -> None:
        if isinstance(record, Source):
            self.sources.append(record)
        elif isinstance(record, User):
            self.users.append(record)
        elif isinstance(record, Term):
            self.terms.append(record)
        elif isinstance(record, Comment):
            self.report.left_out.append(
                f"comment {record.key}: its thread {record.thread} does not precede it"
                " in the stream"
            )

    def _late_record(self, record: Record) -> None:
        """Users and terms after the first item: written where they come
        (WordPress's importer finds them anywhere in the channel)."""
        if isinstance(record, User):
            self._user(record, 1)
        elif isinstance(record, Term):
            self._term(record, 1)
        elif isinstance(record, Source):
            self.report.notes.append(
                f"source {record.site}: met after the first item; its channel"
                " fields are not written"
            )

    def _choose_source(self) -> None:
        wxr = [s for s in self.sources if s.origin == "wxr"]
        self.source = wxr[0] if wxr else (self.sources[0] if self.sources else None)
        others = [s.site for s in self.sources if s is not self.source]
        if others:
            self.report.notes.append(
                "channel fields come from source "
                f"{self.source.site if self.source else '?'}; not from "
                + ", ".join(others)
            )
        namespaces: dict[str, str] = {}
        wp_ns = DEFAULT_WP_NS
        if self._wxr_source():
            assert self.source is not None
            namespaces = dict(self.source.namespaces)
            if self.source.wp_namespace and WP_NS_RE.match(self.source.wp_namespace):
                wp_ns = self.source.wp_namespace
        if not namespaces:
            namespaces = {
                "excerpt": excerpt_ns_for(wp_ns), "content": CONTENT_NS,
                "wfw": WFW_NS, "dc": DC_NS, "wp": wp_ns,
            }
        # Elements without a namespace must stay without one.
        namespaces.pop("", None)
        if wp_ns not in namespaces.values():
            namespaces["wp" if "wp" not in namespaces else "wxr"] = wp_ns
        if self.dsq_namespace:
            # Disqus's importer looks for this prefix; a source's own use of
            # it gives way (lxml invents a prefix for that URI if needed).
            namespaces["dsq"] = DSQ_IMPORT_NS
        excerpt = next(
            (uri for uri in namespaces.values() if EXCERPT_NS_RE.match(uri)),
            excerpt_ns_for(wp_ns),
        )
        self.nsmap = namespaces
        self.wp = f"{{{wp_ns}}}"
        self.excerpt = f"{{{excerpt}}}encoded"
        if len(self.sources) > 1:
            self._dedupe_header()

    def _dedupe_header(self) -> None:
        # Several files of one export repeat the author and term lists.
        users: list[User] = []
        for user in self.users:
            if user not in users:
                users.append(user)
        terms: list[Term] = []
        for term in self.terms:
            if term not in terms:
                terms.append(term)
        self.users, self.terms = users, terms

    def _wxr_source(self) -> bool:
        return self.source is not None and self.source.origin == "wxr"

    def _rss_attributes(self, extras: _Extras) -> dict[str, str]:
        attrs = extras.attrs.get(RSS_ANCHOR)
        if attrs:
            return {k: self._clean(v, "channel", "rss attribute") for k, v in attrs.items()}
        return {"version": "2.0"}

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
            if name is not None and (not attrib or _plain_names(attrib)):
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
                    _write_cdata(xf, (">" if index else "") + piece
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

    def _place(self, extras: _Extras, anchor: str | None, depth: int) -> None:
        if extras.nodes:
            nodes = extras.nodes.get(anchor)
            if nodes:
                extras.used.add(anchor)
                self._write_extra_nodes(nodes, depth)

    def _place_rest(self, extras: _Extras, depth: int, skip: Iterable[str] = ()) -> None:
        """Extras whose anchor was never written go at the end of the record."""
        if extras.nodes:
            for anchor, nodes in extras.nodes.items():
                if anchor not in extras.used and anchor not in skip and anchor is not None:
                    self._write_extra_nodes(nodes, depth)

    def _fields(
        self,
        depth: int,
        values: Iterable[tuple[str, str, str | None, bool]],
        extras: _Extras,
        label: str,
    ) -> None:
        """Write (anchor, tag, text, cdata) children in order, skipping
        absent ones, each followed by the extras that came after it."""
        for anchor, tag, text, cdata in values:
            if text is None:
                continue
            if extras is _NO_EXTRAS_OBJ:
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

    # -- channel ----------------------------------------------------------

    def _channel_header(self, extras: _Extras) -> None:
        source = self.source
        wp = self.wp
        depth = 1
        self._place(extras, None, depth)
        if self._wxr_source():
            assert source is not None
            values: list[tuple[str, str, str | None, bool]] = [
                ("title", "title", source.title, False),
                ("link", "link", source.link, False),
                ("description", "description", source.description, False),
                ("pubDate", "pubDate", source.pub_date, False),
                ("language", "language", source.language, False),
                ("wxr_version", wp + "wxr_version", source.version, False),
                ("base_site_url", wp + "base_site_url", source.base_site_url, False),
                ("base_blog_url", wp + "base_blog_url", source.base_blog_url, False),
            ]
            generator = source.generator
        else:
            link = (source.link if source else None) or ""
            site_url = (source.base_site_url if source else None) or link
            values = [
                ("title", "title", (source.title or source.site) if source else "", False),
                ("link", "link", link, False),
                ("description", "description", (source.description if source else None)
                 or "", False),
                ("pubDate", "pubDate", (source.pub_date if source else None)
                 or _rfc822(datetime.now(timezone.utc).replace(tzinfo=None)), False),
                ("language", "language", (source.language if source else None) or "", False),
                ("wxr_version", wp + "wxr_version", DEFAULT_VERSION, False),
                ("base_site_url", wp + "base_site_url", site_url, False),
                ("base_blog_url", wp + "base_blog_url",
                 (source.base_blog_url if source else None) or site_url, False),
            ]
            generator = f"wxrbridge/{__version__}"
        values.append(("generator", "generator", generator, False))
        fields = {CHANNEL_NAMES[value[0]]: value for value in values}
        terms: dict[str, list[Term]] = {}
        for term in self.terms:
            terms.setdefault(term.kind, []).append(term)
        for name in _arrange(CHANNEL_ORDER, source.child_order if source else None):
            if name in fields:
                self._fields(depth, [fields[name]], extras, "channel")
            elif name == "wp:author":
                for user in self.users:
                    self._user(user, depth)
                self._place(extras, "author", depth)
            elif name.startswith("wp:") and name[3:] in _TERM_KINDS:
                kind = name[3:]
                for term in terms.pop(kind, ()):
                    self._term(term, depth)
                # After the whole group: an extra anchored to a kind may
                # have followed any of its terms, and goes back only once.
                self._place(extras, kind, depth)
            # "item": the items follow the header whatever the order says.
        for rest in terms.values():
            for term in rest:
                self._term(term, depth)  # a kind WXR has no element for: noted
        self._place_rest(
            extras, depth, skip=(RSS_ANCHOR, AFTER_CHANNEL_ANCHOR, "item", "author",
                                 *_TERM_KINDS)
        )

    def _user(self, user: User, depth: int) -> None:
        label = f"user {user.login or user.wp_id or user.dsq_username}"
        if user.origin != "wxr" and user.wp_id is None and user.login is None:
            self.report.left_out.append(
                f"{label}: no WordPress account behind it; not written as wp:author"
            )
            return
        wp = self.wp
        wxr = user.origin == "wxr"
        extras = _Extras(user.extras) if user.extras else _NO_EXTRAS_OBJ
        values = []
        for local, attr in USER_FIELDS:
            value = getattr(user, attr)
            if value is None and not wxr:
                value = "0" if local == "author_id" else ""
            values.append((local, wp + local, value, local in _USER_CDATA))
        self._nl(depth)
        with self._element(wp + "author", extras.attrs.get(None, {}), extras.ns.get(None)):
            self._place(extras, None, depth + 1)
            self._fields(depth + 1, values, extras, label)
            self._place_rest(extras, depth + 1)
            self._nl(depth)
        if user.wp_id is not None:
            self.user_ids.add(user.wp_id.strip())
        self.report.written["user"] += 1

    def _term(self, term: Term, depth: int) -> None:
        label = f"term {term.slug or term.name or term.term_id}"
        if term.kind not in TERM_FIELDS:
            self.report.left_out.append(
                f"{label}: a {term.kind} has no place in a WXR channel"
            )
            return
        wp = self.wp
        wxr = term.origin == "wxr"
        extras = _Extras(term.extras) if term.extras else _NO_EXTRAS_OBJ
        values = []
        for local, attr in TERM_FIELDS[term.kind]:
            value = getattr(term, attr)
            if value is None and not wxr and not local.endswith("description"):
                value = ""
            values.append((local, wp + local, value, local != "term_id"))
        self._nl(depth)
        with self._element(wp + term.kind, extras.attrs.get(None, {}), extras.ns.get(None)):
            self._place(extras, None, depth + 1)
            self._fields(depth + 1, values, extras, label)
            self._meta(depth + 1, wp + "termmeta", term.meta, label)
            self._place(extras, "termmeta", depth + 1)
            self._place_rest(extras, depth + 1)
            self._nl(depth)
        self.report.written["term"] += 1

    # -- items ------------------------------------------------------------

    def _item(self, thread: Thread, comments: list[Comment]) -> None:
        label = f"thread {thread.key}"
        wp = self.wp
        extras = _Extras(thread.extras) if thread.extras else _NO_EXTRAS_OBJ
        depth = 1
        self._mark_offset()
        self._place(extras, BEFORE_ITEM_ANCHOR, depth)
        values, guid_attr = self._thread_values(thread)
        meta = list(thread.meta)
        if thread.origin != "wxr" and thread.dsq_id is not None:
            if not any(key == "dsq_thread_id" for key, _ in meta):
                meta.append(("dsq_thread_id", thread.dsq_id))
        plan = self._plan_comments(thread, comments)
        fields = {ITEM_NAMES[value[0]]: value for value in values}
        self._nl(depth)
        with self._element("item", extras.attrs.get(None, {}), extras.ns.get(None)):
            self._place(extras, None, depth + 1)
            for name in self._item_order(thread):
                field = fields.get(name)
                if field is not None:
                    anchor, tag, text, cdata = field
                    if text is not None:
                        attrib = extras.attrs.get(anchor)
                        if anchor == "guid" and guid_attr is not None:
                            attrib = {"isPermaLink": guid_attr, **(attrib or {})}
                        self._leaf(depth + 1, tag, text, cdata, label, attrib,
                                   extras.ns.get(anchor))
                        self._place(extras, anchor, depth + 1)
                    if anchor == CONTENT_ANCHOR and self.dsq_namespace:
                        self._leaf(depth + 1, f"{{{DSQ_IMPORT_NS}}}thread_identifier",
                                   self._thread_identifier(thread, fields), False, label)
                elif name == "category":
                    for term in thread.terms:
                        attrib = {}
                        if term.domain is not None:
                            attrib["domain"] = term.domain
                        if term.nicename is not None:
                            attrib["nicename"] = term.nicename
                        attrib.update(extras.attrs.get("category", {}))
                        self._leaf(depth + 1, "category", term.name or "", True, label, attrib)
                    self._place(extras, "category", depth + 1)
                elif name == "wp:postmeta":
                    self._meta(depth + 1, wp + "postmeta", meta, label)
                    self._place(extras, "postmeta", depth + 1)
                elif name == "wp:comment":
                    tags = self._comment_tags(depth + 1)
                    for comment, comment_id, parent, extra_meta in plan:
                        self._comment(comment, comment_id, parent, extra_meta, depth + 1, tags)
                    self._end_raw()
                    self._place(extras, "comment", depth + 1)
            self._place_rest(extras, depth + 1, skip=(BEFORE_ITEM_ANCHOR,))
            self._nl(depth)
        self.report.written["thread"] += 1

    @staticmethod
    def _thread_identifier(
        thread: Thread, fields: dict[str, tuple[str, str, str | None, bool]]
    ) -> str:
        """The page's disqus_identifier: the one Disqus stored for the thread,
        else what the Disqus WordPress plugin would have made it."""
        if thread.identifier and thread.identifier.strip():
            return thread.identifier
        post_id = (fields["wp:post_id"][2] or "").strip() or thread.key
        guid = (fields["guid"][2] or "").strip()
        return f"{post_id} {guid}"

    def _item_order(self, thread: Thread) -> tuple[str, ...]:
        if not thread.child_order:
            return ITEM_ORDER
        given = tuple(thread.child_order)
        order = self.item_orders.get(given)
        if order is None:
            order = self.item_orders[given] = _arrange(ITEM_ORDER, thread.child_order)
        return order

    def _thread_values(
        self, thread: Thread
    ) -> tuple[list[tuple[str, str, str | None, bool]], str | None]:
        wp = self.wp
        t = thread
        if t.origin == "wxr":
            post_id = t.wp_post_id
            post_date, post_date_gmt = t.created_at_local, t.created_at
            modified, modified_gmt = t.modified_at_local, t.modified_at
            pub_date, guid, permalink = t.pub_date, t.guid, t.guid_is_permalink
            post_number = _numeric(post_id)
            if post_number is not None:
                self.max_post_id = max(self.max_post_id, post_number)
            statuses = (t.comment_status, t.ping_status, t.status)
            numbers = (t.post_parent, t.menu_order, t.is_sticky)
            strings = (t.title, t.link, t.creator, t.description, t.content, t.excerpt,
                       t.slug, t.post_type, t.post_password)
        else:
            post_id = self._post_id(t)
            created = self._utc(t.created_at, f"thread {t.key}", "created_at")
            changed = self._utc(t.modified_at, f"thread {t.key}", "modified_at") or created
            post_date_gmt = format_wxr_date(created)
            post_date = t.created_at_local or post_date_gmt
            modified_gmt = format_wxr_date(changed)
            modified = t.modified_at_local or modified_gmt
            pub_date = t.pub_date or (_rfc822(created) if created else "")
            guid = t.guid or t.link or ""
            permalink = t.guid_is_permalink or "false"
            closed = dsq_bool(t.dsq_is_closed, False)
            deleted = dsq_bool(t.dsq_is_deleted, False)
            statuses = (t.comment_status or ("closed" if closed else "open"),
                        t.ping_status or "closed",
                        t.status or ("trash" if deleted else "publish"))
            numbers = (t.post_parent or "0", t.menu_order or "0", t.is_sticky or "0")
            strings = (t.title or "", t.link or "", t.creator or "", t.description or "",
                       t.content or "", t.excerpt or "", t.slug or "", t.post_type or "post",
                       t.post_password or "")
        if self.every_field:
            post_id, post_date, post_date_gmt, modified, modified_gmt, pub_date, guid = (
                "" if value is None else value
                for value in (post_id, post_date, post_date_gmt, modified, modified_gmt,
                              pub_date, guid)
            )
            statuses = tuple("" if value is None else value for value in statuses)
            numbers = tuple("0" if value is None else value for value in numbers)
            strings = tuple("" if value is None else value for value in strings)
        title, link, creator, description, content, excerpt, slug, post_type, password = (
            strings
        )
        values = [
            ("title", "title", title, True),
            ("link", "link", link, False),
            ("pubDate", "pubDate", pub_date, False),
            ("creator", f"{{{DC_NS}}}creator", creator, True),
            ("guid", "guid", guid, False),
            ("description", "description", description, False),
            (CONTENT_ANCHOR, f"{{{CONTENT_NS}}}encoded", content, True),
            (EXCERPT_ANCHOR, self.excerpt, excerpt, True),
            ("post_id", wp + "post_id", post_id, False),
            ("post_date", wp + "post_date", post_date, True),
            ("post_date_gmt", wp + "post_date_gmt", post_date_gmt, True),
            ("post_modified", wp + "post_modified", modified, True),
            ("post_modified_gmt", wp + "post_modified_gmt", modified_gmt, True),
            ("comment_status", wp + "comment_status", statuses[0], True),
            ("ping_status", wp + "ping_status", statuses[1], True),
            ("post_name", wp + "post_name", slug, True),
            ("status", wp + "status", statuses[2], True),
            ("post_parent", wp + "post_parent", numbers[0], False),
            ("menu_order", wp + "menu_order", numbers[1], False),
            ("post_type", wp + "post_type", post_type, True),
            ("post_password", wp + "post_password", password, True),
            ("is_sticky", wp + "is_sticky", numbers[2], False),
            ("attachment_url", wp + "attachment_url", t.attachment_url, True),
        ]
        return values, permalink

    def _post_id(self, thread: Thread) -> str:
        """A numeric post id for a thread from another format."""
        for candidate in (thread.wp_post_id, thread.key):
            number = _numeric(candidate)
            if number is not None:
                self.max_post_id = max(self.max_post_id, number)
                return str(number)
        if thread.identifier:
            post_id = post_id_in_identifier(thread.identifier)
            if post_id is not None:
                return post_id
        self.max_post_id += 1
        self.report.notes.append(
            f"thread {thread.key}: no numeric post id; written as {self.max_post_id}"
        )
        return str(self.max_post_id)

    def _utc(self, raw: str | None, label: str, what: str) -> datetime | None:
        try:
            return parse_utc(raw)
        except ValueError:
            self.report.notes.append(f"{label}: {what} {raw!r} is not a date; written as zero")
            return None

    # -- comments -----------------------------------------------------------

    def _plan_comments(
        self, thread: Thread, comments: list[Comment]
    ) -> list[tuple[Comment, str | None, str | None, list[Meta]]]:
        """Decide each comment's written id, parent and order.

        WordPress's importer sorts an item's comments by id and links a reply
        only to a parent it has already inserted, i.e. one with a lower id in
        the same item.  Ids that already satisfy that are kept as they are;
        otherwise the comments that break it get fresh ids above every id
        seen, and their replies point at the new ids.
        """
        count = len(comments)
        if not count:
            return []
        by_key: dict[str, int] = {}
        for index, comment in enumerate(comments):
            by_key.setdefault(comment.key, index)
        parents: list[int | None] = []
        for comment in comments:
            if comment.parent_key is not None:
                parents.append(by_key.get(comment.parent_key))
            else:
                reference = parent_reference(comment)
                parents.append(by_key.get(reference) if reference is not None else None)
        broken = self._break_cycles(parents, comments, thread)
        children: list[list[int]] = [[] for _ in range(count)]
        for index, parent in enumerate(parents):
            if parent is not None:
                children[parent].append(index)
        order = self._parents_first(parents, children)

        raw_ids = [_source_comment_id(c) for c in comments]
        numbers = [_numeric(raw) for raw in raw_ids]
        highest = max([self.max_id, *(n for n in numbers if n is not None)])
        final: list[int | None] = [None] * count
        renumbered = [False] * count
        taken: set[int] = set()
        for index in order:
            number = numbers[index]
            parent = parents[index]
            involved = parent is not None or bool(children[index])
            # A WXR file's own odd id is kept when nothing depends on it (a
            # lossless round trip); a comment from another format always
            # gets a number, since WordPress casts the id to an integer.
            keep = number is not None or (
                not involved and comments[index].origin == "wxr" and not self.every_field
            )
            if number is not None:
                if number in taken or number in self.issued:
                    keep = False
                elif self.keep_ids:
                    keep = True
                elif parent is not None:
                    parent_number = final[parent]
                    keep = parent_number is not None and number > parent_number
            if keep:
                final[index] = number
            else:
                highest += 1
                final[index] = highest
                renumbered[index] = True
                self.issued.add(highest)
            if final[index] is not None:
                taken.add(final[index])  # type: ignore[arg-type]
        self.max_id = highest

        changed = [i for i in range(count) if renumbered[i]]
        if changed:
            shown = ", ".join(
                f"{raw_ids[i] if raw_ids[i] is not None else comments[i].key}->{final[i]}"
                for i in changed[:10]
            )
            more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
            self.report.notes.append(
                f"thread {thread.key}: comment ids renumbered so WordPress re-links every "
                f"reply ({shown}{more}); the old ids are kept in comment meta "
                f"{ORIGINAL_ID_KEY}"
            )
        reorder = bool(changed) or self.parents_first or thread.origin != "wxr"
        if reorder:
            sequence: Iterable[int] = order
        elif all(comment.position is not None for comment in comments):
            # Ids are kept, so the source's own order can be too, even when
            # the comments arrived parents first (as the store sends them).
            sequence = sorted(range(count), key=lambda i: comments[i].position or 0)
        else:
            sequence = range(count)
        plan = []
        for index in sequence:
            comment = comments[index]
            extra_meta: list[Meta] = []
            if renumbered[index]:
                comment_id: str | None = str(final[index])
                if not any(key == ORIGINAL_ID_KEY for key, _ in comment.meta):
                    extra_meta.append((ORIGINAL_ID_KEY, raw_ids[index] or comment.key))
            elif self.every_field:
                comment_id = str(final[index])
            else:
                comment_id = raw_ids[index]
            parent = parents[index]
            if index in broken:
                parent_text: str | None = "0"
                extra_meta.append((ORIGINAL_PARENT_KEY, comment.parent or ""))
            elif parent is not None:
                # The raw reference is kept when it still names the parent's
                # written id (so " 12 " stays " 12 ").
                keep_raw = (comment.origin == "wxr" and not self.every_field
                            and _numeric(comment.parent) == final[parent])
                parent_text = comment.parent if keep_raw else str(final[parent])
            elif comment.origin == "wxr":
                parent_text = comment.parent
            else:
                # A parent missing from the data is named by its Disqus id,
                # which WordPress would take for one of its own comment ids
                # (and might find): the reply goes to the top level and the
                # reference is kept in meta.
                parent_text = "0"
                if parent_reference(comment) is not None:
                    extra_meta.append((ORIGINAL_PARENT_KEY, comment.parent or ""))
            plan.append((comment, comment_id, parent_text, extra_meta))
        return plan

    def _break_cycles(
        self, parents: list[int | None], comments: list[Comment], thread: Thread
    ) -> set[int]:
        """Cut every cycle of parent links at the comment that comes first
        in the stream; that comment becomes top level."""
        state = [0] * len(parents)  # 0 unseen, 1 on the current walk, 2 done
        broken: set[int] = set()
        for start in range(len(parents)):
            if state[start]:
                continue
            walk: list[int] = []
            node: int | None = start
            while node is not None and state[node] == 0:
                state[node] = 1
                walk.append(node)
                node = parents[node]
            if node is not None and state[node] == 1:
                cycle = walk[walk.index(node):]
                cut = min(cycle)
                parents[cut] = None
                broken.add(cut)
                keys = " -> ".join(comments[i].key for i in cycle)
                self.report.notes.append(
                    f"thread {thread.key}: comments {keys} reply to each other in a"
                    f" cycle; comment {comments[cut].key} is written as top level"
                    f" (its parent kept in comment meta {ORIGINAL_PARENT_KEY})"
                )
            for index in walk:
                state[index] = 2
        return broken

    @staticmethod
    def _parents_first(parents: list[int | None], children: list[list[int]]) -> list[int]:
        order: list[int] = []
        for root in range(len(parents)):
            if parents[root] is not None:
                continue
            stack = [root]
            while stack:
                index = stack.pop()
                order.append(index)
                stack.extend(reversed(children[index]))
        return order

    def _comment(
        self,
        comment: Comment,
        comment_id: str | None,
        parent: str | None,
        extra_meta: list[Meta],
        depth: int,
        tags: _CommentTags | None = None,
    ) -> None:
        c = comment
        if c.origin == "wxr":
            texts: tuple[str | None, ...] = (
                comment_id, c.author_name, c.author_email, c.author_url, c.author_ip,
                c.created_at_local, c.created_at, c.content, c.wp_approved, c.wp_type,
                parent, c.wp_user_id,
            )
            if self.every_field:
                texts = tuple(
                    ("0" if local in ("comment_parent", "comment_user_id") else "")
                    if text is None else text
                    for (local, _attr), text in zip(COMMENT_FIELDS, texts, strict=True)
                )
            meta = c.meta
        else:
            gmt = usual_utc_text(c.created_at) or format_wxr_date(
                self._utc(c.created_at, f"comment {c.key}", "created_at"))
            status = comment_status(c)
            texts = (
                comment_id, c.author_name or "", c.author_email or "", c.author_url or "",
                c.author_ip or "", c.created_at_local or gmt, gmt, c.content or "",
                _STATUS_TO_WP.get(status, status), c.wp_type or comment_type(c),
                parent or "0", c.wp_user_id or "0",
            )
            meta = list(c.meta)
            if c.dsq_id is not None and not any(key == "dsq_post_id" for key, _ in meta):
                meta.append(("dsq_post_id", c.dsq_id))
        if extra_meta:
            meta = [*meta, *extra_meta]
        user_id = site_user_id(c.wp_user_id)
        if user_id is not None and user_id not in self.user_ids:
            if user_id not in self.unknown_users:
                self.unknown_users.add(user_id)
                self.report.notes.append(
                    f"comment {c.key}: comment_user_id {user_id} has no wp:author in the data;"
                    " WordPress's importer cannot link it to an account"
                )
        if tags is not None and not c.extras:
            self._raw_comment(tags, texts, meta, c.key)
            self.report.written["comment"] += 1
            return
        label = f"comment {c.key}"
        wp = self.wp
        self._end_raw()
        extras = _Extras(c.extras) if c.extras else _NO_EXTRAS_OBJ
        values = [
            (local, wp + local, text, local not in _COMMENT_PLAIN)
            for (local, _attr), text in zip(COMMENT_FIELDS, texts, strict=True)
        ]
        self._nl(depth)
        with self._element(wp + "comment", extras.attrs.get(None, {}), extras.ns.get(None)):
            self._place(extras, None, depth + 1)
            self._fields(depth + 1, values, extras, label)
            self._meta(depth + 1, wp + "commentmeta", meta, label)
            self._place(extras, "commentmeta", depth + 1)
            self._place_rest(extras, depth + 1)
            self._nl(depth)
        self.report.written["comment"] += 1

    # -- elements as text ---------------------------------------------------
    #
    # A file is mostly small leaf elements, comments' above all, and writing
    # them one by one through lxml costs three times what formatting them as
    # text does.  Leaves, and whole comments without extras, are therefore
    # formatted here, byte for byte as lxml writes them: the same prefixes,
    # text and attributes escaped as libxml2 escapes them, CDATA cut where
    # _leaf cuts it.  Anything unusual (extras on a comment, a namespace
    # declared on the element or one lxml would have to declare, an attribute
    # in a namespace) goes through lxml.  The text is kept in ``raw``; every
    # lxml write is preceded by _end_raw, which sends it out first.

    def _comment_tags(self, depth: int) -> _CommentTags | None:
        """The tags of the open item's comments, or None to leave them to lxml."""
        key = (self.scope_key, depth)
        if key not in self.comment_tags:
            name = self._name(self.wp + "comment")
            self.comment_tags[key] = (
                None if name is None else _CommentTags(name[: -len("comment")], depth)
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
        body = _cdata_text(text) if cdata else escape_text(text)
        self._start_raw().append(f"{start}{body}</{name}>")

    def _raw_comment(
        self,
        tags: _CommentTags,
        texts: tuple[str | None, ...],
        meta: list[Meta],
        comment_key: str,
    ) -> None:
        parts = _comment_parts(tags, texts, meta)
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
            parts = _comment_parts(tags, texts, meta)
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


def _plain_names(attrib: dict[str, str]) -> bool:
    return all("{" not in key and ":" not in key for key in attrib)


def _cdata_text(text: str) -> str:
    """Text for a CDATA field exactly as _leaf has lxml write it."""
    if not text:
        return "<![CDATA[]]>"
    if "\r" in text:
        return escape_text(text)
    if "]]>" not in text and text[-1] != "]":
        return f"<![CDATA[{text}]]>"
    out: list[str] = []
    pieces = text.split("]]>")
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        piece = (">" if index else "") + piece + ("]]" if index < last else "")
        if piece.endswith("]") and not piece.endswith("]]"):
            # Mirrors _write_cdata's way round lxml's crash.
            if len(piece) > 1:
                out.append(f"<![CDATA[{piece[:-1]}]]>")
            out.append("]")
        else:
            out.append(f"<![CDATA[{piece}]]>")
    return "".join(out)


class _CommentTags:
    """The markup around a comment's fields, for one prefix and depth.

    Each field has its start and end tags twice: alone, and with a CDATA
    section's opening and closing around the text (the common case, so one
    concatenation writes it).
    """

    __slots__ = ("open", "close", "fields", "meta_open", "meta_close", "key", "value")

    def __init__(self, prefix: str, depth: int) -> None:
        outer = "\n" + "\t" * depth
        inner = outer + "\t"
        leaf = inner + "\t"
        self.open = f"{outer}<{prefix}comment>"
        self.close = f"{outer}</{prefix}comment>"
        self.fields = tuple(
            _tag_pair(inner, prefix + local, local not in _COMMENT_PLAIN)
            for local, _attr in COMMENT_FIELDS
        )
        self.meta_open = f"{inner}<{prefix}commentmeta>"
        self.meta_close = f"{inner}</{prefix}commentmeta>"
        self.key = _tag_pair(leaf, prefix + "meta_key", True)
        self.value = _tag_pair(leaf, prefix + "meta_value", True)


def _tag_pair(indent: str, name: str, cdata: bool) -> tuple[str, str, str, str, bool]:
    start, end = f"{indent}<{name}>", f"</{name}>"
    return start, end, start + "<![CDATA[", "]]>" + end, cdata


def _cdata_field(tag: tuple[str, str, str, str, bool], text: str) -> str:
    if text and "]]>" not in text and "\r" not in text and text[-1] != "]":
        return tag[2] + text + tag[3]
    return tag[0] + _cdata_text(text) + tag[1]


def _comment_parts(
    tags: _CommentTags, texts: tuple[str | None, ...], meta: list[Meta]
) -> list[str] | None:
    """The comment's markup and text, or ``None`` when a value holds a
    character XML forbids (checked here, on the way, for every field)."""
    search = FORBIDDEN.search
    parts = [tags.open]
    append = parts.append
    for tag, text in zip(tags.fields, texts, strict=True):
        if text is None:
            continue
        if not text.isprintable() and search(text):  # forbidden_in, inlined
            return None
        if tag[4]:
            if text and "]]>" not in text and "\r" not in text and text[-1] != "]":
                append(tag[2] + text + tag[3])
            else:
                append(tag[0] + _cdata_text(text) + tag[1])
        else:
            append(tag[0] + escape_text(text) + tag[1])
    if meta:
        key_tag, value_tag = tags.key, tags.value
        meta_open, meta_close = tags.meta_open, tags.meta_close
        for key, value in meta:
            if not key.isprintable() and search(key):
                return None
            append(meta_open)
            append(_cdata_field(key_tag, key))
            if value is not None:
                if not value.isprintable() and search(value):
                    return None
                append(_cdata_field(value_tag, value))
            append(meta_close)
    append(tags.close)
    return parts


_NO_EXTRAS_OBJ = _Extras([])

