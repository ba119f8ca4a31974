"""A store's content as plain data that does not depend on row ids or on
the order files were imported in: for comparing two stores.

Rows are named by their identity ``(site, origin, key)``; a link to another
row (thread, parent, user, source) by that row's identity; child rows
(meta, terms, extras) go with their owner in their order. Ids, positions
and import times are left out: they record when a row came, not what it is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from wxrbridge.store import Store
from wxrbridge.store.tables import (
    comment_meta_t,
    comments_t,
    extras_t,
    sources_t,
    thread_meta_t,
    thread_terms_t,
    threads_t,
    users_t,
)

_NOT_CONTENT = {"id", "position", "source_id", "imported_at"}


def _identities(connection: Connection, table: Any) -> dict[int, tuple[str, str, str]]:
    t = table
    return {
        row.id: (row.site, row.origin, row.key)
        for row in connection.execute(select(t.c.id, t.c.site, t.c.origin, t.c.key))
    }


def _children(
    connection: Connection, table: Any, owner_column: str, **where: Any
) -> dict[int, list]:
    by_owner: dict[int, list] = {}
    columns = [c for c in table.c if c.name not in ("id", owner_column, "position", *where)]
    conditions = [table.c[k] == v for k, v in where.items()]
    for row in connection.execute(
        select(table.c[owner_column], *columns).where(*conditions)
        .order_by(table.c[owner_column], table.c.position)
    ):
        by_owner.setdefault(row[0], []).append(tuple(row[1:]))
    return by_owner


def _rows(
    connection: Connection, table: Any, links: dict[str, dict[int, Any]],
    children: dict[str, dict[int, list]],
) -> list[tuple]:
    out = []
    for row in connection.execute(select(table)):
        values = row._mapping
        item: dict[str, Any] = {}
        for name, value in values.items():
            if name in _NOT_CONTENT:
                continue
            item[name] = links[name].get(value) if name in links and value is not None else value
        item["source"] = links["source"].get(values["source_id"])
        for name, owned in children.items():
            item[name] = owned.get(values["id"], [])
        out.append(tuple(sorted((k, repr(v)) for k, v in item.items())))
    return sorted(out)


def dump(store: Store) -> dict[str, Any]:
    """Sources, users, threads and comments, each with what it links to."""
    with store.engine.connect() as connection:
        sources = {
            row.id: (row.origin, row.site, row.name, row.sha256)
            for row in connection.execute(select(sources_t))
        }
        threads = _identities(connection, threads_t)
        comments = _identities(connection, comments_t)
        users = _identities(connection, users_t)
        links: dict[str, dict[int, Any]] = {"source": sources}
        thread_children = {
            "meta": _children(connection, thread_meta_t, "thread_id"),
            "terms": _children(connection, thread_terms_t, "thread_id"),
            "extras": _children(connection, extras_t, "owner_id", owner="thread"),
        }
        comment_children = {
            "meta": _children(connection, comment_meta_t, "comment_id"),
            "extras": _children(connection, extras_t, "owner_id", owner="comment"),
        }
        return {
            "sources": sorted(sources.values()),
            "users": _rows(connection, users_t, links, {}),
            "threads": _rows(connection, threads_t, links, thread_children),
            "comments": _rows(
                connection, comments_t,
                {**links, "thread_id": threads, "parent_id": comments, "user_id": users},
                comment_children,
            ),
        }
