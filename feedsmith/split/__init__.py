"""The headline ticker splitter: one strip of glued or space-joined headlines in, headlines out.

``split_headlines(text, lang=None, *, context=None) -> list[str]``

- ``text``: a strip as scraped from a ticker.  Each line is its own strip: a newline (any of
  ``str.splitlines``' separators) is a hard boundary.
- ``lang``: "ar", "en" or another code; guessed from the script when None.  Other languages get
  the generic rules (punctuation, case, script changes) without a lexicon.
- ``context``: other text from the same page (article body, other headlines).  Words found there
  but absent from the lexicon count as known words (recent names).

Returns the headlines in order.  Together they hold every non-space character of ``text``, in
order: nothing is dropped, reordered or invented; each headline is stripped of surrounding
whitespace and none is empty.  The lexicon (wordfreq) and the learned tables load on the first call
and are cached for the process.

>>> split_headlines("Markets rally as rates fallCouncil votes to shut library?Storm hits coast")
['Markets rally as rates fall', 'Council votes to shut library?', 'Storm hits coast']
"""

from __future__ import annotations

from feedsmith.split.lexicon import SUPPORTED, load_lexicon
from feedsmith.split.splitter import Settings, guess_lang, split_text
from feedsmith.split.tables import load_tables

__all__ = ["split_headlines"]

_SETTINGS = Settings()


def split_headlines(text: str, lang: str | None = None, *, context: str | None = None) -> list[str]:
    """Split a headline strip into headlines (see the module docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if not text or text.isspace():
        return []
    code = (lang or guess_lang(text)).replace("_", "-").split("-")[0].lower()
    lexicon = load_lexicon(code) if code in SUPPORTED else None
    return split_text(text, code, context, lexicon, load_tables(code), _SETTINGS)
