"""Shared fixtures.

``store_url`` runs a test once per backend: SQLite always, PostgreSQL when
``WXRBRIDGE_TEST_PG_URL`` is set and MariaDB when ``WXRBRIDGE_TEST_MYSQL_URL``
is set.  Each test gets a schema (PostgreSQL) or database (MariaDB) of its
own, dropped afterwards.  A configured server that cannot be reached fails
the test: it is never skipped.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"

PG_URL = os.environ.get("WXRBRIDGE_TEST_PG_URL")
MYSQL_URL = os.environ.get("WXRBRIDGE_TEST_MYSQL_URL")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else []) + (["mariadb"] if MYSQL_URL else [])


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    name = f"wxrb_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
    elif request.param == "postgresql":
        assert PG_URL
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        try:
            url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={name}"})
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
            admin.dispose()
    else:
        with mysql_database(name, collation="utf8mb4_nopad_bin") as url:
            yield url


@contextmanager
def mysql_database(name: str, collation: str | None = None) -> Iterator[str]:
    """A MariaDB database of that name on WXRBRIDGE_TEST_MYSQL_URL's
    server, made for the caller and dropped after; its URL."""
    assert MYSQL_URL
    admin = create_engine(MYSQL_URL, isolation_level="AUTOCOMMIT")
    collate = f" COLLATE {collation}" if collation else ""
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4{collate}"))
    try:
        yield make_url(MYSQL_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE `{name}`"))
        admin.dispose()


def generate_corpus(comments: int, folder: Path, seed: int = 0) -> tuple[Path, Path]:
    """A WXR and a Disqus export of one made-up site, from bench/corpus.py
    (loaded by path: bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("corpus", REPO / "bench" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    wxr, disqus = module.generate(comments, folder, seed=seed)
    return Path(wxr), Path(disqus)


@pytest.fixture(scope="session")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated SQLite store, to copy for each hypothesis example
    (migrating is slow)."""
    from wxrbridge.store import open_store

    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    with open_store(f"sqlite:///{path}"):
        pass
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def stored(tmp_path: Path) -> str:
    """A SQLite store holding samples/agency-blog.wxr.xml, by its URL."""
    from wxrbridge import api

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with api.open_store(url) as store:
        api.import_files(store, [SAMPLES / "agency-blog.wxr.xml"])
    return url
