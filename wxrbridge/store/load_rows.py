"""The columns of the thread and comment rows the loader builds.

Rows are built as lists in these orders (each starts with the id, see
``TableWriter.write``), which is quicker than a dict a row.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import String, Table, Text

from ..errors import ValueTooLongError

THREAD_COLUMNS = (
    "id", "site", "origin", "key", "source_id", "position", "wp_post_id", "dsq_id",
    "identifier", "title", "link", "pub_date", "creator", "guid", "guid_is_permalink",
    "description", "content", "excerpt", "created_at", "created_at_raw", "created_at_local",
    "modified_at_raw", "modified_at_local", "comment_status", "ping_status", "slug", "status",
    "post_parent", "menu_order", "post_type", "post_password", "is_sticky", "attachment_url",
    "dsq_forum", "dsq_category", "dsq_is_closed", "dsq_is_deleted", "dsq_ip_address",
    "dsq_author_name", "dsq_author_email", "dsq_author_username", "dsq_author_is_anonymous",
    "child_order",
)
COMMENT_COLUMNS = (
    "id", "site", "origin", "key", "source_id", "position", "thread_key", "thread_id",
    "parent", "parent_key", "parent_id", "wp_id", "dsq_id", "type", "wp_type", "status",
    "wp_approved", "dsq_is_approved", "dsq_is_deleted", "dsq_is_spam", "dsq_is_flagged",
    "dsq_is_highlighted", "dsq_is_anonymous", "dsq_identifier", "author_name", "author_email",
    "author_url", "author_ip", "wp_user_id", "dsq_username", "user_id", "created_at",
    "created_at_raw", "created_at_local", "content",
)
# Where a row holds what the loader reads back or fills in.
ID, KEY = 0, 3
THREAD_KEY = COMMENT_COLUMNS.index("thread_key")
THREAD_ID = COMMENT_COLUMNS.index("thread_id")
PARENT_KEY = COMMENT_COLUMNS.index("parent_key")
PARENT_ID = COMMENT_COLUMNS.index("parent_id")


def json_list(values: list[str] | None) -> str | None:
    """A list of names (a ``child_order``) as its column stores it."""
    return None if values is None else json.dumps(values)


# A bounded column: its place in a row, its name and its length.
Bound = tuple[int, str, int]


def bounds(table: Table, columns: Sequence[str]) -> tuple[Bound, ...]:
    """The columns of ``table`` (in ``columns`` order) whose type has a
    length: identities and canonical values, which MariaDB and PostgreSQL
    enforce and SQLite does not."""
    found = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, String) and not isinstance(column_type, Text) \
                and column_type.length is not None:
            found.append((index, name, column_type.length))
    return tuple(found)


def check_lengths(
    rows: Iterable[Sequence[Any]],
    limits: tuple[Bound, ...],
    kind: str,
    file: str | None,
    key_index: int = KEY,
) -> None:
    """Refuse a row with a value longer than its column takes, the same way
    on every backend (ValueTooLongError naming the record and the column)."""
    rows = list(rows)
    for index, name, limit in limits:
        # The longest value of the column, found without a Python loop
        # (this runs on every batch of a first import).
        if max(map(len, filter(None, map(itemgetter(index), rows))), default=0) <= limit:
            continue
        row = next(r for r in rows if r[index] is not None and len(r[index]) > limit)
        key = str(row[key_index])
        shown = key if len(key) <= 60 else key[:60] + "…"
        raise ValueTooLongError(file, f"{kind} {shown}", name, len(row[index]), limit)


def check_value_lengths(table: Table, values: dict[str, Any], kind: str, file: str | None,
                        key: str | None) -> None:
    """:func:`check_lengths` for one row given as a dict (a user, a term, a
    source), whose key is ``key``."""
    names = tuple(values)
    check_lengths([[*values.values(), key]], _bounds_of(table, names), kind, file, len(names))


@functools.cache
def _bounds_of(table: Table, columns: tuple[str, ...]) -> tuple[Bound, ...]:
    """:func:`bounds`, found once for each table and set of columns: users,
    terms and sources are checked a row at a time."""
    return bounds(table, columns)
