"""Merging a Disqus or Blogger export into stored WordPress data as it loads.

A Disqus thread that is a stored WXR item, and a Disqus post that is a
stored WordPress comment, become fields of those rows (the rules of
matching are merge.py's); the rest are stored as records of their own.  A
Blogger post that is a stored WXR item is not stored again, its comments
join the item, and a Blogger comment that a WordPress comment is a copy of
is not stored again either.  (load_merge_stored.py merges the other way,
when the WXR comes second.)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..canonical import (
    comment_fingerprint,
    parent_reference,
    utc_or_none,
    wp_id_in_identifier,
)
from ..records import Comment, ImportIssue, Thread
from .load_issues import IssueLog, LoadReport
from .load_thread_ids import ThreadIds
from .merge import FingerprintIndex, Matcher
from .tables import comments_t, threads_t

# What a matched Disqus record adds to the stored WordPress row: its own
# fields, which the records name with a dsq_ prefix (and the identifier).
DSQ_THREAD_FIELDS = ("identifier",) + tuple(
    f.name for f in fields(Thread) if f.name.startswith("dsq_")
)
DSQ_COMMENT_FIELDS = tuple(f.name for f in fields(Comment) if f.name.startswith("dsq_"))


def unmatched_thread(
    key: str, where: str | None, what: str = "Disqus thread", by: str = "identifier, URL"
) -> ImportIssue:
    return ImportIssue(
        "unmatched-thread",
        f"{what} {key!r} ({where or 'no link'}) matches no WordPress "
        f"item by {by} or URL map; kept as a thread of its own",
        record_key=f"thread {key}",
    )


def unmatched_comment(key: str, wp_id: str) -> ImportIssue:
    return ImportIssue(
        "unmatched-comment",
        f"Disqus post {key!r} says it is WordPress comment {wp_id}, "
        "which is not stored in its thread; kept as a comment of its own",
        record_key=f"comment {key}",
    )


def unmatched_post(key: str, link: str | None) -> ImportIssue:
    return unmatched_thread(key, link, "Blogger post", "URL")


def extras_not_kept(key: str, dropped: object, what: str = "Disqus post") -> ImportIssue:
    return ImportIssue(
        "merged-extras-not-kept",
        f"meta or unknown elements of a {what} merged into a WordPress comment "
        "are not kept",
        severity="rejected",
        record_key=f"comment {key}",
        fragment=repr(dropped)[:2000],
    )


@dataclass
class DisqusMerge:
    """Matches one import's Disqus records to stored WordPress rows.

    ``thread_ids`` and ``user_ids_by_wp_id`` are the loader's own maps, which
    a match adds to.
    """

    matcher: Matcher
    report: LoadReport
    issues: IssueLog
    thread_ids: ThreadIds
    user_ids_by_wp_id: dict[str, int]
    merged_threads: set[str] = field(default_factory=set, init=False)

    def threads(self, threads: list[Thread]) -> list[Thread]:
        """Disqus threads that are stored WXR items become fields of those
        items; the rest are returned to be stored as threads of their own."""
        if not self.matcher.has_wxr:
            return threads
        unmatched, updates = [], []
        for record in threads:
            target = self.matcher.thread(record.identifier, record.link)
            if target is None:
                unmatched.append(record)
                self.issues.add(unmatched_thread(record.key, record.link or record.identifier))
                continue
            self.thread_ids.merged(record.key, target)
            self.merged_threads.add(record.key)
            updates.append(
                {"target": target, **{f: getattr(record, f) for f in DSQ_THREAD_FIELDS}}
            )
        self.matcher.write_fields(threads_t, updates)
        self.report.counts["thread merged"] += len(updates)
        return unmatched

    def comments(self, comments: list[Comment]) -> list[Comment]:
        """Disqus posts that are stored WordPress comments (``wp_id=N`` in a
        merged thread) become fields of those comments; the rest go on."""
        if not self.matcher.has_wxr:
            return comments
        wanted: dict[int, tuple[int, str]] = {}
        for index, record in enumerate(comments):
            wp_id = wp_id_in_identifier(record.dsq_identifier)
            if wp_id is not None and record.thread in self.merged_threads:
                wanted[index] = (self.thread_ids[record.thread], wp_id)
        found = self.matcher.comments_by_wp_id(list(wanted.values()))
        rest, updates = [], []
        for index, record in enumerate(comments):
            pair = wanted.get(index)
            target = found.get(pair) if pair else None
            if target is None:
                if pair is not None:
                    self.issues.add(unmatched_comment(record.key, pair[1]))
                user = self.matcher.user(record.dsq_username, record.author_email)
                if user is not None and user[1] is not None:
                    # A mapped author writes as that site user: the row links
                    # to it as a WordPress comment's comment_user_id would.
                    record.wp_user_id = user[1]
                    self.user_ids_by_wp_id.setdefault(user[1].strip(), user[0])
                rest.append(record)
                continue
            updates.append(
                {"target": target, **{f: getattr(record, f) for f in DSQ_COMMENT_FIELDS}}
            )
            if record.meta or record.extras:
                self.issues.add(extras_not_kept(record.key, (record.meta, record.extras)))
        self.matcher.write_fields(comments_t, updates)
        self.report.counts["comment merged"] += len(updates)
        return rest


@dataclass
class BloggerMerge:
    """Matches one import's Blogger posts and comments to stored WordPress
    items and comments; ``thread_ids`` is the loader's map, which a matched
    post adds to."""

    matcher: Matcher
    report: LoadReport
    issues: IssueLog
    thread_ids: ThreadIds
    merged_threads: dict[str, int] = field(default_factory=dict, init=False)
    # The WordPress comments of the merged items, read once for the whole
    # import and kept up to date as comments are taken.
    fingerprints: FingerprintIndex = field(default_factory=FingerprintIndex, init=False)

    def threads(self, threads: list[Thread]) -> list[Thread]:
        """The posts that are no stored WordPress item, to be stored."""
        if not self.matcher.has_wxr:
            return threads
        unmatched = []
        for record in threads:
            target = self.matcher.thread(None, record.link)
            if target is None:
                unmatched.append(record)
                self.issues.add(unmatched_post(record.key, record.link))
                continue
            self.thread_ids.merged(record.key, target)
            self.merged_threads[record.key] = target
        self.report.counts["thread merged"] += len(threads) - len(unmatched)
        return unmatched

    def comments(self, comments: list[Comment]) -> list[Comment]:
        """The comments that are no stored WordPress comment, to be stored."""
        merged = self.merged_threads
        if not merged:
            return comments
        index = self.matcher.comments_by_fingerprint(
            [merged[c.thread] for c in comments if c.thread in merged], self.fingerprints
        )
        rest, updates = [], []
        for record in comments:
            thread_id = merged.get(record.thread)
            found = None
            if thread_id is not None:
                fingerprint = comment_fingerprint(
                    record.author_name, utc_or_none(record.created_at), record.content
                )
                found = index.take(thread_id, record.key, fingerprint)
            if found is None:
                rest.append(record)
                continue
            target, new = found
            if new:
                updates.append({"target": target, "merged_key": record.key,
                                "merged_parent_key": parent_reference(record)})
            self.report.counts["comment merged"] += 1
            if record.meta or record.extras:
                self.issues.add(
                    extras_not_kept(record.key, (record.meta, record.extras), "Blogger comment")
                )
        self.matcher.write_fields(comments_t, updates)
        return rest
