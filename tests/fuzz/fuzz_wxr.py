"""atheris target for the WXR reader (see _target.py for how to run it)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    from wxrbridge.formats.wxr.reader import read_wxr

from _target import run

if __name__ == "__main__":
    run(read_wxr)
