"""Reading a Commento (or Commento++) export: one JSON document,
``{"version": 1, "comments": [...], "commenters": [...]}``, as
``api/domain_export.go`` writes it.

The document is one JSON value, read whole (up to :data:`MAX_BYTES` once
decompressed): wxrbridge has no streaming JSON parser among its
dependencies, and Commento builds the export in memory itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO, Any

from ...errors import InputError
from ...records import Comment, Extra, ImportIssue, Record, Source, Thread, User
from ..jsonkit import Container, encode_value, json_error, keep

ORIGIN = "commento"
PREFIX = "commento:"
MAX_BYTES = 1 << 30
_CHUNK = 1 << 20
ROOT = "root"  # the parentHex of a top-level comment
ANONYMOUS = "anonymous"  # the commenterHex of a guest
# Commento's states and the WordPress values they are kept as.
STATE_TO_RAW = {"approved": "1", "unapproved": "0", "flagged": "spam"}
# The commenterHex is kept in meta too, so that it comes back through
# formats that have no place for it (WXR).
COMMENT_KEYS = Container(
    frozenset({"commentHex", "url", "markdown", "parentHex", "state", "creationDate"}), {})
COMMENTER_ENTRY = "{urn:wxrbridge:commento}commenter"
"""The extra holding a commenter entry as its JSON (users have no meta)."""
_HEAD = re.compile(rb'\A\s*\{\s*"version"\s*:\s*\d+\s*,\s*"(comments|commenters)"\s*:')


def detect(head: bytes) -> bool:
    """Whether the first bytes open a Commento export."""
    return _HEAD.match(head.removeprefix(b"\xef\xbb\xbf")) is not None


def _load(stream: IO[bytes], name: str) -> dict[str, Any]:
    parts: list[bytes] = []
    size = 0
    try:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > MAX_BYTES:
                raise InputError(f"over {MAX_BYTES >> 20} MiB of JSON, more than wxrbridge "
                                 "reads as one document", file=name)
            parts.append(chunk)
    except (EOFError, OSError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=name) from None
    raw = b"".join(parts)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise json_error(exc, name) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8: {exc.reason} at byte {exc.start}", file=name) from None
    if not isinstance(data, dict):
        raise InputError("not a Commento export: the document is not an object", file=name)
    version = data.get("version")
    if version != 1 or isinstance(version, bool):
        raise InputError(f"unknown export version {version!r} (Commento takes 1)", file=name)
    for key in ("comments", "commenters"):
        if not isinstance(data.get(key) or [], list):
            raise InputError(f"not a Commento export: {key!r} is not a list", file=name)
    return data


def _problem(entry: Any, key: str, strings: tuple[str, ...]) -> str | None:
    if not isinstance(entry, dict):
        return "not an object"
    if not isinstance(entry.get(key), str) or not entry[key]:
        return f"no {key}"
    for field in strings:
        if not isinstance(entry.get(field, ""), str):
            return f"{field!r} is not a string"
    return None


def read_commento(stream: IO[bytes], *, name: str, recover: bool = False) -> Iterator[Record]:
    """Yield the records of one Commento export: the source, a user per
    commenter, then each thread (a page's path) before its comments.

    An entry that is not a comment or commenter stops strict reading,
    naming it; with ``recover`` it is left out and reported.
    """
    data = _load(stream, name)
    issues: list[ImportIssue] = []

    def valid(kind: str, entries: list[Any], key: str, strings: tuple[str, ...]) -> list[Any]:
        kept: list[Any] = []
        for index, entry in enumerate(entries):
            problem = _problem(entry, key, strings)
            if problem is None:
                kept.append(entry)
                continue
            where = f"{kind}s[{index}]"
            if not recover:
                raise InputError(f"{where} is not a Commento {kind}: {problem}", file=name)
            issues.append(ImportIssue(code="json-bad-record", severity="rejected", file=name,
                                      reason=f"{where} left out: {problem}",
                                      fragment=encode_value(entry)[:200]))
        return kept

    comments = valid("comment", data.get("comments") or [], "commentHex",
                     ("domain", "url", "commenterHex", "markdown", "parentHex", "state",
                      "creationDate"))
    commenters = valid("commenter", data.get("commenters") or [], "commenterHex",
                       ("email", "name", "link"))
    domain = next((c["domain"] for c in comments if c.get("domain")), None)
    yield Source(origin=ORIGIN, site=domain or PurePath(name).name.split(".")[0],
                 name=name, version="1")
    yield from issues
    people: dict[str, dict[str, Any]] = {}
    for entry in commenters:
        # The export joins commenters to comments: one entry per comment.
        if entry["commenterHex"] not in people:
            people[entry["commenterHex"]] = entry
            yield User(origin=ORIGIN, dsq_username=entry["commenterHex"],
                       email=entry.get("email") or None, display_name=entry.get("name"),
                       extras=[Extra("attribute", COMMENTER_ENTRY, encode_value(entry))])
    yield from _threads(comments, people)


def _threads(comments: list[Any], people: dict[str, dict[str, Any]]) -> Iterator[Record]:
    by_url: dict[str, list[Any]] = {}
    for entry in comments:
        by_url.setdefault(entry.get("url") or "", []).append(entry)
    position = 0
    for url, entries in by_url.items():
        domain = entries[0].get("domain") or ""
        link = f"https://{domain}{url}" if domain and url.startswith("/") else url
        yield Thread(origin=ORIGIN, key=url, link=link)
        for entry in entries:
            position += 1
            hex_ = entry.get("commenterHex")
            person = people.get(hex_ or "", {})
            parent = entry.get("parentHex")
            state = entry.get("state")
            yield Comment(
                origin=ORIGIN, key=entry["commentHex"], thread=url,
                parent=None if parent == ROOT else parent,
                author_name=person.get("name"), author_email=person.get("email") or None,
                author_url=person.get("link") or None,
                dsq_username=None if hex_ == ANONYMOUS else hex_,
                created_at=entry.get("creationDate"), content=entry.get("markdown"),
                wp_approved=STATE_TO_RAW.get(state, state) if state is not None else None,
                meta=keep(PREFIX, entry, COMMENT_KEYS), position=position,
            )
