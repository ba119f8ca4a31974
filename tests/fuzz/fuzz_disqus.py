"""atheris target for the Disqus reader (see _target.py for how to run it)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    import wxrbridge.formats.disqus.reader  # noqa: F401  (instrumented)

from _target import run

if __name__ == "__main__":
    run("disqus")
