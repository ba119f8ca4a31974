"""Mutated exports never crash a reader.

Hypothesis takes the test files and samples and damages them the ways files
get damaged and a few more: bytes flipped, the end cut off, ``&``, ``<``,
``]]>``, control bytes and stray record tags put in.  The contract checked:

* strict mode: a file either reads, or fails with a
  :class:`~wxrbridge.errors.WxrbridgeError` (an ``InputError`` saying where);
  no other exception escapes.
* recover mode: the same, and more: when the damage lies after the first
  record starts (the document's root and, for WXR, its channel are intact),
  recover mode does not fail at all.  Damage to the root itself may still be
  refused: with no ``<rss>`` or ``<disqus>`` there is nothing to recover.

tests/fuzz/ holds atheris targets for the same readers, for long runs by hand.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wxrbridge import formats
from wxrbridge.errors import WxrbridgeError
from wxrbridge.inputs import HashingReader, InputFile
from wxrbridge.records import Comment, Record

TESTS = Path(__file__).parent
REPO = TESTS.parent
WXR_SEEDS = sorted(
    [*(TESTS / "data" / "wxr").glob("*.xml"), *(TESTS / "data" / "broken").glob("wxr-*.xml"),
     REPO / "samples" / "broken.wxr.xml", REPO / "samples" / "legacy-1.0.wxr.xml"]
)
DISQUS_SEEDS = sorted(
    [TESTS / "data" / "disqus" / "full.xml", *(TESTS / "data" / "broken").glob("disqus-*.xml")]
)
# Each format's seed files, and the start of its first record.
READERS: dict[str, tuple[list[bytes], bytes]] = {
    "wxr": ([p.read_bytes() for p in WXR_SEEDS], b"<item"),
    "disqus": ([p.read_bytes() for p in DISQUS_SEEDS], b"<thread"),
}

WELL_FORMED = {"wxr": TESTS / "data" / "wxr" / "core-1.2.xml",
               "disqus": TESTS / "data" / "disqus" / "full.xml"}

INSERTS = [b"&", b"<", b">", b"]]>", b"<![CDATA[", b"\x00", b"\x01", b"\x08", b"\x1b",
           b"\x0c", b"\xff", b"\xe9", b"\xc3", b"</item>", b"<item>", b"<wp:comment>",
           b"</wp:comment>", b"</post>", b"<post>", b"<!--", b"-->", b'"', b"&#0;",
           b"&nbsp;", b"<?xml", b"\n"]


@st.composite
def mutations(draw: st.DrawFn, seeds: list[bytes]) -> tuple[bytes, int]:
    """A damaged copy of a seed, and the offset of its first damage."""
    data = bytearray(draw(st.sampled_from(seeds)))
    first = len(data)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        how = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if how == "flip" and data:
            data[at] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif how == "insert":
            data[at:at] = draw(st.sampled_from(INSERTS))
        elif how == "delete":
            del data[at:at + draw(st.integers(min_value=1, max_value=40))]
        else:
            del data[at:]
        first = min(first, at)
    return bytes(data), first


# WXRBRIDGE_FUZZ_EXAMPLES raises the count for a longer run by hand.
FUZZ = settings(
    max_examples=int(os.environ.get("WXRBRIDGE_FUZZ_EXAMPLES", "300")), deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _run(kind: str, data: bytes, recover: bool) -> list[Record]:
    # Through read_input, as every import reads: in recover mode that is the
    # repair and the reader together.
    item = InputFile("fuzz.xml", HashingReader(io.BytesIO(data)))
    return list(formats.read_input(item, format=kind, recover=recover))


def _check(kind: str, data: bytes, first: int) -> None:
    try:
        _run(kind, data, recover=False)
    except WxrbridgeError:
        pass
    marker = READERS[kind][1]
    record_start = data.find(marker)
    try:
        records = _run(kind, data, recover=True)
    except WxrbridgeError:
        if 0 <= record_start < first:
            raise
        return
    assert all(isinstance(r, Record.__args__) for r in records)  # type: ignore[attr-defined]


@FUZZ
@given(mutations(READERS["wxr"][0]))
def test_wxr_reader_survives_damage(case: tuple[bytes, int]) -> None:
    _check("wxr", *case)


@FUZZ
@given(mutations(READERS["disqus"][0]))
def test_disqus_reader_survives_damage(case: tuple[bytes, int]) -> None:
    _check("disqus", *case)


@pytest.mark.parametrize("kind", ["wxr", "disqus"])
def test_every_truncation_of_a_seed_recovers_its_complete_comments(kind: str) -> None:
    # Cut a file at every 97th byte: recover mode never fails once the first
    # record has begun, and never returns more comments than the whole file.
    marker = READERS[kind][1]
    whole = WELL_FORMED[kind].read_bytes()
    total = sum(isinstance(r, Comment) for r in _run(kind, whole, recover=False))
    start = whole.find(marker)
    for cut in range(start + 1, len(whole), 97):
        records = _run(kind, whole[:cut], recover=True)
        assert sum(isinstance(r, Comment) for r in records) <= total
