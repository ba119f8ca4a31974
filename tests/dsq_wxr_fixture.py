"""A WXR file in the shape tools that move comments into Disqus write:
one ``<item>`` per comment, each repeating its thread's ``title``, ``link``
and ``dsq:thread_identifier``, no ``wp:post_id``, the WXR 1.0 namespace
with no version element, an empty ``comment_parent`` at the top level,
19-digit comment ids and GMT dates only.  Invented people and hosts."""

from __future__ import annotations

from xml.sax.saxutils import escape

# (thread identifier or None, link, title)
THREADS = [
    ("a1f3", "http://blog.example.com/2014/05/hello/", "Hello"),
    ("文章-2", "http://blog.example.com/2014/06/文章/", "第二篇"),
    (None, "http://blog.example.com/2014/07/über-uns/", "Über uns"),
]

# (comment id, thread index, parent id or "", author)
COMMENTS = [
    ("6012345678901234501", 0, "", "Ana"),
    ("6012345678901234503", 0, "6012345678901234502", "Ben"),  # before its parent
    ("6012345678901234502", 0, "6012345678901234501", "Cai"),
    ("6012345678901234510", 1, "", "Dora"),
    ("6012345678901234504", 0, "6012345678901234501", "Eli"),
    ("6012345678901234511", 1, "6012345678901234510", "Fei"),
    ("6012345678901234520", 2, "", "Gus"),
    ("6012345678901234521", 2, "6012345678901234520", "Hana"),
    ("6012345678901234512", 1, "6012345678901234511", "Ines"),
]
# The items that write their thread identifier twice.
TWICE = {3}

THREAD_COUNT = len(THREADS)
REPLY_COUNT = sum(1 for c in COMMENTS if c[2])


def _item(index: int, comment: tuple[str, int, str, str]) -> str:
    cid, thread, parent, author = comment
    ident, link, title = THREADS[thread]
    ident_xml = ""
    if ident is not None:
        ident_xml = f"<dsq:thread_identifier>{escape(ident)}</dsq:thread_identifier>\n"
        if index in TWICE:
            ident_xml *= 2
    parent_xml = f"<wp:comment_parent>{parent}</wp:comment_parent>" if parent else (
        "<wp:comment_parent/>")
    day = 10 + index
    return f"""<item>
<title>{escape(title)}</title>
<link>{escape(link)}</link>
<content:encoded><![CDATA[]]></content:encoded>
{ident_xml}<wp:post_date_gmt>2014-05-01 10:00:00</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status>
<wp:comment>
<wp:comment_id>{cid}</wp:comment_id>
<wp:comment_author><![CDATA[{author}]]></wp:comment_author>
<wp:comment_author_email>{author.lower()}@example.org</wp:comment_author_email>
<wp:comment_author_url></wp:comment_author_url>
<wp:comment_author_IP>192.0.2.{index + 1}</wp:comment_author_IP>
<wp:comment_date_gmt>2014-05-{day} 08:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Comment {index} by {author}, long enough.]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved>
{parent_xml}
</wp:comment>
</item>
"""


def dsq_wxr(comments: list[tuple[str, int, str, str]] | None = None) -> bytes:
    """The file, with ``comments`` (default :data:`COMMENTS`) one an item."""
    items = "".join(_item(i, c) for i, c in enumerate(comments or COMMENTS))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dsq="http://www.disqus.com/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.0/">
<channel>
{items}</channel>
</rss>
""".encode()
