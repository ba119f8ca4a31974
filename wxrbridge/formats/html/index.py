"""The archive's order: the index, the listing pages, and the links from
each thread page to the threads before and after it.

Threads arrive in the store's order, but a reader looks for them by date.
Each thread page is written to a staging file as soon as its comments
are in, with a mark where its navigation goes; its index row waits in a
private temporary SQLite database, indexed by its sort key, so that nothing
held in memory grows with the number of threads.  At the end the rows are
read back in date order, grouped by year into listing
pages of at most :data:`PER_PAGE` threads, and each staged page gets its
"back to the listing", "previous thread" and "next thread" links and moves
into place, hashed into the manifest.
"""

from __future__ import annotations

import html
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any
from urllib.parse import quote

from jinja2 import Environment, Template
from jinja2.filters import do_urlencode

from .archive import HashedFile, Manifest
from .render import Frames
from .sanitize import utf8

PAGES = "threads"
YEARS = "years"
# The most threads one listing page holds: a page stays quick to load and
# to scan, whatever the size of the archive.
PER_PAGE = 200
# Where a thread page's navigation goes, filled in when the order is known.
SEQUENCE = "<!--wxrbridge:sequence-->"
_SEQUENCE_BYTES = SEQUENCE.encode("ascii")
UNDATED = "undated"


def as_written(text: str | None) -> str:
    """A name or title as its author meant it to read.

    WordPress stores names and titles with HTML entities already in them
    (``What&#8217;s new``, a pingback's ``Post &laquo; Blog``) and decodes
    them when it shows the page; the templates escape what they show, so
    the entities are decoded here first, or they would be shown literally.
    """
    return html.unescape(text or "").strip()


def _year(row: dict[str, Any]) -> str:
    iso = row.get("iso")
    return str(iso)[:4] if iso else UNDATED


def _sort_key(row: dict[str, Any]) -> bytes:
    """Dated threads oldest first, then the undated ones in title order, as
    bytes that SQLite compares in that order: UTF-8 keeps the order of code
    points (lone surrogates included, passed through), and a shorter text
    comes before a longer one it begins, as in Python."""
    iso = row.get("iso")
    if iso:
        return b"\x00" + str(iso).encode("utf-8", "surrogatepass")
    return b"\x01" + str(row.get("title", "")).casefold().encode("utf-8", "surrogatepass")


def _key_year(key: bytes) -> str:
    return key[1:5].decode("ascii") if key[:1] == b"\x00" else UNDATED


# Rows are written to the database this many at a time, and it keeps this
# many KiB of pages in memory: the rest is on disk.
_BATCH = 256
_CACHE_KIB = 256


class Pages:
    """The thread pages waiting for their navigation, and their index rows.

    The pages wait one after another in one staging file (a file each
    would cost creating, reading back and deleting thousands of files);
    each row keeps where its page is in it.  The rows wait in a temporary
    database (SQLite's own: an empty file name), where each page's name is
    unique and rows of the same sort key keep the order they came in.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.staging = folder / f".{PAGES}.staging"
        self._staged: IO[bytes] = self.staging.open("w+b")
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.executescript(f"""
            PRAGMA cache_size = -{_CACHE_KIB};
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE rows (
                arrival INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                sort_key BLOB NOT NULL, row BLOB NOT NULL);
            CREATE INDEX rows_in_order ON rows (sort_key, arrival);
        """)
        self._waiting: list[tuple[str, bytes, bytes]] = []  # rows not yet written
        self._waiting_names: set[str] = set()
        self.count = 0

    def taken(self, name: str) -> bool:
        """Whether a page of this name is staged already."""
        return name in self._waiting_names or self._db.execute(
            "SELECT 1 FROM rows WHERE name = ?", (name,)
        ).fetchone() is not None

    def add(self, row: dict[str, Any], page: bytes) -> None:
        """Stage a thread's page, with a mark where its navigation goes,
        and its index row."""
        self._staged.seek(0, os.SEEK_END)
        row["staged"] = (self._staged.tell(), len(page))
        self._staged.write(page)
        # As bytes that can hold a lone surrogate (kept by the store from a
        # broken source), which the pages show as U+FFFD when written.
        text = json.dumps(row, ensure_ascii=False).encode("utf-8", "surrogatepass")
        self._waiting.append((row["name"], _sort_key(row), text))
        self._waiting_names.add(row["name"])
        self.count += 1
        if len(self._waiting) >= _BATCH:
            self._write_waiting()

    def _write_waiting(self) -> None:
        # One transaction a batch: rows one by one would each be one.
        self._db.execute("BEGIN")
        self._db.executemany("INSERT INTO rows (name, sort_key, row) VALUES (?, ?, ?)",
                             self._waiting)
        self._db.execute("COMMIT")
        self._waiting.clear()
        self._waiting_names.clear()

    def keys(self) -> Iterator[bytes]:
        """Every row's sort key, in order."""
        self._write_waiting()
        for (key,) in self._db.execute("SELECT sort_key FROM rows ORDER BY sort_key, arrival"):
            yield key

    def in_order(self) -> Iterator[dict[str, Any]]:
        """Every index row, in the order of the index."""
        self._write_waiting()
        for (text,) in self._db.execute("SELECT row FROM rows ORDER BY sort_key, arrival"):
            row: dict[str, Any] = json.loads(text.decode("utf-8", "surrogatepass"))
            row["href"] = f"{PAGES}/{quote(row['name'])}.html"
            row["when"] = SimpleNamespace(
                iso=row["iso"], utc=row["utc"], local=row["local"], raw=row["raw"],
                known=bool(row["utc"] or row["local"] or row["raw"]),
            )
            yield row

    def _listing_names(self) -> tuple[list[str], dict[str, list[str]]]:
        """Every listing page in order, and each year's pages."""
        if self.count <= PER_PAGE:
            return ["index.html"], {}
        per_year = Counter(_key_year(key) for key in self.keys())
        names: list[str] = []
        by_year: dict[str, list[str]] = {}
        for year, count in per_year.items():  # in order: the keys are sorted
            pages = [
                f"{YEARS}/{year}{'' if n == 1 else f'-{n}'}.html"
                for n in range(1, (count + PER_PAGE - 1) // PER_PAGE + 1)
            ]
            by_year[year] = pages
            names.extend(pages)
        return names, by_year

    def finish(self, env: Environment, manifest: Manifest, **summary: Any) -> None:
        """Write the listing pages and the index, and move every staged
        thread page into place with its navigation."""
        names, by_year = self._listing_names()
        single = not by_year
        nav = Frames(env.get_template("nav.html"))
        listing = env.get_template("listing.html")
        seen_in_year: Counter[str] = Counter()
        batch: list[dict[str, Any]] = []
        listed_in = names[0]
        rows = self.in_order()
        before: dict[str, Any] | None = None
        row = next(rows, None)
        while row is not None:
            after = next(rows, None)
            year = _year(row)
            name = names[0] if single else by_year[year][seen_in_year[year] // PER_PAGE]
            seen_in_year[year] += 1
            if name != listed_in:
                self._listing(listing, manifest, names, listed_in, batch, summary)
                listed_in, batch = name, []
            batch.append(row)
            listed = _label(name)
            self._place(row, manifest, nav.render(summary["site"], {
                "home": "../" + name,
                "back": "the index of" if listed == "index" else f"the threads of {listed} in",
                "before_href": _href(before), "before_title": before["title"] if before else "",
                "after_href": _href(after), "after_title": after["title"] if after else "",
            }))
            before, row = row, after
        if not single:
            self._listing(listing, manifest, names, listed_in, batch, summary)
        years = [
            {"year": year, "count": seen_in_year[year],  # every row was counted above
             "pages": [{"href": name, "label": _label(name)} for name in pages]}
            for year, pages in by_year.items()
        ]
        index = env.get_template("index.html")
        with HashedFile(manifest, "index.html") as out:
            out.write_text(index.generate(
                years=years, single=single, home="index.html", up="",
                threads=batch if single else [], **summary,
            ))
        self.abandon()

    @staticmethod
    def _listing(
        template: Template, manifest: Manifest, names: list[str], name: str,
        rows: list[dict[str, Any]], summary: dict[str, Any],
    ) -> None:
        position = names.index(name)
        (manifest.folder / YEARS).mkdir(exist_ok=True)
        with HashedFile(manifest, name) as out:
            out.write_text(template.generate(
                threads=rows, home="../index.html", up="../", label=_label(name),
                before=names[position - 1] if position else None,
                after=names[position + 1] if position + 1 < len(names) else None,
                before_label=_label(names[position - 1]) if position else None,
                after_label=_label(names[position + 1]) if position + 1 < len(names) else None,
                **summary,
            ))

    def _place(self, row: dict[str, Any], manifest: Manifest, nav: str) -> None:
        offset, size = row["staged"]
        self._staged.seek(offset)
        head, _mark, tail = self._staged.read(size).partition(_SEQUENCE_BYTES)
        with HashedFile(manifest, f"{PAGES}/{row['name']}.html") as out:
            out.write_bytes(b"".join((head, utf8(nav), tail)))

    def abandon(self) -> None:
        self._db.close()
        self._staged.close()
        self.staging.unlink(missing_ok=True)


def _href(row: dict[str, Any] | None) -> str:
    """The link from one thread page to the page of ``row``, beside it."""
    return f"{do_urlencode(row['name'])}.html" if row else ""


def _label(name: str) -> str:
    """``years/2024-2.html`` as a reader names it: ``2024, page 2``."""
    if name == "index.html":
        return "index"
    stem = name.rsplit("/", 1)[-1].removesuffix(".html")
    year, _, number = stem.partition("-")
    year = "Undated" if year == UNDATED else year
    return f"{year}, page {number}" if number else year
