"""lxml's parse errors as wxrbridge's: the error strict mode raises, and the
import issues recover mode records instead, for every XML reader."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from typing import Any

from lxml import etree

from ...errors import InputError
from ...records import ImportIssue, Record

# Raw text kept in an issue only up to this size, so one ruined record cannot
# bloat the issue table.
FRAGMENT_LIMIT = 2000

# lxml repeats the position at the end of its message; the error already
# carries it as file:line:column.
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+$")
# libxml2's own words when it refuses to expand entities any further.
_EXPANSION = re.compile(r"amplification|entity reference loop|entities? .*(?:loop|exceed)",
                        re.I)


def syntax_error_parts(exc: etree.XMLSyntaxError) -> tuple[str, int | None, int | None]:
    """The reason, line and column of an lxml syntax error.

    When the exception itself names no position (an undefined entity
    surfaces as "no element found" at line 0), the latest error in its log
    is the cause.
    """
    position = getattr(exc, "position", None)
    if position and position[0]:
        line, column = position[0], position[1]
        reason = _POSITION_SUFFIX.sub("", exc.msg or str(exc))
    else:
        logged = [
            entry for entry in getattr(exc, "error_log", ())
            if entry.level >= etree.ErrorLevels.ERROR and entry.line
        ]
        if logged:
            line, column = logged[-1].line, logged[-1].column
            reason = logged[-1].message.strip()
        else:
            line, column = getattr(exc, "lineno", None) or None, None
            reason = _POSITION_SUFFIX.sub("", exc.msg or str(exc))
    if _EXPANSION.search(reason):
        reason = f"entity expansion refused ({reason})"
    return reason, line, column


def not_well_formed(exc: etree.XMLSyntaxError, name: str) -> InputError:
    """The error strict mode raises for a document that does not parse."""
    reason, line, column = syntax_error_parts(exc)
    return InputError(f"not well-formed XML: {reason}", file=name, line=line, column=column)


def kept_fragment(raw: str) -> str | None:
    """``raw`` as an issue keeps it: whole, or not at all when too long."""
    return raw if len(raw) <= FRAGMENT_LIMIT else None


def reading_stopped(exc: etree.XMLSyntaxError, name: str) -> ImportIssue:
    """The issue for XML that even a recovering parser could not get past:
    what was read before it is kept, nothing after it."""
    reason, line, column = syntax_error_parts(exc)
    return ImportIssue(
        code="xml-unrecoverable", severity="rejected", reason=f"reading stopped: {reason}",
        file=name, line=line, column=column,
    )


def parser_recoveries(
    log: etree._ListErrorLog, start: int, name: str,
    skip: Callable[[Any], object] | None = None,
) -> list[ImportIssue]:
    """An issue for each error a recovering parser logged, from entry
    ``start`` of its ``log`` on: the parser read past it as it saw fit.
    Warnings are no damage and make none, nor do entries ``skip`` takes
    (the reader reported them otherwise)."""
    if len(log) <= start:
        return []
    return [
        ImportIssue(
            code="xml-recovered", severity="repaired",
            reason=f"parser recovered from: {entry.message}",
            file=name, line=entry.line or None, column=entry.column or None,
        )
        for entry in list(log)[start:]
        if entry.level >= etree.ErrorLevels.ERROR and not (skip and skip(entry))
    ]


def records_of_events(
    context: Any,
    name: str,
    recover: bool,
    handle: Callable[[str, Any], list[Record]],
    started: Callable[[], bool],
) -> Generator[Record, None, bool]:
    """Drive an ``iterparse`` context: yield the records ``handle`` makes of
    each event and, in recover mode, an issue for each error the parser
    recovered from since the last records.  Returns whether reading stopped
    at XML even the recovering parser could not get past (reported as
    ``xml-unrecoverable``, what came before it kept); in strict mode, or
    before ``started`` says the document was recognised, that is the
    one-line error of a file that does not parse."""
    logged = 0  # parser errors reported so far
    try:
        for event, element in context:
            records = handle(event, element)
            if records:
                yield from records
                if recover and len(context.error_log) > logged:
                    yield from parser_recoveries(context.error_log, logged, name)
                    logged = len(context.error_log)
    except etree.XMLSyntaxError as exc:
        if not recover or not started():
            raise not_well_formed(exc, name) from None
        yield reading_stopped(exc, name)
        stopped = True
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=name) from None
    else:
        stopped = False
    if recover:
        yield from parser_recoveries(context.error_log, logged, name)
    return stopped
