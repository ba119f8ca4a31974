"""Telling where a saved page is cut off (a download or a crawl stopped
short), and which of its comments the cut leaves unreadable.

A whole page ends with ``</body>`` or ``</html>`` (a cache plugin may add
a comment after it), or at least outside every element but those two.
lxml reads a cut page as a browser does, closing every element open at
the end; those are found again as the chain of last children with
nothing after them.  A comment's parts (author, date,
content) come before its replies in every markup WordPress renders, so a
comment on that chain is whole when none of its parts is (the cut falls
among its replies, or after its parts) and every part was found; else the
cut falls inside it.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .markup import Cut, PageComment, PostPage

# A page's end, looked for in its last bytes.
_PAGE_END = re.compile(rb"</(?:body|html)\s*>", re.I)
_TAIL = 1 << 16


def cut_of(data: bytes, root: HtmlElement, page: PostPage) -> Cut | None:
    """Where ``page`` (parsed from ``data`` into ``root``) is cut off, or
    None when it ends as a page does."""
    end = end_if_cut(data)
    if end is None:
        return None
    line, column = end
    # The elements are held while their ids are compared (lxml makes an
    # element's Python object anew once none is held).
    chain = _open_elements(root)
    if all(e.tag in ("html", "body") for e in chain):
        # Ended between the body's elements: whole, its optional end tags
        # left out (as minifiers do); a cut there would lose no comment.
        return None
    open_at_end = {id(e) for e in chain}
    inside = [c for c in page.comments if c.element is not None and id(c.element) in open_at_end]
    if inside:
        # The replies of those around it came after their parts: only the
        # innermost can be cut in its own.
        comment = inside[-1]
        cut_parts = any(id(p) in open_at_end for p in comment.parts)
        if cut_parts or set(comment.missing) - {"id"}:
            return Cut(line, column, f"inside comment {_named(comment)}", comment)
        return Cut(line, column, f"after the parts of comment {_named(inside[-1])}, among or "
                                 "before its replies (those after the cut are not on it)", None)
    last = page.comments[-1].element if page.comments else None
    if last is not None and id(last.getparent()) in open_at_end:
        return Cut(line, column, f"in the comment list after comment {_named(page.comments[-1])}"
                                 " (the comments after the cut are not on it)", None)
    if not page.comments:
        return Cut(line, column, "before any comment", None)
    return Cut(line, column, "after its comments (each is whole)", None)


def end_if_cut(data: bytes) -> tuple[int, int] | None:
    """The line and column where the page ends, when it is cut off."""
    if _PAGE_END.search(data, max(0, len(data) - _TAIL)) is not None:
        return None
    column = len(data[data.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
    return data.count(b"\n") + 1, column


def _open_elements(root: HtmlElement) -> list[HtmlElement]:
    """The elements the end of the data fell inside: from the root, each
    last child with no text after it."""
    found = [root]
    node = root
    while len(node):
        last = node[-1]
        if not isinstance(last.tag, str) or last.tail:
            break
        found.append(last)
        node = last
    return found


def _named(comment: PageComment) -> str:
    where = f" (line {comment.line})" if comment.line is not None else ""
    return f"{comment.wp_id or 'without an id'}{where}"
