"""Counts that tell whether a conversion kept the threads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, exists, func, select

from ..threads import max_depth
from .bulk import pairs
from .tables import comments_t, history_t, threads_t


def store_stats(connection: Connection) -> dict[str, Any]:
    c = comments_t
    threads = connection.execute(select(func.count()).select_from(threads_t)).scalar_one()
    comments = connection.execute(select(func.count()).select_from(c)).scalar_one()
    by_type = pairs(
        connection.execute(
            select(c.c.type, func.count()).group_by(c.c.type).order_by(c.c.type)
        )
    )
    by_status = pairs(
        connection.execute(
            select(c.c.status, func.count()).group_by(c.c.status).order_by(c.c.status)
        )
    )
    replies = connection.execute(
        select(func.count()).select_from(c).where(c.c.parent_key.is_not(None))
    ).scalar_one()
    # An orphan's parent reference names no stored comment at all, by key or
    # (for a Disqus reply to a post merged onto a WordPress row) by dsq_id.
    # A reply whose link was cut to break a cycle is not one.
    parent = c.alias("parent")
    orphans = connection.execute(
        select(func.count())
        .select_from(c)
        .where(
            c.c.parent_key.is_not(None),
            c.c.parent_id.is_(None),
            ~exists().where(
                parent.c.site == c.c.site,
                parent.c.origin == c.c.origin,
                parent.c.key == c.c.parent_key,
            ),
            ~exists().where(parent.c.dsq_id == c.c.parent_key, c.c.origin == "disqus"),
        )
    ).scalar_one()
    return {
        "threads": threads,
        "comments": comments,
        "by_type": by_type,
        "by_status": by_status,
        "replies": replies,
        "orphans": orphans,
        "max_depth": _max_depth(connection),
        **_history_counts(connection),
    }


def _history_counts(connection: Connection) -> dict[str, int]:
    """How many comments a later import of their source found changed, and
    how many one found missing (each counted once, however often)."""
    h = history_t
    counted = pairs(connection.execute(
        select(h.c.change, func.count(h.c.comment_id.distinct())).group_by(h.c.change)
    ))
    return {"changed": counted.get("changed", 0), "deleted": counted.get("deleted", 0)}


def _max_depth(connection: Connection) -> int:
    """Deepest reply level (0: no replies), walking linked parents only.

    Read as (id, parent) pairs of linked replies alone: top-level comments
    are depth 0 and need no walk.
    """
    c = comments_t
    return max_depth(
        pairs(connection.execute(select(c.c.id, c.c.parent_id).where(c.c.parent_id.is_not(None))))
    )
