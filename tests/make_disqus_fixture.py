"""Build a Disqus export shaped like the ones real sites download.

The file is made from a seeded random generator, so the same seed always
gives the same bytes.  It holds the awkward things real exports hold: spam
and deleted posts, threads whose blog moved between hosts, replies listed
before their parents, replies whose parent is not in the file, posts with an
empty ``<id>``, threads nobody answered, and recent-style posts without email
or IP address.

It is built with plain lxml rather than wxrbridge's writer, so that it can
test that writer.

    python tests/make_disqus_fixture.py out.xml.gz
"""

from __future__ import annotations

import gzip
import random
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from lxml import etree

DISQUS = "http://disqus.com"
DSQ = "http://disqus.com/disqus-internals"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

THREADS = 89
POSTS = 265
REPLIES = 108
ORPHANS = 4
EMPTY_THREADS = 4
EARLY_CHILDREN = 5
FORUM = "kettleandkiln"
HOSTS = (
    "http://kettleandkiln.example",
    "https://kettleandkiln.example",
    "https://www.kettleandkiln.example",
    "http://pots.oldhost.example",
)

_WORDS = (
    "glaze kiln clay wheel slip bisque cone firing crackle ash celadon "
    "trimming throwing wedging stoneware porcelain kettle spout handle lid "
    "shelf draft vent pyrometer oxide tenmoku crawl pinhole shiver crawling "
    "reduction oxidation shino rutile iron cobalt copper matte gloss foot "
    "rim bowl mug jar vase plate test tile batch recipe sieve bucket"
).split()
_NAMES = (
    "Ada Flint", "Bram Oake", "Cleo Marsh", "Dov Penn", "Esme Rook", "Finn Vale",
    "Gita Shaw", "Hugo Lark", "Ines Pike", "Jory Webb", "Kaia Frost", "Lev Moss",
)


@dataclass
class Summary:
    """What the generated file holds, for tests to check against."""

    threads: int = 0
    posts: int = 0
    replies: int = 0
    orphans: int = 0
    spam: int = 0
    deleted: int = 0
    unapproved: int = 0
    empty_id_posts: int = 0
    empty_threads: int = 0
    early_children: int = 0
    hosts: set[str] = field(default_factory=set)


@dataclass
class _Post:
    index: int
    thread: int
    when: datetime
    parent: str | None = None
    spam: bool = False
    deleted: bool = False
    approved: bool = True


def _sentence(rng: random.Random, low: int = 4, high: int = 18) -> str:
    words = rng.choices(_WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + rng.choice((".", "!", "?", "..."))


def _message(rng: random.Random, index: int) -> str:
    body = " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))
    shape = index % 11
    if shape == 0:
        return f"<p>{body}</p>\n<p>{_sentence(rng)}</p>"
    if shape == 3:
        return f"  {body}\n\n  -- signed  "
    if shape == 5:
        return f"{body} Cone 6 & cone 10 <b>differ</b>."
    if shape == 7:
        # Ends a CDATA section if written carelessly.
        return f"{body} arr[idx[0]]> 2"
    return body


def _stamp(when: datetime, with_z: bool) -> str:
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    return text + "Z" if with_z else text


def _sub(parent: etree._Element, local: str, text: str | None = None,
         dsq_id: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{DISQUS}}}{local}")
    if dsq_id is not None:
        element.set(f"{{{DSQ}}}id", dsq_id)
    if text is not None:
        element.text = text
    return element


def build(seed: int = 20110307) -> tuple[bytes, Summary]:
    """The export's bytes and what they hold."""
    rng = random.Random(seed)
    summary = Summary()
    root = etree.Element(f"{{{DISQUS}}}disqus",
                         nsmap={None: DISQUS, "dsq": DSQ, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation",
             "http://disqus.com/api/schemas/1.0/disqus.xsd "
             "http://disqus.com/api/schemas/1.0/disqus-internals.xsd")

    categories = ("31001", "31002")
    for number, dsq_id in enumerate(categories):
        category = _sub(root, "category", dsq_id=dsq_id)
        _sub(category, "forum", FORUM)
        _sub(category, "title", "General" if number == 0 else "Glaze tests")
        _sub(category, "isDefault", "true" if number == 0 else "false")

    start = datetime(2010, 5, 1, 8, 0, 0)
    thread_ids = [str(740000 + 17 * n) for n in range(THREADS)]
    thread_times = []
    paths: list[str] = []
    for n, dsq_id in enumerate(thread_ids):
        when = start + timedelta(days=9 * n, minutes=rng.randint(0, 1400))
        thread_times.append(when)
        host = HOSTS[n % len(HOSTS)]
        summary.hosts.add(host)
        path = f"/{2010 + n // 30}/{n % 12 + 1:02d}/{'-'.join(rng.sample(_WORDS, 3))}/"
        if n % 8 == 1:
            # A blog that moved: the same page again under its next host.
            path = paths[-1]
        paths.append(path)
        thread = _sub(root, "thread", dsq_id=dsq_id)
        identifier = ("" if n % 3 == 0 else
                      f"{300 + n} http://kettleandkiln.example/?p={300 + n}"
                      if n % 3 == 1 else f"node/{n}")
        _sub(thread, "id", identifier)
        _sub(thread, "forum", FORUM)
        _sub(thread, "category", dsq_id=categories[n % 5 == 0])
        _sub(thread, "link", host + path)
        _sub(thread, "title", "" if n % 29 == 5 else _sentence(rng, 2, 7).rstrip(".!?"))
        _sub(thread, "message").text = etree.CDATA(_sentence(rng)) if n % 6 == 0 else None
        _sub(thread, "createdAt", _stamp(when, n % 7 != 3))
        author = _sub(thread, "author")
        _sub(author, "name", "Kiln Keeper")
        _sub(author, "email", "keeper@kettleandkiln.example")
        _sub(author, "username", "kilnkeeper")
        _sub(author, "isAnonymous", "false")
        _sub(thread, "ipAddress", f"203.0.113.{n % 250 + 1}")
        _sub(thread, "isClosed", "true" if n % 13 == 12 else "false")
        _sub(thread, "isDeleted", "true" if n == 44 else "false")
        summary.threads += 1

    # Posts go to all but the last few threads, which stay empty.
    answered = THREADS - EMPTY_THREADS
    summary.empty_threads = EMPTY_THREADS
    owners = list(range(answered)) + [rng.randrange(answered)
                                      for _ in range(POSTS - answered)]
    owners.sort()
    posts: list[_Post] = []
    for index, owner in enumerate(owners):
        when = thread_times[owner] + timedelta(hours=index % 7 + 1,
                                               minutes=rng.randint(0, 3000))
        posts.append(_Post(index, owner, when))
    posts.sort(key=lambda p: (p.thread, p.when))
    by_thread: dict[int, list[_Post]] = {}
    for post in posts:
        by_thread.setdefault(post.thread, []).append(post)

    def post_id(post: _Post) -> str:
        return str(91000000 + 7 * post.index)

    later = [p for p in posts if by_thread[p.thread][0] is not p]
    replies = rng.sample(later, REPLIES - ORPHANS)
    for post in replies:
        siblings = by_thread[post.thread]
        earlier = siblings[: siblings.index(post)]
        post.parent = post_id(rng.choice(earlier))
    rest = [p for p in posts if p.parent is None]
    for number, post in enumerate(rng.sample(rest, ORPHANS)):
        # The parent was removed from Disqus before the export was made.
        post.parent = str(99000000 + number)
        summary.orphans += 1
    for post in rng.sample(posts, 14):
        post.spam = True
        post.approved = False
    for post in rng.sample([p for p in posts if not p.spam], 12):
        post.deleted = True
    for post in rng.sample([p for p in posts if not p.spam and not p.deleted], 7):
        post.approved = False

    # Posts are documented to come parents first; real files do not always.
    order = sorted(posts, key=lambda p: p.when)
    by_id = {post_id(p): p for p in posts}
    moved = 0
    for post in list(order):
        if moved == EARLY_CHILDREN:
            break
        parent = by_id.get(post.parent or "")
        if parent is None or rng.random() < 0.5:
            continue
        order.remove(post)
        order.insert(order.index(parent), post)
        moved += 1
    summary.early_children = moved

    for post in order:
        element = _sub(root, "post", dsq_id=post_id(post))
        if post.index % 10 == 4:
            _sub(element, "id", f"wp_id={1200 + post.index}")
        else:
            _sub(element, "id")
            summary.empty_id_posts += 1
        message = _message(rng, post.index)
        message_element = _sub(element, "message")
        message_element.text = message if "]]>" in message else etree.CDATA(message)
        _sub(element, "createdAt", _stamp(post.when, post.index % 9 != 2))
        _sub(element, "isDeleted", "true" if post.deleted else "false")
        _sub(element, "isSpam", "true" if post.spam else "false")
        if post.index % 3 == 0 or not post.approved:
            _sub(element, "isApproved", "true" if post.approved else "false")
        author = _sub(element, "author")
        name = rng.choice(_NAMES)
        _sub(author, "name", name)
        recent = post.index % 4 == 1
        if not recent:
            _sub(author, "email", name.lower().replace(" ", ".") + "@mail.example")
        if post.index % 5 == 0:
            _sub(author, "username", name.lower().replace(" ", ""))
            _sub(author, "isAnonymous", "false")
        else:
            _sub(author, "isAnonymous", "true")
        if not recent:
            _sub(element, "ipAddress", f"198.51.100.{post.index % 250 + 1}")
        _sub(element, "thread", dsq_id=thread_ids[post.thread])
        if post.parent is not None:
            _sub(element, "parent", dsq_id=post.parent)
            summary.replies += 1
        summary.posts += 1
        summary.spam += post.spam
        summary.deleted += post.deleted
        summary.unapproved += not post.approved and not post.spam

    data = etree.tostring(root, xml_declaration=True, encoding="utf-8",
                          pretty_print=True)
    return data, summary


def write(path: Path, seed: int = 20110307) -> Summary:
    """Write the export to ``path``, gzipped when the name ends in ``.gz``."""
    data, summary = build(seed)
    if path.name.endswith(".gz"):
        # mtime=0 keeps the gzip bytes as deterministic as the XML.
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb",
                                                    mtime=0) as packed:
            packed.write(data)
    else:
        path.write_bytes(data)
    return summary


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "disqus-fixture.xml.gz")
    print(write(target))
