"""Reading saved WordPress REST API comment pages."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from wxrbridge import api, canonical, formats
from wxrbridge.cli import cli
from wxrbridge.errors import InputError
from wxrbridge.formats.wp_rest import detect, read_wp_rest, read_wp_rest_pages
from wxrbridge.records import Comment, ImportIssue, Record, Source, Thread
from wxrbridge.store import open_store

DATA = Path(__file__).parent / "data" / "wp_rest"
PAGE1, PAGE2 = DATA / "comments-page1.json", DATA / "comments-page2.json"
WP = {"wp": "http://wordpress.org/export/1.2/"}


def invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def of(records: list[Record], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    # Named so that a sort by text would put page 10 first.
    shutil.copy(PAGE1, folder / "comments-page2.json")
    shutil.copy(PAGE2, folder / "comments-page10.json")
    return folder


def test_a_page_is_detected_by_its_fields() -> None:
    assert formats.detect(PAGE1.read_bytes()[:4096]).name == "wp-rest"
    assert not detect(b'{"code":"rest_forbidden","message":"Sorry"}')
    assert not detect(b'[{"id": 1, "title": "a post"}]')


def test_a_page_maps_every_field() -> None:
    records = list(read_wp_rest(io.BytesIO(PAGE2.read_bytes()), name="p2.json"))
    source = records[0]
    assert isinstance(source, Source) and source.site == "https://shop-notes.example.com"
    comments = {c.key: c for c in of(records, Comment)}
    jig = comments["28"]
    assert (jig.thread, jig.parent, jig.wp_user_id) == ("7", None, None)
    assert (jig.author_name, jig.author_email, jig.author_ip) == (
        "Jun Park", "jun@example.org", "198.51.100.7")
    assert (jig.created_at, jig.created_at_local) == ("2023-03-02T07:00:00",
                                                      "2023-03-02T08:00:00")
    assert jig.content == "The jig keeps slipping."  # content.raw
    meta = dict(jig.meta)
    assert meta["rating"] == "4"
    assert meta["_wp_rest_content_rendered"] == "<p>The jig keeps slipping.</p>\n"
    assert meta["_wp_rest_link"].endswith("/hello-again/#comment-28")
    assert json.loads(meta["_wp_rest__links"])["self"][0]["href"].endswith("/comments/28")
    assert canonical.comment_status(comments["27"]) == canonical.PENDING  # hold
    assert canonical.comment_status(comments["25"]) == canonical.SPAM
    assert canonical.comment_type(comments["24"]) == "pingback"
    [hello, glue] = sorted(of(records, Thread), key=lambda t: t.key)
    assert (glue.key, glue.link) == ("9", "https://shop-notes.example.com/2023/03/gluing-tips/")
    assert hello.wp_post_id == "7"


def test_pages_read_as_one_source_link_across_pages_and_list_a_comment_once(
    pages: Path, store_url: str
) -> None:
    records = list(read_wp_rest_pages(str(pages)))
    assert len(of(records, Source)) == 1
    keys = [c.key for c in of(records, Comment)]
    assert keys == ["31", "30", "29", "28", "27", "25", "24"]  # 29 once
    with open_store(store_url) as store:
        [report] = api.import_files(store, [f"wp-rest:{pages}"])
        back = {c.key: c for c in of(list(store.records(None)), Comment)}
    assert back["30"].parent_key == "28"  # its parent is on the next page
    assert back["31"].parent_key == "30"
    assert back["27"].parent_key is None and back["27"].parent == "26"
    assert [i.code for i in report.issues] == ["parent-missing"]


def test_a_comment_changed_between_pages_is_reported(tmp_path: Path) -> None:
    first = json.loads(PAGE1.read_text(encoding="utf-8"))
    second = json.loads(PAGE2.read_text(encoding="utf-8"))
    second[0]["content"]["raw"] = "edited while paging"
    (tmp_path / "p1.json").write_text(json.dumps(first), encoding="utf-8")
    (tmp_path / "p2.json").write_text(json.dumps(second), encoding="utf-8")
    records = list(read_wp_rest_pages(str(tmp_path / "p*.json")))
    [issue] = of(records, ImportIssue)
    assert issue.code == "wp-rest-changed-twice" and issue.record_key == "comment 29"
    assert next(c for c in of(records, Comment) if c.key == "29").content == (
        "Which glue did you use?")


def test_the_store_gives_back_every_field(pages: Path, sqlite_url: str) -> None:
    read = {c.key: c for c in of(list(read_wp_rest_pages(str(pages))), Comment)}
    with open_store(sqlite_url) as store:
        api.import_files(store, [f"wp-rest:{pages}"])
        back = {c.key: c for c in of(list(store.records(None)), Comment)}
    for key, comment in read.items():
        comment.parent_key = back[key].parent_key
        comment.position = back[key].position
        assert back[key] == comment


def test_convert_to_wxr_keeps_threads_and_verifies(pages: Path, tmp_path: Path) -> None:
    target = tmp_path / "site.wxr.xml"
    code, output = invoke("convert", f"wp-rest:{pages}", target)
    assert code == 0, output
    root = etree.parse(str(target)).getroot()
    parents = {c.findtext("wp:comment_id", namespaces=WP): c.findtext(
        "wp:comment_parent", namespaces=WP) for c in root.iterfind(".//wp:comment", WP)}
    assert parents["30"] == "28" and parents["31"] == "30" and parents["27"] == "0"
    code, output = invoke("verify", f"wp-rest:{pages}", target)
    assert code == 0 and "equivalent" in output, output
    # A zip of the pages imports too (each page a source of the site).
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(PAGE1, "comments-page1.json")
        z.write(PAGE2, "comments-page2.json")
    code, output = invoke("verify", archive, target)
    assert code == 0 and "equivalent" in output, output


def test_bad_pages_are_one_line_errors_and_store_nothing(tmp_path: Path,
                                                         sqlite_url: str) -> None:
    cut = tmp_path / "cut.json"
    text = PAGE2.read_text(encoding="utf-8")
    cut.write_text(text[: text.index('"Replying to a comment')], encoding="utf-8")
    code, output = invoke("import", cut, "--db", sqlite_url)
    assert code == 3
    [line] = output.strip().splitlines()
    assert line.startswith(f"wxrbridge: error: {cut}:") and "not a JSON comment page" in line
    with open_store(sqlite_url) as store:
        assert store.stats()["comments"] == 0
    error = tmp_path / "forbidden.json"
    error.write_text('{"code": "rest_forbidden", "message": "Sorry"}', encoding="utf-8")
    with pytest.raises(InputError, match="an API error, not a comment page: rest_forbidden"):
        list(read_wp_rest_pages(str(error)))
    with pytest.raises(InputError, match="no comment pages"):
        list(read_wp_rest_pages(str(tmp_path / "nothing-*.json")))


def test_recover_keeps_the_comments_before_the_cut(tmp_path: Path) -> None:
    text = PAGE2.read_text(encoding="utf-8")
    cut = text[: text.index('"Replying to a comment')].encode()
    records = list(read_wp_rest(io.BytesIO(cut), name="cut.json", recover=True))
    assert [c.key for c in of(records, Comment)] == ["29", "28"]
    [issue] = of(records, ImportIssue)
    assert issue.code == "wp-rest-cut-off" and issue.severity == "rejected" and issue.line
    not_comment = b'[{"id": 5, "post": 1, "author_name": "a"}, {"title": "x"}]'
    records = list(read_wp_rest(io.BytesIO(not_comment), name="odd.json"))
    assert [i.code for i in of(records, ImportIssue)] == ["wp-rest-not-a-comment"]
