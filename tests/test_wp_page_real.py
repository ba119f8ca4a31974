"""Saved pages of a real WordPress site, read back and verified against
the site's own export.

Debian's ``wordpress`` package installs a site (tests/wordpress/render_page.php);
wxrbridge's wp-db writer puts two WXRs' comments into its database: the
sample shaped like the thread this project started from
(samples/agency-blog.wxr.xml: 34 top-level comments, 3 replies of which two
are the post author's, 25 pings, one pending and one trashed) and a
thread made here with a reply chain ten deep.  The site threads comments ten
deep and pages them, ten top-level comments a page; every comment page of
both posts is rendered with a classic theme (Twenty Twenty-One) and a block
theme the package ships, read back with the wp-page reader, and
``verify --recover`` holds them to core's ``export_wp`` (which writes a
bare ``&`` of a commenter's URL: hence ``--recover``).

Skipped where PHP, WordPress or MariaDB is not at hand (``.ci/run`` installs
them).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import html
from test_wp_page import DB_HOST, WORDPRESS, _php, _wordpress_missing
from test_wp_page import Site as WordPressSite

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.records import Comment, ImportIssue, Thread, User

SAMPLE = Path(__file__).parent.parent / "samples" / "agency-blog.wxr.xml"
PER_PAGE = 10
DEPTH = 10
CLASSIC = "twentytwentyone"
# Debian's package ships one block theme; the newest of these found is used.
BLOCK = ("twentytwentyfive", "twentytwentyfour", "twentytwentythree", "twentytwentytwo")
# The sites' zone: the sample's local dates are five hours behind UTC.
ZONE = "America/New_York"


def deep_thread_wxr() -> str:
    """A WXR of one post whose first comment has a reply chain ten deep
    (replies by another site's author at levels 2, 6 and 10), twelve
    top-level comments (two comment pages), a pingback, a trackback, an
    editor's reply, the post author's (whose login, with a dot, is not
    the nicename a page shows), a pending and a spam comment."""
    start = datetime(2024, 1, 10, 15, 0, 0)
    rows: list[tuple[int, int, str, str, str, int, str, str]] = []
    # (id, parent, author, url, type, user id, approved, content)
    readers = ["Ines", "Paul", "Rosa", "Tomas"]
    for level in range(1, DEPTH + 1):
        by_author = level in (2, 6, 10)
        rows.append((100 + level, 100 + level - 1 if level > 1 else 0,
                     "Dana Okafor" if by_author else readers[level % 4],
                     "https://www.example.gov/blog" if by_author else "", "", 7 if by_author else 0,
                     "1", f"Level {level} of the chain -- \"quoted\" and it's deep."))
    rows.append((201, 0, "Wen", "https://wen.example.org/", "", 0, "1", "A second thread."))
    rows.append((202, 201, "Mattias Lindqvist", "", "", 3, "1",
                 "An editor answers: <em>noted</em>."))
    rows.append((203, 202, "Held", "", "", 0, "0", "Pending, not on the page."))
    rows.append((204, 201, "Wen Li", "", "", 9, "1", "The post's author, whose login has a dot."))
    for n in range(10):
        kind = {3: "pingback", 7: "trackback"}.get(n, "")
        rows.append((300 + n, 0, f"Site {n}" if kind else f"Reader {n}",
                     f"https://site{n}.example.net/post/" if kind else "", kind, 0, "1",
                     f"[&#8230;] link {n} back [&#8230;]" if kind else f"Top-level comment {n}."))
    rows.append((399, 0, "Spammer", "", "", 0, "spam", "Buy now."))
    comments = []
    for number, (cid, parent, author, url, kind, user, approved, content) in enumerate(rows):
        gmt = start + timedelta(hours=3 * number)
        local = gmt - timedelta(hours=5)
        comments.append(f"""
    <wp:comment>
      <wp:comment_id>{cid}</wp:comment_id>
      <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
      <wp:comment_author_email>{author.split()[0].lower()}@example.org</wp:comment_author_email>
      <wp:comment_author_url>{url}</wp:comment_author_url>
      <wp:comment_author_IP>192.0.2.{number}</wp:comment_author_IP>
      <wp:comment_date>{local:%Y-%m-%d %H:%M:%S}</wp:comment_date>
      <wp:comment_date_gmt>{gmt:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{content}]]></wp:comment_content>
      <wp:comment_approved>{approved}</wp:comment_approved>
      <wp:comment_type>{kind}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>{user}</wp:comment_user_id>
    </wp:comment>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Deep threads</title><link>https://deep.example.test</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://deep.example.test</wp:base_site_url>
  <wp:base_blog_url>https://deep.example.test</wp:base_blog_url>
  <wp:author><wp:author_id>7</wp:author_id><wp:author_login>dokafor</wp:author_login>
    <wp:author_email>dana.okafor@example.gov</wp:author_email>
    <wp:author_display_name>Dana Okafor</wp:author_display_name></wp:author>
  <wp:author><wp:author_id>9</wp:author_id><wp:author_login>Wen.Li</wp:author_login>
    <wp:author_email>wen@example.org</wp:author_email>
    <wp:author_display_name>Wen Li</wp:author_display_name></wp:author>
  <wp:author><wp:author_id>3</wp:author_id><wp:author_login>mlindqvist</wp:author_login>
    <wp:author_email>mattias.lindqvist@example.gov</wp:author_email>
    <wp:author_display_name>Mattias Lindqvist</wp:author_display_name></wp:author>
  <item>
    <title>A thread ten replies deep</title>
    <link>https://deep.example.test/2024/01/ten-replies-deep/</link>
    <dc:creator>Wen.Li</dc:creator>
    <content:encoded><![CDATA[<p>A post with a long conversation.</p>]]></content:encoded>
    <wp:post_id>77</wp:post_id>
    <wp:post_date>2024-01-10 09:00:00</wp:post_date>
    <wp:post_date_gmt>2024-01-10 14:00:00</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name>ten-replies-deep</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>{"".join(comments)}
  </item>
</channel>
</rss>
"""


@dataclass
class Post:
    id: int
    link: str
    pages: int  # comment pages


class Site(WordPressSite):
    """A WordPress site with the two WXRs' comments written in by wp-db."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.sources = [SAMPLE, folder / "deep.wxr.xml"]
        self.sources[1].write_text(deep_thread_wxr(), encoding="utf-8")

    def fill(self) -> None:
        records = [r for source in self.sources for r in api.read(source)]
        users = {u.login: {"login": u.login, "display_name": u.display_name, "email": u.email}
                 for u in records if isinstance(u, User)}
        threads = [t for t in records if isinstance(t, Thread)]
        posts = [{"title": t.title, "slug": t.slug, "content": "A post.",
                  "date": t.created_at_local, "date_gmt": t.created_at, "author": t.creator}
                 for t in threads]
        made = json.loads(_php("install", self.db, CLASSIC, "-", str(PER_PAGE), input=json.dumps(
            {"timezone": ZONE, "users": list(users.values()), "posts": posts})).splitlines()[-1])
        # Comment pages: the top-level comments a visitor sees, a page each ten.
        top = {t.key: sum(1 for c in records if isinstance(c, Comment) and c.thread == t.key
                          and c.wp_approved == "1" and c.parent in (None, "", "0"))
               for t in threads}
        # (a WXR's user id, the site's) of each account
        ids = {u.login: u.wp_id for u in records if isinstance(u, User)}
        self.accounts = {(ids[login], str(id)) for login, id in made["users"].items()}
        self.posts = [Post(p["id"], p["link"], math.ceil(top[t.key] / PER_PAGE))
                      for p, t in zip(made["posts"], threads, strict=True)]
        url = f"wp:mysql+pymysql://root@{DB_HOST}/{self.db}"
        for source in self.sources:
            written = api.convert(source, url, to="wp-db").written
            assert not written.left_out and written.written["comment"] > 0
        self.export = self.folder / "site.wxr.xml"
        self.export.write_text(_php("export", self.db, "-"), encoding="utf-8")

    def render_all(self, theme: str) -> Path:
        """Every comment page of every post, as the theme renders them."""
        folder = self.folder / theme
        folder.mkdir()
        for post in self.posts:
            path = post.link.removeprefix("http://blog.example.test")
            for n in range(1, post.pages + 1):
                uri = path if n == 1 else f"{path}comment-page-{n}/"
                page = _php("render", self.db, uri, env={"WXRB_THEME": theme})
                (folder / f"post-{post.id}-{n}.html").write_text(page, encoding="utf-8")
        return folder


def _block_theme() -> str:
    themes = WORDPRESS / "wp-content" / "themes"
    found = [t for t in BLOCK if (themes / t / "templates").is_dir()]
    assert found, f"no block theme of {BLOCK} in {themes}"
    return found[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    missing = _wordpress_missing()
    if missing:
        pytest.skip(missing)
    assert (WORDPRESS / "wp-content" / "themes" / CLASSIC).is_dir(), \
        f"theme {CLASSIC} is not installed (package wordpress-theme-{CLASSIC})"
    with Site(tmp_path_factory.mktemp("wp-site")) as made:
        yield made


@pytest.fixture(scope="module", params=["classic", "block"])
def pages(request: pytest.FixtureRequest, site: Site) -> Path:
    return site.render_all(CLASSIC if request.param == "classic" else _block_theme())


def _verify(a: str, b: str) -> list[str]:
    result = CliRunner().invoke(cli, ["verify", "--recover", a, b])
    assert result.exit_code in (0, 1), result.output
    return result.output.splitlines()


def test_sources_are_in_the_sites_export(site: Site) -> None:
    """The site's export holds each WXR's comments, under their parents,
    author replies linked to the accounts of their logins: what differs is
    only the site (another post id), the accounts' ids, the spam comment
    core's export leaves out and the other WXR's comments."""
    counts = []
    for source in (0, 1):
        report = api.verify(site.sources[source], site.export, recover=True)
        counts.append(report.comments[0])
        seen = Counter[tuple[str, str | None]]()
        for difference in report.differences:
            seen[difference.kind, difference.field] += 1
            if difference.field == "user_id":
                assert (difference.a, difference.b) in site.accounts, difference
            elif difference.kind == "missing" and difference.what == "comment":
                assert difference.key == "399"  # the spam comment
        assert set(seen) <= {("changed", "thread"), ("changed", "user_id"),
                             ("missing", None), ("extra", None)}, seen
        assert seen["changed", "user_id"] == (2, 5)[source]
    assert counts == [64, 25] and report.comments[1] == 64 + 24


def test_the_pages_are_the_export(site: Site, pages: Path, tmp_path: Path) -> None:
    """Every comment page read back is what the site's export holds, both
    ways: every approved comment, each reply under its parent, pings,
    authors, dates, content as read; the export's pending and trashed
    comments are not held against the pages."""
    source = f"wp-page:{pages}"
    assert _verify(source, str(site.export)) == [
        "A: 2 threads, 85 comments; B: 2 threads, 88 comments: equivalent"]
    assert _verify(str(site.export), source) == [
        "A: 2 threads, 88 comments; B: 2 threads, 85 comments: equivalent"]
    # The folder imported (as saved: `import saved/`) into a store is the same.
    store = f"sqlite:///{tmp_path / 'snapshot.sqlite'}"
    imported = CliRunner().invoke(cli, ["import", str(pages), "--db", store])
    assert imported.exit_code == 0, imported.output
    assert _verify(store, str(site.export))[-1].endswith(": equivalent")


def test_what_the_pages_show(site: Site, pages: Path) -> None:
    """Read with the API: no comment reported unread, the ten-deep chain
    nested, pings typed, author replies linked to their site users."""
    records = list(api.read(f"wp-page:{pages}"))
    assert [i for i in records if isinstance(i, ImportIssue)] == []
    comments = [c for c in records if isinstance(c, Comment)]
    assert len(comments) == 62 + 23
    kinds = [c.wp_type for c in comments]
    assert kinds.count("pingback") == 21 + 1 and kinds.count("trackback") == 4 + 1
    logins = {u.wp_id: u.login for u in records if isinstance(u, User)}
    by_user = sorted(logins[c.wp_user_id] for c in comments if c.wp_user_id)
    assert by_user == ["dokafor"] * 5 + ["mlindqvist", "wen-li"]
    by_key = {c.key: c for c in comments}
    deepest = next(c for c in comments if c.content and "Level 10 " in c.content)
    chain = [deepest]
    while chain[-1].parent:
        chain.append(by_key[chain[-1].parent])
    assert [c.content and c.content.split()[1] for c in reversed(chain)] == \
        [str(n) for n in range(1, DEPTH + 1)]
    threads = [t for t in records if isinstance(t, Thread)]
    assert sorted(p.pages for p in site.posts) == [2, 6]
    assert len(threads) == 2


def test_a_page_missing_or_a_comment_cut_is_a_difference(site: Site, pages: Path,
                                                          tmp_path: Path) -> None:
    """verify fails a snapshot short of one comment page, or of one comment."""
    short = tmp_path / "short"
    short.mkdir()
    for page in sorted(pages.glob("*.html")):
        (short / page.name).write_bytes(page.read_bytes())
    deep = next(p for p in site.posts if p.pages == 2)
    (short / f"post-{deep.id}-2.html").unlink()
    found = _verify(str(site.export), f"wp-page:{short}")
    assert len([line for line in found if line.endswith(": in A, not in B")]) == 2
    assert found[-1].endswith(": 2 differences")
    # The ten-deep chain's last reply cut out of its page.
    (short / f"post-{deep.id}-2.html").write_bytes((pages / f"post-{deep.id}-2.html").read_bytes())
    first = short / f"post-{deep.id}-1.html"
    tree = html.parse(str(first))
    cut = _deepest(tree)
    cut.getparent().remove(cut)
    first.write_bytes(html.tostring(tree, doctype="<!DOCTYPE html>"))
    found = _verify(str(site.export), f"wp-page:{short}")
    assert found[-1].endswith(": 1 difference")
    assert found[0] == f"comment {_id(cut)}: in A, not in B"
    # An author reply the page shows as a guest's.
    tree = html.parse(str(pages / f"post-{deep.id}-1.html"))
    reply = tree.xpath("//*[contains(concat(' ', @class, ' '), ' comment-author-dokafor ')]")[0]
    reply.set("class", " ".join(c for c in reply.get("class", "").split()
                                if not c.startswith(("comment-author-", "byuser", "bypost"))))
    first.write_bytes(html.tostring(tree, doctype="<!DOCTYPE html>"))
    assert _verify(str(site.export), f"wp-page:{short}")[0] == \
        f"comment {_id(reply)}: site_user 'dokafor' -> None"


def _id(element: Any) -> str:
    return str(element.get("id", "")).removeprefix("comment-")


def _deepest(tree: Any) -> Any:
    """The comment element marked ``depth-10``."""
    found = tree.xpath(f"//*[contains(concat(' ', @class, ' '), ' depth-{DEPTH} ')]")
    assert len(found) == 1
    return found[0]
