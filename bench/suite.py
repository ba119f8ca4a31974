"""Run the whole benchmark and write bench/RESULTS.md; started by bench/run.

Every step runs in a new interpreter (bench/measure.py), one after another,
so its wall time and peak RSS are its own. Each wxrbridge step is compared
with a reference measured in the same run, on the same file, on the same
machine, so the ratios hold even when the machine is slower or busier than
the one the targets were set on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
MEASURE = BENCH / "measure.py"
DEFAULT_OUT = BENCH / "out"
CONVERT_SIZE = 700_000
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402  (bench/ is not a package)


@dataclass
class Row:
    """One line of the results table: a wxrbridge step against its reference."""

    what: str
    size: int
    ours: dict[str, Any] | None
    reference_name: str
    reference: dict[str, Any] | None
    target: float | None = None  # ratio ceiling, None when there is none
    ratio_of: str = "seconds"  # which figure of both sides the ratio compares
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if not self.ours or not self.reference:
            return None
        return self.ours[self.ratio_of] / self.reference[self.ratio_of]


@dataclass
class Check:
    """A target and whether this run met it."""

    name: str
    value: str
    target: str
    met: bool | None  # None: not measured


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if part.endswith("k"):
            sizes.append(int(float(part[:-1]) * 1000))
        elif part.endswith("m"):
            sizes.append(int(float(part[:-1]) * 1_000_000))
        elif part:
            sizes.append(int(part))
    if not sizes or any(n <= 0 for n in sizes):
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}")
    return sorted(set(sizes))


def human(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


class Runner:
    """Starts measure.py steps and keeps going when one fails."""

    def __init__(self, env: dict[str, str], log: Path, cwd: Path, rounds: int = 1) -> None:
        self.env = env
        self.rounds = rounds
        self.cwd = cwd
        self.log = log
        self.failures: list[str] = []
        self.code: str | None = None  # the wxrbridge package folder every step must use

    def step(self, label: str, *args: str) -> dict[str, Any] | None:
        print(f"  {label} ...", end="", flush=True, file=sys.stderr)
        started = time.perf_counter()
        # Not run from the checkout: for `python -c` the current folder comes
        # first on sys.path and would shadow a --commit snapshot.
        proc = subprocess.run([sys.executable, str(MEASURE), *args], env=self.env,
                              capture_output=True, text=True, cwd=self.cwd)
        wall = time.perf_counter() - started
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"$ measure.py {' '.join(args)}\n{proc.stdout}{proc.stderr}\n")
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
            print(f" FAILED: {tail[0]}", file=sys.stderr)
            self.failures.append(f"{label}: {tail[0]}")
            return None
        result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        if self.code and result.get("wxrbridge", self.code) != self.code:
            self.failures.append(f"{label}: measured {result['wxrbridge']}, not {self.code}")
        result["process_seconds"] = wall
        print(f" {result['seconds']:.2f} s, peak RSS {result['peak_rss_mb']:.0f} MB",
              file=sys.stderr)
        return result

    def best(self, *calls: tuple[str, list[str]],
             key: str = "seconds") -> list[dict[str, Any] | None]:
        """Run each call ``rounds`` times, taking turns, and keep each one's
        fastest run: other work on the machine only ever adds time, so the
        minimum is the closest to the true cost. Taking turns spreads a busy
        spell over both sides of a comparison instead of one. The peak RSS
        kept is the highest seen, the cautious figure."""
        best: list[dict[str, Any] | None] = [None] * len(calls)
        peaks = [0.0] * len(calls)
        for _ in range(self.rounds):
            for i, (label, args) in enumerate(calls):
                result = self.step(label, *args)
                if result is None:
                    continue
                peaks[i] = max(peaks[i], result["peak_rss_mb"])
                if best[i] is None or result[key] < best[i][key]:  # type: ignore[index]
                    best[i] = result
        for i, result in enumerate(best):
            if result is not None:
                result["peak_rss_mb"] = peaks[i]
        return best


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def corpus_files(n: int, out: Path) -> tuple[Path, Path]:
    """The corpus for n comments, generated once and reused afterwards.

    A file is trusted only once it is complete, so a run stopped during
    generation does not leave a truncated corpus to be measured later.
    """
    wxr, dsq = out / f"site-{n}.wxr.xml", out / f"site-{n}.disqus.xml"
    done = out / f".site-{n}.complete"
    if not (done.exists() and wxr.exists() and dsq.exists()):
        print(f"  generating the {human(n)} corpus ...", file=sys.stderr, flush=True)
        corpus.generate(n, out)
        done.write_text("seed 0\n")
    return wxr, dsq


def pg_schema(url: str, name: str, create: bool) -> str | None:
    """Create or drop the run's own PostgreSQL schema; the error text on failure."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            if create:
                connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    except Exception as exc:  # any failure means: no PostgreSQL for this run
        return str(exc).splitlines()[0]
    finally:
        engine.dispose()
    return None


def pg_server_version(url: str) -> str:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW server_version").scalar())
    except Exception:
        return "unreachable"
    finally:
        engine.dispose()


def with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def code_snapshot(rev: str, out: Path) -> tuple[Path, str]:
    """Export wxrbridge as of a git revision, to measure it while the working
    tree is being edited; return the folder to put first on PYTHONPATH."""
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                         check=True, capture_output=True, text=True).stdout.strip()
    folder = out / f"code-{sha[:12]}"
    if not (folder / "wxrbridge").exists():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", sha, "wxrbridge",
                                  "migrations"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder, sha


def provenance(env: dict[str, str], snapshot_sha: str | None, cwd: Path) -> tuple[str, str]:
    """Which wxrbridge the children import (its folder), and a description
    with the commit."""
    proc = subprocess.run(
        [sys.executable, "-c", "import wxrbridge, sys; sys.stdout.write(wxrbridge.__file__)"],
        env=env, capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        raise SystemExit(f"bench/run: cannot import wxrbridge: {tail}")
    package = Path(proc.stdout).resolve().parent
    where = package.parent
    if snapshot_sha:
        return str(package), f"commit {snapshot_sha[:12]} (exported to {where})"

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(where), *args], capture_output=True,
                              text=True).stdout.strip()

    sha = git("rev-parse", "HEAD")
    if not sha:
        return str(package), str(where)
    dirty = git("status", "--porcelain", "--", "wxrbridge", "migrations")
    return str(package), f"commit {sha[:12]}" + \
        (" plus uncommitted changes" if dirty else "") + f" ({where})"


def machine(pg_url: str | None) -> list[tuple[str, str]]:
    import lxml.etree
    import sqlalchemy

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    libxml = ".".join(map(str, lxml.etree.LIBXML_VERSION))
    details = [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("Memory", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("lxml", f"{lxml.etree.__version__} (libxml2 {libxml})"),
        ("SQLAlchemy", sqlalchemy.__version__),
    ]
    if pg_url:
        try:
            import psycopg

            details.append(("psycopg", psycopg.__version__))
        except ImportError:
            pass
        details.append(("PostgreSQL", pg_server_version(pg_url)))
    return details


def load_average() -> str:
    """The 1-minute load average: the machine may be shared, and a busy one
    slows both sides of a comparison, but not always equally."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def fmt_s(result: dict[str, Any] | None, key: str = "seconds") -> str:
    return "failed" if result is None else f"{result[key]:.2f} s"


def fmt_mb(result: dict[str, Any] | None) -> str:
    return "—" if result is None else f"{result['peak_rss_mb']:.0f} MB"


def mark(met: bool | None) -> str:
    return "—" if met is None else ("✓" if met else "✗")


def cpu_ratio(row: Row) -> str:
    """The same comparison in CPU seconds, where both sides report them:
    it shows how much of a wall-time ratio is waiting rather than work.

    Store.load's inner times are wall only, and PostgreSQL does its work in
    the server, so neither has a meaningful CPU ratio."""
    if (not row.ours or not row.reference or row.ratio_of != "seconds"
            or row.what.endswith("PostgreSQL")):
        return "—"
    ours, ref = row.ours.get("cpu_seconds"), row.reference.get("cpu_seconds")
    return f"{ours / ref:.2f}x" if ours and ref else "—"


def table(rows: Sequence[Row]) -> list[str]:
    lines = [
        "| step | size | rows | wxrbridge | peak RSS | reference | ref. time | ref. RSS "
        "| ratio | target | CPU ratio |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        ratio = r.ratio
        target = "—"
        if r.target is not None:
            target = f"≤ {r.target:g} {mark(None if ratio is None else ratio <= r.target)}"
        rows_n = f"{r.ours['rows']:,}" if r.ours else "—"
        lines.append(
            f"| {r.what} | {human(r.size)} | {rows_n} | {fmt_s(r.ours, r.ratio_of)} "
            f"| {fmt_mb(r.ours)} | {r.reference_name} | {fmt_s(r.reference, r.ratio_of)} "
            f"| {fmt_mb(r.reference)} | {'—' if ratio is None else f'{ratio:.2f}x'} "
            f"| {target} | {cpu_ratio(r)} |")
    return lines


def checks(rows: Sequence[Row], wxr_imports: dict[int, dict[str, Any] | None],
           rss_limit: float) -> list[Check]:
    out: list[Check] = []
    for r in rows:
        if r.target is None:
            continue
        ratio = r.ratio
        out.append(Check(f"{r.what}, {human(r.size)}",
                         "not measured" if ratio is None else f"{ratio:.2f}x",
                         f"≤ {r.target:g}x", None if ratio is None else ratio <= r.target))
    for n, result in wxr_imports.items():
        peak = None if result is None else result["peak_rss_mb"]
        out.append(Check(f"WXR import peak RSS, {human(n)}",
                         "not measured" if peak is None else f"{peak:.0f} MB",
                         f"≤ {rss_limit:g} MB", None if peak is None else peak <= rss_limit))
    measured = {n: r["peak_rss_mb"] for n, r in wxr_imports.items() if r}
    if len(measured) >= 2:
        small, large = min(measured), max(measured)
        growth = measured[large] / measured[small] - 1
        # "Flat": the largest file may cost at most 10% more memory than the
        # smallest; a per-comment leak shows up as far more than that at 10x.
        out.append(Check(
            f"WXR import peak RSS flat, {human(small)} → {human(large)}",
            f"{measured[small]:.0f} → {measured[large]:.0f} MB ({growth:+.0%})",
            "≤ +10%", growth <= 0.10))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="bench/run",
        description="Benchmark wxrbridge against the bare pipeline; writes bench/RESULTS.md.")
    ap.add_argument("--sizes", type=parse_sizes, default=parse_sizes("50k,100k,500k"),
                    help="comment counts, comma-separated (default: 50k,100k,500k)")
    ap.add_argument("--quick", action="store_true", help="50k only (overrides --sizes)")
    ap.add_argument("--pg-url", default=os.environ.get("WXRBRIDGE_BENCH_PG", DEFAULT_PG),
                    help="PostgreSQL database to import into, in a schema of the run's own "
                         "(default: $WXRBRIDGE_BENCH_PG or %(default)s)")
    ap.add_argument("--pg-size", type=parse_sizes,
                    help="comment count for the PostgreSQL import (default: the largest size)")
    ap.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL import")
    ap.add_argument("--convert-size", type=parse_sizes,
                    help="comment count of the site whose Disqus export is converted "
                         "(default: 700k, whose export holds 502,295 posts; 50k with --quick)")
    ap.add_argument("--store-load-size", type=parse_sizes,
                    help="comments for the Store.load comparison (default: the largest size)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every step this many times and keep its fastest run (default 1)")
    ap.add_argument("--commit", metavar="REV",
                    help="measure wxrbridge as of this git revision instead of the working tree")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help="folder for corpora and scratch files (default: bench/out)")
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md",
                    help="Markdown file to (over)write (default: bench/RESULTS.md)")
    args = ap.parse_args(argv)

    sizes = [50_000] if args.quick else args.sizes
    largest = max(sizes)
    pg_size = None if args.no_pg else (args.pg_size or [largest])[0]
    load_size = (args.store_load_size or [largest])[0]
    # The target is for 500k Disqus posts. The corpus's Disqus export holds
    # what the WordPress plugin sends, approved comments of type comment:
    # about 0.72 posts a comment, so 700k comments.
    convert_size = (args.convert_size or [50_000 if args.quick else CONVERT_SIZE])[0]
    out: Path = args.out.resolve()
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log = work / "steps.log"

    env = dict(os.environ)
    snapshot_sha = None
    if args.commit:
        folder, snapshot_sha = code_snapshot(args.commit, out)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(folder), env.get("PYTHONPATH", "")) if p)
    package, code = provenance(env, snapshot_sha, work)
    run = Runner(env, log, work, args.rounds)
    run.code = package
    started = datetime.now(timezone.utc)
    load_before = load_average()
    clock = time.perf_counter()
    print(f"wxrbridge: {code}", file=sys.stderr)

    rows: list[Row] = []
    wxr_imports: dict[int, dict[str, Any] | None] = {}
    extra_sizes = {n for n in (pg_size,) if n is not None and n not in sizes}
    for n in sorted(set(sizes) | extra_sizes):
        print(f"{human(n)} comments", file=sys.stderr)
        wxr, dsq = corpus_files(n, out)
        store = work / f"wxr-{n}.sqlite"
        ours_call = ("wxrbridge WXR import", ["import", f"sqlite:///{store}", str(wxr)])
        if n in sizes:
            bare, ours = run.best(
                ("bare WXR → SQLite", ["bare-wxr", str(wxr), str(work / "bare.sqlite")]),
                ours_call)
            remove_db(work / "bare.sqlite")
        else:  # a size wanted only for PostgreSQL needs no bare run
            bare, (ours,) = None, run.best(ours_call)
        wxr_imports[n] = ours
        if n in sizes:
            rows.append(Row("WXR import → SQLite", n, ours, "bare_wxr_to_sqlite", bare, 1.5))
        if n != largest:
            remove_db(store)  # the largest store is exported below
        if n not in sizes:
            continue
        bare, ours = run.best(
            ("bare Disqus → SQLite", ["bare-disqus", str(dsq), str(work / "bare.sqlite")]),
            ("wxrbridge Disqus import", ["import", f"sqlite:///{work / 'dsq.sqlite'}",
                                         str(dsq)]))
        remove_db(work / "bare.sqlite")
        remove_db(work / "dsq.sqlite")
        rows.append(Row("Disqus import → SQLite", n, ours, "bare_disqus_to_sqlite", bare))

    print(f"export, {human(largest)}", file=sys.stderr)
    store = work / f"wxr-{largest}.sqlite"
    exported = None
    if wxr_imports.get(largest):
        (exported,) = run.best(("wxrbridge WXR export", [
            "export", f"sqlite:///{store}", str(work / "export.wxr.xml")]))
        (work / "export.wxr.xml").unlink(missing_ok=True)
    rows.append(Row("WXR export ← SQLite", largest, exported,
                    "WXR import, same size", wxr_imports.get(largest), 1.0))
    remove_db(store)
    # The bare Disqus load is measured again, taking turns with convert, so
    # that a busy spell on a shared machine cannot fall on one side only.
    print(f"convert, {human(convert_size)} comments", file=sys.stderr)
    _wxr, dsq = corpus_files(convert_size, out)
    bare_dsq, converted = run.best(
        ("bare Disqus → SQLite", ["bare-disqus", str(dsq), str(work / "bare.sqlite")]),
        ("wxrbridge convert Disqus → WXR", ["convert", str(dsq),
                                            str(work / "convert.wxr.xml")]))
    remove_db(work / "bare.sqlite")
    (work / "convert.wxr.xml").unlink(missing_ok=True)
    rows.append(Row("convert Disqus → WXR", convert_size, converted,
                    "bare_disqus_to_sqlite", bare_dsq, 2.5))

    pg_note = None
    if pg_size is not None:
        print(f"PostgreSQL, {human(pg_size)}", file=sys.stderr)
        schema = f"wxrbridge_bench_{os.getpid()}"
        wxr_pg, _ = corpus_files(pg_size, out)
        pg_result: dict[str, Any] | None = None
        # Not run.best: every round needs an empty schema, or it would
        # measure a re-import (upserts) instead of a first import.
        for _ in range(args.rounds):
            error = pg_schema(args.pg_url, schema, create=True)
            if error:
                pg_note = f"PostgreSQL import skipped: {error}"
                print(f"  {pg_note}", file=sys.stderr)
                break
            try:
                result = run.step("wxrbridge WXR import → PostgreSQL", "import",
                                  with_search_path(args.pg_url, schema), str(wxr_pg))
            finally:
                pg_schema(args.pg_url, schema, create=False)
            if result and (pg_result is None or result["seconds"] < pg_result["seconds"]):
                if pg_result:
                    result["peak_rss_mb"] = max(result["peak_rss_mb"], pg_result["peak_rss_mb"])
                pg_result = result
        rows.append(Row("WXR import → PostgreSQL", pg_size, pg_result,
                        "WXR import → SQLite", wxr_imports.get(pg_size), 2.0))
    remove_db(work / f"wxr-{largest}.sqlite")
    for n in extra_sizes:
        remove_db(work / f"wxr-{n}.sqlite")

    print(f"Store.load, {human(load_size)}", file=sys.stderr)
    bare_load, ours_load = run.best(
        ("bare executemany", ["store-load-bare", str(load_size),
                              str(work / "load-bare.sqlite")]),
        ("Store.load", ["store-load-store", str(load_size), str(work / "load-store.sqlite")]),
        key="inner_seconds")
    remove_db(work / "load-bare.sqlite")
    remove_db(work / "load-store.sqlite")
    rows.append(Row("Store.load (records → SQLite)", load_size, ours_load,
                    "sqlite3 executemany", bare_load, 1.3, ratio_of="inner_seconds"))

    total = time.perf_counter() - clock
    results = checks(rows, {n: r for n, r in wxr_imports.items() if n in sizes}, 100.0)
    details = machine(None if pg_size is None else args.pg_url)
    details.append(("Load average (1 min)", f"{load_before} at the start, "
                    f"{load_average()} at the end"))
    details.append(("Rounds", f"{args.rounds} (fastest kept)" if args.rounds > 1 else "1"))
    details.append(("Command", "`" + " ".join(["bench/run", *(argv or sys.argv[1:])]) + "`"))
    report = render(rows, results, details, code, started, total, run.failures, pg_note)
    args.results.write_text(report, encoding="utf-8")
    print(file=sys.stderr)
    print("\n".join(table(rows)))
    print()
    for c in results:
        print(f"{mark(c.met)} {c.name}: {c.value} (target {c.target})")
    for failure in run.failures:
        print(f"failed: {failure}")
    print(f"\nwrote {args.results} ({total / 60:.1f} min); step output in {log}")
    return 1 if run.failures else 0


def render(rows: Sequence[Row], results: Sequence[Check], details: list[tuple[str, str]],
           code: str, started: datetime, total: float, failures: Sequence[str],
           pg_note: str | None) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run`; rerun it to refresh this file (it is overwritten).",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC, {total / 60:.1f} minutes in all.",
        "",
        "| | |",
        "|---|---|",
        f"| wxrbridge | {code} |",
        *(f"| {k} | {v} |" for k, v in details),
        "",
        "## Steps",
        "",
        *table(rows),
        "",
        "Each step ran in a fresh interpreter (`bench/measure.py`), so peak RSS is",
        "that step's own (VmHWM, see measure.py) and includes the interpreter and",
        "its imports. An import reads a file of 8 MB or more in a second process",
        "(wxrbridge/readahead.py) while the first stores its records, and an",
        "export (convert's too) reads a SQLite store of 8 MB or more in a second",
        "process while the first writes: the peak RSS of such a step is the sum",
        "of both processes' peaks, and its CPU seconds are both processes'",
        "together. Sizes are the site's comment count; its Disqus export holds",
        "what the WordPress plugin sends (approved comments of type comment),",
        "about 0.72 posts per comment, so the convert target, 500k posts, is",
        "measured on the 700k-comment site.",
        "Times are wall clock for the work alone: start-up and imports are left out,",
        "opening the store and creating its schema are counted. The Store.load",
        "times are store_load.py's own (records built and schema created first);",
        "the PostgreSQL RSS is the client's only. Ratios compare with the",
        "reference measured in this same run, the two taking turns when there are",
        "several rounds; the targets are judged on them. The CPU ratio is the same",
        "comparison in CPU seconds: where it is well below the wall ratio, the",
        "difference was spent waiting (fsync at commit, a database server); where",
        "it is above, the work ran on two cores at once.",
        "",
        "## Targets",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---|:-:|",
        *(f"| {c.name} | {c.value} | {c.target} | {mark(c.met)} |" for c in results),
        "",
    ]
    if pg_note or failures:
        lines += ["## Problems", ""]
        lines += [f"- {pg_note}"] if pg_note else []
        lines += [f"- failed: {f}" for f in failures]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
