"""Saved WordPress post pages (the HTML ``wp_list_comments()`` renders),
read only: for a discussion whose site gives no export, only its public
pages.

A file is one page; ``wp-page:DIR`` (or ``wp-page:'saved/*.html'``) reads
a folder's pages as one source, a post's comment pages joined in order;
a WARC file is read as the pages it holds."""

from __future__ import annotations

from .. import Format
from .reader import detect, read_wp_page, read_wp_page_folder

FORMAT = Format(
    name="wp-page",
    description="saved WordPress post pages (HTML with the comment list, or a WARC "
                "of them; wp-page:DIR reads a folder of pages as one source)",
    extensions=(),
    detect=detect,
    read=read_wp_page,
    read_location=read_wp_page_folder,
)

__all__ = ["FORMAT", "detect", "read_wp_page", "read_wp_page_folder"]
