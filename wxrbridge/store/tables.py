"""The store's Core tables (defined in models.py), as bulk loading and
reading use them (``insert()``, ``select()``) without an ORM object per row."""

from __future__ import annotations

from .models import comment_meta_t as comment_meta_t
from .models import comments_t as comments_t
from .models import extras_t as extras_t
from .models import history_t as history_t
from .models import issues_t as issues_t
from .models import sources_t as sources_t
from .models import term_meta_t as term_meta_t
from .models import terms_t as terms_t
from .models import thread_meta_t as thread_meta_t
from .models import thread_terms_t as thread_terms_t
from .models import threads_t as threads_t
from .models import users_t as users_t
