"""Reading Blogger exports (legacy backup and Takeout feed.atom)."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from lxml import etree

from wxrbridge import api, canonical, formats
from wxrbridge.cli import cli
from wxrbridge.errors import InputError
from wxrbridge.formats.blogger import detect, read_blogger
from wxrbridge.inputs import HashingReader, InputFile
from wxrbridge.records import Comment, ImportIssue, Record, Source, Thread, User
from wxrbridge.store import open_store

DATA = Path(__file__).parent / "data" / "blogger"
LEGACY = DATA / "legacy.xml"
TAKEOUT = DATA / "takeout.atom"
WP = {"wp": "http://wordpress.org/export/1.2/"}


def read(data: bytes, *, name: str = "blog.xml", recover: bool = False) -> list[Record]:
    item = InputFile(name, HashingReader(io.BytesIO(data)))
    return list(formats.read_input(item, format=None, recover=recover))


def of(records: list[Record], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def by_key(records: list[Record], kind: type) -> dict[str, Any]:
    return {r.key: r for r in of(records, kind)}


def invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


# -- detection ------------------------------------------------------------


def test_both_schemas_are_detected_and_no_other_format_is_claimed() -> None:
    for path in (LEGACY, TAKEOUT):
        assert formats.detect(path.read_bytes()[:4096]).name == "blogger"
    for path in [*SAMPLES.glob("*.xml"), *(DATA.parent / "disqus").glob("*.xml")]:
        assert not detect(path.read_bytes()[:4096]), path
    plain_atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id></feed>'
    assert not detect(plain_atom)


# -- the legacy export ----------------------------------------------------


def test_legacy_posts_pages_and_drafts_become_threads() -> None:
    records = read(LEGACY.read_bytes())
    source = records[0]
    assert isinstance(source, Source)
    assert source.site == "blogger:7400000000000000001"
    assert (source.title, source.link) == ("Notes from the Allotment",
                                           "https://allotment.example.com/")
    threads = by_key(records, Thread)
    post = threads["5100000000000000001"]
    assert post.link == "https://allotment.example.com/2019/06/runner-beans-second-try.html"
    assert (post.status, post.post_type, post.slug) == ("publish", "post",
                                                        "runner-beans-second-try")
    assert [(t.nicename, t.name) for t in post.terms] == [("beans", "Beans"),
                                                          ("late-sowing", "Late sowing")]
    assert post.created_at == "2019-06-01T08:30:00.000-07:00"
    assert post.created_at_local == "2019-06-01 08:30:00"
    assert canonical.parse_utc(post.created_at).isoformat() == "2019-06-01T15:30:00"
    assert threads["5100000000000000002"].status == "draft"
    assert threads["5100000000000000003"].post_type == "page"
    assert post.creator == "mara-quill"


def test_legacy_comments_keep_post_parent_author_and_properties() -> None:
    records = read(LEGACY.read_bytes())
    comments = by_key(records, Comment)
    assert len(comments) == 5
    reply = comments["6200000000000000003"]
    assert (reply.thread, reply.parent) == ("5100000000000000001", "6200000000000000002")
    assert reply.meta == [("blogger.itemClass", "pid-1101"),
                          ("blogger.displayTime", "3 June 2019 at 12:00")]
    assert (reply.author_name, reply.author_url) == ("Ines Thorne", "https://ines.example.org/")
    assert comments["6200000000000000002"].parent is None
    assert comments["6200000000000000006"].thread == "5100000000000000003"  # on the page
    # The blog's author replying is a site user's reply.
    [user] = of(records, User)
    assert (user.login, user.display_name) == ("mara-quill", "Mara Quill")
    assert comments["6200000000000000004"].wp_user_id == user.wp_id
    assert all(c.wp_user_id is None for k, c in comments.items() if k != "6200000000000000004")
    # The related link and thr:in-reply-to stay, as written.
    names = [e.name.rpartition("}")[2] for e in reply.extras]
    assert "in-reply-to" in names and names.count("link") == 3
    # So does Blogger's title of a comment, which has no field.
    assert names[0] == "title" and "Try copper tape" in reply.extras[0].value


def test_settings_and_template_are_kept_with_the_source_and_reported() -> None:
    records = read(LEGACY.read_bytes())
    source = records[0]
    assert isinstance(source, Source)
    entries = [e.value for e in source.extras if e.name.endswith("}entry")]
    assert len(entries) == 3
    assert any("kind#template" in e for e in entries)
    assert sum("kind#settings" in e for e in entries) == 2
    [issue] = [i for i in of(records, ImportIssue) if i.code == "blogger-config-kept"]
    assert "2 settings and 1 template" in issue.reason


def test_a_reply_to_a_second_in_reply_to_and_odd_entries() -> None:
    feed = (
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/"
        "thread/1.0'><id>tag:blogger.com,1999:blog-9</id>"
        "<entry><id>tag:blogger.com,1999:blog-9.post-1</id><category scheme='http://"
        "schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'"
        "/><title>p</title></entry>"
        "<entry><id>tag:blogger.com,1999:blog-9.post-1.comment-3</id><category scheme='http://"
        "schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#"
        "comment'/><thr:in-reply-to ref='tag:blogger.com,1999:blog-9.post-1'/>"
        "<thr:in-reply-to ref='tag:blogger.com,1999:blog-9.post-1.comment-2'/></entry>"
        "<entry><id>tag:blogger.com,1999:blog-9.comment-4</id><category scheme='http://"
        "schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#"
        "comment'/></entry>"
        "<entry><id>tag:blogger.com,1999:blog-9.x</id><category scheme='http://"
        "schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#"
        "widget'/></entry></feed>"
    )
    records = read(feed.encode())
    [comment] = of(records, Comment)
    assert (comment.key, comment.thread, comment.parent) == ("3", "1", "2")
    codes = {i.code: i for i in of(records, ImportIssue)}
    assert codes["blogger-no-post"].severity == "rejected"
    assert codes["blogger-no-post"].record_key == "comment 4"
    assert "'widget'" in codes["blogger-unknown-entry"].reason


# -- the Takeout export ---------------------------------------------------


def test_takeout_entries_map_statuses_parents_and_the_blog_author() -> None:
    records = read(TAKEOUT.read_bytes())
    threads = by_key(records, Thread)
    assert threads["8100000000000000001"].slug == "spring-tides-measured"
    assert threads["8100000000000000002"].status == "draft"
    assert threads["8200000000000000001"].post_type == "page"
    comments = by_key(records, Comment)
    assert comments["8300000000000000011"].parent is None  # empty blogger:inReplyTo
    assert comments["8300000000000000013"].parent == "8300000000000000012"
    assert canonical.comment_status(comments["8300000000000000014"]) == canonical.TRASH
    assert canonical.comment_status(comments["8300000000000000011"]) == canonical.APPROVED
    [user] = of(records, User)
    assert comments["8300000000000000012"].wp_user_id == user.wp_id
    assert comments["8300000000000000013"].wp_user_id is None  # ANONYMOUS
    # A comment listed before its post is sent after it.
    order = [r.key for r in records if isinstance(r, (Thread, Comment))]
    assert order.index("8100000000000000001") < order.index("8300000000000000011")


# -- through the store ----------------------------------------------------


_STORE_FILLS = {"parent_key", "position"}


def _fields(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)
            if f.name not in _STORE_FILLS}


@pytest.mark.parametrize("path", [LEGACY, TAKEOUT], ids=lambda p: p.name)
def test_the_store_gives_back_everything_read(store_url: str, path: Path) -> None:
    read_records = list(api.read(path))
    with open_store(store_url) as store:
        api.import_files(store, [path])
        back = list(store.records(None))
    for kind in (Thread, Comment):
        assert {k: _fields(r) for k, r in by_key(back, kind).items()} == {
            k: _fields(r) for k, r in by_key(read_records, kind).items()}
    assert [_fields(u) for u in of(back, User)] == [_fields(u) for u in of(read_records, User)]
    [source_in], [source_out] = of(read_records, Source), of(back, Source)
    assert source_out.extras == source_in.extras
    assert (source_out.site, source_out.title, source_out.link) == (
        source_in.site, source_in.title, source_in.link)
    parents = {c.key: c.parent_key for c in of(back, Comment)}
    if path is LEGACY:
        assert parents["6200000000000000003"] == "6200000000000000002"  # listed before it
        assert parents["6200000000000000004"] == "6200000000000000003"
        assert parents["6200000000000000005"] is None  # its parent is missing


def test_convert_writes_wxr_that_keeps_the_threads_and_verifies(tmp_path: Path) -> None:
    export = tmp_path / "blog-export.xml"
    export.write_bytes(LEGACY.read_bytes())
    target = tmp_path / "site.wxr.xml"
    code, output = invoke("convert", export, target)
    assert code == 0, output
    assert "parent-missing" in output and "blogger-config-kept" in output
    root = etree.parse(str(target)).getroot()
    items = {i.findtext("link"): i for i in root.iter("item")}
    post = items["https://allotment.example.com/2019/06/runner-beans-second-try.html"]
    parents = {c.findtext("wp:comment_id", namespaces=WP): c.findtext(
        "wp:comment_parent", namespaces=WP) for c in post.iterfind("wp:comment", WP)}
    assert parents["6200000000000000003"] == "6200000000000000002"
    assert parents["6200000000000000004"] == "6200000000000000003"
    assert parents["6200000000000000005"] == "0"
    author_reply = next(c for c in post.iterfind("wp:comment", WP)
                        if c.findtext("wp:comment_id", namespaces=WP) == "6200000000000000004")
    assert author_reply.findtext("wp:comment_user_id", namespaces=WP) == root.findtext(
        "channel/wp:author/wp:author_id", namespaces=WP)
    drafts = [i.findtext("wp:status", namespaces=WP) for i in root.iter("item")]
    assert sorted(drafts) == ["draft", "publish", "publish"]
    code, output = invoke("verify", export, target)
    assert code == 0 and "equivalent" in output, output


def test_verify_finds_a_lost_reply_link(tmp_path: Path) -> None:
    target = tmp_path / "t.wxr.xml"
    assert invoke("convert", TAKEOUT, target)[0] == 0
    changed = target.read_text(encoding="utf-8").replace(
        "<wp:comment_parent>8300000000000000012</wp:comment_parent>",
        "<wp:comment_parent>0</wp:comment_parent>")
    target.write_text(changed, encoding="utf-8")
    code, output = invoke("verify", TAKEOUT, target)
    assert code == 1 and "8300000000000000013" in output and "parent" in output


# -- bad input ------------------------------------------------------------


def test_a_truncated_export_is_one_error_and_stores_nothing(tmp_path: Path,
                                                            sqlite_url: str) -> None:
    data = LEGACY.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: data.index(b"Thanks both!")])
    with pytest.raises(InputError) as caught:
        list(read_blogger(io.BytesIO(cut.read_bytes()), name=str(cut)))
    assert caught.value.file == str(cut) and caught.value.line
    code, output = invoke("import", cut, "--db", sqlite_url)
    assert code == 3
    [line] = output.strip().splitlines()
    assert line.startswith(f"wxrbridge: error: {cut}:108:") and "not well-formed" in line
    with open_store(sqlite_url) as store:
        assert (store.stats()["threads"], store.stats()["comments"]) == (0, 0)


def test_recover_keeps_the_entries_before_the_cut(tmp_path: Path) -> None:
    data = LEGACY.read_bytes()
    records = read(data[: data.index(b"Thanks both!")], recover=True)
    keys = set(by_key(records, Comment))
    assert keys == {"6200000000000000002", "6200000000000000003"}
    damaged = {i.code: i for i in of(records, ImportIssue)}
    assert set(damaged) == {"damaged-record", "truncated", "blogger-config-kept"}
    assert damaged["damaged-record"].record_key == "entry 6200000000000000004"


def test_a_file_that_is_not_a_feed_is_refused() -> None:
    with pytest.raises(InputError, match="not a Blogger export"):
        list(read_blogger(io.BytesIO(b"<rss><channel/></rss>"), name="x.xml"))


def test_a_repaired_root_with_an_unbound_prefix_is_refused_in_one_line() -> None:
    # Found by the fuzz campaign: recover mode made <wp:comment_author_url>
    # the root, a tag lxml's QName refuses (a ValueError traceback).
    data = (b"<wp:comment_author_url></wp:comme\n"
            b'<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:blogger.com,1999:blog-7</id></feed>')
    item = InputFile("x.atom", HashingReader(io.BytesIO(data)))
    with pytest.raises(InputError, match="the root is <wp:comment_author_url>"):
        list(formats.read_input(item, format="blogger", recover=True))
