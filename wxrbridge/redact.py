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
import dataclasses
import hashlib
import ipaddress
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TypeVar

from .records import Comment, Record, Thread, User

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


# Addresses anywhere in text: raw XML the schema has no column for, meta
# values, a comment's own words.  An email's local part and domain as
# addresses are written in practice; an IPv4 address of four decimal
# octets; an IPv6 candidate, checked by ``ipaddress`` before it is replaced.
_EMAIL_ANYWHERE = re.compile(
    r"[A-Za-z0-9!#$%'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IP_ANYWHERE = re.compile(
    rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.\d)"
    r"|(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|[0-9]+(?:\.[0-9]+){3})?(?![\w:])"
)


def _is_ip(text: str) -> bool:
    if not any(c.isalnum() for c in text):
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def sweep(text: str, fields: Collection[str], salt: str = "") -> str:
    """``text`` with every email and/or IP address in it replaced by its
    token, wherever it stands (a value, an attribute, raw XML, prose)."""
    if EMAILS in fields and "@" in text:
        text = _EMAIL_ANYWHERE.sub(lambda m: email_token(m.group(0), salt), text)
    if IPS in fields and ("." in text or ":" in text):

        def token(match: re.Match[str]) -> str:
            found = match.group(0)
            return ip_token(found, salt) if _is_ip(found) else found

        text = _IP_ANYWHERE.sub(token, text)
    return text


def _swept(value: object, fields: frozenset[str], salt: str) -> object:
    """``value`` (a string, or a list, tuple, dict or record holding them)
    with every address swept; the very same object when nothing changed."""
    if isinstance(value, str):
        new = sweep(value, fields, salt)
        return value if new == value else new
    if isinstance(value, (list, tuple)):
        items = [_swept(item, fields, salt) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, dict):
        pairs = {key: _swept(item, fields, salt) for key, item in value.items()}
        return value if all(pairs[k] is v for k, v in value.items()) else pairs
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = _changed_fields(value, fields, salt)
        return dataclasses.replace(value, **changed) if changed else value
    return value


def _changed_fields(record: object, fields: frozenset[str], salt: str) -> dict[str, object]:
    """The fields of a record (or of an extra) in which an address was
    swept, with their new values: fresh objects, never the input's."""
    changed: dict[str, object] = {}
    for spec in dataclasses.fields(record):  # type: ignore[arg-type]
        old = getattr(record, spec.name)
        new = _swept(old, fields, salt)
        if new is not old:
            changed[spec.name] = new
    return changed


def _redact_record(record: R, fields: frozenset[str], salt: str) -> R:
    tokens: dict[str, str] = {}
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
    if tokens:
        record = copy.copy(record)
        for name, token_value in tokens.items():
            setattr(record, name, token_value)
    # Then every other address, wherever the record holds one: Akismet keeps
    # a copy of the submitted comment in meta, a plugin adds an element of
    # its own, a commenter signs with an address.
    changed = _changed_fields(record, fields, salt)
    if not tokens and not changed:
        return record
    # A deep copy, so the caller's records (and their meta and extras
    # lists) are never changed, whatever later consumers do with ours.
    redacted = copy.deepcopy(record)
    for name, value in changed.items():
        setattr(redacted, name, copy.deepcopy(value))
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
    empty or absent value stays as it is.  Then every other email and IP
    address the record holds is replaced by its token wherever it stands:
    meta values, raw XML the schema has no column for (elements, attributes,
    XML comments), names, titles and the comments' own text, so that no
    output written from the stream holds one (a serialised PHP value in meta
    may then state a wrong length; WordPress reads such a value as plain
    text).  Input records are
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
