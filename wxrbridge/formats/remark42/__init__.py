"""Remark42's backup: gzip-compressed JSON lines, the site's users and
posts on the first line, then one comment a line."""

from __future__ import annotations

from .. import TARGET_PATH_OPTION, Format, Option, imported_when_called

detect = imported_when_called(f"{__name__}.reader", "detect")
read_remark42 = imported_when_called(f"{__name__}.reader", "read_remark42")
write_remark42 = imported_when_called(f"{__name__}.writer", "write_remark42")

FORMAT = Format(
    name="remark42",
    description="Remark42 backup (gzip JSON lines, what remark42 backup writes and restore takes)",
    extensions=(".remark42.gz", ".remark42"),
    detect=detect,
    read=read_remark42,
    write_stream=write_remark42,
    options=(
        Option("site_id", str, "The Remark42 site ID (its SITE setting) to write in every "
               "comment's locator; default: the backup's own, else 'remark'. "
               "Example: --site-id blog", metavar="ID"),
        Option(TARGET_PATH_OPTION, str, "The path the output will have: a name ending in "
               ".gz is written gzip-compressed.", cli=False),
    ),
)

__all__ = ["FORMAT", "detect", "read_remark42", "write_remark42"]
