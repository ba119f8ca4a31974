"""wxrbridge: move blog comments between WordPress and Disqus, losing none.

The library mirrors the command line: :func:`read` and :func:`write` stream
records from and to files, :func:`open_store` opens a store,
:func:`import_files`, :func:`export` and :func:`convert` do what the commands
of the same names do.
"""

__version__ = "0.1.0"

from .api import convert, export, import_files, read, verify, write  # noqa: E402
from .store import open_store  # noqa: E402

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
