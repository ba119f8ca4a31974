"""Reading saved WordPress post pages, checked against pages WordPress
itself rendered (tests/data/wp_page, made by tests/wordpress/render_page.php
with Debian's ``wordpress`` package; ``python tests/test_wp_page.py``
renders them again) and, where WordPress, PHP and MariaDB are at hand,
against pages rendered during the test."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from wxrbridge import api
from wxrbridge.canonical import site_user_id
from wxrbridge.cli import cli
from wxrbridge.errors import InputError
from wxrbridge.formats.wp_page import read_wp_page, read_wp_page_folder
from wxrbridge.records import Comment, ImportIssue, Record, Thread, User
from wxrbridge.store import open_store

DATA = Path(__file__).parent / "data" / "wp_page"
RENDER = Path(__file__).parent / "wordpress" / "render_page.php"
WORDPRESS = Path(os.environ.get("WXRBRIDGE_TEST_WORDPRESS", "/usr/share/wordpress"))
DB_HOST = "127.0.0.1:3306"
POST = "/2021/03/saving-a-thread/"
# The variants rendered: (name, theme, comments per page, comment format).
VARIANTS = [
    ("classic", "twentytwentyone", 0, ""),
    ("xhtml", "twentytwentyone", 0, "xhtml"),
    ("block", "twentytwentythree", 0, ""),
    ("classicpaged", "twentytwentyone", 2, ""),
    ("blockpaged", "twentytwentythree", 2, ""),
    ("plainpaged", "twentytwentythree", 2, ""),  # plain links: ?p=N&cpage=N
    ("blocktt2", "twentytwentytwo", 0, ""),
]
BLOCK_THEMES = {"twentytwentytwo", "twentytwentythree"}
PAGES = 3  # of a paged variant


def of(records: list[Record], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def read(paths: list[Path]) -> list[Record]:
    if len(paths) == 1:
        with paths[0].open("rb") as stream:
            return list(read_wp_page(stream, name=str(paths[0])))
    return list(read_wp_page_folder(str(paths[0].parent / (paths[0].stem[:-2] + "-*.html"))))


def pages_of(folder: Path, name: str, per_page: int) -> list[Path]:
    if per_page:
        return [folder / f"{name}-{n}.html" for n in range(1, PAGES + 1)]
    return [folder / f"{name}.html"]


def differences(inserted: dict[str, Any], records: list[Record], variant: str) -> list[str]:
    """How the comments read differ from the approved comments inserted."""
    comments = {c.key: c for c in of(records, Comment)}
    users = {u.login for u in of(records, User)}
    found = []
    shown = [c for c in inserted["comments"] if c["approved"]]
    if [c.key for c in of(records, Comment)] != [str(c["id"]) for c in _tree_order(shown)]:
        found.append(f"order {list(comments)}")
    for wanted in shown:
        got = comments.get(str(wanted["id"]))
        if got is None:
            found.append(f"comment {wanted['id']} missing")
            continue
        # A page shows UTC where it has time[datetime]: not in XHTML
        # (local text) nor in a classic theme's pings (no date at all).
        ping = bool(wanted["type"])
        block_theme = next(v[1] for v in VARIANTS if v[0] == variant) in BLOCK_THEMES
        has_utc = block_theme or (variant != "xhtml" and not ping)
        expected = {
            "parent": str(wanted["parent"]) if wanted["parent"] else None,
            "author_name": wanted["author"], "author_url": wanted["url"],
            "wp_type": wanted["type"], "created_at": wanted["date_gmt"] if has_utc else None,
            "wp_approved": "1",
        }
        for field, value in expected.items():
            if getattr(got, field) != value:
                found.append(f"comment {wanted['id']}: {field} {getattr(got, field)!r}")
        if wanted["user"] and wanted["user"] not in users:
            found.append(f"comment {wanted['id']}: user {wanted['user']} not read")
    return found


def _tree_order(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Threads in the order inserted, each reply after its parent (the
    order wp_list_comments lists them in, oldest first)."""
    children: dict[int, list[dict[str, Any]]] = {}
    for comment in comments:
        children.setdefault(comment["parent"], []).append(comment)
    ordered: list[dict[str, Any]] = []

    def walk(parent: int) -> None:
        for comment in children.get(parent, []):
            ordered.append(comment)
            walk(comment["id"])

    walk(0)
    return ordered


@pytest.mark.parametrize("variant", [v[0] for v in VARIANTS])
def test_saved_pages_give_every_comment_shown(variant: str) -> None:
    per_page = next(v[2] for v in VARIANTS if v[0] == variant)
    inserted = json.loads((DATA / "thread.json").read_text(encoding="utf-8"))
    records = read(pages_of(DATA, variant, per_page))
    assert differences(inserted, records, variant) == []
    [thread] = of(records, Thread)
    link = ("http://blog.example.test/?p=4" if variant.startswith("plain")
            else "http://blog.example.test/2021/03/saving-a-thread/")
    assert (thread.key, thread.title, thread.link, thread.created_at) == (
        "4", "Notes on saving a thread", link, "2021-03-04 09:00:00")
    assert not of(records, ImportIssue)


def test_the_three_markups_give_the_same_content() -> None:
    contents = {name: [c.content for c in of(read([DATA / f"{name}.html"]), Comment)
                       if not c.wp_type] for name in ("classic", "xhtml", "block")}
    assert contents["classic"] == contents["xhtml"] == contents["block"]
    assert contents["classic"][2] == "<p>Thanks &amp; a follow-up.</p>\n<p>A second paragraph.</p>"


def test_xhtml_dates_are_local_times() -> None:
    comments = of(read([DATA / "xhtml.html"]), Comment)
    assert comments[0].created_at_local == "2021-03-05 09:07:00"  # Paris, UTC+1


def test_an_older_themes_markup() -> None:
    """Twenty Ten's way (our own sample): li-comment-N, the text in a
    .comment-body of its own, pings without an id, kept and reported."""
    records = read([DATA / "older-theme.html"])
    comments = {c.key: c for c in of(records, Comment)}
    assert list(comments) == ["21", "22", "#1.3", "24"]
    assert comments["22"].parent == "21" and comments["22"].author_name == "The Gardener"
    assert comments["21"].content == "<p>A jar with rice in the bottom works for me.</p>"
    assert comments["21"].created_at_local == "2012-04-09 19:45:00"
    ping = comments["#1.3"]
    assert (ping.wp_type, ping.author_name, ping.author_url, ping.wp_id) == (
        "pingback", "Seed storage roundup", "https://seeds.example.test/dry-storage/", None)
    [issue] = of(records, ImportIssue)
    assert issue.record_key == "comment #1.3" and "id" in issue.reason
    assert [u.login for u in of(records, User)] == ["gardener"]


def test_a_comment_without_its_author_is_kept_and_reported(tmp_path: Path) -> None:
    page = (DATA / "classic.html").read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace('<b class="fn">Lena</b>', "<b>Lena</b>", 1), encoding="utf-8")
    records = read([broken])
    [issue] = of(records, ImportIssue)
    assert issue.code == "wp-page-comment-incomplete" and issue.record_key == "comment 4"
    assert "author" in issue.reason and issue.line is not None
    assert len(of(records, Comment)) == 11


def test_a_comment_page_not_saved_is_reported(tmp_path: Path) -> None:
    for n in (1, 3):
        shutil.copy(DATA / f"classicpaged-{n}.html", tmp_path / f"page{n}.html")
    records = list(read_wp_page_folder(str(tmp_path)))
    [issue] = of(records, ImportIssue)
    assert issue.code == "wp-page-comments-missing" and issue.record_key == "thread 4"
    assert "comment pages 2 of the post are not among those read" in issue.reason
    assert len(of(records, Comment)) == 9  # page 2 holds two pings


def _cut(page: str, before: str, keep: str = "") -> bytes:
    """The saved page ``page`` cut off where ``before`` starts, or after
    ``keep`` more of it (a cut inside a tag)."""
    data = (DATA / page).read_bytes()
    return data[:data.index(before.encode()) + len(keep.encode())]


def _end(data: bytes) -> tuple[int, int]:
    last = data[data.rfind(b"\n") + 1:]
    return data.count(b"\n") + 1, len(last.decode("utf-8")) + 1


# Where a page is cut: (page, cut before, and after, the comments whole
# before the cut, the comment cut (left out), what the warning says).
CUTS = {
    "in-a-comment": ("classic.html", "Four deep now", "", "2 3 4 5", "6", ""),
    "in-a-comment-xhtml": ("xhtml.html", "Four deep now", "", "2 3 4 5", "6", ""),
    "in-a-comment-block": ("block.html", "Four deep now", "", "2 3 4 5", "6", ""),
    "in-an-attribute": ("classic.html", '2021-03-05T09:35', "2021-03-05T", "2 3 4 5", "6", ""),
    "in-a-tag": ("classic.html", '<li id="comment-7"', '<li id="comment-7" cla', "2 3 4 5 6", None,
                 "after the parts of comment 6 (line 133), among or before its replies"),
    "in-a-replies-list": ("classic.html", "</ol><!-- .children -->", "", "2 3 4 5 6 7", None,
                          "after the parts of comment 6 (line 133), among or before its replies"),
    "in-the-comment-list": ("classic.html", '<li id="comment-12"', "", "2 3 4 5 6 7 8 10 9",
                            None, "in the comment list after comment 9 (line 213)"),
    "after-the-comments": ("classic.html", '<p class="comment-form-url"', "",
                           "2 3 4 5 6 7 8 10 9 12 13", None, "after its comments (each is whole)"),
}


@pytest.mark.parametrize("where", list(CUTS))
def test_a_page_cut_off_is_refused_and_read_with_recover(where: str) -> None:
    page, before, keep, whole, cut_comment, said = CUTS[where]
    data = _cut(page, before, keep)
    line, column = _end(data)
    with pytest.raises(InputError, match="the page is cut off") as refused:
        list(read_wp_page(io.BytesIO(data), name="cut.html"))
    assert (refused.value.file, refused.value.line, refused.value.column) == (
        "cut.html", line, column)
    records = list(read_wp_page(io.BytesIO(data), name="cut.html", recover=True))
    assert [c.key for c in of(records, Comment)] == whole.split()
    [cut] = [i for i in of(records, ImportIssue) if "cut" in i.code]
    assert (cut.file, cut.line, cut.column) == ("cut.html", line, column)
    if cut_comment is None:
        assert (cut.code, cut.severity, cut.record_key) == ("wp-page-cut-off", "warning", None)
        assert said in cut.reason
    else:
        assert (cut.code, cut.severity, cut.record_key) == (
            "wp-page-cut-comment", "rejected", f"comment {cut_comment}")
        assert f'id="comment-{cut_comment}"' in (cut.fragment or "")
    # The heading's count says the rest is missing, when it is.
    missing = [i.reason for i in of(records, ImportIssue) if i.code == "wp-page-comments-missing"]
    read = len(whole.split())
    assert missing == ([] if read == 11 else [
        f"the page says the post has 11 comments, {read} were read"
        " (a page cut off, or comments hidden)"])


def test_a_page_without_its_optional_end_tags_is_whole() -> None:
    """A minifier may leave out ``</body></html>``: such a page, ending
    outside every element of its body, is not taken for one cut off."""
    data = (DATA / "classic.html").read_bytes()
    end = data.rindex(b"</body>")
    records = list(read_wp_page(io.BytesIO(data[:end]), name="min.html"))
    assert len(of(records, Comment)) == 11 and not of(records, ImportIssue)


def test_import_recover_of_a_page_cut_off(tmp_path: Path, sqlite_url: str) -> None:
    cut = tmp_path / "cut.html"
    cut.write_bytes(_cut("classic.html", "Four deep now"))
    line, column = _end(cut.read_bytes())
    result = CliRunner().invoke(cli, ["import", str(cut), "--db", sqlite_url])
    assert result.exit_code == 3, result.output
    assert f"cut.html:{line}:{column}: the page is cut off inside comment 6" in result.output
    result = CliRunner().invoke(cli, ["import", "--recover", str(cut), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "wp-page-cut-comment: the page is cut off inside comment 6" in result.output
    with open_store(sqlite_url) as store:
        assert [c.key for c in of(list(store.records(None)), Comment)] == ["2", "3", "4", "5"]


def test_a_gzipped_page_cut_short(tmp_path: Path, sqlite_url: str) -> None:
    """A saved page compressed (page.html.gz) and cut short: strict reading
    refuses it; recover mode reads what decompresses, its cut comment
    reported as on a page cut off, and the damage too."""
    import gzip
    import zlib

    packed = gzip.compress((DATA / "classic.html").read_bytes(), mtime=0)
    cut = tmp_path / "page.html.gz"
    cut.write_bytes(packed[:len(packed) // 2])  # in comment 5
    result = CliRunner().invoke(cli, ["import", str(cut), "--db", sqlite_url])
    assert result.exit_code == 3 and "gzip data damaged" in result.output, result.output
    result = CliRunner().invoke(cli, ["import", "--recover", str(cut), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "damaged-compression" in result.output
    shown = zlib.decompressobj(wbits=31).decompress(cut.read_bytes())
    expected = of(list(read_wp_page(io.BytesIO(shown), name="x", recover=True)), Comment)
    assert 0 < len(expected) < 11
    assert "wp-page-cut" in result.output
    with open_store(sqlite_url) as store:
        back = of(list(store.records(None)), Comment)
    assert [c.key for c in back] == [c.key for c in expected]


def test_a_page_cut_off_in_a_web_archive(tmp_path: Path) -> None:
    """A crawl's page cut off (a size limit) is refused, not passed over as
    a page without comments; recover mode reads it."""
    archive = tmp_path / "crawl.warc.gz"
    _warc(archive, {"http://blog.example.test/2021/03/saving-a-thread/":
                    _cut("classic.html", "Four deep now")})
    with pytest.raises(InputError, match="cut off inside comment 6"):
        list(api.read(archive))
    records = list(api.read(archive, recover=True))
    assert [c.key for c in of(records, Comment)] == ["2", "3", "4", "5"]


def test_a_page_without_comments_is_one_input_error(tmp_path: Path, sqlite_url: str) -> None:
    page = (DATA / "classic.html").read_text(encoding="utf-8")
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r'<div id="comments".*</div><!-- #comments -->', "", page, flags=re.S),
                    encoding="utf-8")
    with pytest.raises(InputError, match="no WordPress comments"):
        read([bare])
    result = CliRunner().invoke(cli, ["import", str(bare), "--db", sqlite_url])
    assert result.exit_code == 3, result.output
    assert "bare.html" in result.output and "no WordPress comments" in result.output


def test_import_finds_the_format_and_joins_comment_pages(tmp_path: Path,
                                                         sqlite_url: str) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    for n in (3, 1, 2):
        shutil.copy(DATA / f"classicpaged-{n}.html", folder / f"page{n}.html")
    shutil.copy(DATA / "classicpaged-2.html", folder / "again.html")  # shown twice
    result = CliRunner().invoke(cli, ["import", f"wp-page:{folder}", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["import", str(DATA / "block.html"), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    with open_store(sqlite_url) as store:
        back = of(list(store.records(None)), Comment)
    assert len(back) == 11  # the same comments, from three pages and another page
    paged = [c for c in back if c.key in {"4", "10"}]
    assert {(c.key, c.parent_key) for c in paged} == {("4", "3"), ("10", "8")}


def test_a_bare_folder_of_saved_pages(tmp_path: Path, sqlite_url: str) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    for n in (1, 2, 3):
        shutil.copy(DATA / f"plainpaged-{n}.html", folder / f"page{n}.html")
    (folder / "notes.txt").write_text("not a page", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(folder), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    with open_store(sqlite_url) as store:
        assert len(of(list(store.records(None)), Comment)) == 11
    result = CliRunner().invoke(cli, ["verify", str(folder), str(DATA / "site.wxr.xml")])
    assert result.exit_code == 0, result.output
    # A folder of other pages is not taken for saved WordPress pages.
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.html").write_text("<!DOCTYPE html><html><body>hi</body></html>",
                                  encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(other), "--db", sqlite_url])
    assert result.exit_code != 0 and "no WordPress comments" not in result.output


def test_author_replies_name_their_site_users(store_url: str, tmp_path: Path) -> None:
    """The author replies (comment-author-LOGIN) are linked to their users,
    across pages imported apart, and a WXR export has them with their
    author."""
    for page in ("classic.html", "block.html"):
        result = CliRunner().invoke(cli, ["import", str(DATA / page), "--db", store_url])
        assert result.exit_code == 0, result.output
    with open_store(store_url) as store:
        records = list(store.records(None))
    users = {u.wp_id: u for u in of(records, User)}
    assert sorted((u.login, u.display_name) for u in users.values()) == [
        ("admin", "Ada Admin"), ("mira", "Mira Editor")]
    replies = {c.key: users[c.wp_user_id].login for c in of(records, Comment) if c.wp_user_id}
    assert replies == {"3": "admin", "5": "mira"}
    out = tmp_path / "snapshot.wxr.xml"
    result = CliRunner().invoke(cli, ["export", "--db", store_url, "--format", "wxr",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    back = list(api.read(out))
    authors = {u.wp_id: u.login for u in of(back, User)}
    assert {c.key: authors.get(c.wp_user_id) for c in of(back, Comment)
            if site_user_id(c.wp_user_id)} == {
        "3": "admin", "5": "mira"}
    assert "has no wp:author" not in result.output


def _without_logins(page: str) -> str:
    """A rendered page whose site users' comments keep their ``byuser`` and
    ``bypostauthor`` classes but not ``comment-author-LOGIN`` (as themes
    and plugins that hide logins render them)."""
    text = (DATA / page).read_text(encoding="utf-8")
    stripped = re.sub(r" comment-author-[a-z]+(?= )", "", text)
    assert stripped.count("comment-author-admin") == stripped.count("comment-author-mira") == 0
    assert stripped.count(" byuser ") == 2 and stripped.count(" bypostauthor ") == 1
    return stripped


def _site_users(records: list[Record]) -> dict[str, tuple[str | None, str | None]]:
    users = {u.wp_id: u for u in of(records, User)}
    return {c.key: (users[c.wp_user_id].login, users[c.wp_user_id].display_name)
            for c in of(records, Comment) if site_user_id(c.wp_user_id)}


def test_site_users_without_their_login_class(tmp_path: Path) -> None:
    """byuser / bypostauthor alone still make a site user's comment: the
    post's author by the byline's /author/LOGIN/ link (the same user, under
    the same made-up id, as comment-author-admin gives), another user by a
    made-up id of its name; each reported."""
    page = tmp_path / "classic.html"
    page.write_text(_without_logins("classic.html"), encoding="utf-8")
    records = read([page])
    assert _site_users(records) == {"3": ("admin", "Ada Admin"), "5": (None, "Mira Editor")}
    whole = {c.key: c.wp_user_id for c in of(read([DATA / "classic.html"]), Comment)}
    comments = {c.key: c for c in of(records, Comment)}
    assert comments["3"].wp_user_id == whole["3"]
    assert comments["5"].wp_user_id not in (None, whole["5"])
    issues = {i.record_key: i for i in of(records, ImportIssue)}
    assert sorted(issues) == ["comment 3", "comment 5"]
    assert {i.code for i in issues.values()} == {"wp-page-login-unknown"}
    assert "(bypostauthor)" in issues["comment 3"].reason
    assert "the post's author" in issues["comment 3"].reason
    assert "(byuser)" in issues["comment 5"].reason and "made up" in issues["comment 5"].reason
    assert issues["comment 5"].line == 116


def test_site_users_without_their_login_on_a_block_theme(tmp_path: Path) -> None:
    """A block theme shows no byline link: both users are made up from
    their names, unless another page read with them names the login for
    that author name."""
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.html").write_text(_without_logins("block.html"), encoding="utf-8")
    records = list(read_wp_page_folder(str(folder)))
    assert _site_users(records) == {"3": (None, "Ada Admin"), "5": (None, "Mira Editor")}
    assert len(of(records, ImportIssue)) == 2
    # A WXR export of them keeps both users apart when imported again,
    # though their logins are blank.
    store_a, store_b = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    out = tmp_path / "snapshot.wxr.xml"
    for command in (["import", str(folder), "--db", store_a],
                    ["export", "--db", store_a, "--format", "wxr", "-o", str(out)],
                    ["import", str(out), "--db", store_b]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0, result.output
    with open_store(store_b) as store:
        assert _site_users(list(store.records(None))) == {
            "3": ("", "Ada Admin"), "5": ("", "Mira Editor")}
    shutil.copy(DATA / "classicpaged-1.html", folder / "b.html")  # names both logins
    records = list(read_wp_page_folder(str(folder)))
    assert _site_users(records) == {"3": ("admin", "Ada Admin"), "5": ("mira", "Mira Editor")}
    reasons = {i.record_key: i.reason for i in of(records, ImportIssue)
               if i.code == "wp-page-login-unknown"}
    assert sorted(reasons) == ["comment 3", "comment 5"]
    assert all("another comment of that author name" in r for r in reasons.values())


def _warc(path: Path, pages: dict[str, bytes]) -> None:
    """A gzip WARC with each page as a response record, and a 404 too."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body in [*pages.items(), ("http://blog.example.test/gone/", b"<html>gone</html>")]:
            status = "404 Not Found" if url.endswith("/gone/") else "200 OK"
            headers = StatusAndHeaders(status, [("Content-Type", "text/html; charset=UTF-8")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers))


def test_a_web_archive_of_the_pages(tmp_path: Path, sqlite_url: str) -> None:
    post = "http://blog.example.test/2021/03/saving-a-thread/"
    pages = {post: (DATA / "classicpaged-1.html").read_bytes(),
             "http://blog.example.test/": b"<!DOCTYPE html><html><body>wp-content</body></html>",
             f"{post}comment-page-3/": (DATA / "classicpaged-3.html").read_bytes(),
             f"{post}comment-page-2/": (DATA / "classicpaged-2.html").read_bytes()}
    archive = tmp_path / "crawl.warc.gz"
    _warc(archive, pages)
    result = CliRunner().invoke(cli, ["import", str(archive), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    with open_store(sqlite_url) as store:
        back = of(list(store.records(None)), Comment)
    assert sorted(int(c.key) for c in back) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13]
    assert next(c for c in back if c.key == "10").parent_key == "8"
    empty = tmp_path / "empty.warc.gz"
    _warc(empty, {"http://blog.example.test/": b"<html><body>no comments</body></html>"})
    result = CliRunner().invoke(cli, ["import", str(empty), "--db", sqlite_url])
    assert result.exit_code == 3 and "no WordPress page with comments" in result.output


def test_a_wacz_of_the_pages(tmp_path: Path, sqlite_url: str) -> None:
    """A WACZ is read as the WARC files in its archive/ folder, as one
    archive (a post's comment pages in two of them join); its package
    description, index and page list are passed over."""
    import gzip
    import zipfile

    post = "http://blog.example.test/2021/03/saving-a-thread/"
    first, rest = tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"
    _warc(first, {post: (DATA / "classicpaged-1.html").read_bytes()})
    _warc(rest, {f"{post}comment-page-{n}/": (DATA / f"classicpaged-{n}.html").read_bytes()
                 for n in (2, 3)})
    wacz = tmp_path / "crawl.wacz"
    with zipfile.ZipFile(wacz, "w") as out:
        out.writestr("datapackage.json", json.dumps({"profile": "data-package",
                                                     "resources": []}))
        out.writestr("datapackage-digest.json", "{}")
        out.writestr("pages/pages.jsonl", json.dumps({"format": "json-pages-1.0"}) + "\n"
                     + json.dumps({"url": post, "title": "Notes"}) + "\n")
        out.writestr("indexes/index.cdx.gz", gzip.compress(f"test {post}\n".encode()))
        out.write(first, "archive/data-1.warc.gz")
        out.write(rest, "archive/data-2.warc.gz")
    result = CliRunner().invoke(cli, ["import", str(wacz), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "deleted" not in result.output and "missing" not in result.output
    with open_store(sqlite_url) as store:
        assert len(of(list(store.records(None)), Comment)) == 11
    result = CliRunner().invoke(cli, ["verify", str(wacz), str(DATA / "site.wxr.xml")])
    assert result.exit_code == 0, result.output


class _Sipping(io.RawIOBase):
    """A stream that refuses to be read whole or in large reads."""

    def __init__(self, data: bytes) -> None:
        self.inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert 0 <= size <= 1 << 17, f"read({size})"
        return self.inner.read(size)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def test_a_web_archive_is_read_record_by_record(tmp_path: Path) -> None:
    post = "http://blog.example.test/2021/03/saving-a-thread/"
    page = (DATA / "classic.html").read_bytes()
    archive = tmp_path / "big.warc"  # uncompressed, larger than any one read
    with archive.open("wb") as out:
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        writer = WARCWriter(out, gzip=False)
        for n in range(8):
            url = post if n == 0 else f"http://blog.example.test/other-{n}/"
            body = page if n == 0 else b"<html><body>" + b"x" * 40000 + b"</body></html>"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers))
    data = archive.read_bytes()
    assert len(data) > 1 << 17
    records = list(read_wp_page(_Sipping(data), name="big.warc"))  # type: ignore[arg-type]
    assert len(of(records, Comment)) == 11


@pytest.mark.parametrize("pages", ["block.html", "classic.html", "xhtml.html", "blocktt2.html",
                                   "classicpaged-*.html", "plainpaged-*.html"])
def test_verify_against_the_sites_export(pages: str) -> None:
    """Everything a page shows matches WordPress's own export of the site:
    content as read (the page shows it rendered, the export raw), the
    comment awaiting moderation not held against the page."""
    source = f"wp-page:{DATA / pages}" if "*" in pages else str(DATA / pages)
    export = str(DATA / "site.wxr.xml")
    for a, b in ((source, export), (export, source)):
        result = CliRunner().invoke(cli, ["verify", a, b])
        assert result.exit_code == 0, result.output
        assert "equivalent" in result.output


def test_verify_still_finds_what_differs(tmp_path: Path) -> None:
    export = (DATA / "site.wxr.xml").read_text(encoding="utf-8")
    changed = tmp_path / "changed.wxr.xml"
    changed.write_text(export.replace("Four deep now.", "Four deep later.")
                       .replace("<wp:comment_approved><![CDATA[0]]>",
                                "<wp:comment_approved><![CDATA[1]]>"), encoding="utf-8")
    report = api.verify(DATA / "block.html", changed)
    assert [str(d) for d in report.differences] == [
        "comment 6: content 'Four deep now.' -> 'Four deep later.'",
        "comment 11: in B, not in A",  # approved, so a page would show it
    ]
    report = api.verify(changed, DATA / "classic.html")
    assert [str(d) for d in report.differences] == [
        "comment 6: content 'Four deep later.' -> 'Four deep now.'",
        "comment 11: in A, not in B",
    ]


# -- rendering with the real WordPress -------------------------------------

def _wordpress_missing() -> str | None:
    if shutil.which("php") is None or shutil.which("mysql") is None:
        return "php or the mysql client is not installed"
    if not (WORDPRESS / "wp-settings.php").exists():
        return f"no WordPress at {WORDPRESS}"
    host, _, port = DB_HOST.partition(":")
    done = subprocess.run(["mysql", "-h", host, "-P", port, "-uroot", "-e", "SELECT 1"],
                          capture_output=True)
    return None if done.returncode == 0 else "no MariaDB at " + DB_HOST


def _mysql(statement: str) -> None:
    host, _, port = DB_HOST.partition(":")
    subprocess.run(["mysql", "-h", host, "-P", port, "-uroot", "-e", statement], check=True)


def _php(step: str, db: str, *args: str, env: dict[str, str] | None = None,
         input: str | None = None) -> str:
    done = subprocess.run(["php", str(RENDER), step, str(WORDPRESS), db, DB_HOST, *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          input=input)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed: {done.stderr[-2000:]}")
    return done.stdout


class Site:
    """A WordPress site in a database of its own, with the thread inserted."""

    def __init__(self) -> None:
        self.db = f"wxrb_snap_{secrets.token_hex(4)}"

    def __enter__(self) -> Site:
        _mysql(f"CREATE DATABASE `{self.db}` CHARACTER SET utf8mb4")
        try:
            self.fill()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        _mysql(f"DROP DATABASE `{self.db}`")

    def fill(self) -> None:
        # The PHP side tells the thread it inserted.
        self.inserted: dict[str, Any] = json.loads(
            _php("setup", self.db, "twentytwentyone", "-", "0").strip().splitlines()[-1])

    def render(self, variant: tuple[str, str, int, str], folder: Path) -> list[Path]:
        """The pages of a variant, rendered into ``folder``."""
        name, theme, per_page, comment_format = variant
        plain = name.startswith("plain")
        env = {"WXRB_THEME": theme, "WXRB_PER_PAGE": str(per_page),
               "WXRB_COMMENT_FORMAT": comment_format, "WXRB_PLAIN_LINKS": "1" if plain else ""}
        paths = pages_of(folder, name, per_page)
        for n, path in enumerate(paths, start=1):
            if plain:
                uri = f"/?p={self.inserted['post_id']}" + (f"&cpage={n}" if n > 1 else "")
            else:
                uri = POST if n == 1 else f"{POST}comment-page-{n}/"
            path.write_text(_php("render", self.db, uri, env=env), encoding="utf-8")
        return paths

    def export(self, path: Path) -> None:
        path.write_text(_php("export", self.db, "-"), encoding="utf-8")


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    missing = _wordpress_missing()
    if missing:
        pytest.skip(missing)
    with Site() as made:
        yield made


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v[0] in ("classic", "blockpaged")],
                         ids=lambda v: v[0])
def test_pages_wordpress_renders_now(variant: tuple[str, str, int, str], site: Site,
                                     tmp_path: Path) -> None:
    if not (WORDPRESS / "wp-content" / "themes" / variant[1]).is_dir():
        pytest.skip(f"theme {variant[1]} is not installed (package wordpress-theme-{variant[1]})")
    records = read(site.render(variant, tmp_path))
    assert differences(site.inserted, records, variant[0]) == []
    assert len(of(records, Comment)) == sum(c["approved"] for c in site.inserted["comments"])
    assert len(of(records, Comment)) == 11


def _trimmed(page: str) -> str:
    """A rendered page without its styles, scripts and icons: the
    fixtures keep the markup, not the theme's assets."""
    for tag in ("style", "script", "svg"):
        page = re.sub(rf"<{tag}\b.*?</{tag}>\s*", "", page, flags=re.S)
    return re.sub(r"<link rel='stylesheet'[^>]*>\s*", "", page)


def main() -> None:
    """Render the fixtures again (run from the repository's root)."""
    missing = _wordpress_missing()
    if missing:
        sys.exit(missing)
    with Site() as made:
        for variant in VARIANTS:
            for path in made.render(variant, DATA):
                path.write_text(_trimmed(path.read_text(encoding="utf-8")), encoding="utf-8")
        made.export(DATA / "site.wxr.xml")
        (DATA / "thread.json").write_text(json.dumps(made.inserted) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
