"""The bare HTML export: the floor wxrbridge's archive is measured against.

It does the least a page of comments needs, with the fast paths a careful
programmer would take: one sqlite3 SELECT of the approved comments in
thread order, each field escaped with ``html.escape``, one file per thread
with the comments in a flat list, and an index.  No sanitising, no nesting,
no feeds, no manifest, no sorting by date: whatever wxrbridge's archive
costs beyond this is the price of a page that is safe and readable.

    python bench/bare_html.py STORE.sqlite OUT_DIR [--compare]

prints the comment and page counts, CPU time, wall time and peak RSS;
``--compare`` also times ``wxrbridge export --format html`` of the same
store (in a child process) and prints the ratio of the two CPU times.
"""

from __future__ import annotations

import argparse
import html
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SELECT = """
SELECT t.id, t.title, c.author_name, c.created_at_raw, c.content
FROM comments AS c JOIN threads AS t ON t.id = c.thread_id
WHERE c.status = 'approved'
ORDER BY t.position, c.position
"""


def _page(title: str, rows: list[str]) -> str:
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>{title}</title></head><body><h1>{title}</h1><ol>\n"
        + "".join(rows) + "</ol></body></html>\n"
    )


def bare_html_export(
    db_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]
) -> tuple[int, int]:
    """Write every approved comment of a SQLite store as one plain page per
    thread plus an index; return (comments, pages)."""
    out = Path(out_dir)
    (out / "threads").mkdir(parents=True, exist_ok=True)
    esc = html.escape
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    comments = 0
    index: list[str] = []
    current: int | None = None
    title = ""
    rows: list[str] = []

    def flush() -> None:
        if current is None:
            return
        name = f"threads/{current}.html"
        (out / name).write_text(_page(title, rows), encoding="utf-8")
        index.append(f'<li><a href="{name}">{title}</a></li>\n')

    for thread_id, thread_title, author, date, content in conn.execute(_SELECT):
        if thread_id != current:
            flush()
            current, title, rows = thread_id, esc(thread_title or ""), []
        rows.append(
            f"<li><b>{esc(author or '')}</b> <time>{esc(date or '')}</time>"
            f"<p>{esc(content or '')}</p></li>\n"
        )
        comments += 1
    flush()
    conn.close()
    (out / "index.html").write_text(_page("Index", index), encoding="utf-8")
    return comments, len(index)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", help="a wxrbridge SQLite store file")
    parser.add_argument("out", help="a folder for the bare pages")
    parser.add_argument("--compare", action="store_true",
                        help="also time wxrbridge's HTML export of the store")
    args = parser.parse_args(argv)
    cpu, wall = _cpu(), time.perf_counter()
    comments, pages = bare_html_export(args.store, args.out)
    bare_cpu, bare_wall = _cpu() - cpu, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bare: {comments} comments, {pages} pages, {bare_cpu:.2f} s CPU, "
          f"{bare_wall:.2f} s wall, peak RSS {peak:.0f} MB")
    if args.compare:
        target = tempfile.mkdtemp(prefix="wxrbridge-html-")
        try:
            before, wall = _children_cpu(), time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "wxrbridge", "export", "--db",
                 f"sqlite:///{os.path.abspath(args.store)}", "--format", "html",
                 "-o", target, "--quiet"],
                check=True,
            )
            full_cpu, full_wall = _children_cpu() - before, time.perf_counter() - wall
            child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        finally:
            shutil.rmtree(target, ignore_errors=True)
        print(f"wxrbridge html: {full_cpu:.2f} s CPU, {full_wall:.2f} s wall, "
              f"peak RSS {child_peak:.0f} MB; {full_cpu / bare_cpu:.2f}x the bare CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
