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

This module walks the stream and lays out the document; the header is
chosen in header.py, an item's values derived in values.py, its comments'
ids and order planned in plan.py, and output.py writes the elements (the
common ones as text, see text.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any

from lxml import etree

from ...canonical import (
    comment_status,
    comment_type,
    format_wxr_date,
    site_user_id,
    usual_utc_text,
    wp_approved,
)
from ...records import Comment, Extra, Meta, Record, Source, Term, Thread, User
from ...version import __version__
from .. import WriteReport
from .header import Field, Header, channel_fields, choose_header
from .importer_rules import ImporterCheck
from .names import (
    AFTER_CHANNEL_ANCHOR,
    BEFORE_ITEM_ANCHOR,
    CHANNEL_NAMES,
    CHANNEL_ORDER,
    COMMENT_FIELDS,
    CONTENT_ANCHOR,
    DSQ_IMPORT_NS,
    ITEM_NAMES,
    ITEM_ORDER,
    RSS_ANCHOR,
    TERM_FIELDS,
    THREAD_IDENTIFIER_TAG,
    USER_FIELDS,
)
from .output import XmlOutput
from .placing import NO_EXTRAS, Extras, arrange
from .plan import ORIGINAL_ID_KEY, ORIGINAL_PARENT_KEY, CommentPlanner, numeric
from .text import COMMENT_PLAIN, CommentTags
from .values import ORIGINAL_POST_ID_KEY, ItemValues

__all__ = ["DSQ_IMPORT_NS", "ORIGINAL_ID_KEY", "ORIGINAL_PARENT_KEY", "write_wxr"]


# Fields core wraps in CDATA (the rest it escapes or writes as numbers).
_USER_CDATA = {"author_login", "author_email", "author_display_name",
               "author_first_name", "author_last_name"}
_TERM_KINDS = ("category", "tag", "term")


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


def thread_identifier(
    thread: Thread, fields: dict[str, Field]
) -> str:
    """The page's disqus_identifier: the one Disqus stored for the thread,
    else what the Disqus WordPress plugin would have made it (the link,
    for an item without a post id)."""
    if thread.identifier and thread.identifier.strip():
        return thread.identifier
    post_id = (fields["wp:post_id"][2] or "").strip()
    link = (thread.link or "").strip()
    if not post_id and link and numeric(thread.key) is None:
        # What Disqus takes for a page that names no identifier.
        return link
    post_id = post_id or thread.key
    guid = (fields["guid"][2] or "").strip()
    return f"{post_id} {guid}"


class _WxrWriter(XmlOutput):
    """Writes one WXR document: the header, then each item with its
    comments (planned by plan.py, formatted through XmlOutput)."""

    def __init__(self, out: IO[bytes], options: dict[str, Any]) -> None:
        super().__init__(out)
        self.parents_first = bool(options.get("parents_first", False))
        self.keep_ids = bool(options.get("keep_ids", False))
        self.dsq_namespace = bool(options.get("dsq_namespace", False))
        self.every_field = bool(options.get("every_field", False))
        self.item_offsets: list[int] | None = options.get("item_offsets")
        max_id = options.get("max_comment_id")
        self.max_id = int(max_id) if max_id is not None else 0
        self.planner = CommentPlanner(
            self.max_id, keep_ids=self.keep_ids, parents_first=self.parents_first,
            every_field=self.every_field, notes=self.report.notes,
        )
        self.values = ItemValues(self.every_field, self.report.notes, self.keep_ids)
        # The export for WordPress's importer names what it will skip or move.
        self.importer = None if self.keep_ids else ImporterCheck(self.report.notes)
        self.sources: list[Source] = []
        self.users: list[User] = []
        self.terms: list[Term] = []
        self.header = Header(None, {}, "", "", [], [])
        self.user_ids: set[str] = set()
        self.undated = 0  # comments written with their GMT date as local date
        self.unknown_users: set[str] = set()
        # Items of one file usually share one child order: arrange it once.
        self.item_orders: dict[tuple[str, ...], tuple[str, ...]] = {}

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
        header = self.header = choose_header(
            self.sources, self.users, self.terms,
            dsq_namespace=self.dsq_namespace, notes=self.report.notes,
        )
        self.wp = self.values.wp = header.wp
        self.values.excerpt = header.excerpt
        self.out.write(
            b'<?xml version="1.0" encoding="UTF-8" ?>\n'
            + f"<!-- WordPress eXtended RSS written by wxrbridge {__version__} -->\n"
            .encode()
        )
        with etree.xmlfile(self.out, encoding="utf-8") as xf:
            self.xf = xf
            source_extras = Extras(header.source.extras if header.source and header.from_wxr
                                   else [])
            with self._element("rss", self._rss_attributes(source_extras), header.nsmap):
                self._write_extra_nodes(source_extras.nodes.get(RSS_ANCHOR, ()), 0)
                self._nl(0)
                with self._element("channel", source_extras.attrs.get(None, {}),
                                   source_extras.ns.get(None)):
                    self._channel_header(source_extras)
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
                    if header.source and header.from_wxr:
                        source_extras = Extras(header.source.extras)
                    self._write_extra_nodes(source_extras.nodes.get("item", ()), 1)
                    self._nl(0)
                self._write_extra_nodes(source_extras.nodes.get(AFTER_CHANNEL_ANCHOR, ()), 0)
                self._nl(-1)
        self.out.write(b"\n")
        if self.undated:
            self.report.notes.append(
                f"{self.undated} comments had no comment_date: written with their GMT date,"
                " since WordPress's importer would store an empty one"
            )
        self.report.notes.extend(self.values.counted_notes())

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

    def _rss_attributes(self, extras: Extras) -> dict[str, str]:
        attrs = extras.attrs.get(RSS_ANCHOR)
        if attrs:
            return {k: self._clean(v, "channel", "rss attribute") for k, v in attrs.items()}
        return {"version": "2.0"}

    # -- channel ----------------------------------------------------------

    def _channel_header(self, extras: Extras) -> None:
        header = self.header
        source = header.source
        depth = 1
        self._place(extras, None, depth)
        fields = {CHANNEL_NAMES[value[0]]: value for value in channel_fields(
            header, None if self.keep_ids else self.report.notes)}
        terms: dict[str, list[Term]] = {}
        for term in header.terms:
            terms.setdefault(term.kind, []).append(term)
        for name in arrange(CHANNEL_ORDER, source.child_order if source else None):
            if name in fields:
                self._fields(depth, [fields[name]], extras, "channel")
            elif name == "wp:author":
                for user in header.users:
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
        values = self._values(
            user, USER_FIELDS, lambda local: "0" if local == "author_id" else "",
            lambda local: local in _USER_CDATA,
        )
        self._record("author", user.extras, values, label, depth)
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
        values = self._values(
            term, TERM_FIELDS[term.kind],
            lambda local: None if local.endswith("description") else "",
            lambda local: local != "term_id",
        )
        self._record(term.kind, term.extras, values, label, depth, "termmeta", term.meta)
        self.report.written["term"] += 1

    def _values(
        self,
        record: User | Term,
        fields: tuple[tuple[str, str], ...],
        filler: Callable[[str], str | None],
        cdata: Callable[[str], bool],
    ) -> list[Field]:
        """The elements of an author or a term: a record from elsewhere than
        WXR gets ``filler``'s value where it has none, since WordPress's
        importer expects those elements."""
        from_wxr = record.origin == "wxr"
        values: list[Field] = []
        for local, attr in fields:
            value = getattr(record, attr)
            if value is None and not from_wxr:
                value = filler(local)
            values.append((local, self.wp + local, value, cdata(local)))
        return values

    def _record(
        self,
        local: str,
        extras_list: list[Extra],
        values: list[Field],
        label: str,
        depth: int,
        meta_local: str | None = None,
        meta: Iterable[Meta] = (),
    ) -> None:
        """A ``wp:`` element of fields (an author, a term, a comment through
        lxml): its fields, its meta, and its extras back where they came."""
        wp = self.wp
        extras = Extras(extras_list) if extras_list else NO_EXTRAS
        self._nl(depth)
        with self._element(wp + local, extras.attrs.get(None, {}), extras.ns.get(None)):
            self._place(extras, None, depth + 1)
            self._fields(depth + 1, values, extras, label)
            if meta_local is not None:
                self._meta(depth + 1, wp + meta_local, meta, label)
                self._place(extras, meta_local, depth + 1)
            self._place_rest(extras, depth + 1)
            self._nl(depth)

    # -- items ------------------------------------------------------------

    def _item(self, thread: Thread, comments: list[Comment]) -> None:
        label = f"thread {thread.key}"
        wp = self.wp
        kept = thread.extras
        if kept and self.dsq_namespace:
            # The identifier is written once, where Disqus's importer wants it.
            kept = [e for e in kept if e.name != THREAD_IDENTIFIER_TAG]
        extras = Extras(kept) if kept else NO_EXTRAS
        depth = 1
        self._mark_offset()
        self._place(extras, BEFORE_ITEM_ANCHOR, depth)
        values, guid_attr, replaced_id = self.values.thread(thread, comments)
        meta = list(thread.meta)
        if replaced_id is not None and not any(k == ORIGINAL_POST_ID_KEY for k, _ in meta):
            meta.append((ORIGINAL_POST_ID_KEY, replaced_id))
        if thread.origin != "wxr" and thread.dsq_id is not None:
            if not any(key == "dsq_thread_id" for key, _ in meta):
                meta.append(("dsq_thread_id", thread.dsq_id))
        plan = self.planner.plan(thread, comments)
        fields = {ITEM_NAMES[value[0]]: value for value in values}
        if self.importer is not None:
            self.importer.item(thread.key, fields["title"][2], fields["wp:post_date"][2],
                               fields["wp:post_type"][2], fields["wp:status"][2], plan)
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
                                   thread_identifier(thread, fields), False, label)
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

    def _item_order(self, thread: Thread) -> tuple[str, ...]:
        if not thread.child_order:
            return ITEM_ORDER
        given = tuple(thread.child_order)
        order = self.item_orders.get(given)
        if order is None:
            order = self.item_orders[given] = arrange(ITEM_ORDER, thread.child_order)
        return order

    # -- comments -----------------------------------------------------------

    def _comment(
        self,
        comment: Comment,
        comment_id: str | None,
        parent: str | None,
        extra_meta: list[Meta],
        depth: int,
        tags: CommentTags | None = None,
    ) -> None:
        c = comment
        if c.origin == "wxr":
            local_date = c.created_at_local
            if local_date is None and c.created_at is not None and not self.keep_ids:
                # WordPress stores an absent local date as an empty one,
                # which MySQL refuses: the comment would be lost.
                local_date = c.created_at
                self.undated += 1
            texts: tuple[str | None, ...] = (
                comment_id, c.author_name, c.author_email, c.author_url, c.author_ip,
                local_date, c.created_at, c.content, c.wp_approved, c.wp_type,
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
                self.values.utc(c.created_at, f"comment {c.key}", "created_at"))
            status = comment_status(c)
            texts = (
                comment_id, c.author_name or "", c.author_email or "", c.author_url or "",
                c.author_ip or "", c.created_at_local or gmt, gmt, c.content or "",
                wp_approved(status), c.wp_type or comment_type(c),
                parent or "0", c.wp_user_id or "0",
            )
            meta = list(c.meta)
            if c.dsq_id is not None and not any(key == "dsq_post_id" for key, _ in meta):
                meta.append(("dsq_post_id", c.dsq_id))
        if not self.keep_ids:
            # WordPress's own fields, never the text ones (see ItemValues.trim).
            # Spelt out, not looped: this runs for every comment.
            cid, name, email, url, ip, day, day_gmt, content, approved, kind, up, user = texts
            texts = self.values.count_trimmed(texts, (
                cid.strip() if cid else cid, name, email, url, ip,
                day.strip() if day else day, day_gmt.strip() if day_gmt else day_gmt, content,
                approved.strip() if approved else approved, kind.strip() if kind else kind,
                up.strip() if up else up, user.strip() if user else user,
            ))
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
        self._end_raw()
        values = [
            (local, self.wp + local, text, local not in COMMENT_PLAIN)
            for (local, _attr), text in zip(COMMENT_FIELDS, texts, strict=True)
        ]
        self._record("comment", c.extras, values, f"comment {c.key}", depth, "commentmeta", meta)
        self.report.written["comment"] += 1
