"""One Blogger entry as neutral records.

Each child an entry's mapping reads is *known*; every other child, and the
known ones whose meaning is only partly carried by a field (the kind
category, ``thr:in-reply-to``, the ``related`` link, Takeout's
``blogger:*`` elements), is kept as an ``Extra`` in file order, so that
nothing the export says is lost.  ``gd:extendedProperty`` becomes meta.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...records import Comment, Extra, Meta, Thread, ThreadTerm, User
from ..xml.extras import extra_from_node
from .schema import (
    APP_NS,
    ATOM_NS,
    BLOGGER_NS,
    COMMENT,
    GD_NS,
    KIND_SCHEME,
    KINDS,
    LABEL_SCHEME,
    PAGE,
    THR_NS,
    comment_in_feed_url,
    entry_number,
    post_of_comment_id,
)

ORIGIN = "blogger"
_A = f"{{{ATOM_NS}}}"
_B = f"{{{BLOGGER_NS}}}"

# Takeout's post statuses as WordPress's; others are kept lower-cased.
_POST_STATUS = {"LIVE": "publish", "DRAFT": "draft", "SCHEDULED": "future",
                "SOFT_TRASHED": "trash", "DELETED": "trash"}
# Takeout's comment statuses as canonical ones (canonical.wp_status keeps
# these words as they are).
_COMMENT_STATUS = {"LIVE": "approved", "DRAFT": "pending", "PENDING": "pending",
                   "SPAM": "spam", "SOFT_TRASHED": "trash", "DELETED": "trash"}


@dataclass
class Person:
    """An entry's ``author``: the fields, and what else it held."""

    name: str | None = None
    email: str | None = None
    uri: str | None = None
    kind: str | None = None  # Takeout's author/blogger:type
    extras: list[Extra] = field(default_factory=list)

    @property
    def identity(self) -> tuple[str, ...] | None:
        """What makes two entries' authors the same person: the profile
        URI, else the name and email; None for an anonymous one."""
        if (self.kind or "").strip().upper() == "ANONYMOUS":
            return None
        if self.uri and self.uri.strip():
            return ("uri", self.uri.strip())
        if self.name and self.name.strip():
            return ("name", self.name.strip(), (self.email or "").strip().lower())
        return None


@dataclass
class Entry:
    """What one entry holds, read once, whatever its kind."""

    kind: str | None
    id: str | None
    line: int | None
    title: str | None = None
    title_extra: Extra | None = None
    content: str | None = None
    published: str | None = None
    updated: str | None = None
    link: str | None = None
    author: Person | None = None
    labels: list[str] = field(default_factory=list)
    post_ref: str | None = None  # the post a comment belongs to, its number
    parent_ref: str | None = None  # the comment a reply answers, its number
    status: str | None = None  # Takeout's blogger:status, raw
    draft: bool = False  # legacy app:control/app:draft yes
    trashed: bool = False
    filename: str | None = None
    meta: list[Meta] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)


def _text(node: Any) -> str:
    return node.text or ""


def read_entry(element: Any) -> Entry:
    """The fields of one ``entry`` element."""
    entry = Entry(kind=None, id=None, line=element.sourceline)
    anchor: str | None = None
    for child in element:
        tag = child.tag
        known = True
        keep = False
        if not isinstance(tag, str):
            known = False
        elif tag == _A + "id":
            entry.id = _text(child)
        elif tag == _A + "title":
            entry.title = _text(child)
            # A comment's title (Blogger's excerpt of it) has no field.
            entry.title_extra = extra_from_node(child, anchor)
            keep = bool(child.attrib) and child.get("type") != "text"
        elif tag == _A + "content":
            entry.content = _text(child)
            keep = child.get("type") not in (None, "html")
        elif tag == _A + "published":
            entry.published = _text(child)
        elif tag == _A + "updated":
            entry.updated = _text(child)
        elif tag == _A + "category":
            keep = _category(entry, child)
        elif tag == _A + "link":
            keep = _link(entry, child)
        elif tag == _A + "author" and entry.author is None:
            entry.author = read_person(child)
        elif tag == f"{{{THR_NS}}}in-reply-to":
            _in_reply_to(entry, child)
            keep = True
        elif tag == f"{{{GD_NS}}}extendedProperty" and set(child.attrib) <= {"name", "value"}:
            entry.meta.append((child.get("name", ""), child.get("value")))
        elif tag.startswith(_B):
            _takeout(entry, tag[len(_B):], child)
            keep = True
        elif tag == f"{{{APP_NS}}}control":
            draft = child.find(f"{{{APP_NS}}}draft")
            entry.draft = draft is not None and _text(draft).strip() == "yes"
            keep = True
        else:
            known = False
        if not known or keep:
            extra = extra_from_node(child, anchor)
            if extra is not None:
                entry.extras.append(extra)
        if known and isinstance(tag, str):
            anchor = tag.rpartition("}")[2]
    return entry


def read_person(element: Any) -> Person:
    """An ``author`` element: name, email and uri as fields, the rest kept."""
    person = Person()
    for child in element:
        tag = child.tag
        if tag == _A + "name":
            person.name = _text(child)
        elif tag == _A + "email":
            person.email = _text(child)
        elif tag == _A + "uri":
            person.uri = _text(child)
        elif tag == _B + "type":
            person.kind = _text(child)
            extra = extra_from_node(child, None, "author/")
            if extra is not None:
                person.extras.append(extra)
        else:
            extra = extra_from_node(child, None, "author/")
            if extra is not None:
                person.extras.append(extra)
    return person


def _category(entry: Entry, node: Any) -> bool:
    scheme, term = node.get("scheme"), node.get("term") or ""
    if scheme == KIND_SCHEME:
        kind = term.rpartition("#")[2]
        entry.kind = kind if kind in KINDS else kind or None
        return True
    if scheme == LABEL_SCHEME and set(node.attrib) <= {"scheme", "term"}:
        entry.labels.append(term)
        return False
    return True


def _link(entry: Entry, node: Any) -> bool:
    rel = node.get("rel")
    if rel == "alternate" and entry.link is None:
        entry.link = node.get("href")
        return False
    if rel == "related":
        parent = comment_in_feed_url(node.get("href"))
        if parent is not None:
            entry.parent_ref = parent
    return True


def _in_reply_to(entry: Entry, node: Any) -> None:
    """The first names the post; a second one (some exports) the comment
    answered."""
    number = entry_number(node.get("ref"))
    if number is None:
        number = comment_in_feed_url(node.get("source"))
    if entry.post_ref is None:
        entry.post_ref = number
    elif entry.parent_ref is None:
        entry.parent_ref = number


def _takeout(entry: Entry, local: str, node: Any) -> None:
    value = _text(node).strip()
    if local == "type":
        entry.kind = value.lower() or None
    elif local == "status":
        entry.status = value
    elif local == "parent":
        entry.post_ref = entry_number(value)
    elif local == "inReplyTo":
        entry.parent_ref = entry_number(value) if value else None
    elif local == "trashed":
        entry.trashed = bool(value)
    elif local == "filename":
        entry.filename = value


# -- records --------------------------------------------------------------


def wall_time(raw: str | None) -> str | None:
    """The local time an Atom date with its offset shows, as WXR writes a
    local date (``2024-01-02 03:04:05``); None for no date or not one."""
    if not raw or not raw.strip():
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip().replace("z", "Z"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=None).isoformat(" ", "seconds")


def _slug(entry: Entry) -> str | None:
    path = entry.filename or entry.link
    if not path:
        return None
    last = path.split("?")[0].rstrip("/").rpartition("/")[2]
    return last.removesuffix(".html") or None


def _post_status(entry: Entry) -> str:
    if entry.trashed:
        return "trash"
    if entry.status is not None:
        return _POST_STATUS.get(entry.status.upper(), entry.status.lower())
    return "draft" if entry.draft else "publish"


def _comment_status(entry: Entry) -> str:
    if entry.trashed:
        return "trash"
    if entry.status is not None:
        return _COMMENT_STATUS.get(entry.status.upper(), entry.status.lower())
    return "approved"


def nicename(label: str) -> str:
    """A label's slug, as WordPress would make it."""
    return re.sub(r"[^\w]+", "-", label.strip().lower()).strip("-")


def thread_of(entry: Entry, key: str, creator: str | None) -> Thread:
    """A post or page as a thread (see docs/formats.md for the mapping)."""
    author = entry.author or Person()
    return Thread(
        origin=ORIGIN, key=key, title=entry.title, link=entry.link, guid=entry.id,
        guid_is_permalink="false", content=entry.content,
        created_at=entry.published, created_at_local=wall_time(entry.published),
        modified_at=entry.updated, modified_at_local=wall_time(entry.updated),
        creator=creator, slug=_slug(entry), status=_post_status(entry),
        post_type="page" if entry.kind == PAGE else "post",
        comment_status="open", ping_status="closed",
        terms=[ThreadTerm("category", nicename(label), label) for label in entry.labels],
        meta=entry.meta, extras=[*entry.extras, *author.extras],
    )


def comment_of(entry: Entry, key: str, thread: str, user: User | None,
               position: int) -> Comment:
    """A comment entry as a comment; ``user`` is the blog's author who wrote
    it, if one did."""
    author = entry.author or Person()
    kept = entry.title_extra is not None and entry.title_extra not in entry.extras
    title = [entry.title_extra] if kept and entry.title_extra is not None else []
    return Comment(
        origin=ORIGIN, key=key, thread=thread, wp_id=key, parent=entry.parent_ref,
        author_name=author.name, author_email=author.email, author_url=author.uri,
        created_at=entry.published, created_at_local=wall_time(entry.published),
        content=entry.content, wp_approved=_comment_status(entry),
        wp_type="comment", wp_user_id=user.wp_id if user is not None else None,
        meta=entry.meta, extras=[*title, *entry.extras, *author.extras], position=position,
    )


def post_key(entry: Entry) -> str | None:
    """The number of the post a comment belongs to."""
    return entry.post_ref or post_of_comment_id(entry.id)


def is_comment(entry: Entry) -> bool:
    return entry.kind == COMMENT

