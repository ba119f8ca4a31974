"""The shared XML toolkit: leftover nodes as extras, the parser's recoveries
as issues, and the one recover pipeline every format with a layout gets."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO

from lxml import etree

from wxrbridge import formats
from wxrbridge.formats.xml import Layout
from wxrbridge.formats.xml.errors import parser_recoveries
from wxrbridge.formats.xml.extras import extra_from_node
from wxrbridge.formats.xml.repair import read_repaired
from wxrbridge.inputs import HashingReader, InputFile
from wxrbridge.records import Extra, ImportIssue, Record, Source

DOC = b'<r xmlns:x="urn:x"><!--note--><?app go?><x:e a="1">t</x:e></r>'


def test_extra_from_node_keeps_comments_pis_and_elements_as_written() -> None:
    comment, pi, element = etree.fromstring(DOC)
    assert extra_from_node(comment, "title") == Extra("comment", "", "note", "title")
    assert extra_from_node(pi) == Extra("pi", "app", "go", None)
    # Only the declarations the element uses, not every one in scope.
    assert extra_from_node(element, None, "author/") == Extra(
        "element", "author/{urn:x}e", '<x:e xmlns:x="urn:x" a="1">t</x:e>', None
    )


def test_an_entity_reference_makes_no_extra() -> None:
    parser = etree.XMLParser(resolve_entities=False)
    root = etree.fromstring(b'<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', parser)
    assert extra_from_node(root[0]) is None


def test_parser_recoveries_are_one_code_from_the_entry_given_on() -> None:
    parser = etree.XMLParser(recover=True)
    etree.fromstring(b"<r><a></b><c x=1/></r>", parser)
    log = parser.error_log
    issues = parser_recoveries(log, 0, "f.xml")
    assert issues and {i.code for i in issues} == {"xml-recovered"}
    assert all(i.severity == "repaired" and i.file == "f.xml" and i.line == 1 for i in issues)
    assert parser_recoveries(log, len(log), "f.xml") == []
    assert parser_recoveries(log, 1, "f.xml") == issues[1:]


def _two_records(stream: IO[bytes], *, name: str, recover: bool = False) -> Iterator[Record]:
    """A reader of <r><i/>...</r> that reads all of the stream first."""
    assert recover
    data = stream.read()
    yield Source(origin="test", site="s", name=name)
    for _ in range(data.count(b"<i")):
        yield ImportIssue("seen", "an item", file=name)


LAYOUT = Layout(record_depth=2, whole=frozenset({"i"}), describe=lambda local, raw: None)


def test_read_repaired_puts_the_repairs_issues_before_the_next_record() -> None:
    broken = b"junk<r><i a=1/><i/></r>"
    records = list(read_repaired(_two_records, io.BytesIO(broken), name="t.xml", layout=LAYOUT))
    codes = [getattr(r, "code", type(r).__name__) for r in records]
    # The reader read the whole file before its first record: every mend
    # is reported before it.
    assert codes == ["junk-before-xml", "unquoted-attribute", "Source", "seen", "seen"]


def test_formats_that_declare_a_layout_are_repaired_in_recover_mode() -> None:
    declared = {f.name: f.recovery for f in formats.formats() if f.read is not None}
    assert declared["wxr"] is not None and declared["disqus"] is not None
    assert declared["wxr"].record_depth == 3 and declared["disqus"].record_depth == 2


def test_read_input_reads_a_broken_disqus_file_through_the_repair() -> None:
    data = (b'<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
            b'<post dsq:id="1"><message>a & b</message><thread dsq:id="9"/></post></disqus>')
    item = InputFile("d.xml", HashingReader(io.BytesIO(data)))
    records = list(formats.read_input(item, format=None, recover=True))
    assert [r.code for r in records if isinstance(r, ImportIssue)] == ["raw-ampersand"]
    assert [getattr(r, "content", None) for r in records][-1] == "a & b"
