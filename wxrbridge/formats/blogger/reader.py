"""Reading a Blogger export (legacy or Takeout Atom) as a stream of records.

The feed is parsed incrementally: each ``entry`` becomes records when its
end tag arrives and is then thrown away.  A post's thread is sent when it is
read; a comment is sent once its post has been (the store files a comment
under a thread it already holds), so comments listed before their post wait
for it, and those whose post never comes are sent at the end, where the
store reports their thread missing.  Settings and template entries are
blog configuration, not discussions: they are kept whole with the source
(see docs/formats.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from ...errors import InputError
from ...records import Comment, Extra, ImportIssue, Record, Source, User
from ..xml.errors import kept_fragment, records_of_events
from ..xml.extras import extra_from_node
from ..xml.text import SAFE_PARSING, serialize_fragment
from .entries import (
    ORIGIN,
    Entry,
    Person,
    comment_of,
    is_comment,
    nicename,
    post_key,
    read_entry,
    read_person,
    thread_of,
)
from .schema import ATOM_NS, PAGE, POST, SETTINGS, TEMPLATE, blog_number, entry_number

_A = f"{{{ATOM_NS}}}"


def read_blogger(stream: IO[bytes], *, name: str, recover: bool = False) -> Iterator[Record]:
    """Yield the records of one Blogger export: the :class:`Source`, a
    :class:`User` per blog author, a :class:`Thread` per post or page and a
    :class:`Comment` per comment, with the :class:`ImportIssue` records
    about them.  ``recover`` as for the other XML readers."""
    context = etree.iterparse(
        stream, events=("end",), tag=f"{_A}entry", recover=recover, **SAFE_PARSING
    )
    reader = _Reader(name)
    stopped = yield from records_of_events(
        context, name, recover, lambda _event, element: reader.end(element),
        lambda: reader.root is not None,
    )
    yield from reader.finish(context.root, stopped=stopped)


class _Reader:
    """Turns each entry's end event into records (see the module)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root: Any = None
        self.source: Source | None = None
        self.users: dict[tuple[str, ...], User] = {}
        self.logins: set[str] = set()
        self.threads: set[str] = set()
        self.waiting: dict[str, list[Entry]] = {}
        self.position = 0
        self.kept = {SETTINGS: 0, TEMPLATE: 0}
        self.done: Any = None

    # -- the document -----------------------------------------------------

    def end(self, element: Any) -> list[Record]:
        records: list[Record] = []
        if self.root is None:
            self._found_root(element, records)
        parent = element.getparent()
        if parent is not self.root:
            return records
        while (first := parent[0]) is not element:
            if first is not self.done:
                records.extend(self._top_level(first))
            del parent[0]
        records.extend(self._entry(element))
        element.clear(keep_tail=False)
        self.done = element
        return records

    def _found_root(self, element: Any, records: list[Record]) -> None:
        root = element
        while root.getparent() is not None:
            root = root.getparent()
        if root.tag != f"{_A}feed":
            # Not QName(root).localname: a repaired file can leave a prefix
            # unbound ("wp:comment"), a tag QName() refuses.
            raise InputError(
                f"not a Blogger export: the root is <{str(root.tag).rpartition('}')[2]}>, "
                "not an Atom <feed>", file=self.name, line=root.sourceline,
            )
        self.root = root
        # What precedes the root (a stylesheet instruction), then its attributes.
        extras = [extra for node in reversed(list(root.itersiblings(preceding=True)))
                  if (extra := extra_from_node(node)) is not None]
        extras += [Extra("attribute", key, value) for key, value in root.attrib.items()]
        source = Source(origin=ORIGIN, site="", name=self.name, extras=extras,
                        namespaces={p or "": u for p, u in root.nsmap.items()})
        # The feed's own children come before the first entry.
        for child in list(root):
            if child is element:
                break
            self._feed_child(source, child, records)
            root.remove(child)
        source.site = self._site(source, element)
        self.source = source
        records.insert(0, source)

    def _feed_child(self, source: Source, child: Any, records: list[Record]) -> None:
        tag = child.tag
        if tag == f"{_A}title" and source.title is None and not len(child):
            source.title = child.text
        elif tag == f"{_A}subtitle" and source.description is None and not len(child):
            source.description = child.text
        elif (tag == f"{_A}link" and child.get("rel") == "alternate"
              and source.link is None and set(child.attrib) <= {"rel", "type", "href"}):
            source.link = child.get("href")
        else:
            if tag == f"{_A}author":
                # The blog's owner: a site user, and the element kept whole.
                self._user(read_person(child), records)
            extra = extra_from_node(child)
            if extra is not None:
                source.extras.append(extra)

    def _site(self, source: Source, first: Any) -> str:
        """The blog's number names the site; the file's name when no id
        shows it."""
        ids = [e.value for e in source.extras if e.name == f"{_A}id"]
        for found in [*ids, first.findtext(f"{_A}id")]:
            number = blog_number(found)
            if number is not None:
                return f"blogger:{number}"
        return self.name

    def _top_level(self, element: Any) -> list[Record]:
        """A feed child after the first entry: kept with the source."""
        assert self.source is not None
        extra = extra_from_node(element)
        if extra is not None:
            self.source.extras.append(extra)
        return []

    # -- entries ----------------------------------------------------------

    def _entry(self, element: Any) -> list[Record]:
        entry = read_entry(element)
        self.position += 1
        if entry.kind in (POST, PAGE):
            return self._post(entry)
        if is_comment(entry):
            return self._comment(entry, element)
        # Settings, the template, or a kind wxrbridge does not know: blog
        # configuration, kept whole with the source.
        assert self.source is not None
        self.source.extras.append(Extra("element", element.tag, serialize_fragment(element)))
        if entry.kind in self.kept:
            self.kept[entry.kind] += 1
            return []
        return [ImportIssue(
            code="blogger-unknown-entry", severity="warning",
            reason=f"an entry of kind {entry.kind or 'none'!r} is no post, page or comment;"
                   " kept with the source",
            file=self.name, line=entry.line,
        )]

    def _post(self, entry: Entry) -> list[Record]:
        records: list[Record] = []
        key = entry_number(entry.id) or f"#{self.position}"
        user = self._user(entry.author, records) if entry.author is not None else None
        records.append(thread_of(entry, key, user.login if user is not None else None))
        self.threads.add(key)
        for waiting in self.waiting.pop(key, []):
            records.append(self._comment_record(waiting, key))
        return records

    def _comment(self, entry: Entry, element: Any) -> list[Record]:
        post = post_key(entry)
        if post is None:
            return [ImportIssue(
                code="blogger-no-post", severity="rejected",
                reason="a comment names no post (no thr:in-reply-to or blogger:parent)",
                file=self.name, line=entry.line,
                fragment=kept_fragment(serialize_fragment(element)),
                record_key=f"comment {entry_number(entry.id) or entry.id}",
            )]
        if post not in self.threads:
            self.waiting.setdefault(post, []).append(entry)
            return []
        return [self._comment_record(entry, post)]

    def _comment_record(self, entry: Entry, post: str) -> Comment:
        key = entry_number(entry.id) or f"#{entry.line}"
        identity = entry.author.identity if entry.author is not None else None
        user = self.users.get(identity) if identity is not None else None
        return comment_of(entry, key, post, user, entry.line or 0)

    def _user(self, person: Person | None, records: list[Record]) -> User | None:
        """The site user for a blog author, made on first sight."""
        identity = person.identity if person is not None else None
        if person is None or identity is None:
            return None
        user = self.users.get(identity)
        if user is None:
            login = base = nicename(person.name or "") or "author"
            count = 1
            while login in self.logins:
                count += 1
                login = f"{base}-{count}"
            self.logins.add(login)
            user = User(origin=ORIGIN, wp_id=str(len(self.users) + 1), login=login,
                        email=person.email, display_name=person.name)
            if person.uri:
                user.extras.append(Extra("element", f"{_A}uri", _uri_element(person.uri)))
            self.users[identity] = user
            records.append(user)
        return user

    def finish(self, root: Any, *, stopped: bool = False) -> list[Record]:
        """What follows the last entry, the comments still waiting for their
        post, and a note of the configuration kept."""
        records: list[Record] = []
        if self.root is None:
            if root is None:
                raise InputError("not a Blogger export: no Atom feed", file=self.name)
            first = etree.SubElement(root, f"{_A}entry")
            self._found_root(first, records)
            root.remove(first)
        elif root is not None:
            for child in list(self.root):
                if child is not self.done and not (stopped and child.tag == f"{_A}entry"):
                    records.extend(self._top_level(child))
        for post, entries in self.waiting.items():
            records.extend(self._comment_record(entry, post) for entry in entries)
        self.waiting.clear()
        kept = [f"{count} {kind}" for kind, count in self.kept.items() if count]
        if kept:
            records.append(ImportIssue(
                code="blogger-config-kept", severity="warning",
                reason=f"{' and '.join(kept)} entries are blog configuration, not"
                       " discussions: kept whole with the source, written by no format",
                file=self.name,
            ))
        return records


def _uri_element(uri: str) -> str:
    node = etree.Element(f"{_A}uri", nsmap={None: ATOM_NS})  # type: ignore[dict-item]
    node.text = uri
    return serialize_fragment(node)
