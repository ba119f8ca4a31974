"""Staticman comment folders, read and written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from wxrbridge import api, canonical
from wxrbridge.cli import cli
from wxrbridge.errors import InputError
from wxrbridge.formats.staticman import read_staticman
from wxrbridge.records import Comment, ImportIssue, Record, Thread
from wxrbridge.store import open_store

DATA = Path(__file__).parent / "data" / "staticman"
JEKYLL, HUGO = DATA / "jekyll", DATA / "hugo"
WXR = Path(__file__).parent.parent / "samples" / "agency-blog.wxr.xml"


def invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def of(records: list[Record], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def files(folder: Path) -> dict[str, Any]:
    """Each comment file below ``folder`` by thread folder and _id or id, parsed."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".yml", ".json") and not path.name.startswith("."):
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else yaml.load(
                text, Loader=yaml.BaseLoader)
            found[f"{path.parent.name}/{path.name}"] = (
                {k: str(v) if isinstance(v, int) else v for k, v in data.items()})
    return found


def test_a_jekyll_folder_reads_with_the_default_keys() -> None:
    records = list(read_staticman(str(JEKYLL)))
    assert [t.key for t in of(records, Thread)] == ["fixing-a-bike-chain", "sourdough-starter"]
    comments = {c.key: c for c in of(records, Comment)}
    reply = comments["0f4c2a10-9bd1-11e9-9a7e-0b1c2d3e4f50"]
    assert (reply.thread, reply.parent) == ("sourdough-starter",
                                            "5a8e9f20-9ad7-11e9-8f3b-1a2b3c4d5e6f")
    assert (reply.author_name, reply.author_email) == ("Hana Weiss",
                                                       "5d41402abc4b2a76b9719d911017c592")
    assert reply.created_at == "2019-07-01T08:33:20Z"
    assert ("staticman_date", "1561970000") in reply.meta
    question = comments["5a8e9f20-9ad7-11e9-8f3b-1a2b3c4d5e6f"]
    assert question.parent is None and question.content.endswith("nail varnish.")
    assert ("staticman_json:tags", '["baking", "starter"]') in question.meta
    assert canonical.parse_utc(comments["c0ffee00-e7a1-11e9-aaaa-0123456789ab"].created_at)


@pytest.mark.parametrize("site", [JEKYLL, HUGO], ids=lambda p: p.name)
def test_a_folder_comes_back_through_the_store_as_it_was(site: Path, tmp_path: Path,
                                                         store_url: str) -> None:
    out = tmp_path / "site"
    config = site / ".wxrbridge-staticman.yml"
    options = {"staticman_config": str(config)} if config.exists() else {}
    with open_store(store_url) as store:
        api.import_files(store, [f"staticman:{site}"])
        report = api.export(store, out, format="staticman", **options)
    assert report.left_out == []
    assert files(out) == files(site)


def test_the_mapping_file_changes_keys_links_and_format() -> None:
    records = list(read_staticman(str(HUGO)))
    [thread] = of(records, Thread)
    assert thread.link == "https://stars.example.com/posts/first-light/"
    reply = next(c for c in of(records, Comment) if c.key == "bb22")
    assert (reply.parent, reply.content) == ("aa11", "A 130 mm reflector, nothing fancy.")
    assert ("staticman_json:avatar", "42") in reply.meta


def test_wxr_becomes_a_staticman_folder_naming_what_is_left_out(tmp_path: Path) -> None:
    out = tmp_path / "site"
    code, output = invoke("convert", WXR, out, "--to", "staticman")
    assert code == 0, output
    written = files(out)
    assert written
    by_id = {data["_id"]: data for data in written.values()}
    records = list(api.read(WXR))
    comments = of(records, Comment)
    approved = [c for c in comments if canonical.comment_status(c) == canonical.APPROVED
                and canonical.comment_type(c) == "comment"]
    assert sorted(by_id) == sorted(c.key for c in approved)
    for comment in approved:
        assert by_id[comment.key]["replying_to"] == (canonical.parent_reference(comment) or "")
        assert by_id[comment.key]["message"] == comment.content
    left = len(comments) - len(approved)
    assert output.count("left out: comment") == left > 0
    assert f"wrote {len(approved)} comments" in output


def test_a_broken_file_is_one_error_and_recover_leaves_it_out(tmp_path: Path,
                                                             sqlite_url: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(JEKYLL, site)
    broken = site / "_data/comments/fixing-a-bike-chain/comment-1570000000.yml"
    broken.write_text("_id: x\nname: [unclosed\nmessage: y\n", encoding="utf-8")
    code, output = invoke("import", f"staticman:{site}", "--db", sqlite_url)
    assert code == 3
    [line] = output.strip().splitlines()
    assert f"{broken}:3:" in line and "not YAML" in line
    with open_store(sqlite_url) as store:
        assert store.stats()["comments"] == 0
    records = list(read_staticman(str(site), recover=True))
    [issue] = of(records, ImportIssue)
    assert issue.code == "staticman-unreadable" and issue.file == str(broken)
    assert len(of(records, Comment)) == 3


def test_bad_locations_and_mappings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        list(read_staticman(str(tmp_path / "missing")))
    (tmp_path / ".wxrbridge-staticman.yml").write_text("colour: blue\n", encoding="utf-8")
    with pytest.raises(InputError, match="field mapping"):
        list(read_staticman(str(tmp_path)))


def test_a_disqus_export_becomes_a_folder_with_its_replies(tmp_path: Path) -> None:
    disqus = WXR.with_name("agency-blog.disqus.xml.gz")
    out = tmp_path / "site"
    code, output = invoke("convert", disqus, out, "--to", "staticman")
    assert code == 0, output
    written = list(files(out).values())
    ids = {data["_id"] for data in written}
    replies = [data for data in written if data["replying_to"]]
    records = list(api.read(disqus))
    known = {c.key for c in of(records, Comment)}
    assert any(data["replying_to"] in ids for data in replies)
    for data in replies:
        # Its parent is written, or named as left out, or not in the export.
        parent = data["replying_to"]
        assert parent in ids or f"left out: comment {parent}:" in output or parent not in known
    shown = [c for c in of(records, Comment) if canonical.comment_status(c) == canonical.APPROVED]
    assert len(written) == len(shown)
