"""Invisible joins: glued tokens that only a word lexicon can split (السجونحقول, شهراستقالة).

``lexicon_joins(line, folded, spans, cues, whole, pieces, tables)`` takes a line, its folded copy
(``normalise.line_key``), token spans, the visible cues already found, two ``Vocabulary`` views and
``Tables``, and returns more cues ``{position: (score, "lexicon")}``.  Each Arabic letter run
(between visible cues) that is not a known word is tried as *two* known words; every admissible
split is described by a few features (``FEATURES``) and scored by a linear model (``WEIGHTS``).
The best split of each run becomes a candidate boundary with that log-odds.

The weights are set by hand and swept on held-out outlets.  A logistic regression fitted on glued
pairs of training headlines (tried, leave-outlets-out) scored lower: held-out glued F1 0.962
against 0.967 for these weights, so the simpler model stays.
"""

from __future__ import annotations

import bisect
import itertools
import re

from feedsmith.split.cues import Cues
from feedsmith.split.normalise import lookup_key, slice_key
from feedsmith.split.tables import STRIP, Tables
from feedsmith.split.vocab import BARE_PREFIXES, BARE_SUFFIXES, Vocabulary

__all__ = ["FEATURES", "WEIGHTS", "JoinWeights", "join_candidates", "lexicon_joins"]

# An Arabic letter run with its marks, tatweel and invisible format characters.
_AR_RUN = re.compile(
    "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff]"
    "[\u0621-\u065f\u0670-\u06d3\u06d6-\u06ed\u06fa-\u06ff\u200c-\u200f\u061c]*"
)
# Longer runs are not two glued words (and would make the search quadratic).
_MAX_RUN = 40
# Letters that do not connect to the next one: a missing space after them is invisible on screen,
# so editors leave such joins unnoticed (NOTES) and they are more often true joins.
_NON_CONNECTING = frozenset("اأإآدذرزوؤءة")

FEATURES = (
    "bias",
    "zipf_left",
    "zipf_right",
    "min_zipf",
    "end_logodds",
    "start_logodds",
    "right_hamza_alef",  # أ إ آ start far more words than they continue
    "right_article",  # ال
    "left_non_connecting",
    "left_short",  # three letters or fewer
    "right_short",
    "left_clitic",  # known only as clitic + stem
    "right_clitic",
    "left_unknown_name",  # unknown left piece (4+ letters) before a common word
    "name_article",  # ... which starts with ال (the article only starts a word)
    "right_unknown_article",  # a known word then ال + an unknown stem
    "both_short",  # two short pieces: mostly one unknown word (تعا|يد), not a join
)

# Log-odds = w · features.  The unigram odds of two known words against one unknown string (1.5
# per Zipf point), the start/end statistics, and corrections for what the frequencies miss: a piece
# starting with أ or ال is a word start; short pieces, and above all two short pieces (تعا|يد), are
# mostly an unknown word cut in two; an unknown left piece is only trusted before an ال- word.
# Swept on held-out outlets (bias -7.25..-5.75, short -2..0, both short -5..0, clitic -1.5..0):
# held-out glued F1 0.967 -> 0.975 with the short-piece terms; the clitic terms mostly pick the
# right split inside a run rather than change how many runs split.
WEIGHTS = (
    -5.75,  # bias
    1.5,  # zipf_left
    1.5,  # zipf_right
    0.0,  # min_zipf
    0.5,  # end_logodds
    0.5,  # start_logodds
    1.0,  # right_hamza_alef
    0.5,  # right_article
    0.5,  # left_non_connecting
    -1.0,  # left_short
    -1.0,  # right_short
    -1.0,  # left_clitic (للذهبت|نامي loses to للذهب|تنامي)
    -1.0,  # right_clitic (الجو|فمراقبة loses to الجوف|مراقبة)
    -3.0,  # left_unknown_name
    3.0,  # name_article
    0.0,  # right_unknown_article
    -3.0,  # both_short
)


class JoinWeights:
    """Candidate-generation constants (which splits are admissible at all)."""

    SHORT_ZIPF = 4.5  # two-letter right pieces must be this common (من في ما هل دي)
    NAME_ZIPF = 1.5  # zipf credited to an unknown left piece before a known ال- word
    NAME_RIGHT = 3.5  # ... which must be at least this common
    AAL_ZIPF = 4.0  # آل "family of": the article's key, so it needs its own zipf


def _key_with_owners(run: str, offset: int) -> tuple[str, list[int]]:
    """Lookup key of ``run`` and, for each key character, its position in the line."""
    chars: list[str] = []
    owners: list[int] = []
    for i, ch in enumerate(run):
        k = lookup_key(ch)
        for c in k:
            chars.append(c)
            owners.append(offset + i)
    return "".join(chars), owners


def _left_ok(key: str, z: float | None) -> bool:
    # A headline rarely ends in a two-letter word; one-letter pieces are clitics.
    if z is None or key in BARE_PREFIXES:
        return False
    return len(key) >= 3 or z >= JoinWeights.SHORT_ZIPF


def _right_ok(key: str, z: float | None, first: str) -> bool:
    if first == "آ" and key == "ال":
        return True  # آل (family of), not the article: a frequent headline start in the Gulf press
    if z is None or key in BARE_SUFFIXES or key in BARE_PREFIXES:
        return False
    return len(key) >= 3 or z >= JoinWeights.SHORT_ZIPF


def lexicon_joins(
    line: str,
    folded: str | None,
    spans: list[tuple[int, int]],
    cues: Cues,
    whole: Vocabulary,
    pieces: Vocabulary,
    tables: Tables,
) -> Cues:
    """Score the best two-word split of each unknown Arabic run in ``line`` (see module doc).

    ``whole`` decides whether a run is already a known word (lexicon and outside context);
    ``pieces`` judges the two halves and may also know the strip's own standalone words.
    """
    found: Cues = {}
    for pos, feats in join_candidates(line, folded, spans, cues, whole, pieces, tables):
        score = sum(w * f for w, f in zip(WEIGHTS, feats, strict=True))
        if pos not in found or found[pos][0] < score:
            found[pos] = (score, "lexicon")
    return found


def join_candidates(
    line: str,
    folded: str | None,
    spans: list[tuple[int, int]],
    cues: Cues,
    whole: Vocabulary,
    pieces: Vocabulary,
    tables: Tables,
    best_only: bool = True,
) -> list[tuple[int, list[float]]]:
    """Admissible splits of unknown Arabic runs: (position, feature vector) pairs.

    With ``best_only`` only the best-scoring split of each run is returned.
    """
    w = WEIGHTS
    out: list[tuple[int, list[float]]] = []
    starts = [a for a, _ in spans]
    cue_positions = sorted(cues)
    for m in _AR_RUN.finditer(line):
        if m.end() - m.start() < 5:
            continue
        start = m.start()
        # Cut the run at visible cues: each piece is judged on its own.
        cuts = [start]
        i = bisect.bisect_right(cue_positions, start)
        while i < len(cue_positions) and cue_positions[i] < m.end():
            cuts.append(cue_positions[i])
            i += 1
        cuts.append(m.end())
        for a, b in itertools.pairwise(cuts):
            if b - a < 5 or b - a > _MAX_RUN:
                continue
            key = lookup_key(line[a:b]) if folded is None else slice_key(folded, a, b)
            if len(key) < 5 or whole.zipf(key) is not None:
                continue  # a known word (فماهي) is never split by the lexicon
            span = spans[bisect.bisect_right(starts, a) - 1]
            found = _run_candidates(line, folded, a, b, span, pieces, tables)
            if best_only and found:
                found = [max(found, key=lambda c: sum(x * y for x, y in zip(w, c[1], strict=True)))]
            out.extend(found)
    return out


def _run_candidates(
    line: str,
    folded: str | None,
    a: int,
    b: int,
    span: tuple[int, int],
    vocab: Vocabulary,
    tables: Tables,
) -> list[tuple[int, list[float]]]:
    if folded is None:
        key, owners = _key_with_owners(line[a:b], a)
    else:
        owners = [i for i in range(a, b) if folded[i] != "\x00"]
        key = "".join(folded[i] for i in owners).casefold()
        if len(key) != len(owners):
            key, owners = _key_with_owners(line[a:b], a)
    out: list[tuple[int, list[float]]] = []
    for p in range(2, len(key) - 1):
        left, right = key[:p], key[p:]
        pos = owners[p]
        first = line[pos]
        zr = vocab.zipf(right)
        article = False
        if zr is None and right.startswith("ال") and len(right) >= 5 and len(left) >= 3:
            # A known word then ال + an unknown stem: the article only starts a word, so an
            # unknown name that starts the next headline (النصر|الشقردية).
            zr = JoinWeights.NAME_ZIPF
            article = True
        if first == "آ" and right == "ال":
            zr = JoinWeights.AAL_ZIPF
        if zr is None or not _right_ok(right, zr, first):
            continue
        zl = vocab.zipf(left)
        name = False
        if zl is None and len(left) >= 4 and zr >= JoinWeights.NAME_RIGHT:
            # An unknown word then a common one: names the lexicon lacks end headlines often
            # (جوسيمار|الأهلي, جوسيمار|مانشستر); the weights say how much to trust it.
            zl = JoinWeights.NAME_ZIPF
            name = True
        if zl is None or not _left_ok(left, zl) or (article and name):
            continue
        out.append(
            (
                pos,
                [
                    1.0,
                    zl,
                    zr,
                    min(zl, zr),
                    tables.end_key(left.strip(STRIP), line[pos - 1]),
                    tables.start_key(right, first),
                    float(first in "أإآ"),
                    float(right.startswith("ال")),
                    float(line[pos - 1] in _NON_CONNECTING),
                    float(len(left) <= 3),
                    float(len(right) <= 3),
                    float(not name and vocab.whole(left) is None),
                    float(vocab.whole(right) is None),
                    float(name),
                    float(name and right.startswith("ال")),
                    float(article),
                    float(len(left) <= 3 and len(right) <= 3),
                ],
            )
        )
    return out
