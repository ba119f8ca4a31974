"""The records that flow between readers, the store and writers.

A reader turns a file into a stream of these; the store loads them and gives
them back; a writer turns a stream of them into a file.  Every format speaks
this one vocabulary, so any reader can feed any writer.

Two rules make the round trip lossless:

* Text fields hold the source's text *exactly as written* (no trimming, no
  decoding of dates or numbers) and ``None`` means "the element was absent".
  An empty element is ``""``.  The store derives its canonical, queryable
  columns (UTC datetimes, canonical status and type, parent links) from these
  raw values; see :mod:`wxrbridge.canonical`.
* Whatever the record has no field for travels in ``extras`` as raw XML, so a
  writer of the same format can put it back where it was.

``origin`` names the format the raw fields came from (``"wxr"`` or
``"disqus"``).  Fields that only one format has are named for that format
(``wp_*`` / ``dsq_*``) when the neutral name would mislead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ExtraKind = Literal["element", "attribute", "namespace", "comment", "pi"]


@dataclass(slots=True)
class Extra:
    """A piece of XML the schema has no column for, kept verbatim.

    ``kind`` is ``"element"`` (``value`` is the serialized element),
    ``"attribute"`` (``name`` is its Clark name, ``value`` its text) or
    ``"namespace"`` (``name`` is the prefix, ``value`` the URI).

    ``anchor`` says where it goes back: for an element, the local name of the
    known child it followed (``None``: before the first known child); for an
    attribute, the local name of the known child it sat on (``None``: on the
    record's own element).
    """

    kind: ExtraKind
    name: str
    value: str
    anchor: str | None = None


Meta = tuple[str, str | None]
"""A (key, value) pair of post, comment or term meta; keys may repeat."""


@dataclass(slots=True)
class Source:
    """One imported file: WXR channel or Disqus export.

    ``site`` is the key under which this file's users, threads and comments
    are identified (``wp:base_blog_url`` for WXR, the forum shortname for
    Disqus), so that re-importing the same site updates rather than duplicates.
    """

    origin: str
    site: str
    name: str = ""
    sha256: str | None = None
    version: str | None = None  # wp:wxr_version, raw
    wp_namespace: str | None = None  # exact wp namespace URI the file used
    namespaces: dict[str, str] = field(default_factory=dict)  # prefix -> URI
    title: str | None = None
    link: str | None = None
    description: str | None = None
    pub_date: str | None = None
    language: str | None = None
    generator: str | None = None
    base_site_url: str | None = None
    base_blog_url: str | None = None
    # Known channel children in the order the file had them (first
    # occurrences, by prefixed name such as "wp:wxr_version"), for files
    # older than the order current exporters use; None = the usual order.
    child_order: list[str] | None = None
    # A reader may append to ``extras`` until its stream ends (content after
    # the last item); a consumer reads them once the stream is exhausted.
    extras: list[Extra] = field(default_factory=list)


@dataclass(slots=True)
class User:
    """A site account (WXR ``wp:author``) or a Disqus author with a username."""

    origin: str
    wp_id: str | None = None  # author_id
    login: str | None = None  # author_login
    email: str | None = None
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    dsq_username: str | None = None
    extras: list[Extra] = field(default_factory=list)


@dataclass(slots=True)
class Term:
    """A WXR category, tag or term, or a Disqus category.

    ``kind`` is the element it came from: ``"category"``, ``"tag"``,
    ``"term"`` (WXR) or ``"dsq_category"`` (Disqus).
    """

    origin: str
    kind: str
    term_id: str | None = None  # wp:term_id, or the Disqus category's dsq:id
    taxonomy: str | None = None  # wp:term_taxonomy (``term`` only)
    slug: str | None = None
    parent: str | None = None  # parent slug, raw
    name: str | None = None
    description: str | None = None
    dsq_forum: str | None = None
    dsq_is_default: str | None = None
    meta: list[Meta] = field(default_factory=list)  # wp:termmeta
    extras: list[Extra] = field(default_factory=list)


@dataclass(slots=True)
class ThreadTerm:
    """An item's ``<category domain=… nicename=…>text</category>``."""

    domain: str | None
    nicename: str | None
    name: str | None


@dataclass(slots=True)
class Thread:
    """A WXR item (post, page, …) or a Disqus thread.

    ``key`` identifies it within its site and origin: the WXR ``wp:post_id``
    or the Disqus ``dsq:id``; a reader that finds neither makes one up from
    the record's position (``"#12"``) so that re-imports still match.
    """

    origin: str
    key: str
    wp_post_id: str | None = None
    dsq_id: str | None = None
    identifier: str | None = None  # Disqus <id>: the page's disqus_identifier
    title: str | None = None
    link: str | None = None
    pub_date: str | None = None
    creator: str | None = None  # dc:creator (author login)
    guid: str | None = None
    guid_is_permalink: str | None = None  # raw isPermaLink attribute
    description: str | None = None
    content: str | None = None  # content:encoded, or the Disqus <message>
    excerpt: str | None = None
    created_at_local: str | None = None  # wp:post_date
    created_at: str | None = None  # wp:post_date_gmt or Disqus createdAt, raw
    modified_at_local: str | None = None
    modified_at: str | None = None
    comment_status: str | None = None
    ping_status: str | None = None
    slug: str | None = None  # wp:post_name
    status: str | None = None  # wp:status
    post_parent: str | None = None
    menu_order: str | None = None
    post_type: str | None = None
    post_password: str | None = None
    is_sticky: str | None = None
    attachment_url: str | None = None
    dsq_forum: str | None = None
    dsq_category: str | None = None  # the category's dsq:id
    dsq_is_closed: str | None = None
    dsq_is_deleted: str | None = None
    dsq_ip_address: str | None = None
    dsq_author_name: str | None = None
    dsq_author_email: str | None = None
    dsq_author_username: str | None = None
    dsq_author_is_anonymous: str | None = None
    terms: list[ThreadTerm] = field(default_factory=list)
    meta: list[Meta] = field(default_factory=list)  # wp:postmeta
    child_order: list[str] | None = None  # as for Source
    extras: list[Extra] = field(default_factory=list)


@dataclass(slots=True)
class Comment:
    """A WXR ``wp:comment`` or a Disqus ``post``.

    ``key`` identifies the comment within its site and origin (the WXR
    ``comment_id``, the Disqus ``dsq:id``, or a made-up ``"#n"`` when the
    source has none). ``thread`` is the key of its thread. ``parent`` is the
    parent reference exactly as the source wrote it (``"0"`` for a WXR top
    level comment, a ``dsq:id`` for Disqus, ``None`` when absent).

    The store fills ``parent_key`` on the way out: the ``key`` of the comment
    the parent reference resolved to, or ``None`` (top level, or a parent that
    is missing, in another thread, or was cut to break a cycle).  Writers use
    it for the tree and ``parent`` to keep a dangling reference.
    """

    origin: str
    key: str
    thread: str
    wp_id: str | None = None  # comment_id, raw
    dsq_id: str | None = None
    parent: str | None = None
    author_name: str | None = None
    author_email: str | None = None
    author_url: str | None = None
    author_ip: str | None = None
    created_at_local: str | None = None  # comment_date
    created_at: str | None = None  # comment_date_gmt or Disqus createdAt, raw
    content: str | None = None
    wp_approved: str | None = None  # comment_approved, raw
    wp_type: str | None = None  # comment_type, raw
    wp_user_id: str | None = None  # comment_user_id, raw
    dsq_identifier: str | None = None  # Disqus <id>, e.g. "wp_id=973"
    dsq_username: str | None = None
    dsq_is_anonymous: str | None = None
    dsq_is_approved: str | None = None
    dsq_is_deleted: str | None = None
    dsq_is_spam: str | None = None
    dsq_is_flagged: str | None = None
    dsq_is_highlighted: str | None = None
    meta: list[Meta] = field(default_factory=list)  # wp:commentmeta
    extras: list[Extra] = field(default_factory=list)
    parent_key: str | None = None  # filled by the store, see above
    # A number that grows with the comment's place in its source (readers
    # and the store fill it), so a writer can keep the source's order of
    # comments that arrive parents first.
    position: int | None = None


@dataclass(slots=True)
class ImportIssue:
    """Something a reader repaired, recovered or rejected, travelling with the
    records so that the store keeps it in ``import_issues`` beside the data.

    ``severity`` is ``"warning"`` (kept as is, noted), ``"repaired"`` (kept,
    changed as ``reason`` says) or ``"rejected"`` (not kept; ``fragment``
    holds the raw text when it is small).
    """

    code: str
    reason: str
    severity: str = "warning"
    file: str | None = None
    line: int | None = None
    column: int | None = None
    fragment: str | None = None
    record_key: str | None = None


# How a CommentChange gives its time (strftime and strptime).
RECORDED_AT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(slots=True)
class CommentChange:
    """An earlier state of a stored comment, which a later import of its
    source found changed or missing (the store's comment history).

    ``comment`` is the comment's ``key`` within ``site`` and ``origin``.
    ``change`` is ``"changed"``: ``previous`` holds the fields that differed
    (by record field name; ``meta`` as a list of ``[key, value]`` pairs) with
    their earlier values; or ``"deleted"``: the newer file no longer had the
    comment, which is kept, and ``previous`` is empty.  ``recorded_at`` is
    when, in UTC, as ``YYYY-MM-DDTHH:MM:SSZ``.  The store yields these, after
    every comment, only when asked for the history.
    """

    site: str
    origin: str
    comment: str
    change: str
    recorded_at: str
    previous: dict[str, Any] = field(default_factory=dict)


Record = Source | User | Term | Thread | Comment | ImportIssue | CommentChange
