"""WXR files re-saved by a pretty-printer: every value on its own line,
padded.  WordPress's importer takes ids, types, statuses and dates as they
are, so a post typed " post " (and every comment on it) never arrives; the
default export writes those fields trimmed, --keep-ids writes them as they
came, and text fields stay as they are in both."""

from __future__ import annotations

from pathlib import Path

from cli_oracle import php_read, run
from lxml import etree

WP = "{http://wordpress.org/export/1.2/}"

# WordPress's own fields, written trimmed by default: item, then comment.
ITEM_FIELDS = {
    "post_id": "5", "post_date": "2022-03-10 11:00:00", "post_date_gmt": "2022-03-10 10:00:00",
    "comment_status": "open", "ping_status": "open", "status": "publish",
    "post_parent": "0", "menu_order": "0", "post_type": "post", "is_sticky": "0",
}
COMMENT_FIELDS = ("comment_id", "comment_date", "comment_date_gmt", "comment_approved",
                  "comment_type", "comment_parent", "comment_user_id")
# Text, kept padded whatever the mode.
ITEM_TEXT = {"title": "Low tide at the point", "post_name": "low-tide"}
COMMENT_TEXT = ("comment_author", "comment_author_email", "comment_content")
# (id, parent, user id, author): a thread three deep.
COMMENTS = (("11", "0", "7", "Ines Morrow"), ("12", "11", "0", "Tom Vale"),
            ("13", "12", "7", "Ines Morrow"))
NUMBERS = {"post_id", "post_parent", "menu_order", "is_sticky", "comment_id",
           "comment_parent", "comment_user_id"}


def padded(name: str, value: str, depth: int) -> str:
    """An element the way a pretty-printer re-saves it."""
    inner = "\n" + "  " * (depth + 1)
    body = value if name in NUMBERS else f"<![CDATA[ {value} ]]>"
    return f"{'  ' * depth}<wp:{name}>{inner}{body}\n{'  ' * depth}</wp:{name}>\n"


def padded_file() -> bytes:
    comments = ""
    for cid, parent, user, author in COMMENTS:
        values = {
            "comment_id": cid, "comment_author": author,
            "comment_author_email": author.split()[0].lower() + "@example.org",
            "comment_date": f"2022-03-10 12:{cid}:11",
            "comment_date_gmt": f"2022-03-10 11:{cid}:11",
            "comment_content": f"Reply number {cid}.", "comment_approved": "1",
            "comment_type": "comment", "comment_parent": parent, "comment_user_id": user,
        }
        comments += "    <wp:comment>\n" + "".join(
            padded(name, value, 3) for name, value in values.items()) + "    </wp:comment>\n"
    item = "".join(padded(name, value, 2) for name, value in {**ITEM_FIELDS,
                                                               "post_name": "low-tide"}.items())
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" \
xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Pool notes</title>
  <link>https://pools.example.com</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author>
    <wp:author_id>7</wp:author_id>
    <wp:author_login><![CDATA[ines]]></wp:author_login>
  </wp:author>
  <item>
    <title>
      <![CDATA[ {ITEM_TEXT["title"]} ]]>
    </title>
    <content:encoded>
      <![CDATA[ <p>The pools at dawn.</p> ]]>
    </content:encoded>
{item}{comments}  </item>
</channel>
</rss>
""".encode()


def texts(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Each field's text, as any XML reader sees it: the item's, then each
    comment's."""
    item = etree.parse(str(path)).getroot().find("channel/item")
    assert item is not None
    fields = {name: item.findtext(WP + name) or "" for name in (*ITEM_FIELDS, "post_name")}
    fields["title"] = item.findtext("title") or ""
    comments = [
        {child.tag.replace(WP, ""): child.text or "" for child in node}
        for node in item.findall(WP + "comment")
    ]
    return fields, comments


def test_padded_fields_are_written_trimmed_and_counted(tmp_path: Path) -> None:
    original = tmp_path / "pretty.xml"
    original.write_bytes(padded_file())
    out = tmp_path / "out.xml"
    output = run("convert", original, out, "--to", "wxr")
    raw_item, raw_comments = texts(original)
    item, comments = texts(out)
    # WordPress's fields trimmed, to the value the pretty-printer padded.
    assert {name: item[name] for name in ITEM_FIELDS} == ITEM_FIELDS
    assert all(raw_item[name] != value for name, value in ITEM_FIELDS.items())
    assert len(comments) == len(COMMENTS)
    for written, raw in zip(comments, raw_comments, strict=True):
        for name in COMMENT_FIELDS:
            assert written[name] == raw[name].strip() != raw[name], name
        # Text fields are not WordPress's to cast: as they came.
        for name in COMMENT_TEXT:
            assert written[name] == raw[name], name
    assert item["title"] == raw_item["title"] and item["post_name"] == raw_item["post_name"]
    count = len(ITEM_FIELDS) + len(COMMENT_FIELDS) * len(COMMENTS)
    assert f"{count} padded values of ids, parents, types, statuses, user ids or dates" \
        " written trimmed" in output

    # WordPress's parser: the original's post is of no known type, the
    # export's a post with every comment under its parent, parents first.
    assert php_read(original)[0]["post_type"] != "post"
    (read,) = php_read(out)
    assert read["post_id"] == 5 and read["post_type"] == "post"
    by_id = {c["comment_id"]: c for c in read["comments"]}
    assert sorted(by_id) == [int(cid) for cid, *_ in COMMENTS]
    for cid, parent, user, _author in COMMENTS:
        got = by_id[int(cid)]
        assert (got["comment_parent"], got["comment_user_id"]) == (int(parent), int(user))
        assert got["comment_type"] == "comment" and got["comment_approved"] == "1"
        assert got["comment_date"] == f"2022-03-10 12:{cid}:11"


def test_keep_ids_writes_the_padded_values_as_they_came(tmp_path: Path) -> None:
    original = tmp_path / "pretty.xml"
    original.write_bytes(padded_file())
    copy = tmp_path / "copy.xml"
    output = run("convert", original, copy, "--to", "wxr", "--keep-ids")
    assert texts(copy) == texts(original)
    assert "written trimmed" not in output
    assert php_read(copy) == php_read(original)
