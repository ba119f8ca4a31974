"""Saved WordPress post pages (the HTML ``wp_list_comments()`` renders),
read only: for a discussion whose site gives no export, only its public
pages.

A file is one page; ``wp-page:DIR`` (or ``wp-page:'saved/*.html'``, or
a bare folder whose first page is WordPress's) reads a folder's pages as
one source, a post's comment pages joined in order;
a WARC file is read as the pages it holds."""

from __future__ import annotations

from .. import Format, imported_when_called

# The files of a folder that are pages.
FOLDER_FILES = (".html", ".htm")
# The reader (lxml.html, the markup rules) is loaded when a page is read or
# detected, not by every command that loads the registry.
detect = imported_when_called(f"{__name__}.reader", "detect")
read_wp_page = imported_when_called(f"{__name__}.reader", "read_wp_page")
read_wp_page_folder = imported_when_called(f"{__name__}.reader", "read_wp_page_folder")

FORMAT = Format(
    name="wp-page",
    description="saved WordPress post pages (HTML with the comment list, or a WARC "
                "of them; a folder of pages, or wp-page:DIR, is read as one source)",
    extensions=(),
    detect=detect,
    read=read_wp_page,
    read_location=read_wp_page_folder,
    folder_files=FOLDER_FILES,
)

__all__ = ["FORMAT", "detect", "read_wp_page", "read_wp_page_folder"]
