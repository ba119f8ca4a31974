"""wxrbridge: move blog comments between WordPress and Disqus, losing none.

The library mirrors the command line: :func:`read` and :func:`write` stream
records from and to files, :func:`open_store` opens a store,
:func:`import_files`, :func:`export` and :func:`convert` do what the commands
of the same names do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import __version__

__all__ = [
    "__version__",
    "convert",
    "export",
    "import_files",
    "open_store",
    "read",
    "verify",
    "write",
]

if TYPE_CHECKING:
    from .api import convert, export, import_files, open_store, read, verify, write


def __getattr__(name: str) -> Any:
    # Imported on first use: a process that only reads files (see
    # readahead.py) then never loads SQLAlchemy.
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
