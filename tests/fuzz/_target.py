"""Shared body of the atheris targets: read the input in both modes and let
only wxrbridge's own errors through.

Run by hand, for as long as you like, for example::

    python tests/fuzz/fuzz_wxr.py -max_total_time=600 tests/data/wxr tests/data/broken

or all of them, with the figures written down, by ``tests/fuzz/campaign.py``.
(``pip install atheris`` first; the CI tests are tests/test_fuzz.py.)
"""

from __future__ import annotations

import io
import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    import wxrbridge.formats.xml.repair  # noqa: F401  (what recover mode runs)
    from wxrbridge import formats
    from wxrbridge.errors import WxrbridgeError
    from wxrbridge.inputs import HashingReader, InputFile, open_inputs

    # The registry imports every reader on first use: inside this block,
    # so that they are instrumented too.
    formats.formats()


def _read(item: InputFile, format_name: str | None, recover: bool) -> None:
    # Through read_input, as an import reads: in recover mode, the repair
    # and the reader together.
    try:
        for _record in formats.read_input(item, format=format_name, recover=recover):
            pass
    except WxrbridgeError:
        pass


def run(format_name: str | None) -> None:
    """Fuzz one format's reader (None: whichever format detection picks)."""

    def one_input(data: bytes) -> None:
        for recover in (False, True):
            _read(InputFile("fuzz.xml", HashingReader(io.BytesIO(data))), format_name, recover)

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


def run_containers() -> None:
    """Fuzz opening a file as an import does: gzip, bzip2, xz or zip by its
    magic bytes, then each document in it by detection."""
    folder = tempfile.mkdtemp(prefix="wxrbridge-fuzz-")
    path = os.path.join(folder, "input")

    def one_input(data: bytes) -> None:
        with open(path, "wb") as out:
            out.write(data)
        for recover in (False, True):
            try:
                for item in open_inputs(path, recover=recover):
                    _read(item, None, recover)
            except WxrbridgeError:
                pass

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
