"""Lines about records, grouped by reason: many records left out for one
reason read as one line with a count and the first few keys."""

from __future__ import annotations

import re
from collections import Counter

# More lines than this for one reason are summarised into one line.
SUMMARY_AFTER = 20
SHOWN_IN_SUMMARY = 10
# A line about one record, as writers write them: "comment 12: reason".
_RECORD_LINE = re.compile(r"^([a-z]+) (\S+): (.+)$", re.S)


def plural(count: int, noun: str) -> str:
    """``"1 thread"``, ``"3 threads"``: a count and its noun, as reports say it."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


class Tally:
    """Lines about records by reason; :meth:`lines` gives one line per
    record, or for a reason with more than :data:`SUMMARY_AFTER`, one line
    counting them."""

    def __init__(self) -> None:
        self.groups: dict[str, list[tuple[str, str, str]]] = {}

    def add(self, kind: str, key: str, reason: str, detail: str | None = None) -> None:
        self.groups.setdefault(reason, []).append((kind, key, detail or reason))

    def lines(self) -> list[str]:
        lines: list[str] = []
        for reason, entries in self.groups.items():
            if len(entries) <= SUMMARY_AFTER:
                lines.extend(f"{kind} {key}: {detail}" for kind, key, detail in entries)
                continue
            kinds = Counter(kind for kind, _key, _detail in entries)
            counted = ", ".join(f"{n} {kind}s" for kind, n in kinds.items())
            shown = ", ".join(key for _kind, key, _detail in entries[:SHOWN_IN_SUMMARY])
            lines.append(
                f"{counted}: {reason} ({shown} and {len(entries) - SHOWN_IN_SUMMARY} more)"
            )
        return lines


def grouped(lines: list[str]) -> list[str]:
    """``lines`` with those about single records ("comment 12: reason")
    grouped by reason as :class:`Tally` groups them; other lines first, as
    they were."""
    tally = Tally()
    others = []
    for line in lines:
        match = _RECORD_LINE.match(line)
        if match is None:
            others.append(line)
        else:
            tally.add(match.group(1), match.group(2), match.group(3))
    return others + tally.lines()
