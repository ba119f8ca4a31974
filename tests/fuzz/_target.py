"""Shared body of the atheris targets: read the input in both modes and let
only wxrbridge's own errors through.

Run by hand, for as long as you like, for example::

    python tests/fuzz/fuzz_wxr.py -max_total_time=600 tests/data/wxr tests/data/broken

(``pip install atheris`` first; the CI test is tests/test_fuzz.py.)
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from typing import Any

import atheris

with atheris.instrument_imports():
    from wxrbridge.errors import WxrbridgeError


def run(read: Callable[..., Iterator[Any]]) -> None:
    def one_input(data: bytes) -> None:
        for recover in (False, True):
            try:
                for _record in read(io.BytesIO(data), name="fuzz.xml", recover=recover):
                    pass
            except WxrbridgeError:
                pass

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
