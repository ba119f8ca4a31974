"""Shared body of the atheris targets: read the input in both modes and let
only wxrbridge's own errors through.

Run by hand, for as long as you like, for example::

    python tests/fuzz/fuzz_wxr.py -max_total_time=600 tests/data/wxr tests/data/broken

(``pip install atheris`` first; the CI test is tests/test_fuzz.py.)
"""

from __future__ import annotations

import io
import sys

import atheris

with atheris.instrument_imports():
    import wxrbridge.formats.xml.repair  # noqa: F401  (what recover mode runs)
    from wxrbridge import formats
    from wxrbridge.errors import WxrbridgeError
    from wxrbridge.inputs import HashingReader, InputFile


def run(format_name: str) -> None:
    def one_input(data: bytes) -> None:
        for recover in (False, True):
            # Through read_input, as an import reads: in recover mode, the
            # repair and the reader together.
            item = InputFile("fuzz.xml", HashingReader(io.BytesIO(data)))
            try:
                for _record in formats.read_input(item, format=format_name, recover=recover):
                    pass
            except WxrbridgeError:
                pass

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
