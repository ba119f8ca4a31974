"""Items that are one thread: the WXR written for Disqus's importer.

Tools that move comments into Disqus write one ``<item>`` per comment, each
repeating its thread's ``title``, ``link`` and ``dsq:thread_identifier`` and
none with a ``wp:post_id``.  Disqus's importer takes the items that share a
thread identifier (else a link) as one thread, and so does the reader: the
first such item makes the Thread record, the later ones only add comments
to it.  What a later item says differently of the thread is reported, since
only the first item's values are kept.

Only a digest of each field is held per thread, so memory grows with the
number of threads, not with what their items repeat.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields

from ...records import Extra, ImportIssue, Thread
from .names import BEFORE_ITEM_ANCHOR, THREAD_IDENTIFIER_TAG

# Thread fields compared between the items of one thread: every raw field
# but the key and what the reader sets itself.
_COMPARED = tuple(
    f.name for f in fields(Thread)
    if f.name not in ("origin", "key", "identifier", "child_order", "extras")
)
# Longer identifiers or links are keyed by their digest (a key is at most
# 255 characters in the store).
_LONGEST_KEY_TEXT = 200
_NAMES = (*_COMPARED, "extras")


@dataclass(slots=True)
class Group:
    """One thread made of items: its key, what its first item said, and how
    many comments its items have given it so far."""

    key: str
    digests: dict[str, bytes]
    # The digest of all the compared values at once: a later item that
    # repeats them is known alike by one digest, not one a field.
    whole: bytes
    comments: int = 0
    first: bool = True


def _digest(value: object) -> bytes:
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"),
                           digest_size=16).digest()


def _compared(thread: Thread) -> list[object]:
    """The values compared between items, in ``_NAMES``' order."""
    values: list[object] = [getattr(thread, name) for name in _COMPARED]
    # What the item holds beyond the fields, but for the identifiers (an
    # item may repeat its own) and the channel's extras it carries along.
    values.append([
        (e.kind, e.name, e.value, e.anchor) for e in thread.extras
        if e.name != THREAD_IDENTIFIER_TAG and e.anchor != BEFORE_ITEM_ANCHOR
    ])
    return values


def _fingerprint(values: list[object]) -> dict[str, bytes]:
    return {name: _digest(value) for name, value in zip(_NAMES, values, strict=True)}


def _key(prefix: str, text: str) -> str:
    if len(text) > _LONGEST_KEY_TEXT:
        text = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return prefix + text


class ThreadGroups:
    """The threads met so far among items without a post id, by the key
    their identifier (else link) gives them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.groups: dict[str, Group] = {}

    def join(
        self,
        thread: Thread,
        identifiers: list[str | None],
        where: tuple[int, int | None],
        comments: int,
        issues: list[ImportIssue],
        displaced: list[Extra],
    ) -> tuple[bool, int]:
        """Place ``thread``, an item with no post id (``where``: its number
        and line, ``identifiers`` the thread identifiers it names) that has
        ``comments`` comments.  Returns whether the item
        makes its Thread record and how many comments its thread had before
        it; an issue goes to ``issues``, and the channel's extras before an
        item that makes no thread to ``displaced``."""
        identifier = identifiers[0] if identifiers else None
        group, issue = self.place(thread, identifier, *where)
        if issue is not None:
            issues.append(issue)
        others = {(i or "").strip() for i in identifiers} - {(identifier or "").strip()}
        if group is not None and others:
            issues.append(ImportIssue(
                code="split-thread-conflict", severity="warning",
                reason=f"item #{where[0]} names more than one thread identifier"
                f" ({', '.join(sorted(others))} besides {identifier}); the first is used,"
                " the others are kept as written",
                file=self.name, line=where[1], record_key=f"thread {group.key}",
            ))
        if group is None:
            return True, 0
        start = group.comments
        group.comments += comments
        if not group.first:
            thread.key = group.key
            displaced.extend(e for e in thread.extras if e.anchor == BEFORE_ITEM_ANCHOR)
        return group.first, start

    def place(
        self, thread: Thread, identifier: str | None, item: int, line: int | None
    ) -> tuple[Group | None, ImportIssue | None]:
        """Key ``thread`` (an item with no post id) by its identifier, else
        its link, and return its group (``first`` tells whether this item
        makes the Thread record; otherwise only its comments are kept) with
        the issue a later item saying otherwise of the thread raises.
        ``(None, None)`` when the item has neither: it stays a thread of its
        own."""
        ident = (identifier or "").strip()
        link = (thread.link or "").strip()
        if ident:
            key = _key("dsq:", ident)
        elif link:
            key = _key("link:", link)
        else:
            return None, None
        group = self.groups.get(key)
        values = _compared(thread)
        whole = _digest(values)
        if group is None:
            group = self.groups[key] = Group(key, _fingerprint(values), whole)
            thread.key = key
            if ident:
                thread.identifier = identifier
            return group, None
        group.first = False
        if whole == group.whole:
            return group, None
        later = _fingerprint(values)
        differ = [name for name, digest in later.items() if group.digests[name] != digest]
        if not differ:
            return group, None
        return group, ImportIssue(
            code="split-thread-conflict", severity="rejected",
            reason=f"item #{item} repeats thread {key} with a different "
            f"{', '.join(differ)}; the thread keeps the values of its first item",
            file=self.name, line=line, record_key=f"thread {key}",
        )


class PostIdKeys:
    """The thread keys of items with a post id: the id, or for a later item
    of the same id a key of its own (``ID~2``, …), so that its comments stay
    its own (the store would keep the thread apart but give the comments,
    which name the id, to the first)."""

    def __init__(self, name: str) -> None:
        self.name = name
        # Each plain post id ("1", "17", …) seen once so far is one bit,
        # found by the id: a set of every id held a string and an entry a
        # post (22 MB at 262,000 posts, which these bits hold in under 1 MB).
        self.numbered = bytearray()
        # How many items had each other post id (or made key) so far, and
        # each plain id seen more than once.
        self.seen: dict[str, int] = {}

    def key(self, post_id: str, line: int | None, issues: list[ImportIssue]) -> str:
        """The key of the item at ``line`` with post id ``post_id``; a
        repeated id is reported in ``issues``."""
        count = self._count(post_id) + 1
        self._note(post_id, count)
        if count == 1:
            return post_id
        key = f"{post_id}~{count}"
        while self._count(key):
            count += 1
            key = f"{post_id}~{count}"
        self._note(key, 1)
        issues.append(ImportIssue(
            code="duplicate-id", severity="repaired",
            reason=f"thread id {post_id!r} appears more than once in the file; this one is"
            f" kept as {key!r}",
            file=self.name, line=line, record_key=f"thread {post_id}",
        ))
        return key

    def _count(self, key: str) -> int:
        """How many items had ``key`` so far."""
        count = self.seen.get(key)
        if count is not None:
            return count
        bit = _bit_of(key)
        if bit is None or bit >> 3 >= len(self.numbered):
            return 0
        return (self.numbered[bit >> 3] >> (bit & 7)) & 1

    def _note(self, key: str, count: int) -> None:
        """Record that ``count`` items had ``key``."""
        bit = _bit_of(key) if count == 1 else None
        if bit is None:
            self.seen[key] = count
            return
        index = bit >> 3
        numbered = self.numbered
        if index >= len(numbered):
            # Grown by half again at least: a file's ids mostly rise.
            numbered.extend(bytes(max(index + 1 - len(numbered), len(numbered) // 2)))
        numbered[index] |= 1 << (bit & 7)


# Post ids below this are kept as bits (8 MB at most); larger ones as
# strings.
_BIT_LIMIT = 1 << 26


def _bit_of(key: str) -> int | None:
    """The bit a plain post id is kept as: its number, when the key is that
    number written the usual way (no sign, no leading zero, ASCII digits)
    and not too large; else None."""
    if not (key.isdigit() and key.isascii()) or (key[0] == "0" and len(key) > 1) \
            or len(key) > 8:
        return None
    number = int(key)
    return number if number < _BIT_LIMIT else None
