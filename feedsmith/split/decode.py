"""Global decoding: choose the set of boundaries that maximises the score of the whole line.

``decode(gaps, n_tokens, tables, length_weight)`` takes candidate boundaries (``Gap``: position in
the line, log-odds score, the tokens on either side) and returns the chosen positions.  It is a
semi-Markov dynamic program: a segmentation scores the sum of its boundaries' log-odds plus
``length_weight`` times the log length prior of each headline (in words).  Each boundary looks back
over the candidates within ``MAX_WORDS`` words, keeping only the best one per token, so time is
linear in the number of candidates; a line with no candidate in reach of a long stretch still
decodes, it just pays the length penalty.
"""

from __future__ import annotations

import functools
from collections import deque
from typing import Any, NamedTuple

from feedsmith.split.tables import MAX_WORDS, Tables

__all__ = ["Gap", "decode"]

# A headline that starts and ends inside one token is a fragment of a word (OnlyFans -> Only|Fans|),
# far rarer than any cue is wrong: this makes the second cut in a token pay for itself.
_FRAGMENT = -6.0


class Gap(NamedTuple):
    """A candidate boundary: a headline would start at ``pos``."""

    pos: int
    score: float
    tok_before: int  # index of the token holding the character before pos
    tok_after: int  # index of the token holding the character at pos


@functools.lru_cache(maxsize=64)
def _length_scores(length_logp: tuple[float, ...], weight: float) -> list[float]:
    """Weighted log length prior for 0..MAX_WORDS words (cached: the same for every line)."""
    return [weight * length_logp[n] for n in range(MAX_WORDS + 1)]


def decode(gaps: list[Gap], n_tokens: int, tables: Tables, length_weight: float) -> list[int]:
    """Positions of the best boundaries among ``gaps`` (sorted by position)."""
    if not gaps or n_tokens == 0:
        return []
    nodes = [Gap(0, 0.0, -1, 0), *gaps, Gap(-1, 0.0, n_tokens - 1, n_tokens)]
    length_score = _length_scores(tables.length_logp, length_weight)
    tail = length_weight * 0.7  # per-word penalty beyond MAX_WORDS (see Tables.length_score)
    back = [0] * len(nodes)
    end_node = len(nodes) - 1
    # Predecessors that start their headline in the same token are interchangeable for the length
    # term, so only the best of them is kept: ``window`` holds [tok_after, best score, node] per
    # token, oldest first.  Its length is bounded by MAX_WORDS + 1 whatever the candidate density,
    # which keeps the decoder linear even inside one huge token.
    window: deque[list[Any]] = deque([[0, 0.0, 0]])  # [tok_after: int, score: float, node: int]
    best_last = 0.0
    for k in range(1, len(nodes)):
        _, node_score, before, after = nodes[k]
        while len(window) > 1 and before - window[0][0] + 1 > MAX_WORDS:
            window.popleft()
        top = -1e18
        arg = 0
        for tok_after, score, i in window:
            n = before - tok_after + 1
            if n < 1:
                n = 1
            # score + fragment term + length term, summed in that order (a fragment term of 0.0
            # is left out: it changes no sum).
            if tok_after == before and i and k < end_node:
                score += _FRAGMENT
            s = score + (
                length_score[n]
                if n <= MAX_WORDS
                else length_score[MAX_WORDS] - tail * (n - MAX_WORDS)
            )
            if s > top:
                top = s
                arg = i
        best_last = top + node_score
        back[k] = arg
        last = window[-1]
        if last[0] == after:
            if best_last > last[1]:
                last[1], last[2] = best_last, k
        else:
            window.append([after, best_last, k])
    chosen: list[int] = []
    k = back[-1]
    while k > 0:
        chosen.append(nodes[k].pos)
        k = back[k]
    chosen.reverse()
    return chosen
