"""What WordPress's importer keeps, by the rules tests/wp_oracle.php
follows (``--import``), and the default WXR export against them: every
comment kept where the export can see to it, every other one named in the
writer's report."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_oracle import ORACLE, run

from wxrbridge.formats.wxr import read_wxr, write_wxr

DATA = Path(__file__).parent / "data" / "wxr"

Comment = tuple[int, str, str, int]  # id, author, date, parent


def wxr(*items: tuple[int, str, str, str, list[Comment]]) -> str:
    """A small WXR file: items of (post id, title, post date, post type,
    comments)."""
    parts = []
    for post_id, title, date, post_type, comments in items:
        body = "".join(
            f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
            f"<wp:comment_author>{author}</wp:comment_author>"
            f"<wp:comment_date>{day}</wp:comment_date>"
            f"<wp:comment_date_gmt>{day}</wp:comment_date_gmt>"
            f"<wp:comment_content>words of {cid}</wp:comment_content>"
            f"<wp:comment_approved>1</wp:comment_approved>"
            f"<wp:comment_parent>{parent}</wp:comment_parent>"
            f"<wp:comment_user_id>0</wp:comment_user_id></wp:comment>"
            for cid, author, day, parent in comments
        )
        parts.append(
            f"<item><title>{title}</title><wp:post_id>{post_id}</wp:post_id>"
            f"<wp:post_date>{date}</wp:post_date><wp:status>publish</wp:status>"
            f"<wp:post_type>{post_type}</wp:post_type>{body}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version>" + "".join(parts) + "</channel></rss>\n"
    )


def imported(path: Path) -> dict[str, Any]:
    """What an empty site keeps of ``path``, by the oracle's rules."""
    php = shutil.which("php")
    if php is None:
        if os.environ.get("CI"):
            pytest.fail("php is required in CI (.ci/run installs php-cli)")
        pytest.skip("php is not installed")
    done = subprocess.run([php, str(ORACLE), "--import", str(path)], capture_output=True,
                          text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def kept(result: dict[str, Any]) -> dict[tuple[int, str], dict[str, Any]]:
    return {(c["item"], c["comment_id"]): c for c in result["comments"]}


def oracle_of(tmp_path: Path, text: str) -> dict[str, Any]:
    path = tmp_path / "in.xml"
    path.write_text(text)
    return imported(path)


def default_export(path: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    out = io.BytesIO()
    with open(path, "rb") as handle:
        report = write_wxr(read_wxr(handle, name=path.name), out)
    target = tmp_path / ("out-" + path.name)
    target.write_bytes(out.getvalue())
    return target, report.notes


# -- the oracle's rules, each on a small file -------------------------------------------------

def test_an_item_of_a_type_wordpress_does_not_know_is_skipped_with_its_comments(
    tmp_path: Path,
) -> None:
    result = oracle_of(tmp_path, wxr(
        (1, "Shop", "2024-01-01 00:00:00", "product", [(10, "A", "2024-01-02 00:00:00", 0)]),
        (2, "Post", "2024-01-01 00:00:00", "post", [(20, "B", "2024-01-02 00:00:00", 0)]),
    ))
    assert result["skipped"] == [{"item": 0, "reason": "post type"}]
    assert list(kept(result)) == [(1, "20")]


def test_a_later_item_of_an_imported_post_id_is_skipped_with_its_comments(
    tmp_path: Path,
) -> None:
    result = oracle_of(tmp_path, wxr(
        (5, "About", "2024-01-01 00:00:00", "page", [(50, "A", "2024-01-02 00:00:00", 0)]),
        (5, "Guestbook", "2024-02-01 00:00:00", "post", [(60, "B", "2024-02-02 00:00:00", 0)]),
    ))
    assert result["skipped"] == [{"item": 1, "reason": "post id"}]
    assert list(kept(result)) == [(0, "50")]


def test_post_exists_merges_an_item_into_a_post_of_its_title_date_and_type(
    tmp_path: Path,
) -> None:
    result = oracle_of(tmp_path, wxr(
        (1, "Notes", "2024-01-01 00:00:00", "post", [(10, "A", "2024-01-02 00:00:00", 0)]),
        # Same title and date, other type: a post of its own.
        (2, "Notes", "2024-01-01 00:00:00", "page", [(20, "B", "2024-01-02 00:00:00", 0)]),
        # Same title, date and type (the title in other case): merged.
        (3, "notes", "2024-01-01 00:00:00", "post", [(30, "C", "2024-01-03 00:00:00", 0)]),
        # No title: any post of that date and type.
        (4, "", "2024-01-01 00:00:00", "post", [(40, "D", "2024-01-04 00:00:00", 0)]),
        # No date: any post of that title and type.
        (5, "Notes", "", "page", [(50, "E", "2024-01-05 00:00:00", 0)]),
    ))
    assert result["skipped"] == [
        {"item": 2, "reason": "post exists", "into": 0},
        {"item": 3, "reason": "post exists", "into": 0},
        {"item": 4, "reason": "post exists", "into": 1},
    ]
    assert {key: c["post"] for key, c in kept(result).items()} == {
        (0, "10"): 0, (1, "20"): 1, (2, "30"): 0, (3, "40"): 0, (4, "50"): 1,
    }


def test_comment_exists_skips_a_duplicate_only_on_a_merged_post(tmp_path: Path) -> None:
    day = "2024-01-02 10:00:00"
    result = oracle_of(tmp_path, wxr(
        # On a new post the same author and date twice are both kept.
        (1, "Notes", "2024-01-01 00:00:00", "post", [(10, "Ana", day, 0), (11, "Ana", day, 0)]),
        # On a merged one, a comment matching any in the site is skipped,
        # whichever post it is on.
        (2, "Notes", "2024-01-01 00:00:00", "post",
         [(20, "ana ", day, 0), (21, "Ben", day, 0), (22, " Ana", day, 0)]),
    ))
    # Case and trailing spaces aside; a leading space is compared.
    assert sorted(kept(result)) == [(0, "10"), (0, "11"), (1, "21"), (1, "22")]


def test_a_parent_is_remapped_only_when_it_was_imported_before_its_reply(
    tmp_path: Path,
) -> None:
    day = "2024-01-02 10:00:00"
    result = oracle_of(tmp_path, wxr(
        (1, "Notes", "2024-01-01 00:00:00", "post",
         [(10, "A", day, 0), (11, "B", day, 10),   # parent first: linked
          (7, "C", day, 12), (12, "D", day, 0)]),  # reply sorts first: the number stays
    ))
    comments = kept(result)
    assert comments[(0, "11")]["parent"] == {"item": 0, "comment_id": "10"}
    assert comments[(0, "7")]["parent"] == {"as written": 12}


# -- the default export against those rules ---------------------------------------------------

def test_a_later_item_of_the_same_post_id_keeps_its_comments(tmp_path: Path) -> None:
    source = DATA / "duplicate-post-id.xml"
    before = imported(source)
    assert {"item": 1, "reason": "post type"} in before["skipped"]
    assert sorted(kept(before)) == [(0, "50")]

    target, notes = default_export(source, tmp_path)
    after = imported(target)
    assert after["skipped"] == []
    comments = kept(after)
    assert sorted(comments) == [(0, "50"), (1, "60"), (1, "61"), (1, "62")]
    assert all(c["post"] == c["item"] for c in comments.values())
    assert comments[(1, "61")]["parent"] == {"item": 1, "comment_id": "60"}
    assert comments[(1, "61")]["user"] == "keeper"
    assert any("post id 5 is an earlier item's too" in n and "written as post 6" in n
               for n in notes), notes
    assert any("1 items had no post_type" in n for n in notes), notes
    written = target.read_text()
    assert "<wp:meta_key><![CDATA[_wxrbridge_original_post_id]]></wp:meta_key>" in written


def test_the_report_names_every_comment_the_importer_skips_or_moves(tmp_path: Path) -> None:
    source = DATA / "importer-merges.xml"
    target, notes = default_export(source, tmp_path)
    result = imported(target)
    comments = kept(result)
    # Not in its own post, or not kept at all: each of those is named.
    ids = {1: ["110", "111", "112"], 2: ["120"], 3: ["130"]}
    lost = sorted(
        cid for item, cids in ids.items() for cid in cids
        if (item, cid) not in comments or comments[(item, cid)]["post"] != item
    )
    assert lost == ["110", "111", "112", "130"]
    merge = next(n for n in notes if n.startswith("thread 11:"))
    assert "takes it for thread 10 (same title and date and post type)" in merge
    assert "2 are added to thread 10, 1 skipped as duplicates" in merge
    assert merge.split("as duplicates")[1].count("110") == 1
    assert "replies to a skipped comment" in merge and merge.endswith(": 111")
    assert comments[(1, "111")]["parent"] == {"as written": 110}
    assert any(n.startswith("thread 13: post type 'product'") for n in notes), notes
    # The untitled, undated item took its comment's date: no longer taken
    # for the first post, as it is from the original file.
    assert comments[(2, "120")]["post"] == 2
    assert kept(imported(source))[(2, "120")]["post"] == 0


def test_an_exact_copy_names_nothing(tmp_path: Path) -> None:
    out = io.BytesIO()
    with open(DATA / "importer-merges.xml", "rb") as handle:
        report = write_wxr(read_wxr(handle, name="m.xml"), out, keep_ids=True)
    assert report.notes == []


def test_through_the_store_a_later_item_of_the_same_post_id_keeps_its_comments(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.wxr.xml"
    printed = run("convert", DATA / "duplicate-post-id.xml", target, "--to", "wxr")
    assert "thread id '5' appears more than once in the file; this one is kept as '5~2'" in (
        printed)
    comments = kept(imported(target))
    assert sorted(comments) == [(0, "50"), (1, "60"), (1, "61"), (1, "62")]
    assert all(c["post"] == c["item"] for c in comments.values())


REAL_WORDPRESS = Path("/usr/share/wordpress/wp-settings.php")


@pytest.mark.skipif(
    not (os.environ.get("WXRBRIDGE_WP_IMPORTER") and REAL_WORDPRESS.exists()
         and os.environ.get("WXRBRIDGE_TEST_MYSQL_URL")),
    reason="needs Debian's wordpress package, a wordpress-importer checkout"
    " (WXRBRIDGE_WP_IMPORTER) and MariaDB (WXRBRIDGE_TEST_MYSQL_URL)",
)
def test_a_real_wordpress_keeps_every_comment_of_the_default_export() -> None:
    harness = Path(__file__).parent.parent / "bench" / "wordpress_import.py"
    done = subprocess.run(
        [sys.executable, str(harness), "--ours", str(DATA / "duplicate-post-id.xml")],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| duplicate-post-id.xml | original | 1/4 | 0/1 | 0/1 |" in done.stdout
    assert "| duplicate-post-id.xml | wxrbridge | 4/4 | 1/1 | 1/1 |" in done.stdout


def test_a_fresh_post_id_that_a_later_item_has_is_given_once(tmp_path: Path) -> None:
    day = "2024-01-02 10:00:00"
    source = tmp_path / "in.xml"
    source.write_text(wxr(
        (5, "One", "2024-01-01 00:00:00", "post", [(10, "A", day, 0)]),
        (5, "Two", "2024-01-01 00:00:01", "post", [(20, "B", day, 0)]),
        (6, "Three", "2024-01-01 00:00:02", "post", [(30, "C", day, 0)]),
    ))
    target, notes = default_export(source, tmp_path)
    result = imported(target)
    assert result["skipped"] == []
    assert {key: c["post"] for key, c in kept(result).items()} == {
        (0, "10"): 0, (1, "20"): 1, (2, "30"): 2}
    assert [n.split(";")[0] for n in notes if "is an earlier item's too" in n] == [
        "thread 5~2: post id 5 is an earlier item's too, and WordPress's importer would skip"
        " this item with its comments",
        "thread 6: post id 6 is an earlier item's too, and WordPress's importer would skip"
        " this item with its comments",
    ]


def test_verify_pairs_a_renumbered_item_with_its_source(tmp_path: Path) -> None:
    source = DATA / "duplicate-post-id.xml"
    target, _notes = default_export(source, tmp_path)
    assert run("verify", source, target).strip().endswith("equivalent")


def test_comments_with_no_numeric_id_are_all_kept_and_none_becomes_a_parent(
    tmp_path: Path,
) -> None:
    def comment(cid: str | None, author: str) -> str:
        element = "" if cid is None else f"<wp:comment_id>{cid}</wp:comment_id>"
        return (f"<wp:comment>{element}<wp:comment_author>{author}</wp:comment_author>"
                "<wp:comment_date>2024-01-02 00:00:00</wp:comment_date>"
                f"<wp:comment_content>{author} says</wp:comment_content>"
                "<wp:comment_approved>1</wp:comment_approved>"
                "<wp:comment_parent>0</wp:comment_parent></wp:comment>")

    source = tmp_path / "in.xml"
    one = wxr((1, "Odd", "2024-01-01 00:00:00", "post", []))
    source.write_text(one.replace("</item>", "".join(
        [comment(None, "A"), comment(None, "B"), comment("x", "C"), comment("x", "D"),
         comment("y", "E"), comment("7", "F")]) + "</item>"))
    before = imported(source)
    # The importer casts each id to an integer and keys the comments by it:
    # of those with no number (all 0) the last is kept, and it becomes the
    # parent of the top-level comment after it.
    assert [(c["comment_id"], c["parent"]) for c in before["comments"]] == [
        ("0", {"as written": 0}), ("7", {"item": 0, "comment_id": "0"})]

    target, notes = default_export(source, tmp_path)
    after = imported(target)
    assert len(after["comments"]) == 6
    assert all(c["parent"] == {"as written": 0} for c in after["comments"])
    assert any("comment ids renumbered" in n for n in notes), notes


def test_comments_of_attachments_auto_drafts_and_menu_items_are_named(tmp_path: Path) -> None:
    day = "2024-01-02 10:00:00"
    source = tmp_path / "in.xml"
    text = wxr(
        (1, "Photo", "2024-01-01 00:00:00", "attachment", [(10, "A", day, 0)]),
        (2, "Draft", "2024-01-01 00:00:01", "post", [(20, "B", day, 0)]),
        (3, "Menu", "2024-01-01 00:00:02", "nav_menu_item", [(30, "C", day, 0)]),
    )
    source.write_text(text.replace(
        "<wp:post_id>2</wp:post_id><wp:post_date>2024-01-01 00:00:01</wp:post_date>"
        "<wp:status>publish</wp:status>",
        "<wp:post_id>2</wp:post_id><wp:post_date>2024-01-01 00:00:01</wp:post_date>"
        "<wp:status>auto-draft</wp:status>"))
    _target, notes = default_export(source, tmp_path)
    assert [n.split(",")[0] for n in notes if n.startswith("thread ")] == [
        "thread 1: WordPress's importer keeps an attachment",
        "thread 2: WordPress's importer makes no post of an auto-draft",
        "thread 3: WordPress's importer makes no post of a menu item",
    ]
