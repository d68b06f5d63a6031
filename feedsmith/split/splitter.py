"""The splitter pipeline for one call: lines -> cues -> candidate gaps -> decoded headlines.

``split_text(text, lang, context, lexicon, tables, settings)`` takes the raw strip, an optional
language code, optional page context, a ``Lexicon``, ``Tables`` and ``Settings`` and returns the
headlines.  ``split_headlines`` (the public API in ``__init__``) fills in the shipped lexicon and
tables; the benchmark passes tables learned on other outlets instead.

Each line is a separate strip (a newline is a hard boundary).  A line is *glued* when its visible
and lexicon cues account for a good share of the headlines its length implies; then only cues
inside tokens are candidates.  Otherwise it is *space-joined*: every space is a candidate, scored
by the learned start/end statistics of the words around it.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from feedsmith.split.cues import (
    SCORES,
    SEPARATORS,
    cues_between,
    has_separator,
    token_bounds,
    triggers,
)
from feedsmith.split.decode import Gap, decode
from feedsmith.split.joins import lexicon_joins
from feedsmith.split.lexicon import Lexicon
from feedsmith.split.normalise import line_key, lookup_key, slice_key
from feedsmith.split.tables import STRIP, Tables
from feedsmith.split.vocab import Vocabulary

__all__ = ["Settings", "guess_lang", "split_text", "word_keys"]

_WORD = re.compile(r"[^\W\d_][^\W_'’]*(?:['’][^\W\d_]+)*")
_ARABIC = re.compile("[\u0621-\u064a\u0671-\u06d3]")
_LATIN = re.compile("[A-Za-z]")


SEPARATOR_SCORE = SCORES["separator"]
# A separator mark that opens a token (after a space): " • ".
_SPACED_SEPARATOR = re.compile(f"[{re.escape(SEPARATORS)}](?<=\\s[{re.escape(SEPARATORS)}])")


@dataclass(frozen=True, slots=True)
class Settings:
    """Tuned constants (each swept on held-out outlets with benchmarks/split_eval.py)."""

    # Weight of the log length prior per headline; 1.0 swept 0.25–2.0.  Re-swept with the percent,
    # bracket, brace, Arabic-quote and prefix-tatweel cues in place: 0.8 / 1.0 / 1.1 / 1.2 / 1.3 /
    # 1.4 / 1.5 / 1.75 gave held-out glued error-free strips 83.0% / 84.0% / 84.3% / 85.0% / 84.7%
    # / 84.3% / 85.0% / 85.0% (boundaries missed + invented 73 / 69 / 68 / 66 / 67 / 68 / 67 / 67),
    # space-joined F1 0.662 / 0.665 / 0.667 / 0.669 / 0.668 / 0.666 / 0.664 / 0.661, en glued F1
    # 0.988 throughout (en space-joined 0.645 -> 0.642 at 1.2).  1.2 drops three invented short
    # pieces (مورا|ليز, بغازين|تاب, "الفيصل ..|شاهد) and adds no error.
    length_weight: float = 1.2
    # Space-joined lines: bias and weights of the start/end log-odds at a space (bias swept
    # 0 to -1.5: -1.0 gives the best held-out F1, 0.651 against 0.639 at 0).  A bonus for an
    # end word the lexicon lacks (names end headlines) was tried: 0.5-1.5 lowered F1 slightly.
    space_bias: float = -1.0
    start_weight: float = 1.0
    end_weight: float = 1.0
    # A line is glued when strong in-token cues >= glue_ratio * (tokens / typical_length).
    glue_ratio: float = 0.25
    typical_length: float = 9.0
    strong_cue: float = 3.0
    # Added to every lexicon-join log-odds (swept on held-out outlets).
    join_offset: float = 0.0
    # In space-joined lines a lexicon split is usually an unknown name: discount it.
    spaced_lexicon_discount: float = 4.0
    # Cues below weak_cue get the start/end log-odds of the pieces around them, times this weight.
    weak_cue: float = 4.0
    weak_table_weight: float = 0.5
    # Strong visible cues (ة, quotes, ?) get the same start/end log-odds times this weight, so that
    # a source's own missing space inside a headline (الشرطة|في هجوم) meets the evidence that في
    # rarely starts one.  Swept 0 / 0.25 / 0.5 / 1 / 1.5 / 2 / 3: held-out glued F1 0.977 / 0.977 /
    # 0.977 / 0.978 / 0.978 / 0.978 / 0.976, error-free strips best at 1–2.
    strong_table_weight: float = 1.5
    # Candidates scoring below this never win against the length prior; dropping them keeps the
    # decoder fast on long space-joined lines.
    prune_below: float = -6.0


def guess_lang(text: str) -> str:
    """'ar' or 'en' from the letters in (the start of) ``text``; 'und' when neither dominates."""
    sample = text[:20000]
    ar = len(_ARABIC.findall(sample))
    la = len(_LATIN.findall(sample))
    if ar == 0 and la == 0:
        return "und"
    return "ar" if ar >= la else "en"


def word_keys(text: str) -> Counter[str]:
    """Lookup keys of the words in ``text`` (folding the whole text once is much faster)."""
    return Counter(_WORD.findall(lookup_key(text)))


def split_text(
    text: str,
    lang: str | None,
    context: str | None,
    lexicon: Lexicon | None,
    tables: Tables,
    settings: Settings,
) -> list[str]:
    """Split ``text`` into headlines (see the module docstring)."""
    if not text or text.isspace():
        return []
    lines = [line for line in text.splitlines() if line and not line.isspace()]
    # Fold each line once: the folded copy gives the strip's word keys here and every lookup key
    # sliced out of the line later.
    folded = [line_key(line) for line in lines]
    # The strip's own words are needed for the lexicon's piece view and to discount the page
    # context; a generic language with no context needs neither.
    strip_words: list[str] = []
    if lexicon is not None or context:
        for line, fold in zip(lines, folded, strict=True):
            key = lookup_key(line) if fold is None else fold.replace("\x00", "").casefold()
            strip_words += _WORD.findall(key)
    # Page words are evidence only where they occur outside the strip itself: a caller may pass
    # the whole page, strip included, and a glued token must not vouch for itself.
    external: frozenset[str] = frozenset()
    if context:
        extra = word_keys(context)
        extra.subtract(Counter(strip_words))
        external = frozenset(k for k, n in extra.items() if n > 0)
    whole_vocab = piece_vocab = None
    if lexicon is not None:
        whole_vocab = Vocabulary(lexicon, external)
        own = frozenset(strip_words)
        piece_vocab = Vocabulary(lexicon, external | own if external else own)
    out: list[str] = []
    for line, fold in zip(lines, folded, strict=True):
        out.extend(_split_line(line, fold, lang, whole_vocab, piece_vocab, tables, settings))
    return out


def _split_line(
    line: str,
    folded: str | None,
    lang: str | None,
    whole_vocab: Vocabulary | None,
    piece_vocab: Vocabulary | None,
    tables: Tables,
    s: Settings,
) -> list[str]:
    starts, ends = token_bounds(line)

    def key(a: int, b: int) -> str:
        if folded is None:
            return lookup_key(line[a:b].strip(STRIP))
        return slice_key(folded, a, b).strip(STRIP)

    found = triggers(line)
    cues = cues_between(line, whole_vocab, starts, ends, found)
    if whole_vocab is not None and piece_vocab is not None and lang == "ar":
        joins = lexicon_joins(line, folded, cues, whole_vocab, piece_vocab, tables)
        for pos, cue in joins.items():
            cues.setdefault(pos, cue)
    strong = sum(1 for score, _ in cues.values() if score >= s.strong_cue)
    n_tokens = len(starts)
    glued = strong >= 1 and strong >= s.glue_ratio * n_tokens / s.typical_length

    gaps: list[Gap] = []
    tok = 0
    weak_cue, prune_below = s.weak_cue, s.prune_below
    strong_table_weight = s.strong_table_weight
    join_offset = s.join_offset if glued else s.join_offset - s.spaced_lexicon_discount
    for pos in sorted(cues):
        tok = bisect.bisect_right(ends, pos, tok)  # the first token from ``tok`` ending after pos
        score, kind = cues[pos]
        if score < weak_cue or (kind != "lexicon" and strong_table_weight):
            # Weak cues (script or digit changes, dots) lean on the start/end statistics.
            a, b = starts[tok], ends[tok]
            a, b = max(a, pos - 40), min(b, pos + 40)  # word-sized pieces; linear on huge tokens
            weight = s.weak_table_weight if score < weak_cue else strong_table_weight
            score += weight * (
                tables.end_key(key(a, pos), line[pos - 1])
                + tables.start_key(key(pos, b), line[pos])
            )
        if kind == "lexicon":
            score += join_offset
        if score >= prune_below:
            gaps.append(Gap(pos, score, tok, tok))
    if glued:
        # Spaces are no boundaries in a glued line, except before a separator mark (" • ").
        n_cue_gaps = len(gaps)
        for m in _SPACED_SEPARATOR.finditer(line) if has_separator(found) else ():
            t = bisect.bisect_left(starts, m.start())
            if t:
                gaps.append(Gap(starts[t], SEPARATOR_SCORE, t - 1, t))
        if len(gaps) > n_cue_gaps:  # the cue gaps came in position order
            gaps.sort(key=lambda g: g.pos)
    else:
        keys = [key(a, b) for a, b in zip(starts, ends, strict=True)]
        # The bias offsets the double counting of summed start and end log-odds; with no word
        # statistics there is nothing to offset.
        bias = s.space_bias if tables.has_words else 0.0
        for t in range(1, n_tokens):
            b0 = ends[t - 1]
            a1 = starts[t]
            score = (
                bias
                + s.end_weight * tables.end_key(keys[t - 1], line[b0 - 1])
                + s.start_weight
                * tables.start_key(keys[t], line[a1], keys[t + 1] if t + 1 < len(keys) else "")
                + _space_rules(line, b0, a1)
            )
            if score >= s.prune_below:
                gaps.append(Gap(a1, score, t - 1, t))
        gaps.sort(key=lambda g: g.pos)
    cuts = decode(gaps, n_tokens, tables, s.length_weight)
    pieces = [line[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
    return [p for p in pieces if p]


def _space_rules(line: str, end_a: int, start_b: int) -> float:
    """Hand rules at a space between the token ending at ``end_a`` and the one at ``start_b``."""
    last, first = line[end_a - 1], line[start_b]
    score = 0.0
    if last in ":،,؛;-–" or first in ":،,؛;)]}":
        score -= 6.0  # "Title: subtitle" and lists never end at the colon or comma
    if (last in ".…" and line[end_a - 2 : end_a] in ("..", "…")) or last == "…":
        score -= 2.0  # Arabic headlines use ".." inside a title (spec)
    if first.isascii() and first.isalpha() and first.islower():
        score -= 6.0  # Latin-script headlines start with a capital or a digit
    if first in SEPARATORS:
        score += SEPARATOR_SCORE  # a bullet or bar between headlines
    return score
