"""A first WordPress load into SQLite builds the secondary indexes at its end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES
from sqlalchemy import Engine
from test_store import sample_records

from wxrbridge import api
from wxrbridge.store import open_store
from wxrbridge.store.load_indexes import DeferredIndexes

DEFERRED = {"ix_comments_parent_id", "ix_comments_dsq_id", "ix_comments_thread_id",
            "ix_comments_merged_key", "ix_comment_meta_comment_id"}


def _indexes(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")]


def _missing_at_restore(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The deferred indexes absent each time the loader restores them."""
    seen: list[set[str]] = []
    restore = DeferredIndexes.restore

    def watched(self: DeferredIndexes) -> None:
        present = set(self.connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
        seen.append(DEFERRED - present)
        restore(self)

    monkeypatch.setattr(DeferredIndexes, "restore", watched)
    return seen


def test_first_wxr_load_builds_the_indexes_after_its_rows(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(sqlite_url) as store:
        before = _indexes(store.engine)
        seen = _missing_at_restore(monkeypatch)
        store.load(sample_records())
        assert DEFERRED in seen  # loaded without them
        assert _indexes(store.engine) == before
        # The store now holds comments: a second load keeps its indexes.
        seen.clear()
        store.load(sample_records())
        assert not any(seen)
        assert _indexes(store.engine) == before


def test_failed_first_load_leaves_the_indexes(sqlite_url: str) -> None:
    def broken() -> Any:
        yield from sample_records()
        raise RuntimeError("the file ended early")

    with open_store(sqlite_url) as store:
        before = _indexes(store.engine)
        with pytest.raises(RuntimeError):
            store.load(broken())
        assert _indexes(store.engine) == before
        assert store.stats()["comments"] == 0


def test_disqus_first_load_keeps_its_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its batches are matched against stored rows by those columns.
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    seen = _missing_at_restore(monkeypatch)
    with open_store(url) as store:
        api.import_files(store, [str(SAMPLES / "agency-blog.disqus.xml.gz")])
    assert not any(seen)
