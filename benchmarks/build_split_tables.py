"""Rebuild the splitter's learned tables from headline strips.

Usage: python benchmarks/build_split_tables.py [PATH.jsonl ...] [--charlm] [--out DIR]

Reads strips in the ticker format (one JSON object per line with ``lang`` and ``headlines``) and
writes ``tables_<lang>.json`` into ``feedsmith/split/data/`` (or ``--out``): per-word start/end
counts (words seen at least 3 times), two-letter affix and shape counts, and a histogram of
headline lengths in words.  No headline text is stored.  The data files are arguments: third-party
data is never copied into the repository.

``--charlm`` also trains the character model of Arabic word forms (``feedsmith.split.charlm``) on
wordfreq's large Arabic list: every purely Arabic word type with Zipf >= ``CHARLM_FLOOR``, folded
to lookup keys, counted once each; written to ``charlm_ar.json.gz`` (order 4, n-grams seen twice
or more).  It reads no strips, so it holds nothing from the dev data.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feedsmith.split.charlm import build_charlm
from feedsmith.split.normalise import LEXICON_FOLDS
from feedsmith.split.tables import build_tables

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "feedsmith" / "split" / "data"

# Word types the character model learns from: down to the lexicon's own floor (names and loanwords
# are mostly rare).  Order 4 and min count 2 keep the table at ~0.5 MB gzipped.  Held-out glued
# Arabic F1 / error-free strips with char_gain 0.75: this model 0.987 / 78.3%; order 3 0.984 /
# 75.0%; order 5 (min count 3, 1.7 MB) 0.987 / 78.0%; min count 5 (0.45 MB) 0.987 / 78.0%; Zipf
# floor 2.0 0.986 / 77.7%, floor 0.5 (522k types) 0.987 / 78.3%.
CHARLM_FLOOR = 1.2
CHARLM_ORDER = 4
CHARLM_MIN_COUNT = 2
_ARABIC_WORD = re.compile("[\u0621-\u063a\u0641-\u064a]+")


def arabic_word_types(floor: float = CHARLM_FLOOR) -> list[str]:
    """wordfreq's large Arabic list as lookup keys (purely Arabic letters, Zipf >= ``floor``)."""
    from wordfreq import get_frequency_list

    buckets = get_frequency_list("ar", wordlist="large")  # bucket i: Zipf 9 - i/100
    last = min(len(buckets), round((9.0 - floor) * 100) + 1)
    words: set[str] = set()
    for bucket in buckets[:last]:
        for w in bucket:
            for old, new in LEXICON_FOLDS:
                w = w.replace(old, new)
            if _ARABIC_WORD.fullmatch(w):
                words.add(w)
    return sorted(words)


def write_charlm(out: Path) -> Path:
    words = arabic_word_types()
    model = build_charlm(words, order=CHARLM_ORDER, min_count=CHARLM_MIN_COUNT)
    path = out / "charlm_ar.json.gz"
    text = json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # mtime=0: the same model gives the same bytes.
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(
        f"{path}: {len(words)} word types, {len(model['logp'])} n-grams, "
        f"{len(model['bow'])} back-off weights, {path.stat().st_size // 1024} KiB"
    )
    return path


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
    parser.add_argument("paths", nargs="*", help="ticker strips (.jsonl)")
    parser.add_argument("--charlm", action="store_true", help="also train the character model")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.paths and not args.charlm:
        parser.error("give strips to learn from, --charlm, or both")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.charlm:
        write_charlm(args.out)
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
