"""The store's tables mapped for SQLAlchemy's ORM, for code that queries a
store through it; wxrbridge itself uses the Core tables of models.py and
never imports this module."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from . import models


class Base(DeclarativeBase):
    metadata = models.metadata


class SourceRow(Base):
    """One imported file."""

    __table__ = models.sources_t


class UserRow(Base):
    """A site account (WXR ``wp:author``) or a Disqus author's username."""

    __table__ = models.users_t


class TermRow(Base):
    """A WXR category, tag or term, or a Disqus category."""

    __table__ = models.terms_t


class TermMetaRow(Base):
    """``wp:termmeta`` in source order; keys may repeat."""

    __table__ = models.term_meta_t


class ThreadRow(Base):
    """A WXR item (post, page, attachment, …) or a Disqus thread."""

    __table__ = models.threads_t


class ThreadTermRow(Base):
    """An item's ``<category domain nicename>`` line, in order."""

    __table__ = models.thread_terms_t


class ThreadMetaRow(Base):
    """``wp:postmeta`` in source order; keys may repeat."""

    __table__ = models.thread_meta_t


class CommentRow(Base):
    """A comment, pingback, trackback or Disqus post."""

    __table__ = models.comments_t


class CommentMetaRow(Base):
    """``wp:commentmeta`` in source order; keys may repeat."""

    __table__ = models.comment_meta_t


class ExtraRow(Base):
    """XML the schema has no column for, kept raw per owner row."""

    __table__ = models.extras_t


class ImportIssueRow(Base):
    """What an import repaired, recovered or rejected, and where."""

    __table__ = models.issues_t


class CommentHistoryRow(Base):
    """What a stored comment was before an import of its source changed it."""

    __table__ = models.history_t
