#!/usr/bin/env python3
"""Import WXR files into a real WordPress and count the comments it keeps.

For each file, a fresh site (Debian's ``wordpress`` package, in a database
``wxrb_wp_<random>`` made for the run and dropped after it) imports the file
with the wordpress-importer plugin's own ``WP_Import`` class, run from PHP's
command line by bench/wp/import.php; the comments the site then holds are
compared with the file's threads: every comment kept, each reply under its
parent, each author reply linked to the user made for its author.  With
``--ours`` the file is also converted by wxrbridge (the default WXR export,
the one made for WordPress's importer) and that copy imported the same way.

The plugin is not part of wxrbridge: give its checkout with ``--importer``
or ``WXRBRIDGE_WP_IMPORTER`` (a clone of github.com/WordPress/wordpress-importer).

    bench/wordpress_import.py --importer ~/src/wordpress-importer --ours \\
        samples/*.wxr.xml tests/data/wxr/*.xml

Needs php-cli, php-mysql, php-xml, the ``wordpress`` package and a MariaDB
or MySQL server reached as root without a password (``--db-host``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BOOTSTRAP = HERE / "wp" / "import.php"
_PHP_INT = re.compile(r"^[ \t\n\r\v\f]*([+-]?[0-9]+)")


def php_int(text: str) -> int:
    """The integer PHP's ``(int)`` cast makes of ``text``."""
    match = _PHP_INT.match(text or "")
    return int(match.group(1)) if match else 0


def comment_ident(text: str | None) -> int | str:
    """Which comment of its item an id names: its number, or an odd id as it
    is (trimmed; absent is "")."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else text


@dataclass
class Outcome:
    """What a site kept of one file's comments: ``kept`` counts those in
    their own post, and a top-level one only if it stayed at the top."""

    comments: int = 0
    kept: int = 0
    replies: int = 0
    replies_under_parent: int = 0
    author_replies: int = 0
    author_replies_linked: int = 0
    lost: list[str] | None = None

    def row(self) -> list[str]:
        return [f"{self.kept}/{self.comments}", f"{self.replies_under_parent}/{self.replies}",
                f"{self.author_replies_linked}/{self.author_replies}"]

    @property
    def whole(self) -> bool:
        return (self.kept == self.comments and self.replies_under_parent == self.replies
                and self.author_replies_linked == self.author_replies)


def _signature(index: int, comment: dict[str, Any]) -> tuple[int, str, str, str]:
    """A comment known by its item, author, date and text: its id may be
    absent, repeated or renumbered by the export."""
    return (index, comment["comment_author"].strip(), comment["comment_date"].strip(),
            comment["comment_content"].strip())


def compare(result: dict[str, Any], source: dict[str, Any] | None = None) -> Outcome:
    """Compare the threads of ``source`` (the original file, as the plugin's
    parser read it; by default the imported file itself) with the comments
    the site holds after importing ``result``'s file.  The items of a file
    wxrbridge wrote are the source's, in its order."""
    source = source or result
    outcome = Outcome(lost=[])
    lost = outcome.lost
    assert lost is not None
    if len(result["items"]) != len(source["items"]):
        raise ValueError("the imported file does not have the source's items")
    wp_of_file = {(row["index"], row["comment_id"]): row["wp_id"] for row in result["inserted"]}
    # A source comment's signature -> the site's comments made from it.
    site_ids: dict[tuple[int, str, str, str], list[int]] = {}
    for item in result["items"]:
        seen: set[str] = set()
        for comment in item["comments"]:
            cid = comment["comment_id"]
            wp_id = wp_of_file.get((item["index"], cid)) if cid not in seen else None
            seen.add(cid)
            if wp_id is not None:
                site_ids.setdefault(_signature(item["index"], comment), []).append(wp_id)
    stored = {int(row["comment_ID"]): row for row in result["comments"]}
    users = {login.strip().lower(): uid for login, uid in result["users"].items()}
    author_login = {php_int(a["author_id"]): a["login"].strip().lower()
                    for a in source["authors"]}
    for item, written in zip(source["items"], result["items"], strict=True):
        index = item["index"]
        own_post = written.get("post")
        by_id = {comment_ident(c["comment_id"]): _signature(index, c) for c in item["comments"]}
        used: dict[tuple[int, str, str, str], int] = {}
        for comment in item["comments"]:
            outcome.comments += 1
            cid = comment_ident(comment["comment_id"])
            label = f"item #{index + 1} (post {item['post_id'].strip()}) comment {cid!r}"
            parent = php_int(comment["comment_parent"])
            user = php_int(comment["comment_user_id"])
            is_reply = bool(parent) and parent in by_id
            outcome.replies += is_reply
            outcome.author_replies += bool(user) and user in author_login
            signature = _signature(index, comment)
            made = site_ids.get(signature, [])
            taken = used.get(signature, 0)
            used[signature] = taken + 1
            if taken >= len(made):
                lost.append(label)
                continue
            row = stored[made[taken]]
            if own_post is None or int(row["comment_post_ID"]) != own_post:
                lost.append(f"{label}: moved to another post")
                continue
            if not parent and int(row["comment_parent"]):
                lost.append(f"{label}: made a reply to another comment")
                continue
            outcome.kept += 1
            if is_reply:
                parent_ids = site_ids.get(by_id[parent], [])
                if parent_ids and int(row["comment_parent"]) == parent_ids[0]:
                    outcome.replies_under_parent += 1
                else:
                    lost.append(f"{label}: not under its parent {parent}")
            if user and user in author_login:
                if int(row["user_id"]) == users.get(author_login[user]):
                    outcome.author_replies_linked += 1
                else:
                    lost.append(f"{label}: not linked to user {author_login[user]}")
    return outcome


class Site:
    """A WordPress site in a database of its own, for one import."""

    def __init__(self, wordpress: Path, importer: Path, db_host: str) -> None:
        self.wordpress, self.importer, self.db_host = wordpress, importer, db_host
        self.db = f"wxrb_wp_{secrets.token_hex(4)}"

    def _mysql(self, statement: str) -> None:
        host, _, port = self.db_host.partition(":")
        subprocess.run(["mysql", "-h", host, "-P", port or "3306", "-uroot", "-e", statement],
                       check=True)

    def __enter__(self) -> Site:
        self._mysql(f"CREATE DATABASE `{self.db}` CHARACTER SET utf8mb4")
        self._php("install")
        return self

    def __exit__(self, *exc: object) -> None:
        self._mysql(f"DROP DATABASE `{self.db}`")

    def _php(self, step: str, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            ["php", str(BOOTSTRAP), step, str(self.wordpress), self.db, self.db_host, *args],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            said = done.stdout[-2000:].strip() or done.stderr.strip()
            raise RuntimeError(f"{step} failed: {said}")
        # Deprecation notices of older plugins may precede the JSON line.
        data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return data

    def import_file(self, path: Path) -> dict[str, Any]:
        return self._php("import", str(self.importer), str(path))


def our_export(source: Path, out_dir: Path, recover: bool = False) -> Path:
    """wxrbridge's default WXR export of ``source`` (``recover``: with
    ``--recover``)."""
    target = out_dir / (source.name.split(".")[0] + ".wxrbridge.wxr.xml")
    wxrbridge = Path(sys.executable).with_name("wxrbridge")
    command = [str(wxrbridge)] if wxrbridge.exists() else [sys.executable, "-m", "wxrbridge"]
    subprocess.run([*command, "convert", str(source), str(target), "--to", "wxr",
                    *(["--recover"] if recover else [])],
                   check=True, capture_output=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--importer", type=Path, default=os.environ.get("WXRBRIDGE_WP_IMPORTER"),
                        help="wordpress-importer checkout (else $WXRBRIDGE_WP_IMPORTER)")
    parser.add_argument("--wordpress", type=Path, default=Path("/usr/share/wordpress"))
    parser.add_argument("--db-host", default="127.0.0.1:3306")
    parser.add_argument("--ours", action="store_true",
                        help="also import wxrbridge's default WXR export of each file")
    parser.add_argument("--recover", action="store_true",
                        help="convert with --recover (files wxrbridge refuses otherwise)")
    parser.add_argument("--show-lost", action="store_true", help="name each comment lost")
    args = parser.parse_args()
    if args.importer is None or not (args.importer / "src" / "class-wp-import.php").exists():
        parser.error("--importer (or WXRBRIDGE_WP_IMPORTER) must name a wordpress-importer"
                     " checkout")
    rows: list[list[str]] = []
    failed = 0
    with tempfile.TemporaryDirectory(prefix="wxrb-wp-") as tmp:
        for source in args.files:
            variants: list[tuple[str, Path | None]] = [("original", source)]
            if args.ours:
                try:
                    variants.append(("wxrbridge", our_export(source, Path(tmp), args.recover)))
                except subprocess.CalledProcessError as refused:
                    variants.append(("wxrbridge", None))
                    print(f"  {source.name}: wxrbridge refuses it (exit {refused.returncode}):"
                          f" {refused.stderr.decode().strip()}", file=sys.stderr)
            original: dict[str, Any] | None = None
            for label, path in variants:
                if path is None:
                    rows.append([source.name, label, "refused", "", ""])
                    continue
                with Site(args.wordpress, args.importer, args.db_host) as site:
                    try:
                        result = site.import_file(path)
                    except RuntimeError as error:
                        rows.append([source.name, label, "not imported", "", ""])
                        print(f"  {source.name} ({label}): {error}", file=sys.stderr)
                        continue
                if label == "wxrbridge" and original is None:
                    # The source is no WXR the plugin reads (a Disqus export,
                    # or refused): the export is checked against itself.
                    label = "wxrbridge (its own threads)"
                outcome = compare(result, original)
                original = original or result
                rows.append([source.name, label, *outcome.row()])
                if label.startswith("wxrbridge") and not outcome.whole:
                    failed += 1
                if args.show_lost and outcome.lost:
                    for line in outcome.lost:
                        print(f"  {source.name} ({label}): {line}", file=sys.stderr)
    print("| file | WXR | comments kept | replies under their parent | author replies linked |")
    print("|---|---|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
