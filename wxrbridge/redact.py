"""Replacing commenters' email addresses and IP addresses before publishing.

An export is private data: WordPress and Disqus keep every commenter's
email and IP address.  ``redact`` is a filter over a record stream that
swaps each for a one-way token, so a published archive (or a JSON Lines
dump handed to someone else) keeps its shape without the addresses.

The token is a hash, not a blank, so that one commenter's comments still
carry one token and stay recognisably theirs.  Hashes of addresses can be
guessed (an IPv4 address is one of four billion; a common email address is
in every spam list), so anything published should use a ``salt`` that is
kept secret: the same salt gives the same tokens, so archives made with it
stay comparable.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TypeVar

from .records import Comment, Extra, Meta, Record, Thread, User

EMAILS = "emails"
IPS = "ips"
FIELDS = (EMAILS, IPS)

# Which attributes of which record hold an email or an IP address.
_EMAIL_FIELDS: dict[type, tuple[str, ...]] = {
    Comment: ("author_email",),
    User: ("email",),
    Thread: ("dsq_author_email",),
}
_IP_FIELDS: dict[type, tuple[str, ...]] = {
    Comment: ("author_ip",),
    Thread: ("dsq_ip_address",),
}

_DIGITS = 16
_EMAIL_TOKEN = re.compile(rf"redacted-[0-9a-f]{{{_DIGITS}}}@invalid")
_IP_TOKEN = re.compile(rf"redacted-[0-9a-f]{{{_DIGITS}}}")

R = TypeVar("R", bound=Record)


def _digest(salt: str, value: str) -> str:
    return hashlib.sha256((salt + value).encode("utf-8", "surrogatepass")).hexdigest()[:_DIGITS]


def email_token(email: str, salt: str = "") -> str:
    """The stand-in for ``email``: the same for any capitalisation of it.

    ``.invalid`` is the top-level domain reserved never to exist, so the
    token cannot be mistaken for, or mailed as, a real address.
    """
    value = email.strip()
    if _EMAIL_TOKEN.fullmatch(value):
        return value  # already redacted: redacting twice changes nothing
    return f"redacted-{_digest(salt, value.lower())}@invalid"


def ip_token(ip: str, salt: str = "") -> str:
    """The stand-in for an IP address."""
    value = ip.strip()
    if _IP_TOKEN.fullmatch(value):
        return value
    # A distinct prefix in the hashed text keeps an IP token from ever
    # equalling the hash part of an email token for the same text.
    return f"redacted-{_digest(salt, 'ip:' + value.lower())}"


def _replace_in(text: str | None, pairs: list[tuple[str, str]]) -> str | None:
    """``text`` with each whole occurrence of an address replaced by its
    token; ``1.2.3.4`` inside ``11.2.3.45`` is a different address."""
    if not text:
        return text
    for old, new in pairs:
        pattern = rf"(?<![\w.@:-]){re.escape(old)}(?![\w@:-]|\.\w)"
        text = re.sub(pattern, _literally(new), text, flags=re.IGNORECASE)
    return text


def _literally(replacement: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement that is ``replacement`` as it stands (a
    string would have its backslashes read as group references)."""
    return lambda _match: replacement


def _redact_record(record: R, fields: frozenset[str], salt: str) -> R:
    tokens: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []  # (address, token), for meta and extras
    plan: list[tuple[Collection[str], Callable[[str, str], str]]] = []
    if EMAILS in fields:
        plan.append((_EMAIL_FIELDS.get(type(record), ()), email_token))
    if IPS in fields:
        plan.append((_IP_FIELDS.get(type(record), ()), ip_token))
    for names, token in plan:
        for name in names:
            value = getattr(record, name)
            if value is None or not value.strip():
                continue
            tokens[name] = token(value, salt)
            if tokens[name] != value.strip():
                pairs.append((value.strip(), tokens[name]))
    if not tokens:
        return record
    # A deep copy, so the caller's records (and their meta and extras
    # lists) are never changed, whatever later consumers do with ours.
    redacted = copy.deepcopy(record)
    for name, token_value in tokens.items():
        setattr(redacted, name, token_value)
    if pairs:
        # The same address often sits in the record's meta and extras too:
        # Akismet keeps a copy of the submitted comment, email and IP included.
        meta: list[Meta] | None = getattr(redacted, "meta", None)
        if meta:
            redacted.meta = [(key, _replace_in(value, pairs)) for key, value in meta]  # type: ignore[union-attr]
        extra: Extra
        for extra in getattr(redacted, "extras", []):
            extra.value = _replace_in(extra.value, pairs) or extra.value
    return redacted


def redact(
    records: Iterable[Record], fields: Collection[str], *, salt: str = ""
) -> Iterator[Record]:
    """``records`` with the email addresses and/or IP addresses replaced.

    ``fields`` holds ``"emails"``, ``"ips"`` or both.  Emails of comment
    authors, users and Disqus thread authors become
    ``redacted-<16 hex digits>@invalid``; IP addresses become
    ``redacted-<16 hex digits>``.  The same address gives the same token, so
    one person's comments remain attributable to one (unnamed) address; an
    empty or absent value stays as it is.  Each exact occurrence of a
    replaced address in the same record's meta values and extras is
    replaced too (a serialised PHP value there may then state a wrong
    length; WordPress reads such a value as plain text).  Input records are
    never modified.  ``fields`` may also be the CLI's comma-separated text,
    ``"emails,ips"``.  An unknown field name raises ``ValueError``.
    """
    if isinstance(fields, str):
        fields = [part.strip() for part in fields.split(",") if part.strip()]
    wanted = frozenset(fields)
    unknown = wanted - set(FIELDS)
    if unknown:
        # Raised here, not on the first record, so a typo fails at once.
        raise ValueError(
            f"cannot redact {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}"
        )
    return (_redact_record(record, wanted, salt) for record in records)
