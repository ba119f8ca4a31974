"""Reading JSON Lines back: each line one record, as :func:`write_jsonl`
wrote it.

The neutral fields a line shows first are derived from the raw values it
also holds (under ``raw``, ``meta``, ``extras``); a record is rebuilt from
those, so what goes out comes back whole.  Lines are read one at a time:
a file of any size is read in constant memory.  A line that is not a
record is an :class:`~wxrbridge.errors.InputError` at its line and column;
in recover mode it is left out and reported instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import datetime
from typing import IO, Any

from ...errors import InputError
from ...records import (
    RECORDED_AT_FORMAT,
    Comment,
    CommentChange,
    Extra,
    ImportIssue,
    Record,
    Source,
    Term,
    Thread,
    ThreadTerm,
    User,
)

# What the writer puts first on every line.
_FIRST = re.compile(
    rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"record"\s*:\s*"(source|user|term|thread|comment|history)"'
)
_DECODER = json.JSONDecoder()


def detect(head: bytes) -> bool:
    """Whether the first bytes are a line wxrbridge's JSON Lines writer wrote."""
    return _FIRST.match(head) is not None


class _NotARecordError(ValueError):
    """A line that parses as JSON but is not a record."""


def _text(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _NotARecordError(f"{name} is {type(value).__name__}, not text")


def _required(data: dict[str, Any], name: str) -> str:
    value = _text(data.get(name), name)
    if value is None:
        raise _NotARecordError(f"no {name!r}")
    return value


def _list(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise _NotARecordError(f"{name} is {type(value).__name__}, not a list")
    return value


def _extras(data: dict[str, Any]) -> list[Extra]:
    extras = []
    for item in _list(data, "extras"):
        if not isinstance(item, dict) or item.get("kind") not in ("element", "attribute",
                                                                   "namespace"):
            raise _NotARecordError("an extra is not one")
        extras.append(Extra(item["kind"], _required(item, "name"), _required(item, "value"),
                            _text(item.get("anchor"), "anchor")))
    return extras


def _meta(data: dict[str, Any]) -> list[tuple[str, str | None]]:
    pairs = []
    for pair in _list(data, "meta"):
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
            raise _NotARecordError("a meta entry is not a [key, value] pair")
        pairs.append((pair[0], _text(pair[1], "a meta value")))
    return pairs


def _names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


_SOURCE_FIELDS = _names(Source) - {"extras"}
_TERM_FIELDS = _names(Term) - {"extras", "meta"}
_THREAD_RAW = _names(Thread) - {"origin", "key", "terms", "meta", "extras"}
_COMMENT_RAW = _names(Comment) - {"origin", "key", "thread", "meta", "extras", "parent_key"}


def _raw(data: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    raw = data.get("raw", {})
    if not isinstance(raw, dict):
        raise _NotARecordError("raw is not an object")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _NotARecordError(f"raw holds unknown field {', '.join(unknown)}")
    return raw


def _source(data: dict[str, Any]) -> Source:
    values = {k: v for k, v in data.items() if k in _SOURCE_FIELDS}
    if not isinstance(values.get("namespaces", {}), dict):
        raise _NotARecordError("namespaces is not an object")
    _required(data, "origin")
    _required(data, "site")
    return Source(**values, extras=_extras(data))


def _user(data: dict[str, Any]) -> User:
    login = _text(data.get("login"), "login")
    username = _text(data.get("username"), "username")
    return User(
        origin=_required(data, "origin"),
        wp_id=_text(data.get("id"), "id"),
        login=login,
        email=_text(data.get("email"), "email"),
        display_name=_text(data.get("display_name"), "display_name"),
        first_name=_text(data.get("first_name"), "first_name"),
        last_name=_text(data.get("last_name"), "last_name"),
        # The writer shows a Disqus username, else the login, as "username".
        dsq_username=username if username != login else None,
        extras=_extras(data),
    )


def _term(data: dict[str, Any]) -> Term:
    values = {k: v for k, v in data.items() if k in _TERM_FIELDS}
    _required(data, "origin")
    _required(data, "kind")
    return Term(**values, meta=_meta(data), extras=_extras(data))


def _thread(data: dict[str, Any]) -> Thread:
    terms = []
    for term in _list(data, "terms"):
        if not isinstance(term, dict):
            raise _NotARecordError("a thread term is not an object")
        terms.append(ThreadTerm(_text(term.get("domain"), "domain"),
                                _text(term.get("nicename"), "nicename"),
                                _text(term.get("name"), "name")))
    return Thread(origin=_required(data, "origin"), key=_required(data, "id"),
                  terms=terms, meta=_meta(data), extras=_extras(data),
                  **_raw(data, _THREAD_RAW))


def _comment(data: dict[str, Any]) -> Comment:
    return Comment(origin=_required(data, "origin"), key=_required(data, "id"),
                   thread=_required(data, "thread"), meta=_meta(data), extras=_extras(data),
                   **_raw(data, _COMMENT_RAW))


def _history(data: dict[str, Any]) -> CommentChange:
    change = _required(data, "change")
    if change not in ("changed", "deleted"):
        raise _NotARecordError(f"change is {change!r}, not changed or deleted")
    recorded_at = _required(data, "recorded_at")
    try:
        datetime.strptime(recorded_at, RECORDED_AT_FORMAT)
    except ValueError:
        raise _NotARecordError(f"recorded_at {recorded_at!r} is not YYYY-MM-DDTHH:MM:SSZ") from None
    previous = data.get("previous", {})
    if not isinstance(previous, dict):
        raise _NotARecordError("previous is not an object")
    return CommentChange(_required(data, "site"), _required(data, "origin"),
                         _required(data, "comment"), change, recorded_at, previous)


_BUILDERS: dict[str, Callable[[dict[str, Any]], Record]] = {
    "source": _source, "user": _user, "term": _term, "thread": _thread, "comment": _comment,
    "history": _history,
}


def _record(line: bytes) -> Record:
    """The record one line holds; ValueError (a JSONDecodeError with its
    column, or a _NotARecordError) when it holds none."""
    data = _DECODER.decode(line.rstrip(b"\r\n").decode("utf-8"))
    if not isinstance(data, dict):
        raise _NotARecordError("not a JSON object")
    build = _BUILDERS.get(data.get("record"))  # type: ignore[arg-type]
    if build is None:
        raise _NotARecordError(f"unknown record kind {data.get('record')!r}")
    try:
        return build(data)
    except TypeError as exc:  # a field of the wrong shape
        raise _NotARecordError(str(exc)) from None


def _failure(exc: ValueError, line: bytes) -> tuple[str, int]:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg}", exc.colno
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8: {exc.reason}", len(line[: exc.start].decode("utf-8")) + 1
    return f"not a wxrbridge record: {exc}", 1


def read_jsonl(stream: IO[bytes], *, name: str, recover: bool = False) -> Iterator[Record]:
    """Stream the records of a JSON Lines file, one line at a time."""
    number = 0
    while line := stream.readline():
        number += 1
        if line.startswith(b"\xef\xbb\xbf") and number == 1:
            line = line[3:]
        if not line.strip():
            continue
        try:
            record = _record(line)
        except ValueError as exc:
            reason, column = _failure(exc, line)
            if not recover:
                raise InputError(reason, file=name, line=number, column=column) from None
            yield ImportIssue("bad-line", f"{reason}; the line was left out", "rejected",
                              file=name, line=number, column=column,
                              fragment=line[:200].decode("utf-8", "replace"))
            continue
        yield record
