"""Namespace prefixes a file uses without declaring them.

WordPress's exporter runs the ``rss2_head`` hook inside the channel but
declares only its own namespaces, so what plugins and wordpress.com write
there (``<atom:link rel="hub" …/>``, podcast ``itunes:`` tags) comes with a
prefix nobody declared.  WordPress's importer reads such files; libxml2
calls them namespace errors.  A reader parses them leniently for that one
error and binds each such prefix to its usual namespace (an unknown one to
a made-up URN), so the element is kept with a declaration of its own and
written back well-formed where it was.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from ...records import Extra, ImportIssue

# The prefixes feeds and exports use, with the namespace each stands for:
# the WXR ones, those core's RSS feed declares, and those plugins write.
KNOWN_PREFIXES: dict[str, str] = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "georss": "http://www.georss.org/georss",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "media": "http://search.yahoo.com/mrss/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "googleplay": "http://www.google.com/schemas/play-podcasts/1.0",
}
UNKNOWN_PREFIX_URN = "urn:wxrbridge:undeclared-prefix:"

# What the head of a document is scanned with (bytes of an ASCII-compatible
# encoding; in any other no prefix is found and nothing is changed).
_ROOT_TAG = re.compile(rb"<rss(?:\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)?(/?)>")
_ELEMENT_PREFIX = re.compile(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]")
_ATTRIBUTE_PREFIX = re.compile(rb"\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=\s*[\"']")
FIRST_ITEM = re.compile(rb"<item[\s>/]")
_DECLARED = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")


def uri_for(prefix: str) -> str:
    """The namespace an undeclared prefix is read in."""
    return KNOWN_PREFIXES.get(prefix) or UNKNOWN_PREFIX_URN + prefix


def declare_on_root(head: bytes) -> tuple[bytes, dict[str, str], tuple[int, int, int] | None]:
    """``head`` (a document's first bytes) with the prefixes used before
    its first item but declared nowhere there declared on the root's start
    tag, just before its ``>``: only the channel's head holds what plugins
    add to an export.

    Returns the bytes, the prefixes declared (prefix -> URI) and where the
    bytes moved: (line, column from which, by how many); a parser's
    positions after that column on that line are that much too far right.
    """
    root = _ROOT_TAG.search(head)
    if root is None or root.group(1):
        return head, {}, None
    first = FIRST_ITEM.search(head, root.end())
    body = head[root.end():first.start() if first else len(head)]
    used = {m.group(1) for m in _ELEMENT_PREFIX.finditer(body)}
    used.update(m.group(1) for m in _ATTRIBUTE_PREFIX.finditer(body))
    used -= set(_DECLARED.findall(head, 0, root.end() + len(body)))
    used -= {b"xml", b"xmlns"}
    if not used:
        return head, {}, None
    added = {prefix.decode("ascii"): uri_for(prefix.decode("ascii")) for prefix in sorted(used)}
    text = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in added.items()).encode()
    at = root.end() - 1
    line = head.count(b"\n", 0, at) + 1
    column = at - (head.rfind(b"\n", 0, at) + 1)
    return head[:at] + text + head[at:], added, (line, column, len(text))

# libxml2's XML_NS_ERR_UNDEFINED_NAMESPACE.
_UNDEFINED_NAMESPACE = 201
_MESSAGE = re.compile(r"Namespace prefix (\S+) (?:for \S+ )?on \S+ is not defined")
_START_TAG = re.compile(r"<[^\s/>]+")


def undeclared_prefix(entry: Any) -> str | None:
    """The prefix a parser log entry says is not declared, or ``None`` when
    the entry is about something else."""
    if entry.type != _UNDEFINED_NAMESPACE:
        return None
    match = _MESSAGE.search(entry.message)
    return match.group(1) if match else None


def _prefix(name: Any) -> str | None:
    """The prefix of a name the parser left unbound (``"atom:link"``)."""
    if isinstance(name, str) and name[:1] != "{":
        prefix, colon, _local = name.partition(":")
        if colon and prefix != "xmlns":
            return prefix
    return None


class PrefixBinder:
    """The undeclared prefixes of one file: each is reported once, and the
    elements and attributes that use one are given its namespace."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: dict[str, str] = {}  # prefix -> the URI it is bound to

    def note(self, prefix: str, entry: Any) -> ImportIssue | None:
        """The issue for a prefix met the first time (``None`` after)."""
        if prefix in self.seen:
            return None
        known = KNOWN_PREFIXES.get(prefix)
        uri = self.seen[prefix] = uri_for(prefix)
        how = ("its usual namespace" if known else "a namespace made up for it,"
               " since it is not one exports are known to write")
        return ImportIssue(
            code="undeclared-prefix", severity="repaired",
            reason=f"prefix {prefix}: is used but not declared (WordPress's exporter writes"
            f" what plugins add to its channel so); read and written back as {uri},"
            f" {how}",
            file=self.name, line=getattr(entry, "line", None) or getattr(
                entry, "sourceline", None), column=getattr(entry, "column", None) or None,
        )

    def take_log(self, log: Any, start: int, issues: list[ImportIssue]) -> int:
        """Read a recovering parser's log from entry ``start`` on: a prefix
        used undeclared is reported once (in ``issues``) and bound where it
        is kept; returns how many other errors it holds (damage)."""
        damage = 0
        for index in range(start, len(log)):
            entry = log[index]
            prefix = undeclared_prefix(entry)
            if prefix is not None:
                issue = self.note(prefix, entry)
                if issue is not None:
                    issues.append(issue)
            elif entry.level >= etree.ErrorLevels.ERROR:
                damage += 1
        return damage

    def bind(
        self, node: Any, extra: Extra, injected: dict[str, str], issues: list[ImportIssue]
    ) -> None:
        """Report the prefixes declared for the parser (``injected``) that
        ``node`` uses, and declare in ``extra`` (``node`` kept whole) the
        ones the parser left unbound."""
        # Once each declared prefix has been reported, no element needs a look.
        if injected and not self.seen.keys() >= injected.keys():
            issues.extend(self.note_used(node, injected))
        if self.seen:
            extra.value = self.declare(node, extra.value)

    def note_used(self, node: Any, injected: dict[str, str]) -> list[ImportIssue]:
        """The issues for prefixes declared by :func:`declare_on_root` that
        ``node`` (or an element in it) uses, each the first time."""
        issues: list[ImportIssue] = []
        for element in node.iter(tag=etree.Element):
            prefix = element.prefix
            if prefix in injected and prefix not in self.seen and (
                element.tag.startswith("{" + injected[prefix] + "}")
            ):
                issue = self.note(prefix, element)
                if issue is not None:
                    issues.append(issue)
        return issues

    def declare(self, node: Any, fragment: str) -> str:
        """``fragment`` (the serialized ``node``) with a declaration on its
        first element for each undeclared prefix used inside it."""
        used: dict[str, str] = {}
        for element in node.iter():
            for name in (element.tag, *element.keys()):
                prefix = _prefix(name)
                if prefix is not None and prefix not in used:
                    used[prefix] = self.seen.get(prefix) or uri_for(prefix)
        if not used:
            return fragment
        match = _START_TAG.match(fragment)
        if match is None:
            return fragment
        declarations = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in used.items())
        return fragment[:match.end()] + declarations + fragment[match.end():]

    def attribute(self, name: str) -> str:
        """An attribute's name as a writer can write it: an unbound
        ``prefix:local`` becomes ``{uri}local``."""
        prefix = _prefix(name)
        if prefix is None or not self.seen:
            return name
        uri = self.seen.get(prefix) or uri_for(prefix)
        return f"{{{uri}}}{name.partition(':')[2]}"
