"""Which id each comment of an item is written with, and in what order.

WordPress's importer sorts an item's comments by id and links a reply only
to a parent it has already inserted, i.e. one with a lower id in the same
item.  The plan keeps ids that already satisfy that and gives fresh ones,
above every id seen, to the comments that break it; the tree itself (parent
links, cycles, parents-first order) is :mod:`wxrbridge.threads`'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...canonical import parent_of, parent_reference, wp_id_in_identifier
from ...records import Comment, Meta, Thread
from ...threads import children_of, cut_cycles_in_list, parent_index, parents_first

ORIGINAL_ID_KEY = "_wxrbridge_original_id"
ORIGINAL_PARENT_KEY = "_wxrbridge_original_parent"

# PHP_INT_MAX on the 64-bit systems WordPress runs on.
WP_MAX_ID = 2**63 - 1

_DIGITS = re.compile(r"^\s*([0-9]+)\s*$")

PlannedComment = tuple[Comment, str | None, str | None, list[Meta]]
"""A comment as it is written: the comment, its written id, its written
parent (``comment_parent``) and meta the writer adds (the original id or
parent it replaced)."""


def numeric(raw: str | None) -> int | None:
    """The number an id stands for (WordPress casts it), or ``None``."""
    if raw is None:
        return None
    if raw.isdigit() and raw.isascii():
        # The usual id, answered without the expression.
        return int(raw)
    match = _DIGITS.match(raw)
    return int(match.group(1)) if match else None


def source_comment_id(comment: Comment) -> str | None:
    """The id a comment had in WordPress, as far as the record tells.

    A Disqus post imported from WordPress says ``wp_id=N``: it is comment N.
    """
    if comment.origin == "wxr":
        return comment.wp_id
    wp_id = wp_id_in_identifier(comment.dsq_identifier)
    if wp_id is not None:
        return wp_id
    return comment.wp_id if comment.wp_id is not None else comment.key


@dataclass
class CommentPlanner:
    """Plans the comments of one file's items; ids handed out in one item
    are not handed out again in another."""

    max_id: int
    keep_ids: bool
    parents_first: bool
    every_field: bool
    notes: list[str]
    issued: set[int] = field(default_factory=set, init=False)

    def plan(
        self, thread: Thread, comments: list[Comment]
    ) -> list[PlannedComment]:
        """Decide each comment's written id, parent and order.

        WordPress's importer sorts an item's comments by id and links a reply
        only to a parent it has already inserted, i.e. one with a lower id in
        the same item.  Ids that already satisfy that are kept as they are;
        otherwise the comments that break it get fresh ids above every id
        seen, and their replies point at the new ids.
        """
        count = len(comments)
        if not count:
            return []
        parents = parent_index((c.key for c in comments), map(parent_of, comments))
        broken = self._cut_cycles(parents, comments, thread)
        children = children_of(parents)
        order = parents_first(parents, children)

        raw_ids = [source_comment_id(c) for c in comments]
        numbers = [numeric(raw) for raw in raw_ids]
        # WordPress casts an id to a 64-bit integer: larger ones would all
        # become the same number.
        too_big = [n is not None and n > WP_MAX_ID for n in numbers]
        if any(too_big) and not self.keep_ids:
            numbers = [None if big else n for n, big in zip(numbers, too_big, strict=True)]
        else:
            too_big = [False] * count
        highest = max([self.max_id, *(n for n in numbers if n is not None)])
        final: list[int | None] = [None] * count
        renumbered = [False] * count
        taken: set[int] = set()
        for index in order:
            number = numbers[index]
            parent = parents[index]
            involved = parent is not None or bool(children[index])
            # A WXR file's own odd id is kept in an exact copy when nothing
            # depends on it; otherwise it gets a number, and so does a 0:
            # WordPress's importer casts the id to an integer and keys an
            # item's comments by it, so every odd id is 0, of two it keeps
            # the last only, and a comment it keeps as 0 becomes the parent
            # of every later one whose comment_parent is 0.
            keep = (number is not None and (number > 0 or self.keep_ids)) or (
                not involved and comments[index].origin == "wxr" and self.keep_ids
                and not too_big[index]
            )
            if number is not None:
                if number in taken or number in self.issued:
                    keep = False
                elif self.keep_ids:
                    keep = True
                elif parent is not None:
                    parent_number = final[parent]
                    keep = parent_number is not None and number > parent_number
            if keep:
                final[index] = number
            else:
                highest += 1
                final[index] = highest
                renumbered[index] = True
                self.issued.add(highest)
            written = final[index]
            if written is not None:
                taken.add(written)
        self.max_id = highest

        changed = [i for i in range(count) if renumbered[i]]
        if changed:
            shown = ", ".join(
                f"{raw_ids[i] if raw_ids[i] is not None else comments[i].key}->{final[i]}"
                for i in changed[:10]
            )
            more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
            self.notes.append(
                f"thread {thread.key}: comment ids renumbered so WordPress re-links every "
                f"reply ({shown}{more}); the old ids are kept in comment meta "
                f"{ORIGINAL_ID_KEY}"
            )
        reorder = bool(changed) or self.parents_first or thread.origin != "wxr"
        if reorder:
            sequence: Iterable[int] = order
        elif all(comment.position is not None for comment in comments):
            # Ids are kept, so the source's own order can be too, even when
            # the comments arrived parents first (as the store sends them).
            sequence = sorted(range(count), key=lambda i: comments[i].position or 0)
        else:
            sequence = range(count)
        plan: list[PlannedComment] = []
        for index in sequence:
            comment = comments[index]
            extra_meta: list[Meta] = []
            if renumbered[index]:
                comment_id: str | None = str(final[index])
                if not any(key == ORIGINAL_ID_KEY for key, _ in comment.meta):
                    extra_meta.append((ORIGINAL_ID_KEY, raw_ids[index] or comment.key))
            elif self.every_field:
                comment_id = str(final[index])
            else:
                comment_id = raw_ids[index]
            parent = parents[index]
            if index in broken:
                parent_text: str | None = "0"
                extra_meta.append((ORIGINAL_PARENT_KEY, comment.parent or ""))
            elif parent is not None:
                # The raw reference is kept when it still names the parent's
                # written id (so " 12 " stays " 12 ").
                keep_raw = (comment.origin == "wxr" and not self.every_field
                            and numeric(comment.parent) == final[parent])
                parent_text = comment.parent if keep_raw else str(final[parent])
            elif comment.origin == "wxr":
                parent_text = comment.parent
                if self.every_field and parent_text is not None and not parent_text.strip():
                    parent_text = "0"  # an empty <comment_parent/>: top level
            else:
                # A parent missing from the data is named by its Disqus id,
                # which WordPress would take for one of its own comment ids
                # (and might find): the reply goes to the top level and the
                # reference is kept in meta.
                parent_text = "0"
                if parent_reference(comment) is not None:
                    extra_meta.append((ORIGINAL_PARENT_KEY, comment.parent or ""))
            plan.append((comment, comment_id, parent_text, extra_meta))
        return plan

    def _cut_cycles(
        self, parents: list[int | None], comments: list[Comment], thread: Thread
    ) -> set[int]:
        """Cut every cycle of parent links by the rule of
        :func:`wxrbridge.threads.cycle_cut` (at the comment of the greatest
        key, which becomes top level), and note each."""
        broken: set[int] = set()
        for cut in cut_cycles_in_list(parents, [c.key for c in comments]):
            broken.add(cut.node)
            keys = " -> ".join(comments[i].key for i in cut.cycle)
            self.notes.append(
                f"thread {thread.key}: comments {keys} reply to each other in a"
                f" cycle; comment {comments[cut.node].key} is written as top level"
                f" (its parent kept in comment meta {ORIGINAL_PARENT_KEY})"
            )
        return broken
