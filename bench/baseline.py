"""The bare pipeline: the fastest simple way to get comments into SQLite.

wxrbridge measures itself against this. It does the least a correct loader
must do (stream-parse, pull every comment field and its meta, insert in
batches, one transaction) and nothing more: no validation, no encoding
repair, no thread resolution, no recovery from broken XML. It is meant as
an honest floor, so it uses the fast paths any careful programmer would:
lxml's tag-filtered iterparse, clearing finished elements, executemany.

    python bench/baseline.py EXPORT [--db PATH]

prints the row count, wall time and peak RSS. EXPORT may be WXR or a
Disqus export, plain or gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from lxml import etree

BATCH = 5000

# Column order of the comments table; the WXR child element names match.
WXR_FIELDS = (
    "comment_author", "comment_author_email", "comment_author_url", "comment_author_IP",
    "comment_date", "comment_date_gmt", "comment_content", "comment_approved",
    "comment_type", "comment_parent", "comment_user_id",
)
_WP_NS_RE = re.compile(rb'xmlns:wp="(https?://wordpress\.org/export/[0-9.]+/)"')
DSQ = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"


@contextmanager
def _open(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    # Recognise gzip by its magic bytes: exports get renamed.
    with open(path, "rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        if magic == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=raw) as gz:
                yield gz
        else:
            yield raw


def _wp_namespace(path: str | os.PathLike[str]) -> str:
    """The wp namespace URI differs by WXR version and host; read it from the head."""
    with _open(path) as f:
        head = f.read(64 * 1024)
    m = _WP_NS_RE.search(head)
    if not m:
        raise ValueError(f"{path}: no WXR wp namespace in the first 64 KiB")
    return "{" + m.group(1).decode("ascii") + "}"


def _connect(db_path: str | os.PathLike[str], schema: str) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.executescript(schema)
    conn.execute("BEGIN")
    return conn


def bare_wxr_to_sqlite(wxr_path: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> int:
    """Load every wp:comment (and its commentmeta) of a WXR file; return the count."""
    wp = _wp_namespace(wxr_path)
    comment_tag, item_tag = f"{wp}comment", "item"
    meta_tag, key_tag, value_tag = f"{wp}commentmeta", f"{wp}meta_key", f"{wp}meta_value"
    id_tag, post_id_tag = f"{wp}comment_id", f"{wp}post_id"
    column = {f"{wp}{name}": i for i, name in enumerate(WXR_FIELDS)}
    width = len(WXR_FIELDS)

    conn = _connect(db_path, """
        CREATE TABLE comments (
            comment_id TEXT, post_id TEXT,
            author TEXT, author_email TEXT, author_url TEXT, author_ip TEXT,
            date TEXT, date_gmt TEXT, content TEXT, approved TEXT, type TEXT,
            parent TEXT, user_id TEXT);
        CREATE TABLE comment_meta (comment_id TEXT, meta_key TEXT, meta_value TEXT);
    """)
    insert_comment = "INSERT INTO comments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    insert_meta = "INSERT INTO comment_meta VALUES (?,?,?)"
    rows: list[tuple[str | None, ...]] = []
    metas: list[tuple[str | None, str | None, str | None]] = []
    count = 0
    current_item = None
    post_id: str | None = None

    with _open(wxr_path) as f:
        # Items are tagged too, only so each finished post can be freed.
        for _event, el in etree.iterparse(f, events=("end",), tag=(comment_tag, item_tag),
                                          resolve_entities=False, huge_tree=True):
            if el.tag == item_tag:
                el.clear()
                parent = el.getparent()
                while el.getprevious() is not None:
                    del parent[0]
                current_item = None
                continue
            item = el.getparent()
            if item is not current_item:
                # The post id precedes the comments, so it is parsed by now;
                # read it before the deletions below remove it.
                current_item = item
                post_id = item.findtext(post_id_tag)
            values: list[str | None] = [None] * width
            comment_id = None
            for child in el:
                tag = child.tag
                i = column.get(tag)
                if i is not None:
                    values[i] = child.text or ""
                elif tag == id_tag:
                    comment_id = child.text
                elif tag == meta_tag:
                    metas.append((comment_id, child.findtext(key_tag), child.findtext(value_tag)))
            rows.append((comment_id, post_id, *values))
            count += 1
            el.clear()
            while el.getprevious() is not None:
                del item[0]
            if len(rows) >= BATCH:
                conn.executemany(insert_comment, rows)
                rows.clear()
            if len(metas) >= BATCH:
                conn.executemany(insert_meta, metas)
                metas.clear()
    conn.executemany(insert_comment, rows)
    conn.executemany(insert_meta, metas)
    conn.execute("COMMIT")
    conn.close()
    return count


def bare_disqus_to_sqlite(path: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> int:
    """Load every thread and post of a Disqus export; return the post count."""
    conn = _connect(db_path, """
        CREATE TABLE threads (
            dsq_id TEXT, identifier TEXT, forum TEXT, link TEXT, title TEXT,
            created_at TEXT, is_closed TEXT, is_deleted TEXT);
        CREATE TABLE posts (
            dsq_id TEXT, identifier TEXT, thread TEXT, parent TEXT, message TEXT,
            created_at TEXT, is_deleted TEXT, is_spam TEXT, is_approved TEXT,
            author_name TEXT, author_email TEXT, author_username TEXT,
            author_is_anonymous TEXT, ip_address TEXT);
    """)
    thread_tag, post_tag = f"{DSQ}thread", f"{DSQ}post"
    t_fields = {f"{DSQ}{n}": i for i, n in enumerate(
        ("id", "forum", "link", "title", "createdAt", "isClosed", "isDeleted"), start=1)}
    p_fields = {f"{DSQ}{n}": i for i, n in enumerate(
        ("id", "thread", "parent", "message", "createdAt", "isDeleted", "isSpam",
         "isApproved"), start=1)}
    a_fields = {f"{DSQ}{n}": i for i, n in enumerate(
        ("name", "email", "username", "isAnonymous"), start=9)}
    ip_tag, author_tag = f"{DSQ}ipAddress", f"{DSQ}author"
    ref_cols = (p_fields[f"{DSQ}thread"], p_fields[f"{DSQ}parent"])
    threads: list[list[str | None]] = []
    posts: list[list[str | None]] = []
    count = 0
    with _open(path) as f:
        for _event, el in etree.iterparse(f, events=("end",), tag=(thread_tag, post_tag),
                                          resolve_entities=False, huge_tree=True):
            parent = el.getparent()
            if parent is None or parent.tag != "{http://disqus.com}disqus":
                continue  # a <thread dsq:id=.../> reference inside a post
            if el.tag == thread_tag:
                row: list[str | None] = [None] * 8
                row[0] = el.get(DSQ_ID)
                for child in el:
                    i = t_fields.get(child.tag)
                    if i is not None:
                        row[i] = child.text or ""
                threads.append(row)
            else:
                row = [None] * 14
                row[0] = el.get(DSQ_ID)
                for child in el:
                    tag = child.tag
                    i = p_fields.get(tag)
                    if i is not None:
                        # References are normally the dsq:id attribute; the
                        # text form occurs too.
                        row[i] = (child.get(DSQ_ID) or child.text) if i in ref_cols \
                            else (child.text or "")
                    elif tag == author_tag:
                        for a in child:
                            j = a_fields.get(a.tag)
                            if j is not None:
                                row[j] = a.text or ""
                    elif tag == ip_tag:
                        row[13] = child.text or ""
                posts.append(row)
                count += 1
            el.clear()
            while el.getprevious() is not None:
                del parent[0]
            if len(posts) >= BATCH:
                conn.executemany("INSERT INTO posts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", posts)
                posts.clear()
            if len(threads) >= BATCH:
                conn.executemany("INSERT INTO threads VALUES (?,?,?,?,?,?,?,?)", threads)
                threads.clear()
    conn.executemany("INSERT INTO posts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", posts)
    conn.executemany("INSERT INTO threads VALUES (?,?,?,?,?,?,?,?)", threads)
    conn.execute("COMMIT")
    conn.close()
    return count


def _is_disqus(path: str | os.PathLike[str]) -> bool:
    with _open(path) as f:
        return b"<disqus" in f.read(4096)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Bare lxml + sqlite3 load: the floor.")
    ap.add_argument("export", help="WXR or Disqus export (plain or gzipped)")
    ap.add_argument("--db", help="SQLite file to create (default: a temporary file)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or os.path.join(tmp, "bare.sqlite")
        if os.path.exists(db):
            os.remove(db)  # the loader creates its tables; start clean
        load = bare_disqus_to_sqlite if _is_disqus(args.export) else bare_wxr_to_sqlite
        started = time.perf_counter()
        n = load(args.export, db)
        elapsed = time.perf_counter() - started
        # ru_maxrss is in KiB on Linux (bytes on macOS).
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        scale = 1 if sys.platform == "darwin" else 1024
        size = os.path.getsize(args.export)
        print(f"{load.__name__}: {n} rows from {size / 1e6:.1f} MB in {elapsed:.2f} s, "
              f"peak RSS {peak * scale / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
