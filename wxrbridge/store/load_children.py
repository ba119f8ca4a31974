"""Rows that belong to a stored record: its meta, its terms, its extras.

A record's child rows are replaced whole each time the record is loaded, in
batches: one ``DELETE`` per chunk of owners and one ``INSERT`` of them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, delete

from ..records import Extra, Meta
from .bulk import RawInsert, chunks
from .tables import extras_t

Item = TypeVar("Item")

EXTRA_COLUMNS = ("owner", "owner_id", "position", "kind", "name", "value", "anchor")
_META_FIELDS = ("position", "meta_key", "meta_value")
# An extra's columns after owner, owner_id and position.
_extra_fields: Callable[[Extra], tuple[Any, ...]] = attrgetter("kind", "name", "value", "anchor")


class ChildRows:
    """Writes the child rows of a batch of owners."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.inserts: dict[tuple[str, tuple[str, ...]], RawInsert] = {}

    def insert(self, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Insert rows given in ``columns`` order."""
        insert_ = self.inserts.get((table.name, columns))
        if insert_ is None:
            insert_ = self.inserts[(table.name, columns)] = RawInsert(
                self.connection, table, columns, ignore=False
            )
        insert_(rows)

    def replace(
        self,
        table: Table,
        owner_column: str,
        owners: Sequence[int],
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
        new_owners: bool,
        **owner_filter: Any,
    ) -> None:
        """Make the owners' child rows exactly ``rows`` (in ``columns``
        order).

        Owners just created have no child rows yet, so nothing is deleted.
        """
        if not new_owners:
            where = [table.c[k] == v for k, v in owner_filter.items()]
            for chunk in chunks(owners):
                self.connection.execute(
                    delete(table).where(table.c[owner_column].in_(chunk), *where)
                )
        if rows:
            self.insert(table, columns, rows)

    def replace_listed(
        self,
        table: Table,
        columns: tuple[str, ...],
        by_owner: Iterable[tuple[int, Sequence[Any]]],
        fields: Callable[[Item], Iterable[Any]] | None,
        new_owners: bool,
        lead: tuple[Any, ...] = (),
        **owner_filter: Any,
    ) -> None:
        """Make each owner's child rows its list of items, numbered by
        position: a row is ``lead``, the owner's id, the position and the
        item's ``fields`` (``None``: the item's own values), in ``columns``
        order (whose owner column is the one after ``lead``)."""
        listed = list(by_owner)
        # One comprehension for the batch: most owners have no items, and
        # a loop of statements per owner cost more than the rows.
        if fields is None:
            rows = [(*lead, owner_id, position, *item)
                    for owner_id, items in listed if items
                    for position, item in enumerate(items)]
        else:
            rows = [(*lead, owner_id, position, *fields(item))
                    for owner_id, items in listed if items
                    for position, item in enumerate(items)]
        owners = [] if new_owners else [owner_id for owner_id, _ in listed]
        self.replace(
            table, columns[len(lead)], owners, columns, rows, new_owners, **owner_filter
        )

    def replace_meta(
        self,
        table: Table,
        owner_column: str,
        meta_by_owner: Iterable[tuple[int, list[Meta]]],
        new_owners: bool = False,
    ) -> None:
        """Make each owner's meta rows its list of (key, value) pairs."""
        self.replace_listed(
            table, (owner_column, *_META_FIELDS), meta_by_owner, None, new_owners
        )

    def replace_extras(
        self,
        owner: str,
        extras_by_owner: Iterable[tuple[int, list[Extra]]],
        new_owners: bool = False,
    ) -> None:
        """Make each owner's extras (``owner`` says its kind: ``"comment"``…)
        its list of extras."""
        self.replace_listed(
            extras_t, EXTRA_COLUMNS, extras_by_owner, _extra_fields, new_owners,
            (owner,), owner=owner,
        )

    def add_extras(self, owner: str, owner_id: int, first: int, extras: list[Extra]) -> None:
        """Store extras that follow the ``first`` already stored of an owner."""
        self.insert(
            extras_t,
            EXTRA_COLUMNS,
            [(owner, owner_id, first + i, *_extra_fields(e)) for i, e in enumerate(extras)],
        )
