"""The Core tables behind the store's models, as bulk loading and reading
use them (``insert()``, ``select()``) without an ORM object per row."""

from __future__ import annotations

from sqlalchemy import Table

from .models import (
    CommentHistoryRow,
    CommentMetaRow,
    CommentRow,
    ExtraRow,
    ImportIssueRow,
    SourceRow,
    TermMetaRow,
    TermRow,
    ThreadMetaRow,
    ThreadRow,
    ThreadTermRow,
    UserRow,
)

comments_t: Table = CommentRow.__table__  # type: ignore[assignment]
comment_meta_t: Table = CommentMetaRow.__table__  # type: ignore[assignment]
threads_t: Table = ThreadRow.__table__  # type: ignore[assignment]
thread_meta_t: Table = ThreadMetaRow.__table__  # type: ignore[assignment]
thread_terms_t: Table = ThreadTermRow.__table__  # type: ignore[assignment]
users_t: Table = UserRow.__table__  # type: ignore[assignment]
terms_t: Table = TermRow.__table__  # type: ignore[assignment]
term_meta_t: Table = TermMetaRow.__table__  # type: ignore[assignment]
extras_t: Table = ExtraRow.__table__  # type: ignore[assignment]
sources_t: Table = SourceRow.__table__  # type: ignore[assignment]
issues_t: Table = ImportIssueRow.__table__  # type: ignore[assignment]
history_t: Table = CommentHistoryRow.__table__  # type: ignore[assignment]
