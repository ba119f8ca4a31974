"""Comment trees: which comment answers which, in one place.

Pure functions on parent links, no I/O: the store's loader cuts the cycles
its set-based linking made, the WXR writer plans an item's comments, the
HTML archive nests them, the Disqus import writer finds their parents, the
store's statistics measure depth.  A comment is a node numbered in the order
of the file (a row id handed out in file order, or an index into a thread's
list of comments), so "later in the file" is "greater".

One rule for a cycle of parent links, wherever it is met: it is cut at the
member with the greatest key, ids compared as numbers (see :func:`key_rank`),
and that member becomes a top-level comment.  Ids grow as comments are
written, so that is the newest member, usually the one listed last.  The
rule reads the keys alone, never the order comments arrived in: the store
cuts a cycle at the same link whichever of several files brought its
members, in whatever order, and the WXR writer and the archive cut it there
too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cut:
    """One cycle of parent links and the member whose link is cut."""

    cycle: tuple[int, ...]
    """The members, from where a walk up the links first met the cycle, each
    followed by its parent."""
    node: int
    """The member that becomes top level: the one of the greatest key."""


def parent_index(keys: Iterable[str], references: Iterable[str | None]) -> list[int | None]:
    """For each comment, the index of the comment its parent reference names.

    ``keys`` and ``references`` run in step, one entry per comment.  A
    reference to a key listed twice names the first comment with it; one that
    names no comment here (or ``None``, top level) gives ``None``.  A comment
    may name itself: that is a cycle of one, for :func:`cut_cycles`.
    """
    index: dict[str, int] = {}
    for position, key in enumerate(keys):
        index.setdefault(key, position)
    get = index.get
    return [None if reference is None else get(reference) for reference in references]


_DIGITS = re.compile(r"(\d+)")
# The rank of a key: its runs of text and of digits, each run of digits as a
# number (its length without leading zeros, then its digits: no int() of a
# thousand-digit id), and the key itself to tell "012" from "12".
KeyRank = tuple[tuple[str | tuple[int, str], ...], str]


def key_rank(key: str) -> KeyRank:
    """Where a key comes in the order cycles are cut by: ids compared as
    numbers ("9" before "10", "c9" before "c10"), other text as text."""
    parts = _DIGITS.split(key)
    runs: list[str | tuple[int, str]] = []
    for index, part in enumerate(parts):
        if index % 2:  # re.split puts the digit runs at the odd places
            digits = part.lstrip("0")
            runs.append((len(digits), digits))
        else:
            runs.append(part)
    return tuple(runs), key


def cycle_cut(cycle: Sequence[int], rank: Callable[[int], Any]) -> int:
    """The member of a cycle whose parent link is cut: the one that ranks
    highest (``rank`` gives each member's :func:`key_rank`, with what tells
    apart two of one key)."""
    return max(cycle, key=rank)


def find_cycles(parent_of: Mapping[int, int | None]) -> list[tuple[int, ...]]:
    """Every cycle of parent links, each once.

    ``parent_of`` maps a comment to its parent (``None``, or a comment missing
    from the mapping, ends a walk).  It may hold only the part of a tree that
    can close a cycle; every cycle reachable from its keys is found.  Each
    cycle lists its members from where a walk up the links first met it,
    each followed by its parent; the cycles come in the order of the keys
    whose walk first meets them.
    """
    state: dict[int, int] = {}  # 1 = on the current walk, 2 = known acyclic
    cycles: list[tuple[int, ...]] = []
    for start in parent_of:
        walk: list[int] = []
        node: int | None = start
        while node is not None and node in parent_of and node not in state:
            state[node] = 1
            walk.append(node)
            node = parent_of[node]
        if node is not None and state.get(node) == 1:
            cycles.append(tuple(walk[walk.index(node):]))
        for member in walk:
            state[member] = 2
    return cycles


def cut_cycles(parent_of: Mapping[int, int | None], rank: Callable[[int], Any]) -> list[Cut]:
    """Find every cycle of parent links (see :func:`find_cycles`) and say
    where each is cut (see :func:`cycle_cut`).  Nothing is changed: the
    caller drops the links of the cut nodes."""
    return [Cut(cycle, cycle_cut(cycle, rank)) for cycle in find_cycles(parent_of)]


def cut_cycles_in_list(parents: list[int | None], keys: Sequence[str]) -> list[Cut]:
    """:func:`cut_cycles` on a thread's list of parent indexes and the
    comments' keys, in step, and the cut links dropped from it (each cut
    comment's parent becomes ``None``).  Two members of one key (a file may
    repeat one) rank in list order."""
    cuts = cut_cycles(dict(enumerate(parents)), lambda index: (key_rank(keys[index]), index))
    for cut in cuts:
        parents[cut.node] = None
    return cuts


def children_of(parents: Sequence[int | None]) -> list[list[int]]:
    """For each index, the indexes of its replies, in list order."""
    children: list[list[int]] = [[] for _ in parents]
    for index, parent in enumerate(parents):
        if parent is not None:
            children[parent].append(index)
    return children


def parents_first(
    parents: Sequence[int | None], children: Sequence[Sequence[int]] | None = None
) -> list[int]:
    """The indexes in tree order: each top-level comment in list order,
    followed by its replies depth first, siblings in list order.

    Every parent precedes its replies, a reply listed before its parent
    included.  The links must hold no cycle (see :func:`cut_cycles_in_list`):
    a comment on one would be left out.  ``children`` is
    :func:`children_of` ``(parents)`` when the caller has it already.
    """
    if children is None:
        children = children_of(parents)
    order: list[int] = []
    for root, parent in enumerate(parents):
        if parent is not None:
            continue
        stack = [root]
        while stack:
            index = stack.pop()
            order.append(index)
            stack.extend(reversed(children[index]))
    return order


def max_depth(parent_of: Mapping[int, int]) -> int:
    """The deepest reply level (0: no replies) of linked replies.

    ``parent_of`` holds linked replies alone: a top-level comment is depth 0
    and needs no entry.  Should a cycle have been left uncut, the walk stops
    rather than loop.
    """
    depth: dict[int, int] = {}
    best = 0
    limit = len(parent_of)
    for start in parent_of:
        walk = []
        node = start
        while node in parent_of and node not in depth:
            walk.append(node)
            node = parent_of[node]
            if len(walk) > limit:  # a cycle
                break
        base = depth.get(node, 0)
        for offset, member in enumerate(reversed(walk), start=1):
            depth[member] = base + offset
        if walk:
            best = max(best, depth[walk[0]])
    return best
