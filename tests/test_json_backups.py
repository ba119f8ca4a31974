"""Remark42 backups and Commento exports: read, stored, written back.

The fixtures in tests/data/remark42 and tests/data/commento are our own,
built to the shapes of Remark42's ``store.Comment``/``store.User`` and the
meta line of ``migrator/native.go``, and of Commento's ``comment`` and
``commenter`` structs as ``domain_export.go`` writes them (commenters
repeated once per comment, as its join gives them).
"""

from __future__ import annotations

import gzip
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, SAMPLES

from wxrbridge import api
from wxrbridge.canonical import comment_status
from wxrbridge.cli import cli
from wxrbridge.errors import InputError
from wxrbridge.formats import detect
from wxrbridge.formats.commento import read_commento, write_commento
from wxrbridge.formats.remark42 import read_remark42, write_remark42
from wxrbridge.formats.wxr import read_wxr, write_wxr
from wxrbridge.records import Comment, ImportIssue, Record, Source, Thread
from wxrbridge.store import open_store

DATA = REPO / "tests" / "data"
REMARK = DATA / "remark42" / "backup-blog.jsonl"
COMMENTO = DATA / "commento" / "export-blog.commento.json"


def _gz(path: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    target.write_bytes(gzip.compress(path.read_bytes()))
    return target


def _remark_lines(data: bytes) -> tuple[Any, dict[str, Any]]:
    lines = [json.loads(line) for line in data.splitlines()]
    return lines[0], {c["id"]: c for c in lines[1:]}


def _commento(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    doc = json.loads(data)
    return ({c["commentHex"]: c for c in doc["comments"]},
            {c["commenterHex"]: c for c in doc["commenters"]})


def _instant(text: str) -> datetime:
    """An RFC 3339 time to the second, in UTC."""
    return datetime.fromisoformat(re.sub(r"\.\d+", "", text).replace("Z", "+00:00")
                                  ).astimezone(timezone.utc)


def _stored_comments(url: str) -> int:
    with open_store(url) as store:
        return int(store.stats()["comments"])


# -- detection ----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "name"), [(REMARK, "remark42"), (COMMENTO, "commento")])
def test_detected_by_their_first_bytes(path: Path, name: str) -> None:
    assert detect(path.read_bytes()[:4096]).name == name


def test_detection_tells_them_from_each_other_and_from_xml() -> None:
    from wxrbridge.formats import get

    remark = b'{"version":1,"users":[],"posts":[]}\n'
    commento = b'{\n  "version": 1,\n  "comments": [],\n  "commenters": []\n}'
    assert detect(remark).name == "remark42" and detect(commento).name == "commento"
    for name in ("wxr", "disqus"):
        fmt = get(name)
        assert fmt.detect is not None
        assert not fmt.detect(remark) and not fmt.detect(commento)
    xml = (SAMPLES / "agency-blog.wxr.xml").read_bytes()[:4096]
    for name in ("remark42", "commento"):
        own = get(name).detect
        assert own is not None
        # Neither takes XML, nor a JSON document of another shape.
        assert not own(xml) and not own(b'{"version":1,"items":[]}')


# -- round trips through the store ----------------------------------------------------


def test_remark42_backup_comes_back_identical(tmp_path: Path) -> None:
    source = _gz(REMARK, tmp_path, "backup-blog-20240101.gz")
    target = tmp_path / "back.remark42.gz"
    result = api.convert(source, target, to="remark42")
    assert result.written.left_out == [] and result.written.notes == []
    original = _remark_lines(REMARK.read_bytes())
    back = _remark_lines(gzip.decompress(target.read_bytes()))
    assert back == original
    # Comments of a post stay together, in the backup's order.
    assert list(back[1]) == list(original[1])


def test_remark42_without_gz_is_plain_json_lines(tmp_path: Path) -> None:
    target = tmp_path / "back.remark42"
    api.convert(REMARK, target, to="remark42", site_id="other")
    header, comments = _remark_lines(target.read_bytes())
    assert {c["locator"]["site"] for c in comments.values()} == {"other"}


def test_commento_export_comes_back_identical(tmp_path: Path) -> None:
    source = _gz(COMMENTO, tmp_path, "commento-export.json.gz")
    target = tmp_path / "back.json"
    result = api.convert(source, target, to="commento")
    assert result.written.left_out == [] and result.written.notes == []
    # Always gzip: Commento's import gunzips what it downloads.
    data = gzip.decompress(target.read_bytes())
    assert _commento(data) == _commento(COMMENTO.read_bytes())
    # Written as Go's encoder writes it: HTML characters escaped.
    assert b"\\u003c3 \\u0026 thanks" in data


# -- through WXR and back: what each keeps -------------------------------------------


def test_remark42_through_wxr_keeps_threads_and_kept_keys(tmp_path: Path) -> None:
    wxr = tmp_path / "out.xml"
    back = tmp_path / "back.remark42"
    api.convert(REMARK, wxr, to="wxr")
    report = api.convert(wxr, back, to="remark42").written
    _, original = _remark_lines(REMARK.read_bytes())
    _, copy = _remark_lines(back.read_bytes())
    assert set(copy) == set(original)
    for key, comment in original.items():
        again = dict(copy[key])
        # WXR holds whole seconds; a parent no comment has is cut.
        assert _instant(again.pop("time")) == _instant(comment["time"])
        assert {k: v for k, v in again.items() if k not in ("pid",)} == {
            k: v for k, v in comment.items() if k not in ("pid", "time")}
    assert copy["6f1c2a34-0004-4bcd-9e00-000000000004"]["pid"] == (
        "6f1c2a34-0003-4bcd-9e00-000000000003")
    assert any("local dates" in line for line in report.left_out)


def test_commento_through_wxr_keeps_commenters_and_states(tmp_path: Path) -> None:
    wxr = tmp_path / "out.xml"
    back = tmp_path / "back.commento.gz"
    api.convert(COMMENTO, wxr, to="wxr")
    api.convert(wxr, back, to="commento")
    comments, commenters = _commento(gzip.decompress(back.read_bytes()))
    original, people = _commento(COMMENTO.read_bytes())
    assert set(comments) == set(original) and set(commenters) == set(people)
    for key, comment in original.items():
        assert {k: v for k, v in comments[key].items() if k != "creationDate"} == {
            k: v for k, v in comment.items() if k != "creationDate"}


def _tree() -> list[Record]:
    """A WXR post whose comments hold every awkward tree: a reply before its
    parent, a reply to a missing comment, a cycle, and a pending and a spam
    comment with a reply each."""
    rows = [
        ("20", "10", "1", "reply listed first"), ("10", "0", "1", "top"),
        ("30", "99", "1", "parent missing"), ("40", "41", "1", "cycle a"),
        ("41", "40", "1", "cycle b"), ("50", "10", "0", "pending"),
        ("51", "50", "1", "under pending"), ("60", "0", "spam", "spam"),
        ("61", "60", "1", "under spam"), ("70", "0", "1", "a pingback"),
    ]
    records: list[Record] = [
        Source(origin="wxr", site="https://tree.example.org", version="1.2"),
        Thread(origin="wxr", key="1", wp_post_id="1", title="Tree", link="https://tree.example.org/1/"),
    ]
    for position, (key, parent, approved, text) in enumerate(rows):
        records.append(Comment(
            origin="wxr", key=key, thread="1", wp_id=key, parent=parent, content=text,
            author_name=f"Person {key}", author_email=f"p{key}@example.com",
            created_at="2022-01-02 03:04:05", created_at_local="2022-01-02 04:04:05",
            wp_approved=approved, wp_type="pingback" if key == "70" else "",
            position=position, meta=[("rating", "5")],
        ))
    return records


def _through_store(records: list[Record], tmp_path: Path) -> list[Record]:
    with open_store(f"sqlite:///{tmp_path / 'tree.sqlite'}") as store:
        store.load(records)
        return list(store.records())


@pytest.mark.parametrize("fmt", ["remark42", "commento"])
def test_wxr_tree_keeps_threads_and_names_each_loss(tmp_path: Path, fmt: str) -> None:
    write = write_remark42 if fmt == "remark42" else write_commento
    out = io.BytesIO()
    report = write(_through_store(_tree(), tmp_path), out)
    if fmt == "remark42":
        _, rows = _remark_lines(out.getvalue())
        parent = {k: c["pid"] or None for k, c in rows.items()}
    else:
        rows, _ = _commento(gzip.decompress(out.getvalue()))
        parent = {k: None if c["parentHex"] == "root" else c["parentHex"]
                  for k, c in rows.items()}
    said = report.left_out + report.notes
    # The tree is kept where it can be.
    assert parent["20"] == "10" and parent["10"] is None
    assert parent["30"] is None and any("comment 30" in line for line in said)
    cut = [k for k in ("40", "41") if parent[k] is None]
    assert len(cut) == 1 and any(f"comment {cut[0]}" in line and "cycle" in line
                                 for line in said)
    # A pingback is left out, by name; replies of what is left out move up.
    assert "70" not in rows and any("comment 70: a pingback" in line for line in said)
    if fmt == "remark42":  # no pending, no spam
        assert "50" not in rows and "60" not in rows
        assert parent["51"] == "10" and parent["61"] is None
        assert any("comment 51" in line and "not written" in line for line in said)
        assert any("comment emails" in line for line in report.left_out)
    else:
        assert rows["50"]["state"] == "unapproved" and rows["60"]["state"] == "flagged"
        assert parent["51"] == "50"
    assert any("comment meta keys" in line and "rating" in line for line in report.left_out)
    assert any("local dates" in line for line in report.left_out)


@pytest.mark.parametrize("fmt", ["remark42", "commento"])
def test_written_file_converts_back_to_wxr_with_its_threads(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / ("tree.remark42" if fmt == "remark42" else "tree.commento.gz")
    write = write_remark42 if fmt == "remark42" else write_commento
    with target.open("wb") as out:
        write(_through_store(_tree(), tmp_path), out)
    wxr = io.BytesIO()
    write_wxr(api.read(target), wxr, keep_ids=True)
    comments = {c.key: c for c in read_wxr(io.BytesIO(wxr.getvalue()), name="t.xml")
                if isinstance(c, Comment)}
    assert comments["20"].parent == "10" and comments["10"].parent == "0"
    assert comments["20"].content == "reply listed first"


def test_disqus_deleted_and_spam_are_not_approved_in_commento(tmp_path: Path) -> None:
    # Commento's own Disqus import drops deleted and spam posts and approves
    # the rest; here spam is flagged, pending unapproved, deleted named.
    source = SAMPLES / "agency-blog.disqus.xml.gz"
    posts = {r.key: comment_status(r) for r in api.read(source) if isinstance(r, Comment)}
    out = tmp_path / "d.commento.gz"
    report = api.convert(source, out, to="commento").written
    comments, _ = _commento(gzip.decompress(out.read_bytes()))
    expected = {"approved": "approved", "pending": "unapproved", "spam": "flagged"}
    for key, status in posts.items():
        if status in expected:
            assert comments[key]["state"] == expected[status]
        else:
            assert key not in comments
            assert f"comment {key}: Commento has no {status} comments" in report.left_out
    assert set(posts.values()) - {"approved"}, "the sample has no other status"


# -- bad input -------------------------------------------------------------------------


def _broken_remark(tmp_path: Path, line: bytes) -> Path:
    lines = REMARK.read_bytes().splitlines(keepends=True)
    lines[2] = line
    path = tmp_path / "broken.remark42"
    path.write_bytes(b"".join(lines))
    return path


@pytest.mark.parametrize("bad", [b'{"id": "x", "pid": \n', b'[1, 2]\n', b'{"id": 7}\n'])
def test_remark42_bad_line_is_one_error_exit_3_nothing_stored(
    tmp_path: Path, sqlite_url: str, bad: bytes
) -> None:
    path = _broken_remark(tmp_path, bad)
    result = CliRunner().invoke(cli, ["import", str(path), "--db", sqlite_url])
    assert result.exit_code == 3, result.output
    message = [line for line in result.output.splitlines() if str(path) in line]
    assert len(message) == 1 and f"{path}:3" in message[0]
    assert "Traceback" not in result.output
    assert _stored_comments(sqlite_url) == 0


def test_remark42_bad_line_skipped_and_reported_in_recover_mode(tmp_path: Path) -> None:
    path = _broken_remark(tmp_path, b'{"id": "x", "pid": \n')
    records = list(api.read(path, recover=True))
    issues = [r for r in records if isinstance(r, ImportIssue)]
    assert [(i.code, i.line) for i in issues] == [("json-bad-record", 3)]
    assert len([r for r in records if isinstance(r, Comment)]) == 4


def _long_backup() -> bytes:
    """The fixture with many more comments, so that a cut lands past the
    first bytes read to detect the format."""
    header, *lines = REMARK.read_bytes().splitlines(keepends=True)
    more = [line.replace(b'"id":"6f1c2a34-', b'"id":"%d-' % n) for n in range(40)
            for line in lines]
    return header + b"".join(more)


def test_truncated_remark42_backup_keeps_its_whole_lines(tmp_path: Path, sqlite_url: str) -> None:
    data = gzip.compress(_long_backup())
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    result = CliRunner().invoke(cli, ["import", str(path), "--db", sqlite_url])
    assert result.exit_code == 3 and f"{path}:" in result.output, result.output
    assert _stored_comments(sqlite_url) == 0
    records = list(api.read(path, recover=True))
    kept = [r.key for r in records if isinstance(r, Comment)]
    issues = [r for r in records if isinstance(r, ImportIssue)]
    # The cut compressed stream, and the line it cut.
    assert sorted(i.code for i in issues) == ["damaged-compression", "json-truncated"]
    _, whole = _remark_lines(_long_backup())
    assert kept == list(whole)[: len(kept)] and 0 < len(kept) < len(whole)


def test_plainly_truncated_remark42_line(tmp_path: Path) -> None:
    data = REMARK.read_bytes()
    path = tmp_path / "cut.remark42"
    path.write_bytes(data[: len(data) - 40])
    records = list(read_remark42(path.open("rb"), name=str(path), recover=True))
    issue = next(r for r in records if isinstance(r, ImportIssue))
    assert issue.code == "json-truncated" and issue.line == 6
    assert sum(isinstance(r, Comment) for r in records) == 4


@pytest.mark.parametrize(("text", "where"), [
    (b'{"version":1,"comments":[{"commentHex": ]}', ":1:"),
    (b'{"version":2,"comments":[],"commenters":[]}', "version"),
    (b'{"version":1,"comments":[{"url":"/a"}],"commenters":[]}', "comments[0]"),
])
def test_commento_bad_document_is_one_error_exit_3_nothing_stored(
    tmp_path: Path, sqlite_url: str, text: bytes, where: str
) -> None:
    path = tmp_path / "bad.json.gz"
    path.write_bytes(gzip.compress(text))
    result = CliRunner().invoke(cli, ["import", str(path), "--db", sqlite_url])
    assert result.exit_code == 3, result.output
    message = [line for line in result.output.splitlines() if str(path) in line]
    assert len(message) == 1 and where in message[0]
    assert _stored_comments(sqlite_url) == 0


def test_commento_bad_entry_left_out_in_recover_mode() -> None:
    doc = json.loads(COMMENTO.read_bytes())
    doc["comments"].insert(1, {"url": "/no-hex/"})
    records = list(read_commento(io.BytesIO(json.dumps(doc).encode()), name="x.json",
                                 recover=True))
    issues = [r for r in records if isinstance(r, ImportIssue)]
    assert [i.code for i in issues] == ["json-bad-record"]
    assert sum(isinstance(r, Comment) for r in records) == 4


@pytest.mark.parametrize(("fmt", "name"), [("remark42", "d.remark42"),
                                           ("commento", "d.commento.gz")])
def test_disqus_through_the_format_and_back_keeps_threads(
    tmp_path: Path, fmt: str, name: str
) -> None:
    source = SAMPLES / "agency-blog.disqus.xml.gz"
    posts = {r.key: (r.parent, comment_status(r)) for r in api.read(source)
             if isinstance(r, Comment)}
    middle = tmp_path / name
    report = api.convert(source, middle, to=fmt).written
    back_path = tmp_path / "back.disqus.xml"
    api.convert(middle, back_path, to="disqus")
    # The Disqus writer gives records from elsewhere ids of its own: wp-<id>.
    back = {r.key.removeprefix("wp-"): ((r.parent or "").removeprefix("wp-") or None,
                                        comment_status(r))
            for r in api.read(back_path) if isinstance(r, Comment)}
    lost = {key for key in posts if key not in back}
    assert lost, "the sample has a status each format cannot hold"
    for key in lost:
        assert any(line.startswith(f"comment {key}: ") for line in report.left_out)
    for key, value in back.items():
        # A reply whose parent was left out moved up, and says so.
        assert value == posts[key] or (
            posts[key][0] in lost and value[1] == posts[key][1]
            and any(line.startswith(f"comment {key}: its parent") for line in report.notes))


@pytest.mark.parametrize("recover", [False, True])
def test_a_header_line_that_is_not_utf8_is_one_input_error(recover: bool) -> None:
    # Found by the fuzz campaign: a UnicodeDecodeError traceback from the
    # first line, where any other line says "not UTF-8".
    data = b'{"version":1,"users":[{"id":"\xff\xff"}]}\n'
    with pytest.raises(InputError, match="not UTF-8") as caught:
        list(read_remark42(io.BytesIO(data), name="backup.jsonl", recover=recover))
    assert caught.value.line == 1
