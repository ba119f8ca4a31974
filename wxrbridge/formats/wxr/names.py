"""Namespaces and element names of WXR, shared by the reader and the writer.

The ``wp`` and ``excerpt`` URIs carry the export version, so they are matched
by pattern; the others are fixed.  Known children are listed in the order
WordPress core writes them, because the writer follows that order and puts
unknown elements back after the known child they followed in the source.
"""

from __future__ import annotations

import re

from ..xml.layout import Layout

WP_NS_RE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
EXCERPT_NS_RE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
WFW_NS = "http://wellformedweb.org/CommentAPI/"
# The namespace Disqus's importer reads ``dsq:thread_identifier`` from.
DSQ_IMPORT_NS = "http://www.disqus.com/"
THREAD_IDENTIFIER_TAG = f"{{{DSQ_IMPORT_NS}}}thread_identifier"

DEFAULT_WP_NS = "http://wordpress.org/export/1.2/"
DEFAULT_VERSION = "1.2"


def excerpt_ns_for(wp_ns: str) -> str:
    """The excerpt namespace that goes with a ``wp`` namespace."""
    return wp_ns + "excerpt/"


# Anchors of the two ``encoded`` children carry their prefix, since their
# local names are the same and an anchor must say which one it follows.
CONTENT_ANCHOR = "content:encoded"
EXCERPT_ANCHOR = "excerpt:encoded"

# Anchors for the document root, which belongs to the Source like the channel
# does: "/rss" marks an attribute on <rss> or an element before <channel>,
# "/rss/channel" an element after it.
RSS_ANCHOR = "/rss"
AFTER_CHANNEL_ANCHOR = "/rss/channel"
# A channel-level element met between items travels with the next item and
# is written just before it.
BEFORE_ITEM_ANCHOR = "/item"

# (local name in the wp namespace, record attribute)
USER_FIELDS: tuple[tuple[str, str], ...] = (
    ("author_id", "wp_id"),
    ("author_login", "login"),
    ("author_email", "email"),
    ("author_display_name", "display_name"),
    ("author_first_name", "first_name"),
    ("author_last_name", "last_name"),
)

TERM_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "category": (
        ("term_id", "term_id"),
        ("category_nicename", "slug"),
        ("category_parent", "parent"),
        ("cat_name", "name"),
        ("category_description", "description"),
    ),
    "tag": (
        ("term_id", "term_id"),
        ("tag_slug", "slug"),
        ("tag_name", "name"),
        ("tag_description", "description"),
    ),
    "term": (
        ("term_id", "term_id"),
        ("term_taxonomy", "taxonomy"),
        ("term_slug", "slug"),
        ("term_parent", "parent"),
        ("term_name", "name"),
        ("term_description", "description"),
    ),
}

# wp children of an item that map onto one Thread attribute each.
ITEM_WP_FIELDS: tuple[tuple[str, str], ...] = (
    ("post_id", "wp_post_id"),
    ("post_date", "created_at_local"),
    ("post_date_gmt", "created_at"),
    ("post_modified", "modified_at_local"),
    ("post_modified_gmt", "modified_at"),
    ("comment_status", "comment_status"),
    ("ping_status", "ping_status"),
    ("post_name", "slug"),
    ("status", "status"),
    ("post_parent", "post_parent"),
    ("menu_order", "menu_order"),
    ("post_type", "post_type"),
    ("post_password", "post_password"),
    ("is_sticky", "is_sticky"),
    ("attachment_url", "attachment_url"),
)

COMMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("comment_id", "wp_id"),
    ("comment_author", "author_name"),
    ("comment_author_email", "author_email"),
    ("comment_author_url", "author_url"),
    ("comment_author_IP", "author_ip"),
    ("comment_date", "created_at_local"),
    ("comment_date_gmt", "created_at"),
    ("comment_content", "content"),
    ("comment_approved", "wp_approved"),
    ("comment_type", "wp_type"),
    ("comment_parent", "parent"),
    ("comment_user_id", "wp_user_id"),
)

SOURCE_PLAIN_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("link", "link"),
    ("description", "description"),
    ("pubDate", "pub_date"),
    ("language", "language"),
)

SOURCE_WP_FIELDS: tuple[tuple[str, str], ...] = (
    ("wxr_version", "version"),
    ("base_site_url", "base_site_url"),
    ("base_blog_url", "base_blog_url"),
)

# Known children of the channel and of an item by prefixed name (always the
# usual prefixes, whatever the file used), in the order core writes them.
# Files from WordPress 2.x put some of them elsewhere (``generator`` before
# ``language``, an item's ``category`` before its ``guid``); a reader records
# such an order in ``child_order`` and the writer follows it.
CHANNEL_ORDER: tuple[str, ...] = (
    *(local for local, _attr in SOURCE_PLAIN_FIELDS),
    *(f"wp:{local}" for local, _attr in SOURCE_WP_FIELDS),
    "wp:author", "wp:category", "wp:tag", "wp:term",
    "generator",
    "item",
)
ITEM_ORDER: tuple[str, ...] = (
    "title", "link", "pubDate", "dc:creator", "guid", "description",
    CONTENT_ANCHOR, EXCERPT_ANCHOR,
    *(f"wp:{local}" for local, _attr in ITEM_WP_FIELDS),
    "category", "wp:postmeta", "wp:comment",
)


def _anchor_names(order: tuple[str, ...]) -> dict[str, str]:
    # An extras anchor is the local name, except for the two ``encoded``
    # children, whose anchors keep their prefix to tell them apart.
    return {
        name if name in (CONTENT_ANCHOR, EXCERPT_ANCHOR) else name.rpartition(":")[2]: name
        for name in order
    }


# Extras anchor -> prefixed name, for the children listed above.
CHANNEL_NAMES: dict[str, str] = _anchor_names(CHANNEL_ORDER)
ITEM_NAMES: dict[str, str] = _anchor_names(ITEM_ORDER)


def in_core_order(names: list[str], core: tuple[str, ...]) -> bool:
    """True when ``names`` (known children, first occurrences) come in the
    order ``core`` lists them, i.e. the writer's usual order reproduces them
    and no ``child_order`` is needed."""
    # ``in`` on an iterator consumes it up to the match, so each name must
    # be found after the one before it.
    remaining = iter(core)
    return all(name in remaining for name in names)


_KEY_PATTERNS = {
    "item": (re.compile(r"<(?:[\w.-]+:)?post_id\s*>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]+)"),
             "thread"),
    "comment": (re.compile(r"<(?:[\w.-]+:)?comment_id\s*>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]+)"),
                "comment"),
}


def _describe(local: str, raw: str) -> str | None:
    """Names a damaged record in an issue the way the store names it."""
    found = _KEY_PATTERNS.get(local)
    if found is None:
        return None
    match = found[0].search(raw)
    return f"{found[1]} {match.group(1)}" if match else None


# How recover mode cuts a WXR file into records: an item cut off by the end
# of the file keeps its complete comments; a comment, user or term cut off
# is not one any more.
RECOVERY_LAYOUT = Layout(
    record_depth=3,
    whole=frozenset({"comment", "commentmeta", "postmeta", "termmeta", "author", "tag",
                     "term", "category"}),
    describe=_describe,
    parts=frozenset({"comment"}),
)
