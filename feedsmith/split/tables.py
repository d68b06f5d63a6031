"""Learned word statistics: how likely a word is to start or end a headline, and headline lengths.

``build_tables(headlines_by_lang)`` takes lists of headlines and returns plain-JSON-able dicts
(one per language); ``Tables.from_json`` wraps one for scoring, and ``load_tables(lang)`` reads the
shipped copy in ``feedsmith/split/data/`` (rebuilt by ``benchmarks/build_split_tables.py``).
The tables hold only counts per word key, per two-letter affix and per character shape, plus a
histogram of headline lengths in words: no headline text.

Scoring uses hierarchical smoothing (shape -> affix -> word, each shrunk towards its parent with
weight ``_SHRINK``), returned as log-odds relative to the base rate of a word starting a headline.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from feedsmith.split.normalise import lookup_key

__all__ = [
    "MAX_WORDS",
    "STRIP",
    "Tables",
    "build_tables",
    "end_features",
    "load_tables",
    "start_features",
]

MAX_WORDS = 48  # longest headline in words we model; longer ones pay a per-word penalty
_SHRINK = 4.0  # pseudo-counts towards the parent estimate; swept 1-16 on held-out outlets
_BROAD = 0.35  # weight of the broad length prior; swept 0.2–0.5 on held-out outlets (flat)
# Words seen fewer times are dropped from the shipped table: 3 keeps it ~200 KiB; 6 halves it but
# held-out spaced F1 fell from 0.656 to 0.625.
_MIN_COUNT = 3
# Weight of the next-word term; 0, 0.5, 1.0 gave held-out spaced F1 0.655, 0.659, 0.660.
NEXT_WEIGHT = 1.0
STRIP = "\"'“”«»‘’()[]{}.,:;!?؟،؛-–—…%٪"


_SHAPES: dict[str, str] = {}


def _shape(ch: str) -> str:
    """Shape class of one character (memoised: this sits on the splitter's hot path)."""
    shape = _SHAPES.get(ch)
    if shape is None:
        shape = _shape_of(ch)
        if len(_SHAPES) < 4096:
            _SHAPES[ch] = shape
    return shape


def _shape_of(ch: str) -> str:
    if ch in "“«‘\"'(([{„‹":
        return "q"
    if ch in "”»’)]}›":
        return "Q"
    if ch in "؟?":
        return "?"
    if ch == "!":
        return "!"
    if ch in ":؛;":
        return ":"
    if ch in ".…":
        return "."
    if ch in ",،":
        return ","
    if ch.isdigit():
        return "d"
    if ch.isalpha():
        if ch.isupper():
            return "A"
        if ch.islower():
            return "a"
        return "w"
    return "o"


def start_features(token: str) -> tuple[str, str, str]:
    """(shape, affix, word) feature names for ``token`` as a possible headline start."""
    key = lookup_key(token.strip(STRIP))
    return ("h:" + _shape(token[:1]), "p:" + key[:2], "w:" + key)


def next_feature(following: str) -> str:
    """Feature of the word *after* a possible headline start: its first letter.

    Headlines open with a subject then a verb (الأهلي يستضيف, واشنطن تخطط), so a following
    ي/ت- word is evidence that the word before it starts one.
    """
    key = lookup_key(following.strip(STRIP))
    return "n:" + key[:1]


def end_features(token: str) -> tuple[str, str, str]:
    """(shape, affix, word) feature names for ``token`` as a possible headline end."""
    key = lookup_key(token.strip(STRIP))
    return ("h:" + _shape(token[-1:]), "s:" + key[-2:], "w:" + key)


def build_tables(headlines: Iterable[str], lang: str) -> dict[str, object]:
    """Count start/end statistics over ``headlines`` (one language) into a JSON-able dict."""
    start_hit: Counter[str] = Counter()
    start_all: Counter[str] = Counter()
    end_hit: Counter[str] = Counter()
    end_all: Counter[str] = Counter()
    lengths: Counter[int] = Counter()
    n_heads = n_words = 0
    for headline in headlines:
        words = headline.split()
        if not words:
            continue
        n_heads += 1
        n_words += len(words)
        lengths[min(len(words), MAX_WORDS)] += 1
        for i, w in enumerate(words):
            following = words[i + 1] if i + 1 < len(words) else ""
            for f in (*start_features(w), next_feature(following)):
                start_all[f] += 1
                if i == 0:
                    start_hit[f] += 1
            for f in end_features(w):
                end_all[f] += 1
                if i == len(words) - 1:
                    end_hit[f] += 1

    def table(hit: Counter[str], total: Counter[str]) -> dict[str, list[int]]:
        return {
            f: [hit[f], n]
            for f, n in sorted(total.items())
            if n >= _MIN_COUNT and not f.endswith(":")
        }

    return {
        "lang": lang,
        "headlines": n_heads,
        "words": n_words,
        "lengths": [lengths[n] for n in range(MAX_WORDS + 1)],
        "start": table(start_hit, start_all),
        "end": table(end_hit, end_all),
    }


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class _Side:
    """Precomputed log-odds for one side (start or end): shape + (word, backing off to affix)."""

    shape: Mapping[str, float]
    following: Mapping[str, float]  # log-odds per first letter of the next word (start side)
    affix: Mapping[str, float]  # smoothed probability per affix
    word: Mapping[str, float]  # log-odds per word
    base: float
    affix_logodds: Mapping[str, float]  # log-odds per affix (the back-off of an unseen word)

    @classmethod
    def build(cls, counts: Mapping[str, tuple[int, int]], p0: float, affix_of: str) -> _Side:
        base = _logit(p0)
        shape = {
            f[2:]: _logit((h + _SHRINK * p0) / (n + _SHRINK)) - base
            for f, (h, n) in counts.items()
            if f.startswith("h:")
        }
        following = {
            f[2:]: _logit((h + _SHRINK * p0) / (n + _SHRINK)) - base
            for f, (h, n) in counts.items()
            if f.startswith("n:")
        }
        affix = {
            f[2:]: (h + _SHRINK * p0) / (n + _SHRINK)
            for f, (h, n) in counts.items()
            if f.startswith(affix_of)
        }
        word: dict[str, float] = {}
        for f, (h, n) in counts.items():
            if f.startswith("w:"):
                key = f[2:]
                parent = affix.get(key[:2] if affix_of == "p:" else key[-2:], p0)
                word[key] = _logit((h + _SHRINK * parent) / (n + _SHRINK)) - base
        affix_logodds = {a: _logit(p) - base for a, p in affix.items()}
        return cls(shape, following, affix, word, base, affix_logodds)

    def score(self, key: str, affix: str, shape: str, following: str | None = None) -> float:
        lo = self.word.get(key)
        if lo is None:
            lo = self.affix_logodds.get(affix, 0.0)
        if following is not None:
            lo += NEXT_WEIGHT * self.following.get(following, 0.0)
        return lo + self.shape.get(shape, 0.0)


@dataclass(frozen=True, slots=True)
class Tables:
    """Start/end log-odds and a log length prior for one language.

    A word's log-odds is its own smoothed estimate (shrunk towards its two-letter affix) plus a
    shape term for the character next to the boundary (quote, digit, ?, capital…): additive, as in
    naive Bayes, so that every score is two or three dict lookups.
    """

    lang: str
    base_rate: float
    length_logp: tuple[float, ...]
    start: _Side
    end: _Side

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tables:
        heads = int(data["headlines"])
        words = int(data["words"])
        counts = list(data["lengths"])
        base = heads / words if words else 0.1
        # Mix the observed histogram with a broad prior (flat over 3–25 words) so that
        # lengths the training outlets never used (2-word headlines) stay possible, then shift so
        # the most likely length scores 0: the prior only charges for unusual lengths, and a cue's
        # log-odds alone decides at typical lengths.
        total = sum(counts) or 1
        broad = [0.0] + [
            1.0 if 3 <= n <= 25 else math.exp(-abs(n - (3 if n < 3 else 25)))
            for n in range(1, len(counts))
        ]
        broad_total = sum(broad)
        mix = [
            (1 - _BROAD) * c / total + _BROAD * b / broad_total
            for c, b in zip(counts, broad, strict=True)
        ]
        logp = [math.log(m) if m > 0 else -30.0 for m in mix]
        top = max(logp)
        logp = [lp - top for lp in logp]
        logp[0] = logp[1] - 3.0  # zero words never happens; keep finite
        start = {k: (int(v[0]), int(v[1])) for k, v in data["start"].items()}
        end = {k: (int(v[0]), int(v[1])) for k, v in data["end"].items()}
        return cls(
            str(data["lang"]),
            base,
            tuple(logp),
            _Side.build(start, base, "p:"),
            _Side.build(end, base, "s:"),
        )

    @classmethod
    def empty(cls, lang: str) -> Tables:
        """No statistics: a generic length prior (peak near 9 words) and neutral word scores."""
        counts = [0] + [
            round(1000 * math.exp(-0.5 * ((n - 9) / 3.5) ** 2)) for n in range(1, MAX_WORDS + 1)
        ]
        return cls.from_json(
            {"lang": lang, "headlines": 1, "words": 10, "lengths": counts, "start": {}, "end": {}}
        )

    @property
    def has_words(self) -> bool:
        """True when word statistics were learned (not ``Tables.empty``)."""
        return bool(self.start.word)

    def length_score(self, n: int) -> float:
        if n <= MAX_WORDS:
            return self.length_logp[max(n, 0)]
        return self.length_logp[MAX_WORDS] - 0.7 * (n - MAX_WORDS)

    def start_key(self, key: str, first: str, following: str | None = None) -> float:
        """Log-odds (vs. the base rate) that a token with lookup ``key`` and first character
        ``first`` starts a headline; ``following`` is the key of the next word, if known."""
        nxt = None if following is None else following[:1]
        return self.start.score(key, key[:2], _shape(first), nxt)

    def end_key(self, key: str, last: str) -> float:
        """Log-odds that a token with lookup ``key`` and last character ``last`` ends one."""
        return self.end.score(key, key[-2:], _shape(last))

    def start_score(self, token: str) -> float:
        """Log-odds (vs. the base rate) that ``token`` starts a headline."""
        return self.start_key(lookup_key(token.strip(STRIP)), token[:1])

    def end_score(self, token: str) -> float:
        """Log-odds (vs. the base rate) that ``token`` ends a headline."""
        return self.end_key(lookup_key(token.strip(STRIP)), token[-1:])


@functools.cache
def load_tables(lang: str) -> Tables:
    """The shipped tables for ``lang`` (``data/tables_<lang>.json``), or empty ones."""
    try:
        text = (
            resources.files("feedsmith.split")
            .joinpath(f"data/tables_{lang}.json")
            .read_text(encoding="utf-8")
        )
    except (FileNotFoundError, OSError):
        return Tables.empty(lang)
    return Tables.from_json(json.loads(text))
