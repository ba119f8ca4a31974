"""Reading an Isso database into records.

Each thread is a :class:`~wxrbridge.records.Thread` (its uri as the link),
each comment a :class:`~wxrbridge.records.Comment` of origin ``isso``: the
mode as a status, the epoch date as UTC text, and the columns the records
have no field for (modified, likes, dislikes, voters, notification) as
comment meta, so that writing Isso again gives them back.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from ...errors import InputError
from ...records import Comment, ImportIssue, Meta, Record, Source, Thread
from . import schema, values

ORIGIN = "isso"


def _connect(path: str, name: str) -> tuple[sqlite3.Connection, list[str]]:
    try:
        con = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True)
        columns = schema.comment_columns(con)
    except sqlite3.Error as exc:
        raise InputError(f"not a readable SQLite database ({exc})", file=name) from None
    if columns is None:
        con.close()
        raise InputError("an SQLite database without Isso's threads and comments tables",
                         file=name)
    return con, columns


def _number(value: Any, place: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{place}: {value!r} is not a number", file=name)
    return float(value)


def _meta(row: dict[str, Any]) -> list[Meta]:
    meta: list[Meta] = []
    if row.get("modified") is not None:
        meta.append((values.META_MODIFIED, repr(float(row["modified"]))))
    for column, key in (("likes", values.META_LIKES), ("dislikes", values.META_DISLIKES),
                        ("notification", values.META_NOTIFICATION)):
        if column in row and row[column] != 0:
            meta.append((key, None if row[column] is None else str(row[column])))
    voters = row.get("voters")
    if isinstance(voters, (bytes, bytearray, memoryview)) and bytes(voters) != schema.EMPTY_VOTERS:
        meta.append((values.META_VOTERS, bytes(voters).hex()))
    return meta


def _comment(row: dict[str, Any], name: str) -> tuple[Comment, ImportIssue | None]:
    place = f"comments row id={row['id']}"
    created = _number(row["created"], f"{place}, created", name)
    text, exact = values.epoch_text(created)
    meta = _meta(row)
    if not exact:
        meta.append((values.META_CREATED, repr(created)))
    issue = None
    status = values.STATUS_OF_MODE.get(row["mode"]) if isinstance(row["mode"], int) else None
    if status is None:
        status = "0"
        meta.append((values.META_MODE, str(row["mode"])))
        issue = ImportIssue(
            "isso-unknown-mode", f"{place}: mode {row['mode']!r} is not one Isso defines; "
            "read as pending", file=name, record_key=str(row["id"]),
        )
    comment = Comment(
        origin=ORIGIN,
        key=str(row["id"]),
        thread=str(row["tid"]),
        parent=None if row["parent"] is None else str(row["parent"]),
        author_name=row.get("author"),
        author_email=row.get("email"),
        author_url=row.get("website"),
        author_ip=row.get("remote_addr"),
        created_at=text,
        content=row["text"],
        wp_approved=status,
        meta=meta,
        position=int(row["id"]),
    )
    return comment, issue


def read_isso(path: str, *, name: str, recover: bool = False) -> Iterator[Record]:
    """Stream the records of the Isso database at ``path``.

    Bad input (a value that is not a date, a comment of no thread) stops
    the read with an :class:`~wxrbridge.errors.InputError` naming the row;
    with ``recover`` that comment is skipped and an issue says so.
    """
    con, columns = _connect(path, name)
    try:
        version = schema.user_version(con)
        yield Source(origin=ORIGIN, site=f"isso:{os.path.abspath(path)}", name=name,
                     version=str(version), generator="Isso")
        if version > schema.CURRENT_VERSION:
            yield ImportIssue("isso-newer-schema", f"schema version {version} is newer than "
                              f"{schema.CURRENT_VERSION}; its known columns are read", file=name)
        known = set()
        for tid, uri, title in con.execute("SELECT id, uri, title FROM threads ORDER BY id"):
            known.add(tid)
            yield Thread(origin=ORIGIN, key=str(tid), title=title, link=uri)
        wanted = [c for c in schema.COMMENT_COLUMNS if c in columns]
        cursor = con.execute(f"SELECT {', '.join(wanted)} FROM comments ORDER BY tid, id")
        for raw in cursor:
            row = dict(zip(wanted, raw, strict=True))
            try:
                if row["tid"] not in known:
                    raise InputError(f"comments row id={row['id']}: thread {row['tid']!r} "
                                     "is not in the threads table", file=name)
                comment, issue = _comment(row, name)
            except InputError as exc:
                if not recover:
                    raise
                yield ImportIssue("isso-bad-row", f"{exc.reason}; the comment is skipped",
                                  severity="rejected", file=name, record_key=str(row["id"]))
                continue
            if issue is not None:
                yield issue
            yield comment
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the database ({exc})", file=name) from None
    finally:
        con.close()
