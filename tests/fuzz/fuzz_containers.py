"""atheris target for compressed and zipped inputs (see _target.py)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    import wxrbridge.inputs  # noqa: F401  (instrumented)

from _target import run_containers

if __name__ == "__main__":
    run_containers()
