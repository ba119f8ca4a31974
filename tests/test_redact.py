"""Redacting email and IP addresses from a record stream."""

from __future__ import annotations

import copy
import hashlib
import re

import pytest

from wxrbridge.records import Comment, Extra, Record, Source, Term, Thread, User
from wxrbridge.redact import email_token, ip_token, redact

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
    # What the commenter chose to write stays: only the stored address goes.
    assert first.content == "Write to me at ann@example.com"
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
    # A longer address that merely contains the redacted one is another address.
    assert dict(first.meta)["other_ip"] == "203.0.113.99"
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
