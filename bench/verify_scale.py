"""verify at scale: wall, CPU and peak memory against two bare parses.

    python bench/verify_scale.py --comments 500000 --out bench/out [--rounds 3]

generates the corpus if it is missing (bench/corpus.py), then runs, as
whole processes, ``wxrbridge verify site.wxr.xml site.wxr.xml`` and the
bare reference (bench/baseline.py parse: both files parsed, the floor of
reading them), taking turns for ``--rounds`` rounds (the order changing
each round), and prints one markdown row for each run, then the median CPU
ratio and the load average.  Peak memory is the process tree's summed RSS,
sampled every 0.1 s (any process verify starts counts), next to the
largest single process's.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from process_tree import load_average, measure  # noqa: E402  (bench/ is not a package)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the corpus folder")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each, taking turns")
    parser.add_argument("--wxrbridge", default=str(Path(sys.executable).with_name("wxrbridge")),
                        help="the command to run it by (a shell word list)")
    args = parser.parse_args()
    wxr = args.out / f"site-{args.comments}.wxr.xml"
    if not wxr.exists():
        subprocess.run([sys.executable, str(HERE / "corpus.py"), "--comments",
                        str(args.comments), "--out", str(args.out)], check=True)
    steps = {
        "verify A A": [*shlex.split(args.wxrbridge), "verify", str(wxr), str(wxr)],
        # The reference bench/run measures verify against: both sides parsed.
        "bare parse, twice": [sys.executable, str(HERE / "baseline.py"), "parse",
                              str(wxr), str(wxr)],
    }
    print(f"load average before: {load_average()}")
    print("| step | comments | wall s | CPU s | peak RSS, tree (MB) | largest process (MB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for round_ in range(args.rounds):
        names = list(steps) if round_ % 2 == 0 else list(reversed(steps))
        for name in names:
            usage = measure(steps[name])
            cpu[name].append(usage.cpu)
            print(f"| {name} | {args.comments:,} | {usage.wall:.1f} | {usage.cpu:.1f} "
                  f"| {usage.peak_tree_rss / 1e6:.0f} | {usage.peak_single_rss / 1e6:.0f} |",
                  flush=True)
    mine, bare = (statistics.median(cpu[name]) for name in steps)
    print(f"median CPU ratio {mine / bare:.2f}x; load average after: {load_average()}")


if __name__ == "__main__":
    main()
