"""Writing comments as a Staticman folder: ``_data/comments/<slug>/<file>``
with one comment a file, so that a static site can show the comments it
had on WordPress or Disqus."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from ... import canonical
from ...outputs import complete_file
from ...records import Comment, Record, Thread
from .. import WriteReport
from .fields import Fields, load_fields
from .reader import FILE, ORIGIN, RAW_DATE, STRUCTURED

_UNSAFE = re.compile(r"[^\w.\-]+")


def write_staticman(
    records: Iterable[Record], folder: Path, /, *, staticman_config: str | None = None
) -> WriteReport:
    """Write each approved comment into its thread's folder; what is not
    written (other statuses, pings, IP addresses) is in the report."""
    import yaml  # type: ignore[import-untyped]  # loaded only when written

    mapping = load_fields(Path(staticman_config) if staticman_config else None)
    report = WriteReport()
    base = folder / "_data" / "comments"
    slugs: dict[str, str] = {}  # thread key -> folder name
    used: set[str] = set()
    folders: set[str] = set()  # the thread folders written into
    ips = 0
    for record in records:
        if isinstance(record, Thread):
            slug = _slug(record, used)
            used.add(slug)
            slugs[record.key] = slug
        elif isinstance(record, Comment):
            label = f"comment {record.key}"
            status, kind = canonical.comment_status(record), canonical.comment_type(record)
            if status != canonical.APPROVED:
                report.left_out.append(f"{label}: {status}; a Staticman site shows every file")
                continue
            if kind != "comment":
                report.left_out.append(f"{label}: a {kind}, which Staticman has no place for")
                continue
            place = slugs.get(record.thread)
            if place is None:
                report.left_out.append(f"{label}: its thread is not in the data")
                continue
            if record.author_ip:
                ips += 1
            data, name = _fields(record, mapping)
            target = base / place / f"{_safe(name)}.{mapping.format}"
            target.parent.mkdir(parents=True, exist_ok=True)
            if mapping.format == "json":
                text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            else:
                text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                      default_flow_style=False)
            # Each file appears only when whole: a full disk leaves no half file.
            with complete_file(target) as handle:
                handle.write(text.encode("utf-8"))
            report.written["comment"] += 1
            folders.add(place)
    report.written["thread"] = len(folders)
    if ips:
        report.notes.append(f"{ips} comments' IP addresses are not written (Staticman keeps none)")
    return report


def _slug(thread: Thread, used: set[str]) -> str:
    """The thread's folder: its slug, else the last part of its link's
    path, else its key; made unique."""
    path = urlsplit((thread.link or "").strip()).path.rstrip("/")
    last = path.rpartition("/")[2].removesuffix(".html")
    base = _safe((thread.slug or "").strip() or last or thread.key)
    slug, count = base, 1
    while slug in used:
        count += 1
        slug = f"{base}-{count}"
    return slug


def _safe(name: str) -> str:
    return _UNSAFE.sub("-", name).strip(".-") or "comment"


def _fields(comment: Comment, mapping: Fields) -> tuple[dict[str, object], str]:
    """The file's keys and values, and its name without suffix."""
    meta = dict(comment.meta) if comment.origin == ORIGIN else {}
    date = meta.pop(RAW_DATE, None) or (
        comment.created_at if comment.origin == ORIGIN else
        canonical.utc_iso(comment.created_at) or "")
    name = meta.pop(FILE, None) or f"comment-{comment.key}"
    values = {
        "id": comment.key, "name": comment.author_name or "",
        "email": comment.author_email or "", "url": comment.author_url or "",
        "message": comment.content or "", "date": date or "",
        "parent": canonical.parent_of(comment) or "",
    }
    data: dict[str, object] = {mapping.keys[field]: value for field, value in values.items()}
    for key, value in meta.items():
        if key.startswith(STRUCTURED):
            data.setdefault(key.removeprefix(STRUCTURED), json.loads(value or "null"))
        else:
            data.setdefault(key, value or "")
    return data, name

