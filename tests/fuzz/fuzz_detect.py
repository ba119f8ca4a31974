"""atheris target for every stream reader, picked by detection as an import
picks it (see _target.py for how to run it)."""

from __future__ import annotations

from _target import run

if __name__ == "__main__":
    run(None)
