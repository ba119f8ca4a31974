"""Time one benchmark step and report its peak memory, as one line of JSON.

    python bench/measure.py STEP ARGS...

bench/run starts this once per step, each time in a new interpreter, so that
the peak RSS it reports belongs to that step alone: ru_maxrss never goes
down, and in a long-lived process every step after the largest one would
inherit that step's peak.

Steps:

    bare-wxr FILE DB            baseline.bare_wxr_to_sqlite
    bare-disqus FILE DB         baseline.bare_disqus_to_sqlite
    import URL FILE             open_store(URL) + api.import_files
    export URL OUT              open_store(URL) + api.export (WXR)
    convert SRC OUT             api.convert (format from OUT's extension)
    store-load-bare N DB        store_load.bare_load on N generated comments
    store-load-store N DB       store_load.store_load on the same comments

Peak RSS adds the peaks of the processes the work starts (an import reads a
large file in a second process) to this one's; CPU seconds count theirs too.
The time covers the work only: interpreter start-up and module imports are
left out on both sides of every comparison, while opening the store (and
creating its schema) is counted, as the bare pipeline counts creating its
tables. The JSON line carries ``seconds``, ``cpu_seconds``, ``peak_rss_mb`` (VmHWM; see
``_peak_rss``), ``start_rss_mb`` (the RSS once everything is imported,
before the work starts) and ``rows``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024


def _proc_status(field: str) -> int:
    """A memory figure of /proc/self/status in bytes (Linux), or 0."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _peak_rss() -> int:
    """Peak resident set size of this process, in bytes.

    VmHWM, where there is one, rather than ru_maxrss: Linux carries
    ru_maxrss over from the process that started this one (the parent's
    pages count until exec replaces them), so a child of a 50 MB parent
    never reports less than 50 MB. VmHWM belongs to this program's own
    address space.
    """
    peak = _proc_status("VmHWM")
    if peak:
        return peak
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class _ChildPeaks:
    """The peak RSS of each process this one starts (a large import reads
    its file in a second process, see wxrbridge/readahead.py), sampled from
    /proc while the work runs. VmHWM only grows, so the last sample of each
    child is its peak, short of growth in its last few milliseconds."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _ChildPeaks:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _children(self) -> list[int]:
        pids: list[int] = []
        for task in Path("/proc/self/task").glob("*/children"):
            try:
                pids.extend(int(pid) for pid in task.read_text().split())
            except OSError:
                pass
        return pids

    def _run(self) -> None:
        own = Path("/proc/self/cmdline").read_bytes()
        while not self.stopped.is_set():
            for pid in self._children():
                try:
                    # Between fork and exec a child is a copy of this
                    # process, with its figures: not what the child uses.
                    if Path(f"/proc/{pid}/cmdline").read_bytes() == own:
                        continue
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peak = int(line.split()[1]) * 1024
                        self.peaks[pid] = max(self.peaks.get(pid, 0), peak)
            self.stopped.wait(self.interval)

    @property
    def total(self) -> int:
        return sum(self.peaks.values())


def _fresh(path: str) -> str:
    """Remove a database left by an earlier run (and SQLite's side files)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
    return path


def _sqlite_url(path: str) -> str:
    return f"sqlite:///{os.path.abspath(path)}"


def bare_wxr(file: str, db: str) -> Callable[[], dict[str, object]]:
    from baseline import bare_wxr_to_sqlite

    _fresh(db)
    return lambda: {"rows": bare_wxr_to_sqlite(file, db)}


def bare_disqus(file: str, db: str) -> Callable[[], dict[str, object]]:
    from baseline import bare_disqus_to_sqlite

    _fresh(db)
    return lambda: {"rows": bare_disqus_to_sqlite(file, db)}


def import_(url: str, file: str) -> Callable[[], dict[str, object]]:
    from wxrbridge.api import import_files, open_store

    if url.startswith("sqlite:///"):
        _fresh(url.removeprefix("sqlite:///"))

    def work() -> dict[str, object]:
        with open_store(url) as store:
            reports = import_files(store, [file])
        counts: Counter[str] = sum((r.counts for r in reports), start=Counter())
        return {"rows": counts["comment"], "counts": dict(counts)}

    return work


def export(url: str, out: str) -> Callable[[], dict[str, object]]:
    from wxrbridge.api import export as export_store
    from wxrbridge.api import open_store

    def work() -> dict[str, object]:
        with open_store(url) as store:
            report = export_store(store, out, format="wxr")
        return {"rows": report.written["comment"], "written": dict(report.written),
                "left_out": len(report.left_out), "bytes": os.path.getsize(out)}

    return work


def convert(src: str, out: str) -> Callable[[], dict[str, object]]:
    from wxrbridge.api import convert as convert_file

    def work() -> dict[str, object]:
        result = convert_file(src, out)
        return {"rows": result.written.written["comment"],
                "imported": sum(r.counts["comment"] for r in result.imported),
                "left_out": len(result.written.left_out), "bytes": os.path.getsize(out)}

    return work


def _store_load(side: str, n: str, db: str) -> Callable[[], dict[str, object]]:
    import gc

    import store_load

    # Building the records is set-up, not the thing measured: store_load.py
    # builds them before either timer starts too. Each side runs in its own
    # process here, so neither needs the deep copy store_load.py makes to
    # keep the two runs apart.
    records = store_load.make_records(int(n))
    gc.collect()
    _fresh(db)
    load = store_load.bare_load if side == "bare" else store_load.store_load
    comments = int(n)

    def work() -> dict[str, object]:
        # Both functions time their own load (excluding schema creation on
        # the bare side); report that figure, as store_load.py does.
        return {"rows": comments, "inner_seconds": load(Path(db), records)}

    return work


STEPS: dict[str, Callable[..., Callable[[], dict[str, object]]]] = {
    "bare-wxr": bare_wxr,
    "bare-disqus": bare_disqus,
    "import": import_,
    "export": export,
    "convert": convert,
    "store-load-bare": lambda n, db: _store_load("bare", n, db),
    "store-load-store": lambda n, db: _store_load("store", n, db),
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in STEPS:
        print(__doc__, file=sys.stderr)
        return 2
    # bench/ holds baseline.py and store_load.py; make them importable however
    # this file was started.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    work = STEPS[argv[0]](*argv[1:])
    start_rss = _proc_status("VmRSS")
    times_started = os.times()
    started = time.perf_counter()
    with _ChildPeaks() as children:
        result = work()
    seconds = time.perf_counter() - started
    times = os.times()
    # CPU time too: on a shared machine it moves far less than wall time, and
    # wall minus CPU is what waiting (fsync, the database server) cost. It
    # counts the processes the work started (reading ahead), which ran
    # beside this one.
    result["cpu_seconds"] = sum(
        times[i] - times_started[i] for i in range(4)  # user, system, children's
    )
    result["children_peak_rss_mb"] = children.total / MB
    module = sys.modules.get("wxrbridge")
    if module is not None:
        # Which copy was measured: a snapshot on PYTHONPATH or the checkout.
        result["wxrbridge"] = str(Path(module.__file__ or "").resolve().parent)
    # The peak is this process's plus its children's: all of them at
    # their highest at once, the cautious sum.
    result.update(step=argv[0], args=argv[1:], seconds=seconds,
                  peak_rss_mb=(_peak_rss() + children.total) / MB,
                  own_peak_rss_mb=_peak_rss() / MB, start_rss_mb=start_rss / MB)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
