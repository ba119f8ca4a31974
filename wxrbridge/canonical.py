"""Canonical values derived from the raw text a source wrote.

The store keeps the raw text for round trips and these canonical values for
queries, statistics and conversion between formats.  Each rule lives here
once, so readers, the store and writers cannot disagree about it.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:  # records cost a command that only starts (--help) a fifth of its start-up
    from .records import Comment

APPROVED = "approved"
PENDING = "pending"
SPAM = "spam"
TRASH = "trash"
POST_TRASHED = "post-trashed"
DELETED = "deleted"
STATUSES = (APPROVED, PENDING, SPAM, TRASH, POST_TRASHED, DELETED)

# comment_approved values WordPress writes, and what they mean.
_WP_STATUS = {"1": APPROVED, "approve": APPROVED, "0": PENDING, "hold": PENDING,
              "spam": SPAM, "trash": TRASH, "post-trashed": POST_TRASHED}

# The comment_approved value WordPress stores for each status (Disqus's
# deleted is its trash).
_WP_APPROVED = {APPROVED: "1", PENDING: "0", SPAM: "spam", TRASH: "trash",
                POST_TRASHED: "post-trashed", DELETED: "trash"}

WXR_ZERO_DATE = "0000-00-00 00:00:00"


def wp_status(raw: str | None) -> str:
    """Canonical status of a WXR ``comment_approved`` value.

    Unknown values (plugins add their own) are kept as they are, stripped.
    A missing element is what WordPress's importer would make of it: pending.
    """
    if raw is None:
        return PENDING
    value = raw.strip()
    return _WP_STATUS.get(value, value)


def wp_approved(status: str) -> str:
    """The comment_approved value for a status (an unknown one as it is)."""
    return _WP_APPROVED.get(status, status)


def wp_type(raw: str | None) -> str:
    """Canonical type of a WXR ``comment_type``: ``''`` and ``comment`` agree."""
    value = (raw or "").strip()
    return value or "comment"


def dsq_bool(raw: str | None, default: bool) -> bool | None:
    """A Disqus boolean; ``None`` when the text is neither true nor false."""
    if raw == "false":  # as Disqus writes them, nearly always
        return False
    if raw == "true":
        return True
    if raw is None:
        return default
    value = raw.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    if value == "":
        return default
    return None


def dsq_status(comment: Comment) -> str:
    """Canonical status of a Disqus post from its flags.

    Spam wins over deleted, and deleted over unapproved, because that is the
    order in which a moderator would want them kept apart.
    """
    if dsq_bool(comment.dsq_is_spam, False):
        return SPAM
    if dsq_bool(comment.dsq_is_deleted, False):
        return DELETED
    if dsq_bool(comment.dsq_is_approved, True) is False:
        return PENDING
    return APPROVED


def comment_status(comment: Comment) -> str:
    if comment.origin == "disqus":
        return dsq_status(comment)
    return wp_status(comment.wp_approved)


def comment_type(comment: Comment) -> str:
    if comment.origin == "disqus":
        return "comment"
    return wp_type(comment.wp_type)


def parent_reference(comment: Comment) -> str | None:
    """The key the parent reference points at, or ``None`` at top level.

    WXR writes ``0`` for "no parent"; whitespace around the number is not part
    of it (WordPress casts it with ``(int)``).
    """
    raw = comment.parent
    if raw is None:
        return None
    value = raw.strip()
    if comment.origin == "wxr":
        return None if value in ("", "0") else value
    return value or None


def parent_of(comment: Comment) -> str | None:
    """The key of a comment's parent: the one the store resolved, else the
    raw reference (a stream straight from a reader, or a parent that is
    missing, whose raw id is kept)."""
    if comment.parent_key is not None:
        return comment.parent_key
    return parent_reference(comment)


def site_user_id(raw: str | None) -> str | None:
    """The site user a WXR ``comment_user_id`` (or ``author_id``) names, or
    ``None``: blank and ``0`` mean a guest."""
    value = (raw or "").strip()
    return None if value in ("", "0") else value


def parse_utc(raw: str | None) -> datetime | None:
    """Parse a UTC date as WXR (``2024-01-02 03:04:05``) or Disqus
    (``2024-01-02T03:04:05Z``, the ``Z`` optional) writes it.

    Returns a naive datetime in UTC, or ``None`` for an absent, empty or
    zero date.  Raises ``ValueError`` for text that is not a date.
    """
    if raw is None:
        return None
    value = raw.strip()
    if not value or value == WXR_ZERO_DATE:
        return None
    if value.endswith(("Z", "z")):
        value = value[:-1]
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def format_utc_iso(value: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ``, the form used in JSON Lines and Disqus."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_iso(raw: str | None, *, not_a_date: str | None = None) -> str | None:
    """``raw``, a UTC date as WXR or Disqus writes it, in the ISO form of
    :func:`format_utc_iso` (None for an absent or zero date), or
    ``not_a_date`` when the text is not a date."""
    usual = usual_utc_text(raw)
    if usual is not None and usual[0] != "0":
        # The same text without a datetime in between (strftime writes a
        # year below 1000 unpadded: those go the long way).
        return f"{usual[:10]}T{usual[11:]}Z"
    try:
        return format_utc_iso(parse_utc(raw))
    except ValueError:
        return not_a_date


def format_wxr_date(value: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM:SS``, the year in four digits as MySQL writes it."""
    return WXR_ZERO_DATE if value is None else value.isoformat(" ", "seconds")


def usual_utc_text(raw: str | None) -> str | None:
    """``format_wxr_date(parse_utc(raw))`` for a date in the usual form,
    WXR's ``2024-01-02 03:04:05`` or Disqus's ``2024-01-02T03:04:05Z``, in
    a fraction of the time; ``None`` for anything else, which parse_utc
    has to look at."""
    if (
        raw is not None
        and (len(raw) == 19 or (len(raw) == 20 and raw[19] in "Zz"))
        and raw[4] == raw[7] == "-" and raw[13] == raw[16] == ":"
        and raw != WXR_ZERO_DATE
    ):
        try:
            datetime.fromisoformat(raw[:19])
        except ValueError:
            return None
        return f"{raw[:10]} {raw[11:19]}"
    return None


# Identity: how a record of one format names the same thing in another.
_POST_ID = re.compile(r"^\s*([0-9]+)(?:\s|$)")
_WP_ID = re.compile(r"^\s*wp_id=([0-9]+)\s*$")


def post_id_in_identifier(identifier: str | None) -> str | None:
    """N from the WordPress plugin's ``"N url"`` thread identifier."""
    match = _POST_ID.match(identifier or "")
    return match.group(1) if match else None


def wp_id_in_identifier(identifier: str | None) -> str | None:
    """N from the ``"wp_id=N"`` identifier a Disqus post of a WordPress
    comment carries."""
    match = _WP_ID.match(identifier or "")
    return match.group(1) if match else None


def normalise_url(url: str | None) -> str | None:
    """A URL reduced to what identifies a page: host without ``www.`` and
    path without a trailing slash; the query is kept, the scheme is not."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def post_id_in_url(url: str | None) -> str | None:
    """N from a WordPress ``?p=N`` link."""
    if not url:
        return None
    values = parse_qs(urlsplit(url.strip()).query).get("p")
    return values[0] if values and values[0].isdigit() else None


_TAG = re.compile(r"<[^>]*>")


def comment_fingerprint(
    author: str | None, created_at: datetime | None, content: str | None
) -> tuple[str, str, str] | None:
    """What makes two exports' comments the same comment when no id says so
    (a Blogger comment and the copy a Blogger-to-WordPress importer made of
    it): the author's name, the UTC time to the second and the text, each
    with case, spacing, markup and entities set aside (the text compared
    without spaces).  ``None`` for a
    comment without a date, which is too weak to match on."""
    if created_at is None:
        return None
    # Without its spacing at all: markup taken out may leave a space
    # ("<em>north</em>?") or join two words ("<p>a</p><p>b</p>").
    text = "".join(html.unescape(_TAG.sub(" ", content or "")).split()).casefold()
    name = " ".join((author or "").split()).casefold()
    return name, created_at.replace(microsecond=0).isoformat(), text


def utc_or_none(raw: str | None) -> datetime | None:
    """:func:`parse_utc`, with ``None`` for text that is not a date."""
    try:
        return parse_utc(raw)
    except ValueError:
        return None
