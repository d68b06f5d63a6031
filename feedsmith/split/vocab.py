"""What counts as a known word: the lexicon, the page's own words, and Arabic clitics.

``Vocabulary`` takes a ``Lexicon`` plus word keys seen elsewhere on the page and answers
``zipf(key) -> float | None`` (None: unknown).  Arabic attaches prefixes (و ف ب ك ل ال …) and
suffixes (ه ها هم ات …) without a space; a word the lexicon only knows bare still counts as known
with the clitic attached, at a small cost.

>>> from feedsmith.split.lexicon import Lexicon
>>> v = Vocabulary(Lexicon("ar", {"مدرسة": 4.0}), frozenset())
>>> v.zipf("والمدرسة")
3.0
>>> v.zipf("مدرستهم") is None
True

Clitic analyses depend only on the lexicon and are cached for the process (bounded); page words
are applied per call on top, so no call sees another call's context.  ``tails`` answers ``zipf``
for every tail of a glued run at once, sharing lookups between tails.
"""

from __future__ import annotations

from feedsmith.split.lexicon import Lexicon

__all__ = ["BARE_PREFIXES", "BARE_SUFFIXES", "CONTEXT_ZIPF", "Vocabulary", "clear_cache"]

# Keys (ة already folded to ه, أ to ا).  Longest first so that وال is tried before و.
_PREFIXES = (
    "وبال",
    "وكال",
    "فبال",
    "ولل",
    "فال",
    "وال",
    "بال",
    "كال",
    "لل",
    "ال",
    "و",
    "ف",
    "ب",
    "ل",
)
_SUFFIXES = ("هما", "كما", "هم", "هن", "كم", "ها", "نا", "ات", "ان", "ين", "ون", "ه")

_PREFIX_BY_FIRST = {c: tuple(p for p in _PREFIXES if p[0] == c) for c in {p[0] for p in _PREFIXES}}
_SUFFIX_BY_LAST = {c: tuple(s for s in _SUFFIXES if s[-1] == c) for c in {s[-1] for s in _SUFFIXES}}

# Pieces that may never stand alone on either side of a glued-token split: a bare prefix on the
# left or a bare suffix on the right is an attached clitic, not a word (NOTES: this rule cuts false
# splits of unknown words from ~50% to ~10% while keeping 99.6% of true joins).
BARE_PREFIXES = frozenset(
    (*_PREFIXES, "وب", "ول", "فل", "فب", "وك", "وس", "فس", "لي", "بي", "كي", "س", "ك", "ا")
)
BARE_SUFFIXES = frozenset((*_SUFFIXES, "ي", "ك", "وا", "تم", "تن", "ته", "تها", "تهم", "يه", "يا"))

# Zipf given to a word the lexicon lacks but the page uses elsewhere: about a word seen a few
# times per million (recent names: the lexicon is frozen in 2021).
CONTEXT_ZIPF = 3.0

# Cost of explaining a word as clitic + known stem (log10 units): clitic forms are rarer than the
# bare word; 1.0 (swept 0.5–1.5) keeps them well above unknown strings.
_CLITIC_COST = 1.0
# Ceiling on the Zipf of a form known only as clitic + stem.  The lexicon lists forms down to Zipf
# ~1, so a clitic form missing from it is rare however common its stem (وال+هل from هل, 5.9, must
# not outweigh a real split).  Swept on held-out outlets: none / 4 / 3 / 2.5 / 2 gave glued F1
# 0.977 / 0.977 / 0.978 / 0.978 / 0.978; 3 is the loosest value that gets the gain.
_CLITIC_CAP = 3.0


# Derived (clitic) lookups depend only on the lexicon, so they are shared by every call in the
# process: key -> Zipf from lexicon stems (``_NO_Z`` for none), and key -> the stems absent from
# the lexicon with their clitic count, encoded as a string of (start, end, count) characters (a
# string, not tuples: the cache holds no objects the garbage collector must track and walk).
# Page context is applied on top per call.  Bounded: cleared when it grows past _CACHE_MAX.
_NO_Z = float("-inf")
_DERIVED: dict[int, tuple[Lexicon, dict[str, float], dict[str, str]]] = {}
_CACHE_MAX = 1 << 18


def clear_cache() -> None:
    """Forget the derived look-ups of every lexicon (benchmarks time a cold process with it)."""
    for _, derived, missing in _DERIVED.values():
        derived.clear()
        missing.clear()


def _derived_cache(lexicon: Lexicon) -> tuple[dict[str, float], dict[str, str]]:
    entry = _DERIVED.get(id(lexicon))
    if entry is None or entry[0] is not lexicon:
        entry = _DERIVED[id(lexicon)] = (lexicon, {}, {})
    return entry[1], entry[2]


class Vocabulary:
    """A lexicon plus page words.  Lookups from the lexicon alone are cached for the process."""

    __slots__ = ("_arabic", "_cache", "_missing", "_words", "context", "lexicon")

    def __init__(self, lexicon: Lexicon, context: frozenset[str]) -> None:
        self.lexicon = lexicon
        self.context = context
        self._words = lexicon.zipf  # bound once: this is the hot path of the splitter
        self._arabic = lexicon.lang == "ar"
        self._cache, self._missing = _derived_cache(lexicon)

    def whole(self, key: str) -> float | None:
        """Zipf of ``key`` as a whole word (lexicon or page context), no clitic stripping."""
        z = self._words.get(key)
        if z is None and key in self.context:
            return CONTEXT_ZIPF
        return z

    def zipf(self, key: str) -> float | None:
        """Zipf of ``key``, allowing one Arabic prefix and/or one suffix around a known stem."""
        z = self._words.get(key)
        if z is not None:
            return z
        return self.zipf_unlisted(key)

    def zipf_unlisted(self, key: str) -> float | None:
        """``zipf(key)`` for a key the caller has just found missing from the lexicon: a lookup in
        the large lexicon table costs more than the rest of this method (a cache miss)."""
        context = self.context
        if context and key in context:
            return CONTEXT_ZIPF
        if not self._arabic:
            return None
        z = self._cache.get(key)
        if z is None:
            z = self._with_clitics(key)
        if context:
            stems = self._missing.get(key)
            if stems:
                for k in range(0, len(stems), 3):
                    if key[ord(stems[k]) : len(key) - ord(stems[k + 1])] in context:
                        c = CONTEXT_ZIPF - _CLITIC_COST * ord(stems[k + 2])
                        if c > z:  # _NO_Z is below any
                            z = c
        if z == _NO_Z:
            return None
        if z > _CLITIC_CAP:
            z = _CLITIC_CAP
        return z

    def tails(self, key: str, lo: int, hi: int) -> list[float | None]:
        """``[self.zipf(key[p:]) for p in range(lo, hi)]``, computed together.

        The splitter asks for every tail of a glued run.  A tail's stem without its prefix is a
        later tail, and its stem without the run's suffix is shared with the other tails, so
        each lexicon lookup serves several tails (about half the lookups, no per-tail call).
        """
        return self.tails_whole(key, lo, hi)[0]

    def tails_whole(
        self, key: str, lo: int, hi: int
    ) -> tuple[list[float | None], list[float | None] | None]:
        """``tails(key, lo, hi)`` and, when it comes for free, ``[self.whole(key[p:]) ...]`` for
        the same ``p`` (None instead of the second list when it does not)."""
        n = len(key)
        if not self._arabic or hi <= lo:
            return [self.zipf(key[p:]) for p in range(lo, hi)], None
        get = self._words.get
        context = self.context

        def whole_from(b: int) -> list[float | None]:
            # Zipf of key[q:b] as a whole word for q in lo..b-2 (index q - lo).  The look-ups run
            # in one ``map`` (a C loop): the lexicon is large, each look-up mostly waits for memory,
            # and with no bytecode in between the processor overlaps those waits.
            pieces = [key[q:b] for q in range(lo, b - 1)]
            out = list(map(get, pieces))
            if context:
                for i, z in enumerate(out):
                    if z is None and pieces[i] in context:
                        out[i] = CONTEXT_ZIPF
            return out

        whole = whole_from(n)
        suffixes = [
            (len(x), whole_from(n - len(x)))
            for x in _SUFFIX_BY_LAST.get(key[-1:], ())
            if key.endswith(x)
        ]
        cost, cap = _CLITIC_COST, _CLITIC_CAP
        prefixes_of = _PREFIX_BY_FIRST.get
        result: list[float | None] = []
        # Tails of two letters or more (p < n - 1): known whole, else as clitics + a known stem.
        for i in range(min(hi, n - 1) - lo):
            z = whole[i]
            if z is not None:
                result.append(z)
                continue
            p = lo + i
            prefixes = prefixes_of(key[p])
            if prefixes:
                prefixes = [len(x) for x in prefixes if key.startswith(x, p)]
            if not prefixes and not suffixes:
                result.append(None)
                continue
            best: float | None = None
            for k in prefixes or ():
                if n - p - k >= 2:
                    z = whole[i + k]
                    if z is not None and (best is None or z - cost > best):
                        best = z - cost
            for j, stems in suffixes:
                if n - j - p >= 2:
                    z = stems[i]
                    if z is not None and (best is None or z - cost > best):
                        best = z - cost
                for k in prefixes or ():
                    if n - j - p - k >= 2:
                        z = stems[i + k]
                        if z is not None and (best is None or z - 2 * cost > best):
                            best = z - 2 * cost
            if best is not None and best > cap:
                best = cap
            result.append(best)
        # Shorter tails, if asked for.
        for p in range(max(lo, n - 1), hi):
            result.append(self.zipf(key[p:]))
        return result, (whole if hi <= n - 1 else None)

    def _with_clitics(self, key: str) -> float:
        """Best Zipf of ``key`` as clitic(s) + lexicon stem (``_NO_Z`` if none), cached with the
        stems the lexicon lacks (see ``_DERIVED``)."""
        cache = self._cache
        if len(cache) > _CACHE_MAX:
            cache.clear()
            self._missing.clear()
        # Hot path: candidate clitics come from per-letter tables, and most keys match none.
        pre = _PREFIX_BY_FIRST.get(key[:1], ())
        suf = _SUFFIX_BY_LAST.get(key[-1:], ())
        if pre:
            pre = [len(p) for p in pre if key.startswith(p)]
        if suf:
            suf = [len(s) for s in suf if key.endswith(s)]
        if not pre and not suf:
            cache[key] = _NO_Z
            return _NO_Z
        best = _NO_Z
        missing = ""
        get = self._words.get
        n = len(key)
        # Prefix alone, suffix alone, then both (plain loops: no tuple per analysis).
        for i in pre:
            if n - i >= 2:
                z = get(key[i:])
                if z is None:
                    missing += chr(i) + "\x00\x01"
                elif z - _CLITIC_COST > best:
                    best = z - _CLITIC_COST
        for j in suf:
            if n - j >= 2:
                z = get(key[: n - j])
                if z is None:
                    missing += "\x00" + chr(j) + "\x01"
                elif z - _CLITIC_COST > best:
                    best = z - _CLITIC_COST
        for i in pre:
            for j in suf:
                if n - j - i >= 2:
                    z = get(key[i : n - j])
                    if z is None:
                        missing += chr(i) + chr(j) + "\x02"
                    elif z - 2 * _CLITIC_COST > best:
                        best = z - 2 * _CLITIC_COST
        cache[key] = best
        if missing:
            self._missing[key] = missing
        return best
