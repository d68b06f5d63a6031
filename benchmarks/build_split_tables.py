"""Rebuild the splitter's learned tables from headline strips.

Usage: python benchmarks/build_split_tables.py PATH.jsonl [PATH.jsonl ...] [--out DIR]

Reads strips in the ticker format (one JSON object per line with ``lang`` and ``headlines``) and
writes ``tables_<lang>.json`` into ``feedsmith/split/data/`` (or ``--out``): per-word start/end
counts (words seen at least 3 times), two-letter affix and shape counts, and a histogram of
headline lengths in words.  No headline text is stored.  The data files are arguments: third-party
data is never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feedsmith.split.tables import build_tables

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "feedsmith" / "split" / "data"


def read_strips(paths: list[str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh if line.strip())
    return rows


def tables_by_lang(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    """Learned tables per language from ``rows`` (each row a strip with gold headlines).

    Only word statistics and a length histogram are kept (see feedsmith.split.tables).
    """
    heads: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        heads[str(row["lang"])].extend(row["headlines"])  # type: ignore[arg-type]
    return {lang: build_tables(h, lang) for lang, h in sorted(heads.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="ticker strips (.jsonl)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for lang, table in tables_by_lang(read_strips(args.paths)).items():
        path = args.out / f"tables_{lang}.json"
        path.write_text(
            json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
            encoding="utf-8",
        )
        print(
            f"{path}: {table['headlines']} headlines, {len(table['start'])} start and "
            f"{len(table['end'])} end features, {path.stat().st_size // 1024} KiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
