"""Records in, a folder of static pages out: ``index.html`` and one page per
thread, readable in any browser, from disk, for as long as HTML is.

The store streams each thread followed by its comments, so the writer holds
one thread's comments at a time: when the next thread begins, the previous
one becomes a page and is forgotten.  The index is the only page that needs
every thread; its rows wait in a temporary file, not in memory.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import shutil
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.filters import do_urlencode
from markupsafe import Markup

from ... import canonical
from ...records import Comment, Record, Source, Thread, User
from ...threads import cut_cycles_in_list, parent_index
from ...version import __version__
from .. import WriteReport
from ..tally import plural
from .archive import (
    MANIFEST,
    MANIFEST_FORMAT,
    MANIFEST_VERSION,
    Manifest,
    earlier_archive,
    staging_folder,
    swap_in,
)
from .feeds import SITE_FEED, Feeds, feed_name
from .index import PAGES, Pages, as_written
from .render import Frames, dates, tree
from .sanitize import comment_html, safe_url, utf8
from .search import INDEX_FOLDER, add_search

# How deep replies nest on the page.  Each level indents the text, and
# past a few levels a phone's screen has no room left for it; forums stop
# indenting there too.  Below this depth replies continue at the same
# level, each with an "in reply to NAME" link to the comment it answers, so
# every comment keeps most of the screen's width however long the chain.
MAX_NESTING = 6

# Below this many comments of one status, each left out comment gets its own
# line in the report; above it, the status gets one summary line.
LIST_LEFT_OUT = 10

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_MAX_SLUG = 80


@functools.cache
def _environment() -> Environment:
    """One environment for the process: it compiles each template once."""
    env = Environment(
        loader=PackageLoader("wxrbridge.formats.html", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are part of the package and do not change while an
        # export runs: checking each one's modification time on every page
        # (two stat calls a page) is left out.
        auto_reload=False,
    )
    env.globals["dates"] = dates
    return env


def _slug(text: str | None) -> str:
    """A file name part from a slug or key: lower case ASCII letters, digits
    and hyphens, so that it is the same on every filesystem and in a URL.

    WordPress stores a non-ASCII slug percent-encoded; it is decoded first
    and accents dropped, so ``caf%c3%a9`` becomes ``cafe``.
    """
    if not text:
        return ""
    decoded = unicodedata.normalize("NFKD", unquote(text))
    ascii_only = decoded.encode("ascii", "ignore").decode("ascii").lower()
    return _SLUG_JUNK.sub("-", ascii_only).strip("-")[:_MAX_SLUG].rstrip("-")


_WHITESPACE = re.compile(r"\s")


def anchor(key: str) -> str:
    """The element id of a comment; an id may not contain whitespace."""
    if key.isascii() and key.isalnum():
        return "comment-" + key  # most keys, with nothing to replace
    return "comment-" + _WHITESPACE.sub("_", key)


def fragment(key: str) -> str:
    """The ``#…`` link to a comment's anchor, percent-encoded as a URL needs."""
    if key.isascii() and key.isalnum():
        return "#comment-" + key  # most keys, with nothing to encode
    return "#" + quote(anchor(key), safe="-_.~")


@dataclass
class When:
    """A date as a page shows it: UTC, and the site's local time where the
    source recorded one that differs."""

    iso: str | None = None  # for <time datetime=…>
    moment: datetime | None = None  # the same, for the feeds
    utc: str | None = None
    local: str | None = None
    raw: str | None = None  # a date that could not be read, shown as written

    @property
    def known(self) -> bool:
        return bool(self.utc or self.local or self.raw)


def _when(raw_utc: str | None, raw_local: str | None) -> When:
    when = When()
    try:
        parsed = canonical.parse_utc(raw_utc)
    except ValueError:
        parsed = None
        when.raw = raw_utc.strip() if raw_utc else None
    minute = None
    if parsed is not None:
        # isoformat writes what format_utc_iso's strftime does, faster,
        # for every year of four digits.
        iso = (parsed.isoformat(timespec="seconds") + "Z" if parsed.year >= 1000
               else str(canonical.format_utc_iso(parsed)))
        when.iso = iso
        when.moment = parsed.replace(tzinfo=timezone.utc)
        # Cut from the ISO form: one strftime per date, not three.
        minute = f"{iso[:10]} {iso[11:16]}"
        when.utc = minute + " UTC"
    local = (raw_local or "").strip()
    if local and local != canonical.WXR_ZERO_DATE:
        shown = local[:16]
        if shown != minute:
            when.local = shown
    return when


@dataclass(eq=False)
class Entry:
    """One comment as a page shows it (compared by identity: two comments
    with the same text are still two comments)."""

    key: str
    anchor: str
    kind: str  # canonical type: "comment", "pingback", "trackback", ...
    status: str
    author_name: str
    author_url: str | None
    is_author: bool
    when: When
    body: Markup
    parent: str | None  # key of the parent it answers, when that is shown
    parent_missing: bool = False  # answers a comment not in this archive
    reply_to: Entry | None = None  # set when it is not shown inside its parent
    children: list[Entry] = field(default_factory=list)

    @property
    def is_mention(self) -> bool:
        return self.kind != "comment"


@dataclass
class Event:
    """One step of walking a comment tree: :func:`.render.tree` turns the
    walk into nested elements without recursion, so no depth exhausts the
    stack."""

    kind: str  # "open", "replies", "end-replies", "close"
    entry: Entry | None = None


def _walk(roots: Sequence[Entry]) -> Iterator[Event]:
    stack: list[tuple[Entry, int] | Event] = [(entry, 1) for entry in reversed(roots)]
    while stack:
        item = stack.pop()
        if isinstance(item, Event):
            yield item
            continue
        entry, depth = item
        yield Event("open", entry)
        if not entry.children:
            yield Event("close", entry)
        elif depth < MAX_NESTING:
            yield Event("replies", entry)
            stack.append(Event("close", entry))
            stack.append(Event("end-replies", entry))
            stack.extend((child, depth + 1) for child in reversed(entry.children))
        else:
            # Too deep to nest further: the replies follow as siblings.
            yield Event("close", entry)
            for child in entry.children:
                child.reply_to = entry
            stack.extend((child, depth) for child in reversed(entry.children))


def _tree(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """The discussion's top-level comments and the mentions, each entry's
    replies under it.

    Pingbacks and trackbacks open the Mentions section whatever their parent.
    A reply whose parent is not shown starts a tree of its own.  Should the
    parent links form a loop (a stream that did not come from the store,
    which breaks loops), it is cut as the store cuts one (see
    :mod:`wxrbridge.threads`) and its leader follows the other roots, so
    every comment is shown exactly once.
    """
    parents = parent_index((e.key for e in entries), (e.parent for e in entries))
    for index, entry in enumerate(entries):
        parent = parents[index]
        if parent == index or (entry.is_mention and parent is not None):
            if parent != index:
                entry.reply_to = entries[parent]
            parents[index] = None
    linked = list(parents)
    leaders = [cut.node for cut in cut_cycles_in_list(parents, [e.key for e in entries])]
    roots: list[Entry] = []
    for index, entry in enumerate(entries):
        parent = parents[index]
        if parent is not None:
            entries[parent].children.append(entry)
        elif index not in leaders:
            roots.append(entry)
    for index in leaders:
        entry = entries[index]
        parent = linked[index]
        entry.reply_to = entries[parent] if parent is not None else None
        roots.append(entry)
    discussion = [e for e in roots if not e.is_mention]
    mentions = [e for e in roots if e.is_mention]
    return discussion, mentions


@dataclass
class _Buffer:
    """One thread and the comments of it that are shown."""

    key: str
    thread: Thread | None  # None: comments whose thread is not in the store
    entries: list[Entry] = field(default_factory=list)
    withheld: str | None = None  # why none of its comments are shown
    withheld_count: int = 0
    left_out: Counter[str] = field(default_factory=Counter)  # by status


# Post statuses whose comments WordPress shows no visitor.
_NOT_PUBLIC = frozenset({"private", "draft", "pending", "future", "auto-draft", "trash"})


def _not_public(thread: Thread) -> str | None:
    """Why a thread's comments are not public on the site, if they are not:
    a password-protected post shows its comments only to those who know the
    password, a private or unpublished one to nobody outside."""
    if (thread.post_password or "").strip():
        return "password-protected post"
    status = (thread.status or "").strip().lower()
    return f"{status} post" if status in _NOT_PUBLIC else None


class _Writer:
    def __init__(self, folder: Path, statuses: Sequence[str], private: bool,
                 search: bool = False) -> None:
        self.folder = folder
        self.private = private
        self.search = search
        self.withheld_threads: list[str] = []
        self.withheld_total: Counter[str] = Counter()
        # Approved comments are always shown; ``statuses`` adds to them.
        self.shown = frozenset({canonical.APPROVED, *statuses})
        self.report = WriteReport()
        self.env = _environment()
        self.thread_pages = Frames(self.env.get_template("thread.html"))
        self.left_out_macro = self.env.get_template("macros.html").module.left_out  # type: ignore[attr-defined]
        self.sources: list[Source] = []
        self._site_of: tuple[int, dict[str, Any]] | None = None
        self.user_ids: set[str] = set()
        self.usernames: set[str] = set()
        self.current: _Buffer | None = None
        self.left_out: Counter[str] = Counter()
        self.left_out_listed: dict[str, list[str]] = defaultdict(list)
        self.empty_threads = 0
        self.totals: Counter[str] = Counter()  # comments and mentions shown
        self.pages = Pages(folder)
        self.manifest = Manifest(
            folder,
            {
                "format": MANIFEST_FORMAT,
                "version": MANIFEST_VERSION,
                "generator": f"wxrbridge {__version__}",
                "algorithm": "sha256",
            },
        )

        self.feeds = Feeds(self.manifest, PAGES)

    # -- records in ---------------------------------------------------------

    def feed(self, records: Iterable[Record]) -> None:
        for record in records:
            if isinstance(record, Comment):
                self._comment(record)
            elif isinstance(record, Thread):
                self._flush()
                self.current = _Buffer(
                    record.key, record, withheld=None if self.private else _not_public(record)
                )
            elif isinstance(record, User):
                self._user(record)
            elif isinstance(record, Source):
                self.sources.append(record)
            # Terms and import issues are not part of what a reader sees.
        self._flush()

    def _user(self, user: User) -> None:
        user_id = canonical.site_user_id(user.wp_id)
        if user_id is not None:
            self.user_ids.add(user_id)
        if user.dsq_username:
            self.usernames.add(user.dsq_username.strip())

    def _is_author(self, comment: Comment) -> bool:
        user_id = canonical.site_user_id(comment.wp_user_id)
        if user_id is not None and user_id in self.user_ids:
            return True
        username = (comment.dsq_username or "").strip()
        return bool(username) and username in self.usernames

    def _comment(self, comment: Comment) -> None:
        if self.current is None or comment.thread != self.current.key:
            # The store sends comments whose thread it never saw last,
            # grouped by thread key; each group gets a page of its own.
            self._flush()
            self.current = _Buffer(comment.thread, None)
        if self.current.withheld:
            self.current.withheld_count += 1
            return
        status = canonical.comment_status(comment)
        if status not in self.shown:
            self.current.left_out[status] += 1
            self.left_out[status] += 1
            if len(self.left_out_listed[status]) < LIST_LEFT_OUT:
                self.left_out_listed[status].append(comment.key)
            return
        parent = canonical.parent_of(comment)
        kind = canonical.comment_type(comment)
        self.current.entries.append(
            Entry(
                key=comment.key,
                anchor=anchor(comment.key),
                kind=kind,
                status=status,
                author_name=as_written(comment.author_name) or "Anonymous",
                author_url=safe_url(comment.author_url),
                is_author=self._is_author(comment) and kind == "comment",
                when=_when(comment.created_at, comment.created_at_local),
                body=comment_html(comment.content),
                parent=parent,
            )
        )

    # -- pages out ----------------------------------------------------------

    def _page_name(self, buffer: _Buffer) -> str:
        """A file name for the thread's page that no earlier page took."""
        key_part = _slug(buffer.key) or "thread"
        if buffer.thread is None:
            base = f"unknown-thread-{key_part}"
        else:
            base = _slug(buffer.thread.slug) or f"thread-{key_part}"
        candidates = itertools.chain(
            (base, f"{base}-{key_part}"),
            (f"{base}-{key_part}-{n}" for n in itertools.count(2)),
        )
        for name in candidates:
            if not self.pages.taken(name):
                return name
        raise AssertionError("unreachable: the candidates never run out")

    def _flush(self) -> None:
        buffer, self.current = self.current, None
        if buffer is None:
            return
        if buffer.withheld and buffer.withheld_count:
            self.withheld_total[buffer.withheld] += buffer.withheld_count
            if len(self.withheld_threads) < LIST_LEFT_OUT:
                self.withheld_threads.append(
                    f"thread {buffer.key}: {buffer.withheld}, its "
                    f"{plural(buffer.withheld_count, 'comment')} not shown "
                    "(private=True includes them)"
                )
            return
        if not buffer.entries:
            self.empty_threads += 1
            self.totals.update({f"left out {k}": n for k, n in buffer.left_out.items()})
            return
        keys = {entry.key for entry in buffer.entries}
        for entry in buffer.entries:
            entry.parent_missing = entry.parent is not None and entry.parent not in keys
        discussion, mentions = _tree(buffer.entries)
        thread = buffer.thread
        title = self._thread_title(buffer)
        when = _when(thread.created_at, thread.created_at_local) if thread else When()
        link = safe_url(thread.link) if thread else None
        counts = Counter("mention" if e.is_mention else "comment" for e in buffer.entries)
        name = self._page_name(buffer)
        left_out = sorted(buffer.left_out.items())
        site = self._site()
        # Staged as UTF-8 with any lone surrogate replaced (see well_formed):
        # it is moved into place byte for byte.
        page = self.thread_pages.render(
            site,
            {
                "title": title,
                "feed_href": do_urlencode(feed_name(name)),
                "when_html": dates(when) if thread is not None else "",
                "link": link,
                "left_out_text": self.left_out_macro(left_out) if left_out else "",
                "comment_count": counts["comment"],
                "mention_count": counts["mention"],
                "discussion": tree(_walk(discussion), fragment),
                "mentions": tree(_walk(mentions), fragment),
            },
            known=thread is not None,
            site_feed=f"../{SITE_FEED}",
        )
        self.feeds.thread(site, buffer.key, name, title, when.moment, buffer.entries)
        self.pages.add(
            {
                "name": name,
                "title": title,
                "link": link,
                "iso": when.iso,
                "utc": when.utc,
                "local": when.local,
                "raw": when.raw,
                "comments": counts["comment"],
                "mentions": counts["mention"],
                "left_out": left_out,
            },
            utf8(page),
        )
        self.report.written["thread"] += 1
        self.report.written["comment"] += len(buffer.entries)
        self.totals.update(counts)
        self.totals.update({f"left out {k}": n for k, n in left_out})

    @staticmethod
    def _thread_title(buffer: _Buffer) -> str:
        if buffer.thread is None:
            return f"Comments on thread {buffer.key}, which is not in this archive"
        thread = buffer.thread
        return as_written(thread.title) or (thread.link or "").strip() or f"Thread {buffer.key}"

    def _site(self) -> dict[str, Any]:
        """What every page says of the site, from the sources read so far."""
        if self._site_of is None or self._site_of[0] != len(self.sources):
            self._site_of = (len(self.sources), self._describe_site())
        return self._site_of[1]

    def _describe_site(self) -> dict[str, Any]:
        titled = [s for s in self.sources if (s.title or "").strip()]
        first = titled[0] if titled else (self.sources[0] if self.sources else None)
        title = "Comment archive"
        if first is not None:
            title = as_written(first.title) or first.site or title
        language = next((s.language for s in self.sources if s.language), None) or ""
        # The pages' own words are English, but most of the text is the
        # site's; its language helps screen readers and hyphenation.
        lang = re.sub(r"[^A-Za-z0-9-]", "", language.strip().replace("_", "-"))[:35] or "en"
        return {
            "lang": lang,
            "title": title,
            "description": as_written(first.description) if first else "",
            "link": safe_url(first.link) if first else None,
        }

    def finish(self) -> WriteReport:
        site = self._site()
        left_out = sorted(
            (key.removeprefix("left out "), count)
            for key, count in self.totals.items()
            if key.startswith("left out ")
        )
        self.pages.finish(
            self.env,
            self.manifest,
            site=site,
            thread_count=self.report.written["thread"],
            comment_count=self.totals["comment"],
            mention_count=self.totals["mention"],
            left_out_counts=left_out,
            search=self.search,
        )
        self.feeds.finish(site)
        if self.search:
            indexed = add_search(self.folder, self.manifest, self.env, site)
            self.report.notes.append(f"search: {indexed} index files in {INDEX_FOLDER}/")
        self.manifest.close()
        self._summarise()
        return self.report

    def abandon(self) -> None:
        self.pages.abandon()
        self.manifest.abandon()

    def _summarise(self) -> None:
        hint = "pass statuses=(…) / --status to include"
        for status, count in sorted(self.left_out.items()):
            if count <= LIST_LEFT_OUT:
                self.report.left_out.extend(
                    f"comment {key}: {status}, not shown in the archive ({hint} it)"
                    for key in self.left_out_listed[status]
                )
            else:
                self.report.left_out.append(
                    f"{count} {status} comments: not shown in the archive ({hint} them)"
                )
        if sum(self.withheld_total.values()) and len(self.withheld_threads) < LIST_LEFT_OUT:
            self.report.left_out.extend(self.withheld_threads)
        else:
            self.report.left_out.extend(
                f"{count} comments on {reason}s: not shown (private=True includes them)"
                for reason, count in sorted(self.withheld_total.items())
            )
        if self.empty_threads:
            self.report.notes.append(
                f"{self.empty_threads} threads with no comment to show have no page"
            )
        self.report.notes.append(
            f"{self.manifest.count} files listed with their SHA-256 in {MANIFEST}"
        )


def write_html(
    records: Iterable[Record],
    folder: Path,
    *,
    statuses: Sequence[str] = (),
    private: bool = False,
    search: bool = False,
) -> WriteReport:
    """Write a static HTML archive of ``records`` into ``folder``.

    Approved comments are shown; ``statuses`` names further statuses to
    show (``("pending",)``), each labelled on its comment.  Comments on
    posts the site does not show to the public (password-protected, private,
    draft, scheduled, trashed) are left out unless ``private`` is true.
    ``search`` adds a Pagefind index of the thread pages and ``search.html``
    (the one page with script).
    """
    if isinstance(statuses, str):
        statuses = (statuses,)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    old = earlier_archive(folder, PAGES)
    # The new archive is written aside and replaces the old one only once
    # it is complete: an export that fails (a full disk, a broken stream)
    # leaves the earlier archive whole.
    staging = staging_folder(folder)
    try:
        (staging / PAGES).mkdir()
        writer = _Writer(staging, tuple(statuses), private, search)
        try:
            writer.feed(records)
            report = writer.finish()
        except BaseException:
            writer.abandon()
            raise
        swap_in(folder, staging, old)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError) and error.errno is not None:
            # Named by the folder asked for, not the staging folder now gone.
            raise OSError(error.errno, error.strerror, os.fspath(folder)) from error
        raise
    return report
