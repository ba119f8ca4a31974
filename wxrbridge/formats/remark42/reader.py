"""Reading a Remark42 backup: JSON lines, the first one the site's users
and posts, then one comment a line (``backend/app/migrator/native.go``).

Comments stream: a thread is yielded when its first comment is met.  What
the neutral records have no field for is kept in meta under
``remark42:`` (see :mod:`wxrbridge.formats.jsonkit`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO, Any

from ...errors import InputError
from ...records import Comment, Extra, ImportIssue, Meta, Record, Source, Thread, User
from ..jsonkit import Container, encode_value, json_error, keep

ORIGIN = "remark42"
PREFIX = "remark42:"
# The versions Remark42's restore takes.
VERSIONS = (0, 1)
# The keys of a comment that neutral fields hold.
COMMENT_KEYS = Container(
    frozenset({"id", "pid", "text", "time", "delete"}),
    # The user's id and the site are kept in meta too, so that they come
    # back through formats that have no place for them (WXR).
    {"user": Container(frozenset({"name"}), {}),
     "locator": Container(frozenset({"url"}), {})},
)
_HEAD = re.compile(rb'\A\s*\{\s*"version"\s*:\s*\d+\s*,\s*"(users|posts)"\s*:')
_CHUNK = 8192
DELETED = "deleted"  # the raw status of a comment Remark42 marks deleted
USER_ENTRY = "{urn:wxrbridge:remark42}user"
"""The extra holding a meta-line user entry as its JSON (users have no meta)."""
POST_ENTRY = PREFIX + "post"
"""The thread meta holding a meta-line post entry (its url, read_only) as JSON."""


def detect(head: bytes) -> bool:
    """Whether the first bytes open a Remark42 backup (its meta line)."""
    return _HEAD.match(head.removeprefix(b"\xef\xbb\xbf")) is not None


def _lines(stream: IO[bytes], name: str, recover: bool) -> Iterator[tuple[int, bytes, bool]]:
    """(number, text, whole) for each line; the last is not whole when the
    file ends without a newline or compressed data ends early."""
    parts: list[bytes] = []  # the line being read, in pieces (a line may be long)
    number = 0
    cut = False
    while True:
        try:
            chunk = stream.read(_CHUNK)
        except (EOFError, OSError) as exc:
            if not recover:
                raise InputError(f"cannot read the file: {exc}", file=name,
                                 line=number + 1) from None
            cut, chunk = True, b""
        if not chunk:
            break
        *ends, rest = chunk.split(b"\n")
        for end in ends:
            number += 1
            yield number, b"".join([*parts, end]), True
            parts = []
        parts.append(rest)
    tail = b"".join(parts)
    if tail or cut:
        # Remark42 ends every line with a newline: a last line without one
        # may still be whole JSON, but when it is not, the end cut it.
        yield number + 1, tail, False


class _Reader:
    def __init__(self, name: str, recover: bool) -> None:
        self.name = name
        self.recover = recover
        self.threads: set[str] = set()
        self.site: str | None = None
        self.posts: dict[str, Any] = {}

    def fail(self, reason: str, line: int, column: int | None = None) -> InputError:
        return InputError(reason, file=self.name, line=line, column=column)

    def place(self, line: int, text: bytes) -> dict[str, Any]:
        """An issue's place and fragment: the line left out."""
        raw = text.decode("utf-8", "replace")
        return {"severity": "rejected", "file": self.name, "line": line,
                "fragment": raw if len(raw) <= 200 else None}

    def header(self, number: int, text: bytes) -> dict[str, Any]:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise json_error(exc, self.name, number) from None
        except UnicodeDecodeError as exc:  # as for any other line (see _parse)
            raise self.fail(f"not UTF-8: {exc.reason}", number, exc.start + 1) from None
        if not isinstance(data, dict):
            raise self.fail("the first line is not the backup's meta object", number)
        version = data.get("version")
        if version not in VERSIONS or isinstance(version, bool):
            raise self.fail(f"unknown backup version {version!r} (Remark42 writes 1)", number)
        for key in ("users", "posts"):
            if not isinstance(data.get(key, []), (list, type(None))):
                raise self.fail(f"{key!r} is not a list", number)
        return data

    def comment(self, data: Any) -> str | None:
        """What is wrong with a comment line, or None."""
        if not isinstance(data, dict):
            return "not a comment object"
        for key in ("id", "pid", "text", "time"):
            if not isinstance(data.get(key, ""), str):
                return f"{key!r} is not a string"
        if not isinstance(data.get("id"), str) or not data["id"]:
            return "no comment id"
        for key in ("user", "locator"):
            if not isinstance(data.get(key, {}), dict):
                return f"{key!r} is not an object"
        locator = data.get("locator", {})
        if not isinstance(locator.get("url"), str):
            return "the locator has no url"
        user = data.get("user", {})
        if not all(isinstance(user.get(k, ""), str) for k in ("name", "id")):
            return "the user's name or id is not a string"
        return None

    def records(self, data: dict[str, Any], position: int) -> Iterator[Record]:
        locator, user = data["locator"], data.get("user", {})
        url = locator["url"]
        if url not in self.threads:
            self.threads.add(url)
            title = data.get("title")
            yield _thread(url, title if isinstance(title, str) else None, self.posts.get(url))
        meta = keep(PREFIX, data, COMMENT_KEYS)
        yield Comment(
            origin=ORIGIN, key=data["id"], thread=url, parent=data.get("pid"),
            author_name=user.get("name"), dsq_username=user.get("id"),
            created_at=data.get("time"), content=data.get("text"),
            wp_approved=DELETED if data.get("delete") is True else "1",
            meta=meta, position=position,
        )


def _site(name: str, first: dict[str, Any] | None) -> str:
    if first is not None:
        locator = first.get("locator")
        if isinstance(locator, dict) and isinstance(locator.get("site"), str):
            return str(locator["site"])
    return PurePath(name).name.split(".")[0] or "remark"


def read_remark42(stream: IO[bytes], *, name: str, recover: bool = False) -> Iterator[Record]:
    """Yield the records of one Remark42 backup: the source, the users of the
    meta line, the posts with no comments as threads at the end, and each
    comment after its thread.

    Strict reading stops at the first line that is not a comment, naming
    its line and column; with ``recover`` such a line, and a last line the
    end of the file cut, are left out and reported.
    """
    reader = _Reader(name, recover)
    lines = _lines(stream, name, recover)
    head = next(lines, None)
    if head is None or not head[1].strip():
        raise InputError("empty file: no Remark42 meta line", file=name, line=1)
    meta = reader.header(head[0], head[1])
    reader.posts = _posts(meta)
    pending: list[tuple[int, bytes, Any]] = []
    first: dict[str, Any] | None = None
    # The site is the first comment's: read ahead to it.
    for number, text, whole in lines:
        parsed = _parse(reader, number, text, whole)
        pending.append((number, text, parsed))
        if isinstance(parsed, dict) and reader.comment(parsed) is None:
            first = parsed
            break
    reader.site = _site(name, first)
    yield Source(origin=ORIGIN, site=reader.site, name=name, version=str(meta.get("version")))
    yield from _users(meta)
    position = 0
    for number, text, parsed in _chain(pending, reader, lines):
        if isinstance(parsed, ImportIssue):
            yield parsed
            continue
        if parsed is None:
            continue
        problem = reader.comment(parsed)
        if problem is not None:
            if not recover:
                raise reader.fail(f"line {number} is not a Remark42 comment: {problem}", number)
            yield ImportIssue(code="json-bad-record", reason=f"left out: {problem}",
                              **reader.place(number, text))
            continue
        position += 1
        yield from reader.records(parsed, position)
    for url, post in reader.posts.items():
        if url not in reader.threads:
            yield _thread(url, None, post)


def _chain(
    pending: list[tuple[int, bytes, Any]], reader: _Reader,
    lines: Iterator[tuple[int, bytes, bool]],
) -> Iterator[tuple[int, bytes, Any]]:
    yield from pending
    for number, text, whole in lines:
        yield number, text, _parse(reader, number, text, whole)


def _parse(reader: _Reader, number: int, text: bytes, whole: bool) -> Any:
    """A line's JSON value; None for a blank line; an issue for a line left
    out in recover mode."""
    if not text.strip():
        if whole:
            return None
        return ImportIssue(code="json-truncated", reason="the compressed data ends early; "
                           "the whole lines before this one are kept",
                           **reader.place(number, text))
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        if not reader.recover:
            if isinstance(exc, json.JSONDecodeError):
                raise json_error(exc, reader.name, number) from None
            raise reader.fail(f"not UTF-8: {exc.reason}", number, exc.start + 1) from None
        if not whole:
            return ImportIssue(code="json-truncated", reason="the file ends inside this line; "
                               "the whole lines before it are kept",
                               **reader.place(number, text))
        return ImportIssue(code="json-bad-record", reason=f"left out: not JSON ({exc})",
                           **reader.place(number, text))


def _users(meta: dict[str, Any]) -> Iterator[User]:
    for entry in meta.get("users") or ():
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        details = entry.get("details")
        email = details.get("email") if isinstance(details, dict) else None
        yield User(origin=ORIGIN, dsq_username=entry["id"],
                   email=email if isinstance(email, str) and email else None,
                   extras=[_user_extra(encode_value(entry))])


def _user_extra(value: str) -> Extra:
    return Extra("attribute", USER_ENTRY, value)


def _posts(meta: dict[str, Any]) -> dict[str, Any]:
    """The posts of the meta line by URL."""
    return {entry["url"]: entry for entry in meta.get("posts") or ()
            if isinstance(entry, dict) and isinstance(entry.get("url"), str)}


def _thread(url: str, title: str | None, post: Any) -> Thread:
    """A thread, the post entry of the meta line (its flags) in its meta."""
    meta: list[Meta] = [] if post is None else [(POST_ENTRY, encode_value(post))]
    closed = isinstance(post, dict) and post.get("read_only") is True
    return Thread(origin=ORIGIN, key=url, link=url, title=title,
                  comment_status="closed" if closed else None, meta=meta)
