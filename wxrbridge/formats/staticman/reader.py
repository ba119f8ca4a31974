"""Reading a Staticman comment folder: ``_data/comments/<slug>/*.yml``
(Jekyll) or ``data/comments/<slug>/*.json`` (Hugo), one comment a file.

Each ``<slug>`` folder is a thread; the files in it are read in name order
(Staticman names them by time).  The field mapping comes from
``.wxrbridge-staticman.yml`` (or ``.json``) in the folder given, when there
is one (see :mod:`.fields`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ... import canonical
from ...errors import InputError
from ...records import Comment, ImportIssue, Meta, Record, Source, Thread
from .fields import MAPPING_FILE, Fields, load_fields, parse_data

ORIGIN = "staticman"
SUFFIXES = (".yml", ".yaml", ".json")
# Where the comments are below a site's root, tried in turn.
_BELOW_ROOT = ("_data/comments", "data/comments")
# Meta key of a date given as Unix time, kept as written.
RAW_DATE = "staticman_date"
# Meta key of the file a comment was read from (its name without suffix).
FILE = "staticman_file"
# Prefix of the meta key of a field whose value is a list or a mapping,
# kept as JSON text.
STRUCTURED = "staticman_json:"


def comments_folder(location: str) -> Path:
    """The folder of per-thread folders a location names (a site's root
    holding ``_data/comments`` or ``data/comments``, or that folder)."""
    root = Path(location)
    if not root.is_dir():
        raise InputError("not a folder of Staticman comments", file=location)
    for below in _BELOW_ROOT:
        if (root / below).is_dir():
            return root / below
    return root


def _mapping(root: Path, folder: Path) -> Fields:
    for place in (root, folder):
        for name in (MAPPING_FILE, MAPPING_FILE.replace(".yml", ".json")):
            if (place / name).is_file():
                return load_fields(place / name)
    return Fields()


def read_staticman(location: str, *, recover: bool = False) -> Iterator[Record]:
    """Yield a :class:`Source` for the folder, then per thread folder a
    :class:`Thread` and its comments.  A file that does not parse is a
    one-line error; with ``recover``, it is left out and reported."""
    folder = comments_folder(location)
    mapping = _mapping(Path(location), folder)
    yield Source(origin=ORIGIN, site=f"staticman:{folder.resolve()}", name=location)
    position = 0
    for thread_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
        slug = thread_folder.name
        link = mapping.thread_url.format(slug=slug) if mapping.thread_url else None
        yield Thread(origin=ORIGIN, key=slug, slug=slug, link=link, title=None)
        for path in sorted(p for p in thread_folder.iterdir()
                           if p.is_file() and p.suffix.lower() in SUFFIXES):
            position += 1
            try:
                data = parse_data(path.read_text(encoding="utf-8"), path)
            except (InputError, UnicodeDecodeError) as exc:
                if not recover:
                    if isinstance(exc, InputError):
                        raise
                    raise InputError(f"not UTF-8: {exc.reason}", file=str(path)) from None
                yield ImportIssue(code="staticman-unreadable", severity="rejected",
                                  reason=f"a comment file that does not parse: {exc}",
                                  file=str(path))
                continue
            if not isinstance(data, dict):
                yield ImportIssue(code="staticman-unreadable", severity="rejected",
                                  reason="a comment file that holds no fields", file=str(path))
                continue
            yield _comment(data, path, slug, mapping, position)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def utc_text(raw: str | None) -> tuple[str | None, bool]:
    """A Staticman date as the store reads one: Unix time (Staticman's
    ``timestamp`` format, seconds or milliseconds) becomes ISO UTC text;
    the second value says it was converted."""
    if raw is None or not raw.strip().isdigit():
        return raw, False
    number = int(raw.strip())
    seconds = number / 1000 if number > 10**11 else number
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return canonical.format_utc_iso(moment), True


def _comment(data: dict[str, Any], path: Path, thread: str, mapping: Fields,
             position: int) -> Comment:
    keys = mapping.keys
    values = {name: _text(data.get(key)) for name, key in keys.items()}
    meta: list[Meta] = [
        (k, v) if isinstance(v, str) or v is None else (STRUCTURED + k, _text(v))
        for k, v in data.items() if k not in keys.values()
    ]
    created, converted = utc_text(values["date"])
    if converted:
        meta.append((RAW_DATE, values["date"]))
    key = values["id"] or path.stem
    meta.append((FILE, path.stem))
    return Comment(
        origin=ORIGIN, key=key, thread=thread, parent=values["parent"] or None,
        author_name=values["name"], author_email=values["email"], author_url=values["url"],
        created_at=created, content=values["message"], wp_approved="approved",
        wp_type="comment", meta=meta, position=position,
    )
