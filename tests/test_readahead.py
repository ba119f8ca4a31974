"""Reading ahead in a second process gives exactly what reading in-process
gives: the same rows, issues, errors and progress."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES, generate_corpus

from wxrbridge import readahead
from wxrbridge.api import import_files, open_store
from wxrbridge.errors import InputError

DATA = REPO / "tests" / "data"

pytestmark = pytest.mark.skipif(
    not readahead.available(str(SAMPLES / "agency-blog.wxr.xml")),
    reason="reading ahead needs a second core",
)


def _import(tmp_path: Path, name: str, paths: list[Path], **options: object) -> tuple:
    progress: list[int] = []
    with open_store(f"sqlite:///{tmp_path / name}") as store:
        reports = import_files(store, paths, progress=progress.append, **options)
        records = list(store.records())
        stats = store.stats()
    issues = [(i.code, i.severity, i.reason, i.line, i.column, i.record_key)
              for report in reports for i in report.issues]
    counts = [dict(report.counts) for report in reports]
    return records, stats, issues, counts, sum(progress)


def _both(tmp_path: Path, paths: list[Path], **options: object) -> tuple:
    ahead = _import(tmp_path, "ahead.sqlite", paths, read_ahead=True, **options)
    here = _import(tmp_path, "here.sqlite", paths, read_ahead=False, **options)
    return ahead, here


@pytest.mark.parametrize("names", [
    ["samples/agency-blog.wxr.xml", "samples/agency-blog.disqus.xml.gz"],
    ["samples/wpcom-pretty.wxr.xml", "samples/legacy-1.0.wxr.xml"],
    # Elements after the last item reach the Source after it was sent.
    ["tests/data/wxr/extras.xml"],
    ["tests/data/disqus/full.xml"],
])
def test_same_store_either_way(tmp_path: Path, names: list[str]) -> None:
    ahead, here = _both(tmp_path, [REPO / name for name in names])
    assert ahead == here
    records, stats, _issues, counts, read = ahead
    assert stats["comments"] > 0 and records
    assert read == sum((REPO / name).stat().st_size for name in names)


def test_what_follows_the_last_item_is_kept(tmp_path: Path) -> None:
    # The reading process sends the Source with the first batch; what
    # follows the last item reaches it later, and must still arrive.
    wxr, _disqus = generate_corpus(1200, tmp_path)
    text = wxr.read_bytes()
    text = text.replace(b"</channel>", b'<x:after xmlns:x="urn:x">after the items</x:after>'
                        b"</channel>").replace(
        b"</rss>", b'<x:trailer xmlns:x="urn:x">after the channel</x:trailer></rss>')
    wxr.write_bytes(text)
    ahead, here = _both(tmp_path, [wxr])
    assert ahead == here
    source = ahead[0][0]
    kept = {extra.name for extra in source.extras}
    assert {"{urn:x}after", "{urn:x}trailer"} <= kept


def test_documents_of_a_zip_each_keep_their_hash(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(SAMPLES / "agency-blog.wxr.xml", "part-1.xml")
        out.write(DATA / "wxr" / "threading.xml", "part-2.xml")
    ahead, here = _both(tmp_path, [archive])
    assert ahead == here
    assert len(ahead[3]) == 2  # one report per document


def test_recovered_file_gives_the_same_issues(tmp_path: Path) -> None:
    ahead, here = _both(tmp_path, [SAMPLES / "broken.wxr.xml"], recover=True)
    assert ahead == here
    assert ahead[2]  # the repairs are reported


def test_an_error_keeps_its_place(tmp_path: Path) -> None:
    broken = DATA / "broken" / "wxr-truncated.xml"
    errors = []
    for read_ahead in (True, False):
        path = tmp_path / f"{read_ahead}.sqlite"
        with open_store(f"sqlite:///{path}") as store:
            with pytest.raises(InputError) as caught:
                import_files(store, [broken], read_ahead=read_ahead)
        assert not path.exists()  # nothing stored: not even the new, empty store
        errors.append((type(caught.value), str(caught.value), caught.value.line))
    assert errors[0] == errors[1]
    assert errors[0][2] is not None


def test_a_large_file_is_read_ahead_unasked(tmp_path: Path) -> None:
    wxr, _disqus = generate_corpus(8000, tmp_path)
    assert wxr.stat().st_size >= readahead._WORTHWHILE
    assert readahead.worthwhile(str(wxr), None)
    assert not readahead.worthwhile(str(SAMPLES / "agency-blog.wxr.xml"), None)
    assert not readahead.worthwhile("-", True)
    ahead, here = _both(tmp_path, [wxr])
    assert ahead == here
    assert ahead[1]["comments"] == 8000


def test_a_wxrbridge_folder_in_the_current_one_is_not_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reading process imports the caller's own copy of wxrbridge.
    decoy = tmp_path / "here" / "wxrbridge"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the wrong wxrbridge')\n")
    monkeypatch.chdir(decoy.parent)
    ahead = _import(tmp_path, "ahead.sqlite", [SAMPLES / "agency-blog.wxr.xml"],
                    read_ahead=True)
    assert ahead[1]["comments"] == 64


def test_the_reading_process_leaves_the_store_alone() -> None:
    # It imports the readers only: SQLAlchemy would double its memory.
    code = (
        "import sys, wxrbridge.readahead, wxrbridge.formats as f; f.formats(); "
        "print('sqlalchemy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_a_store_read_ahead_gives_the_same_records(store_url: str) -> None:
    # On every backend, with text of every width (an emoji among it).
    from wxrbridge.records import Comment, Source, Thread
    from wxrbridge.store import Selection

    extra = [
        Source(origin="disqus", site="emoji", name="e.xml"),
        Thread(origin="disqus", key="t", title="Thread \U0001F600"),
        Comment(origin="disqus", key="c", thread="t", content="smile \U0001F600 ]]> \u00e9"),
    ]
    with open_store(store_url) as store:
        import_files(store, [SAMPLES / "agency-blog.wxr.xml",
                             SAMPLES / "agency-blog.disqus.xml.gz"])
        store.load(extra)
        for selection in (None, Selection(types=["pingback"])):
            here = list(store.records(selection, read_ahead=False))
            ahead = list(store.records(selection, read_ahead=True))
            assert ahead == here
            assert len(here) > 3


def test_an_export_read_ahead_is_the_same_file(tmp_path: Path) -> None:
    from wxrbridge.api import export

    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        import_files(store, [SAMPLES / "agency-blog.wxr.xml"])
        for name in ("wxr", "disqus", "jsonl"):
            outputs = []
            for read_ahead in (True, False):
                target = tmp_path / f"{name}-{read_ahead}.out"
                export(store, target, format=name, read_ahead=read_ahead)
                outputs.append(target.read_bytes())
            if name == "wxr":  # the channel's pubDate is the time of writing
                outputs = [b"".join(line for line in out.splitlines(keepends=True)
                                    if b"<pubDate>" not in line) for out in outputs]
            assert outputs[0] == outputs[1]


def test_an_error_reading_a_store_ahead_is_the_error_read_here(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "store.sqlite"
    with open_store(f"sqlite:///{path}") as store:
        import_files(store, [SAMPLES / "agency-blog.wxr.xml"])
        with sqlite3.connect(path) as connection:
            connection.execute("DROP TABLE comment_meta")
        errors = []
        for read_ahead in (True, False):
            with pytest.raises(Exception) as raised:
                list(store.records(read_ahead=read_ahead))
            errors.append((type(raised.value), str(raised.value).splitlines()[0]))
    assert errors[0] == errors[1]
    assert "no such table: comment_meta" in errors[0][1]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The command line of every reading process started."""
    commands: list[list[str]] = []
    popen = subprocess.Popen

    def spy(args: list[str], **options: object) -> subprocess.Popen:
        commands.append(list(args))
        return popen(args, **options)

    monkeypatch.setattr(readahead.subprocess, "Popen", spy)
    return commands


def test_what_the_reading_process_reads_stays_off_its_command_line(
    tmp_path: Path, started: list[list[str]]
) -> None:
    # Any user of the machine can read a command line; a store's URL holds
    # its password, so it (and a file's name) reach the process on stdin.
    path = tmp_path / "store-secret.sqlite"
    with open_store(f"sqlite:///{path}") as store:
        import_files(store, [SAMPLES / "agency-blog.wxr.xml"], read_ahead=True)
        assert list(store.records(read_ahead=True))
    assert len(started) == 2
    for args in started:
        assert not any("secret" in arg or "agency-blog" in arg for arg in args), args


def test_an_export_reads_the_store_in_its_own_process_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[list[str]]
) -> None:
    # A second reading process wins wall time only on an idle core and costs
    # the CPU of its start-up and of sending every record across.
    from wxrbridge.api import export

    monkeypatch.setattr(readahead, "_WORTHWHILE", 0)  # as if the store were large
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        import_files(store, [SAMPLES / "agency-blog.wxr.xml"], read_ahead=False)
        export(store, tmp_path / "site", format="html")
        assert started == []
        export(store, tmp_path / "site.wxr", format="wxr")
        assert started == []
        export(store, tmp_path / "again", format="html", read_ahead=True)
        assert len(started) == 1
