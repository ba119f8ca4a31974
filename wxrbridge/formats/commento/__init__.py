"""Commento's (and Commento++'s) export: one gzip-compressed JSON document
of a domain's comments and commenters."""

from __future__ import annotations

from .. import Format, Option, imported_when_called

detect = imported_when_called(f"{__name__}.reader", "detect")
read_commento = imported_when_called(f"{__name__}.reader", "read_commento")
write_commento = imported_when_called(f"{__name__}.writer", "write_commento")

FORMAT = Format(
    name="commento",
    description="Commento / Commento++ export (gzip JSON, what its Import from Commento takes)",
    extensions=(".commento.json.gz", ".commento.gz"),
    detect=detect,
    read=read_commento,
    write_stream=write_commento,
    options=(
        Option("domain", str, "The Commento domain to write on every comment; default: the "
               "export's own, else each thread link's host. Example: --domain blog.example.com",
               metavar="DOMAIN"),
    ),
)

__all__ = ["FORMAT", "detect", "read_commento", "write_commento"]
