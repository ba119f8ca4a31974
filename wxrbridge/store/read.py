"""Streaming the store back out as records, threads in order, each thread's
comments in tree order (every parent before its replies).

Threads are read in pages bounded by their comment count, and each page's
comments, meta and extras are fetched with one query apiece (per few hundred
threads), so memory stays flat in the size of the store (bounded by the page,
or by the largest single thread) and the number of queries grows with pages,
not rows.

:func:`read_records_ahead` reads them in a second process instead, through
:mod:`wxrbridge.readahead`, which runs :func:`read_store` there.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from itertools import takewhile
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, func, select

from ..errors import StoreError
from ..inputs import ProgressCallback
from ..readahead import Document, run_job
from ..records import (
    RECORDED_AT_FORMAT,
    Comment,
    CommentChange,
    Extra,
    Meta,
    Record,
    Source,
    Term,
    Thread,
    ThreadTerm,
    User,
)
from .bulk import chunks
from .engine import create_store_engine
from .tables import (
    comment_meta_t,
    comments_t,
    extras_t,
    history_t,
    sources_t,
    term_meta_t,
    terms_t,
    thread_meta_t,
    thread_terms_t,
    threads_t,
    users_t,
)

# Comments per page. Past a few thousand a page only holds more memory: the
# queries per page are few (their cost is in the rows, not their number), so
# a larger page is no faster.
PAGE_COMMENTS = 2000


@dataclass
class Selection:
    """Which threads and comments to read back; the default is everything.

    ``thread`` matches a thread's key, identifier, link or guid.  Comment
    filters keep a reply whose parent is filtered out; it comes out at top
    level (``parent_key`` is ``None``) with its raw ``parent`` reference, as
    a reply to a missing parent does.
    """

    thread: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    statuses: Sequence[str] = ()
    types: Sequence[str] = ()


def _id_sets(ids: Sequence[int] | Select[Any]) -> Iterator[Sequence[int] | Select[Any]]:
    if isinstance(ids, Select):
        yield ids
    else:
        yield from chunks(ids)


def _extras(
    connection: Connection, owner: str, ids: Sequence[int] | Select[Any]
) -> dict[int, list[Extra]]:
    """Extras of the owners ``ids`` names: a list of ids, or a query
    selecting them (one query then, where a long list takes several)."""
    found: dict[int, list[Extra]] = defaultdict(list)
    for chunk in _id_sets(ids):
        rows = connection.execute(
            select(
                extras_t.c.owner_id,
                extras_t.c.kind,
                extras_t.c.name,
                extras_t.c.value,
                extras_t.c.anchor,
            )
            .where(extras_t.c.owner == owner, extras_t.c.owner_id.in_(chunk))
            .order_by(extras_t.c.owner_id, extras_t.c.position)
        ).all()
        for owner_id, kind, name, value, anchor in rows:
            found[owner_id].append(Extra(kind, name, value, anchor))
    return found


def _meta(
    connection: Connection, table: Any, owner: str, ids: Sequence[int] | Select[Any]
) -> dict[int, list[Meta]]:
    """Meta of the owners ``ids`` names, as for _extras."""
    found: dict[int, list[Meta]] = defaultdict(list)
    owner_column = table.c[owner]
    for chunk in _id_sets(ids):
        rows = connection.execute(
            select(owner_column, table.c.meta_key, table.c.meta_value)
            .where(owner_column.in_(chunk))
            .order_by(owner_column, table.c.position)
        ).all()
        for owner_id, key, value in rows:
            found[owner_id].append((key, value))
    return found


def _row_values(row: Any, names: Sequence[str]) -> dict[str, Any]:
    mapping = row._mapping
    return {name: mapping[name] for name in names}


_SOURCE_FIELDS = (
    "origin",
    "site",
    "name",
    "sha256",
    "version",
    "wp_namespace",
    "title",
    "link",
    "description",
    "pub_date",
    "language",
    "generator",
    "base_site_url",
    "base_blog_url",
)
_USER_FIELDS = (
    "origin",
    "wp_id",
    "login",
    "email",
    "display_name",
    "first_name",
    "last_name",
    "dsq_username",
)
_TERM_FIELDS = (
    "origin",
    "kind",
    "term_id",
    "taxonomy",
    "slug",
    "parent",
    "name",
    "description",
    "dsq_forum",
    "dsq_is_default",
)
_THREAD_FIELDS = (
    "origin",
    "key",
    "wp_post_id",
    "dsq_id",
    "identifier",
    "title",
    "link",
    "pub_date",
    "creator",
    "guid",
    "guid_is_permalink",
    "description",
    "content",
    "excerpt",
    "created_at_local",
    "comment_status",
    "ping_status",
    "slug",
    "status",
    "post_parent",
    "menu_order",
    "post_type",
    "post_password",
    "is_sticky",
    "attachment_url",
    "dsq_forum",
    "dsq_category",
    "dsq_is_closed",
    "dsq_is_deleted",
    "dsq_ip_address",
    "dsq_author_name",
    "dsq_author_email",
    "dsq_author_username",
    "dsq_author_is_anonymous",
    "modified_at_local",
)
# A comment row is selected as Comment's own leading fields, in their order,
# then the store's ids: building a Comment is then one positional call, which
# is most of what reading a large store back costs.
_COMMENT_RENAMED = {"thread": "thread_key", "created_at": "created_at_raw"}
_COMMENT_VALUES = tuple(
    f.name for f in takewhile(lambda f: f.name != "meta", fields(Comment))
)
_COMMENT_COLUMNS = tuple(
    comments_t.c[_COMMENT_RENAMED.get(name, name)] for name in _COMMENT_VALUES
) + (comments_t.c.id, comments_t.c.parent_id, comments_t.c.position, comments_t.c.thread_id)
_N = len(_COMMENT_VALUES)
_KEY = _COMMENT_VALUES.index("key")
_THREAD = _COMMENT_VALUES.index("thread")
_ID, _PARENT_ID, _POSITION, _THREAD_ID = _N, _N + 1, _N + 2, _N + 3
# Comment, called with a row's leading values: a tuple whose length mypy
# cannot know, so it could not tell them from the keywords that follow.
_comment: Callable[..., Comment] = Comment


def iter_records(
    connection: Connection, selection: Selection | None = None, history: bool = False,
    meta: bool = True,
) -> Iterator[Record]:
    """Every record in the store, in the order a writer wants them; with
    ``history``, the selected comments' history after them; without
    ``meta``, the threads and comments with no meta, extras or terms."""
    selection = selection or Selection()
    yield from _sources(connection)
    yield from _users(connection)
    yield from _terms(connection)
    yield from _threads_and_comments(connection, selection, meta)
    if history:
        yield from _history(connection, selection)


def _history(connection: Connection, selection: Selection) -> Iterator[CommentChange]:
    """The selected comments' history, in the order it was recorded."""
    h, c = history_t, comments_t
    query = _comment_filter(
        select(c.c.site, c.c.origin, c.c.key, h.c.change, h.c.recorded_at, h.c.previous)
        .join(c, c.c.id == h.c.comment_id)
        .order_by(h.c.id),
        selection,
    )
    if selection.thread is not None:
        query = query.where(
            c.c.thread_id.in_(select(threads_t.c.id).where(_thread_matches(selection.thread)))
        )
    for site, origin, key, change, recorded_at, previous in connection.execute(query):
        yield CommentChange(site, origin, key, change, recorded_at.strftime(RECORDED_AT_FORMAT),
                            json.loads(previous) if previous else {})


def read_records_ahead(
    url: str, selection: Selection | None = None, history: bool = False, meta: bool = True,
) -> Iterator[Record]:
    """The records of the store at ``url``, as :func:`iter_records` gives
    them, read by a second process while this one writes them out (see
    :mod:`wxrbridge.readahead`; the URL reaches it on its standard input)."""
    lost = StoreError(f"{url}: the reading process stopped unexpectedly")
    for records, _sha256 in run_job(read_store, (url, selection, history, meta), lost=lost):
        yield from records


def read_store(
    job: tuple[str, Selection | None, bool, bool], _progress: ProgressCallback
) -> Iterator[Document]:
    """What the second process of :func:`read_records_ahead` runs: the records of
    the store at the URL ``job`` names, as one document with no hash."""
    url, selection, history, meta = job
    engine = create_store_engine(url, reader=True)
    try:
        with engine.connect() as connection:
            yield iter_records(connection, selection, history, meta), lambda: None
    finally:
        engine.dispose()


def _sources(connection: Connection) -> Iterator[Source]:
    rows = connection.execute(select(sources_t).order_by(sources_t.c.id)).all()
    extras = _extras(connection, "source", [r.id for r in rows])
    for row in rows:
        yield Source(
            **_row_values(row, _SOURCE_FIELDS),
            namespaces=json.loads(row.namespaces) if row.namespaces else {},
            child_order=json.loads(row.child_order) if row.child_order else None,
            extras=extras.get(row.id, []),
        )


def _users(connection: Connection) -> Iterator[User]:
    rows = connection.execute(
        select(users_t).order_by(users_t.c.source_id, users_t.c.position, users_t.c.id)
    ).all()
    extras = _extras(connection, "user", [r.id for r in rows])
    for row in rows:
        yield User(**_row_values(row, _USER_FIELDS), extras=extras.get(row.id, []))


def _terms(connection: Connection) -> Iterator[Term]:
    rows = connection.execute(
        select(terms_t).order_by(terms_t.c.source_id, terms_t.c.position, terms_t.c.id)
    ).all()
    ids = [r.id for r in rows]
    extras = _extras(connection, "term", ids)
    meta = _meta(connection, term_meta_t, "term_id", ids)
    for row in rows:
        yield Term(
            **_row_values(row, _TERM_FIELDS),
            meta=meta.get(row.id, []),
            extras=extras.get(row.id, []),
        )


def _thread_query(selection: Selection) -> Select[Any]:
    counts = (
        select(comments_t.c.thread_id, func.count().label("n"))
        .group_by(comments_t.c.thread_id)
        .subquery()
    )
    query = (
        select(threads_t, func.coalesce(counts.c.n, 0).label("comment_count"))
        .outerjoin(counts, counts.c.thread_id == threads_t.c.id)
        .order_by(threads_t.c.source_id, threads_t.c.position, threads_t.c.id)
    )
    if selection.thread is not None:
        query = query.where(_thread_matches(selection.thread))
    return query


def _thread_matches(wanted: str) -> ColumnElement[bool]:
    return (
        (threads_t.c.key == wanted)
        | (threads_t.c.identifier == wanted)
        | (threads_t.c.link == wanted)
        | (threads_t.c.guid == wanted)
    )


def thread_exists(connection: Connection, wanted: str) -> bool:
    """Whether a stored thread has ``wanted`` as its key, identifier, link
    or guid (what :class:`Selection`'s ``thread`` matches)."""
    query = _thread_query(Selection(thread=wanted)).limit(1)
    return connection.execute(query).first() is not None


def _comment_filter(query: Select[Any], selection: Selection) -> Select[Any]:
    c = comments_t
    if selection.since is not None:
        query = query.where(c.c.created_at >= selection.since)
    if selection.until is not None:
        query = query.where(c.c.created_at < selection.until)
    if selection.statuses:
        query = query.where(c.c.status.in_(list(selection.statuses)))
    if selection.types:
        query = query.where(c.c.type.in_(list(selection.types)))
    return query


def _threads_and_comments(
    connection: Connection, selection: Selection, meta: bool
) -> Iterator[Record]:
    page: list[Any] = []
    size = 0
    result = connection.execution_options(stream_results=True, yield_per=500).execute(
        _thread_query(selection)
    )
    # The page's queries need the connection while the thread cursor is
    # open; SQLite and PostgreSQL allow that, MariaDB's unbuffered cursor
    # does not, so read the (small) thread rows first there.
    rows: Any = result.all() if connection.dialect.name in ("mysql", "mariadb") else result
    for row in rows:
        page.append(row)
        size += row.comment_count
        if size >= PAGE_COMMENTS:
            yield from _page(connection, page, selection, meta)
            page, size = [], 0
    if page:
        yield from _page(connection, page, selection, meta)
    if selection.thread is None:
        yield from _threadless_comments(connection, selection, meta)


def _page(
    connection: Connection, threads: list[Any], selection: Selection, meta: bool
) -> Iterator[Record]:
    thread_ids = [t.id for t in threads]
    thread_meta: dict[int, list[Meta]] = {}
    thread_extras: dict[int, list[Extra]] = {}
    thread_terms: dict[int, list[ThreadTerm]] = defaultdict(list)
    if meta:
        thread_meta = _meta(connection, thread_meta_t, "thread_id", thread_ids)
        thread_extras = _extras(connection, "thread", thread_ids)
        for chunk in chunks(thread_ids):
            for thread_id, domain, nicename, name in connection.execute(
                select(
                    thread_terms_t.c.thread_id,
                    thread_terms_t.c.domain,
                    thread_terms_t.c.nicename,
                    thread_terms_t.c.name,
                )
                .where(thread_terms_t.c.thread_id.in_(chunk))
                .order_by(thread_terms_t.c.thread_id, thread_terms_t.c.position)
            ):
                thread_terms[thread_id].append(ThreadTerm(domain, nicename, name))

    comment_rows: dict[int, list[Row[Any]]] = defaultdict(list)
    comment_meta: dict[int, list[Meta]] = {}
    comment_extras: dict[int, list[Extra]] = {}
    for chunk in chunks(thread_ids):
        query = _comment_filter(
            select(*_COMMENT_COLUMNS).where(comments_t.c.thread_id.in_(chunk)), selection
        ).order_by(comments_t.c.thread_id, comments_t.c.position, comments_t.c.id)
        for row in connection.execute(query).all():
            comment_rows[row[_THREAD_ID]].append(row)
        if not meta:
            continue
        # The comments' meta and extras are found through their threads:
        # a page's few hundred thread ids rather than its thousands of
        # comment ids, each of which SQLAlchemy would bind one by one.
        ids = _comment_filter(
            select(comments_t.c.id).where(comments_t.c.thread_id.in_(chunk)), selection
        )
        comment_meta.update(_meta(connection, comment_meta_t, "comment_id", ids))
        comment_extras.update(_extras(connection, "comment", ids))

    for thread in threads:
        yield Thread(
            **_row_values(thread, _THREAD_FIELDS),
            created_at=thread.created_at_raw,
            modified_at=thread.modified_at_raw,
            terms=thread_terms.get(thread.id, []),
            child_order=json.loads(thread.child_order) if thread.child_order else None,
            meta=thread_meta.get(thread.id, []),
            extras=thread_extras.get(thread.id, []),
        )
        # A merged thread also holds Disqus posts that named it by its Disqus
        # key: under this thread, every comment names it by this thread's key.
        yield from _tree(
            comment_rows.get(thread.id, []), comment_meta, comment_extras, thread_key=thread.key
        )


def _threadless_comments(
    connection: Connection, selection: Selection, meta: bool
) -> Iterator[Comment]:
    """Disqus posts whose thread is not in the store, grouped by thread key."""
    query = _comment_filter(
        select(*_COMMENT_COLUMNS).where(comments_t.c.thread_id.is_(None)), selection
    ).order_by(comments_t.c.thread_key, comments_t.c.position, comments_t.c.id)
    rows = connection.execute(query).all()
    if not rows:
        return
    if not meta:
        yield from _tree(rows, {}, {})
        return
    ids = [r[_ID] for r in rows]
    yield from _tree(
        rows,
        _meta(connection, comment_meta_t, "comment_id", ids),
        _extras(connection, "comment", ids),
    )


def _tree(
    rows: Sequence[Row[Any]],
    meta: dict[int, list[Meta]],
    extras: dict[int, list[Extra]],
    thread_key: str | None = None,
) -> Iterator[Comment]:
    """One thread's comments, every parent before its replies.

    Source order is kept except that a reply listed before its parent waits
    until the parent is out, so a file that already lists parents first
    comes back in its own order.
    """
    by_id = {r[_ID]: r for r in rows}
    emitted: set[int] = set()
    waiting: dict[int, list[Row[Any]]] = defaultdict(list)

    def emit(row: Row[Any]) -> Iterator[Comment]:
        stack = [row]
        while stack:
            current = stack.pop()
            comment_id = current[_ID]
            emitted.add(comment_id)
            parent = by_id.get(current[_PARENT_ID])
            values = current[:_N]
            if thread_key is not None and values[_THREAD] != thread_key:
                values = (*values[:_THREAD], thread_key, *values[_THREAD + 1:])
            yield _comment(
                *values,
                meta=meta.get(comment_id, []),
                extras=extras.get(comment_id, []),
                parent_key=parent[_KEY] if parent is not None else None,
                position=current[_POSITION],
            )
            if waiting:
                stack.extend(reversed(waiting.pop(comment_id, ())))

    for row in rows:  # in source order
        parent_id = row[_PARENT_ID]
        if parent_id in by_id and parent_id not in emitted:
            waiting[parent_id].append(row)
        else:
            yield from emit(row)
    # Only a parent cycle could leave replies waiting, and the loader cuts
    # those; should one slip through, its comments still come out.
    for parent_id in list(waiting):
        for row in waiting.pop(parent_id, []):
            if row[_ID] not in emitted:
                yield from emit(row)
