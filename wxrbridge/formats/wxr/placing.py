"""Where a record's parts go back: the order of its known children, and
the extras (unknown elements, attributes, namespaces) anchored among them."""

from __future__ import annotations

from ...records import Extra


def arrange(core: tuple[str, ...], given: list[str] | None) -> tuple[str, ...]:
    """The order to write known children in: a record's ``child_order``
    where it has one, else core's.

    Names ``given`` leaves out go back where core puts them, right after the
    nearest child core writes before them; names core does not know are
    dropped, since nothing would be written for them.
    """
    if not given:
        return core
    order = [name for name in dict.fromkeys(given) if name in core]
    for index, name in enumerate(core):
        if name in order:
            continue
        at = 0
        for earlier in reversed(core[:index]):
            if earlier in order:
                at = order.index(earlier) + 1
                break
        order.insert(at, name)
    return tuple(order)


class Extras:
    """A record's extras, sorted by where they go back."""

    __slots__ = ("nodes", "attrs", "ns", "used")

    def __init__(self, extras: list[Extra]) -> None:
        self.nodes: dict[str | None, list[Extra]] = {}
        self.attrs: dict[str | None, dict[str, str]] = {}
        self.ns: dict[str | None, dict[str, str]] = {}
        self.used: set[str | None] = set()
        for extra in extras:
            if extra.kind == "attribute":
                self.attrs.setdefault(extra.anchor, {})[extra.name] = extra.value
            elif extra.kind == "namespace":
                self.ns.setdefault(extra.anchor, {})[extra.name] = extra.value
            else:
                self.nodes.setdefault(extra.anchor, []).append(extra)


NO_EXTRAS = Extras([])
"""Shared by every record without extras (most of them): compared by
identity, so writing such a record skips the look-ups."""
