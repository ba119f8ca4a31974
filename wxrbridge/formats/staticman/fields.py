"""Which key of a Staticman data file holds which comment field.

Staticman writes the fields a site's ``staticman.yml`` lists; the common
ones are the defaults below.  A mapping file (YAML or JSON) changes any of
them, e.g. ``{message: comment, parent: reply_to}``, and may give
``thread_url``, a pattern such as ``https://example.com/{slug}/`` for the
link of each folder's page, and ``format``, ``yml`` or ``json``, for the
files a writer makes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ...errors import InputError

MAPPING_FILE = ".wxrbridge-staticman.yml"


@dataclass(frozen=True)
class Fields:
    id: str = "_id"
    name: str = "name"
    email: str = "email"
    url: str = "url"
    message: str = "message"
    date: str = "date"
    parent: str = "replying_to"
    thread_url: str | None = None
    format: str = "yml"

    @property
    def keys(self) -> dict[str, str]:
        """Field -> the file's key, for the fields a comment has."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("thread_url", "format")}


def parse_data(text: str, path: Path) -> object:
    """A data file's content: JSON for ``.json``, else YAML with every
    scalar as the text written (Staticman's dates and numbers stay as
    they are)."""
    import yaml  # type: ignore[import-untyped]  # loaded only for Staticman data

    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 (BaseLoader builds no objects)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", file=str(path), line=exc.lineno,
                         column=exc.colno) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InputError(f"not YAML: {exc.problem}", file=str(path),
                         line=mark.line + 1 if mark else None,
                         column=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not YAML: {exc}", file=str(path)) from None


def load_fields(path: Path | None) -> Fields:
    """The defaults, changed by the mapping file at ``path`` if given."""
    if path is None:
        return Fields()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the field mapping: {exc.strerror}", file=str(path)) from None
    given = parse_data(text, path)
    known = {f.name for f in fields(Fields)}
    if not isinstance(given, dict) or not set(given) <= known or not all(
        isinstance(v, str) for v in given.values()
    ):
        raise InputError(
            f"a field mapping maps some of {', '.join(sorted(known))} to a key (text)",
            file=str(path),
        )
    mapping = replace(Fields(), **given)
    if mapping.format not in ("yml", "json"):
        raise InputError("format is yml or json", file=str(path))
    return mapping
