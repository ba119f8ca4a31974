"""WordPress's own database, read and written straight (``wp:URL``).

For a site too big to export, or whose importer loses comments: posts,
comments, comment meta and accounts are read from the tables WordPress
keeps, and comments are written into a live site in one transaction,
matched to its posts, threaded and linked to its accounts.  The mapping
both ways is in ``docs/formats.md``.
"""

from __future__ import annotations

from .. import Format, Option, imported_when_called

read_wp_db = imported_when_called(f"{__name__}.reader", "read_wp_db")
write_wp_db = imported_when_called(f"{__name__}.writer", "write_wp_db")

FORMAT = Format(
    name="wp-db",
    description="a WordPress database, read and written straight "
                "(wp:URL, URL its SQLAlchemy URL; ?prefix=wp_&blog=N)",
    read_location=read_wp_db,
    write_location=write_wp_db,
    scheme="wp",
    options=(
        Option("create_posts", bool, "Make a post for a thread the site has none for, "
               "instead of skipping its comments."),
        Option("dry_run", bool, "Match and count what would be written, then roll back."),
        Option("url_map", str, "Old and new URL prefix per line, for a blog that moved "
               "domain, used to match threads to posts.", metavar="FILE"),
    ),
)

__all__ = ["FORMAT", "read_wp_db", "write_wp_db"]
