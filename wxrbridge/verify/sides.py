"""The two sides of a verify, kept in a scratch SQLite file, not in memory.

A side's threads and comments are written as they arrive, in batches; what
stays in memory is a few bytes per record (which record pairs with which)
and one thread's unpaired comments at a time.  So a verify of any size runs
in flat memory, and its differences come out in the order they always did:
A's order, then B's.  The sides are loaded one after the other, and what
is compared field by field in Python is only the pairs whose values SQL
does not find all equal.
"""

from __future__ import annotations

import os
import sqlite3
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from .. import canonical
from ..errors import NeedsStoreError
from ..formats.wxr.plan import ORIGINAL_PARENT_KEY
from ..records import Comment, Record, Thread, User
from .identity import FIELDS, comment_fields, comment_tokens, thread_tokens

SIDES = ("a", "b")
_BATCH = 5000
# Columns of a comment row before its FIELDS.
_COMMENT_HEAD = ("idx", "key", "origin", "thread_idx", "thread_key", "parent_key", "dangling")


def _schema(side: str) -> str:
    fields = ", ".join(f"f_{name}" for name in FIELDS)
    return f"""
        CREATE TABLE {side}_thread (idx INTEGER PRIMARY KEY, key TEXT NOT NULL);
        CREATE TABLE {side}_thread_token (idx INTEGER NOT NULL, kind TEXT, value TEXT);
        CREATE TABLE {side}_comment (
            idx INTEGER PRIMARY KEY, key TEXT NOT NULL, origin TEXT NOT NULL,
            thread_idx INTEGER NOT NULL, thread_key TEXT NOT NULL, parent_key TEXT,
            dangling INTEGER NOT NULL, parent_idx INTEGER, {fields});
        CREATE TABLE {side}_comment_token (idx INTEGER NOT NULL, kind TEXT, value TEXT);
    """


class Sides:
    """Both sides, in one scratch database in ``folder``."""

    def __init__(self, folder: str) -> None:
        self.db = sqlite3.connect(os.path.join(folder, "verify.sqlite"), isolation_level=None)
        # A scratch file: nothing to keep if the process dies.
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE",
                       "cache_size = -16000", "locking_mode = EXCLUSIVE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.threads = {side: 0 for side in SIDES}
        self.comments = {side: 0 for side in SIDES}
        # The origins of each side's comments.
        self.origins: dict[str, set[str]] = {side: set() for side in SIDES}
        for side in SIDES:
            self.reset(side)

    def close(self) -> None:
        self.db.close()

    def reset(self, side: str) -> None:
        """Empty one side, to be loaded (again)."""
        if self.db.in_transaction:  # a load that failed halfway
            self.db.execute("ROLLBACK")
        for table in ("thread", "thread_token", "comment", "comment_token"):
            self.db.execute(f"DROP TABLE IF EXISTS {side}_{table}")
        self.db.executescript(_schema(side))
        self.threads[side] = self.comments[side] = 0
        self.origins[side] = set()

    def load(self, side: str, records: Iterable[Record], *, checked: bool = False) -> None:
        """Write one side's threads and comments, in their order.

        ``checked``: the records come straight from a reader, not from a
        store; :class:`NeedsStoreError` is raised where they hold what a store
        would settle first (see :meth:`_check`)."""
        try:
            self._load(side, records)
        except UnicodeEncodeError:
            if checked:
                raise NeedsStoreError("a lone surrogate") from None
            raise
        if checked:
            self._check(side)
        self._link_parents(side)

    def _load(self, side: str, records: Iterable[Record]) -> None:
        threads: list[tuple[int, str]] = []
        thread_tokens_: list[tuple[int, str, str]] = []
        comments: list[tuple[Any, ...]] = []
        comment_tokens_: list[tuple[int, str, str]] = []
        thread_idx: dict[str, int] = {}
        logins: dict[str, str] = {}  # the side's users' logins by id
        origins = self.origins[side]
        insert_comment = (f"INSERT INTO {side}_comment ({', '.join(_COMMENT_HEAD)}, "
                          f"{', '.join(f'f_{n}' for n in FIELDS)}) "
                          f"VALUES ({', '.join('?' * (len(_COMMENT_HEAD) + len(FIELDS)))})")

        def flush() -> None:
            self.db.execute("BEGIN")
            self.db.executemany(f"INSERT INTO {side}_thread VALUES (?, ?)", threads)
            self.db.executemany(f"INSERT INTO {side}_thread_token VALUES (?, ?, ?)",
                                thread_tokens_)
            self.db.executemany(insert_comment, comments)
            self.db.executemany(f"INSERT INTO {side}_comment_token VALUES (?, ?, ?)",
                                comment_tokens_)
            self.db.execute("COMMIT")
            for batch in (threads, thread_tokens_, comments, comment_tokens_):
                batch.clear()

        def new_thread(key: str, tokens: list[tuple[str, str]]) -> int:
            idx = self.threads[side]
            self.threads[side] += 1
            thread_idx[key] = idx
            threads.append((idx, key))
            thread_tokens_.extend((idx, kind, value) for kind, value in tokens)
            return idx

        idx = self.comments[side]
        add_comment, add_tokens = comments.append, comment_tokens_.append
        for record in records:
            if isinstance(record, Comment):
                thread_key = record.thread
                in_thread = thread_idx.get(thread_key)
                if in_thread is None:
                    # A Disqus post whose thread is not in the export: its
                    # thread is known by that reference alone, once for all
                    # the posts that name it.
                    in_thread = new_thread(thread_key, [("dsq", thread_key)])
                parent = canonical.parent_of(record)
                kept = None
                if parent is None and record.meta:
                    # A reply whose parent was missing, written at the top
                    # level with its reference kept: that same dangling id.
                    kept = next((v for k, v in record.meta
                                 if k == ORIGINAL_PARENT_KEY and v), None)
                origin = record.origin
                origins.add(origin)
                add_comment((idx, record.key, origin, in_thread, thread_key, kept or parent,
                             kept is not None, *comment_fields(record, logins)))
                for kind, value in comment_tokens(record):
                    add_tokens((idx, kind, value))
                idx += 1
                if len(comments) >= _BATCH:
                    flush()
            elif isinstance(record, Thread):
                new_thread(record.key, thread_tokens(record))
            elif isinstance(record, User):
                if record.wp_id and record.login:
                    logins[record.wp_id.strip()] = record.login
        self.comments[side] = idx
        flush()

    def _check(self, side: str) -> None:
        """Raise :class:`NeedsStoreError` where a store would rename: a thread key,
        or a comment key of one origin, used twice (the index on comment
        keys also serves the parents' links)."""
        try:
            self.db.execute(f"CREATE UNIQUE INDEX {side}_thread_key ON {side}_thread (key)")
            self.db.execute(f"CREATE UNIQUE INDEX {side}_comment_key ON {side}_comment "
                            f"(key, origin)")
        except sqlite3.IntegrityError:
            raise NeedsStoreError("an id used twice") from None

    def _link_parents(self, side: str) -> None:
        # Parents by (thread key, key), the last comment of a key winning.
        self.db.execute(f"CREATE INDEX {side}_comment_place ON {side}_comment "
                        f"(thread_key, key)")
        self.db.execute(f"""
            UPDATE {side}_comment SET parent_idx = (
                SELECT MAX(p.idx) FROM {side}_comment p
                WHERE p.thread_key = {side}_comment.thread_key
                  AND p.key = {side}_comment.parent_key)
            WHERE parent_key IS NOT NULL AND NOT dangling""")

    def match(self, what: str) -> tuple[array[int], bytearray]:
        """Pair A's threads or comments with B's by identity token: each A
        item, in order, takes the B item first holding the first of its
        tokens (in token order) whose B item is not taken yet.

        Returns B's index for each A item (-1: unpaired) and, for each B
        item, whether it was taken.
        """
        count = self.threads if what == "thread" else self.comments
        pairs = array("q", [-1]) * count["a"]
        taken = bytearray(count["b"])
        self.db.execute(f"CREATE INDEX b_{what}_token_value ON b_{what}_token "
                        f"(kind, value, idx)")
        rows = self.db.execute(f"""
            SELECT t.idx, t.kind, t.value, (SELECT MIN(b.idx) FROM b_{what}_token b
                                           WHERE b.kind = t.kind AND b.value = t.value)
            FROM a_{what}_token t ORDER BY t.rowid""")
        # Where B's first holder of a token is taken, the next one not taken
        # pairs (a post id that an export gave a later item of the same id,
        # kept in meta); how far each token was searched is remembered, so
        # each is passed over once however many items share it.
        searched: dict[tuple[str, str], int] = {}
        for idx, kind, value, candidate in rows:
            if candidate is None or pairs[idx] >= 0:
                continue
            if taken[candidate]:
                candidate = self._next_untaken(what, (kind, value), candidate, taken, searched)
                if candidate is None:
                    continue
            pairs[idx] = candidate
            taken[candidate] = 1
        return pairs, taken

    def _next_untaken(
        self,
        what: str,
        token: tuple[str, str],
        first: int,
        taken: bytearray,
        searched: dict[tuple[str, str], int],
    ) -> int | None:
        """The first B item after ``first`` holding ``token`` and not taken."""
        at: int | None = max(first, searched.get(token, first))
        while at is not None and taken[at]:
            at = self.db.execute(
                f"SELECT MIN(idx) FROM b_{what}_token WHERE kind = ? AND value = ? AND idx > ?",
                (*token, at),
            ).fetchone()[0]
        if at is not None:
            searched[token] = at
        return at

    def keys(self, table: str, indexes: list[int]) -> Iterator[str]:
        """The keys of the rows at ``indexes`` (ascending) of a table."""
        return (key for (key,) in self.rows(table, indexes, "key"))

    def rows(self, table: str, indexes: list[int], columns: str) -> Iterator[tuple[Any, ...]]:
        """Some columns of the rows at ``indexes`` (ascending) of a table."""
        for start in range(0, len(indexes), 500):
            chunk = indexes[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT {columns} FROM {table} WHERE idx IN ({marks}) ORDER BY idx", chunk)

    def pair_threads(self, pairs: array[int]) -> None:
        """Keep the thread pairs, for :meth:`unpaired`."""
        self.db.execute("CREATE TABLE thread_pair (a_idx INTEGER PRIMARY KEY, b_idx INTEGER)")
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO thread_pair VALUES (?, ?)",
                            ((i, b) for i, b in enumerate(pairs) if b >= 0))
        self.db.execute("COMMIT")

    def unpaired(self, side: str, indexes: Iterable[int]) -> Iterator[tuple[Any, ...]]:
        """``(B's thread, idx, key, author name, date)`` of the comments of
        ``side`` at ``indexes`` that are in paired threads, in B's thread
        order and then their own."""
        self.db.execute(f"CREATE TEMP TABLE {side}_left (idx INTEGER PRIMARY KEY)")
        self.db.execute("BEGIN")
        self.db.executemany(f"INSERT INTO {side}_left VALUES (?)", ((i,) for i in indexes))
        self.db.execute("COMMIT")
        if side == "a":
            thread, join = "tp.b_idx", "JOIN thread_pair tp ON tp.a_idx = c.thread_idx"
        else:
            thread, join = "c.thread_idx", ""
        return iter(self.db.execute(f"""
            SELECT {thread}, c.idx, c.key, c.f_author_name, c.f_created_at
            FROM {side}_left l JOIN {side}_comment c ON c.idx = l.idx {join}
            ORDER BY 1, c.idx"""))

    def pairs_of_comments(self, pairs: array[int]) -> Iterator[tuple[Any, ...]]:
        """A's comments in order that may differ from their B comment (or
        have none), each with the B comment paired with it (or NULLs) and
        the B comment its parent is paired with."""
        self.db.execute("CREATE TABLE pair (a_idx INTEGER PRIMARY KEY, b_idx INTEGER)")
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO pair VALUES (?, ?)",
                            ((i, b) for i, b in enumerate(pairs) if b >= 0))
        self.db.execute("COMMIT")
        fields = ", ".join(f"{side}.f_{name}" for side in SIDES for name in FIELDS)
        # Only the pairs that may differ: a pair of equal fields, in paired
        # threads, with parents paired alike has no difference to find.
        differ = " OR ".join(f"a.f_{name} IS NOT b.f_{name}" for name in FIELDS)
        return iter(self.db.execute(f"""
            SELECT a.key, a.origin, a.thread_idx, a.thread_key, a.parent_key, a.parent_idx,
                   pp.b_idx, b.idx, b.origin, b.thread_idx, b.thread_key, b.parent_key,
                   b.parent_idx, {fields}
            FROM a_comment a
            LEFT JOIN pair p ON p.a_idx = a.idx
            LEFT JOIN b_comment b ON b.idx = p.b_idx
            LEFT JOIN pair pp ON pp.a_idx = a.parent_idx
            LEFT JOIN thread_pair tp ON tp.a_idx = a.thread_idx
            WHERE b.idx IS NULL OR tp.b_idx IS NOT b.thread_idx
               OR pp.b_idx IS NOT b.parent_idx
               OR (a.parent_idx IS NULL AND a.parent_key IS NOT NULL)
               OR {differ}
            ORDER BY a.idx"""))
