"""Regenerate the sample exports in this folder, byte for byte.

Every blog, person and comment here is invented. The files imitate the
*shape* of real exports (element order, quoting, escaping quirks), because
that shape is what breaks importers. Output is deterministic: fixed data,
a fixed seed for the few generated values, and a gzip header with mtime 0.

    python samples/make_samples.py [OUT_DIR]
"""

from __future__ import annotations

import gzip
import io
import random
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------
# Small encoders. Kept local so the samples do not depend on the library
# they are meant to test.
# --------------------------------------------------------------------------


def cdata(value: str) -> str:
    """Wrap like WordPress's wxr_cdata (1.2): split any ']]>' across sections."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def esc(value: str) -> str:
    """Escape for element text or a double-quoted attribute."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def php_serialize(value: object) -> str:
    """PHP serialize() for the few types comment meta uses.

    String lengths are UTF-8 byte counts, as PHP counts them; getting this
    wrong would make the meta unreadable by WordPress after a round trip.
    """
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, dict):
        body = "".join(php_serialize(k) + php_serialize(v) for k, v in value.items())
        return f"a:{len(value)}:{{{body}}}"
    if isinstance(value, list):
        body = "".join(php_serialize(i) + php_serialize(v) for i, v in enumerate(value))
        return f"a:{len(value)}:{{{body}}}"
    raise TypeError(type(value))


def fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def rfc822(dt: datetime) -> str:
    return dt.strftime("%a, %d %b %Y %H:%M:%S +0000")


def iso_z(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(dt_gmt: datetime) -> int:
    return int(dt_gmt.replace(tzinfo=timezone.utc).timestamp())


# --------------------------------------------------------------------------
# Comment model shared by the WXR writers and the Disqus writer.
# --------------------------------------------------------------------------


@dataclass
class Comment:
    cid: int
    author: str
    email: str
    url: str
    ip: str
    local: datetime
    gmt: datetime | None  # None: written as 0000-00-00 00:00:00
    content: str
    approved: str = "1"
    ctype: str = "comment"
    parent: int = 0
    user_id: int = 0
    meta: list[tuple[str, str]] = field(default_factory=list)


def akismet_history(event: str, when: datetime, user: str = "") -> str:
    # Fractional seconds as microtime(true) would give; fixed digits keep
    # the output stable.
    return php_serialize({"time": epoch(when) + 0.4817, "event": event, "user": user})


# --------------------------------------------------------------------------
# (a) agency-blog.wxr.xml: a city planning department's blog, WXR 1.2 as
# WordPress core writes it.
# --------------------------------------------------------------------------

AGENCY_HOME = "https://www.example.gov/blog"
AGENCY_POST_ID = 4127
AGENCY_GUID = f"http://www.example.gov/blog/?p={AGENCY_POST_ID}"
AGENCY_LINK = f"{AGENCY_HOME}/2024/02/05/have-your-say-millrace-river-walk/"
AGENCY_OFFSET = timedelta(hours=5)  # site zone is UTC-5 in February
AUTHOR = {
    "id": 7,
    "login": "dokafor",
    "email": "dana.okafor@example.gov",
    "display": "Dana Okafor",
    "first": "Dana",
    "last": "Okafor",
}
OTHER_AUTHOR = {
    "id": 3,
    "login": "mlindqvist",
    "email": "mattias.lindqvist@example.gov",
    "display": "Mattias Lindqvist",
    "first": "Mattias",
    "last": "Lindqvist",
}

# (name, email, url, ip, text). Invented residents of an invented city.
PUBLIC_COMMENTS: list[tuple[str, str, str, str, str]] = [
    ("Ruth Kessling", "ruth.kessling@example.com", "", "198.51.100.23",
     "I walk the stretch between the old mill and Fenner Bridge nearly every day. "
     "Please keep the gravel surface rather than paving it over. It is kinder on "
     "the knees and it drains within an hour of rain."),
    ("Tomasz Wielgus", "t.wielgus@example.net", "", "203.0.113.41",
     "Will the plan include lighting? From November to February it is dark by five, "
     "and the path under the rail viaduct feels unsafe after that."),
    ("Adaeze Nwankwo", "adaeze.n@example.org", "", "2001:db8:4a1:9::17",
     "Strongly in favour. One request: benches every few hundred metres. My mother "
     "is 84 and cannot go far without a rest, and right now the riverside is "
     "somewhere she only sees from the car."),
    ("Benji Harcourt", "", "", "192.0.2.77",
     "How much is this going to cost and where is the money coming from? The "
     "consultation page talks about \"phased delivery\" but gives no figures at all."),
    ("Lucía Ferreyra", "lucia.ferreyra@example.com", "https://lucia-sketches.example.net/",
     "198.51.100.140",
     "The willow stand at the bend below Castor Street is where the herons nest. "
     "Any work there should avoid March to June.\n\nCould the ecology survey be "
     "published alongside the plan?"),
    ("Gordon Achterberg", "gordon.a@example.com", "", "203.0.113.9",
     "Parking. Where are visitors supposed to park? Riverside Terrace is already "
     "full every weekend and people block our driveways."),
    ("Hyun-woo Park (박현우)", "hwpark@example.org", "", "2001:db8:77::3",
     "Please think about the people who fish from the east bank. The draft map shows "
     "a fence along the water's edge there, which would end a fifty-year habit for "
     "quite a few of us."),
    ("Celestine Moreau", "c.moreau@example.net", "", "198.51.100.5",
     "Lovely idea, but the river floods most winters. What happens to the path when "
     "the water sits over it for three weeks? Who clears the silt afterwards?"),
    ("Derek Ollerton", "derek.ollerton@example.com", "", "192.0.2.200",
     "Is the path shared with cyclists? Bikes, pushchairs and dogs on a three metre "
     "path is asking for trouble."),
    ("Parveen Chaudhry", "parveen@example.org", "https://wharflane-cafe.example.com/",
     "203.0.113.88",
     "I run a cafe on Wharf Lane. We would love a short spur from the river path to "
     "the lane. Most of our weekend customers already walk along the water to get "
     "to us."),
    ("Old Mill resident", "", "", "198.51.100.61",
     "The plan shows an access ramp directly outside our block. Nobody has spoken to "
     "the residents here. How do we get a meeting?"),
    ("Ingrid Solberg", "ingrid.solberg@example.net", "", "2001:db8:c0ff:ee::42",
     "Could the drop-in sessions also be held on a weekday evening or a Saturday? "
     "Tuesday at 2pm rules out most people with a job."),
    ("Kwame Asante", "kwame.asante@example.com", "", "192.0.2.14",
     "Good to see the plan at last. The 2016 version stalled at exactly this stage. "
     "What is different this time?"),
    ("Fiona MacAskill", "fiona.mac@example.org",
     "https://www.example.org/profile.php?id=5521&tab=posts", "203.0.113.150",
     "Please keep the wild margins. The strip of meadow behind the allotments is "
     "full of orchids in June, and mowing it into lawn would be a real loss."),
    ("Rafael Ignacio Duarte", "rid@example.net", "", "198.51.100.99",
     "The PDF of the plan will not open on my phone. Is there a plain text or web "
     "version of the document?"),
    ("Miriam Feld", "miriam.feld@example.com", "", "2001:db8:4a1:20::8",
     "As a wheelchair user, the gradient at the viaduct end matters more to me than "
     "anything else in this plan. Please publish the gradients with the detailed "
     "design, not after it is built."),
    ("Sunil Varadarajan", "sunil.v@example.org", "", "192.0.2.31",
     "Love it. Can there be a drinking fountain or bottle refill point near the "
     "playground end?"),
    ("Agnes Thorburn", "agnes.thorburn@example.net", "", "203.0.113.201",
     "I object to removing the hedgerow along Tanner's Field. It is older than most "
     "of the houses around it and it is full of birds all year."),
    ("Jonah Whitlock", "jonah.whitlock@example.com", "", "198.51.100.177",
     "Bins. Every new path in this city ends up with dog bags hanging in the trees. "
     "Budget for bins AND for emptying them."),
    ("Yetunde Balogun", "yetunde.b@example.org", "https://stbrigids-pta.example.org/",
     "192.0.2.58",
     "Could the plan add signs about the history of the mills? The children at "
     "St Brigid's did a project on the old fulling mill last year and would be "
     "thrilled to help write them."),
    ("Piotr Zaleski", "piotr.zaleski@example.net", "", "203.0.113.66",
     "Question 6 of the online survey only lets you pick one option. I would have "
     "ticked three of them. Can that be changed?"),
    ("Hannah Greaves", "hannah.greaves@example.com", "", "2001:db8:aa:1::2f",
     "The walk has to connect to the station. Otherwise it is a nice loop for people "
     "who already live by the river and no use to anyone else."),
    ("Oluwaseun Adeyemi", "seun.adeyemi@example.org", "", "198.51.100.12",
     "Please publish the responses, anonymised, when the consultation closes, so we "
     "can all see what others said and how it changed the plan."),
    ("Clara Benedetti", "clara.benedetti@example.net", "", "192.0.2.143",
     "The footbridge at Fenner Street is too narrow for two pushchairs to pass. Will "
     "it be widened or replaced as part of this?"),
    ("Matty Rourke", "matty.r@example.com", "", "203.0.113.18",
     "Been waiting twenty years for this. Just build it 👍"),
    ("Esperanza Ruiz", "esperanza.ruiz@example.org", "", "2001:db8:b47::1",
     "Night lighting should be low and warm-coloured. Bright white LEDs disturb bats, "
     "and there is a colony under the old granary roof."),
    ("Viktor Halvorsen", "viktor.h@example.net", "", "198.51.100.201",
     "What about maintenance once the ribbon is cut? The canal towpath was lovely "
     "for two years and is now mostly potholes."),
    ("Niamh Coughlan", "niamh.coughlan@example.com", "", "192.0.2.96",
     "Toilets. Nobody likes to mention it, but a three-mile walk with no public "
     "toilets shuts out a lot of older people and families with small children."),
    ("Ahmed Farouk", "ahmed.farouk@example.org", "", "203.0.113.123",
     "I would like to see a timeline. If the plan is approved in spring, when would "
     "work actually start, and which section comes first?"),
    ("Bernadette Quist", "b.quist@example.net", "", "198.51.100.74",
     "The consultation map labels Castor Street as \"Caster Street\". Small thing, "
     "but it makes people doubt the rest of the detail."),
    ("Leon Odhiambo", "leon.odhiambo@example.com", "https://leon-o.example.com/",
     "2001:db8:4a1:9::90",
     "Can there be one section with stepping stones or proper access to the water "
     "for kids? Not everything needs a railing <em>and</em> a warning sign."),
    ("Rosalind Pike", "rosalind.pike@example.org", "", "192.0.2.250",
     "Will the path be gritted in winter? The north-facing stretch below the church "
     "stays icy for days after everywhere else has thawed."),
    ("Teodor Marinescu", "teodor.m@example.net", "", "203.0.113.240",
     "I support it, with one condition: no cars on the service track except for "
     "maintenance vehicles."),
    ("Sally Fenwick", "sally.fenwick@example.com", "", "198.51.100.33",
     "Thank you for running this consultation in the open. I have shared it in the "
     "Hollin Road residents' association newsletter."),
]

# (index of the top-level comment replied to, by_author, name, email, ip, text)
REPLIES: list[tuple[int, bool, str, str, str, str]] = [
    (2, True, AUTHOR["display"], AUTHOR["email"], "192.0.2.10",
     "Thanks, Adaeze. The draft allows for seating roughly every 200 m, with arm "
     "rests on at least one bench at each spot. We will make that clearer in the "
     "next version of the plan."),
    (1, True, AUTHOR["display"], AUTHOR["email"], "192.0.2.10",
     "Hi Tomasz, lighting under the viaduct is part of phase one. Elsewhere we are "
     "looking at low-level lighting, partly because of the bat survey. There will "
     "be more detail at the drop-in on the 15th."),
    (8, False, "Priyanka Desai", "priyanka.desai@example.org", "203.0.113.57",
     "Derek, the map on page 14 shows a 4 m path on the west side with a painted "
     "split. Not perfect, but much better than the 2016 version."),
]

# (kind, title as the citing site stored it, blog name, url, excerpt, ip)
PINGS: list[tuple[str, str, str, str, str, str]] = [
    ("pingback", "Weekend reading: bridges, budgets and a river walk", "Harwick Weekly",
     "https://harwickweekly.example.com/2024/02/10/weekend-reading/",
     "The planning department has opened its consultation on the Millrace river walk, and",
     "198.51.100.2"),
    ("pingback", "Harwick&#8217;s river walk: what we know so far", "Riverside Neighbours",
     "https://riversideneighbours.example.org/2024/02/06/what-we-know/",
     "Here is a short summary of the draft plan for anyone who has not read the full",
     "203.0.113.4"),
    ("pingback", "Millrace plan: the cycling question", "Two Wheels Harwick",
     "https://twowheels.example.net/millrace-plan-cycling/",
     "A shared path is cheaper than a segregated one, but the council post makes it",
     "192.0.2.8"),
    ("pingback", "Herons, willows and the new path", "Lower Valley Birders",
     "https://lvbirders.example.org/2024/02/07/herons-willows/",
     "The nesting site below Castor Street sits right on the proposed line, which is",
     "2001:db8:e1::5"),
    ("trackback", "River walk consultation opens", "Harwick Chamber of Commerce",
     "https://chamber.example.com/news/river-walk-consultation-opens",
     "Local businesses along Wharf Lane and the Granary Quarter are encouraged to",
     "198.51.100.7"),
    ("pingback", "Notes from the first drop-in session", "A Year in Harwick",
     "https://ayearinharwick.example.net/2024/02/13/drop-in-notes/",
     "About forty people came, most of them with questions about flooding and",
     "203.0.113.12"),
    ("pingback", "Accessible by design? Reading the Millrace plan", "Access Harwick",
     "https://accessharwick.example.org/reading-the-millrace-plan/",
     "The gradient at the viaduct end is the detail that will decide whether",
     "192.0.2.19"),
    ("pingback", "Link roundup #212", "The Civic Ledger",
     "https://civicledger.example.com/2024/02/09/roundup-212/",
     "Harwick asks residents about a three-mile river path, with drop-ins and",
     "198.51.100.16"),
    ("pingback", "Why the 2016 river plan stalled (and why this one might not)",
     "Harwick History Group",
     "https://historygroup.example.org/2024/02/08/2016-plan/",
     "The earlier scheme was shelved after the land purchase at Tanner&#8217;s Field fell",
     "203.0.113.21"),
    ("pingback", "Bats and bright lights", "Valley Bat Watch",
     "https://batwatch.example.net/2024/02/11/bats-and-lights/",
     "Warm, low lighting is the single most useful thing the council could specify",
     "2001:db8:e1::9"),
    ("trackback", "Our response to the Millrace consultation", "Harwick Ramblers",
     "https://ramblers-harwick.example.org/blog/millrace-response",
     "The committee has agreed a formal response, which supports the plan in principle",
     "192.0.2.33"),
    ("pingback", "Five questions for the river walk team", "Harwick Weekly",
     "https://harwickweekly.example.com/2024/02/14/five-questions/",
     "We put five reader questions to the planning department. Their answers on",
     "198.51.100.2"),
    ("pingback", "Fishing rights and the east bank fence", "Millrace Anglers",
     "https://millraceanglers.example.net/east-bank-fence/",
     "Members are asked to respond before the deadline, especially about the fence",
     "203.0.113.30"),
    ("pingback", "Could the river walk reach the station?", "Harwick Transit Watch",
     "https://transitwatch.example.org/2024/02/15/station-link/",
     "Without a link to the station the path risks being a leisure loop only, and",
     "192.0.2.41"),
    ("pingback", "Meadow margins worth keeping", "Allotment Diaries",
     "https://allotmentdiaries.example.com/2024/02/16/meadow-margins/",
     "The orchid strip behind plot 40 has been there as long as anyone remembers and",
     "2001:db8:e1::12"),
    ("trackback", "Planning news, February", "Harwick Civic Society",
     "https://civicsociety.example.net/planning-news-february",
     "Also this month: the Granary conversion, the Hollin Road junction and the",
     "198.51.100.44"),
    ("pingback", "A walk along the proposed route", "Feet First Harwick",
     "https://feetfirst.example.org/2024/02/17/proposed-route-walk/",
     "We walked the whole three miles on Saturday to see what the map actually means",
     "203.0.113.47"),
    ("pingback", "Who pays for the river walk?", "Council Watch",
     "https://councilwatch.example.com/2024/02/18/who-pays/",
     "The consultation post is light on money. Here is what the capital programme",
     "192.0.2.52"),
    ("pingback", "Flood maps and footpaths", "Lower Valley Flood Forum",
     "https://floodforum.example.net/2024/02/19/flood-maps-footpaths/",
     "Roughly a third of the proposed path lies in the zone that flooded in 2020 and",
     "198.51.100.55"),
    ("pingback", "School project turns into signage proposal", "St Brigid&#8217;s News",
     "https://stbrigids-pta.example.org/2024/02/20/signage/",
     "Year 5 have offered to draft the history signs for the old fulling mill",
     "203.0.113.58"),
    ("trackback", "Millrace river walk: our submission", "Harwick Cycle Forum",
     "https://cycleforum.example.com/submissions/millrace",
     "We ask for a minimum width of 4 m and clear sight lines at the viaduct",
     "192.0.2.63"),
    ("pingback", "What the river walk means for Wharf Lane traders", "Wharf Lane Traders",
     "https://wharflane.example.net/2024/02/21/river-walk-traders/",
     "A spur path to the lane would bring walkers right past a dozen small",
     "2001:db8:e1::20"),
    ("pingback", "Last week to respond to the river walk plan", "A Year in Harwick",
     "https://ayearinharwick.example.net/2024/02/23/last-week/",
     "If you have not filled in the survey yet, you have until Friday. Question 6",
     "203.0.113.12"),
    ("pingback", "Toilets are an access issue", "Access Harwick",
     "https://accessharwick.example.org/toilets-are-access/",
     "Several comments on the council post raise public toilets, and they are right",
     "192.0.2.19"),
    ("pingback", "Consultations done well: three local examples", "The Civic Ledger",
     "https://civicledger.example.com/2024/02/26/consultations-done-well/",
     "The Harwick river walk post stands out for actually answering questions in",
     "198.51.100.16"),
]

PENDING = ("Greg at Riverside Paving", "sales@paving.example.net",
           "https://paving.example.net/resin-bound", "198.51.100.250",
           "Our company has laid resin-bound paths for eleven councils. Happy to "
           "quote for the Millrace scheme, see our site for examples.")

TRASHED_TEXT = ("Bins. Every new path in this city ends up with dog bags hanging in "
                "the trees. Budget for bins AND for emptying them.")


def build_agency_comments() -> list[Comment]:
    """Lay out the thread on a timeline, then number it like WordPress would.

    Ids follow insertion time (auto-increment), with small gaps where spam
    was deleted before export, so sorting by id is also chronological.
    """
    rng = random.Random(4127)
    post_local = datetime(2024, 2, 5, 10, 0, 0)
    events: list[tuple[datetime, str, object]] = []
    for i in range(len(PUBLIC_COMMENTS)):
        at = post_local + timedelta(minutes=25 + i * 520 + rng.randrange(0, 400),
                                    seconds=rng.randrange(60))
        events.append((at, "public", i))
    for i in range(len(PINGS)):
        at = post_local + timedelta(minutes=300 + i * 760 + rng.randrange(0, 500),
                                    seconds=rng.randrange(60))
        events.append((at, "ping", i))
    events.append((post_local + timedelta(days=6, hours=3, minutes=12, seconds=40),
                   "pending", None))
    # The duplicate of Jonah's comment, posted twice and trashed by a moderator.
    jonah_at = next(at for at, kind, i in events if kind == "public" and i == 18)
    events.append((jonah_at + timedelta(seconds=47), "trashed", None))
    public_at = {i: at for at, kind, i in events if kind == "public"}
    for r, (target, *_rest) in enumerate(REPLIES):
        events.append((public_at[target] + timedelta(hours=3 + 5 * r, minutes=17 * r + 4,
                                                     seconds=11 + r), "reply", r))
    events.sort(key=lambda e: e[0])

    comments: list[Comment] = []
    public_ids: dict[int, int] = {}
    cid = 18230
    for at, kind, idx in events:
        cid += rng.choice((1, 1, 1, 2, 3))
        gmt = at + AGENCY_OFFSET
        if kind == "public":
            assert isinstance(idx, int)
            name, email, url, ip, text = PUBLIC_COMMENTS[idx]
            public_ids[idx] = cid
            c = Comment(cid, name, email, url, ip, at, gmt, text)
            c.meta.append(("akismet_result", "false"))
            c.meta.append(("akismet_history", akismet_history("check-ham", gmt)))
            if idx in (3, 13, 29):
                # Held by Akismet for review, approved by a moderator later:
                # the history key repeats, as it does in real databases.
                c.meta.append(("akismet_history",
                               akismet_history("status-changed-approved",
                                               gmt + timedelta(hours=2), AUTHOR["login"])))
        elif kind == "reply":
            assert isinstance(idx, int)
            target, by_author, name, email, ip, text = REPLIES[idx]
            c = Comment(cid, name, email, AGENCY_HOME if by_author else "", ip, at, gmt,
                        text, parent=public_ids[target],
                        user_id=AUTHOR["id"] if by_author else 0)
            if not by_author:
                c.meta.append(("akismet_result", "false"))
        elif kind == "ping":
            assert isinstance(idx, int)
            ptype, title, blog, url, excerpt, ip = PINGS[idx]
            if ptype == "pingback":
                # WordPress stores the cited excerpt between ellipsis entities,
                # as literal text; the author is the citing post's title.
                text = f"[&#8230;] {excerpt} [&#8230;]"
                author = title
            else:
                # A trackback carries the sender's blog name as author and the
                # post title in bold at the top of the content.
                text = f"<strong>{title}</strong>\n\n{excerpt}&#8230;"
                author = blog
            c = Comment(cid, author, "", url, ip, at, gmt, text, ctype=ptype)
        elif kind == "pending":
            name, email, url, ip, text = PENDING
            c = Comment(cid, name, email, url, ip, at, gmt, text, approved="0")
            c.meta.append(("akismet_result", "false"))
            c.meta.append(("akismet_history", akismet_history("check-ham", gmt)))
        else:  # trashed
            name, email, _url, ip, _text = PUBLIC_COMMENTS[18]
            c = Comment(cid, name, email, "", ip, at, gmt, TRASHED_TEXT, approved="trash")
            c.meta.append(("akismet_result", "false"))
            c.meta.append(("_wp_trash_meta_status", "1"))
            c.meta.append(("_wp_trash_meta_time", str(epoch(gmt + timedelta(hours=1, minutes=3)))))
        comments.append(c)
    return comments


def core_comment(c: Comment) -> str:
    """One wp:comment the way WordPress core's export.php prints it."""
    gmt = fmt(c.gmt) if c.gmt else "0000-00-00 00:00:00"
    # comment_author_url: core prints esc_url_raw() output with no CDATA. In
    # this well-formed sample the '&' is escaped; broken.wxr.xml shows the raw one.
    out = [
        "\t\t<wp:comment>\n",
        f"\t\t\t<wp:comment_id>{c.cid}</wp:comment_id>\n",
        f"\t\t\t<wp:comment_author>{cdata(c.author)}</wp:comment_author>\n",
        f"\t\t\t<wp:comment_author_email>{cdata(c.email)}</wp:comment_author_email>\n",
        f"\t\t\t<wp:comment_author_url>{esc(c.url)}</wp:comment_author_url>\n",
        f"\t\t\t<wp:comment_author_IP>{cdata(c.ip)}</wp:comment_author_IP>\n",
        f"\t\t\t<wp:comment_date>{cdata(fmt(c.local))}</wp:comment_date>\n",
        f"\t\t\t<wp:comment_date_gmt>{cdata(gmt)}</wp:comment_date_gmt>\n",
        f"\t\t\t<wp:comment_content>{cdata(c.content)}</wp:comment_content>\n",
        f"\t\t\t<wp:comment_approved>{cdata(c.approved)}</wp:comment_approved>\n",
        f"\t\t\t<wp:comment_type>{cdata(c.ctype)}</wp:comment_type>\n",
        f"\t\t\t<wp:comment_parent>{c.parent}</wp:comment_parent>\n",
        f"\t\t\t<wp:comment_user_id>{c.user_id}</wp:comment_user_id>\n",
    ]
    for key, value in c.meta:
        out.append(
            "\t\t\t<wp:commentmeta>\n"
            f"\t\t\t\t<wp:meta_key>{cdata(key)}</wp:meta_key>\n"
            f"\t\t\t\t<wp:meta_value>{cdata(value)}</wp:meta_value>\n"
            "\t\t\t</wp:commentmeta>\n"
        )
    out.append("\t\t</wp:comment>\n")
    return "".join(out)


def core_author(a: dict[str, object]) -> str:
    return (
        f"\t<wp:author><wp:author_id>{a['id']}</wp:author_id>"
        f"<wp:author_login>{cdata(str(a['login']))}</wp:author_login>"
        f"<wp:author_email>{cdata(str(a['email']))}</wp:author_email>"
        f"<wp:author_display_name>{cdata(str(a['display']))}</wp:author_display_name>"
        f"<wp:author_first_name>{cdata(str(a['first']))}</wp:author_first_name>"
        f"<wp:author_last_name>{cdata(str(a['last']))}</wp:author_last_name></wp:author>\n"
    )


def core_header(ns_wp: str, generator_version: str, created: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        f'<!-- generator="WordPress/{generator_version}" created="{created}" -->\n'
        '<rss version="2.0"\n'
        f'\txmlns:excerpt="{ns_wp}excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'\txmlns:wp="{ns_wp}"\n'
        ">\n\n<channel>\n"
    )


AGENCY_POST_BODY = (
    "<!-- wp:paragraph -->\n<p>The Planning Department is asking for your views on the "
    "draft Millrace River Walk plan: a three-mile path along the river from the Old "
    "Mill to Fenner Street, with new crossings, seating and planting.</p>\n"
    "<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>You can read the full plan "
    "(PDF, 14 MB), fill in the online survey, or come to a drop-in session at the "
    "Central Library on 15 February. The consultation closes on 1 March 2024.</p>\n"
    "<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>Comments on this post are "
    "read by the project team and count as consultation responses.</p>\n"
    "<!-- /wp:paragraph -->"
)


def agency_wxr(comments: list[Comment]) -> str:
    post_local = datetime(2024, 2, 5, 10, 0, 0)
    post_gmt = post_local + AGENCY_OFFSET
    mod_local = datetime(2024, 2, 16, 9, 12, 5)
    out = [core_header("http://wordpress.org/export/1.2/", "6.5.3", "2024-03-04 16:20")]
    out.append(
        "\t<title>Harwick Planning Blog</title>\n"
        f"\t<link>{AGENCY_HOME}</link>\n"
        "\t<description>News and consultations from the City of Harwick Planning "
        "Department</description>\n"
        "\t<pubDate>Mon, 04 Mar 2024 16:20:44 +0000</pubDate>\n"
        "\t<language>en-US</language>\n"
        "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{AGENCY_HOME}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{AGENCY_HOME}</wp:base_blog_url>\n\n"
    )
    out.append(core_author(OTHER_AUTHOR))
    out.append(core_author(AUTHOR))
    out.append(
        "\n\t<wp:category>\n\t\t<wp:term_id>12</wp:term_id>\n"
        f"\t\t<wp:category_nicename>{cdata('consultations')}</wp:category_nicename>\n"
        f"\t\t<wp:category_parent>{cdata('')}</wp:category_parent>\n"
        f"\t\t<wp:cat_name>{cdata('Consultations')}</wp:cat_name>\n\t</wp:category>\n"
        "\t<wp:tag>\n\t\t<wp:term_id>31</wp:term_id>\n"
        f"\t\t<wp:tag_slug>{cdata('river-walk')}</wp:tag_slug>\n"
        f"\t\t<wp:tag_name>{cdata('river walk')}</wp:tag_name>\n\t</wp:tag>\n\n"
        "\t<generator>https://wordpress.org/?v=6.5.3</generator>\n\n"
    )
    out.append(
        "\t<item>\n"
        f"\t\t<title>{cdata('Have your say on the Millrace River Walk plan')}</title>\n"
        f"\t\t<link>{AGENCY_LINK}</link>\n"
        f"\t\t<pubDate>{rfc822(post_gmt)}</pubDate>\n"
        f"\t\t<dc:creator>{cdata(AUTHOR['login'])}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{AGENCY_GUID}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata(AGENCY_POST_BODY)}</content:encoded>\n"
        f"\t\t<excerpt:encoded>{cdata('')}</excerpt:encoded>\n"
        f"\t\t<wp:post_id>{AGENCY_POST_ID}</wp:post_id>\n"
        f"\t\t<wp:post_date>{cdata(fmt(post_local))}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(fmt(post_gmt))}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{cdata(fmt(mod_local))}</wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt>{cdata(fmt(mod_local + AGENCY_OFFSET))}"
        "</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{cdata('open')}</wp:comment_status>\n"
        f"\t\t<wp:ping_status>{cdata('open')}</wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata('have-your-say-millrace-river-walk')}</wp:post_name>\n"
        f"\t\t<wp:status>{cdata('publish')}</wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n"
        f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
        '\t\t<category domain="category" nicename="consultations">'
        f'{cdata("Consultations")}</category>\n'
        f'\t\t<category domain="post_tag" nicename="river-walk">{cdata("river walk")}</category>\n'
    )
    for key, value in (("_edit_last", str(AUTHOR["id"])),
                       ("consultation_closes", "2024-03-01"),
                       ("_wp_old_slug", "millrace-river-walk-consultation")):
        out.append(
            "\t\t<wp:postmeta>\n"
            f"\t\t<wp:meta_key>{cdata(key)}</wp:meta_key>\n"
            f"\t\t<wp:meta_value>{cdata(value)}</wp:meta_value>\n"
            "\t\t</wp:postmeta>\n"
        )
    out.extend(core_comment(c) for c in comments)
    out.append("\t</item>\n</channel>\n</rss>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# (b) wpcom-pretty.wxr.xml: WordPress.com-style, pretty-printed, https ns.
# --------------------------------------------------------------------------

WPCOM_HOME = "https://tidepoolnotes.example.com"
WPCOM_OFFSET = timedelta(hours=-10)  # site in UTC+10: GMT is 10 hours earlier


def pretty_field(indent: str, name: str, value: str, pad_inside: bool = False) -> str:
    """A string field on its own indented line, as the pretty printer does.

    The indentation around the CDATA is part of the element's text, so a
    reader that trims nothing sees it. pad_inside adds spaces inside the
    CDATA section as well.
    """
    inner = f" {value} " if pad_inside else value
    return f"{indent}<{name}>\n{indent}  {cdata(inner)}\n{indent}</{name}>\n"


def wpcom_comment(c: Comment, pad_content: bool) -> str:
    ind = "      "
    gmt = fmt(c.gmt) if c.gmt else "0000-00-00 00:00:00"
    out = [
        "    <wp:comment>\n",
        f"{ind}<wp:comment_id>{c.cid}</wp:comment_id>\n",
        pretty_field(ind, "wp:comment_author", c.author),
        pretty_field(ind, "wp:comment_author_email", c.email),
        f"{ind}<wp:comment_author_url>{esc(c.url)}</wp:comment_author_url>\n",
        pretty_field(ind, "wp:comment_author_IP", c.ip),
        pretty_field(ind, "wp:comment_date", fmt(c.local)),
        pretty_field(ind, "wp:comment_date_gmt", gmt),
        pretty_field(ind, "wp:comment_content", c.content, pad_inside=pad_content),
        pretty_field(ind, "wp:comment_approved", c.approved),
        pretty_field(ind, "wp:comment_type", c.ctype),
        f"{ind}<wp:comment_parent>{c.parent}</wp:comment_parent>\n",
        f"{ind}<wp:comment_user_id>{c.user_id}</wp:comment_user_id>\n",
    ]
    for key, value in c.meta:
        out.append(
            f"{ind}<wp:commentmeta>\n"
            + pretty_field(ind + "  ", "wp:meta_key", key)
            + pretty_field(ind + "  ", "wp:meta_value", value)
            + f"{ind}</wp:commentmeta>\n"
        )
    out.append("    </wp:comment>\n")
    return "".join(out)


WPCOM_AUTHOR = {"id": 41882907, "login": "marenholt", "email": "maren@example.com",
                "display": "Maren Holt", "first": "Maren", "last": "Holt"}

# A conversation that keeps going one level deeper: (author, email, is_author, text)
CHAIN: list[tuple[str, str, bool, str]] = [
    ("Ewan Strachan", "ewan.strachan@example.net", False,
     "Which tide table do you use? The one on the harbour office board never "
     "seems to match what I see at the point."),
    ("Maren Holt", WPCOM_AUTHOR["email"], True,
     "I use the printed one from the sailing club. The harbour board is for the "
     "inner basin, which turns about twenty minutes later."),
    ("Ewan Strachan", "ewan.strachan@example.net", False,
     "Twenty minutes! That explains a wet pair of boots last August."),
    ("Oksana Melnyk", "oksana.m@example.org", False,
     "Same here. Is the sailing club table on sale anywhere, or members only?"),
    ("Maren Holt", WPCOM_AUTHOR["email"], True,
     "The newsagent on Quay Street has it in spring, a few dollars."),
    ("Oksana Melnyk", "oksana.m@example.org", False,
     "Perfect, thank you. Do you ever go out past the second reef?"),
    ("Maren Holt", WPCOM_AUTHOR["email"], True,
     "Only on the big spring lows and never alone. The channel behind it fills "
     "fast."),
    ("Ewan Strachan", "ewan.strachan@example.net", False,
     "Good rule. A friend got cut off there in 2019 and had to wait four hours "
     "on the rocks."),
    ("Oksana Melnyk", "oksana.m@example.org", False,
     "Four hours?! Was he alright?"),
    ("Ewan Strachan", "ewan.strachan@example.net", False,
     "Cold, sunburnt and embarrassed, but fine. He carries a whistle now 🙂"),
    ("Maren Holt", WPCOM_AUTHOR["email"], True,
     "A whistle and a charged phone in a dry bag. Adding that to the post, "
     "thanks both."),
]


def build_wpcom_posts() -> list[tuple[dict[str, str | int], list[tuple[Comment, bool]]]]:
    """Two posts. Each comment pairs with whether its CDATA is padded inside."""
    posts: list[tuple[dict[str, str | int], list[tuple[Comment, bool]]]] = []

    # Post 1: the ten-deep chain, plus two top-level comments.
    p1_local = datetime(2023, 11, 18, 7, 30, 0)
    comments1: list[tuple[Comment, bool]] = []
    t = p1_local + timedelta(hours=2)
    cid = 301
    parent = 0
    for author, email, is_author, text in CHAIN:
        c = Comment(cid, author, email, WPCOM_HOME if is_author else "",
                    "2001:db8:10::" + format(cid, "x"), t, t + WPCOM_OFFSET, text,
                    parent=parent, user_id=WPCOM_AUTHOR["id"] if is_author else 0)
        comments1.append((c, cid in (302, 306)))
        parent = cid
        cid += 1
        t += timedelta(minutes=47, seconds=cid)
    extra = [
        Comment(312, "Lena Rautio", "lena.rautio@example.com", "", "203.0.113.190",
                p1_local + timedelta(days=1, hours=4),
                p1_local + timedelta(days=1, hours=4) + WPCOM_OFFSET,
                "The photo of the sea slug is wonderful. Nudibranchs are my favourite "
                "thing about winter rock pools."),
        Comment(313, "Joaquim Serra", "", "", "198.51.100.191",
                p1_local + timedelta(days=2, hours=1),
                p1_local + timedelta(days=2, hours=1) + WPCOM_OFFSET,
                "  Leading and trailing spaces are part of this comment.  "),
    ]
    comments1.extend((c, False) for c in extra)
    posts.append(({"id": 88, "title": "Reading the tides at Gull Point",
                   "slug": "reading-the-tides-at-gull-point", "local": fmt(p1_local),
                   "gmt": fmt(p1_local + WPCOM_OFFSET)}, comments1))

    # Post 2: file order is not thread order.
    p2_local = datetime(2024, 1, 6, 16, 5, 0)

    def at(h: int) -> datetime:
        return p2_local + timedelta(hours=h)

    c401 = Comment(401, "Ewan Strachan", "ewan.strachan@example.net", "", "203.0.113.70",
                   at(1), at(1) + WPCOM_OFFSET,
                   "Were the anemones open when you went, or all closed up?")
    c402 = Comment(402, "Maren Holt", WPCOM_AUTHOR["email"], WPCOM_HOME, "203.0.113.5",
                   at(3), at(3) + WPCOM_OFFSET,
                   "Closed at first, then open once the pool warmed up in the sun.",
                   parent=401, user_id=WPCOM_AUTHOR["id"])
    c403 = Comment(403, "Priti Anand", "priti.anand@example.org", "", "192.0.2.71",
                   at(5), at(5) + WPCOM_OFFSET,
                   "Does anyone know the name of the little striped fish in the third "
                   "photo?")
    c404 = Comment(404, "Sam Okonjo", "sam.okonjo@example.com", "", "198.51.100.72",
                   at(6), at(6) + WPCOM_OFFSET,
                   "I think it is a blenny of some kind. They dart between the weed.",
                   parent=403)
    # Reply to a comment that the export no longer holds (it was spam and
    # WordPress leaves spam out of 1.1+ exports).
    c406 = Comment(406, "Rhiannon Price", "rhi.price@example.net", "", "2001:db8:10::406",
                   at(9), at(9) + WPCOM_OFFSET,
                   "Was this meant as a reply to me? I never mentioned selling anything.",
                   parent=399)
    # A parent with a higher id than its reply: ids are not promised to
    # follow time (this one came back from a re-import).
    c398 = Comment(398, "Tobias Lang", "tobias.lang@example.org", "", "192.0.2.74",
                   at(8), at(8) + WPCOM_OFFSET,
                   "Great post. Where exactly is the pool with the red anemones?",
                   parent=407)
    c407 = Comment(407, "Lena Rautio", "lena.rautio@example.com", "", "203.0.113.190",
                   at(7), at(7) + WPCOM_OFFSET,
                   "My kids now want to go every weekend. Thanks for the tips on "
                   "boots and timing.")
    c405 = Comment(405, "Maren Holt", WPCOM_AUTHOR["email"], WPCOM_HOME, "203.0.113.5",
                   at(10), at(10) + WPCOM_OFFSET,
                   "Sam is right, a crested blenny I believe.",
                   parent=404, user_id=WPCOM_AUTHOR["id"])
    # File order: 402 (reply) before 401 (its parent); 398 before its parent 407.
    order = [c402, c401, c403, c404, c405, c406, c398, c407]
    posts.append(({"id": 93, "title": "Rock pools in January",
                   "slug": "rock-pools-in-january", "local": fmt(p2_local),
                   "gmt": fmt(p2_local + WPCOM_OFFSET)},
                  [(c, c.cid == 403) for c in order]))
    return posts


def wpcom_wxr() -> str:
    ns = "https://wordpress.org/export/1.2/"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<!-- generator="WordPress.com" created="2024-02-02 03:14"-->\n',
        '<rss version="2.0" xmlns:excerpt="https://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'xmlns:wp="{ns}">\n',
        "  <channel>\n",
        "    <title>Tidepool Notes</title>\n",
        f"    <link>{WPCOM_HOME}</link>\n",
        "    <description>Low tides, rock pools and the odd sea slug</description>\n",
        "    <pubDate>Fri, 02 Feb 2024 03:14:51 +0000</pubDate>\n",
        "    <language>en</language>\n",
        "    <wp:wxr_version>1.2</wp:wxr_version>\n",
        "    <wp:base_site_url>http://wordpress.com/</wp:base_site_url>\n",
        f"    <wp:base_blog_url>{WPCOM_HOME}</wp:base_blog_url>\n",
        "    <wp:author>\n",
        f"      <wp:author_id>{WPCOM_AUTHOR['id']}</wp:author_id>\n",
        pretty_field("      ", "wp:author_login", str(WPCOM_AUTHOR["login"])),
        pretty_field("      ", "wp:author_email", str(WPCOM_AUTHOR["email"])),
        pretty_field("      ", "wp:author_display_name", str(WPCOM_AUTHOR["display"])),
        pretty_field("      ", "wp:author_first_name", str(WPCOM_AUTHOR["first"])),
        pretty_field("      ", "wp:author_last_name", str(WPCOM_AUTHOR["last"])),
        "    </wp:author>\n",
        "    <wp:category>\n",
        "      <wp:term_id>5</wp:term_id>\n",
        pretty_field("      ", "wp:category_nicename", "shore-walks"),
        pretty_field("      ", "wp:category_parent", ""),
        pretty_field("      ", "wp:cat_name", "Shore walks"),
        "    </wp:category>\n",
        "    <generator>http://wordpress.com/</generator>\n",
    ]
    for post, comments in build_wpcom_posts():
        pid = post["id"]
        out.append("    <item>\n")
        out.append(pretty_field("      ", "title", str(post["title"])))
        out.append(f"      <link>{WPCOM_HOME}/{str(post['gmt'])[:4]}/{post['slug']}/</link>\n")
        gmt_dt = datetime.strptime(str(post["gmt"]), "%Y-%m-%d %H:%M:%S")
        out.append(f"      <pubDate>{rfc822(gmt_dt)}</pubDate>\n")
        out.append(pretty_field("      ", "dc:creator", str(WPCOM_AUTHOR["login"])))
        out.append(f'      <guid isPermaLink="false">http://tidepoolnotes.example.com/?p={pid}</guid>\n')
        out.append("      <description/>\n")
        out.append(pretty_field("      ", "content:encoded",
                                f"<p>Notes from {post['title'].lower()}.</p>"))
        out.append(pretty_field("      ", "excerpt:encoded", ""))
        out.append(f"      <wp:post_id>{pid}</wp:post_id>\n")
        out.append(pretty_field("      ", "wp:post_date", str(post["local"])))
        out.append(pretty_field("      ", "wp:post_date_gmt", str(post["gmt"])))
        out.append(pretty_field("      ", "wp:post_modified", str(post["local"])))
        out.append(pretty_field("      ", "wp:post_modified_gmt", str(post["gmt"])))
        out.append(pretty_field("      ", "wp:comment_status", "open"))
        out.append(pretty_field("      ", "wp:ping_status", "open"))
        out.append(pretty_field("      ", "wp:post_name", str(post["slug"])))
        out.append(pretty_field("      ", "wp:status", "publish"))
        out.append("      <wp:post_parent>0</wp:post_parent>\n")
        out.append("      <wp:menu_order>0</wp:menu_order>\n")
        out.append(pretty_field("      ", "wp:post_type", "post"))
        out.append(pretty_field("      ", "wp:post_password", ""))
        out.append("      <wp:is_sticky>0</wp:is_sticky>\n")
        out.append('      <category domain="category" nicename="shore-walks">\n'
                   f"        {cdata('Shore walks')}\n      </category>\n")
        out.append("      <wp:postmeta>\n"
                   + pretty_field("        ", "wp:meta_key", "_publicize_pending")
                   + pretty_field("        ", "wp:meta_value", "1")
                   + "      </wp:postmeta>\n")
        for c, pad in comments:
            out.append(wpcom_comment(c, pad))
        out.append("    </item>\n")
    out.append("  </channel>\n</rss>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# (c) legacy-1.0.wxr.xml: WordPress 2.8-era export, WXR 1.0, spam included.
# --------------------------------------------------------------------------

LEGACY_HOME = "http://quarrylane.example.org"
LEGACY_OFFSET = timedelta(hours=-1)  # British Summer Time: GMT is 1 hour earlier


def legacy_comment(c: Comment) -> str:
    # The 2.x exporter wrapped only free text in CDATA and printed the rest raw.
    gmt = fmt(c.gmt) if c.gmt else "0000-00-00 00:00:00"
    return (
        "<wp:comment>\n"
        f"<wp:comment_id>{c.cid}</wp:comment_id>\n"
        f"<wp:comment_author>{cdata(c.author)}</wp:comment_author>\n"
        f"<wp:comment_author_email>{esc(c.email)}</wp:comment_author_email>\n"
        f"<wp:comment_author_url>{esc(c.url)}</wp:comment_author_url>\n"
        f"<wp:comment_author_IP>{c.ip}</wp:comment_author_IP>\n"
        f"<wp:comment_date>{fmt(c.local)}</wp:comment_date>\n"
        f"<wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>\n"
        f"<wp:comment_content>{cdata(c.content)}</wp:comment_content>\n"
        f"<wp:comment_approved>{c.approved}</wp:comment_approved>\n"
        f"<wp:comment_type>{c.ctype}</wp:comment_type>\n"
        f"<wp:comment_parent>{c.parent}</wp:comment_parent>\n"
        f"<wp:comment_user_id>{c.user_id}</wp:comment_user_id>\n"
        "</wp:comment>\n"
    )


def build_legacy_comments() -> list[Comment]:
    base = datetime(2009, 7, 14, 19, 40, 0)

    def c(cid: int, hours: float, author: str, email: str, url: str, ip: str, text: str,
          approved: str = "1", ctype: str = "", parent: int = 0, user_id: int = 0,
          no_gmt: bool = False) -> Comment:
        local = base + timedelta(hours=hours)
        return Comment(cid, author, email, url, ip, local,
                       None if no_gmt else local + LEGACY_OFFSET, text, approved,
                       ctype, parent, user_id)

    return [
        c(211, 1.5, "Brenda Colley", "brenda.colley@example.com", "", "192.0.2.44",
          "Same here, the whole row of Gardener's Delight went brown in three days. "
          "I had no idea it could spread that fast."),
        c(212, 3.25, "Alf", "", "", "198.51.100.81",
          "Copper spray worked for me in 2007 but only if you start before you see "
          "any spots."),
        c(213, 5.0, "cheap-garden-furniture", "deals@spam.example.net",
          "http://spam.example.net/?ref=quarrylane", "203.0.113.250",
          "Nice blog!!! Visit our shop for best prices on garden furniture sale sale sale",
          approved="spam"),
        c(214, 6.5, "Dorothy Pim", "dot.pim@example.org", "", "192.0.2.145",
          "Is that a reply to anyone? It does not seem to be about tomatoes at all.",
          parent=213),
        c(215, 8.0, "Quarry Lane admin", "rowan@quarrylane.example.org", LEGACY_HOME,
          "192.0.2.1",
          "Dorothy, it was spam and I have now marked it so. Thanks for flagging.",
          parent=214, user_id=1),
        c(216, 20.0, "Ivor Beddoes", "ivor.b@example.net", "http://ivorsplot.example.net",
          "198.51.100.128",
          "Burn the plants, don't compost them. The spores overwinter in the heap."),
        c(217, 22.0, "Rx-discount-garden", "sales@spam.example.net",
          "http://spam.example.net/garden", "203.0.113.251",
          "great post thanks for sharing see my site for more", approved="spam"),
        c(218, 26.0, "Mrs P. Andrade", "", "", "192.0.2.177",
          "Blight has nothing on the slugs this year. Still waiting for my comment to "
          "show up on the earlier post.", approved="0"),
        c(219, 30.0, "Gwen's Allotment Blog", "", "http://gwensallotment.example.com/2009/07/blight-again/",
          "198.51.100.9",
          "[...] Rowan over at Quarry Lane has good photos of what the early stage "
          "looks like [...]", ctype="pingback"),
        # Old data: the GMT column was never filled for this row.
        c(220, 49.0, "Ivor Beddoes", "ivor.b@example.net", "http://ivorsplot.example.net",
          "198.51.100.128",
          "Update: the potatoes next to them have it now too. Lesson learnt.",
          no_gmt=True),
    ]


def legacy_wxr() -> str:
    ns = "http://wordpress.org/export/1.0/"
    post_local = datetime(2009, 7, 14, 18, 2, 0)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<!-- generator="WordPress/2.8.4" created="2009-09-02 21:17"-->\n',
        '<rss version="2.0"\n',
        f'\txmlns:excerpt="{ns}excerpt/"\n',
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n',
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n',
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n',
        f'\txmlns:wp="{ns}"\n',
        ">\n\n<channel>\n",
        "\t<title>Quarry Lane Gardening Diary</title>\n",
        f"\t<link>{LEGACY_HOME}</link>\n",
        "\t<description>Two allotments, one greenhouse, many slugs</description>\n",
        "\t<pubDate>Wed, 02 Sep 2009 21:17:03 +0000</pubDate>\n",
        "\t<generator>http://wordpress.org/?v=2.8.4</generator>\n",
        "\t<language>en</language>\n",
        "\t<wp:wxr_version>1.0</wp:wxr_version>\n",
        f"\t<wp:base_site_url>{LEGACY_HOME}</wp:base_site_url>\n",
        f"\t<wp:base_blog_url>{LEGACY_HOME}</wp:base_blog_url>\n",
        # Minimal author list with no author_id: nothing here can resolve a
        # comment_user_id, so user 1 below stays a bare number.
        "\t<wp:author><wp:author_login>rowan</wp:author_login>"
        "<wp:author_email>rowan@quarrylane.example.org</wp:author_email>"
        f"<wp:author_display_name>{cdata('Rowan Quarry')}</wp:author_display_name>"
        "</wp:author>\n",
        "\t<wp:category><wp:category_nicename>vegetables</wp:category_nicename>"
        "<wp:category_parent></wp:category_parent>"
        f"<wp:cat_name>{cdata('Vegetables')}</wp:cat_name></wp:category>\n",
        "\t<wp:tag><wp:tag_slug>tomatoes</wp:tag_slug>"
        f"<wp:tag_name>{cdata('tomatoes')}</wp:tag_name></wp:tag>\n",
        "\t<item>\n",
        "<title>Blight has arrived</title>\n",
        f"<link>{LEGACY_HOME}/2009/07/14/blight-has-arrived/</link>\n",
        f"<pubDate>{rfc822(post_local + LEGACY_OFFSET)}</pubDate>\n",
        f"<dc:creator>{cdata('rowan')}</dc:creator>\n",
        f"\t\t<category>{cdata('Vegetables')}</category>\n",
        f'\t\t<category domain="category" nicename="vegetables">{cdata("Vegetables")}</category>\n',
        f'\t\t<category domain="tag">{cdata("tomatoes")}</category>\n',
        f'\t\t<category domain="tag" nicename="tomatoes">{cdata("tomatoes")}</category>\n',
        f'<guid isPermaLink="false">{LEGACY_HOME}/?p=57</guid>\n',
        "<description></description>\n",
        "<content:encoded>" + cdata(
            "Brown patches on the leaves on Sunday, black stems by Tuesday. The "
            "outdoor tomatoes are gone, and I am watching the greenhouse ones "
            "nervously.\n\nIf you grow on the Quarry Lane site, check yours today."
        ) + "</content:encoded>\n",
        f"<excerpt:encoded>{cdata('')}</excerpt:encoded>\n",
        "<wp:post_id>57</wp:post_id>\n",
        f"<wp:post_date>{fmt(post_local)}</wp:post_date>\n",
        f"<wp:post_date_gmt>{fmt(post_local + LEGACY_OFFSET)}</wp:post_date_gmt>\n",
        "<wp:comment_status>open</wp:comment_status>\n",
        "<wp:ping_status>open</wp:ping_status>\n",
        "<wp:post_name>blight-has-arrived</wp:post_name>\n",
        "<wp:status>publish</wp:status>\n",
        "<wp:post_parent>0</wp:post_parent>\n",
        "<wp:menu_order>0</wp:menu_order>\n",
        "<wp:post_type>post</wp:post_type>\n",
        "<wp:post_password></wp:post_password>\n",
        "<wp:postmeta>\n<wp:meta_key>_edit_lock</wp:meta_key>\n"
        "<wp:meta_value>1247593712</wp:meta_value>\n</wp:postmeta>\n",
    ]
    out.extend(legacy_comment(c) for c in build_legacy_comments())
    out.append("\t</item>\n</channel>\n</rss>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# (d) broken.wxr.xml: two defects WordPress really produces, nothing else.
# --------------------------------------------------------------------------

BROKEN_HOME = "https://library.example.net"
RAW_AMP_URL = "https://bookclub.example.org/index.php?page=reviews&id=88"
CONTROL_CHAR = "\x08"  # a stray backspace pasted from a terminal


def build_broken_comments() -> list[Comment]:
    base = datetime(2022, 10, 3, 11, 0, 0)
    offset = timedelta(hours=-2)  # UTC+2

    def c(cid: int, hours: int, author: str, email: str, url: str, ip: str,
          text: str) -> Comment:
        local = base + timedelta(hours=hours)
        return Comment(cid, author, email, url, ip, local, local + offset, text)

    return [
        c(901, 2, "Marta Kovač", "marta.kovac@example.com", "", "192.0.2.91",
          "Is the reading group still meeting on Thursdays during the refurbishment?"),
        c(902, 4, "Desmond Ayre", "desmond.ayre@example.net", "", "198.51.100.92",
          "Thank you for extending the loan period. Three weeks was never enough for "
          "the long novels."),
        c(903, 5, "Eastfield Book Club", "hello@bookclub.example.org", RAW_AMP_URL,
          "203.0.113.93",
          "We have posted our autumn reading list on our site, with a link back to the "
          "library catalogue for each title."),
        c(904, 7, "Ilse Brandt", "ilse.brandt@example.org", "", "2001:db8:91::4",
          "Please bring back the large print shelf near the entrance."),
        c(905, 9, "Kofi Mensah", "kofi.mensah@example.com", "", "192.0.2.95",
          "Pasted from my notes:" + CONTROL_CHAR + " the Saturday opening hours on "
          "the door still say 9 to 1."),
        c(906, 12, "Ruth Abernethy", "", "", "198.51.100.96",
          "The new self-service machines are much quicker, well done."),
        c(907, 14, "Desmond Ayre", "desmond.ayre@example.net", "", "198.51.100.92",
          "Replying to myself: the renewals page works on mobile now too."),
    ]


def broken_wxr() -> str:
    comments = build_broken_comments()
    comments[-1].parent = 902
    post_local = datetime(2022, 10, 3, 9, 30, 0)
    post_gmt = post_local - timedelta(hours=2)
    out = [core_header("http://wordpress.org/export/1.2/", "6.0.2", "2022-10-20 08:00")]
    out.append(
        "\t<title>Eastfield Library News</title>\n"
        f"\t<link>{BROKEN_HOME}</link>\n"
        "\t<description>What is on at the library</description>\n"
        "\t<pubDate>Thu, 20 Oct 2022 08:00:12 +0000</pubDate>\n"
        "\t<language>en-GB</language>\n"
        "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{BROKEN_HOME}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{BROKEN_HOME}</wp:base_blog_url>\n\n"
    )
    out.append(core_author({"id": 2, "login": "libstaff", "email": "news@library.example.net",
                            "display": "Library staff", "first": "", "last": ""}))
    out.append("\n\t<generator>https://wordpress.org/?v=6.0.2</generator>\n\n")
    out.append(
        "\t<item>\n"
        f"\t\t<title>{cdata('Longer loans and new opening hours')}</title>\n"
        f"\t\t<link>{BROKEN_HOME}/2022/10/03/longer-loans/</link>\n"
        f"\t\t<pubDate>{rfc822(post_gmt)}</pubDate>\n"
        f"\t\t<dc:creator>{cdata('libstaff')}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{BROKEN_HOME}/?p=640</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata('<p>From this month, loans last three weeks.</p>')}"
        "</content:encoded>\n"
        f"\t\t<excerpt:encoded>{cdata('')}</excerpt:encoded>\n"
        "\t\t<wp:post_id>640</wp:post_id>\n"
        f"\t\t<wp:post_date>{cdata(fmt(post_local))}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(fmt(post_gmt))}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{cdata(fmt(post_local))}</wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt>{cdata(fmt(post_gmt))}</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{cdata('open')}</wp:comment_status>\n"
        f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata('longer-loans')}</wp:post_name>\n"
        f"\t\t<wp:status>{cdata('publish')}</wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n"
        f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
    )
    for c in comments:
        text = core_comment(c)
        if c.url == RAW_AMP_URL:
            # Undo our escaping for this one URL: core prints it raw.
            text = text.replace(esc(RAW_AMP_URL), RAW_AMP_URL)
        out.append(text)
    out.append("\t</item>\n</channel>\n</rss>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# (e) agency-blog.disqus.xml.gz: the same site after it moved to Disqus.
# --------------------------------------------------------------------------

FORUM = "agencyblog"


@dataclass
class DPost:
    dsq_id: str
    ident: str  # "wp_id=N" for imported comments, "" for native ones
    message: str
    created: datetime  # UTC
    thread: str
    parent: str = ""
    name: str = ""
    username: str = ""
    anonymous: bool = True
    deleted: bool = False
    spam: bool = False
    approved: bool = True
    flagged: bool = False
    highlighted: bool = False


def html_paragraphs(text: str) -> str:
    return "".join(f"<p>{p}</p>" for p in text.split("\n\n"))


def disqus_xml() -> str:
    comments = build_agency_comments()
    threads = [
        # (dsq:id, identifier, link, title, created UTC, closed)
        ("9812330001", f"{AGENCY_POST_ID} {AGENCY_GUID}", AGENCY_LINK,
         "Have your say on the Millrace River Walk plan", datetime(2024, 3, 12, 14, 2, 9), False),
        # Written before the blog moved from blog.example.gov to www.example.gov/blog.
        ("9812330002", "2210 http://blog.example.gov/?p=2210",
         "http://blog.example.gov/2019/06/12/granary-quarter-conservation-area/",
         "Granary Quarter conservation area review", datetime(2024, 3, 12, 14, 2, 9), True),
        ("9812330003", "3980 http://www.example.gov/blog/?p=3980",
         "https://www.example.gov/blog/2023/09/28/hollin-road-junction-results/",
         "Hollin Road junction: consultation results", datetime(2024, 3, 12, 14, 2, 10), False),
        # A page that loaded the embed once and never got a comment.
        ("9812330004", "", "https://www.example.gov/blog/about/", "About this blog",
         datetime(2024, 3, 19, 8, 41, 55), False),
    ]
    posts: list[DPost] = []
    wp_to_dsq: dict[int, str] = {}
    next_id = 6620400100
    # Imported from WordPress: approved comments of type comment only, in id
    # order, with their GMT dates; pings, the pending and the trashed stay behind.
    for c in comments:
        if c.approved != "1" or c.ctype != "comment":
            continue
        next_id += 1
        dsq = str(next_id)
        wp_to_dsq[c.cid] = dsq
        assert c.gmt is not None
        posts.append(DPost(dsq, f"wp_id={c.cid}", html_paragraphs(c.content), c.gmt,
                           threads[0][0], wp_to_dsq.get(c.parent, ""), name=c.author))
    old_thread = [
        (11402, datetime(2019, 6, 12, 18, 40, 2), "Winifred Agyeman",
         "Will the conservation area cover the granary yard itself or only the street "
         "frontages?", 0),
        (11405, datetime(2019, 6, 13, 9, 5, 48), "Dana Okafor",
         "The yard is inside the proposed boundary. The map on page 3 shows it shaded.",
         11402),
        (11410, datetime(2019, 6, 20, 22, 17, 30), "Hal Brightwater",
         "About time. Two of the old warehouse doors have already gone for scrap.", 0),
    ]
    for wp_id, created, name, text, parent in old_thread:
        next_id += 1
        wp_to_dsq[wp_id] = str(next_id)
        posts.append(DPost(str(next_id), f"wp_id={wp_id}", html_paragraphs(text), created,
                           threads[1][0], wp_to_dsq.get(parent, ""), name=name))
    next_id += 1
    posts.append(DPost(str(next_id), "wp_id=17044",
                       html_paragraphs("Is the left-turn ban permanent or a trial?"),
                       datetime(2023, 9, 29, 12, 0, 41), threads[2][0], name="Colm Reddy"))

    # Native Disqus comments after the switch (empty <id/>).
    def native(created: datetime, thread: str, message: str, parent: str = "",
               **kw: object) -> str:
        nonlocal next_id
        next_id += 1
        posts.append(DPost(str(next_id), "", message, created, thread, parent, **kw))  # type: ignore[arg-type]
        return str(next_id)

    t1, t2, t3 = threads[0][0], threads[1][0], threads[2][0]
    wen = native(datetime(2024, 3, 14, 17, 22, 3), t1,
                 "<p>Has the consultation report been published yet? The page says "
                 "spring.</p>", name="Wen Li", username="wenli_harwick", anonymous=False)
    native(datetime(2024, 3, 15, 9, 1, 56), t1,
           "<p>Not yet, Wen. We expect to publish it in April with every response "
           "summarised.</p>", wen, name=AUTHOR["display"], username=AUTHOR["login"],
           anonymous=False, highlighted=True)
    native(datetime(2024, 3, 16, 2, 44, 10), t1,
           "<p>Best deals on outdoor lighting, visit "
           "<a href=\"https://lamps.example.net\">our store</a></p>",
           name="lamp deals", spam=True, approved=False)
    gone = native(datetime(2024, 3, 18, 20, 13, 27), t1,
                  "<p>This whole plan is a waste and everyone involved should be "
                  "ashamed.</p>", name="Angry of Hollin Road", deleted=True)
    native(datetime(2024, 3, 18, 21, 2, 49), t1,
           "<p>Disagree. It is the first plan in years that asked people first.</p>",
           gone, name="Sally Fenwick", username="sallyfenwick", anonymous=False)
    native(datetime(2024, 3, 20, 7, 30, 0), t1,
           "<p>Following up on the gradients question: will the detailed design go "
           "out for comment too?</p>", wp_to_dsq[next(c.cid for c in comments
                                                      if c.author == "Miriam Feld")],
           name="Miriam Feld", flagged=True)
    native(datetime(2024, 3, 21, 11, 5, 12), t1,
           "<p>Bump. Any news on the bins?</p>", name="Jonah Whitlock", approved=False)
    native(datetime(2024, 3, 22, 16, 40, 0), t2,
           "<p>Found this via an old link. Did the conservation area go ahead?</p>",
           name="Petra Novak", username="pnovak", anonymous=False)
    native(datetime(2024, 4, 2, 10, 12, 33), t3,
           "<p>The junction is much calmer now. Thank you for listening.</p>",
           name="Colm Reddy")

    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd '
        'http://disqus.com/api/schemas/1.0/disqus-internals.xsd">\n',
        '<category dsq:id="4410927">\n',
        f"<forum>{FORUM}</forum>\n<title>General</title>\n<isDefault>true</isDefault>\n",
        "</category>\n",
    ]
    for dsq, ident, link, title, created, closed in threads:
        out.append(
            f'<thread dsq:id="{dsq}">\n'
            + (f"<id>{esc(ident)}</id>\n" if ident else "<id />\n")
            + f"<forum>{FORUM}</forum>\n"
            '<category dsq:id="4410927" />\n'
            f"<link>{esc(link)}</link>\n"
            f"<title>{cdata(title)}</title>\n"
            "<message />\n"
            f"<createdAt>{iso_z(created)}</createdAt>\n"
            "<author>\n"
            f"<name>{esc(AUTHOR['display'])}</name>\n"
            "<isAnonymous>false</isAnonymous>\n"
            f"<username>{AUTHOR['login']}</username>\n"
            "</author>\n"
            f"<isClosed>{str(closed).lower()}</isClosed>\n"
            "<isDeleted>false</isDeleted>\n"
            "</thread>\n"
        )
    for p in posts:
        author = (f"<name>{esc(p.name)}</name>\n"
                  f"<isAnonymous>{str(p.anonymous).lower()}</isAnonymous>\n")
        if p.username:
            author += f"<username>{p.username}</username>\n"
        out.append(
            f'<post dsq:id="{p.dsq_id}">\n'
            + (f"<id>{p.ident}</id>\n" if p.ident else "<id />\n")
            + f"<message>{cdata(p.message)}</message>\n"
            f"<createdAt>{iso_z(p.created)}</createdAt>\n"
            f"<isDeleted>{str(p.deleted).lower()}</isDeleted>\n"
            f"<isSpam>{str(p.spam).lower()}</isSpam>\n"
            f"<isApproved>{str(p.approved).lower()}</isApproved>\n"
            f"<isFlagged>{str(p.flagged).lower()}</isFlagged>\n"
            f"<isHighlighted>{str(p.highlighted).lower()}</isHighlighted>\n"
            f"<author>\n{author}</author>\n"
            f'<thread dsq:id="{p.thread}" />\n'
            + (f'<parent dsq:id="{p.parent}" />\n' if p.parent else "")
            + "</post>\n"
        )
    out.append("</disqus>\n")
    return "".join(out)


def gzip_bytes(data: bytes) -> bytes:
    # mtime=0 and no file name in the header, so the bytes never change.
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def main(argv: list[str]) -> None:
    out_dir = Path(argv[1]) if len(argv) > 1 else HERE
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "agency-blog.wxr.xml": agency_wxr(build_agency_comments()).encode("utf-8"),
        "wpcom-pretty.wxr.xml": wpcom_wxr().encode("utf-8"),
        "legacy-1.0.wxr.xml": legacy_wxr().encode("utf-8"),
        "broken.wxr.xml": broken_wxr().encode("utf-8"),
        "agency-blog.disqus.xml.gz": gzip_bytes(disqus_xml().encode("utf-8")),
    }
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
        print(f"{name}\t{len(data)} bytes")


if __name__ == "__main__":
    main(sys.argv)
