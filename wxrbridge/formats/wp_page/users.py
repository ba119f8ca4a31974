"""The site users a saved page's comments are by.

A comment by a logged-in user is classed ``byuser`` (``bypostauthor`` when
the user wrote the post) and ``comment-author-LOGIN``; the page shows no
user id, so the user's is made up from the login.  Some themes and
plugins (those that hide logins) leave ``comment-author-LOGIN`` out: such a
comment is still a site user's.  Its login is taken, where the pages show
it, from the post's byline (``bypostauthor``: the post author's archive
link names them) or from another comment of the same author name that
names its login; else the user is one without a login, its id made up
from the author name, and the comment is reported.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...records import ImportIssue, User
from ...usermap import made_up_id
from .markup import PageComment, PostPage


class SiteUsers:
    """The users of the pages read, made once each."""

    def __init__(self, pages: Iterable[PostPage], origin: str) -> None:
        self.origin = origin
        self.users: dict[str, User] = {}
        # The login a user's name goes with where a comment names both.
        self.logins = {c.author_name: c.login for p in pages for c in p.comments
                       if c.login and c.author_name}

    def of(self, item: PageComment,
           page: PostPage) -> tuple[User | None, str | None, bool]:
        """The user a comment is by (None: a guest's), how it was found
        when its class does not name the login (None: it does), and whether
        the user is new (met first in this comment)."""
        if not item.site_user:
            return None, None, False
        login, how = item.login, None
        if login is None:
            if item.by_post_author and page.author_login:
                login, how = page.author_login, "the post's author, by its byline"
            elif self.logins.get(item.author_name or ""):
                login = self.logins[item.author_name or ""]
                how = "the user another comment of that author name names"
            else:
                how = "a user without a login, its id made up from the author name"
        # Keys of logins and of names cannot meet: a nicename has no ":".
        key = login or f"name:{item.author_name or ''}"
        new = key not in self.users
        if new:
            self.users[key] = User(origin=self.origin, wp_id=made_up_id(key), login=login,
                                   display_name=item.author_name)
        return self.users[key], how, new


def login_unknown(item: PageComment, how: str, file: str, key: str) -> ImportIssue:
    """The warning for a site user's comment whose class names no login."""
    marks = "bypostauthor" if item.by_post_author else "byuser"
    return ImportIssue(
        code="wp-page-login-unknown", severity="warning",
        reason=f"the page marks the comment a site user's ({marks}) without naming the"
               f" login (no comment-author-LOGIN class): linked to {how}",
        file=file, line=item.line, record_key=f"comment {key}",
    )
