"""The bare pipeline: the fastest simple way to get comments into SQLite.

wxrbridge measures itself against this. It does the least a correct loader
must do (stream-parse, pull every comment field and its meta, insert in
batches, one transaction) and nothing more: no validation, no encoding
repair, no thread resolution, no recovery from broken XML. It is meant as
an honest floor, so it uses the fast paths any careful programmer would:
lxml's tag-filtered iterparse, clearing finished elements, executemany.

    python bench/baseline.py wxr-import WXR DB       # lxml iterparse + executemany
    python bench/baseline.py wxr-pipeline WXR DB     # the same in two processes
    python bench/baseline.py disqus-import DISQUS DB
    python bench/baseline.py parse WXR [WXR]         # parse only (stats, verify)
    python bench/baseline.py export STORE OUT        # SELECT + escape + write
    python bench/baseline.py server-import WXR URL   # executemany into PostgreSQL/MariaDB
    python bench/baseline.py server-pipeline WXR URL # the same in two processes

each prints its row count and wall time; bench/run runs them as whole
processes beside the wxrbridge command doing the same step. Exports may be
plain or gzipped.
"""

from __future__ import annotations

import gzip
import marshal
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

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


Row = tuple["str | None", ...]
Meta = tuple["str | None", "str | None", "str | None"]
COMMENTS_SCHEMA = """
    CREATE TABLE comments (
        comment_id TEXT, post_id TEXT,
        author TEXT, author_email TEXT, author_url TEXT, author_ip TEXT,
        date TEXT, date_gmt TEXT, content TEXT, approved TEXT, type TEXT,
        parent TEXT, user_id TEXT);
    CREATE TABLE comment_meta (comment_id TEXT, meta_key TEXT, meta_value TEXT);
"""
INSERT_COMMENT = "INSERT INTO comments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
INSERT_META = "INSERT INTO comment_meta VALUES (?,?,?)"


def wxr_batches(wxr_path: str | os.PathLike[str],
                size: int = BATCH) -> Iterator[tuple[list[Row], list[Meta]]]:
    """Every wp:comment of a WXR file as a row, and its commentmeta, in
    batches of ``size`` comments."""
    wp = _wp_namespace(wxr_path)
    comment_tag, item_tag = f"{wp}comment", "item"
    meta_tag, key_tag, value_tag = f"{wp}commentmeta", f"{wp}meta_key", f"{wp}meta_value"
    id_tag, post_id_tag = f"{wp}comment_id", f"{wp}post_id"
    column = {f"{wp}{name}": i for i, name in enumerate(WXR_FIELDS)}
    width = len(WXR_FIELDS)
    rows: list[Row] = []
    metas: list[Meta] = []
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
            el.clear()
            while el.getprevious() is not None:
                del item[0]
            if len(rows) >= size:
                yield rows, metas
                rows, metas = [], []
    yield rows, metas


def _store_batches(
    conn: sqlite3.Connection, batches: Iterable[tuple[list[Row], list[Meta]]]
) -> int:
    count = 0
    for rows, metas in batches:
        conn.executemany(INSERT_COMMENT, rows)
        conn.executemany(INSERT_META, metas)
        count += len(rows)
    conn.execute("COMMIT")
    conn.close()
    return count


def bare_wxr_to_sqlite(wxr_path: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> int:
    """Load every wp:comment (and its commentmeta) of a WXR file; return the count."""
    return _store_batches(_connect(db_path, COMMENTS_SCHEMA), wxr_batches(wxr_path))


def bare_wxr_pipeline(wxr_path: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> int:
    """bare_wxr_to_sqlite in two processes, as wxrbridge reads ahead: a
    second Python parses and sends each batch through a pipe (marshal),
    this one stores them."""
    return _store_batches(_connect(db_path, COMMENTS_SCHEMA), received_batches(wxr_path))


def received_batches(wxr_path: str | os.PathLike[str],
                     size: int = BATCH) -> Iterator[tuple[list[Row], list[Meta]]]:
    """wxr_batches parsed by a second Python, which sends each batch
    through a pipe (marshal)."""
    child = subprocess.Popen([sys.executable, __file__, "send", os.fspath(wxr_path), str(size)],
                             stdout=subprocess.PIPE)
    assert child.stdout is not None
    while True:
        header = child.stdout.read(8)
        if len(header) < 8:
            break
        yield marshal.loads(child.stdout.read(int.from_bytes(header, "little")))
    if child.wait() != 0:
        raise RuntimeError("the parsing process failed")


def _send(wxr_path: str, size: int) -> int:
    out = sys.stdout.buffer
    count = 0
    for batch in wxr_batches(wxr_path, size):
        data = marshal.dumps(batch)
        out.write(len(data).to_bytes(8, "little"))
        out.write(data)
        count += len(batch[0])
    out.flush()
    return count


def bare_wxr_parse(*wxr_paths: str | os.PathLike[str]) -> int:
    """Parse WXR files as the bare import does and count their comments and
    meta, storing nothing: the floor for ``stats FILE`` (one file) and
    ``verify A B`` (two)."""
    count = 0
    for path in wxr_paths:
        for rows, metas in wxr_batches(path):
            count += len(rows) + 0 * len(metas)
    return count


# What a server's bare import writes into: the comments as a table the
# store's is like, a primary key and a unique key on the comment's id (the
# store's holds its identity), the meta with a primary key; ids come from
# the server. The batch is the store's (wxrbridge/store/load.py BATCH_SIZE).
SERVER_SCHEMA = """
    CREATE TABLE comments (
        id {serial} PRIMARY KEY, comment_id VARCHAR(255) NOT NULL UNIQUE, post_id {text},
        author {text}, author_email {text}, author_url {text}, author_ip {text},
        date {text}, date_gmt {text}, content {text}, approved {text}, type {text},
        parent {text}, user_id {text}){table};
    CREATE TABLE comment_meta (id {serial} PRIMARY KEY, comment_id {text}, meta_key {text},
        meta_value {text}){table};
"""
SERVER_BATCH = 1000
SERVER_COMMENT_COLUMNS = ("comment_id, post_id, author, author_email, author_url, author_ip, "
                          "date, date_gmt, content, approved, type, parent, user_id")


def bare_wxr_to_server(wxr_path: str | os.PathLike[str], url: str,
                       two_processes: bool = False) -> int:
    """bare_wxr_to_sqlite into PostgreSQL (psycopg) or MariaDB (PyMySQL),
    one executemany a batch into the keyed tables of SERVER_SCHEMA, in a
    fresh schema or database named after this process, dropped at the end;
    ``two_processes``: parsed by a second process, as wxr-pipeline."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("+psycopg", "").replace("+pymysql", ""))
    scratch = f"bare_bench_{os.getpid()}"
    if parts.scheme.startswith("postgres"):
        import psycopg

        conn: Any = psycopg.connect(url.replace("+psycopg", ""), autocommit=True)
        conn.execute(f"CREATE SCHEMA {scratch}")
        conn.execute(f"SET search_path TO {scratch}")
        schema = SERVER_SCHEMA.format(serial="SERIAL", text="TEXT", table="")
    else:
        import pymysql

        conn = pymysql.connect(host=parts.hostname, port=parts.port or 3306,
                               user=parts.username, password=parts.password or "",
                               autocommit=True, charset="utf8mb4")
        conn.cursor().execute(f"CREATE DATABASE {scratch}")
        conn.select_db(scratch)
        schema = SERVER_SCHEMA.format(serial="INTEGER AUTO_INCREMENT", text="LONGTEXT",
                                      table=" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4")
    try:
        cursor = conn.cursor()
        for statement in schema.split(";"):
            if statement.strip():
                cursor.execute(statement)
        insert_comment = (f"INSERT INTO comments ({SERVER_COMMENT_COLUMNS}) VALUES "
                          f"({', '.join(['%s'] * 13)})")
        insert_meta = ("INSERT INTO comment_meta (comment_id, meta_key, meta_value) "
                       "VALUES (%s, %s, %s)")
        count = 0
        if hasattr(conn, "autocommit") and not callable(conn.autocommit):
            conn.autocommit = False
        else:
            conn.autocommit(False)
        batches = (received_batches(wxr_path, SERVER_BATCH) if two_processes
                   else wxr_batches(wxr_path, SERVER_BATCH))
        for rows, metas in batches:
            cursor.executemany(insert_comment, rows)
            if metas:
                cursor.executemany(insert_meta, metas)
            count += len(rows)
        conn.commit()
    finally:
        cursor = conn.cursor()
        if parts.scheme.startswith("postgres"):
            conn.rollback()
            conn.autocommit = True
            conn.execute(f"DROP SCHEMA {scratch} CASCADE")
        else:
            cursor.execute(f"DROP DATABASE {scratch}")
        conn.close()
    return count


def bare_wxr_to_server_pipeline(wxr_path: str | os.PathLike[str], url: str) -> int:
    """bare_wxr_to_server, parsed by a second process."""
    return bare_wxr_to_server(wxr_path, url, two_processes=True)


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def bare_export(store_path: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> int:
    """The floor of an export: every comment of a wxrbridge SQLite store
    read with one SELECT in thread order, each of its fields and meta
    escaped and written as WXR-like markup, one item a thread."""
    conn = sqlite3.connect(f"file:{os.fspath(store_path)}?mode=ro", uri=True)
    fields = ("wp_id", "author_name", "author_email", "author_url", "author_ip",
              "created_at_local", "created_at_raw", "content", "wp_approved", "wp_type",
              "parent", "wp_user_id")
    meta: dict[int, list[tuple[str, str]]] = {}
    for owner_id, key, value in conn.execute(
            "SELECT comment_id, meta_key, meta_value FROM comment_meta "
            "ORDER BY comment_id, position"):
        meta.setdefault(owner_id, []).append((key, value or ""))
    titles = dict(conn.execute("SELECT id, title FROM threads"))
    count = 0
    thread: int | None = None
    with open(out_path, "w", encoding="utf-8") as out:
        write = out.write
        write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
              'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n')
        query = (f"SELECT id, thread_id, {', '.join(fields)} FROM comments "
                 "ORDER BY thread_id, position")
        for row in conn.execute(query):
            if row[1] != thread:
                if thread is not None:
                    write("</item>\n")
                thread = row[1]
                write(f"<item><title>{(titles.get(thread) or '').translate(_ESCAPES)}</title>\n")
            parts = ["<wp:comment>"]
            for name, value in zip(fields, row[2:], strict=True):
                if value is not None:
                    parts.append(f"<wp:{name}>{value.translate(_ESCAPES)}</wp:{name}>")
            for key, value in meta.get(row[0], ()):
                parts.append(f"<wp:commentmeta><wp:meta_key>{key.translate(_ESCAPES)}"
                             f"</wp:meta_key><wp:meta_value>{value.translate(_ESCAPES)}"
                             "</wp:meta_value></wp:commentmeta>")
            parts.append("</wp:comment>\n")
            write("".join(parts))
            count += 1
        if thread is not None:
            write("</item>\n")
        write("</channel>\n</rss>\n")
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


STEPS: dict[str, Callable[..., int]] = {
    "wxr-import": bare_wxr_to_sqlite,
    "wxr-pipeline": bare_wxr_pipeline,
    "disqus-import": bare_disqus_to_sqlite,
    "parse": bare_wxr_parse,
    "export": bare_export,
    "server-import": bare_wxr_to_server,
    "server-pipeline": bare_wxr_to_server_pipeline,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["send"]:  # the parsing process of a pipeline
        _send(args[1], int(args[2]))
        return 0
    if not args or args[0] not in STEPS:
        print(__doc__, file=sys.stderr)
        return 2
    step, rest = STEPS[args[0]], args[1:]
    if args[0] in ("wxr-import", "wxr-pipeline", "disqus-import") and os.path.exists(rest[1]):
        os.remove(rest[1])  # the loader creates its tables; start clean
    started = time.perf_counter()
    n = step(*rest)
    elapsed = time.perf_counter() - started
    print(f"{args[0]}: {n} rows in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
