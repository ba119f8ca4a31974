"""The channel header of a WXR file: which source it speaks for, its
namespaces, and the fields, authors and terms written before the items.

Several sources may be written into one file (the files of one export, or a
WXR and the Disqus export merged into it): the first WXR source gives the
channel its fields and namespaces, and authors and terms the files repeat
are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import TypeVar

from ...records import Source, Term, User
from ...version import __version__
from .names import (
    CONTENT_NS,
    DC_NS,
    DEFAULT_VERSION,
    DEFAULT_WP_NS,
    DSQ_IMPORT_NS,
    EXCERPT_NS_RE,
    WFW_NS,
    WP_NS_RE,
    excerpt_ns_for,
)

R = TypeVar("R", User, Term)

# (anchor, tag, text, cdata) of one child element; ``None`` text: not written.
Field = tuple[str, str, str | None, bool]


@dataclass
class Header:
    """What the channel is written with."""

    source: Source | None
    nsmap: dict[str, str]
    wp: str
    """The WordPress namespace in Clark notation, ``{uri}``."""
    excerpt: str
    """The tag of an item's excerpt, ``{uri}encoded``."""
    users: list[User]
    terms: list[Term]

    @property
    def from_wxr(self) -> bool:
        """Whether the channel speaks for a WXR file, written back as it came."""
        return self.source is not None and self.source.origin == "wxr"


def choose_header(
    sources: list[Source],
    users: list[User],
    terms: list[Term],
    *,
    dsq_namespace: bool,
    notes: list[str],
) -> Header:
    """The header for the records met before the first item.

    ``dsq_namespace`` declares Disqus's import namespace; a source not
    chosen is noted in ``notes``.
    """
    wxr = [s for s in sources if s.origin == "wxr"]
    source = wxr[0] if wxr else (sources[0] if sources else None)
    others = [s.site for s in sources if s is not source]
    if others:
        notes.append(
            "channel fields come from source "
            f"{source.site if source else '?'}; not from "
            + ", ".join(others)
        )
    namespaces: dict[str, str] = {}
    wp_ns = DEFAULT_WP_NS
    if source is not None and source.origin == "wxr":
        namespaces = dict(source.namespaces)
        if source.wp_namespace and WP_NS_RE.match(source.wp_namespace):
            wp_ns = source.wp_namespace
    if not namespaces:
        namespaces = {
            "excerpt": excerpt_ns_for(wp_ns), "content": CONTENT_NS,
            "wfw": WFW_NS, "dc": DC_NS, "wp": wp_ns,
        }
    # Elements without a namespace must stay without one.
    namespaces.pop("", None)
    if wp_ns not in namespaces.values():
        namespaces["wp" if "wp" not in namespaces else "wxr"] = wp_ns
    if dsq_namespace:
        # Disqus's importer looks for this prefix; a source's own use of
        # it gives way (lxml invents a prefix for that URI if needed).
        namespaces["dsq"] = DSQ_IMPORT_NS
    excerpt = next(
        (uri for uri in namespaces.values() if EXCERPT_NS_RE.match(uri)),
        excerpt_ns_for(wp_ns),
    )
    if len(sources) > 1:
        # Several files of one export repeat the author and term lists.
        users, terms = _unique(users), _unique(terms)
    return Header(source, namespaces, f"{{{wp_ns}}}", f"{{{excerpt}}}encoded", users, terms)


def _unique(records: list[R]) -> list[R]:
    kept: list[R] = []
    for record in records:
        if record not in kept:
            kept.append(record)
    return kept


def rfc822(value: datetime) -> str:
    """A UTC date as RSS writes one."""
    return format_datetime(value.replace(tzinfo=timezone.utc))


def channel_fields(header: Header, notes: list[str] | None = None) -> list[Field]:
    """The channel's own fields, in core's order: a WXR source's as they
    came, another's derived (and dated now where it has no date).

    With ``notes`` (a file for WordPress's importer, not an exact copy), a
    WXR source with no version gets its namespace's, which WordPress's
    importer requires; that is noted."""
    source = header.source
    wp = header.wp
    if header.from_wxr:
        assert source is not None
        version = source.version
        if version is None and notes is not None:
            version = wp.rstrip("/}").rpartition("/")[2]
            notes.append(f"channel: no wp:wxr_version; written as {version}, its namespace's")
        values: list[Field] = [
            ("title", "title", source.title, False),
            ("link", "link", source.link, False),
            ("description", "description", source.description, False),
            ("pubDate", "pubDate", source.pub_date, False),
            ("language", "language", source.language, False),
            ("wxr_version", wp + "wxr_version", version, False),
            ("base_site_url", wp + "base_site_url", source.base_site_url, False),
            ("base_blog_url", wp + "base_blog_url", source.base_blog_url, False),
        ]
        generator = source.generator
    else:
        link = (source.link if source else None) or ""
        site_url = (source.base_site_url if source else None) or link
        values = [
            ("title", "title", (source.title or source.site) if source else "", False),
            ("link", "link", link, False),
            ("description", "description", (source.description if source else None)
             or "", False),
            ("pubDate", "pubDate", (source.pub_date if source else None)
             or rfc822(datetime.now(timezone.utc).replace(tzinfo=None)), False),
            ("language", "language", (source.language if source else None) or "", False),
            ("wxr_version", wp + "wxr_version", DEFAULT_VERSION, False),
            ("base_site_url", wp + "base_site_url", site_url, False),
            ("base_blog_url", wp + "base_blog_url",
             (source.base_blog_url if source else None) or site_url, False),
        ]
        generator = f"wxrbridge/{__version__}"
    values.append(("generator", "generator", generator, False))
    return values
