"""verify on inputs that once tripped it."""

from __future__ import annotations

import bz2
from pathlib import Path

from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.formats.xml.compare import diff_documents

THREADLESS = b"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<post dsq:id="1"><message>first</message><createdAt>2020-01-01T00:00:00Z</createdAt>
<thread dsq:id="404"/></post>
<post dsq:id="2"><message>second</message><createdAt>2020-01-01T00:00:00Z</createdAt>
<thread dsq:id="404"/><parent dsq:id="1"/></post>
</disqus>
"""


def test_posts_of_a_thread_missing_from_the_export_are_the_same_thread(tmp_path: Path) -> None:
    a = tmp_path / "a.xml"
    b = tmp_path / "b.xml"
    a.write_bytes(THREADLESS)
    b.write_bytes(THREADLESS)
    report = api.verify(a, b)
    assert report.equivalent, [str(d) for d in report.differences]


def test_exact_comparison_reads_compressed_files(tmp_path: Path) -> None:
    original = SAMPLES / "wpcom-pretty.wxr.xml"
    packed = tmp_path / "copy.wxr.xml.bz2"
    packed.write_bytes(bz2.compress(original.read_bytes()))
    assert diff_documents(original, packed) == []
    assert diff_documents(original.read_bytes(), bz2.compress(original.read_bytes())) == []
