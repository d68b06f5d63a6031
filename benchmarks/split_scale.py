"""How the splitter's time and memory grow with the input, and what `feedsmith split` costs.

Usage::

    python benchmarks/split_scale.py ../shared/data/ticker-dev.jsonl [--seed PAGE.txt]
                                     [--sizes 1,10] [--repeats 3]

It glues the ``text`` of every glued Arabic strip in the JSONL file (format of
benchmarks/split_eval.py) end to end, repeated until the line is 1 MB (UTF-8), and 10 MB, and
prints:

- the median time of ``split_headlines`` on each size in this process (lexicon loaded first; the
  sizes take turns, so machine load falls on all of them alike) and the ratio to the first size;
- wall time and peak RSS of ``feedsmith split FILE`` in a fresh process on the first size, and on
  ``--seed`` (a page as users get it) when given: what a user waits for, lexicon load included.

Targets: 10 MB at most 12x the time of 1 MB; `feedsmith split` on a 1 MB strip under 300 MB; on
the seed page under a second.  The text comes from the path given; nothing is stored here.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feedsmith import split_headlines

MB = 1_000_000


def glued_text(path: Path) -> str:
    strips = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("style") == "glued" and row.get("lang") == "ar":
                strips.append(row["text"].replace("\n", " "))
    if not strips:
        raise SystemExit(f"{path}: no glued Arabic strips")
    return "".join(strips)


def of_size(text: str, size: int) -> str:
    """``text`` repeated and cut to ``size`` bytes of UTF-8 (on a character boundary)."""
    repeats = size // len(text.encode("utf-8")) + 1
    return (text * repeats).encode("utf-8")[:size].decode("utf-8", "ignore")


def run_cli(path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``feedsmith split path`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "feedsmith", "split", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="strips in split_eval's JSONL format")
    parser.add_argument("--seed", type=Path, help="a page to run `feedsmith split` on")
    parser.add_argument("--sizes", default="1,10", help="sizes in MB (default 1,10)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",")]
    base = glued_text(args.path)
    # The fresh processes first, while this one is small: a child's peak RSS counts the copy of
    # its parent it starts as.
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        if args.seed:
            runs.append(("seed page", args.seed))
        strip = Path(tmp, "strip.txt")
        strip.write_text(of_size(base, sizes[0] * MB), encoding="utf-8")
        runs.append((f"{sizes[0]} MB strip", strip))
        for label, path in runs:
            wall, peak = run_cli(path)
            print(f"feedsmith split, {label}: {wall:.2f} s wall, peak RSS {peak:.0f} MB")

    inputs = {size: of_size(base, size * MB) for size in sizes}
    split_headlines("تحميل المعجم")  # load the lexicon and tables outside the timing
    times: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(args.repeats):
        for size in sizes:
            started = time.perf_counter()
            split_headlines(inputs[size], "ar")
            times[size].append(time.perf_counter() - started)
    first = statistics.median(times[sizes[0]])
    for size in sizes:
        median = statistics.median(times[size])
        print(
            f"split_headlines {size:>3} MB: median {median:6.2f} s"
            f" (min {min(times[size]):.2f}, max {max(times[size]):.2f})"
            f"  {median / first:5.1f}x the {sizes[0]} MB time"
        )

    return 0


if __name__ == "__main__":
    raise SystemExit(main())
