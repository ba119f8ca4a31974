"""Writing records as a Disqus export, and Disqus -> records -> Disqus."""

from __future__ import annotations

import importlib.util
import io
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES
from lxml import etree

from wxrbridge import api, canonical
from wxrbridge.formats import WriteReport
from wxrbridge.formats.disqus import detect, read_disqus, write_disqus
from wxrbridge.inputs import open_inputs
from wxrbridge.records import Comment, ImportIssue, Record, Source, Term, Thread, User

DATA = Path(__file__).parent / "data" / "disqus"
FULL = DATA / "full.xml"
DISQUS = "http://disqus.com"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
# Children of a thread or post that point at another record.
REFERENCES = {"thread", "parent", "category"}


def _load_fixture_module() -> Any:
    # Loaded by path so the tests do not depend on how pytest sets sys.path.
    path = Path(__file__).parent / "make_disqus_fixture.py"
    spec = importlib.util.spec_from_file_location("make_disqus_fixture", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


make_disqus_fixture = _load_fixture_module()


# -- comparing two exports -----------------------------------------------------


def _local(element: Any) -> str:
    return etree.QName(element).localname


def _canonical(element: Any, *, in_record: bool = False) -> tuple:
    """An order-free, form-free picture of an element.

    Children are sorted, whitespace between children is formatting, CDATA
    and escaped text are the same text, and a reference is its value whether
    written as ``dsq:id`` or as text.
    """
    if element.tag is etree.Comment:
        return ("#comment", element.text or "")
    if element.tag is etree.PI:
        return ("#pi", element.target, element.text or "")
    attributes = dict(element.attrib)
    if in_record and _local(element) in REFERENCES and len(element) == 0:
        value = attributes.pop(DSQ_ID, None)
        if value is None:
            value = element.text or ""
        return (element.tag, "ref", value, tuple(sorted(attributes.items())))
    children = tuple(sorted(_canonical(child) for child in element))
    text = element.text or ""
    if children:
        text = text.strip()
    return (element.tag, "text", text, tuple(sorted(attributes.items())), children)


def records_of(data: bytes) -> dict[str, dict[str, Any]]:
    """Categories, threads and posts by kind and ``dsq:id``, each as a
    multiset of its children and its own attributes."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
    found: dict[str, dict[str, Any]] = {"category": {}, "thread": {}, "post": {}}
    unnamed: Counter[str] = Counter()
    for element in root:
        if not isinstance(element.tag, str):
            continue
        local = _local(element)
        key = element.get(DSQ_ID)
        if key is None:
            unnamed[local] += 1
            key = f"#{unnamed[local]}"
        children = Counter(_canonical(child, in_record=True) for child in element)
        own = tuple(sorted(element.attrib.items()))
        assert key not in found.setdefault(local, {}), f"{local} {key} twice"
        found[local][key] = (own, children)
    return found


def assert_same_export(before: bytes, after: bytes) -> None:
    expected, actual = records_of(before), records_of(after)
    assert expected.keys() == actual.keys()
    for kind in expected:
        assert expected[kind].keys() == actual[kind].keys(), kind
        for key, (own, children) in expected[kind].items():
            got_own, got_children = actual[kind][key]
            assert got_own == own, f"{kind} {key} attributes"
            missing = children - got_children
            extra = got_children - children
            assert not missing and not extra, f"{kind} {key}: lost {missing}, gained {extra}"


def write(records: list[Record], **options: Any) -> tuple[bytes, WriteReport]:
    out = io.BytesIO()
    report = write_disqus(records, out, **options)
    return out.getvalue(), report


def read(data: bytes, name: str = "out.xml") -> list[Record]:
    return list(read_disqus(io.BytesIO(data), name=name))


def round_trip(data: bytes) -> tuple[bytes, WriteReport]:
    return write(read(data))


# -- Disqus -> records -> Disqus --------------------------------------------------


def test_round_trip_of_every_field() -> None:
    before = FULL.read_bytes()
    after, report = round_trip(before)
    assert_same_export(before, after)
    assert report.written == Counter(term=2, thread=3, comment=6)
    assert report.left_out == []
    assert report.notes == []


def test_comparison_notices_a_difference() -> None:
    before = FULL.read_bytes()
    changed = before.replace(b"<isSpam>true</isSpam>", b"<isSpam>false</isSpam>")
    with pytest.raises(AssertionError):
        assert_same_export(before, changed)


def test_round_trip_is_stable() -> None:
    once, _ = round_trip(FULL.read_bytes())
    twice, _ = round_trip(once)
    assert once == twice


def test_output_is_a_disqus_export_in_disqus_order() -> None:
    out, _ = round_trip(FULL.read_bytes())
    assert detect(out[:4096])
    root = etree.fromstring(out)
    assert root.tag == f"{{{DISQUS}}}disqus"
    assert root.nsmap[None] == DISQUS
    assert root.nsmap["dsq"] == "http://disqus.com/disqus-internals"
    assert "disqus.xsd" in root.get(
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    order = [_local(e) for e in root]
    assert order == ["category"] * 2 + ["thread"] * 3 + ["post"] * 6
    assert b"<message><![CDATA[<p>Keep the flame low & even.</p>]]></message>" in out


def test_markup_and_unknown_shapes_survive() -> None:
    head = ('<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"'
            ' xmlns:x="urn:extra" x:exporter="v2">')
    before = (head + '<x:note>before anything</x:note>'
              '<thread dsq:id="1" x:flag="1"><title>A <em>bold</em> move</title>'
              '<link x:checked="no">http://x.example/</link><!-- why --><?mark here?>'
              "<author x:kind='mod'><name>N</name><x:badge>gold</x:badge></author></thread>"
              '<post dsq:id="2"><message>a</message><message>b</message>'
              '<thread dsq:id="1" x:how="attr"/></post></disqus>').encode()
    after, _ = round_trip(before)
    assert_same_export(before, after)
    root = etree.fromstring(after)
    assert root.get("{urn:extra}exporter") == "v2"
    assert _local(root[0]) == "note"


def test_text_reference_is_written_as_the_attribute() -> None:
    after, _ = round_trip(FULL.read_bytes())
    post = etree.fromstring(after).find(
        f"{{{DISQUS}}}post[@{{http://disqus.com/disqus-internals}}id='5005']")
    assert post.find(f"{{{DISQUS}}}thread").get(DSQ_ID) == "9002"


def test_fixture_is_deterministic() -> None:
    first, summary = make_disqus_fixture.build()
    second, _ = make_disqus_fixture.build()
    assert first == second
    assert (summary.threads, summary.posts, summary.replies) == (89, 265, 108)
    assert summary.orphans > 0 and summary.spam > 0 and summary.deleted > 0
    assert summary.empty_id_posts > 0 and summary.early_children > 0
    assert len(summary.hosts) == 4


def test_round_trip_of_a_real_shaped_export(tmp_path: Path) -> None:
    path = tmp_path / "kettleandkiln-2021-06-03T03_54_08.772063-all.xml.gz"
    summary = make_disqus_fixture.write(path)
    for document in open_inputs(str(path)):
        before = document.stream.read()
    records = read(before, name=path.name)
    threads, posts = [r for r in records if isinstance(r, Thread)], [
        r for r in records if isinstance(r, Comment)]
    assert [r for r in records if isinstance(r, ImportIssue)] == []
    assert len(threads) == 89 and len(posts) == 265
    assert sum(p.parent is not None for p in posts) == 108
    ids = {p.dsq_id for p in posts}
    orphans = [p for p in posts if p.parent is not None and p.parent not in ids]
    assert len(orphans) == summary.orphans
    statuses = Counter(canonical.comment_status(p) for p in posts)
    assert statuses[canonical.SPAM] == summary.spam
    assert statuses[canonical.DELETED] == summary.deleted
    assert statuses[canonical.PENDING] == summary.unapproved
    assert sum(p.dsq_identifier == "" for p in posts) == summary.empty_id_posts
    hosts = {"/".join(t.link.split("/")[:3]) for t in threads if t.link}
    assert hosts == summary.hosts
    with_posts = {p.thread for p in posts}
    assert sum(t.key not in with_posts for t in threads) == summary.empty_threads

    after, report = write(records)
    assert_same_export(before, after)
    assert report.written == Counter(term=2, thread=89, comment=265)


# -- text the format cannot hold as it is --------------------------------------------


def _one_post(content: str, **fields: Any) -> list[Record]:
    return [
        Source(origin="disqus", site="f"),
        Thread(origin="disqus", key="1", dsq_id="1", title="t"),
        Comment(origin="disqus", key="2", dsq_id="2", thread="1", content=content, **fields),
    ]


@pytest.mark.parametrize(
    "content",
    ["a ]]> b", "]]>", "]]>]]>", "x]]", "]]>tail", "line\r\nbreak\rreturn", "  spaced  ", "",
     "<p>&amp; &lt;</p>"],
)
def test_message_text_survives_exactly(content: str) -> None:
    out, report = write(_one_post(content))
    (post,) = [r for r in read(out) if isinstance(r, Comment)]
    assert post.content == content
    assert report.notes == []


def test_characters_xml_cannot_hold_are_replaced_and_noted() -> None:
    out, report = write(_one_post("bell\x07 and \x00 nul", author_name="n\x1b"))
    (post,) = [r for r in read(out) if isinstance(r, Comment)]
    assert post.content == "bell\ufffd and \ufffd nul"
    assert post.author_name == "n\ufffd"
    assert report.notes == ["post 2: 3 characters XML 1.0 cannot hold replaced by U+FFFD"]


def test_unknown_options_are_refused() -> None:
    with pytest.raises(TypeError, match="pretty"):
        write(_one_post("hi"), pretty=True, anything="else")
    out, report = write(_one_post("hi"))
    assert report.written["comment"] == 1


def test_posts_are_spooled_after_threads_whatever_the_input_order() -> None:
    records: list[Record] = [Source(origin="disqus", site="f")]
    for n in range(3):
        records.append(Thread(origin="disqus", key=f"t{n}", dsq_id=f"t{n}"))
        records.extend(Comment(origin="disqus", key=f"p{n}{m}", dsq_id=f"p{n}{m}",
                               thread=f"t{n}", content="c" * 5000) for m in range(3))
    out, _ = write(records)
    order = [_local(e) for e in etree.fromstring(out)]
    assert order == ["thread"] * 3 + ["post"] * 9


def test_parent_key_fills_in_for_a_missing_parent_reference() -> None:
    records = _one_post("reply", parent=None, parent_key="7")
    out, _ = write(records)
    (post,) = [r for r in read(out) if isinstance(r, Comment)]
    assert post.parent == "7"


def test_no_source_still_gives_a_valid_export() -> None:
    out, report = write([])
    root = etree.fromstring(out)
    assert _local(root) == "disqus" and len(root) == 0
    assert report.written == Counter()


# -- WordPress records -> Disqus -------------------------------------------------------


def _wxr_records() -> list[Record]:
    return [
        Source(origin="wxr", site="https://tea.example", base_blog_url="https://tea.example"),
        User(origin="wxr", wp_id="1", login="admin"),
        Term(origin="wxr", kind="category", slug="brewing", name="Brewing"),
        Thread(origin="wxr", key="12", wp_post_id="12", title="Steeping times",
               link="https://tea.example/steeping/", guid="https://tea.example/?p=12",
               created_at="2019-04-02 10:20:30", comment_status="open", status="publish",
               meta=[("dsq_thread_id", "77001")]),
        # A reply listed before its parent, and a parent Disqus already knows.
        Comment(origin="wxr", key="31", thread="12", wp_id="31", parent="30",
                author_name="Wen", author_email="wen@mail.example",
                author_url="http://wen.example/", author_ip="192.0.2.5",
                created_at="2019-04-03 08:00:00", content="Agreed ]]> mostly",
                wp_approved="1", wp_type=""),
        Comment(origin="wxr", key="30", thread="12", wp_id="30", parent="0",
                author_name="Ko", author_email="", author_ip="",
                created_at="2019-04-02 11:00:00", content="Three minutes.",
                wp_approved="1", wp_type="comment", meta=[("dsq_post_id", "555")]),
        Comment(origin="wxr", key="32", thread="12", wp_id="32", parent="0",
                author_name="Spammy", created_at="2019-04-04 00:00:00", content="buy",
                wp_approved="spam"),
        Comment(origin="wxr", key="33", thread="12", wp_id="33", parent="0",
                author_name="Held", created_at="0000-00-00 00:00:00",
                created_at_local="2019-04-05 09:00:00", content="wait", wp_approved="0"),
        Comment(origin="wxr", key="34", thread="12", wp_id="34", parent="31",
                parent_key="31", author_name="Binned", created_at="2019-04-06 00:00:00",
                content="gone", wp_approved="trash"),
        Comment(origin="wxr", key="35", thread="12", wp_id="35", parent="0",
                author_name="Other Blog", created_at="2019-04-07 00:00:00",
                content="[...] linked here [...]", wp_approved="1", wp_type="pingback"),
        Thread(origin="wxr", key="13", wp_post_id="13", title="Closed post",
               link=" https://tea.example/closed/ ", created_at="2019-05-01 00:00:00",
               comment_status="closed", status="publish"),
        Comment(origin="wxr", key="40", thread="13", wp_id="40", parent="29",
                author_name="Late", created_at="2019-05-02 00:00:00", content="orphan",
                wp_approved="1"),
    ]


def _by_id(out: bytes, local: str) -> dict[str, Any]:
    root = etree.fromstring(out)
    return {e.get(DSQ_ID): e for e in root if _local(e) == local}


def _child(element: Any, path: str) -> str | None:
    found = element.find("/".join(f"{{{DISQUS}}}{p}" for p in path.split("/")))
    if found is None:
        return None
    if found.get(DSQ_ID) is not None:
        return found.get(DSQ_ID)
    return found.text or ""


def test_wordpress_threads_map_onto_disqus_fields() -> None:
    out, report = write(_wxr_records())
    threads = _by_id(out, "thread")
    assert set(threads) == {"77001", "wp-13"}
    first = threads["77001"]
    assert _child(first, "id") == "12 https://tea.example/?p=12"
    assert _child(first, "link") == "https://tea.example/steeping/"
    assert _child(first, "title") == "Steeping times"
    assert _child(first, "createdAt") == "2019-04-02T10:20:30Z"
    assert _child(first, "forum") == "tea.example"
    assert _child(first, "isClosed") == "false"
    assert _child(threads["wp-13"], "isClosed") == "true"
    assert _child(threads["wp-13"], "link") == "https://tea.example/closed/"
    assert _child(threads["wp-13"], "id") == "13"
    categories = _by_id(out, "category")
    assert list(categories) == [_child(first, "category")]
    assert report.written == Counter(term=1, thread=2, comment=6)


def test_wordpress_comments_map_onto_disqus_posts() -> None:
    out, _ = write(_wxr_records())
    posts = _by_id(out, "post")
    assert set(posts) == {"wp-31", "555", "wp-32", "wp-33", "wp-34", "wp-40"}
    reply = posts["wp-31"]
    assert _child(reply, "id") == "wp_id=31"
    assert _child(reply, "message") == "Agreed ]]> mostly"
    assert _child(reply, "createdAt") == "2019-04-03T08:00:00Z"
    assert _child(reply, "author/name") == "Wen"
    assert _child(reply, "author/email") == "wen@mail.example"
    assert _child(reply, "author/link") == "http://wen.example/"
    assert _child(reply, "ipAddress") == "192.0.2.5"
    assert _child(reply, "thread") == "77001"
    assert _child(reply, "parent") == "555"  # the parent's dsq_post_id, seen later
    assert _child(posts["555"], "parent") is None
    assert _child(posts["555"], "ipAddress") is None
    assert _child(posts["wp-34"], "parent") == "wp-31"
    assert _child(posts["wp-40"], "parent") == "wp-29"  # dangling, kept
    assert _child(posts["wp-40"], "thread") == "wp-13"


def test_wordpress_statuses_become_disqus_flags() -> None:
    out, report = write(_wxr_records())
    posts = _by_id(out, "post")

    def flags(key: str) -> tuple[str | None, ...]:
        return tuple(_child(posts[key], f) for f in ("isSpam", "isDeleted", "isApproved"))

    assert flags("wp-31") == ("false", "false", "true")
    assert flags("wp-32") == ("true", "false", "false")
    assert flags("wp-33") == ("false", "false", "false")
    assert flags("wp-34") == ("false", "true", "false")
    # No UTC date: the local one stands in, and the report says so.
    assert _child(posts["wp-33"], "createdAt") == "2019-04-05T09:00:00Z"
    assert any("local time" in note for note in report.notes)
    back = {c.key: c for c in read(out) if isinstance(c, Comment)}
    assert canonical.comment_status(back["wp-32"]) == canonical.SPAM
    assert canonical.comment_status(back["wp-33"]) == canonical.PENDING
    assert canonical.comment_status(back["wp-34"]) == canonical.DELETED


def test_pingbacks_are_left_out_with_a_line_each() -> None:
    out, report = write(_wxr_records())
    assert b"linked here" not in out
    assert "comment 35: a pingback has no place in a Disqus export" in report.left_out
    assert any("1 pingback" in note for note in report.notes)
    assert any("WordPress user" in line for line in report.left_out)
    assert any("categories, tags and terms" in line for line in report.left_out)


def test_pingbacks_kept_on_request() -> None:
    out, report = write(_wxr_records(), include_pings=True)
    assert "wp-35" in _by_id(out, "post")
    assert not any("pingback" in line for line in report.left_out)


def test_a_known_disqus_identifier_is_kept() -> None:
    records = _wxr_records()
    thread = next(r for r in records if isinstance(r, Thread))
    thread.identifier = "steeping-times"
    out, _ = write(records)
    assert _child(_by_id(out, "thread")["77001"], "id") == "steeping-times"


def test_forum_option_names_the_shortname() -> None:
    out, _ = write(_wxr_records(), forum="teatalk")
    assert {_child(t, "forum") for t in _by_id(out, "thread").values()} == {"teatalk"}


def test_wordpress_extras_stay_out_of_a_disqus_file() -> None:
    records = _wxr_records()
    thread = next(r for r in records if isinstance(r, Thread))
    from wxrbridge.records import Extra

    thread.extras.append(Extra("element", "{urn:wp}odd", '<odd xmlns="urn:wp"/>'))
    out, _ = write(records)
    assert b"urn:wp" not in out


def test_a_comments_replaced_characters_are_not_charged_to_the_next_thread() -> None:
    records: list[Record] = [
        Source(origin="wxr", site="example.org", name="blog.xml"),
        Thread(origin="wxr", key="1", wp_post_id="1", title="First", link="https://example.org/1"),
        Comment(origin="wxr", key="10", thread="1", wp_id="10", wp_approved="1",
                content="bad \x01 byte", created_at="2024-01-01 00:00:00"),
        Thread(origin="wxr", key="2", wp_post_id="2", title="Second", link="https://example.org/2"),
    ]
    _, report = write(records)
    noted = [line for line in report.notes if "cannot hold" in line]
    assert len(noted) == 1 and "10" in noted[0], report.notes
    assert not any("thread 2" in line for line in report.notes), report.notes


def test_what_a_disqus_export_cannot_carry_is_named(tmp_path: Path) -> None:
    # WordPress comment meta, post meta and author replies' user links have no
    # Disqus element: each is counted in the report, by meta key.
    report = api.convert(SAMPLES / "agency-blog.wxr.xml", tmp_path / "out.xml",
                         to="disqus").written
    meta = next(line for line in report.left_out if "meta values" in line)
    assert meta.startswith("80 meta values (akismet_history: 38, akismet_result: 37,")
    assert "2 comments by a site user: the link to the user is not written" in (
        "\n".join(report.left_out))
