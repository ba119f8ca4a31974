"""The layout of a Disqus export, shared by the reader and the writer.

Each record element is described once, as the children Disqus writes in the
order it writes them, so that the reader and the writer cannot disagree about
which child fills which record field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..xml.layout import Layout

DISQUS_NS = "http://disqus.com"
DSQ_NS = "http://disqus.com/disqus-internals"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
DSQ_ID = f"{{{DSQ_NS}}}id"
SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"
DEFAULT_SCHEMA_LOCATION = (
    "http://disqus.com/api/schemas/1.0/disqus.xsd "
    "http://disqus.com/api/schemas/1.0/disqus-internals.xsd"
)
DEFAULT_NSMAP: dict[str | None, str] = {None: DISQUS_NS, "dsq": DSQ_NS, "xsi": XSI_NS}

# Prefix of Extra names (and attribute anchors) that belong inside <author>,
# which is the one known child that has children of its own.
AUTHOR = "author"
AUTHOR_PREFIX = "author/"

ChildKind = Literal["text", "bool", "date", "ref", "author"]


@dataclass(frozen=True, slots=True)
class Child:
    """One known child element and the record field its text goes to.

    ``ref`` children point at another record, by ``dsq:id`` attribute or, in
    some files, by text.  What Disqus assumes for an absent boolean is
    canonical.dsq_status's to say.
    """

    tag: str
    field: str
    kind: ChildKind = "text"
    cdata: bool = False


CATEGORY: tuple[Child, ...] = (
    Child("forum", "dsq_forum"),
    Child("title", "name"),
    Child("isDefault", "dsq_is_default", "bool"),
)

THREAD_AUTHOR: tuple[Child, ...] = (
    Child("name", "dsq_author_name"),
    Child("email", "dsq_author_email"),
    Child("username", "dsq_author_username"),
    Child("isAnonymous", "dsq_author_is_anonymous", "bool"),
)

THREAD: tuple[Child, ...] = (
    Child("id", "identifier"),
    Child("forum", "dsq_forum"),
    Child("category", "dsq_category", "ref"),
    Child("link", "link"),
    Child("title", "title"),
    Child("message", "content", cdata=True),
    Child("createdAt", "created_at", "date"),
    Child(AUTHOR, "", "author"),
    Child("ipAddress", "dsq_ip_address"),
    Child("isClosed", "dsq_is_closed", "bool"),
    Child("isDeleted", "dsq_is_deleted", "bool"),
)

POST_AUTHOR: tuple[Child, ...] = (
    Child("name", "author_name"),
    Child("email", "author_email"),
    Child("link", "author_url"),
    Child("username", "dsq_username"),
    Child("isAnonymous", "dsq_is_anonymous", "bool"),
)

POST: tuple[Child, ...] = (
    Child("id", "dsq_identifier"),
    Child("message", "content", cdata=True),
    Child("createdAt", "created_at", "date"),
    Child("isDeleted", "dsq_is_deleted", "bool"),
    Child("isSpam", "dsq_is_spam", "bool"),
    Child("isApproved", "dsq_is_approved", "bool"),
    Child("isFlagged", "dsq_is_flagged", "bool"),
    Child("isHighlighted", "dsq_is_highlighted", "bool"),
    Child(AUTHOR, "", "author"),
    Child("ipAddress", "author_ip"),
    Child("thread", "thread", "ref"),
    Child("parent", "parent", "ref"),
)


def by_tag(layout: tuple[Child, ...]) -> dict[str, Child]:
    """The children of a layout by tag."""
    return {child.tag: child for child in layout}


_DSQ_KEY = re.compile(r"""\bdsq:id\s*=\s*["']?([^"'\s>/]+)""")


def _describe(local: str, raw: str) -> str | None:
    """Names a damaged record in an issue the way the reader keys it."""
    if local not in ("post", "thread", "category"):
        return None
    start = raw[:raw.find(">") + 1]
    match = _DSQ_KEY.search(start)
    kind = "comment" if local == "post" else local
    return f"{kind} {match.group(1)}" if match else None


# How recover mode cuts an export into records: a record cut off by the end
# of the file is not read, as a post without its thread or author would be a
# different post.
RECOVERY_LAYOUT = Layout(
    record_depth=2,
    whole=frozenset({"post", "thread", "category", "author"}),
    describe=_describe,
)
