"""Hostile XML: nothing in a file may make a reader open a file, reach the
network or expand entities until the machine runs out of memory.

Both readers parse with entities left unexpanded, no DTD loading and no
network; these tests hold them to it, in strict and in recover mode, and
follow the data through the store into every export format.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from wxrbridge import api
from wxrbridge.errors import InputError
from wxrbridge.records import ImportIssue, Record

SECRET = "vault-combination-90210-do-not-leak"

WXR_HEAD = (
    '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"'
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n'
    "<title>Hostile</title>\n<wp:wxr_version>1.2</wp:wxr_version>\n"
    "<wp:base_blog_url>https://hostile.example.org</wp:base_blog_url>\n"
)


def wxr(doctype: str, field: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n{WXR_HEAD}'
        f"<item><title>{field}</title><wp:post_id>1</wp:post_id>\n"
        "<wp:comment><wp:comment_id>5</wp:comment_id>"
        f"<wp:comment_author>{field}</wp:comment_author>"
        f"<wp:comment_content>before {field} after</wp:comment_content>"
        "<wp:comment_parent>0</wp:comment_parent></wp:comment>\n"
        "</item>\n</channel>\n</rss>\n"
    )


def disqus(doctype: str, field: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        f'<thread dsq:id="1"><forum>hostile</forum><title>{field}</title></thread>\n'
        f'<post dsq:id="5"><message>before {field} after</message>'
        f'<author><name>{field}</name></author><thread dsq:id="1"/></post>\n'
        "</disqus>\n"
    )


BUILDERS = {"wxr": wxr, "disqus": disqus}


def everything_said(records: list[Record]) -> str:
    """Every value and issue text a reader produced, fragments included."""
    return repr(records)


def exports(path: Path, tmp_path: Path, recover: bool) -> Iterator[bytes]:
    """The file through a store and out again in each text format."""
    with api.open_store(f"sqlite:///{tmp_path / 'hostile.sqlite'}") as store:
        api.import_files(store, [path], recover=recover)
        for name in ("wxr", "disqus", "jsonl"):
            target = tmp_path / f"out.{name}"
            api.export(store, target, format=name, **({"keep_ids": True} if name == "wxr" else {}))
            yield target.read_bytes()


@pytest.fixture
def listener() -> Iterator[tuple[int, socket.socket]]:
    """A TCP port on 127.0.0.1 that records whether anyone connected."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.3)
    try:
        yield server.getsockname()[1], server
    finally:
        server.close()


def assert_no_connection(server: socket.socket) -> None:
    try:
        connection, _ = server.accept()
    except TimeoutError:
        return
    connection.close()
    pytest.fail("the reader connected to the network")


# -- external entities --------------------------------------------------------


@pytest.mark.parametrize("recover", [False, True], ids=["strict", "recover"])
@pytest.mark.parametrize("kind", ["wxr", "disqus"])
def test_external_entity_to_a_local_file_is_never_read(
    tmp_path: Path, kind: str, recover: bool
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doctype = f'<!DOCTYPE root [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
    path = tmp_path / f"xxe.{kind}.xml"
    path.write_text(BUILDERS[kind](doctype, "&leak;"))
    records = list(api.read(path, recover=recover))
    assert SECRET not in everything_said(records)
    assert any(isinstance(r, ImportIssue) and r.code == "unexpanded-entity" for r in records)
    for data in exports(path, tmp_path, recover):
        assert SECRET.encode() not in data


@pytest.mark.parametrize("recover", [False, True], ids=["strict", "recover"])
@pytest.mark.parametrize("kind", ["wxr", "disqus"])
def test_parameter_entity_and_external_dtd_are_never_fetched(
    tmp_path: Path, kind: str, recover: bool, listener: tuple[int, socket.socket]
) -> None:
    port, server = listener
    # A local DTD that would define the entity from the secret, if loaded.
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "{secret.as_uri()}">')
    doctypes = [
        f'<!DOCTYPE root SYSTEM "http://127.0.0.1:{port}/evil.dtd">',
        f'<!DOCTYPE root PUBLIC "-//Evil//DTD//EN" "http://127.0.0.1:{port}/p.dtd">',
        f'<!DOCTYPE root [<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/x.dtd"> %remote;]>',
        f'<!DOCTYPE root [<!ENTITY % local SYSTEM "{dtd.as_uri()}"> %local;]>',
        f'<!DOCTYPE root SYSTEM "{dtd.as_uri()}">',
    ]
    for number, doctype in enumerate(doctypes):
        path = tmp_path / f"dtd{number}.xml"
        path.write_text(BUILDERS[kind](doctype, "&leak;"))
        try:
            records = list(api.read(path, recover=recover))
        except InputError:
            # Refusing the file is fine too; fetching anything is not.
            records = []
        assert SECRET not in everything_said(records), doctype
    assert_no_connection(server)


# -- entity expansion ---------------------------------------------------------

_MEASURE = textwrap.dedent(
    """
    import io, json, sys, time
    from wxrbridge import formats
    from wxrbridge.errors import InputError
    from wxrbridge.inputs import HashingReader, InputFile

    data = sys.stdin.buffer.read()
    result = {}
    for recover in (False, True):
        start = time.process_time()
        item = InputFile("bomb.xml", HashingReader(io.BytesIO(data)))
        try:
            records = list(formats.read_input(item, format=sys.argv[1], recover=recover))
            outcome = [type(r).__name__ + ":" + getattr(r, "code", "") for r in records]
        except InputError as exc:
            outcome = "InputError: " + str(exc)
        result[str(recover)] = {"seconds": time.process_time() - start, "outcome": outcome}
    # VmHWM is this process's own peak; ru_maxrss would carry over the
    # parent's (pytest's) and measure that instead.
    with open("/proc/self/status", encoding="ascii") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    result["peak_mb"] = int(hwm.split()[1]) / 1024
    print(json.dumps(result))
    """
)


def billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    for level in range(1, 12):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return f"<!DOCTYPE root [{''.join(entities)}]>"


def quadratic_blowup() -> tuple[str, str]:
    doctype = f'<!DOCTYPE root [<!ENTITY big "{"x" * 100_000}">]>'
    return doctype, "&big;" * 20_000


@pytest.mark.parametrize("bomb", ["billion-laughs", "quadratic"])
@pytest.mark.parametrize("kind", ["wxr", "disqus"])
def test_entity_bombs_are_refused_fast_and_small(kind: str, bomb: str) -> None:
    if bomb == "billion-laughs":
        document = BUILDERS[kind](billion_laughs(), "&lol11;")
    else:
        doctype, field = quadratic_blowup()
        document = BUILDERS[kind](doctype, field)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, kind], input=document.encode(),
        capture_output=True, timeout=60, env=env, check=True,
    )
    result = json.loads(done.stdout)
    strict, recovered = result["False"], result["True"]
    assert strict["outcome"].startswith("InputError"), strict
    assert "entity expansion refused" in strict["outcome"]
    assert ":" in strict["outcome"].split(" not well-formed")[0]  # file:line:column
    # Recover mode reads on and says what it did with the entity.
    assert isinstance(recovered["outcome"], list), recovered
    assert any(o.startswith("ImportIssue:") for o in recovered["outcome"])
    # CPU seconds, not wall, and far above a normal parse (well under one):
    # an expansion that ran would take minutes and gigabytes, and the memory
    # bound below is the sharper check. A loaded machine must not fail it.
    assert strict["seconds"] < 10 and recovered["seconds"] < 10, result
    assert result["peak_mb"] < 100, result
