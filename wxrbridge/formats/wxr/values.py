"""The values an item is written with: a WXR record's as they came, another
format's derived through :mod:`wxrbridge.canonical` as core would write them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ...canonical import dsq_bool, format_wxr_date, parse_utc, post_id_in_identifier
from ...records import Comment, Thread
from .header import Field, rfc822
from .names import CONTENT_ANCHOR, CONTENT_NS, DC_NS, EXCERPT_ANCHOR
from .plan import numeric

# Post meta that keeps a post id the writer replaced (see ItemValues.own_post_id).
ORIGINAL_POST_ID_KEY = "_wxrbridge_original_post_id"


class ItemValues:
    """Derives items' fields; numbers the posts that have no numeric id
    above every post id seen."""

    def __init__(self, every_field: bool, notes: list[str], keep_ids: bool = False) -> None:
        self.every_field = every_field
        self.keep_ids = keep_ids
        self.notes = notes
        self.max_post_id = 0
        # Every post id written: WordPress's importer skips an item whose id
        # an earlier one had, with its comments.
        self.post_ids: set[int] = set()
        # Items written as posts for want of a type, and with a date for
        # want of one (see thread).
        self.typed = 0
        self.dated = 0
        # Padded values of WordPress's own fields written trimmed (see trim).
        self.trimmed = 0
        # Set once the header is chosen (see header.Header).
        self.wp = ""
        self.excerpt = ""

    def thread(
        self, thread: Thread, comments: Sequence[Comment] = ()
    ) -> tuple[list[Field], str | None, str | None]:
        """The item's fields (``Field``s in core's order), its guid's
        ``isPermaLink`` and the post id written in place of the item's own,
        if one was (see own_post_id).  ``comments`` are the item's, whose
        earliest date dates an item that has none."""
        wp = self.wp
        t = thread
        if t.origin == "wxr":
            post_id = t.wp_post_id
            post_date, post_date_gmt = t.created_at_local, t.created_at
            modified, modified_gmt = t.modified_at_local, t.modified_at
            pub_date, guid, permalink = t.pub_date, t.guid, t.guid_is_permalink
            post_number = numeric(post_id)
            if post_number is not None:
                self.max_post_id = max(self.max_post_id, post_number)
            post_type, status = t.post_type, t.status
            if post_number is None and not self.keep_ids and not (post_id or "").strip():
                # An item of the WXR written for Disqus's importer: WordPress
                # needs a post id, a post type and a date to keep it.
                post_id = self.post_id(t)
                post_type = post_type if post_type is not None else "post"
                status = status if status is not None else "publish"
                if post_date is None:
                    post_date = post_date_gmt
            statuses: tuple[str | None, ...] = (t.comment_status, t.ping_status, status)
            numbers: tuple[str | None, ...] = (t.post_parent, t.menu_order, t.is_sticky)
            strings: tuple[str | None, ...] = (
                t.title, t.link, t.creator, t.description, t.content, t.excerpt, t.slug,
                post_type, t.post_password,
            )
        else:
            post_id = self.post_id(t)
            created = self.utc(t.created_at, f"thread {t.key}", "created_at")
            changed = self.utc(t.modified_at, f"thread {t.key}", "modified_at") or created
            post_date_gmt = format_wxr_date(created)
            post_date = t.created_at_local or post_date_gmt
            modified_gmt = format_wxr_date(changed)
            modified = t.modified_at_local or modified_gmt
            pub_date = t.pub_date or (rfc822(created) if created else "")
            guid = t.guid or t.link or ""
            permalink = t.guid_is_permalink or "false"
            closed = dsq_bool(t.dsq_is_closed, False)
            deleted = dsq_bool(t.dsq_is_deleted, False)
            statuses = (t.comment_status or ("closed" if closed else "open"),
                        t.ping_status or "closed",
                        t.status or ("trash" if deleted else "publish"))
            numbers = (t.post_parent or "0", t.menu_order or "0", t.is_sticky or "0")
            strings = (t.title or "", t.link or "", t.creator or "", t.description or "",
                       t.content or "", t.excerpt or "", t.slug or "", t.post_type or "post",
                       t.post_password or "")
        if self.every_field:
            post_id, post_date, post_date_gmt, modified, modified_gmt, pub_date, guid = (
                "" if value is None else value
                for value in (post_id, post_date, post_date_gmt, modified, modified_gmt,
                              pub_date, guid)
            )
            statuses = tuple("" if value is None else value for value in statuses)
            numbers = tuple("0" if value is None else value for value in numbers)
            strings = tuple("" if value is None else value for value in strings)
        title, link, creator, description, content, excerpt, slug, post_type, password = (
            strings
        )
        if not self.keep_ids:
            trimmed = self.trim((post_id, post_date, post_date_gmt, post_type, *statuses,
                                 *numbers))
            post_id, post_date, post_date_gmt, post_type = trimmed[:4]
            statuses, numbers = trimmed[4:7], trimmed[7:]
        replaced: str | None = None
        if not self.keep_ids:
            post_id, replaced = self.own_post_id(post_id, t.key)
            if t.origin == "wxr" and not (post_type or "").strip():
                # WordPress's importer skips an item of no known type.
                post_type = "post"
                self.typed += 1
            if t.origin == "wxr" and not (post_date or "").strip():
                # Its post_exists would take an undated item for any earlier
                # post of the same title.
                date = (post_date_gmt or "").strip() or _earliest(comments)
                if date:
                    post_date = date
                    self.dated += 1
        values = [
            ("title", "title", title, True),
            ("link", "link", link, False),
            ("pubDate", "pubDate", pub_date, False),
            ("creator", f"{{{DC_NS}}}creator", creator, True),
            ("guid", "guid", guid, False),
            ("description", "description", description, False),
            (CONTENT_ANCHOR, f"{{{CONTENT_NS}}}encoded", content, True),
            (EXCERPT_ANCHOR, self.excerpt, excerpt, True),
            ("post_id", wp + "post_id", post_id, False),
            ("post_date", wp + "post_date", post_date, True),
            ("post_date_gmt", wp + "post_date_gmt", post_date_gmt, True),
            ("post_modified", wp + "post_modified", modified, True),
            ("post_modified_gmt", wp + "post_modified_gmt", modified_gmt, True),
            ("comment_status", wp + "comment_status", statuses[0], True),
            ("ping_status", wp + "ping_status", statuses[1], True),
            ("post_name", wp + "post_name", slug, True),
            ("status", wp + "status", statuses[2], True),
            ("post_parent", wp + "post_parent", numbers[0], False),
            ("menu_order", wp + "menu_order", numbers[1], False),
            ("post_type", wp + "post_type", post_type, True),
            ("post_password", wp + "post_password", password, True),
            ("is_sticky", wp + "is_sticky", numbers[2], False),
            ("attachment_url", wp + "attachment_url", t.attachment_url, True),
        ]
        return values, permalink, replaced

    def own_post_id(self, post_id: str | None, key: str) -> tuple[str | None, str | None]:
        """``post_id``, or a fresh one above every post id seen when an
        earlier item was written with the same (WordPress's importer would
        skip this item and its comments), with the id it replaces."""
        number = numeric(post_id)
        if number is None or number == 0:
            return post_id, None
        if number not in self.post_ids:
            self.post_ids.add(number)
            # Kept above every id written, so that a fresh one is one step,
            # not a look through them all.
            self.max_post_id = max(self.max_post_id, number)
            return post_id, None
        fresh = self.max_post_id + 1
        self.max_post_id = fresh
        self.post_ids.add(fresh)
        self.notes.append(
            f"thread {key}: post id {number} is an earlier item's too, and WordPress's importer"
            f" would skip this item with its comments; written as post {fresh}, the old id"
            f" kept in post meta {ORIGINAL_POST_ID_KEY}"
        )
        return str(fresh), post_id

    def counted_notes(self) -> list[str]:
        """The notes that count what was added or trimmed for WordPress's
        importer, once the items are written."""
        notes = []
        if self.typed:
            notes.append(
                f"{self.typed} items had no post_type: written as posts, since"
                " WordPress's importer skips an item of no known type with its comments"
            )
        if self.dated:
            notes.append(
                f"{self.dated} items had no post_date: written with their GMT date, else"
                " their first comment's, since WordPress's importer takes an undated item for"
                " any earlier post of the same title"
            )
        trimmed = self.trimmed
        if trimmed:
            notes.append(
                f"{trimmed} padded {'value' if trimmed == 1 else 'values'} of ids, parents,"
                " types, statuses, user ids or dates written trimmed, since WordPress's"
                " importer does not trim them and would drop the posts and comments"
            )
        return notes

    def trim(self, values: tuple[str | None, ...]) -> tuple[str | None, ...]:
        """``values`` without the whitespace around them, each trimmed one
        counted: WordPress's importer takes ids, types, statuses and dates as
        they are, and drops a post whose type is " post " or whose date is
        padded, with its comments.  Only for fields that are never text."""
        return self.count_trimmed(
            values, tuple(None if value is None else value.strip() for value in values))

    def count_trimmed(
        self, values: tuple[str | None, ...], out: tuple[str | None, ...]
    ) -> tuple[str | None, ...]:
        """``out``, ``values`` with some trimmed (see trim), each value it
        changes counted."""
        if out != values:
            self.trimmed += sum(new != old for new, old in zip(out, values, strict=True))
        return out

    def post_id(self, thread: Thread) -> str:
        """A numeric post id for a thread from another format."""
        for candidate in (thread.wp_post_id, thread.key):
            number = numeric(candidate)
            if number is not None:
                self.max_post_id = max(self.max_post_id, number)
                return str(number)
        if thread.identifier:
            post_id = post_id_in_identifier(thread.identifier)
            if post_id is not None:
                return post_id
        self.max_post_id += 1
        self.notes.append(
            f"thread {thread.key}: no numeric post id; written as {self.max_post_id}"
            + (", a published post" if thread.origin == "wxr" and thread.post_type is None
               else "")
        )
        return str(self.max_post_id)

    def utc(self, raw: str | None, label: str, what: str) -> datetime | None:
        """A date from another format, or ``None`` (noted) where the text is
        not a date."""
        try:
            return parse_utc(raw)
        except ValueError:
            self.notes.append(f"{label}: {what} {raw!r} is not a date; written as zero")
            return None


def _earliest(comments: Sequence[Comment]) -> str | None:
    """The earliest local date among ``comments`` (WXR dates sort as text)."""
    dates = [d.strip() for d in (c.created_at_local or c.created_at for c in comments)
             if d and d.strip()]
    return min(dates) if dates else None
