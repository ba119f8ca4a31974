"""Writing WXR: well-formed always, importable by WordPress without losses."""

from __future__ import annotations

import io
import re

from lxml import etree

from wxrbridge.formats.wxr import read_wxr, write_wxr
from wxrbridge.formats.wxr.writer import ORIGINAL_ID_KEY, ORIGINAL_PARENT_KEY
from wxrbridge.records import Comment, Source, Thread, User

WP = "{http://wordpress.org/export/1.2/}"


def write(records: list, **options) -> tuple[bytes, object]:
    out = io.BytesIO()
    report = write_wxr(records, out, **options)
    return out.getvalue(), report


def reread(data: bytes) -> list:
    return list(read_wxr(io.BytesIO(data), name="out.xml"))


def source() -> Source:
    return Source(origin="wxr", site="https://s.example", version="1.2",
                  wp_namespace="http://wordpress.org/export/1.2/")


def thread(key: str = "1") -> Thread:
    return Thread(origin="wxr", key=key, wp_post_id=key, title="Post", post_type="post")


def comment(cid: str, parent: str = "0", thread_key: str = "1", **fields) -> Comment:
    return Comment(origin="wxr", key=cid.strip(), thread=thread_key, wp_id=cid,
                   parent=parent, content=f"text of {cid}", **fields)


def written_comments(data: bytes) -> list[Comment]:
    return [r for r in reread(data) if isinstance(r, Comment)]


def php_int(raw: str | None) -> int:
    """PHP's (int) cast, which WordPress's importer applies to ids."""
    match = re.match(r"[ \t\n\r\v\f]*([+-]?[0-9]+)", raw or "")
    return int(match.group(1)) if match else 0


def wordpress_import(data: bytes) -> dict[str, str | None]:
    """What WordPress's importer makes of the comment tree in ``data``.

    Per item it sorts comments by (int) comment_id and links a comment to its
    parent only when the parent was inserted before it in the same item;
    otherwise the old id stays as a dangling parent.  Returns, by content,
    the content of the parent each comment ends up under (``None`` for top
    level, ``"dangling:<id>"`` for an unresolved one).
    """
    root = etree.fromstring(data)
    result: dict[str, str | None] = {}
    for item in root.iter("item"):
        rows = []
        for node in item.findall(WP + "comment"):
            rows.append((
                php_int(node.findtext(WP + "comment_id")),
                php_int(node.findtext(WP + "comment_parent")),
                node.findtext(WP + "comment_content"),
            ))
        inserted: dict[int, str] = {}
        for cid, parent, content in sorted(rows, key=lambda row: row[0]):
            if parent == 0:
                result[content] = None
            elif parent in inserted:
                result[content] = inserted[parent]
            else:
                result[content] = f"dangling:{parent}"
            inserted[cid] = content
    return result


# -- escaping and forbidden characters ---------------------------------------------


def test_cdata_end_marker_is_split() -> None:
    text = "a ]]> b ]]>]]> c]"
    record = Comment(origin="wxr", key="5", thread="1", wp_id="5", content=text)
    data, _ = write([source(), thread(), record])
    assert b"<![CDATA[a ]]]]><![CDATA[> b ]]]]><![CDATA[>]]]]><![CDATA[> c]" in data
    assert written_comments(data)[0].content == text


def test_values_ending_in_a_bracket_are_written_safely() -> None:
    # lxml 6.0/6.1 crash on an incremental CDATA section ending in one "]".
    for text in ("]", "a]", "[x]", "a]]", "x]]>]"):
        record = Comment(origin="wxr", key="5", thread="1", wp_id="5", content=text)
        data, _ = write([source(), thread(), record])
        assert written_comments(data)[0].content == text


def test_raw_ampersand_in_author_url_is_escaped() -> None:
    url = "https://example.com/?a=1&b=2&c=<3>"
    record = comment("5", author_url=url)
    data, _ = write([source(), thread(), record])
    assert b"<wp:comment_author_url>https://example.com/?a=1&amp;b=2&amp;c=&lt;3&gt;" in data
    assert written_comments(data)[0].author_url == url


def test_forbidden_characters_are_replaced_and_noted() -> None:
    record = comment("5", author_name="Bell\x07 and \x00 null")
    record.content = "form\x0cfeed and lone \ud800 surrogate; tab\tkept\r\n"
    data, report = write([source(), thread(), record])
    back = written_comments(data)[0]
    assert back.author_name == "Bell\ufffd and \ufffd null"
    assert back.content == "form\ufffdfeed and lone \ufffd surrogate; tab\tkept\r\n"
    assert any("comment 5" in n and "comment_author" in n and "U+0007" in n and "U+0000" in n
               for n in report.notes)
    assert any("comment 5" in n and "U+000C" in n and "U+D800" in n for n in report.notes)


# -- ids and threading -----------------------------------------------------------------


def test_ids_that_already_suit_wordpress_are_kept_as_they_are() -> None:
    records = [source(), thread(), comment("21", "20"), comment("20"), comment("22", "999")]
    data, report = write(records)
    back = written_comments(data)
    assert [(c.wp_id, c.parent) for c in back] == [("21", "20"), ("20", "0"), ("22", "999")]
    # Only the reply to a comment the data lacks is named, for WordPress.
    assert report.notes == [
        "thread 1: 1 replies to a comment not in the data; WordPress's importer keeps that"
        " number as their parent, which in the site names another comment or none:"
        " 22 (parent 999)"
    ]
    assert wordpress_import(data) == {
        "text of 20": None, "text of 21": "text of 20", "text of 22": "dangling:999",
    }


def test_replies_with_lower_ids_are_renumbered_so_wordpress_relinks_them() -> None:
    # 3 replies to 9, 2 replies to 3, 1 replies to 2: every child has a lower
    # id than its parent, the case WordPress's importer leaves dangling.
    records = [
        source(), thread(),
        comment("1", "2"), comment("2", "3"), comment("3", "9"), comment("9"),
        comment("5"), comment("4", "999"),
    ]
    data, report = write(records)
    tree = wordpress_import(data)
    assert tree == {
        "text of 9": None,
        "text of 3": "text of 9",
        "text of 2": "text of 3",
        "text of 1": "text of 2",
        "text of 5": None,
        "text of 4": "dangling:999",
    }
    back = {c.content: c for c in written_comments(data)}
    assert back["text of 9"].wp_id == "9"  # untouched
    assert back["text of 5"].wp_id == "5"
    assert back["text of 4"].wp_id == "4" and back["text of 4"].parent == "999"
    for old in ("1", "2", "3"):
        moved = back[f"text of {old}"]
        assert int(moved.wp_id) > 9
        assert (ORIGINAL_ID_KEY, old) in moved.meta
    # parents come first in the file, too
    order = [c.content for c in written_comments(data)]
    assert order.index("text of 9") < order.index("text of 3") < order.index("text of 2")
    assert any("renumbered" in note and "thread 1" in note for note in report.notes)


def test_fresh_ids_never_collide_with_later_items() -> None:
    records = [
        source(),
        thread("1"), comment("2", "5", "1"), comment("5", "0", "1"),
        thread("2"), comment("6", "0", "2"), comment("7", "6", "2"),
    ]
    data, _ = write(records)
    ids = [c.wp_id for c in written_comments(data)]
    assert len(ids) == len(set(ids))
    tree = wordpress_import(data)
    assert tree["text of 2"] == "text of 5" and tree["text of 7"] == "text of 6"


def test_max_comment_id_option_sets_the_floor() -> None:
    records = [source(), thread(), comment("1", "2"), comment("2")]
    data, _ = write(records, max_comment_id=1000)
    moved = next(c for c in written_comments(data) if c.content == "text of 1")
    assert moved.wp_id == "1001"


def test_non_numeric_ids_are_renumbered_when_they_matter() -> None:
    records = [
        source(), thread(),
        Comment(origin="wxr", key="a", thread="1", wp_id="a", parent="0", content="A"),
        Comment(origin="wxr", key="b", thread="1", wp_id="b", parent="a", content="B"),
        Comment(origin="wxr", key="c", thread="1", wp_id="c", parent="0", content="C"),
    ]
    data, _ = write(records)
    back = {c.content: c for c in written_comments(data)}
    # WordPress's importer casts an odd id to 0: each gets a number.
    assert back["A"].wp_id.isdigit() and back["B"].wp_id.isdigit()
    assert back["C"].wp_id.isdigit()
    assert wordpress_import(data)["B"] == "A"
    # An exact copy keeps the odd id that no reply needs.
    data, _ = write(records, keep_ids=True)
    assert {c.content: c for c in written_comments(data)}["C"].wp_id == "c"


def test_parent_key_from_the_store_wins() -> None:
    child = comment("8", "77")
    child.parent_key = "3"
    records = [source(), thread(), comment("3"), child]
    data, _ = write(records)
    assert wordpress_import(data)["text of 8"] == "text of 3"


def test_cycles_are_broken_once_and_noted() -> None:
    records = [source(), thread(), comment("4", "6"), comment("5", "4"), comment("6", "5"),
               comment("7", "7")]
    data, report = write(records)
    tree = wordpress_import(data)
    # Cut as the store cuts a cycle: at the comment of the greatest id (6).
    assert tree["text of 6"] is None
    assert tree["text of 4"] == "text of 6" and tree["text of 5"] == "text of 4"
    assert tree["text of 7"] is None
    back = {c.content: c for c in written_comments(data)}
    assert (ORIGINAL_PARENT_KEY, "5") in back["text of 6"].meta
    assert not any(key == ORIGINAL_PARENT_KEY for key, _ in back["text of 4"].meta)
    assert sum("cycle" in note for note in report.notes) == 2


def test_ten_deep_chain_written_in_reverse_comes_out_linked() -> None:
    chain = [comment(str(20 - depth), "0" if depth == 0 else str(21 - depth))
             for depth in range(10)]
    data, _ = write([source(), thread(), *reversed(chain)])
    tree = wordpress_import(data)
    for depth in range(1, 10):
        assert tree[f"text of {20 - depth}"] == f"text of {21 - depth}"



def test_positions_give_back_the_source_order_when_ids_are_kept() -> None:
    # Arrived parents first (21 after its parent 20); positions say 21 came first.
    records = [source(), thread(), comment("20", position=1), comment("21", "20", position=0),
               comment("22", position=2)]
    data, report = write(records)
    assert [c.wp_id for c in written_comments(data)] == ["21", "20", "22"]
    assert not report.notes


def test_renumbering_writes_parents_first_whatever_the_positions() -> None:
    records = [source(), thread(), comment("1", "2", position=0), comment("2", position=1)]
    data, _ = write(records)
    assert [c.content for c in written_comments(data)] == ["text of 2", "text of 1"]
    assert wordpress_import(data)["text of 1"] == "text of 2"


# -- child order -------------------------------------------------------------------------


def child_names(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element if isinstance(child.tag, str)]


def test_channel_child_order_is_followed_and_unlisted_children_go_where_core_puts_them() -> None:
    head = Source(origin="wxr", site="https://s.example", version="1.0",
                  wp_namespace="http://wordpress.org/export/1.2/", title="T",
                  link="https://s.example", description="D", language="en",
                  generator="https://wordpress.org/?v=2.8",
                  child_order=["title", "generator", "link", "wp:wxr_version", "no-such-child"])
    data, _ = write([head, thread()])
    channel = etree.fromstring(data).find("channel")
    assert child_names(channel) == [
        "title", "generator", "link", "description", "language", "wxr_version", "item",
    ]


def test_item_child_order_is_followed() -> None:
    post = thread()
    post.guid = "https://s.example/?p=1"
    post.child_order = ["title", "wp:comment", "wp:post_id", "wp:post_type", "guid"]
    data, _ = write([source(), post, comment("5")])
    item = etree.fromstring(data).find("channel/item")
    assert child_names(item) == ["title", "comment", "post_id", "post_type", "guid"]
    again, _ = write(reread(data))
    assert again == data


# -- users -----------------------------------------------------------------------------------


def test_comment_user_without_author_record_is_noted() -> None:
    records = [
        source(),
        User(origin="wxr", wp_id="3", login="kim"),
        thread(),
        comment("1", wp_user_id="3"),
        comment("2", wp_user_id="4"),
        comment("3", wp_user_id="4"),
        comment("4", wp_user_id="0"),
    ]
    data, report = write(records)
    assert data.count(b"<wp:author>") == 1
    notes = [n for n in report.notes if "comment_user_id" in n]
    assert len(notes) == 1 and "4" in notes[0]
    assert report.written["user"] == 1 and report.written["comment"] == 4


# -- other origins and versions ------------------------------------------------------------


def test_records_from_disqus_get_every_core_element() -> None:
    records = [
        Source(origin="disqus", site="myforum", title="My forum", link="https://blog.example"),
        Thread(origin="disqus", key="7001", dsq_id="7001", identifier="12 https://blog.example/?p=12",
               title="A page", link="https://blog.example/a-page/", content="",
               created_at="2011-03-07T20:46:25Z", dsq_is_closed="true"),
        Comment(origin="disqus", key="9002", thread="7001", dsq_id="9002", parent="9001",
                author_name="B", content="<p>reply</p>", created_at="2011-03-08T10:00:00Z",
                dsq_is_deleted="true"),
        Comment(origin="disqus", key="9001", thread="7001", dsq_id="9001",
                author_name="A", author_email="a@example.com", content="<p>first</p>",
                created_at="2011-03-08T09:00:00Z", dsq_is_spam="false",
                dsq_is_approved="false"),
    ]
    data, report = write(records)
    root = etree.fromstring(data)
    channel = root.find("channel")
    assert channel.findtext(WP + "wxr_version") == "1.2"
    item = channel.find("item")
    for local in ("post_id", "post_date", "post_date_gmt", "comment_status", "ping_status",
                  "post_name", "status", "post_parent", "menu_order", "post_type",
                  "post_password", "is_sticky"):
        assert item.find(WP + local) is not None, local
    assert item.findtext(WP + "comment_status") == "closed"
    assert item.findtext(WP + "post_date_gmt") == "2011-03-07 20:46:25"
    assert item.findtext("pubDate") == "Mon, 07 Mar 2011 20:46:25 +0000"
    comments = item.findall(WP + "comment")
    first, second = comments  # parents first
    assert first.findtext(WP + "comment_content") == "<p>first</p>"
    assert first.findtext(WP + "comment_approved") == "0"
    assert first.findtext(WP + "comment_type") == "comment"
    assert first.findtext(WP + "comment_date_gmt") == "2011-03-08 09:00:00"
    assert first.findtext(WP + "comment_date") == "2011-03-08 09:00:00"
    assert first.findtext(WP + "comment_author_IP") == ""
    assert first.findtext(WP + "comment_user_id") == "0"
    assert second.findtext(WP + "comment_approved") == "trash"
    assert second.findtext(WP + "comment_parent") == first.findtext(WP + "comment_id")
    metas = {(m.findtext(WP + "meta_key"), m.findtext(WP + "meta_value"))
             for m in first.findall(WP + "commentmeta")}
    assert ("dsq_post_id", "9001") in metas
    post_meta = {(m.findtext(WP + "meta_key"), m.findtext(WP + "meta_value"))
                 for m in item.findall(WP + "postmeta")}
    assert ("dsq_thread_id", "7001") in post_meta
    assert report.written["comment"] == 2
    assert wordpress_import(data)["<p>reply</p>"] == "<p>first</p>"


def test_wxr_1_0_source_is_written_as_1_0() -> None:
    old = Source(origin="wxr", site="s", version="1.0",
                 wp_namespace="http://wordpress.org/export/1.0/",
                 namespaces={"wp": "http://wordpress.org/export/1.0/",
                             "excerpt": "http://wordpress.org/export/1.0/excerpt/"})
    data, _ = write([old, Thread(origin="wxr", key="1", wp_post_id="1", excerpt="e")])
    assert b'xmlns:wp="http://wordpress.org/export/1.0/"' in data
    assert b"<wp:wxr_version>1.0</wp:wxr_version>" in data
    assert b"export/1.2" not in data
    assert b"<excerpt:encoded><![CDATA[e]]></excerpt:encoded>" in data


def test_default_namespaces_without_a_source() -> None:
    data, _ = write([Thread(origin="disqus", key="1", title="t")])
    root = etree.fromstring(data)
    assert root.nsmap["wp"] == "http://wordpress.org/export/1.2/"
    assert root.nsmap["excerpt"] == "http://wordpress.org/export/1.2/excerpt/"
    assert root.get("version") == "2.0"


def test_absent_fields_of_wxr_records_stay_absent() -> None:
    records = [source(), Thread(origin="wxr", key="3", wp_post_id="3"),
               Comment(origin="wxr", key="4", thread="3", wp_id="4", content="only")]
    data, _ = write(records, keep_ids=True)
    item = etree.fromstring(data).find("channel/item")
    assert [etree.QName(child).localname for child in item] == ["post_id", "comment"]
    # For WordPress's importer, but for the post type it needs to keep the item.
    data, report = write(records)
    item = etree.fromstring(data).find("channel/item")
    assert [etree.QName(child).localname for child in item] == [
        "post_id", "post_type", "comment"]
    assert item.findtext(WP + "post_type") == "post"
    assert any("1 items had no post_type" in note for note in report.notes)
    assert [etree.QName(c).localname for c in item.find(WP + "comment")] == [
        "comment_id", "comment_content",
    ]


def test_comment_without_its_thread_is_left_out_with_a_line() -> None:
    data, report = write([source(), comment("1", thread_key="9"), thread("1"),
                          comment("2", thread_key="8")])
    assert len(report.left_out) == 2
    assert report.written["comment"] == 0
    assert b"<item>" in data
