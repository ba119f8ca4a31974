"""Finding a post and its comments in the HTML a WordPress theme renders.

``wp_list_comments()`` marks every comment with an element whose id is
``comment-N`` (html5 format, block themes) or ``li-comment-N`` (XHTML
format), classed ``comment``, ``pingback`` or ``trackback``; a reply sits
inside its parent's element, in a ``ul.children`` / ``ol.children`` list
(a plain ``ol`` in block themes), so a comment's parent is the nearest
comment element around it.  The parts of a comment are found by the
classes the three markups use: html5 (``.comment-author .fn``,
``.comment-metadata time[datetime]``, ``.comment-content``), XHTML
(``cite.fn``, ``.comment-meta`` with the date as text, paragraphs after
the meta) and the ``core/comments`` blocks (``.wp-block-comment-*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit, urlunsplit

from lxml import html as lxml_html
from lxml.html import HtmlElement

_COMMENT_ID = re.compile(r"^(?:li-)?comment-(\d+)$")
_PAGE_IN_PATH = re.compile(r"/comment-page-(\d+)/?$")
_POST_ID_CLASS = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
_AUTHOR_CLASS = re.compile(r"^comment-author-(.+)$")
# The post author's archive, which the byline links to: /author/NICENAME/.
_AUTHOR_ARCHIVE = re.compile(r"/author/([^/?#]+)/?$")
_KINDS = ("comment", "pingback", "trackback")
# XHTML's date is the site's date and time formats as text; these are the
# formats WordPress offers in its settings (the default first).
_TEXT_DATES = ("%B %d, %Y at %I:%M %p", "%B %d, %Y at %H:%M", "%Y-%m-%d at %I:%M %p",
               "%Y-%m-%d at %H:%M", "%d/%m/%Y at %H:%M", "%m/%d/%Y at %I:%M %p",
               "%d %B %Y at %H:%M")
# The document title's parts: the post's title, a dash, the site's name.
_TITLE_PARTS = re.compile(r"\s[\u2013\u2014|-]\s")
# Parts of an XHTML comment's body that are not its content.
_NOT_CONTENT = ("comment-author", "comment-meta", "reply", "comment-awaiting-moderation")


def classes(element: HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


def _elements(element: HtmlElement, xpath: str) -> list[HtmlElement]:
    return [e for e in element.xpath(xpath) if isinstance(e, HtmlElement)]


def _strings(element: HtmlElement, xpath: str) -> list[str]:
    """The values of an attribute-selecting ``xpath``."""
    return [str(v) for v in element.xpath(xpath) if isinstance(v, str)]


def _first(element: HtmlElement, xpath: str) -> HtmlElement | None:
    found = _elements(element, xpath)
    return found[0] if found else None


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


@dataclass
class PageComment:
    """One comment as its page shows it; ``missing`` names the parts that
    could not be found."""

    wp_id: str | None  # None: the page gives it no id
    parent: str | None
    kind: str
    line: int | None
    author_name: str | None = None
    author_url: str | None = None
    created_at: str | None = None  # UTC, ``YYYY-MM-DD HH:MM:SS``
    created_at_local: str | None = None
    content: str | None = None
    login: str | None = None
    site_user: bool = False  # byuser, bypostauthor or comment-author-LOGIN
    by_post_author: bool = False  # bypostauthor
    awaiting_moderation: bool = False
    missing: list[str] = field(default_factory=list)
    # The comment's element and those its parts were read from (to tell,
    # on a page cut off, whether the cut falls inside them).
    element: HtmlElement | None = field(default=None, repr=False, compare=False)
    parts: list[HtmlElement] = field(default_factory=list, repr=False, compare=False)


@dataclass
class PostPage:
    """What one saved page shows of its post."""

    post_id: str | None
    link: str | None
    page: int
    title: str | None
    date: str | None  # UTC
    date_local: str | None
    comments: list[PageComment]
    found_list: bool
    count: int | None  # the comments the page's heading says the post has
    last_page: int  # the highest comment page the page links to
    cut: Cut | None = None  # where the page ends, when it is cut off
    author_login: str | None = None  # of the post's author, from its byline link
    site_name: str | None = None
    language: str | None = None  # the page's lang, as WordPress writes it: en-US


@dataclass
class Cut:
    """Where a page cut off ends (line and column of its last byte's end),
    what the cut falls in, and the comment it leaves unreadable (None: each
    comment the page shows is whole)."""

    line: int
    column: int
    where: str
    comment: PageComment | None




def parse(data: bytes) -> HtmlElement:
    return lxml_html.document_fromstring(data)


def canonical_link(root: HtmlElement) -> tuple[str | None, int]:
    """The post's URL (the canonical link, without a comment page) and
    the comment page this is (1 when none is named)."""
    for path in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = _strings(root, path)
        if found and found[0].strip():
            return comment_page(found[0].strip())
    return None, 1


def comment_page(href: str) -> tuple[str, int]:
    """A link without its comment page (``/comment-page-N/``,
    ``cpage=N``) or fragment, and that page's number (1 when none)."""
    parts = urlsplit(href)
    page = 1
    path = parts.path
    match = _PAGE_IN_PATH.search(path)
    if match:
        page = int(match.group(1))
        path = path[: match.start()] + "/"
    query = parse_qs(parts.query, keep_blank_values=True)
    if "cpage" in query:
        page = int(query["cpage"][0]) if query["cpage"][0].isdigit() else page
        query.pop("cpage")
    rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
    return urlunsplit((parts.scheme, parts.netloc, path, rest, "")), page


def _last_page(root: HtmlElement, link: str | None) -> int:
    """The highest comment page of the post the page links to (its
    comment navigation), at least 1."""
    last = 1
    if link is None:
        return last
    for href in _strings(root, "//a/@href"):
        if "comment-page-" in href or "cpage=" in href:
            base, page = comment_page(href)
            if base == link:
                last = max(last, page)
    return last


def _post_id(root: HtmlElement) -> str | None:
    body = _first(root, "//body")
    if body is not None:
        match = _POST_ID_CLASS.search(body.get("class") or "")
        if match:
            return match.group(1)
    for href in root.xpath("//link[@rel='shortlink']/@href"):
        ids = parse_qs(urlsplit(str(href)).query).get("p")
        if ids and ids[0].isdigit():
            return ids[0]
    return None


def _dates(value: str | None) -> tuple[str | None, str | None]:
    """A ``datetime`` attribute as UTC and local ``YYYY-MM-DD HH:MM:SS``."""
    if not value:
        return None, None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None, None
    local = moment.replace(tzinfo=None).isoformat(" ", "seconds")
    if moment.tzinfo is None:
        return None, local
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "seconds"), local


def _text_date(text: str) -> str | None:
    """An XHTML comment's date text as a local date, when it is in one of
    the formats WordPress offers."""
    cleaned = " ".join(text.split())
    for pattern in _TEXT_DATES:
        try:
            return datetime.strptime(cleaned, pattern).isoformat(" ", "seconds")
        except ValueError:
            continue
    return None


def _title(root: HtmlElement) -> str | None:
    for path in (f"//h1[{_has_class('entry-title')}]", f"//*[{_has_class('wp-block-post-title')}]",
                 "//meta[@property='og:title']/@content", "//title"):
        found = root.xpath(path)
        if found:
            item = found[0]
            text = str(item) if isinstance(item, str) else item.text_content()
            if path == "//title":
                # The document title adds the site's name after a dash.
                text = _TITLE_PARTS.split(text)[0]
            text = " ".join(text.split())
            if text:
                return text
    return None


def _post_date(root: HtmlElement) -> tuple[str | None, str | None]:
    for path in ("//meta[@property='article:published_time']/@content",
                 f"//time[{_has_class('entry-date')}]/@datetime",
                 f"//*[{_has_class('wp-block-post-date')}]//time/@datetime"):
        found = root.xpath(path)
        if found:
            return _dates(str(found[0]))
    return None, None


def _inner_html(element: HtmlElement, skip: tuple[str, ...] = ()) -> str:
    """The markup inside ``element``, trimmed, up to its replies, leaving
    out children with one of the classes ``skip`` names."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag in ("ul", "ol") and (
                "children" in classes(child)):
            break
        if skip and any(c in skip or c == "commentmetadata" for c in classes(child)):
            parts.append(child.tail or "")
            continue
        parts.append(lxml_html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def _comment_elements(root: HtmlElement) -> list[HtmlElement]:
    """The elements that are comments, in document order: those with a
    comment's id and class (``li-comment-N`` when a theme uses both ids,
    as XHTML did), and list items classed as pings without an id (older
    themes, such as Twenty Ten, list pings so)."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        kinds = classes(element)
        if _COMMENT_ID.match(element.get("id") or "") is not None:
            if any(k in kinds for k in _KINDS):
                found.append(element)
        elif element.tag == "li" and ("pingback" in kinds or "trackback" in kinds):
            found.append(element)
    return found


def _comment_id(element: HtmlElement) -> str | None:
    match = _COMMENT_ID.match(element.get("id") or "")
    return match.group(1) if match else None


class _Parts:
    """Finds the parts of one comment: matches inside its replies belong
    to them and are passed over."""

    def __init__(self, element: HtmlElement, comments: set[int]) -> None:
        self.element = element
        self.comments = comments

    def find(self, xpath: str) -> HtmlElement | None:
        for found in _elements(self.element, xpath):
            owner = next((a for a in found.iterancestors() if id(a) in self.comments), None)
            if owner is self.element:
                return found
        return None


def _read_comment(element: HtmlElement, parent: str | None, comments: set[int]) -> PageComment:
    kinds = classes(element)
    kind = next((k for k in ("pingback", "trackback") if k in kinds), "comment")
    comment = PageComment(_comment_id(element), parent, kind, element.sourceline,
                          element=element)
    if comment.wp_id is None:
        comment.missing.append("id")
    comment.login = next((m.group(1) for m in map(_AUTHOR_CLASS.match, kinds) if m), None)
    comment.by_post_author = "bypostauthor" in kinds
    comment.site_user = bool(comment.login) or comment.by_post_author or "byuser" in kinds
    parts = _Parts(element, comments)
    name = parts.find(f".//*[{_has_class('fn')} or {_has_class('wp-block-comment-author-name')}]")
    if kind != "comment" and name is None:
        # A ping is its author's link after the words "Pingback:".
        name = parts.find(f".//a[@href][not({_has_class('comment-edit-link')})]")
    if name is not None:
        comment.parts.append(name)
        link = name if name.tag == "a" else _first(name, ".//a[@href]")
        comment.author_name = " ".join(name.text_content().split()) or None
        comment.author_url = link.get("href") if link is not None else ""
    else:
        comment.missing.append("author")
    time = parts.find(".//time[@datetime]")
    if time is not None:
        comment.parts.append(time)
        comment.created_at, comment.created_at_local = _dates(time.get("datetime"))
    else:
        meta = parts.find(f".//*[{_has_class('commentmetadata')}]/a")
        if meta is not None:
            comment.parts.append(meta)
            comment.created_at_local = _text_date(meta.text_content())
    if comment.created_at is None and comment.created_at_local is None and kind == "comment":
        comment.missing.append("date")
    body = parts.find(f".//*[{_has_class('comment-content')} or "
                           f"{_has_class('wp-block-comment-content')}]")
    if body is not None:
        comment.parts.append(body)
        comment.content = _inner_html(body)
    else:
        # XHTML: the comment's text is loose in its body, among its parts,
        # or (Twenty Ten) in a .comment-body of its own there.
        xhtml = parts.find(f".//div[@id='div-comment-{comment.wp_id}' or "
                           f"@id='comment-{comment.wp_id}']")
        inner = _first(xhtml, f".//*[{_has_class('comment-body')}]") if xhtml is not None else None
        comment.parts.extend(e for e in (xhtml, inner) if e is not None)
        if inner is not None and kind == "comment":
            comment.content = _inner_html(inner)
        elif xhtml is not None and kind == "comment":
            comment.content = _inner_html(xhtml, _NOT_CONTENT)
        elif kind == "comment":
            comment.missing.append("content")
    comment.awaiting_moderation = bool(parts.find(
        f".//*[{_has_class('comment-awaiting-moderation')}]") is not None)
    return comment


def _count(root: HtmlElement) -> int | None:
    """The number in the comments' heading ("11 comments", "11 responses
    to …"), which counts every approved comment, on every comment page."""
    heading = _first(root, f"//*[{_has_class('comments-title')} or @id='comments-title' or "
                           f"{_has_class('wp-block-comments-title')}]")
    match = re.search(r"\d[\d,.\s]*", heading.text_content()) if heading is not None else None
    return int(re.sub(r"\D", "", match.group())) if match else None


def read_page(root: HtmlElement) -> PostPage:
    """The post and comments one parsed page shows."""
    link, page = canonical_link(root)
    elements = _comment_elements(root)
    ids = {id(e): _comment_id(e) for e in elements}
    comments: list[PageComment] = []
    seen: set[str] = set()
    for element in elements:
        wp_id = ids[id(element)]
        if wp_id is not None:
            if wp_id in seen:
                continue  # the same id twice: the first stands
            seen.add(wp_id)
        parent = None
        for ancestor in element.iterancestors():
            if ids.get(id(ancestor)) is not None:
                parent = ids[id(ancestor)]
                break
        comments.append(_read_comment(element, parent, set(ids)))
    found_list = bool(comments) or bool(root.xpath(
        f"//*[{_has_class('comment-list')} or {_has_class('commentlist')} or "
        f"{_has_class('wp-block-comment-template')} or @id='comments']"))
    date, date_local = _post_date(root)
    return PostPage(_post_id(root), link, page, _title(root), date, date_local, comments,
                    found_list, _count(root), max(page, _last_page(root, link)),
                    author_login=_post_author(root), site_name=_site_name(root),
                    language=(root.get("lang") or "").strip() or None)


def _site_name(root: HtmlElement) -> str | None:
    """The site's name: its ``og:site_name``, the header's site title, or
    what the document title has after the post's title and a dash."""
    for path in ("//meta[@property='og:site_name']/@content",
                 f"//*[{_has_class('site-title')} or {_has_class('wp-block-site-title')}]"):
        found = root.xpath(path)
        if found:
            item = found[0]
            text = " ".join((str(item) if isinstance(item, str) else item.text_content()).split())
            if text:
                return text
    titles = root.xpath("//title")
    parts = _TITLE_PARTS.split(titles[0].text_content()) if titles else []
    return " ".join(parts[-1].split()) or None if len(parts) > 1 else None


def _post_author(root: HtmlElement) -> str | None:
    """The login (nicename) of the post's author, from the byline's link to
    their archive (``rel="author"``), which comment-author-LOGIN also uses."""
    for href in _strings(root, "//a[@rel='author']/@href"):
        match = _AUTHOR_ARCHIVE.search(urlsplit(href).path)
        if match:
            return match.group(1)
    return None
