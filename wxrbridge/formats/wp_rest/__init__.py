"""WordPress REST API comment pages saved as files
(``/wp-json/wp/v2/comments?per_page=100&page=N``), read only: for a site
whose export is blocked but whose API is open.

A file is one page; ``wp-rest:DIR`` (or ``wp-rest:'pages/*.json'``) reads
a folder's pages as one source."""

from __future__ import annotations

from .. import Format, imported_when_called

detect = imported_when_called(f"{__name__}.reader", "detect")
read_wp_rest = imported_when_called(f"{__name__}.reader", "read_wp_rest")
read_wp_rest_pages = imported_when_called(f"{__name__}.reader", "read_wp_rest_pages")

FORMAT = Format(
    name="wp-rest",
    description="WordPress REST API comment pages (/wp/v2/comments JSON files; "
                "wp-rest:DIR reads a folder of pages as one source)",
    detect=detect,
    read=read_wp_rest,
    read_location=read_wp_rest_pages,
)

__all__ = ["FORMAT", "detect", "read_wp_rest", "read_wp_rest_pages"]
