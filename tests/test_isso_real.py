"""Against the real Isso: its server shows what wxrbridge wrote, and what
its own importer made of a WXR file reads back with exactly its known
losses.

Isso is installed from PyPI into a virtual environment of its own, once
(kept in pytest's cache folder, or the temporary folder without one).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import urlopen

import pytest
from conftest import SAMPLES

from wxrbridge import api, canonical
from wxrbridge.records import Comment, Thread

ISSO = "isso==0.14.0"
WXR = SAMPLES / "agency-blog.wxr.xml"
THREADING = Path(__file__).parent / "data" / "wxr" / "threading.xml"
WAIT = 30.0  # seconds, for the server to answer


@pytest.fixture(scope="session")
def isso(request: pytest.FixtureRequest) -> Path:
    """The ``isso`` command of a virtual environment holding Isso."""
    cache = getattr(request.config, "cache", None)
    base = (Path(cache.mkdir("isso")) if cache is not None
            else Path(tempfile.gettempdir()) / "wxrbridge-test-isso")
    base.mkdir(parents=True, exist_ok=True)
    venv = base / f"{ISSO.replace('==', '-')}-py{sys.version_info[0]}{sys.version_info[1]}"
    command = venv / "bin" / "isso"
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / ".complete").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
            done = subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                 "--disable-pip-version-check", ISSO],
                capture_output=True, text=True, timeout=600,
            )
            if done.returncode != 0:
                pytest.fail(f"pip could not install {ISSO}:\n{done.stderr[-2000:]}")
            (venv / ".complete").touch()
    return command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(folder: Path, db: Path, port: int, renderer: str = "mistune") -> Path:
    path = folder / "isso.cfg"
    path.write_text(
        f"[general]\ndbpath = {db}\nhost = http://127.0.0.1:{port}/\n"
        f"[server]\nlisten = http://127.0.0.1:{port}/\n"
        f"[guard]\nenabled = false\n[markup]\nrenderer = {renderer}\n"
    )
    return path


@contextlib.contextmanager
def isso_server(
    isso: Path, db: Path, folder: Path, renderer: str = "mistune"
) -> Iterator[str]:
    """Isso serving ``db`` on 127.0.0.1; its base URL once it answers."""
    port = _free_port()
    log = folder / "isso.log"
    config = _config(folder, db, port, renderer)
    with open(log, "wb") as output:
        server = subprocess.Popen([str(isso), "-c", str(config), "run"],
                                  stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                urlopen(f"{url}/latest", timeout=2).close()
                break
            except HTTPError:
                break  # it answers
            except (URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Isso did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.1)
        yield url
    finally:
        server.kill()
        server.wait(timeout=10)


def _get(url: str) -> Any:
    with urlopen(url, timeout=10) as response:
        return json.load(response)


def shown(base: str, uri: str, plain: bool = True) -> dict[int, dict[str, Any]]:
    """Every comment Isso's API shows on a page, by id: the page's
    comments with their replies, and each reply's own replies (which the
    page does not nest) fetched by ``parent``; the stored text (``plain``)
    or the HTML Isso renders from it."""
    found: dict[int, dict[str, Any]] = {}
    page = f"{base}/?uri={quote(uri, safe='')}&plain={int(plain)}"
    todo = list(_get(page)["replies"])
    while todo:
        comment = todo.pop()
        found[comment["id"]] = comment
        nested = comment.get("replies")
        if nested is None:
            nested = _get(f"{page}&parent={comment['id']}")["replies"]
        todo.extend(nested)
    return found


def _epoch(raw: str | None) -> float:
    parsed = canonical.parse_utc(raw)
    assert parsed is not None
    return parsed.replace(tzinfo=timezone.utc).timestamp()


def test_isso_shows_every_comment_wxrbridge_wrote(isso: Path, tmp_path: Path) -> None:
    db = tmp_path / "comments.db"
    api.convert(WXR, db, to="isso")
    api.convert(THREADING, db, to="isso")  # merged into the same database
    expected: dict[int, tuple[str, Comment]] = {}
    parents: dict[int, int | None] = {}
    for source in (WXR, THREADING):
        with api.scratch_store([source]) as (store, _):
            uri_of = {}
            for record in store.records():
                if isinstance(record, Thread):
                    link = urlsplit(record.link or "")
                    uri_of[record.key] = link.path + (f"?{link.query}" if link.query else "")
                if not isinstance(record, Comment):
                    continue
                if (canonical.comment_status(record) == canonical.APPROVED
                        and canonical.comment_type(record) == "comment"):
                    expected[int(record.key)] = (uri_of[record.thread], record)
                    parents[int(record.key)] = (None if record.parent_key is None
                                                else int(record.parent_key))
    con = sqlite3.connect(db)
    uris = [row[0] for row in con.execute("SELECT uri FROM threads")]
    con.close()
    assert set(uri for uri, _ in expected.values()) <= set(uris)
    with isso_server(isso, db, tmp_path) as base:
        seen: dict[int, tuple[str, dict[str, Any]]] = {}
        escaped: dict[int, str] = {}
        for uri in uris:
            seen.update((key, (uri, c)) for key, c in shown(base, uri).items())
            escaped.update((key, c["text"]) for key, c in shown(base, uri, False).items())
    with isso_server(isso, db, tmp_path, renderer="misaka") as base:
        rendered = {key: c["text"] for uri in uris for key, c in shown(base, uri, False).items()}
    assert sorted(seen) == sorted(expected)
    for key, (uri, comment) in expected.items():
        their_uri, theirs = seen[key]
        assert their_uri == uri
        assert theirs["parent"] == parents[key], key
        assert theirs["created"] == _epoch(comment.created_at), key
        assert theirs["text"] == comment.content, key  # the raw text, as stored
        assert theirs["author"] == comment.author_name and theirs["mode"] == 1
        # The HTML shows as HTML with the misaka renderer (its sanitiser keeps
        # links and emphasis) and as text with mistune, Isso's default, which
        # escapes every tag.
        for tag in ("<a href=", "<strong>", "<em>", "<blockquote>"):
            if tag in (comment.content or ""):
                assert tag in rendered[key], (key, tag)
                assert tag not in escaped[key]
                assert tag.replace("<", "&lt;").replace(">", "&gt;") in escaped[key]


def _isso_text(text: str) -> str:
    """What Isso's importer makes of a comment's text: every newline but a
    leading one doubled into a Markdown line break, then stripped."""
    head, rest = (text[:1], text[1:]) if text.startswith("\n") else ("", text)
    return (head + rest.replace("\n", "  \n")).strip()


OFFSET = timedelta(hours=3)  # TZ=Etc/GMT-3, three hours east of UTC


@pytest.mark.parametrize("source", [WXR, THREADING], ids=["agency", "threading"])
def test_isso_import_loses_exactly_its_known_losses(
    isso: Path, tmp_path: Path, source: Path
) -> None:
    db = tmp_path / "imported.db"
    subprocess.run(
        [str(isso), "-c", str(_config(tmp_path, db, _free_port())), "import", str(source)],
        check=True, capture_output=True, timeout=120, env={**os.environ, "TZ": "Etc/GMT-3"},
    )
    report = api.verify(source, db)
    original = {c.key: c for c in api.read(source) if isinstance(c, Comment)}
    with api.scratch_store([source]) as (store, _):
        stored_parent = {c.key: c.parent_key for c in store.records() if isinstance(c, Comment)}
    con = sqlite3.connect(db)
    isso_parents = {p for (p,) in con.execute("SELECT parent FROM comments") if p is not None}
    isso_top = {i for (i,) in con.execute("SELECT id FROM comments WHERE parent IS NULL")}
    con.close()

    kinds = set()
    for d in report.differences:
        assert d.kind == "changed" and d.what == "comment", str(d)
        a = original[d.key]
        kinds.add(d.field)
        if d.field == "type":  # pingbacks and trackbacks become comments
            assert d.a in ("pingback", "trackback") and d.b == "comment"
        elif d.field == "status":  # spam and trash become pending
            assert d.a in (canonical.SPAM, canonical.TRASH) and d.b == canonical.PENDING
        elif d.field == "created_at":  # UTC read as local time
            moved = datetime.fromisoformat(d.b[:-1]) - datetime.fromisoformat(d.a[:-1])
            assert moved == -OFFSET
        elif d.field == "content":
            assert d.b == _isso_text(a.content or "")
        elif d.field == "parent":
            # A reply to a reply moves under its top-level comment; a parent
            # the file lacks (or one cut from a cycle) is dropped.
            parent = stored_parent[d.key]
            if parent is None:
                assert d.b is None
            else:
                assert stored_parent[parent] is not None and int(d.b) in isso_top
        else:
            pytest.fail(f"not a known loss: {d}")
    assert isso_parents <= isso_top  # Isso keeps one level
    shifted = sum(d.field == "created_at" for d in report.differences)
    assert shifted == len(original)  # every date, not some
    assert report.comments == (len(original), len(original))
    if source == WXR:
        assert kinds == {"type", "status", "created_at", "content"}
    else:
        assert kinds == {"created_at", "parent"}
