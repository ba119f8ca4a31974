"""Reading Disqus exports into records."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from lxml import etree

from wxrbridge import canonical, formats
from wxrbridge.errors import InputError
from wxrbridge.formats.disqus import detect, read_disqus
from wxrbridge.inputs import HashingReader, InputFile, open_inputs, peek_head
from wxrbridge.records import Comment, ImportIssue, Record, Source, Term, Thread

DATA = Path(__file__).parent / "data" / "disqus"
FULL = DATA / "full.xml"

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" '
    'xmlns:dsq="http://disqus.com/disqus-internals">\n'
)


def read(data: bytes | str, *, name: str = "test.xml", recover: bool = False) -> list[Record]:
    raw = data.encode() if isinstance(data, str) else data
    if recover:
        # Recover mode mends the file before the reader sees it, in
        # read_input, for every format that declares how.
        item = InputFile(name, HashingReader(io.BytesIO(raw)))
        return list(formats.read_input(item, format="disqus", recover=True))
    return list(read_disqus(io.BytesIO(raw), name=name))


def of(records: list[Record], kind: type) -> list:
    return [r for r in records if isinstance(r, kind)]


@pytest.fixture(scope="module")
def full() -> list[Record]:
    with open(FULL, "rb") as handle:
        return list(read_disqus(handle, name=str(FULL)))


def thread(records: list[Record], key: str) -> Thread:
    return next(r for r in of(records, Thread) if r.key == key)


def post(records: list[Record], key: str) -> Comment:
    return next(r for r in of(records, Comment) if r.key == key)


# -- detection and registration ---------------------------------------------


def test_registered_with_its_extensions() -> None:
    fmt = formats.get("disqus")
    assert fmt.read is read_disqus
    assert fmt.detect is detect
    assert ".disqus.xml.gz" in fmt.extensions
    assert "disqus" in formats.readable() and "disqus" in formats.writable()


@pytest.mark.parametrize(
    "head",
    [
        FULL.read_bytes()[:4096],
        b'<disqus xmlns="http://disqus.com"/>',
        b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- backup -->\n"
        b"<disqus xmlns:dsq='http://disqus.com/disqus-internals' xmlns='http://disqus.com'>",
        b'<d:disqus xmlns:d="http://disqus.com">',
        b'<!DOCTYPE disqus [<!ENTITY a "b">]><disqus xmlns="http://disqus.com">',
    ],
)
def test_detects_a_disqus_root(head: bytes) -> None:
    assert detect(head)


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0"?>\n<rss version="2.0" xmlns:dsq="http://www.disqus.com/">',
        b'<!-- <disqus xmlns="http://disqus.com"> --><rss>',
        b'<disqus xmlns="http://example.org/other">',
        b'<d:disqus xmlns="http://disqus.com" xmlns:d="urn:x">',
        b"not xml at all",
        b"",
    ],
)
def test_does_not_claim_other_roots(head: bytes) -> None:
    assert not detect(head)


def test_registry_detects_disqus() -> None:
    assert formats.detect(FULL.read_bytes()[:4096]).name == "disqus"


# -- what comes out of a full file -------------------------------------------


def test_source_comes_first_and_names_the_forum(full: list[Record]) -> None:
    source = full[0]
    assert isinstance(source, Source)
    assert source.origin == "disqus"
    assert source.site == "lanternlog"
    assert source.name == str(FULL)
    assert source.namespaces == {
        "": "http://disqus.com",
        "dsq": "http://disqus.com/disqus-internals",
        "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    }
    assert len(of(full, Source)) == 1


def test_records_come_in_file_order(full: list[Record]) -> None:
    kinds = [type(r).__name__ for r in full if not isinstance(r, ImportIssue)]
    assert kinds == ["Source", "Term", "Term", "Thread", "Thread", "Thread"] + ["Comment"] * 6
    assert [c.key for c in of(full, Comment)] == ["5002", "5001", "5003", "5004", "5005", "#p6"]


def test_no_issues_for_a_clean_file(full: list[Record]) -> None:
    assert of(full, ImportIssue) == []


def test_categories(full: list[Record]) -> None:
    general, notes = of(full, Term)
    assert (general.origin, general.kind, general.term_id) == ("disqus", "dsq_category", "700")
    assert (general.dsq_forum, general.name, general.dsq_is_default) == (
        "lanternlog", "General", "true")
    assert (notes.term_id, notes.name, notes.dsq_is_default) == ("701", "Field notes", "false")


def test_thread_with_every_field(full: list[Record]) -> None:
    t = thread(full, "9001")
    assert t.origin == "disqus"
    assert t.dsq_id == "9001"
    assert t.identifier == "12 http://lantern.example/?p=12"
    assert t.dsq_forum == "lanternlog"
    assert t.dsq_category == "700"
    assert t.link == "http://lantern.example/2011/03/wick-trimming/"
    assert t.title == "Trimming a wick, <em>properly</em>"
    assert t.content == "<p>Keep the flame low & even.</p>"
    assert t.created_at == "2011-03-07T20:46:25Z"
    assert (t.dsq_author_name, t.dsq_author_email, t.dsq_author_username,
            t.dsq_author_is_anonymous) == ("Oona Keel", "oona@lantern.example", "oonakeel",
                                           "false")
    assert t.dsq_ip_address == "192.0.2.10"
    assert (t.dsq_is_closed, t.dsq_is_deleted) == ("false", "false")


def test_unknown_children_travel_in_extras(full: list[Record]) -> None:
    t = thread(full, "9001")
    by_name = {e.name: e for e in t.extras}
    pinned = by_name["{http://disqus.com/disqus-internals}pinned"]
    assert (pinned.kind, pinned.anchor) == ("element", "isDeleted")
    assert ">yes</dsq:pinned>" in pinned.value
    # The thread author's <link> has no Thread field.
    link = by_name["author/{http://disqus.com}link"]
    assert link.anchor == "author"
    assert "http://lantern.example/about/" in link.value

    p = post(full, "5002")
    kinds = {(e.kind, e.name, e.anchor) for e in p.extras}
    assert ("attribute", "{http://disqus.com/disqus-internals}import", None) in kinds
    assert ("element", "author/{http://disqus.com}reputation", "author") in kinds
    assert ("comment", "", "parent") in kinds


def test_thread_with_empty_title_and_identifier(full: list[Record]) -> None:
    t = thread(full, "9002")
    assert t.title == ""
    assert t.identifier == ""
    assert t.content == ""
    assert t.dsq_author_email is None
    assert t.dsq_ip_address is None


def test_thread_with_no_posts(full: list[Record]) -> None:
    assert thread(full, "9003").title == "Nobody answered this one"
    assert not [c for c in of(full, Comment) if c.thread == "9003"]


def test_dates_with_and_without_z(full: list[Record]) -> None:
    with_z = post(full, "5002").created_at
    without_z = post(full, "5001").created_at
    assert (with_z, without_z) == ("2011-03-08T10:00:00Z", "2011-03-08T09:00:00")
    assert canonical.parse_utc(with_z).hour == 10
    assert canonical.parse_utc(without_z).hour == 9


def test_post_with_every_field(full: list[Record]) -> None:
    p = post(full, "5002")
    assert (p.origin, p.dsq_id, p.thread, p.parent) == ("disqus", "5002", "9001", "5001")
    assert p.dsq_identifier == ""
    assert p.content == "<p>Replying before my parent shows up in the file.</p>"
    assert p.created_at == "2011-03-08T10:00:00Z"
    assert (p.dsq_is_deleted, p.dsq_is_spam, p.dsq_is_approved, p.dsq_is_flagged,
            p.dsq_is_highlighted) == ("false", "false", "true", "false", "false")
    assert (p.author_name, p.author_email, p.author_url, p.dsq_username,
            p.dsq_is_anonymous) == ("Pell Arrow", "pell@mail.example", "http://pell.example/",
                                    "pellarrow", "false")
    assert p.author_ip == "2001:db8::7"


def test_text_is_kept_exactly(full: list[Record]) -> None:
    p = post(full, "5001")
    assert p.content == "  Lead first,\nthen the rest.  "
    assert p.dsq_identifier == "wp_id=973"
    assert post(full, "5005").content == "Waiting for a moderator & a lamp."


def test_absent_fields_are_none(full: list[Record]) -> None:
    p = post(full, "5004")
    assert p.author_email is None
    assert p.author_ip is None
    assert p.dsq_is_approved is None
    assert p.dsq_username is None
    assert p.author_url is None


def test_references_by_attribute_and_by_text(full: list[Record]) -> None:
    assert post(full, "5004").thread == "9002"
    assert post(full, "5005").thread == "9002"  # <thread>9002</thread>
    assert thread(full, "9002").dsq_category == "701"  # <category>701</category>
    assert post(full, "#p6").parent == "5005"  # <parent>5005</parent>
    assert post(full, "5001").parent is None


def test_post_without_dsq_id(full: list[Record]) -> None:
    p = post(full, "#p6")
    assert p.dsq_id is None
    assert p.thread == "9002"


def test_parent_listed_after_its_child(full: list[Record]) -> None:
    keys = [c.key for c in of(full, Comment)]
    assert keys.index("5002") < keys.index("5001")
    assert post(full, "5002").parent == "5001"


def test_spam_deleted_and_unapproved_are_kept_with_their_text(full: list[Record]) -> None:
    spam, deleted, pending = post(full, "5003"), post(full, "5004"), post(full, "5005")
    assert canonical.comment_status(spam) == canonical.SPAM
    assert spam.content == "Buy lamp oil cheap!!!"
    assert canonical.comment_status(deleted) == canonical.DELETED
    assert deleted.content == "I said something I regret."
    assert canonical.comment_status(pending) == canonical.PENDING
    assert canonical.comment_status(post(full, "5001")) == canonical.APPROVED


# -- values that are not what they should be ----------------------------------


BAD_VALUES = HEAD + """\
  <thread dsq:id="1">
    <isClosed>maybe</isClosed>
    <createdAt>2011-03-07T20:46:25Z</createdAt>
  </thread>
  <post dsq:id="2">
    <message>still here</message>
    <createdAt>last tuesday</createdAt>
    <isSpam>123</isSpam>
    <isApproved></isApproved>
    <thread dsq:id="1"/>
  </post>
</disqus>
"""


def test_bad_boolean_and_bad_date_are_kept_and_reported() -> None:
    records = read(BAD_VALUES)
    p = of(records, Comment)[0]
    assert p.dsq_is_spam == "123"
    assert p.created_at == "last tuesday"
    assert p.dsq_is_approved == ""
    assert p.content == "still here"
    issues = {(i.code, i.record_key, i.line, i.severity, i.file) for i in of(records, ImportIssue)}
    assert issues == {
        ("bad-boolean", "thread 1", 4, "warning", "test.xml"),
        ("bad-date", "comment 2", 9, "warning", "test.xml"),
        ("bad-boolean", "comment 2", 10, "warning", "test.xml"),
    }
    # Issues follow the record they are about.
    kinds = [type(r).__name__ for r in records]
    assert kinds == ["Source", "Thread", "ImportIssue", "Comment", "ImportIssue", "ImportIssue"]


def test_malformed_xml_raises_with_line_and_column() -> None:
    broken = HEAD + '  <post dsq:id="1">\n    <message>fish & chips</message>\n  </post>\n</disqus>'
    with pytest.raises(InputError) as caught:
        read(broken, name="broken.xml")
    error = caught.value
    assert error.file == "broken.xml"
    assert error.line == 4
    assert error.column is not None and error.column > 0
    assert str(error).startswith("broken.xml:4:")


def test_truncated_file_raises() -> None:
    with pytest.raises(InputError) as caught:
        read(FULL.read_bytes()[:1500])
    assert caught.value.line is not None


def test_recover_keeps_going_and_reports() -> None:
    broken = (HEAD + '  <post dsq:id="1">\n    <message>fish & chips</message>\n'
              '    <thread dsq:id="9"/>\n  </post>\n'
              '  <post dsq:id="2"><message>fine</message><thread dsq:id="9"/></post>\n</disqus>')
    records = read(broken, recover=True)
    assert [c.key for c in of(records, Comment)] == ["1", "2"]
    assert of(records, Comment)[0].content == "fish & chips"
    issues = [i for i in of(records, ImportIssue) if i.code == "raw-ampersand"]
    assert issues and issues[0].line == 4 and issues[0].severity == "repaired"
    assert issues[0].record_key == "comment 1"


def test_external_entity_is_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the-vault-code-is-7341")
    document = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE disqus [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '  <thread dsq:id="1"><title>&leak;</title></thread>\n'
        '  <post dsq:id="2"><message>before &leak; after</message>'
        '<author><name>&leak;</name></author><thread dsq:id="1"/>&leak;</post>\n'
        "</disqus>\n"
    )
    records = read(document)
    assert "the-vault-code-is-7341" not in repr(records)
    p = of(records, Comment)[0]
    assert p.content == "before &leak; after"
    assert any(i.code == "unexpanded-entity" for i in of(records, ImportIssue))


# -- odd but legal shapes ------------------------------------------------------


def test_markup_inside_a_field_is_kept_whole() -> None:
    records = read(HEAD + '<thread dsq:id="1"><title>A <em>bold</em> move</title>'
                   "<link>http://x.example/</link></thread></disqus>")
    t = of(records, Thread)[0]
    assert t.title is None
    (extra,) = t.extras
    assert extra.kind == "element" and extra.anchor is None
    assert "A <em>bold</em> move</title>" in extra.value
    assert t.link == "http://x.example/"


def test_a_repeated_child_goes_to_extras() -> None:
    records = read(HEAD + '<post dsq:id="1"><message>one</message><message>two</message>'
                   '<thread dsq:id="5"/></post></disqus>')
    p = of(records, Comment)[0]
    assert p.content == "one"
    assert [(e.name, e.anchor) for e in p.extras] == [("{http://disqus.com}message", "message")]


def test_unknown_top_level_elements() -> None:
    records = read(HEAD + "<exportedBy>tool 1</exportedBy>"
                   '<thread dsq:id="1"><forum>f</forum></thread><trailer/></disqus>')
    source = records[0]
    assert isinstance(source, Source)
    assert [e.name for e in source.extras] == ["{http://disqus.com}exportedBy"]
    issue = of(records, ImportIssue)[0]
    assert (issue.code, issue.severity) == ("unknown-element", "rejected")
    assert "trailer" in (issue.fragment or "")


def test_top_level_elements_between_records_are_read_once_in_order() -> None:
    # Only records raise parser events: what lies between them, comments
    # included, is picked up when the next record ends, or at the end.
    records = read(HEAD + "<!-- a --><first/><!-- b --><second/>"
                   '<category dsq:id="7"><title>c</title></category>'
                   "<!-- c --><middle/><?pi x?>"
                   '<thread dsq:id="1"><forum>f</forum><category dsq:id="7"/></thread>'
                   "<last/><!-- d --></disqus>")
    source = records[0]
    assert isinstance(source, Source)
    assert [e.name for e in source.extras if e.kind == "element"] == [
        "{http://disqus.com}first", "{http://disqus.com}second"]
    kinds = [type(r).__name__ if not isinstance(r, ImportIssue) else r.fragment
             for r in records[1:]]
    assert kinds == ["Term", '<middle xmlns="http://disqus.com"/>', "Thread",
                     '<last xmlns="http://disqus.com"/>']


def test_post_naming_no_thread_is_reported() -> None:
    records = read(HEAD + '<post dsq:id="1"><message>lost</message></post></disqus>')
    p = of(records, Comment)[0]
    assert p.thread == ""
    assert [i.code for i in of(records, ImportIssue)] == ["no-thread"]


def test_keys_made_up_from_position() -> None:
    records = read(HEAD + "<thread><forum>f</forum></thread><thread dsq:id='7'/>"
                   "<thread/><post><thread>7</thread></post></disqus>")
    assert [t.key for t in of(records, Thread)] == ["#1", "7", "#3"]
    assert [t.dsq_id for t in of(records, Thread)] == [None, "7", None]
    assert of(records, Comment)[0].key == "#p1"
    assert records[0].site == "f"


def test_a_file_without_records_still_has_a_source() -> None:
    records = read('<disqus xmlns="http://disqus.com"/>', name="empty.xml")
    assert len(records) == 1
    assert (records[0].site, records[0].name) == ("empty.xml", "empty.xml")


def test_site_is_the_file_name_when_the_first_record_is_a_post() -> None:
    records = read(HEAD + '<post dsq:id="1"><thread dsq:id="2"/></post></disqus>',
                   name="posts-only.xml")
    assert records[0].site == "posts-only.xml"


def test_gzipped_export_through_open_inputs(tmp_path: Path) -> None:
    packed = tmp_path / "lanternlog-2021-06-03T03_54_08.772063-all.xml.gz"
    packed.write_bytes(gzip.compress(FULL.read_bytes()))
    documents = 0
    for document in open_inputs(str(packed)):
        documents += 1
        head, stream = peek_head(document.stream)
        assert detect(head)
        records = list(read_disqus(stream, name=document.name))
    assert documents == 1
    assert len(of(records, Comment)) == 6
    assert records[0].site == "lanternlog"
    assert post(records, "5001").content == "  Lead first,\nthen the rest.  "


def test_finished_elements_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tree never holds more than the record being read, whatever the
    file's length: that is what keeps memory flat."""
    real_iterparse = etree.iterparse
    widths: list[int] = []

    class Spy:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self._context = real_iterparse(*args, **kwargs)

        def __iter__(self):  # type: ignore[no-untyped-def]
            for event, element in self._context:
                yield event, element
                if event != "end":
                    continue  # a namespace declaration
                # Parsing runs ahead of the events, so only what lies behind
                # a finished record says whether anything was kept.
                if element.getparent() is element.getroottree().getroot():
                    behind = 0
                    previous = element.getprevious()
                    while previous is not None:
                        behind += 1
                        previous = previous.getprevious()
                    widths.append(behind + len(element))

        def __getattr__(self, name: str) -> object:
            return getattr(self._context, name)

    monkeypatch.setattr(etree, "iterparse", Spy)
    posts = "".join(
        f'<post dsq:id="{n}"><message>m{n}</message><thread dsq:id="1"/></post>'
        for n in range(500)
    )
    records = read(HEAD + posts + "</disqus>")
    assert len(of(records, Comment)) == 500
    assert len(widths) == 500 and max(widths) == 0


# Posts of every shape the short path for usual posts must leave to the
# general one, beside usual ones it takes.
_POST_SHAPES = [
    '<post dsq:id="1"><id>a</id><message><![CDATA[<p>plain</p>]]></message>'
    "<createdAt>2020-01-02T03:04:05Z</createdAt><isDeleted>false</isDeleted>"
    "<isSpam>false</isSpam><author><name>A</name><email>a@example.org</email>"
    "<isAnonymous>false</isAnonymous><username>a</username></author>"
    '<ipAddress>192.0.2.1</ipAddress><thread dsq:id="10"/></post>',
    '<post><message>no id</message><createdAt>2020-01-02T03:04:05</createdAt>'
    "<thread>10</thread></post>",
    '<post dsq:id=""><message>empty id</message><thread dsq:id="10">\n </thread></post>',
    '<post dsq:id="2" extra="x"><message>attribute</message><thread dsq:id="10"/></post>',
    '<post dsq:id="3">stray<message>text</message><thread dsq:id="10"/></post>',
    '<post dsq:id="4"><message>m</message> after <thread dsq:id="10"/></post>',
    '<post dsq:id="5"><!-- note --><message>m</message><thread dsq:id="10"/></post>',
    '<post dsq:id="6"><message>m</message><message>again</message><thread dsq:id="10"/></post>',
    '<post dsq:id="7"><message lang="en">m</message><thread dsq:id="10"/></post>',
    '<post dsq:id="8"><message>m</message><thread dsq:id="10">11</thread></post>',
    '<post dsq:id="9"><message>m</message><thread dsq:id="10" x="y"/></post>',
    '<post dsq:id="11"><isSpam>yes</isSpam><thread dsq:id="10"/></post>',
    '<post dsq:id="12"><isSpam>1</isSpam><thread dsq:id="10"/></post>',
    '<post dsq:id="13"><createdAt>yesterday</createdAt><thread dsq:id="10"/></post>',
    '<post dsq:id="14"><message>no thread</message></post>',
    '<post dsq:id="15"><author x="y"><name>A</name></author><thread dsq:id="10"/></post>',
    '<post dsq:id="16"><author><name>A</name><nick>a</nick></author><thread dsq:id="10"/></post>',
    '<post dsq:id="17"><author><name>A</name><name>B</name></author><thread dsq:id="10"/></post>',
    '<post dsq:id="18"><author><isAnonymous>maybe</isAnonymous></author>'
    '<thread dsq:id="10"/></post>',
    '<post dsq:id="19"><author>who<name>A</name></author><thread dsq:id="10"/></post>',
    '<post dsq:id="20"><author><name>A</name></author><author><name>B</name></author>'
    '<thread dsq:id="10"/></post>',
    '<post dsq:id="21"><message>m<b>bold</b></message><thread dsq:id="10"/></post>',
    '<post dsq:id="22"><unknown>u</unknown><thread dsq:id="10"/></post>',
    '<post dsq:id="23"><?pi x?><message>m</message><thread dsq:id="10"/></post>',
    '<post dsq:id="24"><parent dsq:id="1"/><thread dsq:id="10"/></post>',
]


def _both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch, *, recover: bool = False,
               ) -> tuple[list[Record], list[Record], int]:
    """The records read with and without the short path, and how many posts
    took it."""
    from wxrbridge.formats.disqus.elements import RecordReader

    taken = 0
    plain_values = RecordReader._plain_values

    def counting(self: object, element: etree._Element, *layouts: object) -> object:
        nonlocal taken
        values = plain_values(self, element, *layouts)  # type: ignore[arg-type]
        taken += values is not None and etree.QName(element).localname == "post"
        return values

    monkeypatch.setattr(RecordReader, "_plain_values", counting)
    fast = read(data, recover=recover)
    monkeypatch.setattr(RecordReader, "plain_records", False)
    general = read(data, recover=recover)
    monkeypatch.undo()
    return fast, general, taken


def test_usual_posts_read_alike_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = HEAD + '<thread dsq:id="10"><id>t</id></thread>\n' + "\n".join(_POST_SHAPES) + (
        "\n</disqus>")
    fast, general, taken = _both_ways(doc.encode(), monkeypatch)
    assert fast == general
    assert len(of(fast, Comment)) == len(_POST_SHAPES)
    # The first three posts, the one naming no thread (14, reported all the
    # same) and the reply (24) are of the usual shape.
    assert taken == 5
    assert any(isinstance(r, ImportIssue) for r in fast)


def test_a_namespace_declared_below_the_root_leaves_posts_to_the_general_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = (HEAD + '<thread dsq:id="10"/>\n' + _POST_SHAPES[0]
           + '<post dsq:id="30" xmlns:x="urn:x"><message>m</message><thread dsq:id="10"/></post>'
           + _POST_SHAPES[0].replace('"1"', '"31"') + "</disqus>")
    fast, general, taken = _both_ways(doc.encode(), monkeypatch)
    assert fast == general
    assert taken == 1  # only the post before the declaration
    declared = [c for c in of(fast, Comment) if c.key == "30"][0]
    assert ("namespace", "x", "urn:x") in [(e.kind, e.name, e.value) for e in declared.extras]


@pytest.mark.parametrize("path", [
    FULL,
    Path(__file__).parent.parent / "samples" / "agency-blog.disqus.xml.gz",
    Path(__file__).parent / "data" / "broken" / "disqus-bad-post.xml",
])
def test_files_read_alike_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    fast, general, taken = _both_ways(data, monkeypatch, recover=True)
    assert fast == general
    assert taken > 0


def test_a_generated_export_reads_alike_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import generate_corpus

    _wxr, disqus = generate_corpus(3000, tmp_path, seed=7)
    fast, general, taken = _both_ways(disqus.read_bytes(), monkeypatch)
    assert fast == general
    assert taken > 0.9 * len(of(fast, Comment))


def test_threads_and_categories_read_alike_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = HEAD + (
        '<category dsq:id="1"><forum>f</forum><title>General</title>'
        "<isDefault>true</isDefault></category>"
        '<category dsq:id="2" x="y"><title>Other</title></category>'
        '<thread dsq:id="10"><id>7 https://example.org/?p=7</id><forum>f</forum>'
        '<category dsq:id="1"/><link>https://example.org/a/</link><title>A</title>'
        "<message><![CDATA[<p>hi</p>]]></message><createdAt>2020-01-02T03:04:05Z</createdAt>"
        "<author><name>N</name><email>n@example.org</email><username>n</username>"
        "<isAnonymous>false</isAnonymous></author><ipAddress>192.0.2.9</ipAddress>"
        "<isClosed>false</isClosed><isDeleted>false</isDeleted></thread>"
        '<thread dsq:id="11"><title>B</title><isClosed>maybe</isClosed></thread>'
        '<thread dsq:id="12"><title>C</title><createdAt>soon</createdAt></thread>'
        '<thread dsq:id="13"><title>D</title><author><name>N</name><uid>9</uid></author></thread>'
        '<thread dsq:id="14"><title>E</title><category>1</category></thread>'
        "</disqus>"
    )
    fast, general, _taken = _both_ways(doc.encode(), monkeypatch)
    assert fast == general
    assert len(of(fast, Thread)) == 5 and len(of(fast, Term)) == 2
    assert any(isinstance(r, ImportIssue) for r in fast)
