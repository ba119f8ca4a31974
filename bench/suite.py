"""Run the benchmark and write bench/RESULTS.md; started by bench/run.

Every measurement is a whole process as a user runs it (``wxrbridge import
FILE --db …``, interpreter start-up and imports included), pinned to one
core (``taskset -c 0``) or given two (``taskset -c 0,1``).  Its wall time
and its CPU time are taken from ``os.wait4``: the rusage of the process and
of every child it waited for, so an import that reads ahead in a second
process is charged for both.  Each wxrbridge step is compared with a bare
reference doing the same step (bench/baseline.py), run the same way in the
same run, the two taking turns round after round; the median of the rounds
is kept.  Targets are judged on CPU ratios and one-core ratios: CPU time is
what a step costs whatever else the machine runs, and on one core a second
process cannot hide work behind an idle neighbour.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BASELINE = BENCH / "baseline.py"
DEFAULT_OUT = BENCH / "out"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_MYSQL = "mysql+pymysql://root@127.0.0.1:3306/test"
# What wxrbridge/readahead.py reads ahead: a file this large, with two cores.
READ_AHEAD_BYTES = 8 * 1024 * 1024

sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402  (bench/ is not a package)
from process_tree import KEPT_MARKER  # noqa: E402


@dataclass
class Run:
    """One process: wall seconds, CPU seconds (user + system, children
    waited for included) and the largest resident set of any of them."""

    wall: float
    cpu: float
    rss_mb: float


@dataclass
class Side:
    """A command measured over the rounds."""

    label: str
    make: Callable[[], list[str]]  # the command line, made fresh each round
    before: Callable[[], None] = lambda: None  # cleanup run before each round, not timed
    runs: list[Run] = field(default_factory=list)
    failed: str | None = None

    def median(self, attr: str) -> float | None:
        if self.failed or not self.runs:
            return None
        return statistics.median(getattr(r, attr) for r in self.runs)


@dataclass
class Step:
    """A wxrbridge step and its reference on a number of cores."""

    name: str
    size: str
    cores: int
    ours: Side
    reference: Side
    target: float | None = None  # the ratio ceiling
    judged_on: str = "cpu"  # "cpu" or "wall"
    note: str = ""

    def ratio(self, attr: str) -> float | None:
        a, b = self.ours.median(attr), self.reference.median(attr)
        return None if a is None or not b else a / b


@dataclass
class Absolute:
    """A wxrbridge command judged on its own CPU seconds (start-up)."""

    name: str
    cores: int
    ours: Side
    limit: float


def human(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n % 1000 == 0 else str(n))


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        scale = {"k": 1000, "m": 1_000_000}.get(part[-1:], 1)
        sizes.append(int(float(part.rstrip("km")) * scale))
    if not sizes or any(n <= 0 for n in sizes):
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}")
    return sorted(set(sizes))


class Machine:
    """Runs commands as whole processes and keeps their output in a log."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log.open("a", encoding="utf-8")
        # Not the checkout: ``python -c`` would import its wxrbridge first.
        self.log_dir = log.parent

    def run(self, command: list[str], cores: int) -> Run:
        pinned = ["taskset", "-c", "0" if cores == 1 else "0,1", *command]
        self.log.write(f"$ {' '.join(pinned)}\n")
        self.log.flush()
        started = time.perf_counter()
        child = subprocess.Popen(pinned, env=self.env, stdout=self.log, stderr=self.log,
                                 cwd=self.log_dir)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise RuntimeError(f"exit {child.returncode}: {' '.join(command)}")
        return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)

    def measure(self, sides: Sequence[Side], cores: int, rounds: int) -> None:
        """Each side once a round, the order turning each round, so that a
        change in the machine's load falls on all of them alike."""
        for index in range(rounds):
            shift = index % len(sides)
            for side in [*sides[shift:], *sides[:shift]]:
                if side.failed:
                    continue
                try:
                    side.before()
                    side.runs.append(self.run(side.make(), cores))
                except Exception as exc:  # reported in RESULTS.md, the run goes on
                    side.failed = str(exc).splitlines()[0] if str(exc) else repr(exc)


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def corpus_files(n: int, out: Path) -> tuple[Path, Path]:
    """The corpus for n comments, generated once and reused afterwards (a
    file is trusted once its generation completed)."""
    wxr, dsq = out / f"site-{n}.wxr.xml", out / f"site-{n}.disqus.xml"
    done = out / f".site-{n}.complete"
    if not (done.exists() and wxr.exists() and dsq.exists()):
        print(f"  generating the {human(n)} corpus ...", file=sys.stderr, flush=True)
        corpus.generate(n, out)
        done.write_text("seed 0\n")
    return wxr, dsq


def server_scratch(url: str, name: str, create: bool) -> str:
    """A URL into a schema (PostgreSQL) or database (MariaDB) of the run's
    own, created or dropped."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
                if create:
                    connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
            else:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
                if create:
                    connection.exec_driver_sql(f"CREATE DATABASE `{name}`")
    finally:
        engine.dispose()
    if url.startswith("postgresql"):
        return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"
    return url.rsplit("/", 1)[0] + f"/{name}"


def code_snapshot(rev: str, out: Path) -> tuple[Path, str]:
    """wxrbridge as of a git revision, exported to measure it while the
    working tree is being edited: the folder to put first on PYTHONPATH."""
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                         check=True, capture_output=True, text=True).stdout.strip()
    folder = out / f"code-{sha[:12]}"
    if not (folder / "wxrbridge").exists():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", sha, "wxrbridge",
                                  "migrations"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    # An editable install answers ``import wxrbridge`` with the checkout
    # through a finder of its own, ahead of PYTHONPATH; site imports this
    # after the .pth files that install it, in every process (an import's
    # reading process too), and takes it out.
    (folder / "sitecustomize.py").write_text(
        "import sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path\n"
        "                    if not type(f).__module__.startswith('__editable__')]\n",
        encoding="utf-8")
    return folder, sha


def machine_details() -> list[tuple[str, str]]:
    import lxml.etree
    import sqlalchemy

    cpu = platform.processor() or "unknown"
    memory = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in
                   Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        memory = next(f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB" for line in
                      Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    except (OSError, StopIteration):
        pass
    libxml = ".".join(map(str, lxml.etree.LIBXML_VERSION))
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("Memory", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("lxml", f"{lxml.etree.__version__} (libxml2 {libxml})"),
        ("SQLAlchemy", sqlalchemy.__version__),
    ]


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def wxrbridge_command() -> list[str]:
    """The console script beside this interpreter, as a user runs it; else
    ``python -m wxrbridge``."""
    script = Path(sys.executable).with_name("wxrbridge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wxrbridge"]


def plan(args: argparse.Namespace, work: Path, out: Path) -> tuple[list[Step], list[Absolute]]:
    """Every comparison of the run, in the order they are measured."""
    wxr_cmd = wxrbridge_command()
    py = sys.executable
    bare = [py, str(BASELINE)]
    core_counts = [1, 2] if args.cores == "both" else [int(args.cores)]
    steps: list[Step] = []
    absolutes: list[Absolute] = []
    for cores in core_counts:
        for flag in ("--version", "--help"):
            absolutes.append(Absolute(f"`wxrbridge {flag}`", cores,
                                      Side(f"wxrbridge {flag}", lambda f=flag: [*wxr_cmd, f]),
                                      args.startup_limit))
        steps.append(Step("start-up: `wxrbridge --version`", "—", cores,
                          Side("wxrbridge --version", lambda: [*wxr_cmd, "--version"]),
                          Side("import lxml, sqlite3",
                               lambda: [py, "-c", "import lxml.etree, sqlite3"]),
                          note="information; the target is the absolute CPU time"))

    for n in args.sizes:
        size = human(n)
        wxr, dsq = corpus_files(n, out)
        twin = out / f"site-{n}.copy.wxr.xml"
        if not twin.exists():
            shutil.copyfile(wxr, twin)
        db = work / f"ours-{n}.sqlite"
        ref_db = work / f"bare-{n}.sqlite"
        store = work / f"store-{n}.sqlite"  # made once, read by the exports
        dsq_db = work / f"ours-dsq-{n}.sqlite"

        def fresh(*paths: Path) -> Callable[[], None]:
            def remove() -> None:
                for path in paths:
                    remove_db(path)
            return remove

        for cores in core_counts:
            two = cores > 1 and wxr.stat().st_size >= READ_AHEAD_BYTES
            steps.append(Step(
                "WXR import → SQLite", size, cores,
                Side("wxrbridge import", lambda w=wxr, d=db: [*wxr_cmd, "import", str(w),
                                                              "--db", f"sqlite:///{d}", "-q"],
                     fresh(db)),
                Side("bare pipeline (2 processes)" if two else "bare import",
                     lambda w=wxr, d=ref_db, t=two: [*bare, "wxr-pipeline" if t else "wxr-import",
                                                     str(w), str(d)], fresh(ref_db)),
                target=1.3, judged_on="cpu" if cores > 1 else "wall",
                note="wxrbridge reads ahead in a second process" if two else ""))
            if two:
                steps.append(Step(
                    "WXR import → SQLite, vs one-process bare import", size, cores,
                    Side("wxrbridge import", lambda w=wxr, d=db: [
                        *wxr_cmd, "import", str(w), "--db", f"sqlite:///{d}", "-q"], fresh(db)),
                    Side("bare import", lambda w=wxr, d=ref_db: [*bare, "wxr-import", str(w),
                                                                 str(d)], fresh(ref_db)),
                    note="information: the floor without a second process"))
            steps.append(Step(
                "Disqus import → SQLite", size, cores,
                Side("wxrbridge import", lambda f=dsq, d=dsq_db: [
                    *wxr_cmd, "import", str(f), "--db", f"sqlite:///{d}", "-q"], fresh(dsq_db)),
                Side("bare Disqus import", lambda f=dsq, d=ref_db: [
                    *bare, "disqus-import", str(f), str(d)], fresh(ref_db)),
                note="information"))
            steps.append(Step(
                "`stats FILE`", size, cores,
                Side("wxrbridge stats", lambda w=wxr: [*wxr_cmd, "stats", str(w)]),
                Side("bare parse", lambda w=wxr: [*bare, "parse", str(w)]),
                target=1.2))
            exports = [("wxr", "xml", 1.5), ("disqus", "xml", 1.5), ("jsonl", "jsonl", 1.5),
                       ("html", "", 3.0)]
            for fmt, ext, limit in exports:
                target_path = work / (f"export-{n}.{fmt}.{ext}" if ext else f"export-{n}-html")
                steps.append(Step(
                    f"{fmt.upper() if fmt != 'jsonl' else 'JSON Lines'} export ← SQLite",
                    size, cores,
                    Side(f"wxrbridge export -f {fmt}", lambda f=fmt, t=target_path, s=store: [
                        *wxr_cmd, "export", "-f", f, "--db", f"sqlite:///{s}", "-o", str(t),
                        "-q"], lambda t=target_path: shutil.rmtree(t, ignore_errors=True)
                        if t.is_dir() else t.unlink(missing_ok=True)),
                    Side("bare export", lambda s=store, t=work / f"bare-export-{n}.xml": [
                        *bare, "export", str(s), str(t)]),
                    target=limit))
            steps.append(Step(
                "convert Disqus → WXR", size, cores,
                Side("wxrbridge convert", lambda f=dsq, t=work / f"convert-{n}.xml": [
                    *wxr_cmd, "convert", str(f), str(t), "--to", "wxr", "-q"],
                    lambda t=work / f"convert-{n}.xml": t.unlink(missing_ok=True)),
                Side("bare Disqus import, then bare export", lambda f=dsq, d=ref_db, s=store,
                     t=work / f"bare-export-{n}.xml": [
                         "sh", "-c", '"$0" "$1" disqus-import "$2" "$3" && '
                         '"$0" "$1" export "$4" "$5"', py, str(BASELINE), str(f), str(d),
                         str(s), str(t)], fresh(ref_db)),
                target=2.0,
                note="the bare export reads the WXR store of the same size"))
            steps.append(Step(
                "`verify A B` (two equal WXR files)", size, cores,
                Side("wxrbridge verify", lambda a=wxr, b=twin: [*wxr_cmd, "verify", str(a),
                                                                str(b)]),
                Side("two bare parses", lambda a=wxr, b=twin: [*bare, "parse", str(a), str(b)]),
                target=2.0))
        for label, url in (("PostgreSQL", args.pg_url), ("MariaDB", args.mysql_url)):
            if not url or args.no_servers:
                continue
            scratch = f"wxrbridge_bench_{os.getpid()}_{n}"

            def ours_cmd(u: str = url, s: str = scratch, w: Path = wxr) -> list[str]:
                return [*wxr_cmd, "import", str(w), "--db", server_scratch(u, s, True), "-q"]

            # wxrbridge reads ahead into a server as into SQLite.
            two = wxr.stat().st_size >= READ_AHEAD_BYTES
            steps.append(Step(
                f"WXR import → {label}", size, 2,
                Side("wxrbridge import", ours_cmd),
                Side("bare executemany" + (" (2 processes)" if two else ""),
                     lambda u=url, w=wxr, t=two: [
                         *bare, "server-pipeline" if t else "server-import", str(w), u]),
                target=1.5, judged_on="wall",
                note="wall: the server's work is not in the client's CPU time"))
    return steps, absolutes


def fmt(value: float | None, unit: str = " s") -> str:
    return "failed" if value is None else f"{value:.2f}{unit}"


def verdict(value: float | None, limit: float | None) -> str:
    if limit is None:
        return "—"
    if value is None:
        return "not measured"
    return f"≤ {limit:g} {'✓' if value <= limit else '✗'}"


def render(steps: Sequence[Step], absolutes: Sequence[Absolute], details: list[tuple[str, str]],
           started: datetime, minutes: float, command: str) -> str:
    lines = [
        "# Benchmark results", "",
        "Written by `bench/run`; rerun it to refresh this file (it is overwritten).", "",
        f"Run {started:%Y-%m-%d %H:%M} UTC, {minutes:.1f} minutes in all.", "",
        "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in details), "",
        "## Targets", "",
        "Judged on the CPU ratio (two cores) or the one-core wall ratio, each "
        "against the bare reference measured in the same run; start-up on its "
        "own CPU seconds.", "",
        "| step | size | cores | judged on | ratio | target |", "|---|---:|---:|---|---:|---|",
    ]
    for a in absolutes:
        cpu = a.ours.median("cpu")
        met = "not measured" if cpu is None else f"≤ {a.limit:g} s {'✓' if cpu <= a.limit else '✗'}"
        lines.append(f"| {a.name} CPU | — | {a.cores} | CPU seconds | {fmt(cpu)} | {met} |")
    for s in steps:
        if s.target is None:
            continue
        value = s.ratio(s.judged_on)
        what = "CPU" if s.judged_on == "cpu" else ("one-core wall" if s.cores == 1 else "wall")
        lines.append(f"| {s.name} | {s.size} | {s.cores} | {what} | {fmt(value, 'x')} | "
                     f"{verdict(value, s.target)} |")
    lines += [
        "", "## Every measurement", "",
        "Medians of the rounds. CPU is user + system of the process and of every "
        "child it waited for (an import's reading process included). RSS is the "
        "largest resident set of any one of them (`ru_maxrss`), not their sum.", "",
        "| step | size | cores | wxrbridge wall | CPU | RSS | reference | wall | CPU | RSS "
        "| wall ratio | CPU ratio | note |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in steps:
        o, r = s.ours, s.reference
        rss_o, rss_r = o.median("rss_mb"), r.median("rss_mb")
        lines.append(
            f"| {s.name} | {s.size} | {s.cores} | {fmt(o.median('wall'))} | "
            f"{fmt(o.median('cpu'))} | {fmt(rss_o, ' MB')} | {r.label} | "
            f"{fmt(r.median('wall'))} | {fmt(r.median('cpu'))} | {fmt(rss_r, ' MB')} | "
            f"{fmt(s.ratio('wall'), 'x')} | {fmt(s.ratio('cpu'), 'x')} | {s.note} |")
    problems = [f"- {s.name} {s.size} ({s.cores} cores), {side.label}: {side.failed}"
                for s in steps for side in (s.ours, s.reference) if side.failed]
    problems += [f"- {a.name}: {a.ours.failed}" for a in absolutes if a.ours.failed]
    if problems:
        lines += ["", "## Problems", "", *problems]
    lines += ["", f"Command: `{command}`", ""]
    return "\n".join(lines)


def kept_section(results: Path) -> str:
    """The part of an earlier RESULTS.md that ``bench/run`` does not write."""
    try:
        earlier = results.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    at = earlier.find(KEPT_MARKER)
    return "" if at < 0 else "\n" + earlier[at:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    ap.add_argument("--size", "--sizes", dest="sizes", type=parse_sizes, default=None,
                    help="comment counts, e.g. 100000 or 100k,500k (default 100k,500k)")
    ap.add_argument("--quick", action="store_true",
                    help="20k comments, one round, no database servers: a minute or two")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per step (default 3)")
    ap.add_argument("--cores", choices=("1", "2", "both"), default="both")
    ap.add_argument("--pg-url", default=os.environ.get("WXRBRIDGE_BENCH_PG", DEFAULT_PG))
    ap.add_argument("--mysql-url", default=os.environ.get("WXRBRIDGE_BENCH_MYSQL",
                                                          DEFAULT_MYSQL))
    ap.add_argument("--no-servers", action="store_true", help="skip PostgreSQL and MariaDB")
    ap.add_argument("--only", default="", help="run only steps whose name contains this")
    ap.add_argument("--startup-limit", type=float, default=0.15)
    ap.add_argument("--commit", help="measure this git revision instead of the working tree")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or [20_000]
        args.rounds = args.rounds or 1
        args.no_servers = True
    args.sizes = args.sizes or [100_000, 500_000]
    args.rounds = args.rounds or 3
    if not shutil.which("taskset"):
        raise SystemExit("bench/run: taskset (util-linux) is needed to pin processes to cores")
    if len(os.sched_getaffinity(0)) < 2 and args.cores != "1":
        raise SystemExit("bench/run: fewer than two cores here; use --cores 1")

    started = datetime.now(timezone.utc)
    out: Path = args.out
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    described = "the working tree"
    if args.commit:
        code, sha = code_snapshot(args.commit, out)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
        described = f"commit {sha[:12]}"
    # Byte-compiled first, as an installed package is: start-up is measured
    # as a user meets it, not with every module compiled afresh.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "wxrbridge"),
                    *[p for p in sys.path if p.endswith("site-packages")]],
                   env=env, stdout=subprocess.DEVNULL, check=False)
    if args.commit:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(code)],
                       env=env, stdout=subprocess.DEVNULL, check=False)
    runner = Machine(env, work / "steps.log")
    steps, absolutes = plan(args, work, out)
    if args.only:
        steps = [s for s in steps if args.only.lower() in s.name.lower()]
        absolutes = [a for a in absolutes if args.only.lower() in a.name.lower()]
    load_before = load_average()
    for a in absolutes:
        print(f"  {a.name}, {a.cores} core(s)", file=sys.stderr, flush=True)
        runner.measure([a.ours], a.cores, max(args.rounds, 5))
    made: set[int] = set()
    for s in steps:
        n = next((n for n in args.sizes if human(n) == s.size), None)
        if n is not None and n not in made and ("export" in s.name or "convert" in s.name):
            wxr, _dsq = corpus_files(n, out)
            store = work / f"store-{n}.sqlite"
            remove_db(store)
            runner.run([*wxrbridge_command(), "import", str(wxr), "--db", f"sqlite:///{store}",
                        "-q"], 2)
            made.add(n)
        print(f"  {s.name}, {s.size}, {s.cores} core(s)", file=sys.stderr, flush=True)
        runner.measure([s.ours, s.reference], s.cores, args.rounds)
        print(f"    CPU {fmt(s.ratio('cpu'), 'x')}, wall {fmt(s.ratio('wall'), 'x')}",
              file=sys.stderr, flush=True)
    for n in args.sizes:  # the servers' scratch schemas and databases
        for url in (args.pg_url, args.mysql_url):
            if url and not args.no_servers:
                try:
                    server_scratch(url, f"wxrbridge_bench_{os.getpid()}_{n}", False)
                except Exception:  # an unreachable server: its steps say so
                    pass
    minutes = (datetime.now(timezone.utc) - started).total_seconds() / 60
    details = [("wxrbridge", described), *machine_details(),
               ("Load average (1 min)", f"{load_before} at the start, {load_average()} at the end"),
               ("Rounds", f"{args.rounds} (median kept; start-up {max(args.rounds, 5)})")]
    text = render(steps, absolutes, details, started, minutes,
                  "bench/run " + " ".join(argv if argv is not None else sys.argv[1:]))
    args.results.write_text(text + kept_section(args.results), encoding="utf-8")
    targets = text.split("## Every measurement")[0].split("## Targets")[1]
    print(targets.strip(), file=sys.stderr)
    print(f"\nwritten to {args.results}", file=sys.stderr)
    failed = any(side.failed for s in steps for side in (s.ours, s.reference))
    return 1 if failed or any(a.ours.failed for a in absolutes) else 0


if __name__ == "__main__":
    sys.exit(main())
