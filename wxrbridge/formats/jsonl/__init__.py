"""JSON Lines: the archival dump, one JSON object per line.

Each line has ``"record"``: ``source``, ``user``, ``term``, ``thread`` or
``comment``, in that order, comments in tree order under their thread; with
the ``history`` option, ``history`` lines follow, one per change a re-import
recorded in a comment.  The
neutral fields come first under stable names (documented in
``docs/jsonl.md``); the source's raw values follow under ``raw`` so nothing
the store holds is left out.  Text is written exactly, as UTF-8.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, fields
from operator import attrgetter
from typing import IO, Any

from ... import canonical
from ...records import (
    Comment,
    CommentChange,
    Extra,
    ImportIssue,
    Record,
    Source,
    Term,
    Thread,
    User,
)
from .. import HISTORY_OPTION, Format, Option, WriteReport, imported_when_called

detect = imported_when_called(f"{__name__}.reader", "detect")
read_jsonl = imported_when_called(f"{__name__}.reader", "read_jsonl")

# Records hold only strings, numbers and None outside the lists handled
# field by field, so plain attribute reads give what dataclasses.asdict's
# deep copy would, at a fraction of its cost on the one record there is a
# great many of.
_EXTRA_FIELDS = tuple(f.name for f in fields(Extra))
_COMMENT_RAW = tuple(
    f.name for f in fields(Comment)
    if f.name not in ("origin", "key", "thread", "meta", "extras", "parent_key")
)
# One encoder for every line: json.dumps builds a new one per call when
# given options.
_UTF8 = json.JSONEncoder(ensure_ascii=False)
_ASCII = json.JSONEncoder(ensure_ascii=True)


def _extras(extras: list[Extra]) -> list[dict[str, Any]]:
    return [{name: getattr(e, name) for name in _EXTRA_FIELDS} for e in extras]


def _source(record: Source) -> dict[str, Any]:
    data = asdict(record)
    data.pop("extras")
    return {"record": "source", **data, "extras": _extras(record.extras)}


def _user(record: User) -> dict[str, Any]:
    return {
        "record": "user",
        "origin": record.origin,
        "id": record.wp_id,
        "login": record.login,
        "username": record.dsq_username or record.login,
        "email": record.email,
        "display_name": record.display_name,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "extras": _extras(record.extras),
    }


def _term(record: Term) -> dict[str, Any]:
    data = asdict(record)
    data.pop("extras")
    data["meta"] = [list(pair) for pair in record.meta]
    return {"record": "term", **data, "extras": _extras(record.extras)}


# A thread's raw fields: all but those written under keys of their own
# (read directly: asdict would deep-copy the meta only to throw it away).
_THREAD_RAW = tuple(
    f.name for f in fields(Thread) if f.name not in ("origin", "key", "terms", "meta", "extras")
)


# The raw values of a thread and of a comment, read in one call each.
_THREAD_VALUES = attrgetter(*_THREAD_RAW)
_COMMENT_VALUES = attrgetter(*_COMMENT_RAW)


def _stored(
    kind: str, record: Thread | Comment, raw_names: tuple[str, ...],
    raw_values: Callable[[Any], tuple[Any, ...]], neutral: dict[str, Any],
) -> dict[str, Any]:
    """A thread's or comment's object: its kind and key, the ``neutral``
    fields, then its meta, the raw values it had (absent ones left out) and
    its extras."""
    return {
        "record": kind,
        "origin": record.origin,
        "id": record.key,
        **neutral,
        "meta": [list(pair) for pair in record.meta],
        "raw": {name: value for name, value in zip(raw_names, raw_values(record), strict=True)
                if value is not None},
        "extras": _extras(record.extras) if record.extras else [],
    }


def _thread(record: Thread) -> dict[str, Any]:
    return _stored("thread", record, _THREAD_RAW, _THREAD_VALUES, {
        "identifier": record.identifier,
        "link": record.link,
        "guid": record.guid,
        "slug": record.slug,
        "title": record.title,
        "type": record.post_type,
        "status": record.status,
        "created_at": canonical.utc_iso(record.created_at),
        "created_at_local": record.created_at_local,
        "content": record.content,
        "terms": [asdict(t) for t in record.terms],
    })


class _CommentView:
    """Turns comments into JSON objects, knowing the users seen so far."""

    def __init__(self) -> None:
        self.logins_by_wp_id: dict[str, str | None] = {}

    def user(self, record: User) -> None:
        if record.wp_id is not None:
            self.logins_by_wp_id[record.wp_id.strip()] = record.login

    def comment(self, record: Comment) -> dict[str, Any]:
        username = record.dsq_username
        user_id = canonical.site_user_id(record.wp_user_id)
        if user_id is not None:
            username = self.logins_by_wp_id.get(user_id, username)
        return _stored("comment", record, _COMMENT_RAW, _COMMENT_VALUES, {
            "thread": record.thread,
            "parent": canonical.parent_of(record),
            "type": canonical.comment_type(record),
            "status": canonical.comment_status(record),
            "author_name": record.author_name,
            "author_email": record.author_email,
            "author_url": record.author_url,
            "author_ip": record.author_ip,
            "user_id": user_id,
            "username": username,
            "created_at": canonical.utc_iso(record.created_at),
            "created_at_local": record.created_at_local,
            "content": record.content,
        })


def _history(record: CommentChange) -> dict[str, Any]:
    return {
        "record": "history",
        "site": record.site,
        "origin": record.origin,
        "comment": record.comment,
        "change": record.change,
        "recorded_at": record.recorded_at,
        "previous": record.previous,
    }


def _line(data: dict[str, Any], report: WriteReport) -> bytes:
    try:
        return _UTF8.encode(data).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8; JSON's \u escape writes it, but
        # a reader joins two adjacent ones into one character: say so.
        report.notes.append(
            f"{data['record']} {data.get('id') or data.get('name')}: lone surrogates written "
            "as JSON \\u escapes; two side by side read back as one character"
        )
        return _ASCII.encode(data).encode("ascii") + b"\n"


def write_jsonl(
    records: Iterable[Record], out: IO[bytes], *, history: bool = False
) -> WriteReport:
    """Write ``records`` to ``out`` as JSON Lines, one object per record;
    comment history only when ``history`` asks for it."""
    report = WriteReport()
    view = _CommentView()
    for record in records:
        if isinstance(record, Comment):
            data = view.comment(record)
        elif isinstance(record, Thread):
            data = _thread(record)
        elif isinstance(record, User):
            view.user(record)
            data = _user(record)
        elif isinstance(record, Term):
            data = _term(record)
        elif isinstance(record, Source):
            data = _source(record)
        elif isinstance(record, CommentChange):
            if not history:
                continue
            data = _history(record)
        elif isinstance(record, ImportIssue):
            continue
        else:  # pragma: no cover - every record kind is handled above
            raise TypeError(type(record))
        # Counted as "2 changes", not "2 historys".
        report.written["change" if data["record"] == "history" else data["record"]] += 1
        out.write(_line(data, report))
    return report


FORMAT = Format(
    name="jsonl",
    description="JSON Lines archive: one object per source, user, term, thread, comment",
    extensions=(".jsonl", ".ndjson"),
    detect=detect,
    read=read_jsonl,
    write_stream=write_jsonl,
    options=(
        Option(HISTORY_OPTION, bool, "Also write each comment's history: the earlier values "
               "of what re-imports of its source found changed, and the comments they found "
               "missing.", default=False),
    ),
)
