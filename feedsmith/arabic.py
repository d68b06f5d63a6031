"""Lookup normalisation of Arabic (and Latin) text, shared by the stages that match text.

Takes any text and returns a folded form for matching and lookup keys only: never show it to a
reader (it merges على with علي, and ة -> ه erases the strongest cue for a missing space).
Used by ``topics`` (keyword matching) and ``store`` (GUIDs of headlines without a link). It imports
nothing of feedsmith's.

Changing what :func:`normalize_for_match` folds changes the GUIDs of link-less headlines (they are
a hash of the normalised title), so such headlines would show up once more as new items.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_for_match", "strip_marks"]


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for char in "أإآٱ":  # hamza/madda/wasla forms of alef
        table[ord(char)] = "ا"
    table[ord("ى")] = "ي"  # alef maksura
    table[ord("ة")] = "ه"  # ta marbuta
    table[ord("ی")] = "ي"  # Persian yeh (NFKC keeps it)
    table[ord("ک")] = "ك"  # Persian keheh (NFKC keeps it)
    # Harakat, tanween, shadda, sukun, hamza above/below (U+064B-065F), dagger alef, tatweel.
    for code in range(0x064B, 0x0660):
        table[code] = None
    table[0x0670] = None
    table[0x0640] = None
    for offset in range(10):  # NFKC leaves Arabic-Indic and extended (Persian) digits alone
        table[0x0660 + offset] = str(offset)
        table[0x06F0 + offset] = str(offset)
    # Invisible direction and joining marks that scraped text carries inside words.
    for code in (0x200E, 0x200F, 0x061C, 0x200C, 0x200D, 0xFEFF, *range(0x202A, 0x202F)):
        table[code] = None
    for code in range(0x2066, 0x206A):
        table[code] = None
    table[0x200B] = " "  # zero-width space separates words: keep it a separator
    return table


# Constant translation tables built once; they are never changed after import.
_TABLE = _build_table()
# Only what a reader cannot see as a letter: diacritics, tatweel, bidi and joining marks.
_MARKS = {code: None for code, value in _TABLE.items() if value is None}
_SPACES = re.compile(r"\s+")


def normalize_for_match(text: str) -> str:
    """Fold ``text`` for matching: the same word written differently gives the same string.

    NFKC first (presentation forms such as ﻻ become لا, and hamza marks written as combining
    characters compose onto their letters), then alef forms -> ا, ى -> ي, ة -> ه, Persian
    ی -> ي and ک -> ك, diacritics (U+064B-065F, U+0670) and tatweel removed, Arabic-Indic and
    Persian digits -> ASCII, bidi and joining marks removed, Latin casefolded, and runs of
    whitespace collapsed to one space (ends stripped).

    >>> normalize_for_match("إِلى الـمَدرَسَةِ ٢٠٢٤")
    'الي المدرسه 2024'
    >>> normalize_for_match("  Oil\u200f PRICES ")
    'oil prices'
    """
    folded = unicodedata.normalize("NFKC", text).translate(_TABLE).casefold()
    return _SPACES.sub(" ", folded).strip()


def strip_marks(text: str) -> str:
    """Remove only diacritics, tatweel and invisible bidi/joining marks; letters, digits, case
    and spacing stay as written (a lighter fold than :func:`normalize_for_match`).

    >>> strip_marks("إِيرانُ\u200f الـ30")
    'إيران ال30'
    """
    return text.translate(_MARKS)
