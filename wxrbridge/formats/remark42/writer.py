"""Writing a Remark42 backup that ``remark42 restore`` (or ``import
--provider=native``) takes: the meta line, then one comment a line.

Comments from a Remark42 backup come back as they were, every key kept in
their meta; comments from elsewhere are made the way Remark42's own
WordPress and Disqus importers make them (user ids ``wordpress_<sha1 of
the name>``, ``disqus_<sha1 of the username>``, ``imported`` set).
Remark42 has no pending or spam state and no pingbacks: those are left
out, and a reply of a comment left out goes under its nearest written
ancestor.  The meta line lists every post, so the comments are spooled
until the end.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable
from typing import IO, Any

from ...canonical import APPROVED, DELETED, POST_TRASHED, TRASH, comment_status
from ...outputs import SPOOL_IN_MEMORY, copy_range
from ...records import Comment, Record, Thread, User
from .. import WriteReport
from ..jsonkit import Placed, go_json, kept, nested
from ..jsonkit.writer import BackupWriter, gzipped, in_order
from ..wxr.plan import ORIGINAL_ID_KEY, ORIGINAL_PARENT_KEY
from .reader import ORIGIN, PREFIX, USER_ENTRY

# The meta the WXR writer adds when it renumbers comments: the ids it kept.
WXR_WRITERS_KEYS = frozenset({ORIGINAL_ID_KEY, ORIGINAL_PARENT_KEY})

DEFAULT_SITE = "remark"  # Remark42's default SITE
# Go's field order (backend/app/store/comment.go, user.go): the keys each
# object is written with, and those written even when empty.
_COMMENT_ORDER = ("id", "pid", "text", "orig", "user", "locator", "score", "votes",
                  "voted_ips", "vote", "controversy", "time", "edit", "pin", "delete",
                  "imported", "title")
_USER_ORDER = ("name", "id", "picture", "ip", "admin", "block", "verified",
               "email_subscription", "site_id", "paid_sub")


_NESTED = ("user", "locator")  # objects kept key by key



def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()  # noqa: S324


class _Writer(BackupWriter):
    format = "Remark42"
    origin = ORIGIN
    prefix = PREFIX
    statuses = {APPROVED: "", DELETED: "", TRASH: "", POST_TRASHED: ""}

    def __init__(self, spool: IO[bytes], site_id: str | None) -> None:
        super().__init__()
        self.spool = spool
        self.site_id = site_id
        self.users: list[Any] = []
        self.posts: list[Any] = []
        self.surrogates = 0

    def site(self) -> str:
        if self.site_id is not None:
            return self.site_id
        own = next((s.site for s in self.sources if s.origin == ORIGIN), None)
        return own or DEFAULT_SITE

    def user(self, user: User) -> None:
        entry = next((e.value for e in user.extras if e.name == USER_ENTRY), None)
        if user.origin == ORIGIN and entry is not None:
            self.users.append(json.loads(entry))
        else:
            self.lose(f"users ({self.format} keeps its users' flags only)", user.origin)

    def keeps_dangling(self, item: Placed) -> bool:
        return item.comment.origin == ORIGIN and item.dangling

    def thread_done(self, thread: Thread, placed: list[Placed]) -> None:
        values, _ = kept(PREFIX, thread.meta)
        post = values.get("post")
        url = thread.link or thread.key
        if isinstance(post, dict):
            self.posts.append(post)
        elif thread.comment_status == "closed":
            self.posts.append({"url": url, "read_only": True})
        if thread.origin != ORIGIN:
            self.lose("threads written as their URL and title alone", thread.origin)
            if not thread.link:
                self.report.notes.append(f"thread {thread.key}: no link; its key is the post URL")
            if not placed and not isinstance(post, dict) and thread.comment_status != "closed":
                self.report.left_out.append(f"thread {thread.key}: no comments to write")
        for item in placed:
            self._comment(item, thread, url)

    def _comment(self, item: Placed, thread: Thread, url: str) -> None:
        c = item.comment
        values = self.kept_values(c)
        own = c.origin == ORIGIN
        key = self.comment_id(c)
        user = nested(values, "user")
        user.update(name=c.author_name or "")
        user.setdefault("id", self._user_id(c))
        if not own:  # the fields Go always writes; a Remark42 line keeps its own
            user.setdefault("picture", "")
            user.setdefault("admin", False)
        if not own and c.author_ip and "ip" not in user:
            user["ip"] = c.author_ip
        locator = {"site": self.site_id or values.get("locator.site") or self.site(),
                   "url": url}
        data = {k: v for k, v in values.items() if k.split(".")[0] not in _NESTED}
        # A Remark42 comment keeps its parent as written, one no comment
        # has included (Remark42 shows it at the top level).
        keep_pid = own and (item.moved is None or self.keeps_dangling(item))
        parent = self.parent_id(item) or ""
        data.update(
            id=key, pid=(c.parent or "") if keep_pid else parent,
            text=c.content or "", user=in_order(user, _USER_ORDER), locator=locator,
            time=c.created_at if own and c.created_at else self.utc_time(c),
        )
        if not own:
            data.setdefault("score", 0)
            data.setdefault("vote", 0)
        if c.wp_approved == "deleted" or (not own and comment_status(c) != APPROVED):
            data["delete"] = True
        if not own:
            if not values:  # never a Remark42 comment: made as its importers do
                data["imported"] = True
            if thread.title:
                data.setdefault("title", thread.title)
            self._count_losses(c)
        text, replaced = go_json(in_order(data, _COMMENT_ORDER), escape_html=False)
        if replaced:
            self.report.notes.append(f"comment {c.key}: lone surrogates written as U+FFFD")
        self.spool.write(text.encode("utf-8") + b"\n")
        self.report.written["comment"] += 1

    def _user_id(self, c: Comment) -> str:
        if c.origin == ORIGIN:
            return c.dsq_username or ""
        if c.origin == "disqus":
            return "disqus_" + _sha1(c.dsq_username or c.author_name or "")
        return "wordpress_" + _sha1(c.author_name or "")

    def _count_losses(self, c: Comment) -> None:
        for what, value in (("comment emails (Remark42 keeps none)", c.author_email),
                            ("comment author URLs (Remark42 keeps none)", c.author_url),
                            ("local dates (Remark42 keeps UTC)", c.created_at_local)):
            if value:
                self.lose(what, c.origin)

    def header(self) -> bytes:
        meta = {"version": 1, "users": self.users, "posts": self.posts}
        text, _ = go_json(meta, escape_html=True)
        return text.encode("utf-8") + b"\n"


def write_remark42(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    site_id: str | None = None,
    split_path: str | None = None,
) -> WriteReport:
    """Write ``records`` as a Remark42 backup; gzip-compressed when the
    target's name (``split_path``) ends in ``.gz``, as restore expects."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        writer = _Writer(spool, site_id)
        writer.run(records)
        writer.summarise()
        target, compressed = gzipped(out, split_path)
        target.write(writer.header())
        end = spool.tell()
        copy_range(spool, target, 0, end)
        if compressed:
            target.close()
    report = writer.report
    report.written["post"] = len(writer.posts)
    report.written["user"] = len(writer.users)
    return report

