"""The WordPress database format: reading a site's tables, writing into a
live site safely (matching, threading, accounts, counts, idempotence, one
transaction), on SQLite always and on MariaDB when configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import wp_site
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from wp_site import add_comment, add_post, create_tables, insert, set_options, wordpress_url

from wxrbridge import api, canonical
from wxrbridge.cli import cli
from wxrbridge.errors import InputError, WriteError
from wxrbridge.formats.wp_db import writer as writer_module
from wxrbridge.records import Comment, ImportIssue, Record, Source, Thread, User

__all__ = ["wordpress_url"]  # the fixture, used by name

HOME = "https://blog.example.org"


def _site(url: str, prefix: str = "wp_", structure: str = "/%year%/%monthnum%/%postname%/",
          ) -> Engine:
    engine = create_engine(url)
    create_tables(engine, prefix)
    set_options(engine, prefix, home=HOME, siteurl=HOME + "/wp", blogname="Field notes",
                blogdescription="", permalink_structure=structure, gmt_offset="2")
    return engine


def _admin(engine: Engine, prefix: str = "wp_") -> int:
    user = insert(engine, "users", prefix, user_login="editor", user_email="ed@example.org",
                  user_nicename="editor", display_name="The Editor")
    insert(engine, "usermeta", prefix, user_id=user, meta_key=f"{prefix}capabilities",
           meta_value='a:1:{s:13:"administrator";b:1;}')
    return user


def _post(engine: Engine, slug: str, prefix: str = "wp_", **values: object) -> int:
    return add_post(engine, prefix, post_title=slug.title(), post_name=slug,
                    post_date="2024-03-05 10:00:00", post_date_gmt="2024-03-05 08:00:00",
                    guid=f"{HOME}/?p={slug}", **values)


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]


def _records(url: str) -> list[Record]:
    return list(api.read(f"wp:{url}"))


def test_reads_posts_comments_meta_and_users(wordpress_url: str) -> None:
    engine = _site(wordpress_url)
    user = _admin(engine)
    post = _post(engine, "first-light")
    parent_page = _post(engine, "about", post_type="page")
    child_page = _post(engine, "team", post_type="page", post_parent=parent_page)
    draft = _post(engine, "unfinished", post_status="draft")
    top = add_comment(engine, comment_post_ID=post, comment_author="Ann",
                      comment_content="Lovely.", comment_date="2024-03-06 12:00:00",
                      comment_date_gmt="2024-03-06 10:00:00", comment_type="")
    reply = add_comment(engine, comment_post_ID=post, comment_author="The Editor",
                        comment_parent=top, user_id=user, comment_content="Thanks!",
                        comment_approved="0", comment_type="comment")
    insert(engine, "commentmeta", comment_id=reply, meta_key="rating", meta_value="5")
    records = _records(wordpress_url)
    source = next(r for r in records if isinstance(r, Source))
    assert (source.site, source.title, source.base_site_url) == (HOME, "Field notes",
                                                                 HOME + "/wp")
    assert [u.login for u in records if isinstance(u, User)] == ["editor"]
    links = {t.key: t.link for t in records if isinstance(t, Thread)}
    assert links == {
        str(post): f"{HOME}/2024/03/first-light/",
        str(parent_page): f"{HOME}/about/",
        str(child_page): f"{HOME}/about/team/",
        str(draft): f"{HOME}/?p={draft}",
    }
    comments = {c.key: c for c in records if isinstance(c, Comment)}
    assert comments[str(top)].wp_type == "" and comments[str(top)].parent == "0"
    assert comments[str(top)].created_at_local == "2024-03-06 12:00:00"
    assert comments[str(reply)].parent == str(top)
    assert comments[str(reply)].wp_user_id == str(user)
    assert comments[str(reply)].wp_approved == "0"
    assert comments[str(reply)].meta == [("rating", "5")]


def test_plain_permalinks_and_a_multisite_blog(wordpress_url: str) -> None:
    engine = _site(wordpress_url)
    _admin(engine)
    create_tables(engine, "wp_3_", {t: c for t, c in wp_site.TABLES.items()
                                    if t not in ("users", "usermeta")})
    set_options(engine, "wp_3_", home=HOME + "/three", siteurl=HOME + "/three",
                permalink_structure="")
    post = _post(engine, "elsewhere", prefix="wp_3_")
    page = _post(engine, "contact", prefix="wp_3_", post_type="page")
    add_comment(engine, "wp_3_", comment_post_ID=post, comment_content="Hi")
    records = _records(f"{wordpress_url}?blog=3" if "?" not in wordpress_url
                       else f"{wordpress_url}&blog=3")
    links = sorted(t.link or "" for t in records if isinstance(t, Thread))
    assert links == [f"{HOME}/three/?p={post}", f"{HOME}/three/?page_id={page}"]
    assert len([c for c in records if isinstance(c, Comment)]) == 1
    # The network's accounts, with a role on the main blog only.
    assert [u for u in records if isinstance(u, User)] == []


def test_not_wordpress_is_refused_naming_what_is_missing(wordpress_url: str) -> None:
    engine = _site(wordpress_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE wp_commentmeta"))
    with pytest.raises(InputError, match="missing wp_commentmeta$"):
        _records(wordpress_url)
    with pytest.raises(WriteError, match="missing wp_commentmeta$"):
        api.write(iter([]), f"wp:{wordpress_url}", format="wp-db")


def test_a_sqlite_file_that_is_not_there_is_not_made(tmp_path: Path) -> None:
    missing = tmp_path / "no.sqlite"
    with pytest.raises(InputError, match="there is no database file"):
        _records(f"sqlite:///{missing}")
    assert not missing.exists()


def _disqus(link: str, *comments: Comment) -> Iterator[Record]:
    yield Source(origin="disqus", site="fieldnotes")
    yield Thread(origin="disqus", key="t1", dsq_id="t1", link=link, title="First light")
    yield from comments


def _dsq(key: str, parent: str | None = None, **fields: object) -> Comment:
    values: dict[str, object] = {
        "author_name": f"author {key}", "content": f"text {key}",
        "created_at": f"2024-04-0{key[-1]}T10:00:00Z", **fields}
    return Comment(origin="disqus", key=key, thread="t1", dsq_id=key, parent=parent,
                   **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "one-at-a-time"])
def test_writes_disqus_replies_first_threaded_counted_and_once(
    wordpress_url: str, batched: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not batched:
        # A database that may interleave one statement's ids (InnoDB's
        # auto-increment lock mode 2): one row to a statement.
        monkeypatch.setattr(writer_module._Writer, "_consecutive_ids", lambda self: False)
    engine = _site(wordpress_url)
    untouched = "SELECT * FROM wp_options ORDER BY option_id"
    options_before = _rows(engine, untouched)
    post = _post(engine, "first-light")
    add_comment(engine, comment_post_ID=post, comment_content="already here",
                comment_date_gmt="2024-01-01 00:00:00")
    target = f"wp:{wordpress_url}"
    # The reply comes before its parent, and a pending comment is not counted.
    comments = [_dsq("p2", parent="p1"), _dsq("p1"), _dsq("p3", dsq_is_approved="false")]
    link = "http://www.blog.example.org/2024/03/first-light"
    report = api.write(_disqus(link, *comments), target, format="wp-db")
    assert report.written["comment"] == 3
    rows = _rows(engine, "SELECT c.comment_ID, c.comment_parent, c.comment_approved, "
                 "c.comment_date, m.meta_value FROM wp_comments c JOIN wp_commentmeta m "
                 "ON m.comment_id = c.comment_ID AND m.meta_key = 'dsq_post_id' "
                 "ORDER BY m.meta_value")
    by_dsq = {str(r[4]): r for r in rows}
    assert by_dsq["p2"][1] == by_dsq["p1"][0] and by_dsq["p1"][1] == 0
    assert [by_dsq[k][2] for k in ("p1", "p2", "p3")] == ["1", "1", "0"]
    assert str(by_dsq["p1"][3]).startswith("2024-04-01 12:00:00")  # the site's +2 hours
    assert _rows(engine, f"SELECT comment_count FROM wp_posts WHERE ID = {post}") == [(3,)]
    again = api.write(_disqus(link, *comments), target, format="wp-db")
    assert again.written["comment"] == 0
    assert any("3 comments already in the site" in n for n in again.notes)
    assert _rows(engine, "SELECT COUNT(*) FROM wp_comments") == [(4,)]
    assert _rows(engine, untouched) == options_before


def test_an_older_schema_reads(wordpress_url: str) -> None:
    """comment_approved an enum (WordPress before 2.7), comment_type empty
    for a comment."""
    old = dict(wp_site.TABLES)
    enum = "varchar(20) NOT NULL default '1'" if wordpress_url.startswith("sqlite") \
        else "enum('0','1','spam') NOT NULL default '1'"
    old["comments"] = [(n, enum if n == "comment_approved" else
                        "varchar(20) NOT NULL default ''" if n == "comment_type" else k)
                       for n, k in wp_site.TABLES["comments"]]
    engine = create_engine(wordpress_url)
    create_tables(engine, tables=old)
    set_options(engine, home=HOME, permalink_structure="")
    post = _post(engine, "old")
    add_comment(engine, comment_post_ID=post, comment_content="spammy", comment_approved="spam")
    add_comment(engine, comment_post_ID=post, comment_content="fine")
    comments = [c for c in _records(wordpress_url) if isinstance(c, Comment)]
    assert [(canonical.comment_status(c), canonical.comment_type(c)) for c in comments] == [
        ("spam", "comment"), ("approved", "comment")]


def test_unmatched_thread_is_skipped_or_made_a_post(wordpress_url: str) -> None:
    engine = _site(wordpress_url)
    target = f"wp:{wordpress_url}"
    report = api.write(_disqus(HOME + "/gone", _dsq("p1")), target, format="wp-db")
    assert report.written["comment"] == 0
    assert any("thread t1" in line and "1 comment skipped" in line for line in report.left_out)
    dry = api.write(_disqus(HOME + "/gone", _dsq("p1")), target, format="wp-db",
                    create_posts=True, dry_run=True)
    assert dry.written["comment"] == 1 and "dry run: nothing was written" in dry.notes
    assert _rows(engine, "SELECT COUNT(*) FROM wp_posts") == [(0,)]
    made = api.write(_disqus(HOME + "/gone", _dsq("p1")), target, format="wp-db",
                     create_posts=True)
    assert (made.written["post"], made.written["comment"]) == (1, 1)
    assert _rows(engine, "SELECT post_title, comment_count FROM wp_posts") == [
        ("First light", 1)]


def test_url_map_matches_a_moved_blog(wordpress_url: str, tmp_path: Path) -> None:
    engine = _site(wordpress_url)
    _post(engine, "first-light")
    _post(engine, "first-light", post_type="page")  # the slug alone matches two
    mapping = tmp_path / "moved.txt"
    mapping.write_text("https://old.example.com/ https://blog.example.org/\n")
    link = "https://old.example.com/2024/03/first-light/"
    target = f"wp:{wordpress_url}"
    assert api.write(_disqus(link, _dsq("p1")), target, format="wp-db",
                     dry_run=True).written["comment"] == 0
    written = api.write(_disqus(link, _dsq("p1")), target, format="wp-db",
                        url_map=str(mapping))
    assert written.written["comment"] == 1
    assert any("link 1" in n for n in written.notes)


def test_author_replies_get_the_sites_account(wordpress_url: str) -> None:
    engine = _site(wordpress_url)
    editor = _admin(engine)
    post = _post(engine, "first-light")

    def other_site() -> Iterator[Record]:
        yield Source(origin="wxr", site="https://old.example.com")
        yield User(origin="wxr", wp_id="7", login="editor")
        yield User(origin="wxr", wp_id="8", login="someone", email="ED@example.org")
        yield User(origin="wxr", wp_id="9", login="nobody")
        yield Thread(origin="wxr", key="40", wp_post_id="40",
                     link="https://old.example.com/2024/03/first-light/")
        for key, user in (("1", "7"), ("2", "8"), ("3", "9"), ("4", "0")):
            yield Comment(origin="wxr", key=key, wp_id=key, thread="40", parent="0",
                          content=f"c{key}", wp_user_id=user, wp_approved="1",
                          created_at_local="2024-05-01 10:00:00")

    report = api.write(other_site(), f"wp:{wordpress_url}", format="wp-db")
    rows = dict(_rows(engine, "SELECT comment_content, user_id FROM wp_comments"))
    assert rows == {"c1": editor, "c2": editor, "c3": 0, "c4": 0}
    assert any("author replies of nobody" in n for n in report.notes)
    dates = _rows(engine, "SELECT comment_date_gmt FROM wp_comments WHERE "
                  "comment_content = 'c1'")
    assert str(dates[0][0]).startswith("2024-05-01 08:00:00")
    assert _rows(engine, f"SELECT comment_count FROM wp_posts WHERE ID = {post}") == [(4,)]


def test_an_error_writes_nothing(wordpress_url: str) -> None:
    engine = _site(wordpress_url)
    _post(engine, "first-light")

    def broken() -> Iterator[Record]:
        yield from _disqus(HOME + "/2024/03/first-light/", _dsq("p1"), _dsq("p2"))
        raise WriteError("the source broke")

    with pytest.raises(WriteError, match="the source broke"):
        api.write(broken(), f"wp:{wordpress_url}", format="wp-db")
    assert _rows(engine, "SELECT COUNT(*) FROM wp_comments") == [(0,)]
    assert _rows(engine, "SELECT COUNT(*) FROM wp_commentmeta") == [(0,)]


def test_round_trip_through_the_cli(wordpress_url: str, tmp_path: Path) -> None:
    """A site read into a store and written into a copy of its posts is
    the same discussions; writing it again into the site itself adds nothing."""
    engine = _site(wordpress_url)
    post = _post(engine, "first-light")
    first = add_comment(engine, comment_post_ID=post, comment_author="Ann",
                        comment_content="One", comment_date="2024-03-06 12:00:00",
                        comment_date_gmt="2024-03-06 10:00:00")
    add_comment(engine, comment_post_ID=post, comment_author="Bo", comment_parent=first,
                comment_content="Two", comment_date="2024-03-06 13:00:00",
                comment_date_gmt="2024-03-06 11:00:00")
    store = f"sqlite:///{tmp_path / 'site.sqlite'}"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", f"wp:{wordpress_url}", "--db", store, "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["stats", f"wp:{wordpress_url}", "--json"])
    assert result.exit_code == 0 and '"comments"' in result.output, result.output
    result = runner.invoke(cli, ["export", "--db", store, "--format", "wp-db",
                                 "-o", f"wp:{wordpress_url}"])
    assert result.exit_code == 0, result.output
    assert "2 comments already in the site" in result.output
    assert _rows(engine, "SELECT COUNT(*) FROM wp_comments") == [(2,)]
    copy_url = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    copy = _site(copy_url)
    _post(copy, "first-light")
    result = runner.invoke(cli, ["export", "--db", store, "--format", "wp-db",
                                 "-o", f"wp:{copy_url}"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["verify", f"wp:{wordpress_url}", f"wp:{copy_url}"])
    assert result.exit_code == 0, result.output


def test_a_comment_on_a_revision_is_left_out_with_an_issue(wordpress_url: str) -> None:
    engine = _site(wordpress_url)
    revision = _post(engine, "first-light-revision-v1", post_type="revision")
    add_comment(engine, comment_post_ID=revision, comment_content="stray")
    records = _records(wordpress_url)
    assert not [c for c in records if isinstance(c, Comment)]
    issues = [r for r in records if isinstance(r, ImportIssue)]
    assert [(i.code, i.severity) for i in issues] == [("wp-db-orphan-comment", "rejected")]


def test_export_maps_a_disqus_user_to_the_sites_account(
    wordpress_url: str, tmp_path: Path
) -> None:
    engine = _site(wordpress_url)
    editor = _admin(engine)
    _post(engine, "first-light")
    store = f"sqlite:///{tmp_path / 'site.sqlite'}"
    with api.open_store(store) as opened:
        opened.load(_disqus(HOME + "/2024/03/first-light/",
                            _dsq("p1", dsq_username="ed_mod"),
                            _dsq("p2", dsq_username="reader")))
    result = CliRunner().invoke(cli, ["export", "--db", store, "--format", "wp-db",
                                      "-o", f"wp:{wordpress_url}", "--map-user", "ed_mod=editor"])
    assert result.exit_code == 0, result.output
    rows = dict(_rows(engine, "SELECT comment_content, user_id FROM wp_comments"))
    assert rows == {"text p1": editor, "text p2": 0}


def test_a_utc_date_with_an_offset_is_converted(wordpress_url: str) -> None:
    engine = _site(wordpress_url)
    _post(engine, "first-light")
    api.write(_disqus(HOME + "/2024/03/first-light/",
                      _dsq("p1", created_at="2024-04-01T10:00:00+02:00")),
              f"wp:{wordpress_url}", format="wp-db")
    (gmt,), = _rows(engine, "SELECT comment_date_gmt FROM wp_comments")
    assert str(gmt).startswith("2024-04-01 08:00:00")
