"""Score the headline splitter on ticker strips, next to a plain reference splitter.

Usage:
    python benchmarks/split_eval.py PATH.jsonl [PATH.jsonl ...] [--folds K | --leave-out]
                                    [--no-reference] [--set NAME=VALUE ...] [--errors N]

Strips are JSON lines with ``id, source, lang, style, text, headlines``.  For each language and
style it prints boundary precision/recall/F1 (a boundary is the position, counted in non-space
characters, where a headline starts), the share of gold headlines returned exactly, the share of
strips split with no error, and characters per second; then the same for the reference: a
word-lexicon Viterbi split of tokens wordfreq does not know, every split taken as a boundary.
The reference runs twice: looking words up in wordfreq's list loaded into a dict, and through
wordfreq's public ``zipf_frequency`` (the plain way; wordfreq tokenises each lookup, so a few
results differ; its lookups are memoised, so after the scoring pass it times as a dict too).

Speed: after scoring, each splitter splits every (language, style) group ``--repeats`` times
(default 5), taking turns at starting a round, and the median round counts, so that machine load
and warm or cold CPU caches fall on all splitters alike.  Lexicons and tables are loaded before
any timing; their load time is what ``feedsmith split`` on the seed page measures.  Before each of
its rounds feedsmith forgets what it remembers between calls (clitic analyses, character-model
look-ups), as a new process would: otherwise every round after the first would find the same
strips' look-ups already made.  ``--warm`` keeps them (the figure printed before this option).

``--folds K`` groups outlets (``source``) into K folds and ``--leave-out`` makes each outlet its
own fold: tables are learned on the other folds and only held-out figures are printed.  Without
either, the shipped tables in feedsmith/split/data are used (in-sample if they were built from the
same data).  English has one outlet, so its held-out run has no English tables at all.
``--set`` overrides a ``Settings`` field (for sweeps), e.g. ``--set length_weight=1.5``.
``--cues`` prints, per cue kind, how often its positions are headline starts, and stops.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_split_tables import read_strips, tables_by_lang

from feedsmith.split.charlm import load_charlm
from feedsmith.split.cues import find_cues
from feedsmith.split.joins import lexicon_joins
from feedsmith.split.lexicon import SUPPORTED, load_lexicon
from feedsmith.split.normalise import line_key
from feedsmith.split.splitter import Settings, split_text
from feedsmith.split.tables import Tables, load_tables
from feedsmith.split.vocab import Vocabulary, clear_cache

Row = dict[str, object]
Splitter = Callable[[str, str], list[str]]


def boundaries(headlines: Iterable[str]) -> list[int]:
    """Start of each headline after the first, counted in non-space characters."""
    out: list[int] = []
    n = 0
    for h in headlines:
        if n:
            out.append(n)
        n += sum(1 for ch in h if not ch.isspace())
    return out


def spans(headlines: Iterable[str]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    n = 0
    for h in headlines:
        m = n + sum(1 for ch in h if not ch.isspace())
        out.add((n, m))
        n = m
    return out


@dataclasses.dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    exact: int = 0
    gold: int = 0
    strips: int = 0
    clean: int = 0
    chars: int = 0
    seconds: float = 0.0

    def add(self, gold: list[str], pred: list[str], chars: int) -> None:
        g, p = set(boundaries(gold)), set(boundaries(pred))
        self.tp += len(g & p)
        self.fp += len(p - g)
        self.fn += len(g - p)
        self.exact += len(spans(gold) & spans(pred))
        self.gold += len(gold)
        self.strips += 1
        self.clean += g == p
        self.chars += chars

    def line(self) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        cps = self.chars / self.seconds if self.seconds else 0.0
        return (
            f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}  exact {self.exact / max(self.gold, 1):6.1%}  "
            f"clean strips {self.clean / max(self.strips, 1):6.1%}  {cps:9.0f} chars/s"
        )


# --- reference splitter -------------------------------------------------------------------------


_MARKS = dict.fromkeys([*range(0x064B, 0x0660), 0x0670, 0x0640])
_PUNCT = set("\"'“”«»‘’()[]{}.,:;!?؟،؛…%-–—")


@functools.cache
def _ref_lexicon(lang: str) -> dict[str, float]:
    """wordfreq's large list as word -> Zipf (wordfreq's own keys: casefolded, marks removed)."""
    from wordfreq import get_frequency_list

    table: dict[str, float] = {}
    for i, bucket in enumerate(get_frequency_list(lang, wordlist="large")):
        for w in bucket:
            table.setdefault(w, 9.0 - i / 100)
    return table


@functools.cache
def _api_zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


class _ApiLexicon(dict):  # type: ignore[type-arg]
    """The same lookups through wordfreq's public ``zipf_frequency`` (0.0 means unknown)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def get(self, word: str, default: float | None = None) -> float | None:  # type: ignore[override]
        z = _api_zipf(word, self.lang)
        return z if z > 0.0 else default

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and _api_zipf(word, self.lang) > 0.0


@functools.cache
def _api_lexicon(lang: str) -> _ApiLexicon:
    return _ApiLexicon(lang)


def reference_split_api(text: str, lang: str) -> list[str]:
    """The reference splitter, looking words up through ``wordfreq.zipf_frequency``."""
    return reference_split(text, lang, _api_lexicon(lang))


def reference_split(text: str, lang: str, lex: dict[str, float] | None = None) -> list[str]:
    """Plain baseline: Viterbi-split each token wordfreq does not know; every split is a boundary.

    A token is known when its letters (edge punctuation stripped, casefolded, marks removed) are a
    wordfreq word.  Unknown tokens are split into wordfreq words (cost 10 - Zipf, up to 20
    characters) and punctuation or digit runs (free, attached to the piece before).
    """
    lex = _ref_lexicon(lang) if lex is None else lex
    out: list[str] = []
    current: list[str] = []
    for token in text.split():
        pieces = [token]
        key = token.casefold().translate(_MARKS)
        core = "".join(ch for ch in key if ch not in _PUNCT) if key else key
        if core and core not in lex:
            pieces = _viterbi(token, key, lex) or [token]
        current.append(pieces[0])
        for piece in pieces[1:]:
            out.append(" ".join(current))
            current = [piece]
    if current:
        out.append(" ".join(current))
    return out


def _viterbi(token: str, key: str, lex: dict[str, float]) -> list[str] | None:
    if len(key) != len(token):
        return None  # marks inside: keep the baseline simple
    n = len(key)
    inf = float("inf")
    best: list[float] = [0.0] + [inf] * n
    back = [0] * (n + 1)
    word_end = [False] * (n + 1)
    for j in range(1, n + 1):
        ch = key[j - 1]
        # Punctuation and digits stick to the piece before (numbers are never split inside).
        if (ch in _PUNCT or ch.isdigit()) and best[j - 1] < best[j]:
            best[j], back[j] = best[j - 1], j - 1
        for i in range(max(0, j - 20), j):
            z = lex.get(key[i:j]) if best[i] < inf and key[i].isalpha() else None
            if z is not None and best[i] + 10.0 - z < best[j]:
                best[j], back[j] = best[i] + 10.0 - z, i
                word_end[j] = True
    if best[n] == inf:
        return None
    cuts: list[int] = []
    j = n
    while j > 0:
        i = back[j]
        if word_end[j] and i > 0:
            cuts.append(i)
        j = i
    # Cut before each word piece except the first.
    cuts = sorted(c for c in cuts if any(ch.isalpha() for ch in key[:c]))
    return [token[a:b] for a, b in zip([0, *cuts], [*cuts, n], strict=True)]


# --- running ------------------------------------------------------------------------------------


def make_splitter(tables: dict[str, Tables], settings: Settings) -> Splitter:
    # Tables are built here, outside the timed calls, as the reference's lexicon is loaded once
    # (a held-out fold without tables for a language used to build empty ones on every strip).
    tables = dict(tables)
    for lang in SUPPORTED:
        tables.setdefault(lang, Tables.empty(lang))

    def split(text: str, lang: str) -> list[str]:
        lexicon = load_lexicon(lang) if lang in SUPPORTED else None
        table = tables.get(lang) or Tables.empty(lang)
        return split_text(text, lang, None, lexicon, table, settings)

    return split


def forget_between_calls() -> None:
    """Clear what feedsmith's splitter keeps from one call to the next, as in a new process."""
    clear_cache()
    for lang in SUPPORTED:
        model = load_charlm(lang)
        if model is not None:
            model.clear_cache()


def run(
    rows: list[Row],
    splitters: dict[str, Splitter],
    scores: dict[str, dict[tuple[str, str], Score]],
    errors: list[str],
    repeats: int,
    cold: bool = True,
) -> None:
    """Split each row with every splitter and add up the scores per splitter name and (lang,
    style); then time each splitter on each (lang, style) group of rows ``repeats`` times and add
    the median to its seconds.  The splitters take turns starting a round, so load on the machine
    and a warm or cold CPU cache fall on all of them alike.  With ``cold``, feedsmith starts each
    round without the look-ups it remembered from earlier calls."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        text, lang = str(row["text"]), str(row["lang"])
        gold: list[str] = row["headlines"]  # type: ignore[assignment]
        groups[(lang, str(row["style"]))].append(row)
        for name, split in splitters.items():
            pred = split(text, lang)
            scores[name][(lang, str(row["style"]))].add(gold, pred, len(text))
            g, p = set(boundaries(gold)), set(boundaries(pred))
            if name == "feedsmith" and g != p:
                errors.append(
                    f"{row['id']} {row['source']} {row['style']} missed {len(g - p)} "
                    f"extra {len(p - g)}\n  gold {gold}\n  pred {pred}"
                )
    names = list(splitters)
    for key, group in groups.items():
        times: dict[str, list[float]] = {name: [] for name in names}
        for round_ in range(repeats):
            k = round_ % len(names)
            for name in names[k:] + names[:k]:
                split = splitters[name]
                if cold and name == "feedsmith":
                    forget_between_calls()
                t0 = time.perf_counter()
                for row in group:
                    split(str(row["text"]), str(row["lang"]))
                times[name].append(time.perf_counter() - t0)
        for name in names:
            scores[name][key].seconds += statistics.median(times[name])


def cue_report(rows: list[Row]) -> None:
    """Per cue kind: how many of its positions are headline starts (precision) and how many
    headline starts it finds (recall), over the strips given.  Uses no learned tables."""
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    gold_total = 0
    found: set[tuple[int, int]] = set()
    for n, row in enumerate(rows):
        text, lang = str(row["text"]), str(row["lang"])
        gold = set()
        pos = 0
        for h in row["headlines"][:-1]:  # type: ignore[index]
            pos += len(h) + (row["style"] == "spaced")
            gold.add(pos)
        gold_total += len(gold)
        lexicon = load_lexicon(lang) if lang in SUPPORTED else None
        vocab = Vocabulary(lexicon, frozenset()) if lexicon else None
        cues = find_cues(text, vocab)
        if vocab is not None and lang == "ar":
            joins = lexicon_joins(text, line_key(text), cues, vocab, vocab, Tables.empty(lang))
            cues.update({p: c for p, c in joins.items() if c[0] > 0 and p not in cues})
        for p, (_, kind) in cues.items():
            hits[kind][0] += p in gold
            hits[kind][1] += 1
            if p in gold:
                found.add((n, p))
    print(f"{'cue':20} {'starts':>7} {'positions':>9} {'precision':>9} {'recall':>7}")
    for kind, (good, total) in sorted(hits.items(), key=lambda kv: -kv[1][0]):
        print(
            f"{kind:20} {good:7d} {total:9d} {good / total:9.3f} {good / max(gold_total, 1):7.3f}"
        )
    print(f"{'any cue':20} {len(found):7d} {'':9} {'':9} {len(found) / max(gold_total, 1):7.3f}")


def folds_of(rows: list[Row], k: int) -> list[list[str]]:
    """Outlets dealt into k folds, largest first (deterministic)."""
    sizes: dict[str, int] = defaultdict(int)
    for row in rows:
        sizes[str(row["source"])] += 1
    folds: list[list[str]] = [[] for _ in range(k)]
    for i, src in enumerate(sorted(sizes, key=lambda s: (-sizes[s], s))):
        folds[i % k].append(src)
    return [f for f in folds if f]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--folds", type=int, help="leave-outlets-out with K folds of outlets")
    group.add_argument("--leave-out", action="store_true", help="one fold per outlet")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--errors", type=int, default=0, help="print N mis-split strips")
    parser.add_argument("--style", help="only strips of this style")
    parser.add_argument("--cues", action="store_true", help="print how often each cue is right")
    parser.add_argument(
        "--repeats", type=int, default=5, help="timing rounds per splitter (median, default 5)"
    )
    parser.add_argument(
        "--warm", action="store_true", help="keep feedsmith's look-ups from round to round"
    )
    args = parser.parse_args(argv)

    overrides = {}
    for item in args.set:
        name, value = item.split("=", 1)
        overrides[name] = float(value)
    settings = dataclasses.replace(Settings(), **overrides)
    rows = read_strips(args.paths)
    if args.style:
        rows = [r for r in rows if r["style"] == args.style]
    for lang in {str(r["lang"]) for r in rows} & set(SUPPORTED):
        load_lexicon(lang)  # load outside the timed region (load time is measured separately)
        load_charlm(lang)  # the character model of word forms likewise (None if not shipped)
    if args.cues:
        for style in sorted({str(r["style"]) for r in rows}):
            for lang in sorted({str(r["lang"]) for r in rows}):
                subset = [r for r in rows if r["style"] == style and r["lang"] == lang]
                if subset:
                    print(f"{lang} {style}: cues")
                    cue_report(subset)
        return 0

    references: dict[str, Splitter] = {}
    if not args.no_reference:
        references = {"dict": reference_split, "api": reference_split_api}
        for lang in {str(r["lang"]) for r in rows}:
            reference_split("warm up", lang)
            reference_split_api("warm up", lang)
    # Everything loaded so far lives until the end: keep the cyclic garbage collector from
    # walking it again on every collection the timed calls trigger (it did, and that cost grew
    # with the size of the loaded lexicons, not with the work being measured).
    gc.collect()
    gc.freeze()
    scores: dict[str, dict[tuple[str, str], Score]] = defaultdict(lambda: defaultdict(Score))
    errors: list[str] = []
    if args.folds or args.leave_out:
        k = len({r["source"] for r in rows}) if args.leave_out else args.folds
        folds = folds_of(rows, k)
        print(f"held-out evaluation: {len(folds)} folds of outlets")
        for fold in folds:
            train = [r for r in rows if r["source"] not in fold]
            test = [r for r in rows if r["source"] in fold]
            learned = {lang: Tables.from_json(t) for lang, t in tables_by_lang(train).items()}
            splitters = {"feedsmith": make_splitter(learned, settings), **references}
            run(test, splitters, scores, errors, args.repeats, cold=not args.warm)
    else:
        print("shipped tables (in-sample if built from these files)")
        shipped = {lang: load_tables(lang) for lang in {str(r["lang"]) for r in rows}}
        run(
            rows,
            {"feedsmith": make_splitter(shipped, settings), **references},
            scores,
            errors,
            args.repeats,
            cold=not args.warm,
        )

    ours = scores["feedsmith"]
    for key in sorted(ours):
        lang, style = key
        print(f"{lang} {style:6} ({ours[key].strips} strips)")
        print(f"  feedsmith  {ours[key].line()}")
        if references:
            print(f"  reference  {scores['dict'][key].line()}  (frequency dict)")
            print(f"  reference  {scores['api'][key].line()}  (wordfreq.zipf_frequency)")
    for e in errors[: args.errors]:
        print(e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
