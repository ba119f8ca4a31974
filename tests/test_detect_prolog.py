"""Detection past a long prolog: comments, processing instructions and a
DOCTYPE of any length before the root element."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.errors import UnknownFormatError
from wxrbridge.records import Comment

WXR = SAMPLES / "agency-blog.wxr.xml"
DISQUS = SAMPLES / "agency-blog.disqus.xml.gz"

PROLOGS = {
    "comment": b"<!-- " + b"exported by a plugin that says a lot. " * 170 + b"-->\n",
    "instructions": b"".join(b"<?xml-stylesheet href='s%d.css'?>\n" % n for n in range(300)),
    "doctype": b"<!DOCTYPE rss [\n" + b"".join(
        b"  <!ENTITY e%d \"a value with > and ]> in it\">\n" % n for n in range(200)) + b"]>\n",
    "doctype-quoted": b'<!DOCTYPE rss SYSTEM "' + b"x" * 9000 + b']>">\n',
    "all": b"<!-- a -->" * 1000 + b"<?pi x?>" * 500 + b"<!DOCTYPE rss>",
}


def _with_prolog(data: bytes, prolog: bytes) -> bytes:
    declaration, sep, rest = data.partition(b"?>")
    assert declaration.startswith(b"<?xml")
    return declaration + sep + b"\n" + prolog + rest.lstrip()


def _count(path: Path | str) -> int:
    return sum(isinstance(r, Comment) for r in api.read(path))


@pytest.mark.parametrize("kind", sorted(PROLOGS))
def test_a_wxr_after_a_long_prolog_is_detected(tmp_path: Path, kind: str) -> None:
    assert len(PROLOGS[kind]) > 4096
    path = tmp_path / "site.xml"
    path.write_bytes(_with_prolog(WXR.read_bytes(), PROLOGS[kind]))
    assert _count(path) == _count(WXR)
    packed = tmp_path / "site.xml.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert _count(packed) == _count(WXR)


def test_a_disqus_export_after_a_long_comment_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "disqus.xml"
    path.write_bytes(_with_prolog(gzip.decompress(DISQUS.read_bytes()), PROLOGS["comment"]))
    assert _count(path) == _count(DISQUS)


def test_a_long_prolog_on_standard_input(tmp_path: Path) -> None:
    data = _with_prolog(WXR.read_bytes(), PROLOGS["comment"] * 40)  # 260 kB
    result = CliRunner().invoke(cli, ["stats", "-", "--json"], input=data)
    assert result.exit_code == 0, result.output
    assert f'"comments": {_count(WXR)}' in result.output


def test_a_file_that_is_all_prolog_is_still_not_an_export(tmp_path: Path) -> None:
    path = tmp_path / "nothing.xml"
    path.write_bytes(b"<?xml version='1.0'?>\n" + b"<!-- only a comment " * 1000)
    with pytest.raises(UnknownFormatError):
        _count(path)
    other = tmp_path / "other.xml"
    other.write_bytes(_with_prolog(b"<?xml version='1.0'?><feed><entry/></feed>",
                                   PROLOGS["comment"]))
    with pytest.raises(UnknownFormatError):
        _count(other)
