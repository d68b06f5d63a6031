"""Word lexicon for the splitter: wordfreq's frequency lists, folded to lookup keys.

``load_lexicon(lang)`` takes a wordfreq language code and returns a ``Lexicon`` mapping lookup keys
(see ``normalise.lookup_key``) to Zipf frequencies.  It is loaded on first use and cached with
``functools.cache``; nothing happens at import time.

Only words with Zipf >= ``ZIPF_FLOOR`` are kept.  The floor trades recall of rare words and names
against load time and memory (Arabic "large": 621k entries).  Measured on the glued dev strips,
leave-outlets-out: floor 2.0 -> F1 0.969, 1.5 -> 0.973, 1.2 -> 0.976, 1.0 -> 0.976; a fresh process
splitting 1 MB of glued Arabic peaks at 206 MB with floor 1.2 and 247 MB with 1.0, and the
seed page costs 0.54 s of CPU with floor 1.2 against 0.43 s with 1.5 (import and load included).
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from feedsmith.split.normalise import LEXICON_FOLDS

__all__ = ["ZIPF_FLOOR", "Lexicon", "load_lexicon"]

ZIPF_FLOOR = 1.2  # see the module docstring

# Languages whose wordfreq list we load; any other language gets the generic (lexicon-free) rules.
SUPPORTED = ("ar", "en")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Lookup key -> Zipf frequency (log10 of frequency per billion words)."""

    lang: str
    zipf: Mapping[str, float]

    def get(self, key: str) -> float | None:
        return self.zipf.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.zipf


def _read_buckets(lang: str) -> list[list[str]]:
    """wordfreq's "large" list for ``lang`` as frequency buckets (bucket i: Zipf 9 - i/100).

    Reads wordfreq's packaged data file directly when it has the layout we know (msgpack header
    ``{"format": "cB", "version": 1}``): importing wordfreq itself costs ~0.1 s (ftfy, langcodes),
    a tenth of the start-up budget.  Anything unexpected falls back to the public
    ``wordfreq.get_frequency_list``.
    """
    spec = importlib.util.find_spec("wordfreq")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / "data" / f"large_{lang}.msgpack.gz"
        try:
            import msgpack  # a wordfreq dependency

            with gzip.open(path, "rb") as fh:
                data = msgpack.load(fh, raw=False, strict_map_key=False)
        except (OSError, ValueError, ImportError, EOFError):
            break
        if (
            isinstance(data, list)
            and data
            and data[0] == {"format": "cB", "version": 1}
            and all(isinstance(b, list) for b in data[1:])
        ):
            return data[1:]
        break
    from wordfreq import get_frequency_list

    return get_frequency_list(lang, wordlist="large")


@functools.cache
def load_lexicon(lang: str) -> Lexicon:
    """Load (once per process) the folded wordfreq list for ``lang``; empty for unsupported ones."""
    if lang not in SUPPORTED:
        return Lexicon(lang, {})
    buckets = _read_buckets(lang)
    # Bucket i holds words with frequency 10**(-i/100), i.e. Zipf 9 - i/100.
    last = min(len(buckets), round((9.0 - ZIPF_FLOOR) * 100) + 1)
    # Fold all keys in one pass over a joined string; then insert the most frequent first, and
    # when two spellings fold to one key keep the first (more frequent) one.  Frequency order puts
    # the entries and key strings of common words next to each other in memory: the splitter's
    # look-ups are mostly waits for memory, and fewer cache lines and pages serve more of them.
    joined = "\n".join("\t".join(b) for b in buckets[:last])
    for old, new in LEXICON_FOLDS:
        joined = joined.replace(old, new)
    table: dict[str, float] = {}
    for i, line in enumerate(joined.split("\n")):
        if line:
            fresh = dict.fromkeys(line.split("\t"), round(9.0 - i / 100, 2))
            for key in fresh.keys() & table.keys():  # rare: folded spellings of a known key
                del fresh[key]
            table.update(fresh)
    return Lexicon(lang, table)
