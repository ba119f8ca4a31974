"""The writers format most elements as text rather than through lxml, for
speed; that text must be exactly what lxml would have written.

Each test writes the same records twice, once as usual and once with the
text path turned off (every element then goes through lxml), and wants the
same bytes and the same report.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_properties import MAYBE, META, SETTINGS, TEXT, disqus_records, trees, wxr_records

from wxrbridge.api import read
from wxrbridge.formats import WriteReport
from wxrbridge.formats.disqus import writer as disqus_writer
from wxrbridge.formats.wxr import writer as wxr_writer
from wxrbridge.records import Comment, Extra, Record, Term, Thread, ThreadTerm, User

DATA = Path(__file__).parent / "data"
FILES = sorted(DATA.rglob("*.xml"))
WXR_OPTIONS = [{}, {"every_field": True}, {"dsq_namespace": True}, {"keep_ids": True},
               {"parents_first": True}]


def _same_as_lxml(
    monkeypatch: pytest.MonkeyPatch, write, records: list[Record], **options
) -> None:
    def run() -> tuple[bytes, WriteReport]:
        out = io.BytesIO()
        report = write(list(records), out, **options)
        return out.getvalue(), report

    fast, fast_report = run()
    with monkeypatch.context() as patch:
        patch.setattr(wxr_writer._WxrWriter, "_name", lambda self, tag: None)
        patch.setattr(disqus_writer, "_names", lambda nsmap: None)
        slow, slow_report = run()
    # Records from Disqus get a pubDate of the time of writing.
    if fast != slow:
        fast, slow = (_without_pub_date(x) for x in (fast, slow))
    assert fast == slow
    assert fast_report.notes == slow_report.notes
    assert fast_report.left_out == slow_report.left_out
    assert fast_report.written == slow_report.written


def _without_pub_date(data: bytes) -> bytes:
    start = data.find(b"<pubDate>")
    end = data.find(b"</pubDate>")
    return data if start < 0 or end < 0 else data[:start] + data[end:]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_files(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    records = list(read(path, recover=True))
    for options in WXR_OPTIONS:
        _same_as_lxml(monkeypatch, wxr_writer.write_wxr, records, **options)
    _same_as_lxml(monkeypatch, disqus_writer.write_disqus, records)
    _same_as_lxml(monkeypatch, disqus_writer.write_disqus, records, include_pings=True)


@SETTINGS
@given(trees(), st.booleans(), st.sampled_from(WXR_OPTIONS), MAYBE, MAYBE, MAYBE, TEXT,
       st.lists(st.tuples(MAYBE, MAYBE, TEXT), max_size=3), META,
       st.lists(st.tuples(st.sampled_from(["a", "b"]), TEXT), max_size=2), st.booleans(), TEXT)
def test_awkward_records(
    monkeypatch: pytest.MonkeyPatch, tree: list[dict], from_wxr: bool, options: dict,
    title: str | None, guid: str | None, permalink: str | None, name: str,
    categories: list[tuple], meta: list[tuple], attributes: list[tuple], extras: bool,
    dsq_id: str,
) -> None:
    records = wxr_records(tree) if from_wxr else disqus_records(tree)
    thread = next(r for r in records if isinstance(r, Thread))
    thread.title, thread.guid, thread.guid_is_permalink = title, guid, permalink
    thread.terms = [ThreadTerm(domain, nicename, text) for domain, nicename, text in categories]
    # Disqus ids are written as attributes: one from Disqus, one from meta.
    thread.dsq_id = dsq_id if not from_wxr else None
    thread.meta = [*meta, ("dsq_thread_id", f"x{dsq_id}")]
    thread.extras = [Extra("attribute", key, value, anchor)
                     for key, value in attributes for anchor in ("guid", "category")]
    comments = [r for r in records if isinstance(r, Comment)]
    if extras and comments:
        comments[0].extras = [Extra("element", "x", "<x>1</x>", None)]
    records.insert(1, User(origin="wxr", wp_id="3", login=name, email=title))
    records.insert(1, Term(origin="wxr", kind="category", term_id="4", slug=name, name=name))
    _same_as_lxml(monkeypatch, wxr_writer.write_wxr, records, **options)
    _same_as_lxml(monkeypatch, disqus_writer.write_disqus, records)
