"""Synthetic benchmark corpus: one invented site, as WXR and as a Disqus export.

    python bench/corpus.py --comments 500000 --out bench/out [--seed 0]

writes ``site-N.wxr.xml`` and ``site-N.disqus.xml``. The output is a pure
function of (N, seed): same arguments, same bytes.

Both files are streamed to disk one post at a time, so memory stays flat
however large N is. Disqus wants every <thread> before any <post>, so posts
go to a temporary file that is appended once all threads are written.

Shape, chosen to resemble real exports rather than to be convenient:
  * comments per post vary (exponential plus 0.5% posts with hundreds;
    mean ~20); about 15% pingbacks/trackbacks, about a third replies to any
    depth, some replies listed before their parent;
  * replies by site authors (comment_user_id of a listed wp:author), and a
    few by site users who are not in the author list;
  * statuses 1, 0, spam, trash, and post-trashed for every comment of a
    trashed post;
  * unicode including 4-byte emoji, HTML, ']]>' inside some content (written
    split across CDATA sections as WXR 1.2 does), author URLs with '&';
  * comment meta on about half the comments (Akismet keys, trash keys);
  * ~1.07 KB of WXR per comment, so 500k comments is ~540 MB, the size of
    the real export the project measures against.

The Disqus file holds what the WordPress plugin would have sent: approved
comments of type comment, each with ``<id>wp_id=N</id>``, in threads whose
``<id>`` is ``"<post_id> <guid>"``. A reply whose parent was not sent (the
parent is pending, spam or trashed) is written without a <parent>.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

SITE = "https://news.example.org"
GUID_BASE = "http://news.example.org/?p="  # guids keep the original http host
FORUM = "examplenews"
LOCAL_OFFSET = timedelta(hours=-5)  # local = GMT - 5h
WP_NS = "http://wordpress.org/export/1.2/"

# Listed authors: (author_id, login, display name, email)
AUTHORS = [
    (2, "editor", "Morgan Hale", "morgan.hale@news.example.org"),
    (3, "kasia", "Kasia Wrona", "kasia.wrona@news.example.org"),
    (5, "tobiasn", "Tobias Nwosu", "tobias.nwosu@news.example.org"),
    (8, "reneé", "Reneé Duval", "renee.duval@news.example.org"),
    (11, "jpark", "Ji-ho Park", "jiho.park@news.example.org"),
    (13, "olu", "Olu Bankole", "olu.bankole@news.example.org"),
]
# Site users who comment but wrote no exported post: their user ids resolve
# through no wp:author entry, a case importers mishandle.
UNLISTED_USERS = [(21, "Guest Editor Ana Lima", "ana.lima@news.example.org"),
                  (34, "Moderator Sam", "moderator@news.example.org")]

FIRST = ["Ada", "Bram", "Chloé", "Dmitri", "Efua", "Farid", "Greta", "Hiroshi", "Ines",
         "Jonas", "Kamala", "Lars", "Mei", "Nuno", "Oona", "Pavel", "Quinn", "Rosa",
         "Søren", "Tariq", "Ulla", "Vikram", "Wanjiru", "Xiu", "Yusuf", "Zoë", "Łucja",
         "Ngọc", "Даша", "美咲", "Beatriz", "Cormac", "Delphine", "Emeka", "Fatima"]
LAST = ["Abara", "Bergström", "Castellanos", "Dufresne", "Eriksen", "Fonseca", "Gallo",
        "Haddad", "Ivanova", "Jaramillo", "Kowalczyk", "Lindgren", "Mwangi", "Nakamura",
        "Ortega", "Petrov", "Quispe", "Rahman", "Sørensen", "Tanaka", "Underwood",
        "Vasquez", "Whitfield", "Yilmaz", "Zielinski", "O'Connell", "Nguyễn", "王"]

# Invented vocabulary for comment text. Sentences are assembled once, at
# start-up, so the per-comment cost is a single rng.choices() call.
SUBJECTS = ["The new schedule", "This article", "Our street", "The council's plan",
            "My neighbour", "The recipe in part two", "Your photo of the harbour",
            "The second chart", "Last year's festival", "The bus route change",
            "The library", "This whole thread", "The comment above", "The author"]
VERBS = ["misses", "explains", "reminds me of", "gets wrong", "says a lot about",
         "barely mentions", "sums up", "ignores", "changed my mind about", "puts numbers on"]
OBJECTS = ["the real problem", "how people actually live here", "the parking question",
           "what happened in 2019", "the cost for small businesses", "the weekend crowds",
           "why the old bridge closed", "the point about volunteers", "the opening hours",
           "the flooding last spring", "the noise at night", "the history of the square"]
TAILS = ["", "", "", " Thanks for writing it up.", " I disagree, though.",
         " Has anyone else noticed this?", " Just my two cents.", " 👍", " 🎉🎉",
         " Merci!", " Danke für den Artikel.", " ¡Muy bien!", " 素晴らしい。", " 🙈",
         " See <a href=\"https://www.example.com/notes?id=7&amp;lang=en\">my notes</a>.",
         " <em>Really</em> well put.", " <strong>Please</strong> follow up.",
         " (Edited: typo.)", " Spot on 💯"]
# Rare fragments that exercise CDATA splitting and markup-looking text.
ODD = ["Code I used: if (a[b[0]]>1) { go(); }", "Tiny edge: ]]> in the middle.",
       "Quoting the export: </wp:comment> is just text here.", "5 > 3 && 2 < 4",
       "Entities stay literal: &amp; &#8217; &nbsp;"]

PING_TITLES = ["Weekly links", "What I read this week", "A reply to the harbour piece",
               "Notes on the council meeting", "Round-up", "Why the bridge matters",
               "Local news digest", "On parking, again", "Festival diary",
               "Thoughts on the new library", "Reading list", "The square, then and now"]


def _cdata(value: str) -> str:
    # ']]>' cannot appear inside CDATA: end the section after ']]' and
    # start a new one for '>', exactly as WordPress 1.2 exports do.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _esc(value: str) -> str:
    if "&" in value or "<" in value or ">" in value or '"' in value:
        return (value.replace("&", "&amp;").replace("<", "&lt;")
                .replace(">", "&gt;").replace('"', "&quot;"))
    return value


def _php_str(value: str) -> str:
    return f's:{len(value.encode("utf-8"))}:"{value}";'


class _Pools:
    """Everything random that can be drawn once, up front."""

    def __init__(self, rng: random.Random) -> None:
        sentences = []
        for _ in range(4000):
            s = (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}."
                 f"{rng.choice(TAILS)}")
            if rng.random() < 0.12:
                s += "\n\n"  # paragraph break, kept verbatim in the content
            sentences.append(s)
        self.sentences = sentences
        # Sentences per body: mostly short comments, a long tail of essays.
        # Tuned so the WXR averages ~1.07 KB per comment.
        self.body_len = [1] * 18 + [2] * 16 + [3] * 10 + [4] * 6 + [6] * 4 + [9] * 2 \
            + [15] * 2 + [30] * 1
        people = []
        for n in range(6000):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first} {last}" if rng.random() < 0.85 else f"{first.lower()}{n % 97}"
            r = rng.random()
            email = "" if r < 0.1 else f"reader{n}@example.{rng.choice(('com', 'net', 'org'))}"
            r = rng.random()
            if r < 0.70:
                url = ""
            elif r < 0.97:
                url = f"https://reader{n}.example.net/"
            else:
                url = f"https://www.example.com/profile.php?id={n}&tab=posts"
            r = rng.random()
            if r < 0.05:
                ip = ""
            elif r < 0.80:
                ip = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}"
            else:
                ip = f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(1, 65536):x}"
            people.append((name, email, url, ip))
        self.people = people


def _meta(key: str, value: str) -> str:
    return (f"\t\t\t<wp:commentmeta>\n\t\t\t\t<wp:meta_key>{_cdata(key)}</wp:meta_key>\n"
            f"\t\t\t\t<wp:meta_value>{_cdata(value)}</wp:meta_value>\n\t\t\t</wp:commentmeta>\n")


def _header() -> str:
    authors = "".join(
        f"\t<wp:author><wp:author_id>{aid}</wp:author_id>"
        f"<wp:author_login>{_cdata(login)}</wp:author_login>"
        f"<wp:author_email>{_cdata(email)}</wp:author_email>"
        f"<wp:author_display_name>{_cdata(name)}</wp:author_display_name>"
        f"<wp:author_first_name>{_cdata(name.split()[0])}</wp:author_first_name>"
        f"<wp:author_last_name>{_cdata(name.split()[-1])}</wp:author_last_name></wp:author>\n"
        for aid, login, name, email in AUTHORS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<!-- generator="WordPress/6.5.3" created="2024-06-01 12:00" -->\n'
        '<rss version="2.0"\n'
        f'\txmlns:excerpt="{WP_NS}excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'\txmlns:wp="{WP_NS}"\n>\n\n<channel>\n'
        "\t<title>Example News</title>\n"
        f"\t<link>{SITE}</link>\n"
        "\t<description>A synthetic community news site</description>\n"
        "\t<pubDate>Sat, 01 Jun 2024 12:00:00 +0000</pubDate>\n"
        "\t<language>en-US</language>\n"
        "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{SITE}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{SITE}</wp:base_blog_url>\n\n"
        f"{authors}\n"
        "\t<wp:category>\n\t\t<wp:term_id>1</wp:term_id>\n"
        f"\t\t<wp:category_nicename>{_cdata('local')}</wp:category_nicename>\n"
        f"\t\t<wp:category_parent>{_cdata('')}</wp:category_parent>\n"
        f"\t\t<wp:cat_name>{_cdata('Local')}</wp:cat_name>\n\t</wp:category>\n"
        "\t<wp:tag>\n\t\t<wp:term_id>2</wp:term_id>\n"
        f"\t\t<wp:tag_slug>{_cdata('community')}</wp:tag_slug>\n"
        f"\t\t<wp:tag_name>{_cdata('community')}</wp:tag_name>\n\t</wp:tag>\n\n"
        "\t<generator>https://wordpress.org/?v=6.5.3</generator>\n\n"
    )


_DSQ_HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd '
    'http://disqus.com/api/schemas/1.0/disqus-internals.xsd">\n'
    f'<category dsq:id="100">\n<forum>{FORUM}</forum>\n<title>General</title>\n'
    "<isDefault>true</isDefault>\n</category>\n"
)


_EPOCH = datetime(1970, 1, 1)


def _unix(d: datetime) -> int:
    # Naive datetimes here are GMT; datetime.timestamp() would apply the
    # machine's zone and make the output depend on where it runs.
    return int((d - _EPOCH).total_seconds())


def _fmt(d: datetime) -> str:
    return d.isoformat(" ")  # 'YYYY-MM-DD HH:MM:SS': microseconds are always 0


def generate(n_comments: int, out_dir: str | os.PathLike[str], seed: int = 0,
             stats: Counter[str] | None = None) -> tuple[Path, Path]:
    """Write site-N.wxr.xml and site-N.disqus.xml into out_dir; return both paths.

    If stats is given it is filled with counts of what was written.
    """
    if n_comments < 0:
        raise ValueError("n_comments must be >= 0")
    rng = random.Random(seed)
    pools = _Pools(rng)
    sentences, body_len, people = pools.sentences, pools.body_len, pools.people
    st: Counter[str] = stats if stats is not None else Counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wxr_path = out / f"site-{n_comments}.wxr.xml"
    dsq_path = out / f"site-{n_comments}.disqus.xml"
    posts_tmp = out / f".site-{n_comments}.disqus-posts.tmp"

    random_ = rng.random
    choices = rng.choices
    randrange = rng.randrange
    remaining = n_comments
    post_id = 100
    next_cid = 1
    post_time = datetime(2012, 1, 3, 14, 0, 0)  # GMT
    # Spread the posts over about twelve years whatever N is.
    step = max(1200, int(12 * 365 * 86400 / max(1.0, n_comments / 20)))

    buf = 1 << 20
    with open(wxr_path, "w", encoding="utf-8", newline="\n", buffering=buf) as wxr, \
            open(dsq_path, "w", encoding="utf-8", newline="\n", buffering=buf) as dsq, \
            open(posts_tmp, "w", encoding="utf-8", newline="\n", buffering=buf) as dposts:
        wxr.write(_header())
        dsq.write(_DSQ_HEADER)
        while remaining > 0 or post_id == 100:
            post_id += randrange(1, 4)
            post_time += timedelta(seconds=randrange(step // 2, step * 3 // 2))
            if random_() < 0.005:
                k = randrange(200, 1000)  # the occasional post that went viral
            else:
                k = 1 + int(rng.expovariate(1 / 16))
            k = min(k, remaining)
            remaining -= k
            trashed = random_() < 0.02
            author = AUTHORS[randrange(len(AUTHORS))]
            guid = f"{GUID_BASE}{post_id}"
            slug = f"story-{post_id}"
            link = f"{SITE}/{post_time.year}/{post_time.month:02d}/{slug}/"
            title = f"{rng.choice(SUBJECTS)} and {rng.choice(OBJECTS)}"
            st["posts"] += 1

            # ---- comments of this post, built in memory (bounded by k) ----
            rows: list[str] = []
            cids: list[int] = []
            parent_of: dict[int, int] = {}
            threadable: list[int] = []  # ids a reply may point at
            sent: set[int] = set()  # ids written to Disqus
            dposts_chunk: list[str] = []
            trash_status: list[tuple[int, str]] = []
            t = post_time
            for _j in range(k):
                cid = next_cid
                next_cid += 1 if random_() < 0.9 else randrange(2, 6)  # deleted-spam gaps
                t += timedelta(seconds=randrange(30, 40000))
                local = t + LOCAL_OFFSET
                r = random_()
                parent = 0
                user_id = 0
                if r < 0.15:
                    ctype = "pingback" if r < 0.12 else "trackback"
                    # Pingback author: the citing page's <title>; trackback
                    # author: the citing blog's name.
                    ping_title = rng.choice(PING_TITLES)
                    blog = f"Blog {randrange(1, 400)}"
                    name = (f"{ping_title} &#8211; {blog}" if r < 0.12 else blog)
                    email = ""
                    url = f"https://blog{randrange(1, 400)}.example.net/{t.year}/p{cid}/"
                    ip = f"198.51.100.{randrange(1, 255)}"
                    excerpt = sentences[randrange(len(sentences))].strip()
                    if ctype == "pingback":
                        body = f"[&#8230;] {excerpt} [&#8230;]"
                    else:
                        body = f"<strong>{ping_title}</strong>\n\n{excerpt}"
                    st[ctype] += 1
                else:
                    ctype = "comment"
                    name, email, url, ip = people[randrange(len(people))]
                    body = " ".join(choices(sentences, k=body_len[randrange(len(body_len))]))
                    if random_() < 0.004:
                        body += " " + ODD[randrange(len(ODD))]
                    if threadable and random_() < 0.41:
                        # Half the time answer the latest comment, which
                        # grows long chains; otherwise any earlier one.
                        if random_() < 0.5:
                            parent = threadable[-1]
                        else:
                            parent = threadable[randrange(len(threadable))]
                        st["replies"] += 1
                        if random_() < 0.15:
                            aid, _login, aname, aemail = author
                            user_id, name, email, url, ip = aid, aname, aemail, SITE, "192.0.2.1"
                            st["author_replies"] += 1
                        elif random_() < 0.01:
                            user_id, name, email = UNLISTED_USERS[randrange(len(UNLISTED_USERS))]
                            url, ip = "", "192.0.2.2"
                            st["unlisted_user_replies"] += 1
                    threadable.append(cid)
                    st["comment"] += 1
                if trashed:
                    status = "post-trashed"
                else:
                    r = random_()
                    status = ("1" if r < 0.86 else "0" if r < 0.91
                              else "spam" if r < 0.95 else "trash")
                st["status=" + status] += 1
                gmt_s = _fmt(t)
                meta = ""
                if random_() < 0.45 or status in ("spam", "trash"):
                    akismet = "true" if status == "spam" else "false"
                    event = "check-spam" if status == "spam" else "check-ham"
                    hist = (f'a:3:{{s:4:"time";d:{_unix(t)}.{randrange(10000):04d};'
                            f's:5:"event";{_php_str(event)}s:4:"user";s:0:"";}}')
                    meta = _meta("akismet_result", akismet) + _meta("akismet_history", hist)
                if status == "trash":
                    meta += _meta("_wp_trash_meta_status", "1") + _meta(
                        "_wp_trash_meta_time", str(_unix(t) + 86400))
                elif trashed:
                    trash_status.append((cid, "1"))
                if meta:
                    st["comments_with_meta"] += 1
                rows.append(
                    "\t\t<wp:comment>\n"
                    f"\t\t\t<wp:comment_id>{cid}</wp:comment_id>\n"
                    f"\t\t\t<wp:comment_author>{_cdata(name)}</wp:comment_author>\n"
                    f"\t\t\t<wp:comment_author_email>{_cdata(email)}</wp:comment_author_email>\n"
                    f"\t\t\t<wp:comment_author_url>{_esc(url)}</wp:comment_author_url>\n"
                    f"\t\t\t<wp:comment_author_IP>{_cdata(ip)}</wp:comment_author_IP>\n"
                    f"\t\t\t<wp:comment_date>{_cdata(_fmt(local))}</wp:comment_date>\n"
                    f"\t\t\t<wp:comment_date_gmt>{_cdata(gmt_s)}</wp:comment_date_gmt>\n"
                    f"\t\t\t<wp:comment_content>{_cdata(body)}</wp:comment_content>\n"
                    f"\t\t\t<wp:comment_approved>{_cdata(status)}</wp:comment_approved>\n"
                    f"\t\t\t<wp:comment_type>{_cdata(ctype)}</wp:comment_type>\n"
                    f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
                    f"\t\t\t<wp:comment_user_id>{user_id}</wp:comment_user_id>\n"
                    f"{meta}\t\t</wp:comment>\n"
                )
                cids.append(cid)
                parent_of[cid] = parent
                if status == "1" and ctype == "comment":
                    # The plugin sends approved comments only; a parent it did
                    # not send cannot be referenced, so the reply goes top-level.
                    sent.add(cid)
                    dparent = (f'<parent dsq:id="{500000000 + parent}" />\n'
                               if parent in sent else "")
                    if user_id and user_id == author[0]:
                        dauthor = (f"<name>{_esc(name)}</name>\n<isAnonymous>false</isAnonymous>\n"
                                   f"<username>{author[1]}</username>\n")
                    else:
                        dauthor = f"<name>{_esc(name)}</name>\n<isAnonymous>true</isAnonymous>\n"
                    dposts_chunk.append(
                        f'<post dsq:id="{500000000 + cid}">\n<id>wp_id={cid}</id>\n'
                        f"<message>{_cdata(body)}</message>\n"
                        f"<createdAt>{t.isoformat()}Z</createdAt>\n"
                        "<isDeleted>false</isDeleted>\n<isSpam>false</isSpam>\n"
                        "<isApproved>true</isApproved>\n<isFlagged>false</isFlagged>\n"
                        "<isHighlighted>false</isHighlighted>\n"
                        f"<author>\n{dauthor}</author>\n"
                        f'<thread dsq:id="{10000000 + post_id}" />\n{dparent}</post>\n'
                    )
                    st["disqus_posts"] += 1

            # WordPress writes comments roughly in id order, but not always:
            # move a few replies to just before their parent.
            for idx in range(len(rows)):
                cid = cids[idx]
                par = parent_of[cid]
                if par and random_() < 0.05:
                    pidx = cids.index(par)
                    if pidx < idx:
                        rows.insert(pidx, rows.pop(idx))
                        cids.insert(pidx, cids.pop(idx))
                        st["replies_before_parent"] += 1

            # ---- the post itself ----
            pgmt = _fmt(post_time)
            plocal = _fmt(post_time + LOCAL_OFFSET)
            content = " ".join(choices(sentences, k=12))
            postmeta = [("_edit_last", str(author[0]))]
            if trashed:
                postmeta.append(("_wp_trash_meta_status", "publish"))
                postmeta.append(("_wp_trash_meta_time", str(_unix(post_time) + 900000)))
                ser = "".join(f"i:{c};{_php_str(s)}" for c, s in trash_status)
                postmeta.append(("_wp_trash_meta_comments_status",
                                 f"a:{len(trash_status)}:{{{ser}}}"))
                st["trashed_posts"] += 1
            wxr.write(
                "\t<item>\n"
                f"\t\t<title>{_cdata(title)}</title>\n"
                f"\t\t<link>{link}</link>\n"
                f"\t\t<pubDate>{post_time.strftime('%a, %d %b %Y %H:%M:%S')} +0000</pubDate>\n"
                f"\t\t<dc:creator>{_cdata(author[1])}</dc:creator>\n"
                f'\t\t<guid isPermaLink="false">{guid}</guid>\n'
                "\t\t<description></description>\n"
                f"\t\t<content:encoded>{_cdata(content)}</content:encoded>\n"
                f"\t\t<excerpt:encoded>{_cdata('')}</excerpt:encoded>\n"
                f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
                f"\t\t<wp:post_date>{_cdata(plocal)}</wp:post_date>\n"
                f"\t\t<wp:post_date_gmt>{_cdata(pgmt)}</wp:post_date_gmt>\n"
                f"\t\t<wp:post_modified>{_cdata(plocal)}</wp:post_modified>\n"
                f"\t\t<wp:post_modified_gmt>{_cdata(pgmt)}</wp:post_modified_gmt>\n"
                f"\t\t<wp:comment_status>{_cdata('open')}</wp:comment_status>\n"
                f"\t\t<wp:ping_status>{_cdata('open')}</wp:ping_status>\n"
                f"\t\t<wp:post_name>{_cdata(slug)}</wp:post_name>\n"
                f"\t\t<wp:status>{_cdata('trash' if trashed else 'publish')}</wp:status>\n"
                "\t\t<wp:post_parent>0</wp:post_parent>\n"
                "\t\t<wp:menu_order>0</wp:menu_order>\n"
                f"\t\t<wp:post_type>{_cdata('post')}</wp:post_type>\n"
                f"\t\t<wp:post_password>{_cdata('')}</wp:post_password>\n"
                "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
                f'\t\t<category domain="category" nicename="local">{_cdata("Local")}</category>\n'
                + "".join(
                    "\t\t<wp:postmeta>\n"
                    f"\t\t<wp:meta_key>{_cdata(key)}</wp:meta_key>\n"
                    f"\t\t<wp:meta_value>{_cdata(value)}</wp:meta_value>\n"
                    "\t\t</wp:postmeta>\n"
                    for key, value in postmeta
                )
            )
            wxr.write("".join(rows))
            wxr.write("\t</item>\n")

            dsq.write(
                f'<thread dsq:id="{10000000 + post_id}">\n'
                f"<id>{post_id} {guid}</id>\n<forum>{FORUM}</forum>\n"
                '<category dsq:id="100" />\n'
                f"<link>{link}</link>\n<title>{_cdata(title)}</title>\n<message />\n"
                f"<createdAt>{post_time.isoformat()}Z</createdAt>\n"
                f"<author>\n<name>{_esc(author[2])}</name>\n<isAnonymous>false</isAnonymous>\n"
                f"<username>{author[1]}</username>\n</author>\n"
                "<isClosed>false</isClosed>\n"
                f"<isDeleted>{'true' if trashed else 'false'}</isDeleted>\n</thread>\n"
            )
            dposts.write("".join(dposts_chunk))
            if n_comments == 0:
                break

        wxr.write("</channel>\n</rss>\n")
        dposts.flush()
        with open(posts_tmp, encoding="utf-8") as src:
            while chunk := src.read(buf):
                dsq.write(chunk)
        dsq.write("</disqus>\n")
    posts_tmp.unlink()
    st["comments"] = n_comments
    st["wxr_bytes"] = wxr_path.stat().st_size
    st["disqus_bytes"] = dsq_path.stat().st_size
    return wxr_path, dsq_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--comments", type=int, required=True, help="number of wp:comment elements")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    stats: Counter[str] = Counter()
    started = time.perf_counter()
    wxr, dsq = generate(args.comments, args.out, args.seed, stats)
    elapsed = time.perf_counter() - started
    print(f"{wxr}  {stats['wxr_bytes'] / 1e6:.1f} MB")
    print(f"{dsq}  {stats['disqus_bytes'] / 1e6:.1f} MB")
    print(f"generated in {elapsed:.1f} s")
    for key in sorted(stats):
        if not key.endswith("_bytes"):
            print(f"  {key}: {stats[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
