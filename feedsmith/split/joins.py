"""Invisible joins: glued tokens that only a word lexicon can split (السجونحقول, شهراستقالة).

``lexicon_joins(line, folded, cues, whole, pieces, tables)`` takes a line, its folded copy
(``normalise.line_key``), the visible cues already found, two ``Vocabulary`` views and ``Tables``,
and returns more cues ``{position: (score, "lexicon")}``.  Each Arabic letter run (between
visible cues) that is not a known word is tried as *two* known words; every admissible split is
described by a few features (``FEATURES``) and scored by a linear model (``WEIGHTS``).
The best split of each run becomes a candidate boundary with that log-odds.

A character model of word forms (``charlm``, trained on wordfreq's Arabic word types) then judges
that best split: ``char_gain`` is log P(left) + log P(right) - log P(run) with each string read as
one whole word, so a run that reads like one foreign word (a name the lexicon lacks, which happens
to contain two short words) keeps together, and a run whose junction no word has (a complete word
then a new word start) splits.  The lexicon terms pick *where* a run splits; the character model
only weighs *whether* it does (see ``WEIGHTS``).

The weights are set by hand and swept on held-out outlets.  A logistic regression fitted on glued
pairs of training headlines (tried, leave-outlets-out) scored lower: held-out glued F1 0.962
against 0.967 for these weights, so the simpler model stays.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterator

from feedsmith.split.charlm import load_charlm
from feedsmith.split.cues import Cues
from feedsmith.split.normalise import lookup_key, slice_key
from feedsmith.split.tables import _SHAPES, STRIP, Tables, _shape
from feedsmith.split.vocab import BARE_PREFIXES, BARE_SUFFIXES, Vocabulary

__all__ = ["FEATURES", "WEIGHTS", "JoinWeights", "lexicon_joins"]

# An Arabic letter run with its marks, tatweel and invisible format characters.
_AR_RUN = re.compile(
    "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff]"
    "[\u0621-\u065f\u0670-\u06d3\u06d6-\u06ed\u06fa-\u06ff\u200c-\u200f\u061c]*"
)
# The same runs (five characters or more) in ``normalise.line_key``'s folded copy, where dropped
# marks are NUL; the run may end with NULs (marks after the last letter), as the original does.
_FOLDED_RUN = re.compile(
    "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff]"
    "[\u0621-\u065f\u0670-\u06d3\u06d6-\u06ed\u06fa-\u06ff\x00]{4,}"
)
# Longer runs are not two glued words (and would make the search quadratic).
_MAX_RUN = 40
# Letters that do not connect to the next one: a missing space after them is invisible on screen,
# so editors leave such joins unnoticed (NOTES) and they are more often true joins.
_NON_CONNECTING = frozenset("اأإآدذرزوؤءة")
# Pieces that never stand alone as the right half of a split.  The feminine dual endings تان / تين
# too: 72 dev words end with them (المفضلتان, فترتين), no headline starts with them, and as words
# (تين "figs") they are rare; المفضل|تان was split.  With the new cues in place (cues.py: percent,
# bracket, prefix-tatweel, Arabic quote) held-out error-free strips 83.7% -> 84.0%.
_BARE_CLITICS = BARE_SUFFIXES | BARE_PREFIXES | {"تان", "تين"}

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
    "name_inner_article",  # the unknown left piece has ال inside: a word starts there instead
    "right_fa",  # the right piece is ف "so, then" + a word: that conjunction never opens a headline
    "name_known_head",  # the unknown left piece starts with a known word (4+ letters, 2+ left over)
    "char_gain",  # character model: log P(left) + log P(right) - log P(run), as whole words
)

# Log-odds = w · features.  The unigram odds of two known words against one unknown string (1.5
# per Zipf point), the start/end statistics, and corrections for what the frequencies miss: a piece
# starting with أ or ال is a word start; short pieces, and above all two short pieces (تعا|يد), are
# mostly an unknown word cut in two; an unknown left piece is only trusted before an ال- word.
# Swept on held-out outlets (bias -7.25..-5.75, short -2..0, both short -5..0, clitic -1.5..0):
# held-out glued F1 0.967 -> 0.975 with the short-piece terms; the clitic terms mostly pick the
# right split inside a run rather than change how many runs split.  left_short re-swept -1 / -2 /
# -3 with the clitic cap and strong-cue statistics in place: error-free strips 68.3% / 69.0% /
# 69.3%, F1 flat at 0.979; -2 keeps recall.  Re-sweeps of bias (-5.5, -6), both clitic terms
# (-0.5, -1.5), right_article (0, 1), start/end weights (0.75, 1) and the Zipf weights (1.25,
# 1.75) moved held-out F1 by at most 0.001: this model is saturated, gains come from new evidence.
# With the quote veto and the inner-article term in place, the article and non-connecting bonuses
# no longer help (they pushed ال onto the right piece: العم|الحزب for العمال|حزب): both are 0,
# held-out glued F1 0.981 -> 0.982, error-free strips 72.7% -> 73.3%.
WEIGHTS = (
    -5.75,  # bias
    1.5,  # zipf_left
    1.5,  # zipf_right
    0.0,  # min_zipf
    0.5,  # end_logodds
    0.5,  # start_logodds
    1.0,  # right_hamza_alef
    0.0,  # right_article (0 / 0.25 / 0.5 / 1: error-free 73.3% / 73.3% / 72.7% / 68.0%)
    0.0,  # left_non_connecting (-0.5 / 0 / 0.5 / 1: 73.3% / 73.3% / 72.7% / 72.0%)
    -2.0,  # left_short
    -1.0,  # right_short
    -1.0,  # left_clitic (للذهبت|نامي loses to للذهب|تنامي)
    -1.0,  # right_clitic (الجو|فمراقبة loses to الجوف|مراقبة)
    -3.0,  # left_unknown_name
    3.0,  # name_article
    0.0,  # right_unknown_article
    -3.0,  # both_short
    # بالموسمالغز|الين loses to بالموسم|الغزالين.  Swept -1.5 / -3 / -6: held-out error-free
    # strips 72.0% -> 72.7% for all three; -3 sits in the middle.
    -3.0,  # name_inner_article
    # الجو|فموهوبات loses to الجوف|موهوبات.  Swept -1 / -2 / -3 / -5: held-out error-free strips
    # 80.3% -> 81.0% from -2 on, F1 0.988; the same term for و too (a word starts with و far more
    # often: وزير) gave 80.7%, for و alone 80.0%.
    -3.0,  # right_fa
    # تظهرأبوجل|اس loses (تظهر is a word: a name is more likely to start after it).  Swept -1 / -2 /
    # -4: held-out glued F1 0.988 -> 0.989, error-free strips 81.0% -> 81.3% for all three;
    # space-joined F1 0.665 / 0.664 / 0.664.
    -1.0,  # name_known_head
    # Character model of word forms (held-out glued F1 / error-free strips; 0 = without it:
    # 0.982 / 73.3%).  Letting it also pick the split position inside the run moved good splits
    # one letter (الأمل|قمة -> الأم|لقمة: a word start ل is common): 0.25 / 0.5 / 0.75 / 1.0 / 1.5
    # gave 0.984 / 0.984 / 0.985 / 0.984 / 0.982, 74.3% / 76.3% / 77.0% / 76.3% / 73.7%.  Judging
    # only the lexicon's best split: 0.5 / 0.75 / 1.0 / 1.25 gave 0.985 / 0.987 / 0.987 / 0.987,
    # 77.0% / 78.3% / 78.0% / 78.0%; with 0.75, bias -5.25 / -6.25 gave 77.7% / 78.3%, clipping
    # the gain at ±6 78.0%, a 0.1-0.25 share of it in picking the position 78.0-78.3%.  An order-5
    # model (1.7 MB) scored the same as order 4 (0.5 MB).  A run-level "unknown word cost"
    # (-log P(run), centred) instead of the gain: 0.983 / 72.3% at best.  An extra weight on
    # negative gains only (0.5 / 1 / 2 on top of 0.5-0.75): 0.987 / 0.986 / 0.983, 78.0% / 77.0% /
    # 74.0% (precision up to 0.992, recall down).  Also tried and dropped: admitting splits whose
    # *right* piece is unknown (a known word then a name: الإنجليزي|جينكيس) at a -2 / -3 / -4 / -5
    # penalty, judged by this model: 77.3% / 77.3% / 78.0% / 78.3%, never above without them.
    # Lexicon terms re-swept with this term in place: Zipf weights 1.25 / 1.75 0.986 / 0.984,
    # 77.3% / 74.7%; both_short -1.5 unchanged; left_short -1 0.986 / 77.3%; left_unknown_name
    # -2 / -4 / -5 / -6 0.986 / 0.987 / 0.987 / 0.987, 76.3% / 78.7% / 78.7% / 78.3% (one strip:
    # kept at -3).  Cost: one gain (7 look-ups) per run that has a split, ~5-10% of the glued time.
    0.75,  # char_gain
)


# A run inside a quotation that closes in the same token is never split by the lexicon: quoted
# names («واكاسو», "الأبهية") are one thing, and a headline does not end inside its own quote.
# Held-out glued F1 0.980 -> 0.981, error-free strips 70.0% -> 71.7%.
_OPENING = "«“‘„‹"
_CLOSING = "»”’›"
_QUOTE_TAIL = re.compile(r"[^\s«“‘„‹»”’›\"']*([»”’›\"'])")
_QUOTE_LOOKBACK = 60


def _quoted(line: str, a: int, b: int) -> bool:
    """Is ``line[a:b]`` inside a quotation that closes in the same token?

    The next quote mark after the run (before any space) must close, and the last quote mark
    before it (within ``_QUOTE_LOOKBACK`` characters) must open: a straight quote opens when it
    follows a space, the line start or a letter-free prefix (``بـ"``)."""
    m = _QUOTE_TAIL.match(line, b, b + _QUOTE_LOOKBACK)  # bounded: huge tokens stay linear
    if m is None:
        return False
    close = m.group(1)
    lo = max(0, a - _QUOTE_LOOKBACK)
    for i in range(a - 1, lo - 1, -1):
        ch = line[i]
        if ch in _CLOSING:
            return False
        if ch in _OPENING:
            return close in _CLOSING
        if ch in "\"'":
            return ch == close and (i == 0 or not line[i - 1].isalpha() or i + 1 == a)
    return False


_Candidate = tuple[int, float, int]  # (line position, log-odds, cut in the key)


class JoinWeights:
    """Candidate-generation constants (which splits are admissible at all)."""

    SHORT_ZIPF = 4.5  # two-letter right pieces must be this common (من في ما هل دي)
    NAME_ZIPF = 1.5  # zipf credited to an unknown left piece before a known ال- word
    NAME_RIGHT = 3.5  # ... which must be at least this common
    AAL_ZIPF = 4.0  # آل "family of": the article's key, so it needs its own zipf
    # Log-odds taken off the split of a run that is known only as clitics + a stem.  Such runs
    # were never split before (held-out glued F1 0.987, error-free strips 78.3%); a penalty of
    # 2 / 4 / 5 / 6 / 8, or 1 / 2 / 3 per Zipf point of the clitic reading, gave 77.7% / 78.7% /
    # 79.3% / 79.7% / 79.3%, 77.7-78.7%, F1 0.987 throughout.
    CLITIC_RUN = 6.0


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


def lexicon_joins(
    line: str,
    folded: str | None,
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
    for pos, score in _candidates(line, folded, cues, whole, pieces, tables):
        if pos not in found or found[pos][0] < score:
            found[pos] = (score, "lexicon")
    return found


def _candidates(
    line: str,
    folded: str | None,
    cues: Cues,
    whole: Vocabulary,
    pieces: Vocabulary,
    tables: Tables,
) -> list[tuple[int, float]]:
    """The best split of each unknown Arabic run: (line position, log-odds) pairs."""
    out: list[tuple[int, float]] = []
    lm = load_charlm("ar") if WEIGHTS[-1] else None
    cue_positions = sorted(cues)
    words = whole.lexicon.zipf
    # Scan the folded copy when there is one: most runs are known words, and the membership test
    # on the run as matched (no slicing, no key building) is what keeps this pass cheap.
    matches = _FOLDED_RUN.finditer(folded) if folded is not None else _AR_RUN.finditer(line)
    i = 0  # index into cue_positions
    for m in _unknown_runs(matches, words):
        run = m.group()
        start, end = m.span()
        # Cut the run at visible cues: each piece is judged on its own.
        cuts = [start]
        if cue_positions:
            # Runs come in order: move on from the last run's place (no search per run keeps
            # the scan linear on huge lines).
            while i < len(cue_positions) and cue_positions[i] <= start:
                i += 1
            while i < len(cue_positions) and cue_positions[i] < end:
                cuts.append(cue_positions[i])
                i += 1
        cuts.append(end)
        for a, b in itertools.pairwise(cuts):
            if b - a < 5 or b - a > _MAX_RUN:
                continue
            key = lookup_key(line[a:b]) if folded is None else slice_key(folded, a, b)
            # The whole run (no cue inside, no marks) was just found missing from the lexicon.
            if len(key) < 5 or (key != run and key in words):
                continue  # a known word (فماهي) is never split by the lexicon
            # A run known only as clitics + a stem (الريحاين read as ال+ريحا+ين) may still be two
            # words: it is split only against a fixed penalty.  (``key`` is not in the lexicon:
            # ``zipf_unlisted`` and the context test stand for ``zipf`` and ``whole``.)
            penalty = 0.0
            if whole.zipf_unlisted(key) is not None:
                if key in whole.context:
                    continue  # a page word
                penalty = JoinWeights.CLITIC_RUN
            if _quoted(line, a, b):
                continue  # a name in quotes («واكاسو», "الأبهية") is one thing, not two words
            key, best = _best_split(line, folded, a, b, pieces, tables)
            if best is None:
                continue
            pos, score, p = best
            # The character model only decides whether the best split is taken, not where.
            score -= penalty
            out.append((pos, score + WEIGHTS[-1] * lm.split_gain(key, p) if lm else score))
    return out


# Runs are looked up in batches: all the look-ups of a batch in one C loop (see
# ``Vocabulary.tails_whole``), while a huge line never holds all its match objects at once (a
# 10 MB line has over a million runs; holding them all made 10 MB take 12.9x the time of 1 MB,
# batches 11.9x).
_SCAN_BATCH = 4096


def _unknown_runs(
    matches: Iterator[re.Match[str]], words: dict[str, float]
) -> Iterator[re.Match[str]]:
    """The runs among ``matches`` that are not lexicon words, in order."""
    while batch := list(itertools.islice(matches, _SCAN_BATCH)):
        known = map(words.__contains__, map(re.Match.group, batch))
        yield from itertools.compress(batch, map(operator.not_, known))


def _best_split(
    line: str,
    folded: str | None,
    a: int,
    b: int,
    vocab: Vocabulary,
    tables: Tables,
) -> tuple[str, _Candidate | None]:
    """The run's lookup key and its best admissible split (the first of the highest-scoring
    ones), scored without the character model; None when no split is admissible."""
    owners: list[int] | None = None  # key index -> line position, when marks were dropped
    if folded is None:
        key, owners = _key_with_owners(line[a:b], a)
    else:
        key = folded[a:b]
        if "\x00" in key:
            owners = [i for i in range(a, b) if folded[i] != "\x00"]
            key = key.replace("\x00", "")
        key = key.casefold()
        if len(key) != (b - a if owners is None else len(owners)):
            key, owners = _key_with_owners(line[a:b], a)
    (
        w_bias,
        w_zl,
        w_zr,
        w_min,
        w_end,
        w_start,
        w_hamza,
        w_article,
        w_nonconn,
        w_lshort,
        w_rshort,
        w_lclitic,
        w_rclitic,
        w_name,
        w_name_article,
        w_unknown_article,
        w_both_short,
        w_inner_article,
        w_fa,
        w_known_head,
        _,  # char_gain: added to the best split only (_candidates)
    ) = WEIGHTS
    zipf_unlisted = vocab.zipf_unlisted
    words = vocab.lexicon.zipf
    get = words.get
    context = vocab.context
    short_zipf = JoinWeights.SHORT_ZIPF
    name_right = JoinWeights.NAME_RIGHT
    end_side, start_side = tables.end, tables.start
    end_word, end_affix, end_shape = (
        end_side.word.get,
        end_side.affix_logodds.get,
        end_side.shape.get,
    )
    start_word, start_affix, start_shape = (
        start_side.word.get,
        start_side.affix_logodds.get,
        start_side.shape.get,
    )
    shapes = _SHAPES  # _shape's memo, read directly (shape names are non-empty)
    found: _Candidate | None = None
    n = len(key)
    right_zipf, right_whole = vocab.tails_whole(key, 2, n - 1)
    best = -1e300
    for p in range(2, n - 1):
        zr = right_zipf[p - 2]
        article = False
        if zr is None:
            # Most tails are unknown: reject them before slicing anything.
            if p >= 3 and n - p >= 5 and key.startswith("ال", p):
                # A known word then ال + an unknown stem: the article only starts a word, so an
                # unknown name that starts the next headline (النصر|الشقردية).
                zr = JoinWeights.NAME_ZIPF
                article = True
                right = key[p:]
                pos = a + p if owners is None else owners[p]
                first = line[pos]
            elif p == n - 2 and key.endswith("ال"):
                pos = a + p if owners is None else owners[p]
                first = line[pos]
                if first != "آ":
                    continue
                right = "ال"
                zr = JoinWeights.AAL_ZIPF
            else:
                continue
        else:
            right = key[p:]
            pos = a + p if owners is None else owners[p]
            first = line[pos]
            if first == "آ" and right == "ال":
                zr = JoinWeights.AAL_ZIPF
        # آل (family of) is not the article; bare clitics never stand alone; a two-letter right
        # piece must be common.
        if not (first == "آ" and right == "ال") and (
            right in _BARE_CLITICS or (n - p < 3 and zr < short_zipf)
        ):
            continue
        left = key[:p]
        zl = left_known = get(left)
        if zl is None:
            zl = zipf_unlisted(left)  # ``vocab.zipf(left)`` without a second lexicon look-up
        name = False
        if zl is None:
            if p < 4 or zr < name_right or article:
                continue
            # An unknown word then a common one: names the lexicon lacks end headlines often
            # (جوسيمار|الأهلي, جوسيمار|مانشستر); the weights say how much to trust it.
            zl = JoinWeights.NAME_ZIPF
            name = True
        # A headline rarely ends in a two-letter word; bare prefixes are clitics, not words.
        if left in BARE_PREFIXES or (p < 3 and zl < short_zipf):
            continue
        # vocab.whole(...) is None, from the look-ups already made.
        left_clitic = not name and left_known is None and not (context and left in context)
        if right_whole is None:
            right_clitic = get(right) is None and not (context and right in context)
        else:
            right_clitic = right_whole[p - 2] is None
        before = line[pos - 1]
        # tables.end_key / start_key, inlined (the same look-ups, in the same order).
        stripped = left.strip(STRIP)
        lo = end_word(stripped)
        if lo is None:
            lo = end_affix(stripped[-2:], 0.0)
        end_lo = lo + end_shape(shapes.get(before) or _shape(before), 0.0)
        lo = start_word(right)
        if lo is None:
            lo = start_affix(right[:2], 0.0)
        start_lo = lo + start_shape(shapes.get(first) or _shape(first), 0.0)
        # w · features, added term by term in the order of FEATURES (a float sum depends on its
        # order).  A term whose feature is off, or whose weight is 0, would add 0.0, which changes
        # no sum: it is skipped, most terms are off for most splits.
        score = w_bias + w_zl * zl + w_zr * zr
        if w_min:
            score += w_min * (zl if zl < zr else zr)
        score += w_end * end_lo
        score += w_start * start_lo
        if first in "أإآ":
            score += w_hamza
        right_al = key.startswith("ال", p)
        if right_al:
            score += w_article
        if before in _NON_CONNECTING:
            score += w_nonconn
        left_short = p <= 3
        right_short = n - p <= 3
        if left_short:
            score += w_lshort
        if right_short:
            score += w_rshort
        if left_clitic:
            score += w_lclitic
        if right_clitic:
            score += w_rclitic
            if first == "ف":
                score += w_fa
        if name:
            score += w_name
            if left.find("ال", 3) >= 0:
                score += w_inner_article
            if right_al:
                score += w_name_article
            if w_known_head and any(get(left[:q]) is not None for q in range(4, p - 1)):
                score += w_known_head
        if article:
            score += w_unknown_article
        if left_short and right_short:
            score += w_both_short
        if score > best:
            best = score
            found = (pos, score, p)
    return key, found
