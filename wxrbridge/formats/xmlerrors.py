"""Turning lxml's parse errors into wxrbridge's, for every XML reader."""

from __future__ import annotations

import re

from lxml import etree

from ..errors import InputError

# lxml repeats the position at the end of its message; the error already
# carries it as file:line:column.
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+$")


def syntax_error_parts(exc: etree.XMLSyntaxError) -> tuple[str, int | None, int | None]:
    """The reason, line and column of an lxml syntax error."""
    position = getattr(exc, "position", None)
    if position:
        line, column = position[0], position[1]
    else:
        line, column = getattr(exc, "lineno", None), None
    reason = _POSITION_SUFFIX.sub("", exc.msg or str(exc))
    return reason, line, column


def not_well_formed(exc: etree.XMLSyntaxError, name: str) -> InputError:
    reason, line, column = syntax_error_parts(exc)
    return InputError(f"not well-formed XML: {reason}", file=name, line=line, column=column)
