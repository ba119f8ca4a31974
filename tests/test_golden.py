"""Exact bytes of every sample written in every format.

These pin what wxrbridge writes today, so that a change meant to move code
around cannot change a single byte of output unnoticed.  A change meant to
change the output regenerates them on purpose::

    WXRBRIDGE_REGEN_GOLDEN=1 pytest tests/test_golden.py

and the diff of ``tests/data/golden/`` is then part of the review.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES

from wxrbridge import api

GOLDEN = REPO / "tests" / "data" / "golden"
REGENERATE = os.environ.get("WXRBRIDGE_REGEN_GOLDEN") == "1"

FORMATS = ["wxr", "disqus", "disqus-import", "jsonl", "html"]
SOURCES = {
    "agency": ["agency-blog.wxr.xml"],
    "agency-disqus": ["agency-blog.disqus.xml.gz"],
    "agency-merged": ["agency-blog.wxr.xml", "agency-blog.disqus.xml.gz"],
    "wpcom": ["wpcom-pretty.wxr.xml"],
    "legacy": ["legacy-1.0.wxr.xml"],
    "broken": ["broken.wxr.xml"],
}
# Option sets beyond the defaults that change what a writer writes.
VARIANTS = {
    ("wpcom", "wxr", "keep-ids"): {"keep_ids": True},
    ("agency", "disqus", "pings"): {"include_pings": True},
    ("agency", "disqus-import", "all"): {"include_pings": True,
                                         "statuses": ("pending", "trash")},
    ("legacy", "html", "all"): {"statuses": ("spam", "pending")},
    ("agency", "html", "redacted"): {"redact": ("emails", "ips"), "redact_salt": "golden"},
}

# A WXR channel without a date of its own is dated when it is written.
_WRITTEN_AT = re.compile(rb"<pubDate>[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} [\d:]{8} \+0000"
                         rb"</pubDate>")


def _cases() -> list[tuple[str, str, str, dict[str, object]]]:
    cases = [(source, fmt, "default", {}) for source in SOURCES for fmt in FORMATS]
    cases += [(source, fmt, name, options) for (source, fmt, name), options in VARIANTS.items()]
    return cases


def _written(path: Path) -> dict[str, bytes]:
    """Every file written at ``path`` (a file, or a folder's files), by name."""
    if path.is_file():
        return {"": path.read_bytes()}
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


def _normalised(data: bytes, source: str) -> bytes:
    # Only the Disqus-born channels carry no date of their own; pin the
    # rest exactly.
    if "disqus" in source:
        data = _WRITTEN_AT.sub(b"<pubDate>(when written)</pubDate>", data)
    return data


@pytest.mark.parametrize(
    ("source", "fmt", "variant", "options"),
    _cases(),
    ids=[f"{s}-{f}-{v}" for s, f, v, _ in _cases()],
)
def test_exact_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    source: str, fmt: str, variant: str, options: dict[str, object],
) -> None:
    target = tmp_path / "out"
    # Named as a user in the checkout names them: the outputs that record
    # where a record came from then read the same in every clone.
    monkeypatch.chdir(REPO)
    paths = [SAMPLES.relative_to(REPO) / name for name in SOURCES[source]]
    with api.scratch_store(paths, recover=source == "broken") as (store, imported):
        report = api.export(store, target, format=fmt, read_ahead=False, **options)
    files = {name: _normalised(data, source) for name, data in _written(target).items()}
    summary = {
        "imported": [
            {"counts": dict(sorted(r.counts.items())), "orphans": r.orphans,
             "issues": sorted(f"{i.code} {i.record_key or ''}".strip() for i in r.issues)}
            for r in imported
        ],
        "written": dict(sorted(report.written.items())),
        "left_out": report.left_out,
        "notes": report.notes,
    }
    folder = GOLDEN / f"{source}.{fmt}.{variant}"
    if REGENERATE:
        if folder.exists():
            for old in sorted(folder.rglob("*"), reverse=True):
                old.unlink() if old.is_file() else old.rmdir()
        for name, data in files.items():
            path = folder / (name or "output")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (folder / "report.json").write_text(json.dumps(summary, indent=1) + "\n")
    expected = _written(folder)
    assert json.loads(expected.pop("report.json")) == summary
    assert sorted(expected) == sorted(name or "output" for name in files)
    for name, data in files.items():
        assert data == expected[name or "output"], f"{folder.name}/{name or 'output'} differs"
