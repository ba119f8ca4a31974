"""What WordPress's importer will keep of the items as they are written.

The wordpress-importer plugin skips an item whose post type WordPress does
not know, with its comments.  It takes an item for a post already in the
site when one has the same title and date (``post_exists``, each only when
given) and the same type, and adds the item's comments to that post; there,
and only there, it skips a comment whose author and date equal a comment's
already in the site (``comment_exists``, over every post), and a reply whose
parent it skipped keeps the old parent id, which names another comment or
none.  The default WXR export avoids what it can without changing the data
(see values.py: a post id of its own for every item, a type and a date where
the item had none); :class:`ImporterCheck` follows the rest item by item, as
the importer will, and names every comment it will skip or move, before the
user imports.

It knows only the file: a post or comment already in the target site can
match too.  Titles and authors are compared as MariaDB's default collation
compares them, approximately (case, accents and trailing spaces aside).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from ...records import Comment
from .plan import PlannedComment, numeric

# The post types WordPress registers by itself (6.x); a plugin can add more.
CORE_POST_TYPES = frozenset({
    "post", "page", "attachment", "revision", "nav_menu_item", "custom_css",
    "customize_changeset", "oembed_cache", "user_request", "wp_block", "wp_template",
    "wp_template_part", "wp_global_styles", "wp_navigation", "wp_font_family",
    "wp_font_face",
})

# How many comments one note names before it counts the rest.
_NAMED = 10


def collated(text: str) -> str:
    """``text`` as the database compares it: trailing spaces, case and
    accents aside."""
    if text.isascii():
        return text.rstrip().lower()
    decomposed = unicodedata.normalize("NFKD", text.rstrip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _named(labels: Sequence[str]) -> str:
    shown = ", ".join(labels[:_NAMED])
    more = len(labels) - _NAMED
    return shown + (f" and {more} more" if more > 0 else "")


class ImporterCheck:
    """Follows one file's items through the importer's rules for what it
    keeps; each comment it would skip or move is named in ``notes``."""

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes
        # The first post of each (title, date, type), (date, type), (title,
        # type) and type: post_exists asks by the fields it is given.
        self.posts: dict[tuple[str | None, str | None, str], str] = {}
        # Each comment's (author, date) in the site so far, by hash: only a
        # note depends on it.
        self.comments: set[int] = set()

    def item(
        self,
        thread: str,
        title: str | None,
        date: str | None,
        post_type: str | None,
        status: str | None,
        plan: Sequence[PlannedComment],
    ) -> None:
        """Follow one item as written (its title, post date, type and
        status, and its comments as planned)."""
        kind = (post_type or "").strip()
        if kind not in CORE_POST_TYPES:
            if plan:
                self.notes.append(
                    f"thread {thread}: post type {kind!r} is not one WordPress registers by"
                    f" itself; its importer skips the item with its {len(plan)} comments"
                    " unless a plugin registers the type first"
                )
            return
        if (status or "").strip() == "auto-draft" or kind == "nav_menu_item":
            if plan:
                what = "a menu item" if kind == "nav_menu_item" else "an auto-draft"
                self.notes.append(
                    f"thread {thread}: WordPress's importer makes no post of {what}, and"
                    f" skips its {len(plan)} comments"
                )
            return
        if kind == "attachment" and plan:
            self.notes.append(
                f"thread {thread}: WordPress's importer keeps an attachment, and its"
                f" {len(plan)} comments, only when it downloads the file (its option to"
                " import file attachments, and the file still online)"
            )
        self._unknown_parents(thread, plan)
        # WordPress trims a title both as it saves it and as it asks.
        title_key = collated(title.strip()) if title and title.strip() else None
        date_key = date.strip() if date and date.strip() else None
        merged_into = self.posts.get((title_key, date_key, kind))
        if merged_into is None:
            for key in ((title_key, date_key, kind), (None, date_key, kind),
                        (title_key, None, kind), (None, None, kind)):
                self.posts.setdefault(key, thread)
        # The importer's order: by comment id.
        ordered = sorted(plan, key=lambda p: numeric(p[1]) or 0)
        if merged_into is None:
            for comment, _cid, _parent, _meta in ordered:
                self.comments.add(self._mark(comment))
            return
        self._merged(thread, merged_into, title_key is not None, date_key is not None, ordered)

    def _unknown_parents(self, thread: str, plan: Sequence[PlannedComment]) -> None:
        """Note the replies whose parent the item does not hold: the importer
        keeps the number as their parent, which in the site names another
        comment or none."""
        ids = {(cid or "").strip() for _c, cid, _p, _m in plan}
        orphans = [
            f"{comment.key} (parent {parent.strip()})" for comment, _cid, parent, _m in plan
            if parent is not None and (numeric(parent) or 0) and parent.strip() not in ids
        ]
        if orphans:
            self.notes.append(
                f"thread {thread}: {len(orphans)} replies to a comment not in the data; WordPress's"
                " importer keeps that number as their parent, which in the site names another"
                f" comment or none: {_named(orphans)}"
            )

    @staticmethod
    def _mark(comment: Comment, asked: bool = False) -> int:
        """The (author, date) a comment is known by in the site, or with
        ``asked`` the one comment_exists looks for: the site saved the
        author trimmed, the question keeps a leading space."""
        author = comment.author_name or ""
        date = (comment.created_at_local or comment.created_at or "").strip()
        return hash((collated(author.rstrip() if asked else author.strip()), date))

    def _merged(
        self, thread: str, into: str, by_title: bool, by_date: bool,
        ordered: Sequence[PlannedComment],
    ) -> None:
        """Note what happens to the comments of an item the importer takes
        for an earlier post."""
        same = " and ".join(
            [*(["title"] if by_title else []), *(["date"] if by_date else []), "post type"])
        message = (
            f"thread {thread}: WordPress's importer takes it for thread {into} (same {same})"
            " and does not import it as a post of its own"
        )
        if not ordered:
            self.notes.append(message)
            return
        skipped: set[str] = set()
        skipped_labels: list[str] = []
        orphaned: list[str] = []
        moved = 0
        for comment, cid, parent, _meta in ordered:
            label = comment.key
            if self._mark(comment, asked=True) in self.comments:
                skipped.add((cid or "").strip())
                skipped_labels.append(label)
                continue
            self.comments.add(self._mark(comment))
            moved += 1
            if parent is not None and parent.strip() in skipped:
                orphaned.append(label)
        message += f"; of its {len(ordered)} comments, {moved} are added to thread {into}"
        if skipped_labels:
            message += (
                f", {len(skipped_labels)} skipped as duplicates (a comment of the same author"
                f" and date is already there): {_named(skipped_labels)}"
            )
        if orphaned:
            message += (
                f"; {len(orphaned)} replies to a skipped comment keep its old id as parent,"
                f" which names another comment or none: {_named(orphaned)}"
            )
        self.notes.append(message)
