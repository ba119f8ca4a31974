"""Making a Disqus user's comments author replies in WordPress.

``--map-user DISQUS_NAME=WP_LOGIN`` on an import links the Disqus user to a
WordPress account stored beside it.  A plain Disqus-to-WXR convert has no
WordPress accounts, yet the site author's replies should still arrive as
author replies.  WordPress's importer links a comment to a user only through
``comment_user_id`` and a ``wp:author`` with that id, and it maps each
``wp:author`` to an account by login; so this step adds a ``wp:author`` with
the login (and an id of our own making unless the data already has that
login) and sets ``comment_user_id`` on the Disqus user's comments.

Disqus users are matched by their Disqus username, as on import: the name
shown beside a comment is free text any guest can type.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from .canonical import site_user_id
from .records import Comment, Record, Thread, User

# Made-up author ids start above this, far from the ids of a real site's
# accounts, so they cannot be mistaken for one.
MADE_UP_ID_FLOOR = 1_000_000


def made_up_id(login: str) -> str:
    """An author id of our own making for a login that comes with none (a
    saved page names its users by login only): the same for that login in
    every file, so that pages of one site imported apart link one user.
    Drawn from a hash of the login, above the floor; two logins of one
    site share one with odds of about one in four billion."""
    digest = hashlib.sha256(login.encode("utf-8")).digest()
    return str(MADE_UP_ID_FLOOR + 1 + int.from_bytes(digest[:4], "big"))


class UserMap:
    """A record-stream step: ``records = UserMap({...}).apply(records)``.

    ``notes`` says what it did once the stream has been read through.
    """

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = dict(mapping)
        self.notes: list[str] = []
        self.ids: dict[str, str] = {}  # login -> author_id written
        self.made_up: set[str] = set()
        self.linked: Counter[str] = Counter()

    def apply(self, records: Iterable[Record]) -> Iterator[Record]:
        users: dict[str, str | None] = {}
        highest = MADE_UP_ID_FLOOR
        started = False
        for record in records:
            if not started:
                if isinstance(record, User):
                    if record.login:
                        users.setdefault(record.login, record.wp_id)
                    number = (record.wp_id or "").strip()
                    if number.isdigit():
                        highest = max(highest, int(number))
                elif isinstance(record, (Thread, Comment)):
                    # WordPress's importer and our writers want authors
                    # before the first item.
                    started = True
                    yield from self._authors(users, highest)
            if isinstance(record, Comment):
                record = self._linked(record)
            yield record
        if not started:
            yield from self._authors(users, highest)
        self._report()

    def _authors(self, users: dict[str, str | None], highest: int) -> Iterator[User]:
        for login in dict.fromkeys(self.mapping.values()):
            known = users.get(login)
            if known is not None and known.strip():
                self.ids[login] = known.strip()
                continue
            highest += 1
            self.ids[login] = str(highest)
            self.made_up.add(login)
            yield User(origin="wxr", wp_id=str(highest), login=login, email="",
                       display_name=login, first_name="", last_name="")

    def _linked(self, comment: Comment) -> Comment:
        username = (comment.dsq_username or "").strip()
        if comment.origin != "disqus" or username not in self.mapping:
            return comment
        if site_user_id(comment.wp_user_id) is not None:
            return comment  # already linked, by the import's own mapping
        login = self.mapping[username]
        self.linked[username] += 1
        return replace(comment, wp_user_id=self.ids[login])

    def _report(self) -> None:
        for username, login in self.mapping.items():
            count = self.linked[username]
            if not count:
                self.notes.append(f"--map-user {username}={login}: no comment by Disqus"
                                  f" user {username} needed linking")
                continue
            author_id = self.ids[login]
            made_up = (f"; author_id {author_id} is made up (WordPress's importer maps"
                       " the author to an account by login)" if login in self.made_up else "")
            comments = "1 comment" if count == 1 else f"{count} comments"
            self.notes.append(f"{comments} by Disqus user {username} written as author"
                              f" replies of {login} (comment_user_id {author_id}){made_up}")
