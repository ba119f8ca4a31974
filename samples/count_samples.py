"""Count what each sample holds, straight from the XML with lxml.

The numbers in samples/README.md come from this script, so they can be
re-checked after any change to make_samples.py:

    python samples/count_samples.py [SAMPLES_DIR]

It reads values the way a strict importer would interpret them (surrounding
whitespace ignored for numbers and statuses) but never relies on the file
being in thread order.
"""

from __future__ import annotations

import gzip
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

HERE = Path(__file__).resolve().parent
WP_NS = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
DSQ = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"


def wp_namespace(root: etree._Element) -> str:
    for uri in root.nsmap.values():
        if uri and WP_NS.match(uri):
            return "{" + uri + "}"
    raise ValueError("no wp namespace")


def depth_of(cid: str, parents: dict[str, str]) -> int:
    depth = 0
    seen = {cid}
    while parents.get(cid, "0") in parents:
        cid = parents[cid]
        if cid in seen:  # a cycle would be a bug in the sample
            raise ValueError("parent cycle")
        seen.add(cid)
        depth += 1
    return depth


def count_wxr(path: Path, recover: bool = False) -> dict[str, object]:
    parser = etree.XMLParser(recover=recover, huge_tree=True, resolve_entities=False)
    root = etree.parse(str(path), parser).getroot()
    wp = wp_namespace(root)
    c: Counter[str] = Counter()
    items = root.findall("channel/item")
    c["items"] = len(items)
    c["authors"] = len(root.findall(f"channel/{wp}author"))
    authors_with_id = {
        (a.findtext(f"{wp}author_id") or "").strip()
        for a in root.findall(f"channel/{wp}author")
    } - {""}
    for item in items:
        comments = item.findall(f"{wp}comment")
        parents: dict[str, str] = {}
        position: dict[str, int] = {}
        for n, com in enumerate(comments):
            cid = (com.findtext(f"{wp}comment_id") or "").strip()
            parents[cid] = (com.findtext(f"{wp}comment_parent") or "0").strip()
            position[cid] = n
        c["comment_elements"] += len(comments)
        for com in comments:
            def val(name: str, com: etree._Element = com) -> str:
                return (com.findtext(f"{wp}{name}") or "").strip()

            cid, parent = val("comment_id"), val("comment_parent")
            ctype, status, user = val("comment_type"), val("comment_approved"), val(
                "comment_user_id")
            is_ping = ctype in ("pingback", "trackback")
            c["type=" + (ctype or "''")] += 1
            c[f"status={status}"] += 1
            if is_ping:
                c["pings"] += 1
            elif parent == "0":
                c["top_level_comments"] += 1
                if status == "1":
                    c["top_level_approved_comments"] += 1
            else:
                c["replies"] += 1
                if parent not in parents:
                    c["replies_parent_missing"] += 1
                elif position[parent] > position[cid]:
                    c["replies_listed_before_parent"] += 1
                if parent in parents and int(parent) > int(cid):
                    c["replies_with_higher_id_parent"] += 1
            if user not in ("", "0"):
                c["by_site_user"] += 1
                if user not in authors_with_id:
                    c["by_site_user_not_in_author_list"] += 1
            url = com.findtext(f"{wp}comment_author_url") or ""
            if "&" in url:
                c["author_url_with_ampersand"] += 1
            ip = val("comment_author_IP")
            if ":" in ip:
                c["ipv6"] += 1
            if val("comment_date_gmt") == "0000-00-00 00:00:00":
                c["gmt_zero_date"] += 1
            raw = com.findtext(f"{wp}comment_content") or ""
            if raw != raw.strip():
                c["content_with_outer_whitespace"] += 1
            if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", raw):
                c["content_with_control_char"] += 1
            metas = com.findall(f"{wp}commentmeta")
            c["commentmeta"] += len(metas)
            if metas:
                c["comments_with_meta"] += 1
            keys = [m.findtext(f"{wp}meta_key") for m in metas]
            if len(keys) != len(set(keys)):
                c["comments_with_repeated_meta_key"] += 1
            c["max_depth"] = max(c["max_depth"], depth_of(cid, parents))
        c["postmeta"] += len(item.findall(f"{wp}postmeta"))
    return dict(sorted(c.items()))


def count_disqus(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
    c: Counter[str] = Counter()
    c["categories"] = len(root.findall(f"{DSQ}category"))
    threads = root.findall(f"{DSQ}thread")
    posts = root.findall(f"{DSQ}post")
    c["threads"], c["posts"] = len(threads), len(posts)
    hosts = Counter(urlsplit(t.findtext(f"{DSQ}link") or "").netloc for t in threads)
    c["thread_hosts"] = len(hosts)
    by_id = {p.get(DSQ_ID): p for p in posts}
    per_thread = Counter(p.find(f"{DSQ}thread").get(DSQ_ID) for p in posts)
    c["threads_without_posts"] = sum(1 for t in threads if per_thread[t.get(DSQ_ID)] == 0)
    c["threads_with_empty_id"] = sum(1 for t in threads if not (t.findtext(f"{DSQ}id") or ""))
    for p in posts:
        ident = p.findtext(f"{DSQ}id") or ""
        c["imported_wp_id" if ident.startswith("wp_id=") else "native"] += 1
        for flag in ("isDeleted", "isSpam", "isFlagged", "isHighlighted"):
            if p.findtext(f"{DSQ}{flag}") == "true":
                c[flag] += 1
        if p.findtext(f"{DSQ}isApproved") == "false":
            c["not_approved"] += 1
        if p.findtext(f"{DSQ}author/{DSQ}username"):
            c["by_registered_user"] += 1
        if p.find(f"{DSQ}author/{DSQ}email") is not None or p.find(f"{DSQ}ipAddress") is not None:
            c["with_email_or_ip"] += 1
        parent = p.find(f"{DSQ}parent")
        if parent is not None:
            c["replies"] += 1
            ref = by_id.get(parent.get(DSQ_ID))
            if ref is None:
                c["replies_parent_missing"] += 1
            elif ref.findtext(f"{DSQ}isDeleted") == "true":
                c["replies_to_deleted"] += 1
    return dict(sorted(c.items()))


def cross_check(wxr: Path, disqus: Path) -> dict[str, object]:
    """Tie the Disqus export to the WXR export of the same site."""
    root = etree.parse(str(wxr)).getroot()
    wp = wp_namespace(root)
    item = root.find("channel/item")
    post_id = item.findtext(f"{wp}post_id")
    guid = item.findtext("guid")
    sent = {
        com.findtext(f"{wp}comment_id")
        for com in item.findall(f"{wp}comment")
        if com.findtext(f"{wp}comment_approved") == "1"
        and com.findtext(f"{wp}comment_type") in ("", "comment")
    }
    droot = etree.fromstring(gzip.decompress(disqus.read_bytes()))
    thread = next(t for t in droot.findall(f"{DSQ}thread")
                  if t.findtext(f"{DSQ}id") == f"{post_id} {guid}")
    tid = thread.get(DSQ_ID)
    imported = {
        (p.findtext(f"{DSQ}id") or "")[len("wp_id="):]
        for p in droot.findall(f"{DSQ}post")
        if p.find(f"{DSQ}thread").get(DSQ_ID) == tid
        and (p.findtext(f"{DSQ}id") or "").startswith("wp_id=")
    }
    return {"thread_identifier": f"{post_id} {guid}", "wxr_sendable": len(sent),
            "disqus_imported": len(imported), "same_ids": sent == imported}


def main(argv: list[str]) -> None:
    base = Path(argv[1]) if len(argv) > 1 else HERE
    for name in ("agency-blog.wxr.xml", "wpcom-pretty.wxr.xml", "legacy-1.0.wxr.xml"):
        print(name, count_wxr(base / name))
    broken = base / "broken.wxr.xml"
    try:
        etree.parse(str(broken))
        print("broken.wxr.xml unexpectedly well-formed")
    except etree.XMLSyntaxError:
        # libxml2 stops at the first fatal error; list every one it reports.
        parser = etree.XMLParser(recover=True)
        etree.parse(str(broken), parser)
        for err in parser.error_log:
            print(f"broken.wxr.xml error line {err.line}: {err.message}")
    print("broken.wxr.xml (recover mode)", count_wxr(broken, recover=True))
    print("agency-blog.disqus.xml.gz", count_disqus(base / "agency-blog.disqus.xml.gz"))
    print("cross-check", cross_check(base / "agency-blog.wxr.xml",
                                     base / "agency-blog.disqus.xml.gz"))


if __name__ == "__main__":
    main(sys.argv)
