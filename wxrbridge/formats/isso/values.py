"""Isso's values and the neutral ones: dates, modes and the meta keys that
carry what the neutral records have no field for."""

from __future__ import annotations

from datetime import datetime, timezone

from ... import canonical

# Comment meta keys holding Isso columns the records have no field for.
META_MODIFIED = "isso_modified"
META_LIKES = "isso_likes"
META_DISLIKES = "isso_dislikes"
META_VOTERS = "isso_voters"
META_NOTIFICATION = "isso_notification"
META_CREATED = "isso_created"  # the exact float, when the ISO text rounds it
META_MODE = "isso_mode"  # a mode Isso does not define

# comment_approved values for Isso's modes (4, deleted, as WordPress's trash).
STATUS_OF_MODE = {1: "1", 2: "0", 4: "trash"}
MODE_OF_STATUS = {canonical.APPROVED: 1, canonical.PENDING: 2}
REMOVED = frozenset({canonical.SPAM, canonical.TRASH, canonical.POST_TRASHED, canonical.DELETED})


def epoch_text(value: float) -> tuple[str, bool]:
    """The UTC ISO text of an epoch float, and whether that text gives the
    float back exactly."""
    moment = datetime.fromtimestamp(value, timezone.utc)
    text = moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return text, moment.timestamp() == value


def utc_epoch(raw: str | None) -> float | None:
    """The epoch float of a raw UTC date (None: absent or not a date)."""
    try:
        parsed = canonical.parse_utc(raw)
    except ValueError:
        return None
    return None if parsed is None else parsed.replace(tzinfo=timezone.utc).timestamp()
