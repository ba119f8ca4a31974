"""Redacting email and IP addresses from a record stream."""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

import pytest

from wxrbridge import api
from wxrbridge.records import Comment, Extra, Record, Source, Term, Thread, User
from wxrbridge.redact import email_token, ip_token, redact, sweep

EMAIL = re.compile(r"redacted-[0-9a-f]{16}@invalid")
IP = re.compile(r"redacted-[0-9a-f]{16}")


def records() -> list[Record]:
    return [
        Source(origin="wxr", site="https://blog.example.com"),
        User(origin="wxr", wp_id="1", login="admin", email="Admin@Example.com"),
        Term(origin="wxr", kind="category", name="News"),
        Thread(origin="disqus", key="t1", dsq_author_email="owner@example.com",
               dsq_ip_address="198.51.100.7"),
        Comment(
            origin="wxr", key="1", thread="t1", author_name="Ann",
            author_email="ann@example.com", author_ip="203.0.113.9",
            content="Write to me at ann@example.com",
            meta=[("akismet_as_submitted",
                   'a:2:{s:20:"comment_author_email";s:15:"ann@example.com";'
                   's:7:"user_ip";s:11:"203.0.113.9";}'),
                  ("other_ip", "203.0.113.99")],
            extras=[Extra("element", "{urn:x}seen", "<x:seen>203.0.113.9</x:seen>")],
        ),
        Comment(origin="wxr", key="2", thread="t1", author_email="ANN@example.com ",
                author_ip="203.0.113.9"),
        Comment(origin="wxr", key="3", thread="t1", author_email="", author_ip=None),
    ]


def test_emails_and_ips_become_tokens() -> None:
    out = list(redact(records(), {"emails", "ips"}))
    user, thread, first, second, empty = out[1], out[3], out[4], out[5], out[6]
    assert isinstance(user, User) and isinstance(thread, Thread)
    assert isinstance(first, Comment) and isinstance(second, Comment)
    assert isinstance(empty, Comment)
    for value in (user.email, thread.dsq_author_email, first.author_email):
        assert value is not None and EMAIL.fullmatch(value)
    for value in (thread.dsq_ip_address, first.author_ip):
        assert value is not None and IP.fullmatch(value)
    assert first.author_name == "Ann"
    # An address the commenter wrote goes too: a published archive holds none.
    assert first.content == f"Write to me at {first.author_email}"
    # An empty or absent value is not turned into a token.
    assert empty.author_email == "" and empty.author_ip is None


def test_tokens_are_stable_so_comments_stay_attributable() -> None:
    one = list(redact(records(), ["emails", "ips"]))
    two = list(redact(records(), ["emails", "ips"]))
    assert one == two
    first, second = one[4], one[5]
    assert isinstance(first, Comment) and isinstance(second, Comment)
    # Case and surrounding spaces do not make a different person.
    assert first.author_email == second.author_email
    assert first.author_ip == second.author_ip
    assert email_token("ann@example.com") != email_token("bob@example.com")


def test_the_token_is_a_salted_sha256() -> None:
    digest = hashlib.sha256(b"pepperann@example.com").hexdigest()[:16]
    assert email_token("Ann@Example.com", "pepper") == f"redacted-{digest}@invalid"
    assert email_token("ann@example.com", "pepper") != email_token("ann@example.com", "salt")
    assert ip_token("203.0.113.9", "pepper") != ip_token("203.0.113.9", "salt")
    assert ip_token("203.0.113.9") != ip_token("203.0.113.10")


def test_copies_not_changes() -> None:
    given = records()
    before = copy.deepcopy(given)
    out = list(redact(given, ["emails", "ips"]))
    assert given == before
    first = out[4]
    assert isinstance(first, Comment)
    assert first is not given[4]
    assert first.meta is not given[4].meta  # type: ignore[union-attr]
    assert first.extras[0] is not given[4].extras[0]  # type: ignore[union-attr]
    # Records with nothing to redact pass through untouched.
    assert out[0] is given[0] and out[2] is given[2]


def test_copies_in_meta_and_extras_are_replaced_whole() -> None:
    first = list(redact(records(), ["emails", "ips"]))[4]
    assert isinstance(first, Comment)
    assert first.author_email is not None and first.author_ip is not None
    submitted = dict(first.meta)["akismet_as_submitted"]
    assert submitted is not None
    assert "ann@example.com" not in submitted and "203.0.113.9" not in submitted
    assert first.author_email in submitted and first.author_ip in submitted
    # A longer address that merely contains another is a different address.
    assert dict(first.meta)["other_ip"] == ip_token("203.0.113.99")
    assert dict(first.meta)["other_ip"] != first.author_ip
    assert first.extras[0].value == f"<x:seen>{first.author_ip}</x:seen>"


def test_only_the_chosen_fields() -> None:
    out = list(redact(records(), ["emails"]))
    first = out[4]
    assert isinstance(first, Comment)
    assert first.author_email is not None and EMAIL.fullmatch(first.author_email)
    assert first.author_ip == "203.0.113.9"
    out = list(redact(records(), "ips"))
    first = out[4]
    assert isinstance(first, Comment)
    assert first.author_email == "ann@example.com"
    assert first.author_ip is not None and IP.fullmatch(first.author_ip)
    assert list(redact(records(), [])) == records()


def test_comma_separated_text_as_the_cli_gives_it() -> None:
    assert list(redact(records(), "emails,ips")) == list(redact(records(), ["ips", "emails"]))


def test_redacting_twice_changes_nothing_more() -> None:
    once = list(redact(records(), ["emails", "ips"], salt="s"))
    assert list(redact(once, ["emails", "ips"], salt="s")) == once
    assert list(redact(once, ["emails", "ips"], salt="other")) == once


def test_unknown_field_fails_at_once() -> None:
    with pytest.raises(ValueError, match="names"):
        redact(iter(()), ["emails", "names"])


# -- every place a file can hold an address --------------------------------

PLANTED_WXR = """<?xml version="1.0" encoding="UTF-8"?>
<!-- exported for p1@plant.example.com from 192.0.2.1 -->
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
  xmlns:x="urn:example:plant">
<channel x:contact="p2@plant.example.com">
<title>Planted p3@plant.example.com</title>
<link>https://blog.example.com</link>
<description>Run from 192.0.2.3</description>
<wp:wxr_version>1.2</wp:wxr_version>
<x:owner>p4@plant.example.com at 2001:db8::4</x:owner>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>editor</wp:author_login>
<wp:author_email>p5@plant.example.com</wp:author_email>
<wp:wp_author>p6@plant.example.com</wp:wp_author>
<wp:author_display_name>Ed (p7@plant.example.com)</wp:author_display_name></wp:author>
<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename>news</wp:category_nicename>
<wp:cat_name>News</wp:cat_name>
<wp:category_description>ask p8@plant.example.com</wp:category_description>
<wp:termmeta><wp:meta_key>k</wp:meta_key><wp:meta_value>192.0.2.8</wp:meta_value></wp:termmeta>
</wp:category>
<?x-note p9@plant.example.com 192.0.2.9?>
<item x:from="192.0.2.10">
<title>Post by p10@plant.example.com</title>
<link>https://blog.example.com/p/</link>
<dc:creator>editor</dc:creator>
<guid isPermaLink="false">https://blog.example.com/?p=1</guid>
<content:encoded><![CDATA[Write to p11@plant.example.com or visit http://192.0.2.11/]]></content:encoded>
<x:seen ip="192.0.2.12">p12@plant.example.com</x:seen>
<!-- item note 2001:db8::12 -->
<wp:post_id>1</wp:post_id>
<wp:post_date_gmt>2024-01-01 10:00:00</wp:post_date_gmt>
<wp:post_name>p</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:postmeta><wp:meta_key>contact</wp:meta_key><wp:meta_value>p13@plant.example.com</wp:meta_value></wp:postmeta>
<wp:comment x:via="p14@plant.example.com">
<wp:comment_id>5</wp:comment_id>
<wp:comment_author>p15@plant.example.com</wp:comment_author>
<wp:comment_author_email>p16@plant.example.com</wp:comment_author_email>
<wp:comment_author_url>http://192.0.2.16/home</wp:comment_author_url>
<wp:comment_author_IP>2001:db8::16</wp:comment_author_IP>
<wp:comment_date_gmt>2024-01-02 10:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Signed p17@plant.example.com, from 192.0.2.17.]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent>
<x:client addr="192.0.2.18">p18@plant.example.com</x:client>
<wp:commentmeta><wp:meta_key>akismet</wp:meta_key><wp:meta_value>s:21:"p19@plant.example.com";</wp:meta_value></wp:commentmeta>
</wp:comment>
</item>
</channel>
</rss>
"""
PLANTED_EMAILS = [f"p{n}@plant.example.com" for n in range(1, 20)]
PLANTED_IPS = ["192.0.2.1", "2001:db8::4", "192.0.2.3", "192.0.2.8", "192.0.2.9",
               "192.0.2.10", "192.0.2.11", "192.0.2.12", "2001:db8::12", "192.0.2.16",
               "2001:db8::16", "192.0.2.17", "192.0.2.18"]


def _output_text(path: Path) -> str:
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


@pytest.mark.parametrize("target", ["wxr", "jsonl", "disqus", "disqus-import", "html"])
def test_no_planted_address_survives_in_any_output(tmp_path: Path, target: str) -> None:
    source = tmp_path / "planted.wxr.xml"
    source.write_text(PLANTED_WXR, encoding="utf-8")
    # Without redaction every planted address is in the store's output…
    plain = tmp_path / "plain"
    api.convert(source, plain if target == "html" else plain.with_suffix(".out"), to=target)
    kept = _output_text(plain if target == "html" else plain.with_suffix(".out"))
    assert "p17@plant.example.com" in kept  # the commenter's words are in every format
    out = tmp_path / "out"
    target_path = out if target == "html" else out.with_suffix(".out")
    api.convert(source, target_path, to=target, redact=("emails", "ips"), redact_salt="s")
    text = _output_text(target_path)
    leaked = [a for a in PLANTED_EMAILS + PLANTED_IPS if a in text or a.upper() in text]
    assert leaked == []
    assert EMAIL.search(text) and IP.search(text)
    if target in ("wxr", "jsonl"):
        # Nothing was dropped to get there: the raw pieces came through,
        # each address replaced by its token.
        for address in [*PLANTED_EMAILS, *PLANTED_IPS]:
            if re.search(rf"(?<![\w.:]){re.escape(address)}(?![\w:]|\.\d)", kept):
                token = email_token(address, "s") if "@" in address else ip_token(address, "s")
                assert token in text, address


def test_addresses_anywhere_in_text() -> None:
    fields = frozenset({"emails", "ips"})
    email = "a.b+c@x.example.org"
    assert sweep(f"mail {email}.", fields) == f"mail {email_token(email)}."
    assert sweep("from 198.51.100.7:8080", fields) == f"from {ip_token('198.51.100.7')}:8080"
    assert sweep("at [2001:DB8::1]", fields) == f"at [{ip_token('2001:DB8::1')}]"
    # Neither a time, a version nor a longer number is an address.
    for text in ("12:30:45", "version 1.2.3", "1.2.3.4.5", "std::vector", "999.1.1.1"):
        assert sweep(text, fields) == text
    assert sweep("a@b.example 192.0.2.1", frozenset({"emails"})).endswith(" 192.0.2.1")
