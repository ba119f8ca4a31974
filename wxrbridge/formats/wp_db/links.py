"""Posts' permalinks, made as WordPress makes them from its settings.

WordPress does not store a post's link: it builds it from the ``home``
option, the ``permalink_structure`` option and the post's own fields
(``get_permalink`` in ``wp-includes/link-template.php``).  These are the
same rules, for what a database holds: the built-in post, page and
attachment types.  A custom post type's rewrite rules are registered by
code, not stored, so its link is the plain one WordPress falls back to
(``?post_type=TYPE&p=ID``), which the site answers as well.  Plugins'
``post_link`` filters are not run.

A post keeps a plain link (``?p=ID``) unless it is published or private:
the export an administrator makes shows a private post's pretty link too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# Statuses whose posts get the pretty permalink (see the module's text).
_PRETTY = frozenset({"publish", "private"})
# A structure that starts with index.php ("PATHINFO" permalinks) puts it
# before page paths as well.
_INDEX = re.compile(r"^/*index\.php")
_DATE = re.compile(r"[-: ]")
# The permalink structure tags WordPress fills from a post (rewrite tags
# that plugins register are PHP code, not in the database).
_TAG = re.compile("%(?:year|monthnum|day|hour|minute|second|postname|post_id|category|author"
                  "|pagename)%")


@dataclass
class PostRow:
    """The fields of a post its link is made from."""

    id: int
    type: str
    status: str
    slug: str
    parent: int
    date: str  # post_date, local, as stored
    author: int


@dataclass
class Permalinks:
    """A site's link settings and the posts and terms links refer to."""

    home: str
    structure: str = ""
    show_on_front: str = ""
    page_on_front: int = 0
    posts: Mapping[int, PostRow] = field(default_factory=dict)
    author_nicenames: Mapping[int, str] = field(default_factory=dict)
    # Each post's category slug path ("parent/child"), and the default one.
    categories: Mapping[int, str] = field(default_factory=dict)
    default_category: str = ""

    def home_url(self, path: str = "") -> str:
        return f"{self.home}/{path.lstrip('/')}" if path else self.home

    def trailing(self, url: str) -> str:
        """The URL with a trailing slash when the structure ends in one,
        without one otherwise."""
        bare = url.rstrip("/\\")
        return bare + "/" if self.structure.endswith("/") else bare

    def pretty(self, post: PostRow) -> bool:
        status = post.status
        if post.type == "attachment" and status == "inherit":
            parent = self.posts.get(post.parent)
            status = parent.status if parent is not None else "publish"
        return bool(self.structure) and status in _PRETTY

    def link(self, post: PostRow) -> str:
        """The post's permalink."""
        if post.type == "page":
            if self.show_on_front == "page" and self.page_on_front == post.id:
                return self.home_url("/")
            return self.page_link(post)
        if post.type == "attachment":
            return self.attachment_link(post)
        if post.type != "post":
            return self.home_url(f"?post_type={post.type}&p={post.id}")
        if not self.pretty(post):
            return self.home_url(f"?p={post.id}")
        return self.trailing(self.home_url(self.filled(post)))

    def filled(self, post: PostRow) -> str:
        """The permalink structure with the post's values in its tags."""
        date = (_DATE.split(post.date) + ["", "", "", "", "", ""])[:6]
        values = {
            "%year%": date[0], "%monthnum%": date[1], "%day%": date[2],
            "%hour%": date[3], "%minute%": date[4], "%second%": date[5],
            "%postname%": post.slug, "%post_id%": str(post.id),
            "%category%": self.categories.get(post.id, self.default_category),
            "%author%": self.author_nicenames.get(post.author, ""),
            "%pagename%": post.slug,
        }
        return _TAG.sub(lambda m: values[m.group(0)], self.structure)

    def page_uri(self, post: PostRow) -> str:
        """A page's path: its ancestors' slugs, then its own."""
        parts = [post.slug]
        seen = {post.id}
        parent = self.posts.get(post.parent)
        while parent is not None and parent.id not in seen:
            seen.add(parent.id)
            if parent.slug:
                parts.append(parent.slug)
            parent = self.posts.get(parent.parent)
        return "/".join(reversed(parts))

    def page_link(self, post: PostRow) -> str:
        """A page's link, whether or not it is the front page."""
        if not self.pretty(post):
            return self.home_url(f"?page_id={post.id}")
        root = "index.php/" if _INDEX.match(self.structure) else ""
        return self.trailing(self.home_url(root + self.page_uri(post)))

    def attachment_link(self, post: PostRow) -> str:
        parent = self.posts.get(post.parent) if post.parent else None
        plain = self.home_url(f"/?attachment_id={post.id}")
        if not self.pretty(post) or (post.parent and (parent is None or parent.id == post.id)):
            return plain
        if parent is None:
            return self.trailing(self.home_url(post.slug))
        parent_link = self.page_link(parent) if parent.type == "page" else self.link(parent)
        if "?" in parent_link:
            return plain
        name = post.slug
        if post.slug.isdigit() or "%category%" in self.structure:
            name = f"attachment/{post.slug}"
        return self.trailing(parent_link.rstrip("/\\") + "/" + name)
