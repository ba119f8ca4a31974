"""The shape of a Blogger export, shared by detection, the reader and
recover mode.

Blogger has written two Atom exports.  The legacy one (Settings → Back up
content) marks each entry's kind with a ``category`` of the GData kind
scheme and links a comment to its post with ``thr:in-reply-to``; the
Takeout one (``Blogger/Blogs/<blog>/feed.atom``) says the same with
elements of its own namespace (``blogger:type``, ``blogger:parent``,
``blogger:inReplyTo`` …).
"""

from __future__ import annotations

import re

from ..xml.head import normalise_head
from ..xml.layout import Layout

ATOM_NS = "http://www.w3.org/2005/Atom"
THR_NS = "http://purl.org/syndication/thread/1.0"
GD_NS = "http://schemas.google.com/g/2005"
BLOGGER_NS = "http://schemas.google.com/blogger/2018"
APP_NS = "http://purl.org/atom/app#"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"

# The kinds an entry can be, from the legacy kind term's end or the
# Takeout blogger:type.
POST, PAGE, COMMENT, TEMPLATE, SETTINGS = "post", "page", "comment", "template", "settings"
KINDS = (POST, PAGE, COMMENT, TEMPLATE, SETTINGS)

# Blogger's ids: tag:blogger.com,1999:blog-N.post-M, a comment's
# …post-K (legacy), …post-M.comment-K or …comment-K.
_BLOG = re.compile(r"blog-(\d+)")
_LAST_NUMBER = re.compile(r"(?:post|comment|page)-(\d+)\s*$")
# A reply's parent in a legacy export: the related link to the comment
# feed's entry, …/feeds/BLOG/POST/comments/default/PARENT.
_COMMENT_FEED = re.compile(r"/comments/(?:default|full|summary)/(\d+)\s*$")

_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.\-]*):)?feed[\s>]")


def detect(head: bytes) -> bool:
    """Whether the first bytes open a Blogger export: an Atom ``feed`` root
    with Blogger's ids or namespace in the first bytes."""
    head = normalise_head(head)
    root = _ROOT.search(head)
    if root is None or b"<rss" in head[: root.start()]:
        return False
    return ATOM_NS.encode() in head and (
        b"tag:blogger.com" in head or BLOGGER_NS.encode() in head
    )


def blog_number(entry_id: str | None) -> str | None:
    """N of ``tag:blogger.com,1999:blog-N…``."""
    match = _BLOG.search(entry_id or "")
    return match.group(1) if match else None


def entry_number(entry_id: str | None) -> str | None:
    """The post's, page's or comment's own number: the last ``post-``,
    ``page-`` or ``comment-`` one of its id."""
    match = _LAST_NUMBER.search(entry_id or "")
    return match.group(1) if match else None


def post_of_comment_id(entry_id: str | None) -> str | None:
    """M of ``…post-M.comment-K``, the post a comment's id names."""
    match = re.search(r"post-(\d+)\.comment-\d+\s*$", entry_id or "")
    return match.group(1) if match else None


def comment_in_feed_url(url: str | None) -> str | None:
    """The comment a legacy ``related`` link points at."""
    match = _COMMENT_FEED.search(url or "")
    return match.group(1) if match else None


_ID = re.compile(r"<(?:\w+:)?id>\s*([^<]*?)\s*</(?:\w+:)?id>")


def _describe(local: str, raw: str) -> str | None:
    """Names a damaged entry in an issue by its id's number."""
    if local != "entry":
        return None
    match = _ID.search(raw)
    number = entry_number(match.group(1)) if match else None
    return f"entry {number}" if number else None


# A Blogger entry cut off by the end of the file is not read: a comment
# without its post reference would be a different comment.
RECOVERY_LAYOUT = Layout(
    record_depth=2,
    whole=frozenset({"entry"}),
    describe=_describe,
)
