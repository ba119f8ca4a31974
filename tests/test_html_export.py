"""The static HTML archive: structure, safety and the manifest."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from conftest import REPO

from wxrbridge import api, formats
from wxrbridge.cli import cli
from wxrbridge.errors import OutputError
from wxrbridge.formats.html import write_html
from wxrbridge.formats.html.writer import MAX_NESTING
from wxrbridge.records import Comment, ImportIssue, Record, Source, Term, Thread, User
from wxrbridge.store import open_store

EVIL = (
    "Look <script>alert(1)</script> here "
    "<img src=x onerror=alert(2)> and "
    '<a href="javascript:alert(3)">click me</a> or '
    '<a href="https://example.org/ok" onclick="alert(4)" style="color:red">this</a>'
)


def _comment(
    key: str, parent: str | None = None, *, thread: str = "100", resolved: bool = True,
    **fields: str,
) -> Comment:
    """A WXR comment; ``resolved=False`` leaves ``parent_key`` unset, as a
    reader (rather than the store) would."""
    values: dict[str, str | None] = {
        "author_name": f"Reader {key}",
        "author_email": f"reader{key}@example.com",
        "created_at": f"2024-03-0{1 + int(key) % 9} 12:00:00",
        "created_at_local": f"2024-03-0{1 + int(key) % 9} 14:00:00",
        "content": f"Comment number {key}.",
        "wp_approved": "1",
        "wp_type": "",
        "wp_user_id": "0",
    }
    values.update(fields)
    return Comment(
        origin="wxr",
        key=key,
        thread=thread,
        wp_id=key,
        parent=parent or "0",
        parent_key=parent if resolved else None,
        **values,  # type: ignore[arg-type]
    )


def blog() -> list[Record]:
    """One post with everything a thread page must handle, in the order the
    store streams it: each parent before its replies."""
    return [
        Source(origin="wxr", site="https://blog.example.com", title="An Example Blog",
               link="https://blog.example.com"),
        User(origin="wxr", wp_id="3", login="editor", display_name="The Editor",
             email="editor@example.com"),
        Term(origin="wxr", kind="category", slug="news", name="News"),
        Thread(origin="wxr", key="100", wp_post_id="100", title="Hello, <world> & friends",
               link="https://blog.example.com/hello/", slug="hello-world",
               created_at="2024-03-01 08:00:00", created_at_local="2024-03-01 10:00:00",
               post_type="post", status="publish"),
        _comment("1"),
        _comment("6", "1", author_name="The Editor", wp_user_id="3",
                 content="Thanks, from the author."),
        _comment("2"),
        _comment("7", "2"),
        _comment("8", "7"),
        _comment("9", "8", content="Three levels down."),
        _comment("3"),
        _comment("4", author_name="Mallory", author_url="javascript:alert(5)", content=EVIL),
        _comment("5"),
        _comment("10", author_name="A Citing Post", author_url="https://cite.example.net/p/1",
                 wp_type="pingback", content="[…] as the hello post says […]"),
        _comment("11", author_name="Another Site", author_url="https://other.example.org/t",
                 wp_type="trackback", content="Trackback excerpt."),
        _comment("12", wp_approved="0", content="Awaiting moderation."),
        _comment("14", "12", content="Reply to the pending one."),
        ImportIssue(code="test", reason="ignored by the writer"),
    ]


def page(folder: Path, name: str = "threads/hello-world.html") -> lxml.html.HtmlElement:
    return lxml.html.fromstring((folder / name).read_bytes())


def select(root: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    """The few CSS selectors these tests use (``tag.class``, descendant and
    ``>`` child steps, ``:scope``), as XPath, so no selector library is needed."""
    xpath, axis = ".", "//"
    for token in selector.replace(">", " > ").split():
        if token == ":scope":
            continue
        if token == ">":
            axis = "/"
            continue
        tag, *classes = token.split(".")
        step = tag or "*"
        for name in classes:
            step += f"[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
        xpath, axis = xpath + axis + step, "//"
    return root.xpath(xpath)


def element(doc: lxml.html.HtmlElement, key: str) -> lxml.html.HtmlElement:
    found = doc.get_element_by_id(f"comment-{key}", None)
    assert found is not None, f"comment {key} is not on the page"
    return found


def is_inside(child: lxml.html.HtmlElement, parent: lxml.html.HtmlElement) -> bool:
    return any(ancestor is parent for ancestor in child.iterancestors())


def nearest_comment(item: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return next(
        (a for a in item.iterancestors("article") if "comment" in a.classes), None
    )


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, formats.WriteReport]:
    folder = tmp_path / "archive"
    return folder, write_html(blog(), folder)


def test_format_is_registered_as_a_folder_writer() -> None:
    fmt = formats.get("html")
    assert fmt.directory and fmt.write is write_html
    assert "html" in formats.writable()


def test_the_cli_offers_html_without_being_told_about_it() -> None:
    """The registry must load the package itself: a fresh interpreter, not
    this one (where the imports above have registered it already)."""
    found = subprocess.run(
        [sys.executable, "-c", "from wxrbridge import formats; print(formats.writable())"],
        capture_output=True, text=True, check=True,
    )
    assert "'html'" in found.stdout


def test_replies_nest_inside_their_parent(archive: tuple[Path, formats.WriteReport]) -> None:
    doc = page(archive[0])
    assert nearest_comment(element(doc, "6")) is element(doc, "1")
    assert nearest_comment(element(doc, "7")) is element(doc, "2")
    assert nearest_comment(element(doc, "8")) is element(doc, "7")
    assert nearest_comment(element(doc, "9")) is element(doc, "8")
    assert is_inside(element(doc, "9"), element(doc, "2"))
    # The replies are a list inside the parent: nesting that shows even
    # without the stylesheet.
    item = element(doc, "9").getparent()
    assert item.tag == "li" and item.getparent().tag == "ol"
    assert item.getparent().classes == {"replies"}
    assert item.getparent().getparent() is element(doc, "8")
    for key in ("1", "2", "3", "4", "5"):
        assert nearest_comment(element(doc, key)) is None
    assert not is_inside(element(doc, "3"), element(doc, "2"))


def test_pingbacks_and_trackbacks_are_grouped_as_mentions(
    archive: tuple[Path, formats.WriteReport],
) -> None:
    doc = page(archive[0])
    (mentions,) = select(doc, "section.mentions")
    (discussion,) = select(doc, "section.discussion")
    for key, url, title in (("10", "https://cite.example.net/p/1", "A Citing Post"),
                            ("11", "https://other.example.org/t", "Another Site")):
        item = element(doc, key)
        assert is_inside(item, mentions) and not is_inside(item, discussion)
        (link,) = select(item, "a.author")
        assert link.get("href") == url and link.text_content() == title
        assert "nofollow" in link.get("rel")
    assert "as the hello post says" in element(doc, "10").text_content()
    assert "2 mentions" in mentions.text_content()


def test_author_replies_are_marked(archive: tuple[Path, formats.WriteReport]) -> None:
    doc = page(archive[0])
    reply = element(doc, "6")
    assert "author-reply" in reply.classes
    assert [b.text_content() for b in select(reply, ".badge")] == ["Author"]
    # A badge belongs to its own comment only, not to the replies under it.
    assert not select(element(doc, "1"), ":scope > div.card > header .badge")
    for key in ("1", "2", "9"):
        assert "author-reply" not in element(doc, key).classes


def test_pending_is_hidden_by_default(archive: tuple[Path, formats.WriteReport]) -> None:
    folder, report = archive
    doc = page(folder)
    assert doc.get_element_by_id("comment-12", None) is None
    assert "Awaiting moderation" not in doc.text_content()
    orphan = element(doc, "14")
    assert nearest_comment(orphan) is None
    assert "not in this archive" in select(orphan, ".note")[0].text_content()
    assert report.left_out == [
        "comment 12: pending, not shown in the archive "
        "(pass statuses=(…) / --status to include it)"
    ]
    assert report.written == {"thread": 1, "comment": 12}


def test_chosen_statuses_are_shown_and_labelled(tmp_path: Path) -> None:
    report = write_html(blog(), tmp_path, statuses=("approved", "pending"))
    doc = page(tmp_path)
    pending = element(doc, "12")
    assert "status-pending" in pending.classes
    assert select(pending, ":scope > div.card > header .status")[0].text_content() == "pending"
    assert nearest_comment(element(doc, "14")) is pending
    assert not select(element(doc, "14"), ".note")
    assert not select(element(doc, "1"), ".status")
    assert report.left_out == []
    assert report.written == {"thread": 1, "comment": 13}


def test_named_statuses_are_shown_besides_approved(tmp_path: Path) -> None:
    write_html(blog(), tmp_path, statuses=("pending",))
    doc = page(tmp_path)
    assert "status-pending" in element(doc, "12").classes
    assert element(doc, "1") is not None


def test_many_left_out_are_summarised(tmp_path: Path) -> None:
    records: list[Record] = [Source(origin="wxr", site="s", language="de-DE"),
                             Thread(origin="wxr", key="100", title="Busy", slug="busy")]
    records += [_comment(str(n), wp_approved="spam") for n in range(1, 40)]
    records += [_comment("50", wp_approved="0"), _comment("51")]
    report = write_html(records, tmp_path)
    assert report.left_out == [
        "comment 50: pending, not shown in the archive "
        "(pass statuses=(…) / --status to include it)",
        "39 spam comments: not shown in the archive "
        "(pass statuses=(…) / --status to include them)",
    ]
    assert page(tmp_path, "threads/busy.html").get("lang") == "de-DE"


def test_nothing_in_a_comment_can_run_or_load(archive: tuple[Path, formats.WriteReport]) -> None:
    folder = archive[0]
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8").lower()
            for needle in ("<script", "onerror", "onclick", "javascript:", "alert(", "<img"):
                assert needle not in text, f"{needle} in {path.name}"
    doc = page(folder)
    assert not doc.xpath("//script | //img | //iframe | //object | //embed")
    # The only links in the head name the archive's own feeds, which a
    # browser does not fetch.
    assert doc.xpath("//link/@href") == ["hello-world.atom", "../feed.atom"]
    assert doc.xpath("//link/@rel") == ["alternate", "alternate"]
    assert not doc.xpath("//@*[starts-with(name(), 'on')]")
    assert not doc.xpath("//body//@style")
    planted = element(doc, "4")
    assert "click me" in planted.text_content()  # the text stays, the link goes
    links = select(planted, ".body a")
    assert [a.get("href") for a in links] == [None, "https://example.org/ok"]
    assert all(a.get("rel") == "nofollow noopener" for a in links)
    assert not select(planted, "a.author")  # a javascript: website is not linked
    # Only the page's own stylesheet and a script-forbidding policy.
    policy = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in policy
    assert "<world> & friends" in doc.findtext(".//h1")


def test_dates_in_utc_and_local_time(archive: tuple[Path, formats.WriteReport]) -> None:
    doc = page(archive[0])
    (time,) = select(element(doc, "1"), ":scope > div.card > header time")
    assert time.get("datetime") == "2024-03-02T12:00:00Z"
    assert time.text == "2024-03-02 12:00 UTC"
    (local,) = select(element(doc, "1"), ":scope > div.card > header .local")
    assert local.text == "2024-03-02 14:00 local time"
    assert select(doc, "article.thread > p.meta time")[0].get("datetime") == (
        "2024-03-01T08:00:00Z"
    )


def test_permalinks(archive: tuple[Path, formats.WriteReport]) -> None:
    doc = page(archive[0])
    for key in ("1", "9", "10"):
        (link,) = select(element(doc, key), ":scope > div.card > header a.permalink")
        assert link.get("href") == f"#comment-{key}"


def test_index_lists_threads(archive: tuple[Path, formats.WriteReport]) -> None:
    folder = archive[0]
    index = page(folder, "index.html")
    assert index.findtext(".//h1") == "An Example Blog"
    summary = select(index, "p.summary")[0].text_content()
    assert " ".join(summary.split()) == (
        "10 comments and 2 mentions on 1 thread. 1 comment not shown (1 pending)."
    )
    (row,) = select(index, "li.thread")
    (title,) = select(row, "a.title")
    assert title.text == "Hello, <world> & friends"
    assert (folder / title.get("href")).is_file()
    assert select(row, "a.url")[0].get("href") == "https://blog.example.com/hello/"
    assert select(row, ".count")[0].text == "10 comments"
    assert select(row, ".mentions")[0].text == "2 mentions"
    assert select(row, "time")[0].get("datetime") == "2024-03-01T08:00:00Z"
    back = select(page(folder), "nav.site a")[0].get("href")
    assert (folder / "threads" / back).resolve() == (folder / "index.html").resolve()


def test_manifest_lists_every_file_with_its_hash(
    archive: tuple[Path, formats.WriteReport],
) -> None:
    folder = archive[0]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "wxrbridge-html-archive"
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    } - {"manifest.json"}
    assert set(listed) == on_disk
    assert {"index.html", "threads/hello-world.html", "SHA256SUMS"} <= on_disk
    for path, entry in listed.items():
        data = (folder / path).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert sorted(sums) == sorted(
        f"{e['sha256']}  {p}" for p, e in listed.items() if p != "SHA256SUMS"
    )


def test_same_records_give_the_same_archive(tmp_path: Path) -> None:
    write_html(blog(), tmp_path / "a")
    write_html(blog(), tmp_path / "b")
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (
        tmp_path / "b" / "manifest.json"
    ).read_bytes()


def test_reexport_replaces_the_old_archive(tmp_path: Path) -> None:
    (tmp_path / "CNAME").write_text("comments.example.com\n")
    records = blog()
    write_html(records, tmp_path)
    records[3] = Thread(origin="wxr", key="100", title="Renamed", slug="renamed")
    write_html(records, tmp_path)
    assert sorted(p.name for p in (tmp_path / "threads").glob("*.html")) == ["renamed.html"]
    assert (tmp_path / "CNAME").read_text() == "comments.example.com\n"


def test_a_folder_of_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>my own site</p>")
    with pytest.raises(OutputError, match="index.html"):
        write_html(blog(), tmp_path)
    assert (tmp_path / "index.html").read_text() == "<p>my own site</p>"


def test_a_tampered_manifest_removes_nothing_outside(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    write_html(blog(), folder)
    (tmp_path / "precious.txt").write_text("keep me")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].insert(0, {"path": "../precious.txt", "size": 7, "sha256": "0"})
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(OutputError, match="outside the archive"):
        write_html(blog(), folder)
    assert (tmp_path / "precious.txt").read_text() == "keep me"
    assert (folder / "index.html").is_file()


def test_a_failed_export_leaves_no_files(tmp_path: Path) -> None:
    def failing() -> Iterator[Record]:
        yield from blog()
        yield Thread(origin="wxr", key="200", title="Second")
        yield _comment("20", thread="200")
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        write_html(failing(), tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    write_html(blog(), tmp_path)  # and the next export just works
    assert (tmp_path / "manifest.json").is_file()


def test_pages_are_written_while_the_stream_goes_on(tmp_path: Path) -> None:
    """Each thread becomes its page once the next one starts, so only one
    thread's comments are ever held."""
    seen: list[bool] = []

    def stream() -> Iterator[Record]:
        for n in range(1, 4):
            if n == 3:
                staged = tmp_path.glob(".wxrbridge-*.part/.threads.staging")
                seen.append(any(path.stat().st_size > 0 for path in staged))
            yield Thread(origin="wxr", key=str(n), title=f"Post {n}", slug=f"post-{n}")
            yield Comment(origin="wxr", key=f"{n}0", thread=str(n), wp_approved="1",
                          content="hi")

    report = write_html(stream(), tmp_path)
    assert seen == [True]
    assert report.written == {"thread": 3, "comment": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "SHA256SUMS", "feed.atom", "index.html", "manifest.json", "threads"]


def test_page_names_are_safe_and_unique(tmp_path: Path) -> None:
    records: list[Record] = []
    for key, slug in (("1", "caf%c3%a9"), ("2", "café"), ("3", "../../etc/passwd"),
                      ("#4", None), ("5", "")):
        records.append(Thread(origin="wxr", key=key, slug=slug, title=f"T{key}"))
        records.append(Comment(origin="wxr", key=f"c{key}", thread=key, wp_approved="1"))
    records.append(Thread(origin="wxr", key="6", title="Quiet"))  # nothing to show
    report = write_html(records, tmp_path)
    names = sorted(p.name for p in (tmp_path / "threads").glob("*.html"))
    assert names == ["cafe-2.html", "cafe.html", "etc-passwd.html", "thread-4.html",
                     "thread-5.html"]
    assert report.notes[0] == "1 threads with no comment to show have no page"


def test_comments_without_their_thread_get_a_page(tmp_path: Path) -> None:
    records: list[Record] = [
        Thread(origin="disqus", key="1", title="Known"),
        Comment(origin="disqus", key="a", thread="1", content="<p>on a known thread</p>"),
        Comment(origin="disqus", key="b", thread="77", content="<p>lost thread</p>"),
        Comment(origin="disqus", key="c", thread="77", parent="b", parent_key="b"),
    ]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/unknown-thread-77.html")
    assert nearest_comment(element(doc, "c")) is element(doc, "b")
    assert "not in this archive" in doc.findtext(".//h1")


def test_disqus_username_of_a_known_user_is_an_author(tmp_path: Path) -> None:
    records: list[Record] = [
        User(origin="disqus", dsq_username="siteowner"),
        Thread(origin="disqus", key="1", title="T"),
        Comment(origin="disqus", key="a", thread="1", dsq_username="siteowner"),
        Comment(origin="disqus", key="b", thread="1", dsq_username="visitor"),
    ]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/thread-1.html")
    assert "author-reply" in element(doc, "a").classes
    assert "author-reply" not in element(doc, "b").classes


def test_very_deep_replies_stay_within_what_browsers_nest(tmp_path: Path) -> None:
    depth = MAX_NESTING + 30
    records: list[Record] = [Thread(origin="wxr", key="100", slug="deep")]
    records += [_comment(str(n), str(n - 1) if n > 1 else None) for n in range(1, depth + 1)]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/deep.html")
    assert len(select(doc, "article.comment")) == depth
    deepest = element(doc, str(depth))
    # Nested as deep as allowed, then continuing at that level.
    assert len([a for a in deepest.iterancestors("article") if "comment" in a.classes]) == (
        MAX_NESTING - 1
    )
    assert is_inside(deepest, element(doc, "1"))
    note = select(deepest, ".reply-to a")[0]
    assert note.get("href") == f"#comment-{depth - 1}"


def test_reply_loops_from_a_raw_stream_show_every_comment(tmp_path: Path) -> None:
    records: list[Record] = [
        Thread(origin="wxr", key="100", slug="loop"),
        _comment("1", "2", resolved=False),
        _comment("2", "1", resolved=False),
    ]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/loop.html")
    assert len(select(doc, "article.comment")) == 2


def test_export_from_a_store_through_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with open_store(url) as store:
        store.load(blog())
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["export", "--db", url, "--format", "html", "-o", str(out), "--quiet"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "comment 12: pending" in result.output
    doc = page(out)
    assert nearest_comment(element(doc, "9")) is element(doc, "8")
    assert "author-reply" in element(doc, "6").classes


def test_api_write_needs_a_folder(tmp_path: Path) -> None:
    report = api.write(blog(), tmp_path / "new" / "archive", format="html")
    assert report.written["thread"] == 1
    with pytest.raises(OutputError):
        api.write(blog(), "-", format="html")


def test_comments_on_posts_the_public_cannot_see_are_left_out(tmp_path: Path) -> None:
    records: list[Record] = [
        Thread(origin="wxr", key="1", slug="open", status="publish"),
        _comment("10", thread="1"),
        Thread(origin="wxr", key="2", slug="secret", status="publish", post_password="pw"),
        _comment("20", thread="2"),
        _comment("21", thread="2"),
        Thread(origin="wxr", key="3", slug="mine", status="private"),
        _comment("30", thread="3"),
    ]
    report = write_html(records, tmp_path / "public")
    public = tmp_path / "public" / "threads"
    assert sorted(p.name for p in public.iterdir()) == ["open.atom", "open.html"]
    assert report.left_out == [
        "thread 2: password-protected post, its 2 comments not shown "
        "(private=True includes them)",
        "thread 3: private post, its 1 comment not shown (private=True includes them)",
    ]
    report = write_html(records, tmp_path / "all", private=True)
    assert report.written == {"thread": 3, "comment": 4}


def test_the_sample_thread_renders_whole(tmp_path: Path) -> None:
    """The thread this project started from, in our own words: 34 top-level
    comments, the two author replies marked and nested under the comments
    they answer, and the 25 pingbacks and trackbacks grouped as mentions."""
    from wxrbridge import api

    folder = tmp_path / "archive"
    api.convert(REPO / "samples" / "agency-blog.wxr.xml", folder, to="html")
    pages = list((folder / "threads").glob("*.html"))
    assert len(pages) == 1
    page = lxml.html.parse(str(pages[0])).getroot()

    def having(cls: str) -> str:
        return f"contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')"

    discussion = page.xpath(f"//section[{having('discussion')}]")[0]
    mentions = page.xpath(f"//section[{having('mentions')}]")[0]
    assert len(discussion.xpath(f"./ol/li/article[{having('comment')}]")) == 34
    author_replies = discussion.xpath(f".//article[{having('author-reply')}]")
    assert len(author_replies) == 2
    for reply in author_replies:
        replies_list = reply.getparent().getparent()
        parent = replies_list.getparent()
        assert "replies" in replies_list.get("class")
        assert "comment" in parent.get("class").split()
        assert "Author" in reply.text_content()
    assert len(discussion.xpath(f".//ol[{having('replies')}]/li/article")) == 3
    assert len(mentions.xpath(f".//article[{having('mention')}]")) == 25


# -- comment text as WordPress shows it -------------------------------------


def body_of(tmp_path: Path, content: str, **fields: str) -> lxml.html.HtmlElement:
    records: list[Record] = [Thread(origin="wxr", key="100", slug="t"),
                             _comment("1", content=content, **fields)]
    write_html(records, tmp_path)
    return select(element(page(tmp_path, "threads/t.html"), "1"), ".body")[0]


def test_text_around_block_tags_keeps_its_paragraphs(tmp_path: Path) -> None:
    body = body_of(tmp_path, "First line\nsecond line\n\n<blockquote>Quoted\n\nagain</blockquote>\n"
                             "After the quote.\n\n<ul><li>one</li><li>two</li></ul>\nLast words.")
    paragraphs = [p.text_content() for p in body.xpath("./p")]
    assert paragraphs == ["First line\nsecond line", "After the quote.", "Last words."]
    assert len(body.xpath("./p[1]/br")) == 1
    assert [p.text_content() for p in body.xpath("./blockquote/p")] == ["Quoted", "again"]
    assert [li.text_content() for li in body.xpath("./ul/li")] == ["one", "two"]


def test_preformatted_text_is_left_as_written(tmp_path: Path) -> None:
    body = body_of(tmp_path, "Code:\n<pre>def f():\n\n    return 1</pre>\nDone.")
    (pre,) = body.xpath(".//pre")
    assert pre.text_content() == "def f():\n\n    return 1"
    assert not pre.xpath(".//br | .//p")
    assert [p.text_content() for p in body.xpath("./p")] == ["Code:", "Done."]


def test_headings_tables_and_edits_are_kept(tmp_path: Path) -> None:
    body = body_of(
        tmp_path,
        "<h1>Big</h1><h2>Smaller</h2><h5>Small</h5>"
        "<table><tr><th>a</th></tr><tr><td colspan=\"2\" style=\"x\">b</td></tr></table>"
        "<dl><dt>term</dt><dd>meaning</dd></dl><del>gone</del> <s>struck</s> <code>x()</code>",
    )
    # Below the page's own h1 (thread), h2 (sections) and h3 (each comment).
    assert [h.tag for h in body.xpath("./*[starts-with(name(), 'h')]")] == ["h4", "h5", "h6"]
    assert body.xpath(".//td")[0].get("colspan") == "2"
    assert body.xpath(".//td")[0].get("style") is None
    assert body.xpath(".//dt")[0].text == "term" and body.xpath(".//dd")[0].text == "meaning"
    assert [e.tag for e in body.xpath(".//del | .//s | .//code")] == ["del", "s", "code"]


def test_bare_addresses_become_links(tmp_path: Path) -> None:
    body = body_of(
        tmp_path,
        "See https://example.org/a_(b)?q=1&amp;r=2, or www.example.net. "
        '<a href="https://example.com/x">https://example.com/x</a> '
        "<code>http://example.com/code</code>",
    )
    hrefs = [a.get("href") for a in body.xpath(".//a")]
    assert hrefs == ["https://example.org/a_(b)?q=1&r=2", "http://www.example.net",
                     "https://example.com/x"]
    assert body.xpath(".//a")[0].text == "https://example.org/a_(b)?q=1&r=2"
    assert "nofollow" in body.xpath(".//a")[1].get("rel")


def test_only_absolute_web_and_mail_links_are_kept(tmp_path: Path) -> None:
    body = body_of(
        tmp_path,
        '<a href="/wp-admin/">a</a> <a href="//tracker.example.net/x">b</a> '
        '<a href="page.html">c</a> <a href="mailto:ann@example.org">d</a> '
        '<a href="https://example.org/\u202egnp.exe">e</a> <a href="https://example.org/">f</a>',
    )
    assert [a.get("href") for a in body.xpath(".//a")] == [
        None, None, None, "mailto:ann@example.org", None, "https://example.org/"
    ]


def test_names_titles_and_text_are_isolated(tmp_path: Path) -> None:
    records: list[Record] = [
        Thread(origin="wxr", key="100", slug="t", title="Report \u202egnp.exe"),
        _comment("1", author_name="RTL \u202egnp.exe", content="Unterminated \u202eoverride"),
        _comment("2", author_name="Linked", author_url="https://example.org/\u202ex"),
    ]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/t.html")
    (name,) = select(element(doc, "1"), "bdi.author")
    assert name.text == "RTL \u202egnp.exe"
    assert select(element(doc, "1"), ".body")[0].get("dir") == "auto"
    assert doc.xpath("//h1")[0].get("dir") == "auto"
    # A link whose address holds a bidi control is not made.
    assert not select(element(doc, "2"), "a.author")
    index = page(tmp_path, "index.html")
    assert select(index, "a.title")[0].get("dir") == "auto"


def test_entities_in_names_and_titles_are_shown_once_decoded(tmp_path: Path) -> None:
    records: list[Record] = [
        Thread(origin="wxr", key="100", slug="t", title="What&#8217;s a tellyworth?"),
        _comment("1", author_name="Ping 1 &laquo; What&#8217;s a tellyworth?",
                 author_url="https://example.org/ping", wp_type="pingback"),
        _comment("2", author_name="Tom &amp; Jerry"),
    ]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/t.html")
    assert doc.findtext(".//h1") == "What\u2019s a tellyworth?"
    assert select(element(doc, "1"), "a.author")[0].text_content() == (
        "Ping 1 \u00ab What\u2019s a tellyworth?"
    )
    assert select(element(doc, "2"), ".author")[0].text_content() == "Tom & Jerry"
    raw = (tmp_path / "threads" / "t.html").read_text(encoding="utf-8")
    assert "&amp;laquo;" not in raw and "&amp;#8217;" not in raw


# -- a page a screen reader can find its way through ------------------------


def test_landmarks_headings_and_link_names(archive: tuple[Path, formats.WriteReport]) -> None:
    folder = archive[0]
    doc = page(folder)
    (nav,) = doc.xpath("//nav[@aria-label]")
    back = nav.xpath(".//a[@rel='index']")[0]
    assert "Back to the index" in back.text_content()
    assert (folder / "threads" / back.get("href")).resolve() == (folder / "index.html").resolve()
    assert doc.xpath("//main")
    comment = element(doc, "6")
    heading = doc.get_element_by_id(comment.get("aria-labelledby"))
    assert heading.tag == "h3" and "The Editor" in heading.text_content()
    (permalink,) = select(comment, ":scope > div.card > header a.permalink")
    assert permalink.get("aria-label") == (
        "Link to this comment by The Editor, 2024-03-07 12:00 UTC"
    )


def test_replies_past_the_nesting_limit_name_their_parent(tmp_path: Path) -> None:
    depth = MAX_NESTING + 4
    records: list[Record] = [Thread(origin="wxr", key="100", slug="deep")]
    records += [_comment(str(n), str(n - 1) if n > 1 else None, author_name=f"Writer {n}")
                for n in range(1, depth + 1)]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/deep.html")
    for n in range(1, depth + 1):
        notes = select(element(doc, str(n)), ":scope > div.card > .reply-to a")
        if n <= MAX_NESTING:
            assert notes == []
        else:
            assert notes[0].text_content() == f"In reply to Writer {n - 1}"
            assert notes[0].get("href") == f"#comment-{n - 1}"


# -- what is not shown, and the index ---------------------------------------


def test_every_page_says_how_many_comments_it_leaves_out(tmp_path: Path) -> None:
    records: list[Record] = [
        Thread(origin="wxr", key="100", slug="t", title="Pings only",
               created_at="2024-01-01 00:00:00"),
        _comment("1", wp_type="pingback", author_url="https://example.org/p"),
        _comment("2", wp_approved="spam"), _comment("3", wp_approved="spam"),
        _comment("4", wp_approved="0"),
        Thread(origin="wxr", key="200", slug="none", title="Nothing shown"),
        _comment("5", thread="200", wp_approved="trash"),
    ]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/t.html")
    assert " ".join(select(doc, "p.left-out")[0].text_content().split()) == (
        "3 comments not shown (1 pending, 2 spam)."
    )
    discussion = select(doc, "section.discussion")[0].text_content()
    assert "No comments, only the mentions below." in discussion
    index = page(tmp_path, "index.html")
    assert "4 comments not shown (1 pending, 2 spam, 1 trash)." in " ".join(
        select(index, "p.summary")[0].text_content().split()
    )
    assert select(index, "li.thread .left-out")[0].text_content() == (
        "3 comments not shown (1 pending, 2 spam)"
    )


def _dated_threads(count: int, year_of: Callable[[int], int]) -> Iterator[Record]:
    for n in range(count, 0, -1):  # newest first: the index must sort them
        yield Thread(origin="wxr", key=str(n), slug=f"post-{n}", title=f"Post {n}",
                     created_at=f"{year_of(n)}-01-01 {n // 60:02d}:{n % 60:02d}:00")
        yield Comment(origin="wxr", key=f"c{n}", thread=str(n), wp_approved="1", content="hi")


def test_a_small_index_is_one_page_sorted_by_date(tmp_path: Path) -> None:
    write_html(_dated_threads(3, lambda n: 2020 + n), tmp_path)
    index = page(tmp_path, "index.html")
    assert [a.text for a in select(index, "a.title")] == ["Post 1", "Post 2", "Post 3"]
    first, middle = page(tmp_path, "threads/post-1.html"), page(tmp_path, "threads/post-2.html")
    assert not first.xpath("//a[@rel='prev']")
    assert first.xpath("//a[@rel='next']")[0].get("href") == "post-2.html"
    assert middle.xpath("//a[@rel='prev']")[0].get("href") == "post-1.html"
    assert "Next thread: Post 3" in middle.xpath("//a[@rel='next']")[0].text_content()


def test_a_large_index_is_split_by_year_into_pages(tmp_path: Path) -> None:
    from wxrbridge.formats.html.index import PER_PAGE

    count = PER_PAGE * 2
    write_html(_dated_threads(count, lambda n: 2010 if n <= PER_PAGE + 10 else 2011), tmp_path)
    index = page(tmp_path, "index.html")
    assert not select(index, "li.thread")
    years = {a.get("href") for a in index.xpath("//ul[@class='years']//a")}
    assert years == {"years/2010.html", "years/2010-2.html", "years/2011.html"}
    sizes = {name: len(select(page(tmp_path, name), "li.thread")) for name in sorted(years)}
    assert sizes == {"years/2010.html": PER_PAGE, "years/2010-2.html": 10,
                     "years/2011.html": count - PER_PAGE - 10}
    second = page(tmp_path, "years/2010-2.html")
    assert second.xpath("//a[@rel='prev']")[0].get("href") == "../years/2010.html"
    assert second.xpath("//a[@rel='next']")[0].get("href") == "../years/2011.html"
    link = select(second, "a.title")[0].get("href")
    assert (tmp_path / "years" / link).resolve() == (tmp_path / "threads/post-201.html").resolve()
    # Each thread page leads back to its own listing page.
    back = page(tmp_path, "threads/post-201.html").xpath("//a[@rel='index']")[0]
    assert back.get("href") == "../years/2010-2.html"
    # Every file, listing pages included, is in the manifest.
    listed = {e["path"] for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    pages = [p for p in listed if p.startswith("threads/") and p.endswith(".html")]
    assert years <= listed and len(pages) == count


def test_the_fast_path_for_plain_text_gives_what_the_full_rules_give() -> None:
    """Plain text skips the tag rules and the sanitiser; the result must be
    the same as going through both."""
    from wxrbridge.formats.html.autop import autop
    from wxrbridge.formats.html.sanitize import clean, comment_html, paragraphs

    pieces = ["a", "b c", " ", "\n", "\n\n", "\t", "\r", "\r\n", "é", "\u2028", "\u0085",
              "\u202e", "\x0c", '"', "'", "=", "\u3000", "\u00a0", ">", "&amp;", "www.x.org",
              "<em>", "</em>", "<a\nhref='https://example.org/'>", "</a>", "<q>", "<", "<b",
              " <!-- wpnl --> ", "\x00wpnl\x00"]
    blocks = ["<p>", "</p>", "<param>", "<br>", "<blockquote>", "</li>", "<pre>", "</pre>"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        # Without a block tag, the block rules change nothing.
        assert autop(text) == autop(text, tags=True), repr(text)
        if "<" not in text:
            assert str(comment_html(text)) == clean(paragraphs(text)), repr(text)
        text += rng.choice(blocks) + rng.choice(pieces)
        assert autop(text) == autop(text, tags=True), repr(text)
