"""Whole-process measurements shared by the bench scripts that run at scale.

:func:`measure` runs a command as a whole process and reports its wall
time, the CPU time (user + system) of it and every child it waited for,
and its memory: the process tree's summed RSS, sampled from /proc every
0.1 s (any process it starts counts), the sum of every process's own peak
(``VmHWM``, an upper bound that a short peak between two samples cannot
escape) and the largest single process's peak (``ru_maxrss``, what
``bench/run`` records).

:func:`write_kept_section` puts a script's figures into RESULTS.md, in the
part after :data:`KEPT_MARKER` that ``bench/run`` keeps as it was.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# Below this line RESULTS.md holds what the other bench scripts measured
# (steps bench/run does not time, such as writing into a WordPress
# database); a new run of bench/run keeps it as it was.
KEPT_MARKER = "<!-- measured by other bench scripts; bench/run keeps what follows -->"
_KEPT_TITLE = "## Measured by other scripts"
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Usage:
    """One whole process's cost; memory in bytes."""

    wall: float
    cpu: float
    peak_tree_rss: int
    peak_sum_hwm: int
    peak_single_rss: int


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants alive now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def _rss_and_hwm(pid: int) -> tuple[int, int]:
    """Resident bytes of ``pid`` now and at its peak (0, 0 once it is gone)."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                    break  # VmRSS comes after VmHWM
    except OSError:
        pass
    return rss, hwm


def tree_rss(pid: int) -> int:
    """Summed RSS in bytes of ``pid`` and its descendants."""
    total = 0
    for current in _tree(pid):
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * _PAGE
        except OSError:
            continue
    return total


def measure(command: list[str], interval: float = 0.1) -> Usage:
    """Run ``command`` (its output discarded) and measure it; raises
    CalledProcessError when it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak_tree = 0
    # Each process's own peak, kept once it is gone: the last VmHWM read.
    hwm: dict[int, int] = {}
    while True:
        # wait4 gives this child's own usage, its waited-for children included.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        summed = 0
        for current in _tree(process.pid):
            rss, high = _rss_and_hwm(current)
            summed += rss
            if high:
                hwm[current] = high
        peak_tree = max(peak_tree, summed)
        time.sleep(interval)
    wall = time.perf_counter() - started
    returncode = os.waitstatus_to_exitcode(status)
    if returncode:
        raise subprocess.CalledProcessError(returncode, command)
    single = usage.ru_maxrss * 1024
    return Usage(wall, usage.ru_utime + usage.ru_stime, peak_tree,
                 max(sum(hwm.values()), single), single)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def write_kept_section(results: Path, heading: str, body: str) -> None:
    """Put ``heading`` (a ``### …`` line) and ``body`` into the kept part of
    ``results``: in place of an earlier section of that heading, else at the
    end, the marker added when the file has none."""
    try:
        text = results.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = "# Benchmark results\n"
    if KEPT_MARKER not in text:
        text = text.rstrip("\n") + f"\n\n{KEPT_MARKER}\n{_KEPT_TITLE}\n"
    section = f"{heading}\n\n{body.strip()}\n"
    head, kept = text.split(KEPT_MARKER, 1)
    at = kept.find(f"\n{heading}\n")
    if at < 0:
        kept = kept.rstrip("\n") + "\n\n" + section
    else:
        after = kept.find("\n### ", at + 1)
        rest = "" if after < 0 else "\n" + kept[after:].lstrip("\n")
        kept = kept[:at] + "\n" + section + rest
    results.write_text(head + KEPT_MARKER + kept, encoding="utf-8")
