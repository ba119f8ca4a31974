"""Reading saved WordPress REST API comment pages as records.

A page is a JSON array of comment objects as ``/wp/v2/comments`` returns
them (``context=edit`` adds ``author_email``, ``author_ip`` and
``content.raw``).  Its elements are decoded one at a time, so a page cut
off by a broken download still gives, in recover mode, every comment
before the cut.  Each page is a source of its own whose site is the scheme
and host of its comments' links: the pages of one site, imported together
(several files, or a zip of them), land in one site, and a comment that
two pages both list is stored once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from ...errors import InputError
from ...inputs import files_at
from ...records import Comment, ImportIssue, Meta, Record, Source, Thread

ORIGIN = "wp-rest"
# Fields with a place of their own; every other one is kept as comment meta
# under META_PREFIX + its name, its value as JSON.
_MAPPED = frozenset({"id", "post", "parent", "author", "author_name", "author_url",
                     "author_email", "author_ip", "date", "date_gmt", "content", "status",
                     "type", "meta"})
META_PREFIX = "_wp_rest_"
_HEAD = re.compile(rb'\s*\[\s*(?:\]|\{)')
_WHITESPACE = re.compile(r"[\s,]*")


def detect(head: bytes) -> bool:
    """Whether the first bytes are a page of ``/wp/v2/comments``: a JSON
    array of objects with the comment fields the API always sends."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    return (_HEAD.match(head) is not None and b'"author_name"' in head
            and b'"post"' in head and b'"date_gmt"' in head)


def read_wp_rest(stream: IO[bytes], *, name: str, recover: bool = False) -> Iterator[Record]:
    """Yield a :class:`Source`, then for each comment its post's
    :class:`Thread` (the first time the page names it) and the
    :class:`Comment`, with :class:`ImportIssue` records."""
    reader = _Reader()
    yield from reader.page(_decoded(stream, name), name, recover)
    yield from reader.finish(name)


def read_wp_rest_pages(location: str, *, recover: bool = False) -> Iterator[Record]:
    """The pages a location names (a folder's ``*.json`` files, a glob, or
    one file), in the order of their page numbers, read as one source: a
    comment two pages list is read once, and a reply on one page to a
    comment on another is linked like any other."""
    paths = _pages(location)
    reader = _Reader()
    for path in paths:
        try:
            with open(path, "rb") as stream:
                text = _decoded(stream, str(path))
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", file=str(path)) from None
        yield from reader.page(text, str(path), recover)
    yield from reader.finish(location)


def _pages(location: str) -> list[Path]:
    found = files_at(location, (".json",))
    if not found:
        raise InputError("no comment pages (*.json) there", file=location)
    return sorted(found, key=_page_order)


def _page_order(path: Path) -> tuple[Any, ...]:
    """page2 before page10: the numbers in a name compared as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", path.name) if part)


def _decoded(stream: IO[bytes], name: str) -> str:
    try:
        return stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 JSON: {exc.reason} at byte {exc.start}", file=name) from None
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=name) from None


class _Reader:
    """Pages of one site, read one after the other as one source."""

    def __init__(self) -> None:
        self.source: Source | None = None
        self.threads: set[str] = set()
        self.comments: dict[str, Comment] = {}
        self.position = 0

    def page(self, text: str, name: str, recover: bool) -> Iterator[Record]:
        for item, line in _Page(name, text).items(recover):
            if isinstance(item, ImportIssue):
                yield from self._start(name, None)
                yield item
                continue
            yield from self._start(name, item)
            self.position += 1
            comment = _comment(item, name, line, self.position)
            if isinstance(comment, ImportIssue):
                yield comment
                continue
            seen = self.comments.get(comment.key)
            if seen is not None:
                if _fields(seen) != _fields(comment):
                    yield ImportIssue(
                        code="wp-rest-changed-twice", severity="warning",
                        reason="a comment listed again, changed since its first listing:"
                               " the first is kept",
                        file=name, line=line, record_key=f"comment {comment.key}",
                    )
                continue
            self.comments[comment.key] = comment
            if comment.thread not in self.threads:
                self.threads.add(comment.thread)
                yield _thread(comment.thread, item)
            yield comment

    def _start(self, name: str, item: Any) -> Iterator[Record]:
        if self.source is None:
            self.source = _source(name, item)
            yield self.source

    def finish(self, name: str) -> Iterator[Record]:
        yield from self._start(name, None)


def _fields(comment: Comment) -> tuple[Any, ...]:
    return (comment.thread, comment.parent, comment.author_name, comment.author_email,
            comment.author_url, comment.author_ip, comment.created_at,
            comment.created_at_local, comment.content, comment.wp_approved, comment.wp_type,
            comment.wp_user_id, comment.meta)


class _Page:
    """The elements of a page's array, decoded one by one."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.decoder = json.JSONDecoder()

    def _error(self, reason: str, pos: int) -> InputError:
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return InputError(reason, file=self.name, line=line, column=column)

    def items(self, recover: bool) -> Iterator[tuple[Any, int]]:
        text = self.text
        pos = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
        if not text.startswith("[", pos):
            raise self._not_a_page(pos)
        pos += 1
        while True:
            pos = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
            if text.startswith("]", pos):
                rest = text[pos + 1:].strip()
                if rest:
                    raise self._error("text after the page's array", text.index(rest, pos))
                return
            line = text.count("\n", 0, pos) + 1
            try:
                item, end = self.decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                where = "the file ends" if exc.pos >= len(text.rstrip()) else "bad JSON"
                if not recover:
                    raise self._error(f"not a JSON comment page: {exc.msg}", exc.pos) from None
                error = self._error(exc.msg, exc.pos)
                yield ImportIssue(
                    code="wp-rest-cut-off", severity="rejected",
                    reason=f"reading stopped: {where} inside a comment ({exc.msg});"
                           " the comments before it are kept",
                    file=self.name, line=error.line, column=error.column,
                ), line
                return
            yield item, line
            pos = end

    def _not_a_page(self, pos: int) -> InputError:
        try:
            value = json.loads(self.text)
        except json.JSONDecodeError as exc:
            return self._error(f"not a JSON comment page: {exc.msg}", exc.pos)
        if isinstance(value, dict) and "code" in value:
            return self._error(f"an API error, not a comment page: {value.get('code')}"
                               f" ({value.get('message', '')})", pos)
        return self._error("not a comment page: the API sends a JSON array", pos)


def _text(value: Any) -> str | None:
    """A JSON value as the store keeps raw text: numbers and booleans as
    JSON writes them, null as absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _site(link: Any) -> str | None:
    if not isinstance(link, str):
        return None
    parts = urlsplit(link)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _source(name: str, item: Any) -> Source:
    """A page's source, its site the scheme and host of the first link."""
    site = _site(item.get("link")) if isinstance(item, dict) else None
    return Source(origin=ORIGIN, site=site or name, name=name, link=site,
                  base_site_url=site, base_blog_url=site)


def _thread(key: str, item: dict[str, Any]) -> Thread:
    """The post a comment is on: its id, and the comment's link without
    its fragment (the post's URL)."""
    link = item.get("link")
    url = link.partition("#")[0] if isinstance(link, str) else None
    return Thread(origin=ORIGIN, key=key, wp_post_id=key, link=url, guid=url,
                  guid_is_permalink="false" if url else None)


def _content(value: Any, meta: list[Meta]) -> str | None:
    """``content.raw`` (as stored) if the page has it, else what the site
    rendered; the other of the two is kept in meta."""
    if not isinstance(value, dict):
        return _text(value)
    raw, rendered = value.get("raw"), value.get("rendered")
    rest = {k: v for k, v in value.items() if k not in ("raw", "rendered")}
    if raw is not None and rendered is not None:
        meta.append((META_PREFIX + "content_rendered", _text(rendered)))
    if rest:
        meta.append((META_PREFIX + "content", json.dumps(rest, ensure_ascii=False)))
    return _text(raw if raw is not None else rendered)


def _comment(item: Any, name: str, line: int, position: int) -> Comment | ImportIssue:
    key = _text(item.get("id")) if isinstance(item, dict) else None
    post = _text(item.get("post")) if isinstance(item, dict) else None
    if not isinstance(item, dict) or not key or not post:
        return ImportIssue(
            code="wp-rest-not-a-comment", severity="rejected",
            reason="an element of the page is not a comment with an id and a post",
            file=name, line=line, fragment=json.dumps(item, ensure_ascii=False)[:2000],
            record_key=f"comment {key}" if key else None,
        )
    meta: list[Meta] = []
    content = _content(item.get("content"), meta)
    extra = item.get("meta")
    if isinstance(extra, dict):
        meta.extend((k, v if isinstance(v, str) else _text(v)) for k, v in extra.items())
    elif extra not in (None, []):
        meta.append((META_PREFIX + "meta", _text(extra)))
    meta.extend((META_PREFIX + k, _text(v)) for k, v in item.items() if k not in _MAPPED)
    parent = _text(item.get("parent"))
    author = _text(item.get("author"))
    return Comment(
        origin=ORIGIN, key=key, thread=post, wp_id=key,
        parent=None if parent in (None, "0") else parent,
        author_name=_text(item.get("author_name")), author_url=_text(item.get("author_url")),
        author_email=_text(item.get("author_email")), author_ip=_text(item.get("author_ip")),
        created_at_local=_text(item.get("date")), created_at=_text(item.get("date_gmt")),
        content=content, wp_approved=_text(item.get("status")), wp_type=_text(item.get("type")),
        wp_user_id=None if author in (None, "0") else author,
        meta=meta, position=position,
    )
