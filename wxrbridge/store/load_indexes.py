"""Secondary indexes built after a first load instead of row by row.

A WordPress export loaded into a SQLite store whose comments table is empty
goes in without the table's secondary indexes (thread, parent, Disqus id,
merged key) and without the meta's index on its comment: each is dropped
before the first row and created again, from the very statement that made
it, once the stream is stored. One sorted build of an index costs less than
keeping it up to date row by row (at 100,000 comments the inserts took a
fifth less, the builds a tenth of that back). The unique identity key stays:
the loader finds repeated keys by it.

All of it happens inside the import's transaction (after its first insert:
the driver begins no transaction for DDL), so a failed import rolls
the indexes back with everything else, and the schema at the end is the one
the store had. Only a WordPress stream is loaded this way: while it is
stored nothing looks comments up by those columns, whereas a Disqus or
Blogger load matches every batch against stored rows by them.
"""

from __future__ import annotations

from sqlalchemy import Connection

# The tables whose secondary indexes a first load builds at its end, each
# only when it holds no row yet.
DEFERRED_TABLES = ("comments", "comment_meta")


class DeferredIndexes:
    """Drops the secondary indexes of empty tables, and makes them again."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        # The statements that made the dropped indexes, to run again.
        self.dropped: list[str] = []

    def drop_for_first_load(self) -> None:
        """On SQLite, drop the secondary indexes of each table of
        DEFERRED_TABLES that is empty (once per import)."""
        connection = self.connection
        if connection.dialect.name != "sqlite" or self.dropped:
            return
        for table in DEFERRED_TABLES:
            if connection.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first():
                continue
            # Indexes a constraint made (the unique key) have no statement
            # of their own and stay.
            indexes = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", (table,)
            ).all()
            for name, sql in indexes:
                connection.exec_driver_sql(f'DROP INDEX "{name}"')
                self.dropped.append(sql)

    def restore(self) -> None:
        """Create again every index dropped, as it was."""
        dropped, self.dropped = self.dropped, []
        for sql in dropped:
            self.connection.exec_driver_sql(sql)
