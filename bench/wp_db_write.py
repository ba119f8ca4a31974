"""Writing comments straight into a WordPress database, against importing
the same file into a MariaDB store.

    python bench/wp_db_write.py --comments 500000 [--mysql mysql+pymysql://root@127.0.0.1]

Makes the corpus's Disqus export (bench/corpus.py), a WordPress database
(the test schema, tests/wp_site.py) holding one post per thread, and a
MariaDB store, each in a database of its own made for the run and dropped
after; then times ``import`` of the file into the store and ``export
--format wp-db`` of that store into the WordPress database, and prints both.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import ModuleType

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # wp_site.py imports conftest

from wxrbridge import api  # noqa: E402
from wxrbridge.canonical import post_id_in_identifier  # noqa: E402
from wxrbridge.records import Thread  # noqa: E402


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--profile", action="store_true", help="Profile the export.")
    parser.add_argument("--mysql", default="mysql+pymysql://root@127.0.0.1:3306")
    args = parser.parse_args()
    corpus = _load("corpus", REPO / "bench" / "corpus.py")
    wp_site = _load("wp_site", REPO / "tests" / "wp_site.py")
    admin = create_engine(args.mysql, isolation_level="AUTOCOMMIT")
    names = [f"wxrb_wpdb_bench_{uuid.uuid4().hex[:8]}", f"wxrb_wpdb_store_{uuid.uuid4().hex[:8]}"]
    with tempfile.TemporaryDirectory() as folder, admin.connect() as connection:
        _wxr, disqus = corpus.generate(args.comments, folder)
        for name in names:
            connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        try:
            site_url, store_url = (make_url(args.mysql).set(database=n)
                                   .render_as_string(hide_password=False) for n in names)
            site = create_engine(site_url)
            wp_site.create_tables(site, indexes=True)
            wp_site.set_options(site, home="https://bench.example", siteurl="https://bench.example",
                                permalink_structure="/%postname%/")
            rows = []
            for record in api.read(disqus):
                if isinstance(record, Thread):
                    post_id = post_id_in_identifier(record.identifier)
                    rows.append({**wp_site.POST_TEXT, "ID": int(post_id or 0) or None,
                                 "post_title": record.title or "", "guid": record.link or "",
                                 "post_name": f"post-{record.key}"})
            with site.begin() as c:
                c.execute(text("INSERT INTO wp_posts (ID, post_title, post_name, guid, "
                               "post_content, post_excerpt, to_ping, pinged, "
                               "post_content_filtered) VALUES (:ID, :post_title, :post_name, "
                               ":guid, :post_content, :post_excerpt, :to_ping, :pinged, "
                               ":post_content_filtered)"), rows)
            started = time.perf_counter()
            with api.open_store(store_url) as store:
                api.import_files(store, [disqus])
            imported = time.perf_counter() - started
            started = time.perf_counter()
            profile = cProfile.Profile() if args.profile else None
            if profile is not None:
                profile.enable()
            with api.open_store(store_url, read_only=True) as store:
                report = api.export(store, f"wp:{site_url}", format="wp-db")
            written = time.perf_counter() - started
            if profile is not None:
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            print(f"{args.comments} comments in the corpus; {report.written['comment']} "
                  f"written; import into a MariaDB store {imported:.1f} s, "
                  f"export into WordPress {written:.1f} s ({written / imported:.2f}x)")
        finally:
            for name in names:
                connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))


if __name__ == "__main__":
    main()
