"""Character n-gram model of Arabic word forms: how word-like a letter string is.

``CharLM.word_logp(key)`` returns the natural-log probability of ``key`` (a lookup key, see
``normalise.lookup_key``) as one whole word, with word-start and word-end markers.
``split_gain(key, p)`` returns log P(key[:p]) + log P(key[p:]) - log P(key), each read as a whole
word: the evidence of the letters alone that a glued run is two words rather than one unknown
word (a name).

The model is interpolated Witten-Bell over letters, trained on word *types* (each form counted
once, so that rare names and loanwords weigh as much as common words) and stored ARPA-style:
log-probabilities of the n-grams kept after pruning, and a back-off weight per context.
``build_charlm`` trains one (``benchmarks/build_split_tables.py --charlm`` runs it on wordfreq's
Arabic list); ``load_charlm(lang)`` reads the shipped table lazily, once per process.

>>> lm = CharLM.from_json(build_charlm(["كتاب", "كتب", "مكتب"] * 2, order=3))
>>> lm.word_logp("كتاب") > lm.word_logp("بتاك")
True
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

__all__ = ["CharLM", "build_charlm", "load_charlm"]

BOW = "^"  # word start (padding on the left)
_CACHE_MAX = 1 << 18  # bound on remembered look-ups
EOW = "$"  # word end


def build_charlm(
    words: Iterable[str], order: int = 4, min_count: int = 2, digits: int = 2
) -> dict[str, Any]:
    """Train an interpolated Witten-Bell character model on ``words`` (lookup keys, types).

    N-grams of the highest orders seen fewer than ``min_count`` times are dropped (their context
    backs off); log-probabilities are stored as integers in units of 10**-``digits`` nats.  Returns
    a JSON-able dict: n-grams and contexts as tab-joined strings with parallel integer lists, which
    loads several times faster than a JSON object of 100k keys.
    """
    counts: list[Counter[str]] = [Counter() for _ in range(order)]  # by n-gram length - 1
    for w in set(words):
        s = BOW * (order - 1) + w + EOW
        for i in range(order - 1, len(s)):
            for n in range(1, order + 1):
                counts[n - 1][s[i - n + 1 : i + 1]] += 1
    # Per context: total count and number of distinct followers.
    ctx_total: list[Counter[str]] = [Counter() for _ in range(order)]
    ctx_types: list[Counter[str]] = [Counter() for _ in range(order)]
    for n in range(order):
        for g, c in counts[n].items():
            ctx_total[n][g[:-1]] += c
            ctx_types[n][g[:-1]] += 1
    alphabet = sorted({g for g in counts[0]})
    v = len(alphabet) + 1
    probs: list[dict[str, float]] = [{} for _ in range(order)]
    # Unigrams: Witten-Bell against a uniform distribution.
    total, types = ctx_total[0][""], ctx_types[0][""]
    for g, c in counts[0].items():
        probs[0][g] = (c + types / v) / (total + types)
    lower = probs[0]
    for n in range(1, order):
        cur: dict[str, float] = {}
        for g, c in counts[n].items():
            h = g[:-1]
            t, k = ctx_total[n][h], ctx_types[n][h]
            cur[g] = (c + k * _backed(lower, probs, g[1:])) / (t + k)
        probs[n] = cur
        lower = cur
    scale = 10**digits
    out_probs: dict[str, int] = {}
    out_bow: dict[str, int] = {}
    for n in range(order):
        for g, p in sorted(probs[n].items()):
            if n >= 1 and counts[n][g] < min_count:
                continue
            out_probs[g] = round(math.log(p) * scale)
        if n >= 1:
            for h, t in sorted(ctx_total[n].items()):
                k = ctx_types[n][h]
                out_bow[h] = round(math.log(k / (t + k)) * scale)
    # A context that no kept n-gram continues is never reached with that history: drop its weight.
    keep_ctx = {g[:-1] for g in out_probs}
    bows = {h: b for h, b in out_bow.items() if h in keep_ctx and b < 0}
    return {
        "order": order,
        "scale": scale,
        "floor": round(math.log(1.0 / (total + types) * types / v) * scale),
        "grams": "\t".join(out_probs),
        "logp": list(out_probs.values()),
        "contexts": "\t".join(bows),
        "bow": list(bows.values()),
    }


def _backed(lower: Mapping[str, float], probs: list[dict[str, float]], g: str) -> float:
    """P(g[-1] | g[:-1]) from the (interpolated) lower-order tables, backing off if unseen."""
    p = probs[len(g) - 1].get(g)
    if p is not None:
        return p
    return _backed(lower, probs, g[1:]) if len(g) > 1 else 1e-6


class CharLM:
    """Log-probabilities of letters given up to ``order - 1`` previous ones (see module doc)."""

    __slots__ = ("_cache", "bow", "floor", "order", "probs")

    def __init__(
        self, order: int, probs: Mapping[str, float], bow: Mapping[str, float], floor: float
    ) -> None:
        self.order = order
        self.probs = probs
        self.bow = bow
        self.floor = floor
        self._cache: dict[str, float] = {}  # gram -> log P with back-off, as looked up

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CharLM:
        """Read the dict ``build_charlm`` returns."""
        unit = 1.0 / int(data["scale"])

        def table(keys: str, values: list[int]) -> dict[str, float]:
            names = keys.split("\t") if keys else []
            if len(names) != len(values):
                raise ValueError("malformed character model")
            return dict(zip(names, [x * unit for x in values], strict=True))

        return cls(
            int(data["order"]),
            table(data["grams"], data["logp"]),
            table(data["contexts"], data["bow"]),
            int(data["floor"]) * unit,
        )

    def clear_cache(self) -> None:
        """Forget the remembered look-ups (benchmarks time a cold process with it)."""
        self._cache.clear()

    def logp(self, gram: str) -> float:
        """log P(gram[-1] | gram[:-1]), backing off; ``gram`` holds at most ``order`` letters."""
        lp = self._cache.get(gram)
        if lp is not None:
            return lp
        probs, bow = self.probs, self.bow
        acc = 0.0
        g = gram
        while True:
            p = probs.get(g)
            if p is not None:
                lp = acc + p
                break
            if len(g) == 1:
                lp = acc + self.floor
                break
            acc += bow.get(g[:-1], 0.0)
            g = g[1:]
        if len(self._cache) < _CACHE_MAX:
            self._cache[gram] = lp
        return lp

    def letter_logps(self, key: str) -> list[float]:
        """log P of each letter of ``key`` as a word, then of the word end (len(key) + 1 values)."""
        k = self.order - 1
        s = BOW * k + key + EOW
        lp = self.logp
        return [lp(s[i - k : i + 1]) for i in range(k, len(s))]

    def word_logp(self, key: str) -> float:
        """log P(``key`` is one whole word)."""
        return sum(self.letter_logps(key))

    def split_gain(self, key: str, p: int) -> float:
        """log P(key[:p]) + log P(key[p:]) - log P(key), each read as one whole word.

        Only the letters near the cut are read differently (2 * order - 1 look-ups): the left
        piece's end, and the first ``order - 1`` letters of the right piece (and its end, if it is
        that short), read after a word start instead of after the left piece."""
        k = self.order - 1
        get = self._cache.get
        # whole[p : p + 2k + 1] of the padded run: the left piece's last k symbols, then up to
        # k + 1 symbols of the right piece (its end marker included when it is that short).
        w = (BOW * k + key + EOW)[p : p + 2 * k + 1]
        right = BOW * k + w[k:]
        g = w[:k] + EOW  # the left piece ends here
        v = get(g)
        gain = self.logp(g) if v is None else v
        for i in range(min(k, len(w) - k)):
            g = right[i : i + k + 1]
            v = get(g)
            gain += self.logp(g) if v is None else v
            g = w[i : i + k + 1]
            v = get(g)
            gain -= self.logp(g) if v is None else v
        return gain


@functools.cache
def load_charlm(lang: str) -> CharLM | None:
    """The shipped model for ``lang`` (``data/charlm_<lang>.json.gz``), or None if there is none."""
    try:
        raw = (
            resources.files("feedsmith.split").joinpath(f"data/charlm_{lang}.json.gz").read_bytes()
        )
    except (FileNotFoundError, OSError):
        return None
    return CharLM.from_json(json.loads(gzip.decompress(raw)))
