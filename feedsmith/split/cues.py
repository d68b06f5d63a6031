"""Visible join cues inside whitespace-free runs of a line.

``find_cues(line, vocab)`` takes one line (no newlines) and returns ``{position: (score, kind)}``
for positions *inside* a token where a headline may start.  Scores are log-odds (natural log) that
the position is a headline boundary, before the decoder adds the length prior; positive means
"probably a boundary".  Cues are read on the original characters; words are looked up through
``Vocabulary`` keys only to veto splits of known words (iPhone, YouTube, JPMorgan) and clitics.

Scores were set by hand from how often each cue marks a real boundary on the dev strips
(benchmarks/split_eval.py --cues prints the counts) and then swept on held-out outlets; the order
matters more than the exact values: punctuation > word-final letters > case > script change.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator

from feedsmith.split.normalise import lookup_key
from feedsmith.split.vocab import BARE_PREFIXES, Vocabulary

__all__ = [
    "SEPARATORS",
    "Cues",
    "cues_between",
    "find_cues",
    "has_separator",
    "token_bounds",
    "triggers",
]

Cues = dict[int, tuple[float, str]]

_LETTER = r"[^\W\d_]"
_ALNUM = r"[^\W_]"
_OPEN_Q = "“«‘„‹"
_CLOSE_Q = "”»›"
_OPENERS = _OPEN_Q + "([{"
_AR = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff"
_HARAKAT = "\u064b-\u065f\u0670"

# ? ! (Arabic ؟) and any closing quotes after them, glued to a letter, digit or opening quote.
# 97% of such positions in the glued dev strips are headline starts (a headline ends with a
# question or exclamation far more often than one contains a glued one mid-way).  Every opener
# counts, { too: one outlet quotes with braces ({الشرق الأوسط}); a glued { follows a headline end
# in 4 of its 5 dev uses (the fifth after the prefix و).  With the other new cues in place the
# brace took held-out error-free strips 84.0% -> 84.3% (معنى؟{الشرق الأوسط}).
_TERMINAL = re.compile(rf"[؟?!]+[{_CLOSE_Q}’)\]]*(?={_ALNUM}|[{_OPEN_Q}\"'(\[{{])")
_CLOSE_THEN = re.compile(rf"[{_CLOSE_Q}]+(?={_ALNUM}|[{_OPEN_Q}])")
_CLOSE_BRACKET = re.compile(rf"[)\]}}]+(?={_ALNUM}|[{_OPEN_Q}])")
# Patterns that mark a position between two characters consume the rarer character and check
# the other with a fixed-width lookbehind or lookahead: a pattern that *starts* with a lookbehind
# is tried at every position of the line and was the bulk of the cue time.  Each loop below says
# whether the position is ``m.start()`` or ``m.end()``.
_OPEN_AFTER = re.compile(
    rf"[{_OPEN_Q}(\[{{](?<={_ALNUM}[{_OPEN_Q}(\[{{]|[{_HARAKAT}][{_OPEN_Q}(\[{{])"
)
# Letters that only end an Arabic word (ة, ى; tanween + alef; dammatan/kasratan) glued to a letter.
# ى mid-token only appears in the Egyptian spelling ىء, hence the exclusion.
_FINAL_LETTER = re.compile(rf"(?:ة|ى(?!ء))[{_HARAKAT}]*(?={_ALNUM})")
# The same matches, one pattern per letter: a pattern that starts with one literal character is
# searched several times faster than one that starts with a set of them.  (A match is the letter
# and its harakat, so the two never overlap and together find what ``_FINAL_LETTER`` finds.)
_FINAL_TA = re.compile(rf"ة[{_HARAKAT}]*(?={_ALNUM})")
_FINAL_YA = re.compile(rf"ى(?!ء)[{_HARAKAT}]*(?={_ALNUM})")
_TANWEEN = re.compile(rf"ً(?:(?<=اً)|ا)(?={_ALNUM})|[ٌٍ](?={_ALNUM})")
# ء then و: ء is mid-word before و in under 1% of its mid-word uses (NOTES).
# The plural verb ending ءوا (أساءوا, جاءوا) closing its token is the exception.
_HAMZA_WAW = re.compile(rf"ء[{_HARAKAT}]*(?=[وؤ])(?!وا(?:[^{_AR}{_HARAKAT}]|$))")
_ELLIPSIS = re.compile(rf"(?:\.\.+|…)(?={_LETTER})")
_ELLIPSIS_QUOTE = re.compile(rf"\.(?<=[^\W_]\.)\.+(?=[{_OPEN_Q}])|…(?<=[^\W_]…)(?=[{_OPEN_Q}])")
_BEFORE_DOTS = re.compile(rf"\.(?<={_ALNUM}\.)(?=\.+[^\W_])|…(?<={_ALNUM}…)(?=[^\W_])")
# Some patterns above (they define the cues) as one pattern per leading character: (character,
# pattern); ``find_cues`` runs these.  A pattern that starts with one literal character is searched
# several times faster than one that starts with a set of them, and a branch whose character is
# absent is not run at all.  Matches of different branches never overlap and end (or start, where
# the start is used) at different positions, so together they add the cues the pattern adds.
_TERMINAL_BRANCHES = tuple(
    (c, re.compile(rf"{re.escape(c)}[؟?!]*[{_CLOSE_Q}’)\]]*(?={_ALNUM}|[{_OPEN_Q}\"'(\[{{])"))
    for c in "؟?!"
)
_TANWEEN_BRANCHES = (
    ("ً", re.compile(rf"ً(?:(?<=اً)|ا)(?={_ALNUM})")),
    ("ٌ", re.compile(rf"ٌ(?={_ALNUM})")),
    ("ٍ", re.compile(rf"ٍ(?={_ALNUM})")),
)
_ELLIPSIS_BRANCHES = (
    (".", re.compile(rf"\.\.+(?={_LETTER})")),
    ("…", re.compile(rf"…(?={_LETTER})")),
)
_ELLIPSIS_QUOTE_BRANCHES = (
    (".", re.compile(rf"\.(?<=[^\W_]\.)\.+(?=[{_OPEN_Q}])")),
    ("…", re.compile(rf"…(?<=[^\W_]…)(?=[{_OPEN_Q}])")),
)
_BEFORE_DOTS_BRANCHES = (
    (".", re.compile(rf"\.(?<={_ALNUM}\.)(?=\.+[^\W_])")),
    ("…", re.compile(rf"…(?<={_ALNUM}…)(?=[^\W_])")),
)
# A run of closing marks starts where the previous character is none of them: one branch per
# first character of the run finds the runs (and their starts) that ``_CLOSE_THEN`` and
# ``_CLOSE_BRACKET`` find.
_CLOSE_THEN_BRANCHES = tuple(
    (c, re.compile(rf"(?<![{_CLOSE_Q}]){c}[{_CLOSE_Q}]*(?={_ALNUM}|[{_OPEN_Q}])")) for c in _CLOSE_Q
)
_CLOSE_BRACKET_BRANCHES = tuple(
    (c, re.compile(rf"(?<![)\]}}]){re.escape(c)}[)\]}}]*(?={_ALNUM}|[{_OPEN_Q}])")) for c in ")]}"
)
_OPEN_AFTER_BRANCHES = tuple(
    (c, re.compile(rf"{re.escape(c)}(?<={_ALNUM}{re.escape(c)}|[{_HARAKAT}]{re.escape(c)})"))
    for c in _OPENERS
)
_PERCENT_BRANCHES = tuple((c, re.compile(rf"{c}(?={_ALNUM}|[{_OPEN_Q}])")) for c in "%٪")
# Bullets and bars that tickers put between headlines.  The boundary goes *before* the mark, so a
# bullet opens its headline ("• A", "• B"); nothing is dropped, callers may trim it for display.
SEPARATORS = "•●◆◇■□▪►▶★☆⬤◉◦‣⁃∙|¦‖"  # not · (Catalan l·l)
_SEPARATOR = re.compile(f"[{re.escape(SEPARATORS)}](?<=\\S[{re.escape(SEPARATORS)}])")
_CURRENCY = re.compile(r"[£$€¥](?<=[^\W\d_][£$€¥])(?=\d)")
_PERCENT = re.compile(rf"[%٪](?={_ALNUM}|[{_OPEN_Q}])")
# ب ل ك + tatweel is an attached prefix (بـ700, بـ«الحياة»); glued after other letters (not the
# article الـ) before a digit, quote, bracket, Latin letter or space, a new word starts there:
# بريطانيابـ700, التطرفبـ «الحياة», both headline starts (2 of 2 dev uses, 2 outlets).  A tatweel
# before a letter is mostly a stretched word (بحـوار, عكـاظ) and is left alone.
_PREFIX_TATWEEL = re.compile(
    rf"\u0640(?<=[{_AR}][بك]\u0640|[\u0621-\u0626\u0628-\u064a]ل\u0640)(?=[\s\d«“\"(A-Za-z])"
)  # position: m.start() - 1 (the pattern starts with the rare tatweel: searched fast)
# "د." (Dr) glued after a word: the abbreviation opens a headline ("...الجوفد. فلان يفتتح").  One
# dot only (".." is the Arabic ellipsis) and at least three letters before it; the letters with
# the د must not be a known word (a word ending in د then a full stop: "جديد.").
_DOCTOR = re.compile(rf"د(?<=[{_AR}][{_AR}][{_AR}]د)(?=\.(?!\.))")
_LOWER_UPPER = re.compile(r"[a-zß-öø-ÿ](?=[A-ZÀ-ÖØ-Þ])")
_ACRONYM_WORD = re.compile(r"[A-Z](?<=[A-Z][A-Z][A-Z])(?=[a-z]{2})")
_DIGIT_CAP = re.compile(r"\d(?=[A-Z][a-z]|[A-Z]{2})")
_AR_LATIN = re.compile(rf"[A-Za-z](?<=[{_AR}{_HARAKAT}][A-Za-z])")  # position: m.start()
_HIJRI_END = re.compile(r"\dهـ(?=\d)")
_LATIN_AR = re.compile(rf"[A-Za-z](?=[{_AR}])")  # position: m.end()
_AR_DIGIT = re.compile(rf"\d(?<=[{_AR}{_HARAKAT}\u0640]\d)")  # position: m.start()
# A digit glued to Arabic letters; after a Hijri year (1436هـ) the era mark belongs to the date.
_DIGIT_AR = re.compile(rf"\d(?:هـ(?=[{_AR}])|(?=[{_AR}]{{2}}))")
# The two patterns above for one digit (a literal, so searched fast), compiled on first use: one
# entry per digit character seen (Unicode has a few hundred).  ``\d`` is ``str.isdecimal``.
_DIGIT_PATTERNS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def _digit_patterns(digit: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    patterns = _DIGIT_PATTERNS.get(digit)
    if patterns is None:
        d = re.escape(digit)
        patterns = _DIGIT_PATTERNS[digit] = (
            re.compile(rf"{d}(?<=[{_AR}{_HARAKAT}\u0640]{d})"),
            re.compile(rf"{d}(?:هـ(?=[{_AR}])|(?=[{_AR}]{{2}}))"),
        )
    return patterns


_TOKEN = re.compile(r"\S+")
_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace other than a space
# Characters whose presence enables a cue pass.
_TRIGGERS = re.compile(
    rf"[؟?!{_CLOSE_Q}{_OPEN_Q})\]}}(\[{{ًٌٍء.…£$€¥%٪\u0640{re.escape(SEPARATORS)}\d]"
)
_HAS_ARABIC = re.compile(f"[{_AR}]")
_HAS_LATIN = re.compile("[A-Za-z]")
# Triggers and Latin letters in one scan, for lines with Arabic (mostly no Latin at all: searching
# for a Latin letter separately read the whole line a second time).
_TRIGGERS_LATIN = re.compile(_TRIGGERS.pattern[:-1] + "A-Za-z]")
_LATIN_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_CAMEL_NAME_PREFIX = frozenset({"mc", "mac", "de", "di", "da", "du", "la", "le", "van", "von"})

# Log-odds per cue kind (see module docstring).
SCORES = {
    "terminal": 9.0,
    "separator": 9.0,
    "close-quote": 7.0,
    "close-quote-clitic": 2.0,
    "open-quote": 6.0,
    "final-letter": 7.0,
    "tanween": 7.0,
    "hamza-waw": 4.0,
    # % then a letter or opening quote: a headline start in 15 of 15 glued dev uses (10 outlets;
    # with a digit after it 17 of 18).  4 let the start statistics of the next word (إلى متى,
    # وفود) undo it.  Swept alone 4 / 5 / 6 / 7 / 8 / 9 / 11: held-out glued error-free strips
    # 81.3% / 81.7% (5-11), missed boundaries 48 / 47 / 47 / 47 / 46 / 46 / 46; as strong as
    # "terminal", which is as precise.
    "percent": 9.0,
    "doctor": 5.0,  # swept 3 / 5 / 7: error-free strips 69.7% / 70.0% / 70.0%
    "currency": 3.0,
    "lower-upper": 6.0,
    "acronym-word": 5.0,
    "digit-cap": 4.0,
    "quote-parity": 6.0,
    "script": 2.5,
    "digit-letter": 2.5,
    # _PREFIX_TATWEEL.  Swept alone 2.5 / 4 / 6: held-out error-free strips 82.0% / 81.7% /
    # 81.7% (81.3% without); both dev cases found at 2.5, one above (from 4 the start statistics
    # weigh 1.5, not 0.5).
    "prefix-tatweel": 2.5,
    # ) ] } then a letter or opening quote: a headline start in 13 of 13 glued dev uses (5
    # outlets), as precise as a closing quote.  Swept alone 2 / 3 / 4 / 5 / 7 / 9: error-free
    # strips 81.3% / 81.7% / 81.3% / 81.7% / 81.7% / 81.7% (at 4 and above the start statistics
    # weigh 1.5, not 0.5: 4 is the dip); ar spaced and en glued unchanged.
    "bracket": 7.0,
    "ellipsis": 1.0,
    "dots-quote": 4.0,
    "before-dots": 0.5,
}

# A known whole token vetoes a case split only if it is at least this frequent (Zipf): YouTube
# 4.7, ExxonMobil 2.6, JPMorgan 2.8, GlaxoSmithKline 2.4; rarer "words" are mostly noise.
_CAMEL_KNOWN_ZIPF = 2.0
_CAMEL_WINDOW = 40


def _token_at(starts: list[int], ends: list[int], pos: int) -> tuple[int, int]:
    """Span of the token that contains ``pos`` (bisect: linear scans would be quadratic)."""
    i = max(bisect.bisect_right(starts, pos) - 1, 0)
    return starts[i], ends[i]


def _letters_key(text: str) -> str:
    """Lookup key of the letters (and inner apostrophes/hyphens) in ``text``."""
    return lookup_key(text.strip("\"'“”«»‘’()[]{}.,:;!?؟،؛-–—…%٪"))


def _is_bare_prefix(line: str, tok_start: int, pos: int) -> bool:
    """True if the letters from the token start to ``pos`` are only an attached prefix (ل«, بـ)."""
    if pos - tok_start > 8:  # longer than any prefix (and keeps huge tokens linear)
        return line[pos - 1] == "\u0640"
    left = line[tok_start:pos]
    if left.endswith("\u0640"):  # tatweel marks an attached prefix before a quote or number
        return True
    key = _letters_key(left)
    return key in BARE_PREFIXES or key in {"ال", "لل", "وال", "بال"}


def _camel_vetoed(line: str, span: tuple[int, int], pos: int, vocab: Vocabulary | None) -> bool:
    """Is a lower->Upper position inside a name or brand rather than a join?"""
    # Look at most _CAMEL_WINDOW characters either side: words are short, and huge tokens must
    # not make this quadratic.
    start, end = max(span[0], pos - _CAMEL_WINDOW), min(span[1], pos + _CAMEL_WINDOW)
    left_run = re.search(r"[A-Za-zÀ-ÿ']+$", line[start:pos])
    right_run = re.match(r"[A-Za-zÀ-ÿ]+", line[pos:end])
    left = left_run.group() if left_run else ""
    right = right_run.group() if right_run else ""
    at_token_start = left_run is not None and (
        left_run.start() == 0 or not line[start + left_run.start() - 1].isalnum()
    )
    if len(left) == 1 and left.islower() and at_token_start:  # iPhone, eBay, iOS (not 40sUkraine)
        return True
    if left.casefold() in _CAMEL_NAME_PREFIX and left[0].isupper():  # McDonald, DeSantis
        return True
    follow = line[pos + 1 : pos + 2]
    abbreviation = follow == "." and line[pos + 2 : pos + 3].isupper()  # U.S., U.N.
    if (
        len(right) == 1
        and right not in "AI"
        and not abbreviation
        and (not follow or follow in " .,:;!?'’-")
    ):
        return True  # SpaceX, PhD (but "soaredA tale", "goalpostsP&O", "demandU.S." are joins)
    if vocab is not None:
        # The camel-case word around the position: from its last capital to the next lower->Upper.
        cap = max((i for i, ch in enumerate(left) if ch.isupper()), default=-1)
        nxt = re.match(r"[A-Z]*[a-zß-ÿ']*", right)
        if cap >= 0:  # brands are capitalised (YouTube); "warMs" is a join, not "warms"
            word = lookup_key(left[cap:] + (nxt.group() if nxt else right))
            z = vocab.whole(word)
            if z is not None and z >= _CAMEL_KNOWN_ZIPF:  # YouTube, EasyJet, BioNTech
                return True
        if span[1] - span[0] > _CAMEL_WINDOW or not line[span[0] : span[0] + 1].isupper():
            return False
        z = vocab.whole(_letters_key(line[start:end]))
        if z is not None and z >= _CAMEL_KNOWN_ZIPF:  # McDonald's as a whole token
            return True
    return False


def _branch_matches(
    line: str, present: set[str], branches: tuple[tuple[str, re.Pattern[str]], ...]
) -> Iterator[re.Match[str]]:
    """The matches of each branch whose leading character is in ``present``."""
    for c, pattern in branches:
        if c in present:
            yield from pattern.finditer(line)


# One shared (score, kind) tuple per kind: a cue allocates nothing (fewer garbage collections).
_CUE = {kind: (score, kind) for kind, score in SCORES.items()}


def _add(cues: Cues, pos: int, kind: str, line: str) -> None:
    if pos <= 0 or pos >= len(line) or line[pos - 1].isspace() or line[pos].isspace():
        return
    cue = _CUE[kind]
    if pos not in cues or cues[pos][0] < cue[0]:
        cues[pos] = cue


def find_cues(line: str, vocab: Vocabulary | None) -> Cues:
    """Visible cues in ``line``: position -> (log-odds, kind).  See the module docstring."""
    return cues_between(line, vocab, *token_bounds(line))


Triggers = tuple[set[str], bool, bool]


def triggers(line: str) -> Triggers:
    """The trigger characters present in ``line`` (plus, with Arabic, any Latin letters), and
    whether it has Arabic and Latin letters: what decides which cue passes run at all."""
    has_arabic = _HAS_ARABIC.search(line) is not None
    if has_arabic:
        present = set(_TRIGGERS_LATIN.findall(line))  # Latin letters trigger no pass
        return present, True, not present.isdisjoint(_LATIN_LETTERS)
    return set(_TRIGGERS.findall(line)), False, _HAS_LATIN.search(line) is not None


def has_separator(found: Triggers) -> bool:
    """Does the line whose ``triggers`` these are hold a separator mark (• | …)?"""
    return not found[0].isdisjoint(SEPARATORS)


def cues_between(
    line: str,
    vocab: Vocabulary | None,
    starts: list[int],
    ends: list[int],
    found: Triggers | None = None,
) -> Cues:
    """``find_cues`` given the starts and ends of the line's tokens (``token_bounds``) and, if
    the caller has them, the line's ``triggers``."""
    cues: Cues = {}
    # One scan for the rarer characters that trigger cues; each pass below runs only if its
    # trigger occurs (most lines lack most of them, and a scan per pattern was the bulk of the
    # cost of this function).
    present, has_arabic, has_latin = triggers(line) if found is None else found
    has_digit = any(ch.isdigit() for ch in present)
    for m in _branch_matches(line, present, _TERMINAL_BRANCHES):
        _add(cues, m.end(), "terminal", line)
    for m in _branch_matches(line, present, _CLOSE_THEN_BRANCHES):
        pos = m.start()
        before = line[pos - 1] if pos else " "
        tok_start, _ = _token_at(starts, ends, pos)
        if before.isspace() or before == "\u0640" or _is_bare_prefix(line, tok_start, pos):
            # ” and » also serve as *opening* quotes in Arabic text (بـ”كورونا”, و”العمل”): after a
            # space, a tatweel or a bare prefix they open, and nothing ends after them.
            continue
        if line[m.end()] in "وف":
            _add(cues, m.end(), "close-quote-clitic", line)  # «المؤثر»وبولوني: a glued conjunction
        else:
            _add(cues, m.end(), "close-quote", line)
    for m in _branch_matches(line, present, _CLOSE_BRACKET_BRANCHES):
        _add(cues, m.end(), "bracket", line)
    for m in _branch_matches(line, present, _OPEN_AFTER_BRANCHES):
        pos = m.start()
        tok_start, _ = _token_at(starts, ends, pos)
        if not _is_bare_prefix(line, tok_start, pos):
            _add(cues, pos, "open-quote", line)
    for m in _FINAL_TA.finditer(line) if has_arabic else ():
        _add(cues, m.end(), "final-letter", line)
    for m in _FINAL_YA.finditer(line) if has_arabic else ():
        _add(cues, m.end(), "final-letter", line)
    for m in _branch_matches(line, present, _TANWEEN_BRANCHES):
        _add(cues, m.end(), "tanween", line)
    for m in _HAMZA_WAW.finditer(line) if "ء" in present else ():
        _add(cues, m.end(), "hamza-waw", line)
    for m in _branch_matches(line, present, _ELLIPSIS_BRANCHES):
        _add(cues, m.end(), "ellipsis", line)
    for m in _branch_matches(line, present, _ELLIPSIS_QUOTE_BRANCHES):
        _add(cues, m.end(), "dots-quote", line)
    for m in _branch_matches(line, present, _BEFORE_DOTS_BRANCHES):
        _add(cues, m.start(), "before-dots", line)
    for m in _SEPARATOR.finditer(line) if not present.isdisjoint(SEPARATORS) else ():
        _add(cues, m.start(), "separator", line)
    for m in _CURRENCY.finditer(line) if not present.isdisjoint("£$€¥") else ():
        _add(cues, m.start(), "currency", line)
    for m in _branch_matches(line, present, _PERCENT_BRANCHES):
        _add(cues, m.end(), "percent", line)
    for m in _DOCTOR.finditer(line) if has_arabic and "." in present else ():
        pos = m.start()
        start, _ = _token_at(starts, ends, pos)
        start = max(start, pos - _CAMEL_WINDOW)  # a word, not a huge token: keeps this linear
        if vocab is None or vocab.zipf(_letters_key(line[start : pos + 1])) is None:
            _add(cues, pos, "doctor", line)
    for m in _LOWER_UPPER.finditer(line) if has_latin else ():
        if not _camel_vetoed(line, _token_at(starts, ends, m.end()), m.end(), vocab):
            _add(cues, m.end(), "lower-upper", line)
    for m in _ACRONYM_WORD.finditer(line) if has_latin else ():
        start, end = _token_at(starts, ends, m.start())
        z = None
        if vocab is not None and end - start <= _CAMEL_WINDOW:
            z = vocab.whole(_letters_key(line[start:end]))
        if z is None or z < _CAMEL_KNOWN_ZIPF:  # JPMorgan is a word
            _add(cues, m.start(), "acronym-word", line)
    for m in _DIGIT_CAP.finditer(line) if has_latin and has_digit else ():
        _add(cues, m.end(), "digit-cap", line)
    script = [m.start() for m in _AR_LATIN.finditer(line)] if has_latin and has_arabic else []
    script += [m.end() for m in _LATIN_AR.finditer(line)] if has_latin and has_arabic else []
    for pos in script:
        tok_start, _ = _token_at(starts, ends, pos)
        if not _is_bare_prefix(line, tok_start, pos):
            _add(cues, pos, "script", line)
    # _AR_DIGIT and _DIGIT_AR, one digit character at a time (each match holds one digit).
    digits = [_digit_patterns(ch) for ch in present if ch.isdecimal()] if has_arabic else []
    for ar_digit, _ in digits:
        for m in ar_digit.finditer(line):
            tok_start, _ = _token_at(starts, ends, m.start())
            # "1436هـ" (Hijri year) then a digit: the tatweel closes the date, it attaches nothing.
            if _HIJRI_END.match(line, max(0, m.start() - 3)) or not _is_bare_prefix(
                line, tok_start, m.start()
            ):
                _add(cues, m.start(), "digit-letter", line)
    for _, digit_ar in digits:
        for m in digit_ar.finditer(line):
            _add(cues, m.end(), "digit-letter", line)
    for m in _PREFIX_TATWEEL.finditer(line) if has_arabic and "\u0640" in present else ():
        _add(cues, m.start() - 1, "prefix-tatweel", line)
    _quote_parity(line, cues, starts, ends)
    return cues


def _quote_parity(line: str, cues: Cues, starts: list[int], ends: list[int]) -> None:
    """Straight quotes (" and ') glued to text on both sides: opening or closing, by parity.

    Straight quotes pair up inside a headline, so one that arrives while a quote is open closes it
    (boundary after it if text follows directly: ``"مكة""النقل"``), and otherwise opens one
    (boundary before it if a word precedes directly, unless that word is an attached prefix:
    ``بـ"تربة"``).  For ' the English apostrophe is excluded: only a lower-case run of two or more
    letters, the quote, then a capital counts (``stand'If``, ``loans'Kerala``; not d'Ivoire,
    O'Neill, don't).  Between two Arabic letters ' is always a quote, as Arabic has no
    apostrophe (``السعودي'المريخ'``, ``'سوديلور'سياسي``: headline starts in 2 of 2 dev uses, 2
    outlets; held-out error-free strips 81.3% -> 82.0%).  Parity restarts at every strong cue: no
    headline leaves a quote open.
    """
    strong = sorted(p for p, (s, _) in cues.items() if s >= 5.0)
    n = len(line)
    for quote in "\"'":
        si = 0
        open_ = False
        i = line.find(quote)
        while i >= 0:
            while si < len(strong) and strong[si] <= i:
                open_ = False
                si += 1
            before = line[i - 1] if i > 0 else " "
            after = line[i + 1] if i + 1 < n else " "
            if quote == "'" and not before.isspace() and not after.isspace():
                run = re.search(r"[A-Za-zß-ÿ]+$", line[max(0, i - 30) : i])
                if before.isalpha() and after.isalpha():
                    if not _between_arabic(before, after) and not (
                        run and len(run.group()) >= 2 and after.isupper()
                    ):
                        i = line.find(quote, i + 1)
                        continue  # an apostrophe, not a quote
                elif before.isalpha() or after.isalpha():
                    i = line.find(quote, i + 1)
                    continue
            glued_before = not before.isspace()
            glued_after = not after.isspace() and after not in ".,:;!?؟،؛)]}…-"
            if not (glued_before and glued_after):
                # Glued on one side only: the space shows which way it faces.
                closing = glued_before
            elif open_ or _closes(line, quote, i):
                closing = True
                _add(cues, i + 1, "quote-parity", line)
                cues.pop(i, None)  # nothing starts right before a closing quote
            else:
                closing = False
                tok_start, _ = _token_at(starts, ends, i)
                if before not in "([{“«\u0640" and not _is_bare_prefix(line, tok_start, i):
                    _add(cues, i, "quote-parity", line)
                    cues.pop(i + 1, None)  # nor right after an opening one
            open_ = not closing
            i = line.find(quote, i + 1)


def _is_apostrophe(line: str, j: int) -> bool:
    before = line[j - 1] if j > 0 else " "
    after = line[j + 1] if j + 1 < len(line) else " "
    if _between_arabic(before, after):
        return False
    return before.isalpha() and after.isalpha() and not after.isupper()


def _between_arabic(before: str, after: str) -> bool:
    """A ' between two Arabic letters is a quote: Arabic has no apostrophe (السعودي'المريخ')."""
    return bool(_HAS_ARABIC.match(before) and _HAS_ARABIC.match(after))


def _closes(line: str, quote: str, i: int) -> bool:
    """Does the quote at ``i`` (glued on both sides, no quote open) close a quotation anyway?

    Look at the next quote of the same kind: if it is preceded by a space it opens a quotation, so
    this one closed one whose opening we missed; ``""`` is a closing then an opening quote.
    Otherwise this one opens.
    """
    j = line.find(quote, i + 1)
    while j >= 0 and quote == "'" and _is_apostrophe(line, j):
        j = line.find(quote, j + 1)
    if j < 0:
        return True
    return line[j - 1].isspace() or j == i + 1


def token_bounds(line: str) -> tuple[list[int], list[int]]:
    """The starts and the ends of the whitespace-free runs (tokens) of ``line``, as two lists.

    Most lines separate their tokens by single spaces, with none at either end: then the tokens
    are ``line.split(" ")`` and their bounds follow from the lengths in C loops, with no match
    object or tuple per token (those were most of the cost).  Other whitespace takes the regex.
    """
    parts = line.split(" ")
    if "" in parts or _OTHER_SPACE.search(line):
        spans = [m.span() for m in _TOKEN.finditer(line)]
        return [a for a, _ in spans], [b for _, b in spans]
    # Token i starts after the tokens before it and one space after each.
    starts = list(itertools.accumulate(map((1).__add__, map(len, parts)), initial=0))
    ends = list(map((1).__rsub__, starts[1:]))  # a token ends one before the next one starts
    starts.pop()  # (the start of a token after the last)
    return starts, ends
