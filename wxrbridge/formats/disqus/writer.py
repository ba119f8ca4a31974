"""Writing records as a Disqus export.

A Disqus export lists every category, then every thread, then every post,
while records arrive thread by thread with each thread's comments behind it.
Threads are therefore written as they come and posts go to a temporary file
(in memory while small, on disk beyond that) that is copied in after the last
thread; memory stays flat however many comments there are.

Records read from a Disqus export are written back field for field, with
their ``extras`` where they were.  Records from WordPress are mapped onto the
Disqus fields, reusing the ids the Disqus WordPress plugin stored in meta so
the two sides keep recognising each other.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from itertools import chain
from typing import IO, Any
from urllib.parse import urlsplit

from lxml import etree

from ...canonical import (
    APPROVED,
    DELETED,
    POST_TRASHED,
    SPAM,
    STATUSES,
    TRASH,
    comment_status,
    comment_type,
    parent_of,
    utc_iso,
)
from ...outputs import SPOOL_IN_MEMORY, copy_range
from ...records import Comment, Extra, ImportIssue, Meta, Record, Source, Term, Thread, User
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
from .schema import (
    AUTHOR,
    AUTHOR_PREFIX,
    CATEGORY,
    DEFAULT_NSMAP,
    DEFAULT_SCHEMA_LOCATION,
    DISQUS_NS,
    DSQ_ID,
    POST,
    POST_AUTHOR,
    SCHEMA_LOCATION,
    THREAD,
    THREAD_AUTHOR,
    Child,
)

_INDENT = ["\n" + "  " * depth for depth in range(4)]
# Posts stay in memory up to this size before the spool moves to disk.
_DEFAULT_CATEGORY_ID = "wp-category"
_DEFAULT_CATEGORY_TITLE = "General"


def write_disqus(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    include_pings: bool = False,
    forum: str | None = None,
) -> WriteReport:
    """Write ``records`` to ``out`` as a Disqus export.

    ``include_pings`` keeps pingbacks, trackbacks and other non-comment
    types from WordPress; ``forum`` names the Disqus shortname for threads
    that come from WordPress.
    """
    return _Writer(out, include_pings=include_pings, forum=forum).run(records)


def _q(local: str) -> str:
    return f"{{{DISQUS_NS}}}{local}"


def _meta_value(meta: list[Meta], key: str) -> str | None:
    for meta_key, value in meta:
        if meta_key == key and value is not None and value.strip():
            return value.strip()
    return None


def _cdata_parts(text: str) -> Iterator[tuple[str, bool]]:
    """Pieces of ``text`` to write, each ``(piece, as_cdata)``.

    ``]]>`` cannot sit inside a CDATA section, and lxml's incremental writer
    crashes on a section that ends in ``]`` (lxml 6.1), so closing brackets
    at the end of a section are written as ordinary text instead; the
    reader joins all the pieces back into one string.
    """
    for index, piece in enumerate(text.split("]]>")):
        if index:
            yield "]]>", False
        body = piece.rstrip("]")
        if body:
            yield body, True
        if len(body) < len(piece):
            yield piece[len(body):], False


def _with_values(children: list[Any]) -> Iterator[Any]:
    """The children of a plain element that are written: ``(local, text,
    attributes, cdata)`` with a text, attributes or (a list as text) nested
    children; None stands for a child left out."""
    for child in children:
        if child is None:
            continue
        text, attributes = child[1], child[2]
        if text if isinstance(text, list) else (text is not None or attributes):
            yield child


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url.strip()).hostname
    return host or None


class _Elements:
    """Writes Disqus elements into lxml's incremental writers: as lxml
    elements, or, where their shape is known in advance, as text byte for
    byte as lxml would write it (much faster).  Characters XML 1.0 cannot
    hold are replaced and counted for a note."""

    def __init__(self) -> None:
        self.report = WriteReport()
        # Extras are our own serializations, but a store can be edited by
        # anyone; a parser is not shared between threads, hence one each.
        self.fragments = etree.XMLParser(**SAFE_PARSING)
        # Elements of known shape are written as text (see _plain), each
        # stream's text held until lxml writes to that stream again.
        self.raw: dict[int, _Raw] = {}
        self.names: tuple[str, str] | None = None
        self.replaced = 0

    def _clean(self, text: str) -> str:
        if not forbidden_in(text):
            return text
        cleaned, count = FORBIDDEN.subn(REPLACEMENT, text)
        self.replaced += count
        return cleaned

    def _note_replaced(self, what: str) -> None:
        if self.replaced:
            self.report.notes.append(
                f"{what}: {self.replaced} characters XML 1.0 cannot hold replaced "
                "by U+FFFD")

    def _text(self, xf: Any, text: str, cdata: bool) -> None:
        text = self._clean(text)
        if not text:
            return
        if not cdata or not CDATA_WRITES:
            xf.write(text)
            return
        # A carriage return inside CDATA would read back as a line feed, so
        # it goes out as a character reference between sections.
        for segment in re.split("(\r)", text):
            if segment == "\r":
                xf.write(segment)
            elif segment:
                for part, as_cdata in _cdata_parts(segment):
                    xf.write(etree.CDATA(part) if as_cdata else part)

    def _end_raw(self) -> None:
        """Send the text held for both streams; lxml writes next."""
        for raw in self.raw.values():
            raw.end()

    def _leaf(self, xf: Any, local: str, text: str | None,
              attributes: dict[str, str], cdata: bool, depth: int) -> None:
        self._end_raw()
        xf.write(_INDENT[depth])
        clean = {name: self._clean(value) for name, value in attributes.items()}
        with xf.element(_q(local), clean):
            if text:
                self._text(xf, text, cdata)

    def _extras(self, xf: Any, extras: list[Extra], depth: int) -> None:
        self._end_raw()
        for extra in extras:
            try:
                if extra.kind == "element":
                    node: Any = etree.fromstring(extra.value, self.fragments)
                elif extra.kind == "comment":
                    node = etree.Comment(extra.value)
                elif extra.kind == "pi":
                    target = extra.name.removeprefix(AUTHOR_PREFIX)
                    node = (etree.ProcessingInstruction(target, extra.value) if extra.value
                            else etree.ProcessingInstruction(target))
                else:
                    continue
            except (etree.XMLSyntaxError, ValueError) as exc:
                self.report.left_out.append(
                    f"kept {extra.kind} {extra.name!r} could not be written back: {exc}")
                continue
            xf.write(_INDENT[depth])
            xf.write(node)

    def _disqus_element(
        self,
        xf: Any,
        local: str,
        dsq_id: str | None,
        record: Term | Thread | Comment,
        layout: tuple[Child, ...],
        author_layout: tuple[Child, ...],
        value: Callable[[Child], str | None],
    ) -> None:
        if self.names is not None and not record.extras:
            self._raw_disqus_element(xf, local, dsq_id, layout, author_layout, value)
            return
        attributes: dict[str, str] = {}
        if dsq_id is not None:
            attributes[DSQ_ID] = dsq_id
        nsmap: dict[str | None, str] = {}
        child_attributes: defaultdict[str, dict[str, str]] = defaultdict(dict)
        placed: defaultdict[str | None, list[Extra]] = defaultdict(list)
        inner: list[Extra] = []
        for extra in record.extras:
            if extra.kind == "attribute":
                if extra.anchor is None:
                    attributes[extra.name] = extra.value
                else:
                    child_attributes[extra.anchor][extra.name] = extra.value
            elif extra.kind == "namespace":
                nsmap[extra.name or None] = extra.value
            elif extra.name.startswith(AUTHOR_PREFIX):
                inner.append(extra)
            else:
                placed[extra.anchor].append(extra)

        self._end_raw()
        xf.write(_INDENT[1])
        clean = {name: self._clean(text) for name, text in attributes.items()}
        with xf.element(_q(local), clean, nsmap=nsmap or None):
            self._extras(xf, placed.pop(None, []), 2)
            for child in layout:
                if child.kind == "author":
                    self._disqus_author(xf, author_layout, value, child_attributes, inner)
                elif (text := value(child)) is not None:
                    own = dict(child_attributes.get(child.tag, {}))
                    if child.kind == "ref":
                        if text:
                            own[DSQ_ID] = text
                        text = None
                    self._leaf(xf, child.tag, text, own, child.cdata, 2)
                self._extras(xf, placed.pop(child.tag, []), 2)
            # Extras anchored to a child that is no longer there go last.
            for rest in placed.values():
                self._extras(xf, rest, 2)
            xf.write(_INDENT[1])

    def _disqus_author(
        self,
        xf: Any,
        layout: tuple[Child, ...],
        value: Callable[[Child], str | None],
        child_attributes: dict[str, dict[str, str]],
        inner: list[Extra],
    ) -> None:
        values = [(child, value(child)) for child in layout]
        own = child_attributes.get(AUTHOR, {})
        if all(text is None for _, text in values) and not inner and not own:
            return
        self._end_raw()
        xf.write(_INDENT[2])
        clean = {name: self._clean(text) for name, text in own.items()}
        with xf.element(_q(AUTHOR), clean):
            for child, text in values:
                if text is not None:
                    attributes = child_attributes.get(AUTHOR_PREFIX + child.tag, {})
                    self._leaf(xf, child.tag, text, attributes, child.cdata, 3)
            self._extras(xf, inner, 3)
            xf.write(_INDENT[2])

    def _plain(self, xf: Any, local: str, dsq_id: str, children: list[Any]) -> None:
        """Write one element of known children, skipping those with no value.

        A child is ``(local, text, attributes, cdata)``; a list as text
        stands for nested children.
        """
        if self.names is not None:
            self._raw_plain(xf, local, dsq_id, children)
            return
        self._end_raw()
        xf.write(_INDENT[1])
        with xf.element(_q(local), {DSQ_ID: self._clean(dsq_id)}):
            for name, text, attributes, cdata in _with_values(children):
                if isinstance(text, list):
                    xf.write(_INDENT[2])
                    with xf.element(_q(name)):
                        for inner in text:
                            self._leaf(xf, inner[0], inner[1], inner[2], inner[3], 3)
                        xf.write(_INDENT[2])
                else:
                    self._leaf(xf, name, text, attributes, cdata, 2)
            xf.write(_INDENT[1])

    def _raw_plain(self, xf: Any, local: str, dsq_id: str, children: list[Any]) -> None:
        """_plain's element as text, byte for byte as lxml writes it.

        The children of these elements are the writer's own, with no
        attribute but ``dsq:id``, so their markup is known in advance; the
        text goes through _clean as it would on the way to lxml.
        """
        assert self.names is not None
        prefix, id_name = self.names
        parts = [f'{_INDENT[1]}<{prefix}{local} {id_name}="'
                 f'{escape_attribute(self._clean(dsq_id))}">']
        append = parts.append
        for name, text, attributes, cdata in _with_values(children):
            if isinstance(text, list):
                append(f"{_INDENT[2]}<{prefix}{name}>")
                for inner in text:
                    append(self._raw_leaf(prefix, id_name, inner[0], inner[1], inner[2],
                                          inner[3], 3))
                append(f"{_INDENT[2]}</{prefix}{name}>")
            else:
                append(self._raw_leaf(prefix, id_name, name, text, attributes, cdata, 2))
        append(f"{_INDENT[1]}</{prefix}{local}>")
        self.raw[id(xf)].add("".join(parts))

    def _raw_disqus_element(
        self,
        xf: Any,
        local: str,
        dsq_id: str | None,
        layout: tuple[Child, ...],
        author_layout: tuple[Child, ...],
        value: Callable[[Child], str | None],
    ) -> None:
        """_disqus_element's element as text, for a record without extras
        (nothing of the source's own to place among the known children)."""
        assert self.names is not None
        prefix, id_name = self.names
        if dsq_id is None:
            parts = [f"{_INDENT[1]}<{prefix}{local}>"]
        else:
            parts = [f'{_INDENT[1]}<{prefix}{local} {id_name}="'
                     f'{escape_attribute(self._clean(dsq_id))}">']
        append = parts.append
        for child in layout:
            if child.kind == "author":
                values = [(inner, value(inner)) for inner in author_layout]
                if any(text is not None for _, text in values):
                    append(f"{_INDENT[2]}<{prefix}{AUTHOR}>")
                    for inner, text in values:
                        if text is not None:
                            append(self._raw_leaf(prefix, id_name, inner.tag, text, {},
                                                  inner.cdata, 3))
                    append(f"{_INDENT[2]}</{prefix}{AUTHOR}>")
            elif (text := value(child)) is not None:
                own: dict[str, str] = {}
                if child.kind == "ref":
                    if text:
                        own[DSQ_ID] = text
                    text = None
                append(self._raw_leaf(prefix, id_name, child.tag, text, own, child.cdata, 2))
        append(f"{_INDENT[1]}</{prefix}{local}>")
        self.raw[id(xf)].add("".join(parts))

    def _raw_leaf(self, prefix: str, id_name: str, local: str, text: str | None,
                  attributes: dict[str, str], cdata: bool, depth: int) -> str:
        start = f"{_INDENT[depth]}<{prefix}{local}"
        for name, value in attributes.items():
            if name != DSQ_ID:
                raise ValueError(f"unexpected attribute {name} on {local}")
            start += f' {id_name}="{escape_attribute(self._clean(value))}"'
        body = ""
        if text:
            text = self._clean(text)
            if not cdata or not CDATA_WRITES:
                body = escape_text(text)
            elif "\r" not in text and "]]>" not in text and text[-1] != "]":
                body = f"<![CDATA[{text}]]>"
            else:
                body = _cdata_text(text)
        return f"{start}>{body}</{prefix}{local}>"


# What the note on pings calls them, by whether there is one.
_NOT_PLAIN = {True: "comment that is not a plain comment",
              False: "comments that are not plain comments"}


class _Writer(_Elements):
    """Writes a record stream as one Disqus export."""

    def __init__(self, out: IO[bytes], *, include_pings: bool, forum: str | None) -> None:
        super().__init__()
        self.out = out
        self.include_pings = include_pings
        self.forum = forum
        self.xf: Any = None
        self.posts: Any = None
        self.thread_ids: dict[tuple[str, str], str] = {}
        self.wxr_comments: list[Comment] = []
        self.default_category: str | None = None
        self.made_up_category = False
        self.left_out_pings: defaultdict[str, int] = defaultdict(int)
        self.left_out_terms = 0
        self.left_out_users = 0
        self.local_dates = 0
        # What a record from elsewhere holds that no Disqus element can:
        # meta by key (those the plugin's ids come from are written as ids),
        # raw extras, and links to a site user.
        self.left_out_meta: Counter[str] = Counter()
        self.left_out_extras = 0
        self.left_out_user_links = 0

    # -- the document -----------------------------------------------------

    def run(self, records: Iterable[Record]) -> WriteReport:
        stream = iter(records)
        sources: list[Source] = []
        first: list[Record] = []
        for record in stream:
            if isinstance(record, Source):
                sources.append(record)
                continue
            first.append(record)
            break
        primary = next((s for s in sources if s.origin == "disqus"), None)
        self._choose_forum(sources, primary)
        nsmap = self._nsmap(primary)
        attributes = self._root_attributes(primary)

        with ExitStack() as stack:
            spool = stack.enter_context(
                tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY))
            self.xf = stack.enter_context(etree.xmlfile(self.out, encoding="utf-8"))
            self.posts = stack.enter_context(etree.xmlfile(spool, encoding="utf-8"))
            # The spool's root only gives the posts the same prefixes as the
            # real root; its tags are not copied.
            stack.enter_context(self.posts.element(_q("disqus"), nsmap=nsmap))
            self.posts.flush()
            start = spool.tell()
            self.xf.write_declaration()
            self.names = _names(nsmap)
            self.raw = {id(self.xf): _Raw(self.xf, self.out),
                        id(self.posts): _Raw(self.posts, spool)}
            with self.xf.element(_q("disqus"), attributes, nsmap=nsmap):
                if primary is not None:
                    self._extras(self.xf, [e for e in primary.extras
                                           if e.kind == "element" and e.anchor is None], 1)
                for record in chain(first, stream):
                    self._record(record)
                self._flush_wxr_comments()
                self._end_raw()
                self.posts.flush()
                end = spool.tell()
                self.xf.flush()
                copy_range(spool, self.out, start, end)
                spool.seek(end)
                self.xf.write("\n")
        self.out.write(b"\n")
        self._summarise()
        return self.report

    def _choose_forum(self, sources: list[Source], primary: Source | None) -> None:
        if self.forum:
            return
        if primary is not None:
            self.forum = primary.site
            return
        for source in sources:
            host = _host(source.base_blog_url) or _host(source.base_site_url) \
                or _host(source.link) or _host(source.site)
            if host:
                self.forum = host
                return

    def _nsmap(self, primary: Source | None) -> dict[str | None, str]:
        nsmap = dict(DEFAULT_NSMAP)
        if primary is not None:
            for prefix, uri in primary.namespaces.items():
                key = prefix or None
                if key not in nsmap and uri not in nsmap.values():
                    nsmap[key] = uri
        return nsmap

    def _root_attributes(self, primary: Source | None) -> dict[str, str]:
        if primary is not None:
            kept = {e.name: e.value for e in primary.extras
                    if e.kind == "attribute" and e.anchor is None}
            if kept:
                return kept
        return {SCHEMA_LOCATION: DEFAULT_SCHEMA_LOCATION}

    def _record(self, record: Record) -> None:
        if isinstance(record, Thread):
            # Flushed first: each comment's own count of replaced characters
            # must not run on into the thread's note.
            self._flush_wxr_comments()
        self.replaced = 0
        if isinstance(record, Thread):
            if record.origin == "disqus":
                self._disqus_thread(record)
            else:
                self._wxr_thread(record)
            self._note_replaced(f"thread {record.key}")
        elif isinstance(record, Comment):
            kind = comment_type(record)
            if kind != "comment" and not self.include_pings:
                self.left_out_pings[kind] += 1
                self.report.left_out.append(
                    f"comment {record.key}: a {kind} has no place in a Disqus export")
            elif record.origin == "disqus":
                self._disqus_post(record)
                self._note_replaced(f"post {record.key}")
            else:
                self.wxr_comments.append(record)
        elif isinstance(record, Term):
            if record.origin == "disqus" and record.kind == "dsq_category":
                self._category(record)
                self._note_replaced(f"category {record.term_id}")
            else:
                self.left_out_terms += 1
        elif isinstance(record, User):
            if record.origin != "disqus":
                self.left_out_users += 1
        elif isinstance(record, (Source, ImportIssue)):
            # A second source or an issue is not content of the export.
            return

    def _summarise(self) -> None:
        report = self.report
        pings = sum(self.left_out_pings.values())
        if pings:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.left_out_pings.items()))
            report.notes.append(
                f"{pings} {_NOT_PLAIN[pings == 1]} left out ({kinds}); "
                "include_pings=True keeps them")
        if self.left_out_terms:
            report.left_out.append(
                f"{self.left_out_terms} WordPress categories, tags and terms: a Disqus "
                "export has categories of its own only")
        if self.left_out_users:
            report.left_out.append(
                f"{self.left_out_users} WordPress "
                f"{'user' if self.left_out_users == 1 else 'users'}: a Disqus export has no user "
                "list; comment authors are written on each post")
        if self.left_out_meta:
            keys = ", ".join(f"{key.strip()}: {n}" for key, n in self.left_out_meta.most_common())
            total = sum(self.left_out_meta.values())
            report.left_out.append(
                f"{total} meta {'value' if total == 1 else 'values'} ({keys}): a Disqus "
                "export has no place for meta")
        if self.left_out_extras:
            n = self.left_out_extras
            report.left_out.append(
                f"{n} {'element' if n == 1 else 'elements'} kept from the source file: a "
                "Disqus export has no place for them")
        if self.left_out_user_links:
            n = self.left_out_user_links
            report.left_out.append(
                f"{n} {'comment' if n == 1 else 'comments'} by a site user: the link to the "
                "user is not written, as a Disqus export names authors only")
        if self.made_up_category:
            report.notes.append(
                f"WordPress threads put in a made-up default category "
                f"{_DEFAULT_CATEGORY_ID!r}")
        if self.local_dates:
            report.notes.append(
                f"{self.local_dates} dates had no UTC form; their local time is "
                "written as if it were UTC")

    # -- records read from a Disqus export --------------------------------

    def _category(self, term: Term) -> None:
        if self.default_category is None and term.term_id is not None \
                and (term.dsq_is_default or "").strip().lower() == "true":
            self.default_category = term.term_id
        self._disqus_element(self.xf, "category", term.term_id, term, CATEGORY, (),
                             lambda child: getattr(term, child.field))
        self.report.written["term"] += 1

    def _disqus_thread(self, thread: Thread) -> None:
        if thread.dsq_id:
            self.thread_ids[(thread.origin, thread.key)] = thread.dsq_id
        self._disqus_element(self.xf, "thread", thread.dsq_id, thread, THREAD,
                             THREAD_AUTHOR, lambda child: getattr(thread, child.field))
        self.report.written["thread"] += 1

    def _disqus_post(self, comment: Comment) -> None:
        def value(child: Child) -> str | None:
            if child.field == "parent" and comment.parent is None:
                return comment.parent_key
            field: str | None = getattr(comment, child.field)
            return field

        self._disqus_element(self.posts, "post", comment.dsq_id, comment, POST,
                             POST_AUTHOR, value)
        self.report.written["comment"] += 1

    # -- records read from WordPress --------------------------------------

    def _utc(self, raw: str | None, local: str | None) -> str | None:
        for text, is_local in ((raw, False), (local, True)):
            value = utc_iso(text)  # None for no date, or not one
            if value is not None:
                self.local_dates += is_local
                return value
        return None

    def _wxr_category(self) -> str:
        if self.default_category is None:
            self.made_up_category = True
            self.default_category = _DEFAULT_CATEGORY_ID
            self._plain(self.xf, "category", _DEFAULT_CATEGORY_ID, [
                ("forum", self.forum, {}, False),
                ("title", _DEFAULT_CATEGORY_TITLE, {}, False),
                ("isDefault", "true", {}, False),
            ])
            self.report.written["term"] += 1
        return self.default_category

    def _not_carried(self, record: Thread | Comment, id_key: str) -> None:
        """Count what a record from elsewhere holds that is not written."""
        self.left_out_meta.update(key for key, _value in record.meta if key != id_key)
        self.left_out_extras += len(record.extras)

    def _wxr_thread(self, thread: Thread) -> None:
        self._not_carried(thread, "dsq_thread_id")
        post_id = (thread.wp_post_id or thread.key).strip()
        dsq_id = _meta_value(thread.meta, "dsq_thread_id") or f"wp-{post_id}"
        self.thread_ids[(thread.origin, thread.key)] = dsq_id
        guid = (thread.guid or "").strip()
        # A page Disqus already knows keeps its identifier; otherwise the
        # WordPress plugin's form, so the plugin finds the thread again.
        identifier = thread.identifier or (f"{post_id} {guid}" if guid else post_id)
        category = self._wxr_category()
        closed = (thread.comment_status or "").strip() == "closed"
        deleted = (thread.status or "").strip() == "trash"
        self._plain(self.xf, "thread", dsq_id, [
            ("id", identifier, {}, False),
            ("forum", self.forum, {}, False),
            ("category", None, {DSQ_ID: category}, False),
            ("link", thread.link.strip() if thread.link is not None else None, {}, False),
            ("title", thread.title, {}, False),
            ("createdAt", self._utc(thread.created_at, thread.created_at_local), {},
             False),
            ("isClosed", "true" if closed else "false", {}, False),
            ("isDeleted", "true" if deleted else "false", {}, False),
        ])
        self.report.written["thread"] += 1

    def _flush_wxr_comments(self) -> None:
        if not self.wxr_comments:
            return
        # A reply may come before its parent, so the ids of the whole batch
        # are known before any post is written.
        ids: dict[tuple[str, str], str] = {}
        for comment in self.wxr_comments:
            ids[(comment.thread, comment.key)] = self._wxr_post_id(comment)
        for comment in self.wxr_comments:
            self.replaced = 0
            self._wxr_post(comment, ids)
            self._note_replaced(f"comment {comment.key}")
        self.wxr_comments = []

    @staticmethod
    def _wxr_post_id(comment: Comment) -> str:
        own = (comment.wp_id or comment.key).strip()
        return _meta_value(comment.meta, "dsq_post_id") or f"wp-{own}"

    def _wxr_post(self, comment: Comment, ids: dict[tuple[str, str], str]) -> None:
        self._not_carried(comment, "dsq_post_id")
        if (comment.wp_user_id or "0").strip() not in ("", "0"):
            self.left_out_user_links += 1
        own = (comment.wp_id or comment.key).strip()
        status = comment_status(comment)
        if status not in STATUSES:
            self.report.notes.append(
                f"comment {comment.key}: status {status!r} written as not approved")
        thread = self.thread_ids.get((comment.origin, comment.thread),
                                     f"wp-{comment.thread.strip()}")
        parent_ref = parent_of(comment)
        parent = None
        if parent_ref is not None:
            parent = ids.get((comment.thread, parent_ref), f"wp-{parent_ref}")
        author: list[tuple[str, str, dict[str, str], bool]] = [
            (local, text, {}, False)
            for local, text in (("name", comment.author_name),
                                ("email", comment.author_email),
                                ("link", comment.author_url))
            if text is not None
        ]
        ip = (comment.author_ip or "").strip()
        self._plain(self.posts, "post", ids[(comment.thread, comment.key)], [
            ("id", f"wp_id={own}", {}, False),
            ("message", comment.content or "", {}, True),
            ("createdAt", self._utc(comment.created_at, comment.created_at_local), {},
             False),
            ("isDeleted", _bool(status in (TRASH, POST_TRASHED, DELETED)), {}, False),
            ("isSpam", _bool(status == SPAM), {}, False),
            ("isApproved", _bool(status == APPROVED), {}, False),
            (AUTHOR, author, {}, False),
            ("ipAddress", ip or None, {}, False),
            ("thread", None, {DSQ_ID: thread}, False),
            ("parent", None, {DSQ_ID: parent}, False) if parent else None,
        ])
        self.report.written["comment"] += 1


class _Raw:
    """Text written to an lxml incremental writer's stream, in order with
    what lxml writes there: lxml's buffer is flushed before the first piece,
    and the pieces go out before lxml writes again."""

    __slots__ = ("xf", "stream", "parts")

    def __init__(self, xf: Any, stream: IO[bytes]) -> None:
        self.xf = xf
        self.stream = stream
        self.parts: list[str] | None = None

    def add(self, text: str) -> None:
        if self.parts is None:
            self.xf.flush()
            self.parts = []
        self.parts.append(text)
        if len(self.parts) >= 512:
            self.end()

    def end(self) -> None:
        if self.parts is not None:
            self.stream.write(utf8(self.parts))
            self.parts = None


def _names(nsmap: dict[str | None, str]) -> tuple[str, str] | None:
    """The prefix lxml gives Disqus's elements under a root declaring
    ``nsmap`` (``""`` when Disqus is the default namespace) and the name it
    writes ``dsq:id`` as; None when lxml would declare a namespace on the
    element itself, or cannot write CDATA.

    Asked of lxml rather than worked out, since it chooses among prefixes
    by rules of its own.
    """
    if not CDATA_WRITES:
        return None
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="utf-8") as xf, xf.element(_q("disqus"), nsmap=nsmap):
        xf.write("|")
        with xf.element(_q("post"), {DSQ_ID: "v"}):
            pass
    written = buffer.getvalue().decode("utf-8").rpartition("|")[2]
    match = re.match(r'<((?:[^\s<>:="]+:)?)post ([^\s<>="]+)="v"></\1post>', written)
    return (match.group(1), match.group(2)) if match else None


def _cdata_text(text: str) -> str:
    """What _text has lxml write for CDATA text: carriage returns and each
    ``]]>`` as text between sections, closing brackets at a section's end
    as text too."""
    out: list[str] = []
    for segment in re.split("(\r)", text):
        if segment == "\r":
            out.append("&#13;")
        elif segment:
            for part, as_cdata in _cdata_parts(segment):
                out.append(f"<![CDATA[{part}]]>" if as_cdata else escape_text(part))
    return "".join(out)


def _bool(value: bool) -> str:
    return "true" if value else "false"
