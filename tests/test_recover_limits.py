"""Recover mode within bounds: elements nested deeper than strict mode's
parser reads are left out, a text node longer than recover mode keeps is
cut, each reported, never a crash or unbounded memory; and declared
encodings that lie."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from wxrbridge import api
from wxrbridge.errors import InputError
from wxrbridge.formats.xml import repair
from wxrbridge.records import Comment, ImportIssue, Record

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Limits</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Post</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type>
"""
_TAIL = "</item></channel></rss>\n"


def _comment(key: int, content: str) -> str:
    return (f"<wp:comment><wp:comment_id>{key}</wp:comment_id>"
            f"<wp:comment_content>{content}</wp:comment_content></wp:comment>\n")


def _document(middle: str) -> str:
    return _HEAD + _comment(1, "before") + middle + _comment(2, "after") + _TAIL


def _read(path: Path) -> list[Record]:
    return list(api.read(path, recover=True))


def _comments(records: list[Record]) -> dict[str, str | None]:
    return {r.key: r.content for r in records if isinstance(r, Comment)}


def _issues(records: list[Record], code: str) -> list[ImportIssue]:
    return [r for r in records if isinstance(r, ImportIssue) and r.code == code]


@pytest.mark.parametrize("closed", [True, False])
def test_nesting_deeper_than_strict_reads_is_left_out_and_reported(
    tmp_path: Path, closed: bool
) -> None:
    depth = 5000  # past both the parser's 2048 and Python's recursion limit
    nested = "<a>" * depth + "x" + ("</a>" * depth if closed else "")
    path = tmp_path / "deep.xml"
    path.write_text(_document(_comment(3, nested)), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(api.read(path))
    assert caught.value.line == 6 and "depth" in caught.value.reason
    records = _read(path)
    comments = _comments(records)
    assert comments["1"] == "before"
    if closed:
        assert comments["2"] == "after" and "3" in comments
    (issue,) = _issues(records, "too-deep")
    assert issue.severity == "rejected" and issue.line == 6
    assert f"more than {repair.MAX_DEPTH} elements deep" in issue.reason


def test_nesting_at_the_limit_is_kept(tmp_path: Path) -> None:
    # rss > channel > item > wp:comment > wp:comment_content hold the rest.
    depth = repair.MAX_DEPTH - 5
    path = tmp_path / "limit.xml"
    path.write_text(_document(_comment(3, "<a>" * depth + "x" + "</a>" * depth)),
                    encoding="utf-8")
    assert not _issues(_read(path), "too-deep")
    assert list(api.read(path))


def _gzipped_text(tmp_path: Path, cdata: bool) -> tuple[Path, int]:
    """A gzip stream, small on disk, whose comment 3 holds a long text
    (with newlines, so line numbers after it can be checked)."""
    piece = "line\n" + "y" * 995
    count = 3000
    path = tmp_path / "long.xml.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(_HEAD + _comment(1, "before"))
        out.write("<wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_content>")
        out.write("<![CDATA[" if cdata else "")
        for _ in range(count):
            out.write(piece)
        out.write("]]>" if cdata else "")
        out.write("</wp:comment_content></wp:comment>\n")
        out.write("<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_content>a & b"
                  "</wp:comment_content></wp:comment>\n" + _TAIL)
    return path, len(piece) * count


@pytest.mark.parametrize("cdata", [True, False])
def test_a_text_longer_than_recover_keeps_is_cut_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cdata: bool
) -> None:
    limit = 100_000
    monkeypatch.setattr(repair, "MAX_TEXT_BYTES", limit)
    path, size = _gzipped_text(tmp_path, cdata)
    records = _read(path)
    comments = _comments(records)
    assert comments["1"] == "before" and comments["2"] == "a & b"
    kept = comments["3"]
    assert kept is not None and limit - 1000 < len(kept) <= limit
    assert kept == (("line\n" + "y" * 995) * 101)[:len(kept)]
    (cut,) = _issues(records, "text-cut")
    assert cut.severity == "rejected" and cut.line == 6 and cut.record_key == "comment 3"
    # The line numbers of what follows are still the source's.
    (ampersand,) = _issues(records, "raw-ampersand")
    assert ampersand.line == 6 + size // 1000 + 1


def test_a_text_at_the_limit_is_kept_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, size = _gzipped_text(tmp_path, cdata=False)
    monkeypatch.setattr(repair, "MAX_TEXT_BYTES", size)
    records = _read(path)
    assert not _issues(records, "text-cut")
    assert len(_comments(records)["3"] or "") == size


# -- declarations that lie -------------------------------------------------

_NAMES = "Ren\u00e9e Fa\u00e7on, cr\u00e8me br\u00fbl\u00e9e \u2603"


def _declared(encoding: str, padding: int = 0) -> str:
    head = _HEAD.replace('encoding="UTF-8"', f'encoding="{encoding}"')
    # Padding puts the first non-ASCII byte past the decoder's first read.
    pad = f"<!-- {'x' * padding} -->\n" if padding else ""
    return head + pad + _comment(1, "plain") + _comment(3, _NAMES) + _TAIL


@pytest.mark.parametrize("padding", [0, 300_000])
@pytest.mark.parametrize("encoding", ["US-ASCII", "ISO-8859-1", "windows-1252", "UTF-16"])
def test_utf8_under_a_lying_declaration_is_read_as_utf8_and_reported(
    tmp_path: Path, encoding: str, padding: int
) -> None:
    path = tmp_path / "lie.xml"
    path.write_bytes(_declared(encoding, padding).encode("utf-8"))
    records = _read(path)
    assert _comments(records) == {"1": "plain", "3": _NAMES}
    (issue,) = _issues(records, "wrong-encoding")
    assert issue.severity == "repaired" and f"declared {encoding}" in issue.reason
    assert issue.line == (1 if encoding == "UTF-16" else 7 if padding else 6)
    assert not _issues(records, "bad-encoding")


@pytest.mark.parametrize("encoding", ["US-ASCII", "UTF-16"])
def test_strict_mode_refuses_bytes_the_declaration_cannot_hold(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "lie.xml"
    path.write_bytes(_declared(encoding).encode("utf-8"))
    with pytest.raises(InputError) as caught:
        list(api.read(path))
    assert caught.value.line is not None and caught.value.recoverable


def test_a_true_single_byte_declaration_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "latin1.xml"
    text = _NAMES.replace("\u2603", "")
    path.write_bytes(_declared("ISO-8859-1").replace(_NAMES, text).encode("latin-1"))
    records = _read(path)
    assert _comments(records)["3"] == text
    assert not [r for r in records if isinstance(r, ImportIssue)]


def test_bytes_no_reading_takes_are_counted_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "sjis.xml"
    document = _declared("Shift_JIS").replace(_NAMES, "\u65e5\u672c")
    path.write_bytes(document.encode("shift_jis").replace("\u672c".encode("shift_jis"),
                                                          b"\x81\x20"))
    records = _read(path)
    (issue,) = _issues(records, "bad-encoding")
    assert "1 byte not valid shift_jis replaced by U+FFFD" in issue.reason
    assert issue.line == 6
    assert (_comments(records)["3"] or "").count("\ufffd") == 1
