"""Staticman comment folders (Jekyll ``_data/comments/<slug>/*.yml``, Hugo
``data/comments/<slug>/*.json``): read from a folder as ``staticman:DIR``,
and written as one (``export --format staticman -o SITE``)."""

from __future__ import annotations

from .. import Format, Option, imported_when_called

read_staticman = imported_when_called(f"{__name__}.reader", "read_staticman")
write_staticman = imported_when_called(f"{__name__}.writer", "write_staticman")

FORMAT = Format(
    name="staticman",
    description="Staticman comment folder (_data/comments/<slug>/<id>.yml or .json; "
                "staticman:DIR reads one)",
    read_location=read_staticman,
    write_folder=write_staticman,
    options=(
        Option("staticman_config", str,
               "A YAML or JSON field mapping for Staticman files, e.g. "
               "'{message: comment, format: json}' (default keys _id, name, email, url, "
               "message, date, replying_to).", metavar="FILE"),
    ),
)

__all__ = ["FORMAT", "read_staticman", "write_staticman"]
