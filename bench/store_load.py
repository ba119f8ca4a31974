"""Store load speed against plain sqlite3 executemany of the same rows.

Both sides start from the same in-memory comment records and write the same
rows into the same schema (tables, indexes and pragmas) in one transaction:

* bare: each record turned into a row tuple (canonical values included) and
  inserted with ``sqlite3`` ``executemany`` in batches, meta rows likewise;
* store: ``Store.load`` on the same records, which also upserts, looks ids
  up for meta rows and links parents set-based afterwards.

Run: ``python bench/store_load.py --comments 500000``.  Prints both times and
their ratio; the target is at most 1.3.
"""

from __future__ import annotations

import argparse
import copy
import gc
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from wxrbridge import canonical
from wxrbridge.records import Comment, Source, Thread
from wxrbridge.store import open_store
from wxrbridge.store.load import BATCH_SIZE
from wxrbridge.store.models import Base, CommentRow

WORDS = ("river walk lighting bench survey bridge council path trees flood map "
         "cyclists noise parking library ramp budget meeting evening").split()


def make_records(n_comments: int, seed: int = 1) -> list:
    rng = random.Random(seed)
    records: list = [Source(origin="wxr", site="bench.example.gov", name="bench")]
    comment_id = 0
    thread = 0
    while comment_id < n_comments:
        thread += 1
        records.append(Thread(origin="wxr", key=str(thread), wp_post_id=str(thread),
                              title=f"Post {thread}", post_type="post", status="publish"))
        in_thread: list[int] = []
        for _ in range(min(rng.randint(5, 35), n_comments - comment_id)):
            comment_id += 1
            parent = rng.choice(in_thread) if in_thread and rng.random() < 0.33 else 0
            in_thread.append(comment_id)
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
            records.append(Comment(
                origin="wxr", key=str(comment_id), thread=str(thread), wp_id=str(comment_id),
                parent=str(parent), author_name=f"Reader {rng.randint(1, 5000)}",
                author_email=f"r{rng.randint(1, 5000)}@example.org", author_url="",
                author_ip="192.0.2.7", created_at="2024-03-02 10:00:00",
                created_at_local="2024-03-02 05:00:00", content=text,
                wp_approved=rng.choice("1110"), wp_type="", wp_user_id="0",
                meta=[("akismet_result", "false")] if rng.random() < 0.5 else [],
            ))
    return records


def bare_load(path: Path, records: list) -> float:
    """The same rows the store writes, every column, by plain executemany."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    comment_columns = [c.name for c in CommentRow.__table__.columns if c.name != "id"]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA cache_size=-16384")
    started = time.perf_counter()
    db.execute("BEGIN")
    db.execute("INSERT INTO sources (id, origin, site, name, imported_at) "
               "VALUES (1, 'wxr', 'bench.example.gov', 'bench', '2024-01-01')")
    insert_comment = (f"INSERT INTO comments ({', '.join(comment_columns)}) "
                      f"VALUES ({', '.join('?' * len(comment_columns))})")
    insert_thread = ("INSERT INTO threads (id, site, origin, key, source_id, position, "
                     "wp_post_id, title, post_type, status) VALUES (?,?,?,?,1,?,?,?,?,?)")
    insert_meta = ("INSERT INTO comment_meta (comment_id, position, meta_key, meta_value) "
                   "VALUES (?,?,?,?)")
    rows, meta, threads = [], [], []
    thread_ids: dict[str, int] = {}
    position = 0
    next_id = 0
    for record in records:
        position += 1
        if isinstance(record, Thread):
            thread_ids[record.key] = len(thread_ids) + 1
            threads.append((thread_ids[record.key], "bench.example.gov", "wxr", record.key,
                            position, record.wp_post_id, record.title, record.post_type,
                            record.status))
        elif isinstance(record, Comment):
            next_id += 1
            created = canonical.parse_utc(record.created_at)
            values = {
                "site": "bench.example.gov", "origin": "wxr", "key": record.key,
                "source_id": 1, "position": position, "thread_key": record.thread,
                "thread_id": thread_ids[record.thread], "parent": record.parent,
                "parent_key": canonical.parent_reference(record), "parent_id": None,
                "wp_id": record.wp_id, "dsq_id": record.dsq_id,
                "type": canonical.comment_type(record), "wp_type": record.wp_type,
                "status": canonical.comment_status(record), "wp_approved": record.wp_approved,
                "dsq_is_approved": record.dsq_is_approved,
                "dsq_is_deleted": record.dsq_is_deleted, "dsq_is_spam": record.dsq_is_spam,
                "dsq_is_flagged": record.dsq_is_flagged,
                "dsq_is_highlighted": record.dsq_is_highlighted,
                "dsq_is_anonymous": record.dsq_is_anonymous,
                "dsq_identifier": record.dsq_identifier, "author_name": record.author_name,
                "author_email": record.author_email, "author_url": record.author_url,
                "author_ip": record.author_ip, "wp_user_id": record.wp_user_id,
                "dsq_username": record.dsq_username, "user_id": None,
                "created_at": created.strftime("%Y-%m-%d %H:%M:%S.%f") if created else None,
                "created_at_raw": record.created_at,
                "created_at_local": record.created_at_local, "content": record.content,
            }
            rows.append(tuple(values[c] for c in comment_columns))
            for i, (k, v) in enumerate(record.meta):
                meta.append((next_id, i, k, v))
            if len(rows) >= BATCH_SIZE:
                db.executemany(insert_thread, threads)
                db.executemany(insert_comment, rows)
                db.executemany(insert_meta, meta)
                rows, meta, threads = [], [], []
    db.executemany(insert_thread, threads)
    db.executemany(insert_comment, rows)
    db.executemany(insert_meta, meta)
    db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def store_load(path: Path, records: list) -> float:
    store = open_store(f"sqlite:///{path}")
    started = time.perf_counter()
    report = store.load(records)
    elapsed = time.perf_counter() - started
    store.close()
    assert report.counts["comment"] == sum(isinstance(r, Comment) for r in records)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    records = make_records(args.comments)
    print(f"{args.comments} comments, {sum(isinstance(r, Thread) for r in records)} threads",
          file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        results = []
        for round_ in range(args.rounds):
            gc.collect()
            bare = bare_load(Path(folder) / f"bare{round_}.sqlite", records)
            gc.collect()
            ours = store_load(Path(folder) / f"store{round_}.sqlite", copy.deepcopy(records))
            results.append((bare, ours))
    bare = min(r[0] for r in results)
    ours = min(r[1] for r in results)
    print(f"store load of {args.comments} comments into SQLite")
    print(f"  bare sqlite3 executemany: {bare:7.2f} s")
    print(f"  wxrbridge Store.load:     {ours:7.2f} s")
    print(f"  ratio:                    {ours / bare:7.2f}  (target <= 1.3)")


if __name__ == "__main__":
    main()
