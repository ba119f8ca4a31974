"""Writing a Commento export that Commento's (and Commento++'s) "Import
from Commento" takes: gzip-compressed JSON, always, since the importer
gunzips what it downloads.

Comments from a Commento export come back as they were, every key kept in
their meta.  Others get ``approved``, ``unapproved`` (pending) or
``flagged`` (spam); the importer cannot restore a deleted comment, so
deleted and trashed ones are left out, and a reply whose parent is not
written goes under its nearest written ancestor (the importer would drop
it).  Guests with an email become a commenter each (the importer matches
commenters by email); those without one are written as ``anonymous``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable
from typing import IO, Any
from urllib.parse import urlsplit

from ...canonical import APPROVED, PENDING, SPAM, comment_status
from ...records import Comment, Record, Thread, User
from .. import WriteReport
from ..jsonkit import Placed, go_json
from ..jsonkit.writer import ZERO_TIME, BackupWriter, in_order, utc_rfc3339
from .reader import ANONYMOUS, COMMENTER_ENTRY, ORIGIN, PREFIX, ROOT, STATE_TO_RAW

_STATES = {APPROVED: "approved", PENDING: "unapproved", SPAM: "flagged"}
_RAW_TO_STATE = {raw: state for state, raw in STATE_TO_RAW.items()}
# Go's field order (api/comment.go, api/commenter.go).
_COMMENT_ORDER = ("commentHex", "domain", "url", "commenterHex", "markdown", "html",
                  "parentHex", "score", "state", "creationDate", "direction", "deleted")
_COMMENTER_ORDER = ("commenterHex", "email", "name", "link", "photo", "provider",
                    "joinDate", "isModerator", "deleted")



class _Writer(BackupWriter):
    format = "Commento"
    origin = ORIGIN
    prefix = PREFIX
    statuses = dict(_STATES)

    def __init__(self, out: IO[bytes], domain: str | None) -> None:
        super().__init__()
        self.out = out
        self.domain = domain
        self.commenters: dict[str, dict[str, Any]] = {}
        self.by_email: dict[str, str] = {}
        self.made_for: dict[str, str] = {}  # a commenter made from a comment: its key
        self.first = True

    def user(self, user: User) -> None:
        entry = next((e.value for e in user.extras if e.name == COMMENTER_ENTRY), None)
        if user.origin == ORIGIN and entry is not None and user.dsq_username:
            self.commenters[user.dsq_username] = json.loads(entry)
        else:
            self.lose("users (Commento's commenters are made from comment authors)",
                      user.origin)

    def thread_done(self, thread: Thread, placed: list[Placed]) -> None:
        if thread.origin != ORIGIN:
            self.lose("threads written as their path alone", thread.origin)
        split = urlsplit(thread.link or "")
        path = thread.key if thread.origin == ORIGIN else (split.path or "/")
        domain = self.domain or split.hostname or ""
        for item in placed:
            self._comment(item, path, domain)

    def _comment(self, item: Placed, path: str, domain: str) -> None:
        c = item.comment
        values = self.kept_values(c)
        own = c.origin == ORIGIN
        # The fields Go always writes; a Commento comment keeps its own.
        data: dict[str, Any] = {} if own else {
            "html": "", "score": 0, "direction": 0, "deleted": False}
        data.update(values)
        if self.domain or not own or "domain" not in data:
            data["domain"] = domain
        key = self.comment_id(c)
        parent = c.parent if own and item.moved is None else self.parent_id(item)
        data.update(
            commentHex=key, url=path, commenterHex=self._commenter(c, values),
            markdown=c.content or "", parentHex=parent or ROOT,
            creationDate=(c.created_at if own and c.created_at else self.utc_time(c)),
        )
        state = self._state(c)
        if state is not None:
            data["state"] = state
        if not own:
            for what, value in (("local dates (Commento keeps UTC)", c.created_at_local),
                                ("comment IPs (Commento keeps none)", c.author_ip)):
                if value:
                    self.lose(what, c.origin)
        self._write(data, "comments", _COMMENT_ORDER, c.key)
        self.report.written["comment"] += 1

    def _state(self, c: Comment) -> str | None:
        if c.origin == ORIGIN:
            if c.wp_approved is None:
                return None
            return _RAW_TO_STATE.get(c.wp_approved, c.wp_approved)
        return _STATES[comment_status(c)]

    def _commenter(self, c: Comment, values: dict[str, Any]) -> str:
        """The commenterHex: the comment's own (a commenter entry made for it
        when the export's is not at hand), else one per email."""
        kept_hex = values.pop("commenterHex", None)
        own_hex = c.dsq_username if c.origin == ORIGIN else kept_hex
        if own_hex in (None, ANONYMOUS) and c.origin == ORIGIN or own_hex == ANONYMOUS:
            return ANONYMOUS
        if own_hex in self.commenters:
            self._same_author(c, self.commenters[own_hex])
            return str(own_hex)
        email = (c.author_email or "").strip()
        if not own_hex and not email:
            if c.author_name:
                self.lose("guest names without an email (written as anonymous)", c.origin)
            return ANONYMOUS
        hex_ = str(own_hex) if own_hex else (
            self.by_email.get(email.lower()) or hashlib.sha256(
                email.lower().encode("utf-8", "surrogatepass")).hexdigest())
        if hex_ not in self.commenters:
            self.by_email[email.lower()] = hex_
            self.made_for[hex_] = c.key
            self.commenters[hex_] = {
                "commenterHex": hex_, "email": email, "name": c.author_name or "",
                "link": c.author_url or "", "photo": "", "provider": "commento",
                "joinDate": utc_rfc3339(c.created_at) or ZERO_TIME, "isModerator": False,
            }
        return hex_

    def _same_author(self, c: Comment, entry: dict[str, Any]) -> None:
        """Note a comment whose author differs from its commenter's entry,
        which Commento shows instead."""
        mine = (c.author_name or "", c.author_email or "", c.author_url or "")
        theirs = (entry.get("name") or "", entry.get("email") or "", entry.get("link") or "")
        if mine != theirs:
            self.report.notes.append(
                f"comment {c.key}: its author is written as commenter "
                f"{entry.get('commenterHex')}'s name, email and link")

    def _write(self, data: dict[str, Any], key: str, order: tuple[str, ...], label: str) -> None:
        text, replaced = go_json(in_order(data, order), escape_html=True)
        if replaced:
            self.report.notes.append(f"comment {label}: lone surrogates written as U+FFFD")
        if self.first:
            self.out.write(b'{"version":1,"' + key.encode() + b'":[')
            self.first = False
        else:
            self.out.write(b",")
        self.out.write(text.encode("utf-8"))

    def finish(self) -> None:
        if self.first:
            self.out.write(b'{"version":1,"comments":[')
        self.out.write(b'],"commenters":[')
        for index, (hex_, entry) in enumerate(self.commenters.items()):
            text, replaced = go_json(in_order(entry, _COMMENTER_ORDER), escape_html=True)
            if replaced:
                whose = (f"comment {self.made_for[hex_]}: its commenter" if hex_ in self.made_for
                         else "commenter")
                self.report.notes.append(f"{whose} {hex_}: lone surrogates written as U+FFFD")
            self.out.write((b"," if index else b"") + text.encode("utf-8"))
        self.out.write(b"]}")
        self.report.written["commenter"] = len(self.commenters)


def write_commento(
    records: Iterable[Record], out: IO[bytes], *, domain: str | None = None
) -> WriteReport:
    """Write ``records`` as a gzip-compressed Commento export."""
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as compressed:
        writer = _Writer(compressed, domain)  # type: ignore[arg-type]
        writer.run(records)
        writer.finish()
    writer.summarise()
    return writer.report
