"""Reading WXR: every record, every value exactly as the file wrote it."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from wxrbridge.errors import InputError
from wxrbridge.formats import detect, get, read_input
from wxrbridge.formats.wxr import detect as detect_wxr
from wxrbridge.formats.wxr import read_wxr
from wxrbridge.inputs import HashingReader, InputFile
from wxrbridge.records import Comment, ImportIssue, Source, Term, Thread, User

DATA = Path(__file__).parent / "data" / "wxr"
FILES = sorted(DATA.glob("*.xml"))


def read(name: str) -> list:
    with open(DATA / name, "rb") as handle:
        return list(read_wxr(handle, name=name))


def read_bytes(data: bytes, *, recover: bool = False) -> list:
    if recover:
        # Recover mode mends the file before the reader sees it, in
        # read_input, for every format that declares how.
        item = InputFile("test.xml", HashingReader(io.BytesIO(data)))
        return list(read_input(item, format="wxr", recover=True))
    return list(read_wxr(io.BytesIO(data), name="test.xml"))


def of(records: list, kind: type) -> list:
    return [r for r in records if isinstance(r, kind)]


def comments_by_key(records: list) -> dict[str, Comment]:
    return {c.key: c for c in of(records, Comment)}


MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>t</title><wp:wxr_version>1.2</wp:wxr_version>{body}</channel></rss>
"""


# -- namespaces, source, order ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "uri", "version"),
    [
        ("v1.0.xml", "http://wordpress.org/export/1.0/", "1.0"),
        ("v1.1.xml", "http://wordpress.org/export/1.1/", "1.1"),
        ("core-1.2.xml", "http://wordpress.org/export/1.2/", "1.2"),
        ("wpcom-https.xml", "https://wordpress.org/export/1.2/", "1.2"),
    ],
)
def test_every_wp_namespace_variant_is_read(name: str, uri: str, version: str) -> None:
    records = read(name)
    source = records[0]
    assert isinstance(source, Source)
    assert source.wp_namespace == uri
    assert source.version == version
    assert source.namespaces["wp"] == uri
    comments = of(records, Comment)
    assert comments and all(c.content for c in comments)
    threads = of(records, Thread)
    assert all(t.wp_post_id is not None for t in threads)


def test_source_fields_and_channel_records() -> None:
    records = read("core-1.2.xml")
    source = records[0]
    assert isinstance(source, Source)
    assert source.origin == "wxr"
    assert source.site == "https://notes.example.org"
    assert source.title == "Field Notes & Margins"
    assert source.language == "en-GB"
    assert source.generator == "https://wordpress.org/?v=6.5"
    assert source.namespaces == {
        "excerpt": "http://wordpress.org/export/1.2/excerpt/",
        "content": "http://purl.org/rss/1.0/modules/content/",
        "wfw": "http://wellformedweb.org/CommentAPI/",
        "dc": "http://purl.org/dc/elements/1.1/",
        "wp": "http://wordpress.org/export/1.2/",
    }
    users = of(records, User)
    assert [(u.wp_id, u.login, u.display_name) for u in users] == [
        ("1", "ines", "Inès Duval"), ("7", "okafor", "Chidi"),
    ]
    terms = of(records, Term)
    assert [(t.kind, t.slug, t.name) for t in terms] == [
        ("category", "walks", "Walks"), ("tag", "rain", "rain"),
        ("term", "coast-path", "Coast path"),
    ]
    assert terms[0].parent == "" and terms[0].description is None
    assert terms[2].taxonomy == "series" and terms[2].meta == [("colour", "#3a7")]


def test_records_come_in_file_order_source_first() -> None:
    records = read("core-1.2.xml")
    kinds = [type(r).__name__ for r in records]
    assert kinds[0] == "Source"
    assert kinds[1:6] == ["User", "User", "Term", "Term", "Term"]
    # each thread is followed by its own comments
    current = None
    for record in records[6:]:
        if isinstance(record, Thread):
            current = record.key
        else:
            assert isinstance(record, Comment) and record.thread == current
    assert [t.key for t in of(records, Thread)] == ["41", "2", "42"]


def test_site_falls_back_to_base_site_url_then_link_then_name() -> None:
    body = "<wp:base_site_url> http://a.example </wp:base_site_url>"
    assert read_bytes(MINIMAL.format(body=body).encode())[0].site == "http://a.example"
    body = "<link>http://b.example</link>"
    assert read_bytes(MINIMAL.format(body=body).encode())[0].site == "http://b.example"
    assert read_bytes(MINIMAL.format(body="").encode())[0].site == "test.xml"


def test_file_without_wxr_version_is_read_with_a_warning() -> None:
    records = read("no-version.xml")
    assert isinstance(records[0], Source) and records[0].version is None
    issues = of(records, ImportIssue)
    assert [(i.code, i.severity) for i in issues] == [("no-wxr-version", "warning")]
    assert issues[0].file == "no-version.xml"
    (comment,) = of(records, Comment)
    assert comment.content == "No version, still readable."
    assert comment.author_email is None  # absent, not empty


def test_generator_after_terms_still_reaches_the_source() -> None:
    # The Source is held back until the first item so that channel fields
    # written after the author and term lists are part of it.
    records = read("core-1.2.xml")
    assert records[0].generator == "https://wordpress.org/?v=6.5"


# -- values exactly as written ---------------------------------------------------


def test_adjacent_cdata_sections_are_joined() -> None:
    (thread,) = of(read("values.xml"), Thread)
    assert thread.content == "first section, second section, third"


def test_split_cdata_end_marker_is_joined_back() -> None:
    comments = comments_by_key(read("core-1.2.xml"))
    assert comments["101"].content.startswith("Lovely. The path ends at ]]> the bay")
    (thread,) = [t for t in of(read("core-1.2.xml"), Thread) if t.key == "41"]
    assert "<code>x]]>y</code>" in thread.content


def test_escaped_text_mixed_with_cdata_and_references() -> None:
    comment = comments_by_key(read("values.xml"))["501"]
    assert comment.content == (
        "<p>Escaped & fine</p> then <b>cdata</b> then \U0001F600 \r\n"
        "after a carriage return"
    )


def test_self_closing_and_empty_elements_are_empty_strings() -> None:
    records = read("values.xml")
    comment = comments_by_key(records)["501"]
    assert comment.author_email == ""  # <wp:comment_author_email/>
    assert comment.author_ip == ""  # <wp:comment_author_IP></wp:comment_author_IP>
    assert comment.wp_type == ""
    (thread,) = of(records, Thread)
    assert thread.excerpt == ""  # <excerpt:encoded/>
    assert records[0].description == ""  # <description/>


def test_whitespace_around_values_is_kept() -> None:
    records = read("values.xml")
    comment = comments_by_key(records)["501"]
    assert comment.author_name == "  Spacey Name  "
    assert comment.wp_id == " 501 " and comment.key == "501"
    assert comments_by_key(records)["502"].parent == " 501 "
    (thread,) = of(records, Thread)
    assert thread.wp_post_id == " 500 " and thread.key == "500"
    pretty = read("wpcom-https.xml")
    (first, _) = of(pretty, Comment)
    assert first.content == "\n          " + "  Deux espaces avant, un après. " + "\n        "
    assert of(pretty, Thread)[0].title == "\n        " + " Espaces " + "\n      "


def test_zero_empty_and_absent_are_different() -> None:
    comments = comments_by_key(read("values.xml"))
    zero = comments["502"]
    assert zero.author_name == "0" and zero.content == "0"
    assert comments["501"].wp_user_id is None  # element absent
    assert comments["501"].parent == "0"
    bare = comments["503"]
    assert bare.author_name is None and bare.created_at is None and bare.parent is None
    assert bare.content == "Only two fields; the rest are absent."


def test_zero_date_is_kept_raw() -> None:
    records = read("values.xml")
    assert comments_by_key(records)["501"].created_at == "0000-00-00 00:00:00"
    assert comments_by_key(records)["501"].created_at_local == "2024-05-01 01:00:00"
    assert of(records, Thread)[0].created_at == "0000-00-00 00:00:00"
    assert comments_by_key(read("core-1.2.xml"))["104"].created_at == "0000-00-00 00:00:00"


def test_serialized_php_meta_and_backslashes_are_untouched() -> None:
    records = read("values.xml")
    (thread,) = of(records, Thread)
    assert thread.meta == [
        ("_settings", 'a:3:{s:4:"path";s:14:"C:\\Users\\x\\y\\\\";s:5:"quote";s:7:"say "hi"";'
                      "i:0;b:1;}"),
        ("empty_value", ""),
        ("no_value", None),
    ]
    comment = comments_by_key(records)["501"]
    assert comment.meta == [("k", "0"), ("k", 'back\\slash \\\\ and \\"quote\\"')]
    core = comments_by_key(read("core-1.2.xml"))
    assert core["102"].content.startswith("It does. Path: C:\\walks\\new\\ (backslashes")
    assert [key for key, _ in core["101"].meta] == [
        "akismet_result", "akismet_history", "akismet_history",
    ]


def test_four_byte_utf8() -> None:
    comment = comments_by_key(read("core-1.2.xml"))["101"]
    assert "\U0001F600" in comment.content and "\U0001D11E" in comment.content


def test_comment_fields_map_onto_the_record() -> None:
    comment = comments_by_key(read("core-1.2.xml"))["102"]
    assert comment.origin == "wxr" and comment.thread == "41"
    assert comment.wp_id == "102" and comment.parent == "101"
    assert comment.author_url == "https://notes.example.org"
    assert comment.created_at == "2024-02-13 11:00:00"
    assert comment.created_at_local == "2024-02-13 12:00:00"
    assert comment.wp_approved == "1" and comment.wp_type == "" and comment.wp_user_id == "1"
    pingback = comments_by_key(read("core-1.2.xml"))["103"]
    assert pingback.author_name == "Rambling &#8217;Round the Coast"
    assert pingback.wp_type == "pingback" and pingback.wp_approved == "0"


def test_item_fields_map_onto_the_thread() -> None:
    threads = {t.key: t for t in of(read("core-1.2.xml"), Thread)}
    post = threads["41"]
    assert post.guid == "https://notes.example.org/?p=41"
    assert post.guid_is_permalink == "false"
    assert post.creator == "ines" and post.slug == "along-the-cliffs"
    assert post.created_at == "2024-02-13 08:30:00"
    assert post.modified_at_local == "2024-02-14 10:00:00"
    assert [(t.domain, t.nicename, t.name) for t in post.terms] == [
        ("category", "walks", "Walks"), ("post_tag", "rain", "rain"),
    ]
    assert post.attachment_url is None
    attachment = threads["42"]
    assert attachment.post_type == "attachment" and attachment.post_parent == "41"
    assert attachment.attachment_url.endswith("cliffs-1.jpg")
    old = of(read("v1.0.xml"), Thread)[0]
    assert [(t.domain, t.nicename) for t in old.terms] == [
        (None, None), ("category", "uncategorized"),
    ]


# -- threading -----------------------------------------------------------------


def test_child_before_parent_missing_parent_and_deep_chain() -> None:
    records = read("threading.xml")
    comments = of(records, Comment)
    first = [c for c in comments if c.thread == "10"]
    assert [c.key for c in first] == ["21", "20", "22"]  # file order kept
    assert first[0].parent == "20"
    assert first[2].parent == "999"  # dangling, kept raw
    chain = [c for c in comments if c.thread == "11"]
    assert len(chain) == 10
    assert [c.parent for c in chain] == ["0"] + [str(300 + i) for i in range(9)]
    assert all(c.parent_key is None for c in comments)  # the store fills it


def test_made_up_keys_for_missing_ids() -> None:
    body = (
        "<item><title>a</title></item>"
        "<item><title>b</title><wp:post_id>  </wp:post_id>"
        "<wp:comment><wp:comment_content>x</wp:comment_content></wp:comment>"
        "<wp:comment><wp:comment_id></wp:comment_id></wp:comment></item>"
    )
    records = read_bytes(MINIMAL.format(body=body).encode())
    assert [t.key for t in of(records, Thread)] == ["#1", "#2"]
    assert [(c.key, c.thread, c.wp_id) for c in of(records, Comment)] == [
        ("##2/1", "#2", None), ("##2/2", "#2", ""),
    ]


# -- extras --------------------------------------------------------------------------


def test_unknown_xml_is_kept_with_its_anchor() -> None:
    records = read("extras.xml")
    source = records[0]
    kinds = {(e.kind, e.name, e.anchor) for e in source.extras}
    assert ("attribute", "version", "/rss") in kinds
    assert ("attribute", "{http://example.com/foo}stamp", "/rss") in kinds
    assert ("attribute", "{http://example.com/foo}mark", None) in kinds
    assert ("element", "{http://example.com/foo}setting", "language") in kinds
    assert ("element", "image", "generator") in kinds
    assert ("element", "{http://example.com/foo}after", "item") in kinds
    assert ("element", "{http://example.com/foo}trailer", "/rss/channel") in kinds
    setting = next(e for e in source.extras if e.name.endswith("setting"))
    assert setting.value == (
        '<foo:setting xmlns:foo="http://example.com/foo" level="2">kept '
        "<foo:b>inside</foo:b></foo:setting>"
    )
    (user,) = of(records, User)
    assert [(e.kind, e.anchor) for e in user.extras] == [
        ("attribute", None), ("element", "author_login"),
    ]
    first, second = of(records, Thread)
    anchors = [(e.kind, e.name.split("}")[-1], e.anchor) for e in first.extras]
    assert anchors == [
        ("attribute", "flag", None),
        ("namespace", "bar", None),
        ("element", "title", "title"),  # a second <title> is kept, not merged
        ("attribute", "extra", "guid"),
        ("element", "thread_identifier", "content:encoded"),
        ("attribute", "weight", "category"),
        ("element", "postmeta", "postmeta"),  # a postmeta of another shape
        ("element", "rating", "postmeta"),
        ("comment", "", "postmeta"),
    ]
    assert first.title == "With extras" and first.meta == [("plain", "1")]
    assert [(e.name, e.anchor) for e in second.extras] == [
        ("{http://example.com/foo}between", "/item"),
    ]
    (comment,) = of(records, Comment)
    assert [(e.kind, e.name.split("}")[-1], e.anchor) for e in comment.extras] == [
        ("attribute", "source", None),
        ("attribute", "format", "comment_content"),
        ("element", "comment_agent", "comment_approved"),
        ("element", "comment_karma", "comment_user_id"),
    ]


# -- safety and errors -------------------------------------------------------------


def test_external_entity_is_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4471")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY leak SYSTEM "file://{secret}">
  <!ENTITY % remote SYSTEM "file://{secret}">
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>&leak;</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>x &leak; y</title><wp:post_id>1</wp:post_id>
<wp:comment><wp:comment_id>1</wp:comment_id>
<wp:comment_content>before &leak; after</wp:comment_content></wp:comment>
&leak;
</item></channel></rss>""".encode()
    records = read_bytes(data)
    assert "TOP-SECRET" not in repr(records)
    (comment,) = of(records, Comment)
    assert comment.content == "before &leak; after"
    issues = of(records, ImportIssue)
    # Inside text it stays as its reference; between elements it is left out.
    assert sorted((i.code, i.severity) for i in issues) == [
        ("unexpanded-entity", "rejected"), ("unexpanded-entity", "warning")
    ]


@pytest.mark.parametrize(
    ("data", "marker"),
    [
        (MINIMAL.format(body="<item><title>a</titel></item>"), "</titel>"),
        (MINIMAL.format(body="<item><wp:comment_author_url>x?a=1&b=2"
                             "</wp:comment_author_url></item>"), "&b=2"),
        (MINIMAL.format(body="<item>")[:-20], None),
    ],
    ids=["mismatched-tag", "raw-ampersand", "truncated"],
)
def test_malformed_xml_raises_input_error_with_position(data: str, marker: str | None) -> None:
    with pytest.raises(InputError) as caught:
        read_bytes(data.encode())
    error = caught.value
    assert error.file == "test.xml"
    assert error.line == 3
    assert error.column is not None and error.column > 0
    if marker is not None:
        # libxml2 points just past the offending text
        start = data.splitlines()[2].index(marker) + 1
        assert start <= error.column <= start + len(marker)
    assert str(error).startswith(f"test.xml:3:{error.column}: not well-formed XML")


def test_control_character_in_file_is_an_input_error() -> None:
    data = MINIMAL.format(body="<item><title>a\x01b</title></item>").encode()
    with pytest.raises(InputError) as caught:
        read_bytes(data)
    assert caught.value.line == 3


def test_not_an_rss_root_is_an_input_error() -> None:
    with pytest.raises(InputError, match="root element"):
        read_bytes(b"<disqus xmlns='http://disqus.com'><thread/></disqus>")


def test_recover_keeps_intact_records_and_reports_issues() -> None:
    data = MINIMAL.format(body=(
        "<item><wp:post_id>1</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id>"
        "<wp:comment_author_url>x?a=1&b=2</wp:comment_author_url></wp:comment></item>"
        "<item><wp:post_id>2</wp:post_id></item>"
    )).encode()
    records = read_bytes(data, recover=True)
    # The raw '&' is mended where it sits: both items and the comment stay.
    assert [t.key for t in of(records, Thread)] == ["1", "2"]
    assert [c.author_url for c in of(records, Comment)] == ["x?a=1&b=2"]
    issues = of(records, ImportIssue)
    assert [(i.code, i.severity, i.record_key) for i in issues] == [
        ("raw-ampersand", "repaired", "comment 1")
    ]
    assert all(i.line == 3 and i.file == "test.xml" for i in issues)


def test_recover_on_a_truncated_file_keeps_what_was_complete() -> None:
    data = (DATA / "core-1.2.xml").read_bytes()[:9000]
    records = read_bytes(data, recover=True)
    assert isinstance(records[0], Source)
    # The cut-off item keeps its complete fields; the cut-off field is left out.
    assert [t.key for t in of(records, Thread)] == ["41", "2"]
    assert len(of(records, Comment)) == 4
    codes = {(i.code, i.severity) for i in of(records, ImportIssue)}
    assert {("truncated", "warning"), ("damaged-record", "rejected")} <= codes


def test_reading_is_lazy() -> None:
    # The first records are available before the rest of the file is read.
    items = "".join(f"<item><wp:post_id>{n}</wp:post_id></item>" for n in range(2000))
    stream = io.BytesIO(MINIMAL.format(body=items).encode())
    records = read_wxr(stream, name="big.xml")
    assert isinstance(next(records), Source)
    assert isinstance(next(records), Thread)
    assert stream.tell() < len(stream.getvalue())


# -- detection ---------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_detect_claims_every_wxr_file(path: Path) -> None:
    head = path.read_bytes()[:4096]
    assert detect_wxr(head)
    assert detect(head).name == "wxr"


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com" '
        b'xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="1"/>',
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>plain RSS</title>',
        b"<html><body>wordpress.org/export/1.2/</body></html>",
        b"",
    ],
)
def test_detect_rejects_other_files(head: bytes) -> None:
    assert not detect_wxr(head)


def test_detect_accepts_bom_and_doctype() -> None:
    head = (b"\xef\xbb\xbf<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'b'>]>"
            b"<!-- c --><rss xmlns:wp='http://wordpress.org/export/1.1/'>")
    assert detect_wxr(head)


def test_format_is_registered() -> None:
    fmt = get("wxr")
    assert fmt.read is read_wxr and fmt.write is not None
    assert ".xml" in fmt.extensions and ".wxr" in fmt.extensions


# -- independent oracle ----------------------------------------------------------------

ORACLE = Path(__file__).parent / "wp_oracle.php"
_STRING_FIELDS = {
    "comment_author": "author_name", "comment_author_email": "author_email",
    "comment_author_url": "author_url", "comment_author_IP": "author_ip",
    "comment_date": "created_at_local", "comment_date_gmt": "created_at",
    "comment_content": "content", "comment_approved": "wp_approved",
    "comment_type": "wp_type",
}
_INT_FIELDS = {"comment_id": "wp_id", "comment_parent": "parent",
               "comment_user_id": "wp_user_id"}


def php_int(raw: str | None) -> int:
    """PHP's (int) cast of a string: leading whitespace and digits."""
    match = re.match(r"[ \t\n\r\v\f]*([+-]?[0-9]+)", raw or "")
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_reader_agrees_with_php_simplexml(path: Path) -> None:
    php = shutil.which("php")
    if php is None:
        pytest.skip("php is not installed")
    result = subprocess.run(
        [php, str(ORACLE), str(path)], capture_output=True, text=True, check=True,
    )
    expected = json.loads(result.stdout)
    with open(path, "rb") as handle:
        records = list(read_wxr(handle, name=path.name))
    threads = of(records, Thread)
    assert len(threads) == len(expected)
    for thread, item in zip(threads, expected, strict=True):
        assert php_int(thread.wp_post_id) == item["post_id"]
        comments = [c for c in of(records, Comment) if c.thread == thread.key]
        assert len(comments) == len(item["comments"])
        for comment, want in zip(comments, item["comments"], strict=True):
            for php_name, attr in _STRING_FIELDS.items():
                assert (getattr(comment, attr) or "") == want[php_name], (comment.key, php_name)
            for php_name, attr in _INT_FIELDS.items():
                assert php_int(getattr(comment, attr)) == want[php_name], (comment.key, php_name)
            assert [[k, v or ""] for k, v in comment.meta] == want["commentmeta"]


def test_post_ids_kept_as_bits_give_the_keys_a_set_of_them_did() -> None:
    from wxrbridge.formats.wxr.groups import PostIdKeys

    class SetKeys(PostIdKeys):
        """The keys as a plain count of every id gives them."""

        def _count(self, key: str) -> int:
            return self.seen.get(key, 0)

        def _note(self, key: str, count: int) -> None:
            self.seen[key] = count

    ids = ["7", "007", "7", "7~2", "7", "0", "0", "100000000", "100000000", "67108863",
           "67108863", "67108864", "67108864", "٣", "٣", "12", "12~2", "12", "12~3", "12"]
    issues: list[ImportIssue] = []
    bits, plain = PostIdKeys("f.xml"), SetKeys("f.xml")
    keys = [bits.key(post_id, n, issues) for n, post_id in enumerate(ids)]
    assert keys == [plain.key(post_id, n, []) for n, post_id in enumerate(ids)]
    assert keys[:5] == ["7", "007", "7~2", "7~2~2", "7~3"]
    assert keys[-5:] == ["12", "12~2", "12~3", "12~3~2", "12~4"]
    # Plain ids seen once are bits, not strings; others are strings.
    once = PostIdKeys("f.xml")
    for post_id in ("5", "67108863", "67108864", "05", "٣"):
        once.key(post_id, None, issues)
    assert sorted(once.seen) == ["05", "67108864", "٣"]
    assert len(once.numbered) <= 1 << 23
