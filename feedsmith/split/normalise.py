"""Lookup keys and character classes for the headline splitter.

Takes raw strings (any Unicode, lone surrogates included) and returns *lookup keys*: strings used
only to look words up in the lexicon and the learned tables, never for display.  The splitter
detects cues on the original text and returns original characters; this module only decides what
two spellings of a word count as the same.

>>> lookup_key("إِجْرَاءَاتٌ")
'اجراءات'
>>> lookup_key("الـمدرسة")
'المدرسة'
>>> lookup_key("McDonald’s")
"mcdonald's"
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ARABIC_LETTERS",
    "is_arabic_letter",
    "is_format_char",
    "line_key",
    "lookup_key",
    "script_of",
    "slice_key",
]

TATWEEL = "\u0640"

# Characters dropped from lookup keys: Arabic harakat and Quranic marks (wordfreq strips them too),
# tatweel, and invisible format characters that scraped text carries (RLM, LRM, ALM, ZWNJ, ZWJ,
# bidi embeddings/isolates, BOM, soft hyphen).  wordfreq.tokenize does not drop RLM, so we must.
_DROPPED = (
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", TATWEEL]
    + [chr(c) for c in range(0x06D6, 0x06EE)]
    + ["\u00ad", "\u061c", "\u180e", "\ufeff"]
    + [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2060, 0x2070)]
)

# Spelling variants that search engines fold for Arabic lookup: hamza-carrying alefs to bare alef,
# alef maqsura to ya, Persian ya/kaf to Arabic.  Cues are always read from the original text.
# ة is *not* folded to ه although search engines do: the fold made glued pieces such as "لة" look
# like the frequent "له" (measured: more false splits on the glued dev strips).
_FOLDED = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ی": "ي",
    "ک": "ك",
    "ۀ": "ه",
    "’": "'",
    "‘": "'",
}

_KEY_TABLE = {ord(c): None for c in _DROPPED} | {ord(k): v for k, v in _FOLDED.items()}

# The same folding as a list of str.replace pairs, for building keys of a whole word list at once
# (one replace over a joined string is far faster than a translate per word).
LEXICON_FOLDS: tuple[tuple[str, str], ...] = tuple(_FOLDED.items())

ARABIC_LETTERS = frozenset(
    chr(c) for c in range(0x0621, 0x064B) if unicodedata.category(chr(c)) == "Lo"
) | frozenset("ٱپچژکگیۀ")


def is_arabic_letter(ch: str) -> bool:
    """True for Arabic-script letters (not marks, digits, tatweel or punctuation)."""
    return ch in ARABIC_LETTERS


def is_format_char(ch: str) -> bool:
    """True for characters that lookup keys drop (marks, tatweel, invisible format marks)."""
    return ord(ch) in _KEY_TABLE and _KEY_TABLE[ord(ch)] is None


_KEY_CHARS = frozenset(chr(c) for c in _KEY_TABLE)
# The same characters as a regex class: finding the few present is a C scan, where
# ``_KEY_CHARS.intersection(text)`` made a one-character string per Arabic character.
_KEY_CHAR = re.compile("[" + "".join(sorted(map(re.escape, _KEY_CHARS))) + "]")


def _fold(text: str, table: dict[int, str | None]) -> str:
    """``text.translate(table)``, faster on long strings: ``str.translate`` with a dict looks up
    every character, while the folded characters are rare; replace just the ones present (no
    replacement is itself a folded character, so the order of the replaces does not matter)."""
    if len(text) < 64:
        return text.translate(table)
    for ch in set(_KEY_CHAR.findall(text)):
        text = text.replace(ch, table[ord(ch)] or "")
    return text


def lookup_key(word: str) -> str:
    """Fold ``word`` to the key used for lexicon and table lookups.

    NFKC (presentation forms, fullwidth Latin), casefold, drop marks/tatweel/format characters, and
    fold Arabic spelling variants.  Lone surrogates pass through unchanged.
    """
    if not word.isascii():
        if not unicodedata.is_normalized("NFKC", word):
            word = unicodedata.normalize("NFKC", word)
        word = _fold(word, _KEY_TABLE)
    return word.casefold()


# Same folds, but dropped characters become NUL so that positions survive: one translate per
# line, then any slice's key is a cheap replace (see ``line_key``).
_POSITIONAL_TABLE = {k: ("\x00" if v is None else v) for k, v in _KEY_TABLE.items()}


def line_key(line: str) -> str | None:
    """A same-length folded copy of ``line`` for slicing keys out of, or None if NFKC would change
    it (then use ``lookup_key`` per piece).  ``slice_key(lk, a, b) == lookup_key(line[a:b])``.
    """
    if line.isascii():
        return line
    if not unicodedata.is_normalized("NFKC", line):
        return None
    return _fold(line, _POSITIONAL_TABLE)


def slice_key(folded: str, a: int, b: int) -> str:
    """Lookup key of ``line[a:b]`` given ``folded = line_key(line)``."""
    return folded[a:b].replace("\x00", "").casefold()


def script_of(ch: str) -> str:
    """Coarse script class of one character: 'ar', 'latin', 'digit', 'other'.

    Arabic-Indic digits count as digits (Python's ``str.isdigit`` accepts them).
    """
    if ch in ARABIC_LETTERS:
        return "ar"
    if ch.isdigit():
        return "digit"
    if ch.isalpha():
        o = ord(ch)
        if o < 0x0250 or 0x1E00 <= o < 0x1F00 or 0xFF21 <= o <= 0xFF5A:
            return "latin"
        return "other"
    return "other"
