"""The loader keeps only the threads used lately (load_thread_ids.py): a
window too small to hold a file's threads must store what the default one
stores, whether the forgotten threads are asked of the store (one site) or
kept after all (a second site, a merge)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from conftest import generate_corpus
from sqlalchemy import select

from wxrbridge import api
from wxrbridge.records import Comment, Record, Source, Thread
from wxrbridge.store import Store, load_thread_ids, open_store
from wxrbridge.store.load_thread_ids import ThreadIds
from wxrbridge.store.tables import comments_t, issues_t, threads_t

SMALL = 8


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A WXR of some 110 threads and the Disqus export of the same site,
    whose threads all come before its first post."""
    return generate_corpus(2_000, tmp_path_factory.mktemp("corpus"), seed=5)


def _stored(url: str, load: Callable[[Store], object], out: Path) -> tuple[bytes, list]:
    """The store's JSON Lines export and its issues, after ``load``."""
    with open_store(url) as store:
        load(store)
        api.export(store, out, format="jsonl")
        with store.engine.connect() as connection:
            issues = sorted(connection.execute(
                select(issues_t.c.code, issues_t.c.record_key, issues_t.c.reason)).all())
    return out.read_bytes(), issues


def _alike(
    tmp_path: Path, url: str, second_url: str, monkeypatch: pytest.MonkeyPatch,
    load: Callable[[Store], object],
) -> list:
    wide = _stored(url, load, tmp_path / "wide.jsonl")
    with monkeypatch.context() as patch:
        patch.setattr(load_thread_ids, "WINDOW", SMALL)
        narrow = _stored(second_url, load, tmp_path / "narrow.jsonl")
    assert narrow == wide
    return wide[1]


def _second(url: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'second.sqlite'}" if url.startswith("sqlite") else url


def _import(*paths: Path) -> Callable[[Store], object]:
    return lambda store: api.import_files(store, list(paths), read_ahead=False)


def test_a_wxr_is_stored_alike_with_a_small_window(
    corpus: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'first.sqlite'}"
    _alike(tmp_path, url, _second(url, tmp_path), monkeypatch, _import(corpus[0]))


def test_a_disqus_export_asks_the_store_for_the_threads_it_let_go(
    corpus: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'first.sqlite'}"
    issues = _alike(tmp_path, url, _second(url, tmp_path), monkeypatch, _import(corpus[1]))
    assert not [issue for issue in issues if issue[0] == "thread-missing"]


def test_a_disqus_export_merged_into_its_wxr_is_stored_alike(
    corpus: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'first.sqlite'}"
    _alike(tmp_path, url, _second(url, tmp_path), monkeypatch, _import(*corpus))


def _two_sites() -> list[Record]:
    """Two sites in one stream; the second's comments name the first's
    threads as well as its own, as a map of every key the stream wrote
    answers them (the later site's thread where both have the key)."""
    records: list[Record] = []
    for site, first, count in (("a.example", 0, 40), ("b.example", 30, 20)):
        records.append(Source(origin="wxr", site=site, name=f"{site}.xml"))
        for n in range(first, first + count):
            records.append(Thread(origin="wxr", key=str(n), title=f"{site} {n}"))
        for n in range(60):
            records.append(Comment(origin="wxr", key=f"{site}-{n}", thread=str(n),
                                   content=f"comment {n}", created_at="2020-01-01 00:00:00"))
    return records


def test_a_second_site_keeps_every_thread_of_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def load(store: Store) -> None:
        store.load(_two_sites())

    url = f"sqlite:///{tmp_path / 'first.sqlite'}"
    issues = _alike(tmp_path, url, _second(url, tmp_path), monkeypatch, load)
    missing = [key for code, key, _ in issues if code == "thread-missing"]
    assert sorted(missing) == sorted(
        [f"comment a.example-{n}" for n in range(40, 60)]
        + [f"comment b.example-{n}" for n in range(50, 60)])
    with open_store(_second(url, tmp_path)) as store:
        given = dict(_threads_of_comments(store))
    assert [given[f"b.example-{n}"] for n in (0, 29, 30, 49, 50)] == [
        "a.example", "a.example", "b.example", "b.example", None]


def _threads_of_comments(store: Store) -> list[tuple[str, str | None]]:
    """Each comment's key and the site of the thread it was given."""
    c, t = comments_t, threads_t
    with store.engine.connect() as connection:
        return sorted(connection.execute(
            select(c.c.key, t.c.site).select_from(c.outerjoin(t, t.c.id == c.c.thread_id))
        ).all())


def _wrote(ids: ThreadIds, site: str, source_id: int, keys: Iterable[str],
           id_of: Callable[[str], int]) -> None:
    ids.wrote(site, "wxr", source_id, ((key, id_of(key)) for key in keys))


def test_the_window_holds_only_the_threads_used_lately(store_url: str) -> None:
    records: list[Record] = [Source(origin="wxr", site="s", name="s.xml")]
    records += [Thread(origin="wxr", key=str(n)) for n in range(100)]
    with open_store(store_url) as store:
        store.load(records)
        with store.engine.connect() as connection:
            stored = dict(connection.execute(select(threads_t.c.key, threads_t.c.id)).all())
            source_id = connection.execute(select(threads_t.c.source_id)).scalars().first()
            assert source_id is not None
            ids = ThreadIds(connection, window=SMALL)
            _wrote(ids, "s", source_id, [str(n) for n in range(100)], stored.__getitem__)
            assert len(ids) <= 2 * SMALL
            # Those let go are read back, one query for all; others are not there.
            assert ids.ids_of(["3", "97", "nothing", "3"]) == {"3": stored["3"],
                                                               "97": stored["97"]}
            assert len(ids) <= 2 * SMALL
            assert ids["50"] == stored["50"]
            with pytest.raises(KeyError):
                ids["nothing"]
            # A merged thread: every key is kept from then on.
            ids.merged("elsewhere", stored["7"])
            assert ids.keeps_all and len(ids) == 101
            assert ids.ids_of(["elsewhere", "0"]) == {"elsewhere": stored["7"], "0": stored["0"]}
