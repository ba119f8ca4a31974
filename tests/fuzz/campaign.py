"""A fuzz campaign over the readers, its figures written into the repository.

    python tests/fuzz/campaign.py --minutes 16

runs each atheris target in turn (tests/fuzz/fuzz_*.py) for its share of
the time, seeded from tests/data and samples/, and writes what it saw (inputs
run, crashes, time, per target) to tests/fuzz/CAMPAIGN.md.  A target that
crashes is started again for the rest of its share, so one crash does not end
its run; every crashing input is kept in the artifacts folder (``--keep``)
to be turned into a regression test.  Needs ``pip install atheris``.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import io
import lzma
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parent.parent
DATA = REPO / "tests" / "data"
# Seeds over this size make every run slow for little more coverage.
SEED_LIMIT = 24_000


def _small(paths: list[Path]) -> list[Path]:
    return sorted(p for p in paths if p.is_file() and p.stat().st_size <= SEED_LIMIT)


def _seeds_wxr() -> list[Path]:
    return _small([*(DATA / "wxr").glob("*.xml"), *(DATA / "broken").glob("wxr-*"),
                   *(REPO / "samples").glob("*.wxr.xml")])


def _seeds_disqus() -> list[Path]:
    return _small([*(DATA / "disqus").glob("*.xml"), *(DATA / "broken").glob("disqus-*")])


def _seeds_detect() -> list[Path]:
    others = [p for folder in ("blogger", "commento", "remark42", "wp_rest", "staticman")
              for p in (DATA / folder).rglob("*")]
    return _small([*others, *_seeds_disqus(), *_seeds_wxr()[:4],
                   *(DATA / "golden").glob("*.jsonl.default/output")])


def _containers(folder: Path) -> list[Path]:
    """Small documents gzipped, bzipped, xz'd and zipped (one member, and
    two members of one name), written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = [p.read_bytes() for p in _seeds_detect()[:3] + _seeds_wxr()[:2]]
    made = []
    for i, doc in enumerate(docs):
        for suffix, pack in (("gz", gzip.compress), ("bz2", bz2.compress),
                             ("xz", lzma.compress)):
            made.append(folder / f"seed{i}.{suffix}")
            made[-1].write_bytes(pack(doc))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a.xml", doc)
            if i % 2:
                archive.writestr("a.xml", docs[0])
        made.append(folder / f"seed{i}.zip")
        made[-1].write_bytes(buffer.getvalue())
    return made


TARGETS = {
    "wxr": ("fuzz_wxr.py", _seeds_wxr),
    "disqus": ("fuzz_disqus.py", _seeds_disqus),
    "detect": ("fuzz_detect.py", _seeds_detect),
    "containers": ("fuzz_containers.py", None),
}


@dataclass
class Outcome:
    target: str
    seconds: float = 0.0
    inputs: int = 0
    starts: int = 0
    crashes: list[str] = field(default_factory=list)  # the exception line of each


_RUNS = re.compile(r"^#(\d+)\s", re.MULTILINE)
_FINAL = re.compile(r"stat::number_of_executed_units:\s*(\d+)")


def _exception_line(log: str) -> str:
    """The last line of the traceback atheris prints for a crash."""
    _, found, after = log.partition("Uncaught Python exception")
    lines = [line.strip() for line in after.splitlines() if line.strip()] if found else []
    for line in lines:
        if re.match(r"^[A-Za-z_.]+(Error|Exception|Exit|Interrupt)\b", line):
            return line[:200]
    return "a crash libFuzzer reported (see the log)"


def run_target(name: str, seconds: float, work: Path, artifacts: Path) -> Outcome:
    script, seeds = TARGETS[name]
    corpus = work / name / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    seed_dir = work / name / "seeds"
    seed_dir.mkdir(exist_ok=True)
    for path in (seeds() if seeds else _containers(seed_dir / "packed")):
        shutil.copy(path, seed_dir / path.name.replace("/", "_"))
    outcome = Outcome(name)
    begun = time.monotonic()
    while (left := seconds - (time.monotonic() - begun)) > 5 and outcome.starts < 20:
        outcome.starts += 1
        command = [sys.executable, str(HERE / script), f"-max_total_time={int(left)}",
                   "-timeout=30", "-rss_limit_mb=3072", "-print_final_stats=1",
                   "-max_len=65536", f"-artifact_prefix={artifacts}/{name}-",
                   str(corpus), str(seed_dir)]
        done = subprocess.run(command, cwd=HERE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace")
        log = done.stdout
        final = _FINAL.findall(log)
        runs = _RUNS.findall(log)
        outcome.inputs += int(final[-1]) if final else (int(runs[-1]) if runs else 0)
        if done.returncode != 0:
            outcome.crashes.append(_exception_line(log))
            (artifacts / f"{name}-log-{outcome.starts}.txt").write_text(log[-20000:])
    outcome.seconds = time.monotonic() - begun
    return outcome


_RUNS_HEADING = "## Every run"


def _earlier_runs(path: Path) -> list[str]:
    """The rows of the runs table of an earlier report, if there is one."""
    if not path.exists():
        return []
    _, _, after = path.read_text(encoding="utf-8").partition(_RUNS_HEADING)
    return [line for line in after.splitlines() if line.startswith("| 2")]


def report(outcomes: list[Outcome], minutes: float, earlier: list[str]) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Fuzz campaign",
        "",
        f"Written by `python tests/fuzz/campaign.py --minutes {minutes:g}` on {stamp}",
        f"(Python {platform.python_version()}, atheris, under `nice -n 10` on a shared",
        "two-core machine). Each target reads every input strict and with `--recover`;",
        "anything but a wxrbridge error is a crash. Each crash found is fixed with a",
        "regression test before the next run.",
        "",
        "| target | what it reads | time (s) | inputs run | inputs/s | crashes |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    what = {"wxr": "WXR reader", "disqus": "Disqus reader",
            "detect": "any stream format, by detection",
            "containers": "gzip, bzip2, xz and zip, then detection"}
    for o in outcomes:
        rate = o.inputs / o.seconds if o.seconds else 0
        lines.append(f"| {o.target} | {what[o.target]} | {o.seconds:.0f} | {o.inputs:,} "
                     f"| {rate:.1f} | {len(o.crashes)} |")
    total_s = sum(o.seconds for o in outcomes)
    total_n = sum(o.inputs for o in outcomes)
    crashes = sorted({(o.target, c) for o in outcomes for c in o.crashes})
    total_c = sum(len(o.crashes) for o in outcomes)
    lines.append(f"| **all** | | {total_s:.0f} | {total_n:,} | | {total_c} |")
    lines += ["", "## Crashes, by exception", ""]
    lines += [f"- {target}: `{line}`" for target, line in crashes] or ["None."]
    kinds = "; ".join(f"{t}: {c}" for t, c in crashes) or "none"
    lines += ["", _RUNS_HEADING, "",
              "| when | minutes | inputs run | crashes | what crashed |",
              "| --- | ---: | ---: | ---: | --- |", *earlier,
              f"| {stamp} | {total_s / 60:.1f} | {total_n:,} | {total_c} | {kinds} |"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=16.0, help="in all, shared out")
    parser.add_argument("--targets", nargs="*", default=list(TARGETS), choices=list(TARGETS))
    parser.add_argument("--out", type=Path, default=HERE / "CAMPAIGN.md")
    parser.add_argument("--keep", type=Path, help="folder for crashing inputs and logs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wxrbridge-campaign-"))
    artifacts = args.keep or work / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    share = args.minutes * 60 / len(args.targets)
    outcomes = []
    for name in args.targets:
        outcomes.append(run_target(name, share, work, artifacts))
        print(f"{name}: {outcomes[-1]}", flush=True)
    args.out.write_text(report(outcomes, args.minutes, _earlier_runs(args.out)))
    print(f"wrote {args.out}; crashing inputs in {artifacts}")


if __name__ == "__main__":
    main()
