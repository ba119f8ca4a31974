"""The row id of each thread an import wrote, by its key, for its comments.

A comment names its thread by key; the loader gives its row the thread's
row id.  Holding every key an import wrote took memory that grew with the
threads (some 30 MB at 5,000,000 comments).  Comments come near their
thread in every export, so :class:`ThreadIds` keeps only the threads used
most recently and asks the store for the others, once a batch, among the
rows this import wrote.

That answer is the one a map of every key would give only while the import
has written the threads of one site and origin and merged none: the store
holds one row a key there.  A second site or origin (whose keys may repeat
the first's: the later key wins, as in a map) or a thread merged onto a
stored row of another key makes it keep every key from then on, those it
had let go read back from the store first.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from .bulk import chunks, pairs
from .tables import threads_t

# Threads kept: between one and two windows' worth of the most recently
# used (the newer window is filled, then the older one let go).
WINDOW = 4096


class ThreadIds:
    """Thread row ids by key, for one loader's stream."""

    def __init__(self, connection: Connection, window: int | None = None) -> None:
        self.connection = connection
        self.window = window or WINDOW
        self.recent: dict[str, int] = {}
        self.older: dict[str, int] = {}
        # The (site, origin) of every thread written so far, while there is
        # one; None before the first.
        self.scope: tuple[str, str] | None = None
        # The sources this stream stored threads under.
        self.sources: set[int] = set()
        # Every key is kept (and none is looked up): see the module's text.
        self.keeps_all = False

    def __len__(self) -> int:
        return len(self.recent) + len(self.older)

    def wrote(
        self, site: str, origin: str, source_id: int | None,
        pairs_written: Iterable[tuple[str, int]],
    ) -> None:
        """Note the ids of threads just written, ``(key, id)``, in order."""
        if self.scope is None:
            self.scope = (site, origin)
        elif self.scope != (site, origin) and not self.keeps_all:
            self._keep_all()
        if source_id is not None:
            self.sources.add(source_id)
        for key, thread_id in pairs_written:
            self._remember(key, thread_id)

    def merged(self, key: str, thread_id: int) -> None:
        """A thread of the stream that became part of stored row
        ``thread_id`` (a merge): its key names that row from now on."""
        if not self.keeps_all:
            self._keep_all()
        self.recent[key] = thread_id

    def __getitem__(self, key: str) -> int:
        """The id of a thread known to be written or merged."""
        found = self.ids_of([key]).get(key)
        if found is None:
            raise KeyError(key)
        return found

    def ids_of(self, keys: Iterable[str]) -> dict[str, int]:
        """The ids of those of ``keys`` that name a thread this stream wrote
        (a key named by no thread is left out); one query for those not
        kept."""
        found: dict[str, int] = {}
        missed = []
        recent, older = self.recent, self.older
        for key in keys:
            if key in found:
                continue
            thread_id = recent.get(key)
            if thread_id is None:
                thread_id = older.get(key)
                if thread_id is None:
                    missed.append(key)
                    continue
                self._remember(key, thread_id)
            found[key] = thread_id
        if missed and not self.keeps_all and self.scope is not None:
            for key, thread_id in self._stored(sorted(set(missed))).items():
                found[key] = thread_id
                self._remember(key, thread_id)
        return found

    def _remember(self, key: str, thread_id: int) -> None:
        recent = self.recent
        recent[key] = thread_id
        if len(recent) >= self.window and not self.keeps_all:
            self.older, self.recent = recent, {}

    def _stored(self, keys: list[str] | None) -> dict[str, int]:
        """The ids of ``keys`` (``None``: of every key) among the threads of
        the scope this stream stored."""
        assert self.scope is not None
        site, origin = self.scope
        t = threads_t
        where = [t.c.site == site, t.c.origin == origin,
                 t.c.source_id.in_(sorted(self.sources))]
        query = select(t.c.key, t.c.id).where(*where)
        if keys is None:
            return pairs(self.connection.execute(query))
        found: dict[str, int] = {}
        for chunk in chunks(keys):
            found.update(pairs(self.connection.execute(query.where(t.c.key.in_(chunk)))))
        return found

    def _keep_all(self) -> None:
        """Keep every key from now on, the ones let go read back first."""
        everything = self._stored(None) if self.scope is not None else {}
        everything.update(self.older)
        everything.update(self.recent)
        self.recent, self.older = everything, {}
        self.keeps_all = True
