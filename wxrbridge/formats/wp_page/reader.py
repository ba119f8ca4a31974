"""Reading saved WordPress post pages as records.

A page is one post and the comments its theme lists (see :mod:`.markup`).
Pages are read as one source: the comment pages of a post
(``/comment-page-2/``, ``?cpage=2``) join into one thread, in page order,
and a comment two pages show is read once.  A page shows what any visitor
sees: approved comments (or one the visitor's own browser was told is
awaiting moderation), without emails or IP addresses; those are left
empty.  A comment by a site user (an author reply) is linked to that
user, under an id made up from its login (the page shows none; see
:mod:`.users`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlsplit

from lxml import html as lxml_html
from lxml.etree import ParserError
from lxml.html import HtmlElement

from ...errors import InputError
from ...inputs import Prepended, files_at
from ...records import Comment, ImportIssue, Record, Source, Thread
from . import FOLDER_FILES
from .cut import cut_of, end_if_cut
from .markup import Cut, PageComment, PostPage, parse, read_page
from .users import SiteUsers, login_unknown
from .warc import WARC_START, html_responses

ORIGIN = "wp-page"
# The saved pages of a folder.
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)", re.I | re.S)
# Words a WordPress page has early on (in its head: scripts, styles, links).
_WORDPRESS_MARKS = (b"wp-content", b"wp-includes", b"wp-json", b"wp-block-", b"wpemoji",
                    b"WordPress")


def detect(head: bytes) -> bool:
    """Whether the first bytes are an HTML page that WordPress made, or a
    web archive (WARC) that may hold such pages."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    if head.startswith(WARC_START):
        return True
    return _HTML_START.match(head) is not None and any(m in head for m in _WORDPRESS_MARKS)


def read_wp_page(stream: IO[bytes], *, name: str, recover: bool = False) -> Iterator[Record]:
    """Yield a :class:`Source`, the post's :class:`Thread`, the users the
    comments name and each :class:`Comment`, with :class:`ImportIssue`
    records for comments not read whole."""
    try:
        head = stream.read(len(WARC_START))
        if head == WARC_START:
            # A web archive is read record by record, never whole.
            archived = _archived_pages(cast("IO[bytes]", Prepended(head, stream)), name,
                                       recover)
        else:
            data = head + stream.read()
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=name) from None
    if head == WARC_START:
        yield from _read_pages(archived, name)
    else:
        yield from _read_pages([(name, _page(data, name, recover))], name)


def _archived_pages(archive: IO[bytes], name: str,
                    recover: bool) -> list[tuple[str, PostPage]]:
    """The pages with comments among the HTML pages a WARC holds (a crawl
    holds others too), each named by its URL: the parsed pages are kept,
    not their HTML."""
    pages = []
    for url, body in html_responses(archive, name):
        try:
            root = _parsed(body, f"{name}#{url}")
        except InputError:
            continue  # not an HTML page
        page = _listed_page(root, body, f"{name}#{url}", recover)
        if page is not None:  # else not a post page with comments
            pages.append((f"{name}#{url}", page))
    if not pages:
        raise InputError("no WordPress page with comments in this web archive", file=name)
    return pages


def read_wp_page_folder(location: str, *, recover: bool = False) -> Iterator[Record]:
    """The pages a location names (a folder's ``*.html`` / ``*.htm``
    files, a glob, or one file), read as one source."""
    pages = []
    for path in _paths(location):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", file=str(path)) from None
        pages.append((str(path), _page(data, str(path), recover)))
    yield from _read_pages(pages, location)


def _paths(location: str) -> list[Path]:
    found = files_at(location, FOLDER_FILES)
    if not found:
        raise InputError("no saved pages (*.html) there", file=location)
    return sorted(found)


def _page(data: bytes, name: str, recover: bool) -> PostPage:
    page = _listed_page(_parsed(data, name), data, name, recover)
    if page is None:
        end = end_if_cut(data)
        cut = "" if end is None else "; the page is cut off before it"
        raise InputError(f"no WordPress comments on this page (no comment list found{cut})",
                         file=name, line=end and end[0], column=end and end[1])
    return page


def _parsed(data: bytes, name: str) -> HtmlElement:
    try:
        return parse(data)
    except (ParserError, ValueError) as exc:
        raise InputError(f"not an HTML page: {exc}", file=name) from None


def _listed_page(root: HtmlElement, data: bytes, name: str, recover: bool) -> PostPage | None:
    """The page ``data`` (parsed: ``root``) holds, None when it has no
    comment list.  A page cut off is an input error at its end; with
    ``recover`` it is read, the comment the cut falls inside left out (see
    :mod:`.cut`)."""
    page = read_page(root)
    if not page.found_list:
        return None
    cut = cut_of(data, root, page)
    if cut is not None:
        if not recover:
            raise InputError(f"the page is cut off {cut.where}; --recover reads the comments"
                             " whole before the cut", file=name, line=cut.line,
                             column=cut.column)
        page.cut = cut
        page.comments = [c for c in page.comments if c is not cut.comment]
    return page


def _site(link: str | None) -> str | None:
    if not link:
        return None
    parts = urlsplit(link)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _read_pages(pages: list[tuple[str, PostPage]], name: str) -> Iterator[Record]:
    """Pages in post order, each post's comment pages by number."""
    site = next((s for s in (_site(p.link) for _, p in pages) if s), None)
    shown = [p for _, p in pages]
    yield Source(origin=ORIGIN, site=site or name, name=name, link=site,
                 base_site_url=site, base_blog_url=site, title=_known(shown, "site_name"),
                 language=_known(shown, "language"))
    by_post: dict[str, list[tuple[str, PostPage]]] = {}
    for file, page in pages:
        by_post.setdefault(_thread_key(page, file), []).append((file, page))
    users = SiteUsers((page for _, page in pages), ORIGIN)
    seen: set[str] = set()
    position = 0
    for key, group in by_post.items():
        group.sort(key=lambda item: item[1].page)
        yield _thread(key, group)
        read_before = len(seen)
        for file, page in group:
            for number, item in enumerate(page.comments, start=1):
                # A comment the page gives no id is known by its place.
                comment_key = item.wp_id or f"#{page.page}.{number}"
                if comment_key in seen:
                    continue
                seen.add(comment_key)
                position += 1
                user, how, new = users.of(item, page)
                if new and user is not None:
                    yield user
                yield from _issues(item, file, comment_key)
                if how is not None:
                    yield login_unknown(item, how, file, comment_key)
                yield _comment(item, comment_key, key, position,
                               None if user is None else user.wp_id)
            if page.cut is not None:
                yield _cut_issue(page.cut, page.page, len(page.comments) + 1, file)
        yield from _count_issue(key, group, len(seen) - read_before)


def _thread_key(page: PostPage, file: str) -> str:
    return page.post_id or page.link or file


def _thread(key: str, group: Iterable[tuple[str, PostPage]]) -> Thread:
    pages = [p for _, p in group]
    link = _known(pages, "link")
    return Thread(origin=ORIGIN, key=key, wp_post_id=_known(pages, "post_id"),
                  title=_known(pages, "title"), link=link, guid=link,
                  guid_is_permalink="false" if link else None,
                  created_at=_known(pages, "date"), created_at_local=_known(pages, "date_local"),
                  post_type="post", status="publish", slug=_slug(link))


def _known(pages: Iterable[PostPage], attribute: str) -> Any:
    """What the first page that shows it shows of ``attribute``."""
    return next((getattr(p, attribute) for p in pages if getattr(p, attribute)), None)


def _slug(link: str | None) -> str | None:
    """The post's slug, the last part of its pretty permalink
    (``/2021/03/saving-a-thread/``); None for a plain ``?p=N`` link or a
    number (``/archives/123``), which is not one."""
    parts = [p for p in urlsplit(link).path.split("/") if p] if link else []
    return parts[-1] if parts and not parts[-1].isdigit() else None


def _issues(item: PageComment, file: str, key: str) -> Iterator[ImportIssue]:
    if item.missing:
        yield ImportIssue(
            code="wp-page-comment-incomplete", severity="warning",
            reason=f"the page does not show the comment's {', '.join(item.missing)}:"
                   " kept without it",
            file=file, line=item.line, record_key=f"comment {key}",
        )


def _cut_issue(cut: Cut, page: int, number: int, file: str) -> ImportIssue:
    """What a page cut off lost: the comment the cut falls inside (left
    out), or that the page ends early."""
    comment = cut.comment
    if comment is None:
        return ImportIssue(code="wp-page-cut-off", severity="warning",
                           reason=f"the page is cut off {cut.where}", file=file,
                           line=cut.line, column=cut.column)
    element = comment.element
    shown = "" if element is None else lxml_html.tostring(element, encoding="unicode")
    return ImportIssue(
        code="wp-page-cut-comment", severity="rejected",
        reason=f"the page is cut off {cut.where}: that comment is left out, the comments"
               " before it are kept", fragment=shown[:2000] or None,
        record_key=f"comment {comment.wp_id or f'#{page}.{number}'}", file=file,
        line=cut.line, column=cut.column)


def _count_issue(key: str, group: list[tuple[str, PostPage]], read: int) -> Iterator[ImportIssue]:
    """A warning when the pages read are not all the post's comment pages,
    or show fewer comments than their heading says the post has (a page
    cut off)."""
    pages = [p for _, p in group]
    unread = sorted(set(range(1, max(p.last_page for p in pages) + 1)) - {p.page for p in pages})
    said = max((p.count for p in pages if p.count is not None), default=None)
    if unread:
        reason = (f"comment pages {', '.join(map(str, unread))} of the post are not among"
                  " those read (read all of a post's pages together: wp-page:DIR)")
    elif said is not None and read < said:
        reason = (f"the page says the post has {said} comments, {read} were read"
                  " (a page cut off, or comments hidden)")
    else:
        return
    yield ImportIssue(code="wp-page-comments-missing", severity="warning", reason=reason,
                      file=group[0][0], record_key=f"thread {key}")


def _comment(item: PageComment, key: str, thread: str, position: int,
             user: str | None) -> Comment:
    return Comment(
        origin=ORIGIN, key=key, thread=thread, wp_id=item.wp_id,
        parent=item.parent, author_name=item.author_name, author_url=item.author_url,
        created_at=item.created_at, created_at_local=item.created_at_local,
        content=item.content, wp_approved="0" if item.awaiting_moderation else "1",
        wp_type="" if item.kind == "comment" else item.kind, position=position,
        wp_user_id=user,
    )
