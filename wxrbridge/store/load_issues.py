"""What an import reports: its counts, and the issues it met, each kept in
the report and stored with the source it came from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, insert

from ..records import ImportIssue
from .bulk import Renamer
from .tables import issues_t


@dataclass
class LoadReport:
    """What one import did."""

    source_id: int | None = None
    sources: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    # The comments and threads the store holds from this file once the whole
    # import is in (see load.count_stored); empty for a file whose source
    # an earlier report of the same import already counts.
    stored: Counter[str] = field(default_factory=Counter)
    # How the comments read compare with the stored ones: new, unchanged,
    # changed; and deleted, the stored ones this file no longer has.
    changes: Counter[str] = field(default_factory=Counter)
    issues: list[ImportIssue] = field(default_factory=list)
    linked: int = 0
    orphans: int = 0
    cycles_broken: int = 0


class IssueLog:
    """The issues of one import: each goes into the report at once and into
    the ``import_issues`` table with the next :meth:`flush`."""

    def __init__(self, connection: Connection, report: LoadReport, now: datetime) -> None:
        self.connection = connection
        self.report = report
        self.now = now
        self.pending: list[ImportIssue] = []
        # The source the issues are stored under, and the file an issue
        # that names none is reported in.
        self.source_id: int | None = None
        self.file: str | None = None

    def add(self, issue: ImportIssue) -> None:
        """Record one issue (stored at the next flush)."""
        self.report.issues.append(issue)
        self.pending.append(issue)

    def store(self, issues: Iterable[ImportIssue]) -> None:
        """Record issues and store them at once."""
        for issue in issues:
            self.add(issue)
        self.flush()

    def flush(self) -> None:
        """Store the issues recorded since the last flush."""
        issues, self.pending = self.pending, []
        if not issues:
            return
        self.connection.execute(
            insert(issues_t),
            [
                {
                    "source_id": self.source_id,
                    "severity": i.severity,
                    "code": i.code,
                    "reason": i.reason,
                    "file": i.file or self.file,
                    "line": i.line,
                    "column": i.column,
                    "record_key": i.record_key,
                    "fragment": i.fragment,
                    "created_at": self.now,
                }
                for i in issues
            ],
        )

    def renamer(self, kind: str) -> Renamer:
        """Keep a record whose id this file already used, under a key of its
        own, so that it cannot overwrite the first; report it."""

        def rename(original: str, taken: set[str]) -> str:
            n = 2
            while f"{original}~{n}" in taken:
                n += 1
            renamed = f"{original}~{n}"
            self.add(
                ImportIssue(
                    "duplicate-id",
                    f"{kind} id {original!r} appears more than once in the file; "
                    f"this one is kept as {renamed!r}",
                    severity="repaired",
                    record_key=f"{kind} {original}",
                )
            )
            return renamed

        return rename
