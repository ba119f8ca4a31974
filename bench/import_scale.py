"""WXR import at scale: time and memory against the number of comments.

    python bench/import_scale.py --sizes 100k,500k,1M,5M --out /work/big [--keep-stores]

generates each size's corpus into ``--out`` if it is missing (bench/corpus.py;
the Disqus copy it also writes is deleted, an import does not need it), then
runs ``wxrbridge import site-N.wxr.xml --db sqlite:///…`` as a whole process
for each size, smallest first, and prints one markdown row a size: wall and
CPU time (user + system of the process and the reading process it starts),
CPU per comment, the summed peak RSS of the process tree (sampled every
0.1 s), the sum of every process's own peak (VmHWM) and the largest single
process's. Time per comment that stays the same from size to size is an
import linear in size; a summed peak that stays the same is flat memory.
The table also goes into bench/RESULTS.md (``--results``), in the part
``bench/run`` keeps. Each store is deleted after its run unless
``--keep-stores``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402  (bench/ is not a package)
from process_tree import load_average, measure, write_kept_section  # noqa: E402
from suite import remove_db  # noqa: E402

HEADING = "### WXR import at scale (`bench/import_scale.py`)"
_UNITS = {"k": 1_000, "m": 1_000_000}


def parse_sizes(text: str) -> list[int]:
    """``100k,1M,5000000`` -> [100000, 1000000, 5000000]."""
    sizes = []
    for word in text.lower().replace("_", "").split(","):
        scale = _UNITS.get(word[-1:], 1)
        sizes.append(int(float(word[:-1] if scale > 1 else word) * scale))
    return sorted(sizes)


def corpus_file(n: int, out: Path) -> Path:
    """The WXR corpus of ``n`` comments, generated once (a file is trusted
    once its generation completed, as bench/run does)."""
    wxr, done = out / f"site-{n}.wxr.xml", out / f".site-{n}.complete"
    if not (done.exists() and wxr.exists()):
        print(f"generating {n:,} comments into {out} ...", file=sys.stderr, flush=True)
        _, disqus = corpus.generate(n, out)
        disqus.unlink()
        done.write_text("seed 0\n")
    return wxr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("100k,500k,1M,5M"),
                        help="comment counts, e.g. 100k,500k,1M,5M (the default)")
    parser.add_argument("--out", type=Path, required=True,
                        help="the folder for the corpora and stores")
    parser.add_argument("--wxrbridge", default=str(Path(sys.executable).with_name("wxrbridge")),
                        help="the command to run it by (a shell word list)")
    parser.add_argument("--keep-stores", action="store_true")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    lines = [f"Load average before: {load_average()}.", "",
             "| comments | WXR MB | wall s | CPU s | CPU µs / comment | peak RSS, tree (MB) "
             "| sum of each process's peak (MB) | largest process (MB) |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    print(*lines, sep="\n", flush=True)
    for n in args.sizes:
        wxr = corpus_file(n, args.out)
        store = args.out / f"site-{n}.import.sqlite"
        remove_db(store)
        command = [*shlex.split(args.wxrbridge), "import", str(wxr), "--db", f"sqlite:///{store}"]
        usage = measure(command)
        if not args.keep_stores:
            remove_db(store)
        row = (f"| {n:,} | {wxr.stat().st_size / 1e6:,.0f} | {usage.wall:.1f} | {usage.cpu:.1f} "
               f"| {usage.cpu / n * 1e6:.0f} | {usage.peak_tree_rss / 1e6:.0f} "
               f"| {usage.peak_sum_hwm / 1e6:.0f} | {usage.peak_single_rss / 1e6:.0f} |")
        lines.append(row)
        print(row, flush=True)
    after = f"Load average after: {load_average()}."
    print(after)
    lines += ["", after, "",
              f"{started:%Y-%m-%d %H:%M} UTC, `wxrbridge import FILE --db sqlite:///…`, whole "
              "processes (the reading process included), one run each size."]
    write_kept_section(args.results, HEADING, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
