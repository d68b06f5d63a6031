"""Assign topics to headlines.

Takes the configured topics (``TopicConfig``) once, compiles them (:meth:`TopicMatcher.compile`),
and then, for each headline's title, summary and source name, returns the slugs of the topics it
belongs to, in config order (:meth:`TopicMatcher.topics_for`). Matching runs on
:func:`normalize_for_match` forms; the text shown to readers is never changed here.

The rules of one topic
----------------------
``keywords``  any one must match (whole words, see below).
``regex``     any one must match; Python ``re`` with ``re.IGNORECASE``, tried on the original
              text, on the original without diacritics, tatweel and invisible marks (what a
              reader sees as letters), and on the normalised text; so a pattern works whether it
              is written against what the page shows (``[أإ]يران`` finds إِيران) or against the
              folded form (``ايران``). A regex sees title and summary joined by a newline.
``all_of``    every one must match (keyword rules).
``exclude``   none may match (keyword rules).
``sources``   the item's source must be one of these names (empty: every source).

A topic matches when its source is allowed, no ``exclude`` matches, every ``all_of`` matches,
and either a keyword or a regex matches. A topic with neither keywords nor regex needs only the
rest: one with only ``all_of`` takes the items that have them all, one with only ``sources`` takes
every item of those sources, and one with no rule at all takes every item (minus ``exclude``),
which makes an "everything except ..." feed possible. Rules look at the title and the summary
together (one ``all_of`` term may be in the title, another in the summary), but a phrase never
spans the two.

Keywords
--------
Normalised like the text, then matched as whole words: the character before the match and the
one after it must not be a letter or digit. In front of a keyword the Arabic attached prefixes
are allowed: a conjunction (و ف), then a preposition (ب ك ل), then the article (ال), in any
combination, with ل + ال written لل. So ``سوريا`` matches وسوريا بسوريا لسوريا فبسوريا
and also السوريا وبالسوريا للسوريا (a keyword written without the article also matches with it:
``نفط`` finds النفط and للنفط). A keyword written with the article needs it: ``الجمركية`` finds
الجمركية والجمركية بالجمركية للجمركية but not جمركية. Suffixes are not allowed (``سوريا``
does not match سورياتي, ``oil`` does not match ``oils`` or ``boiling``), unless the keyword ends
in ``*``: ``سوري*`` is a prefix match (سورية السوريين), as is ``econom*``. A phrase
(``الرسوم الجمركية``) matches its words in order separated by any whitespace, with the prefix
rule on its first word. Latin keywords match case-insensitively on word boundaries; the Arabic
prefixes are allowed before them too, because a tatweel-joined prefix (بـiPhone) is common.

Short keywords can match a different word that starts with a prefix letter (``بنان`` is inside
لبنان as ل + بنان); prefer keywords of four letters or more, or a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from feedsmith.arabic import normalize_for_match, strip_marks
from feedsmith.models import TopicConfig

__all__ = ["TopicMatcher", "normalize_for_match"]

# Conjunction, then preposition, then article; ل + ال is written لل. Every part optional.
_PREFIX = "(?:[وف]?(?:[بك]?ال|لل|[بكل])?)"
_ARTICLE = "ال"
# Letters or digits on either side make it part of a longer word; "_" counts as a letter too.
_BEFORE = r"(?<!\w)"
_AFTER = r"(?!\w)"
_NEVER = re.compile(r"(?!)")


# What may stand in front of a keyword, by the kind of keyword form (see _keyword_forms).
_BARE = "bare"  # keyword without the article: every prefix, the article included
_WITH_ARTICLE = "article"  # keyword with the article: conjunction and preposition only
_CONTRACTED = "contracted"  # ل + ال written لل: conjunction only
_LEADS = {_BARE: _PREFIX, _WITH_ARTICLE: "[وف]?[بكل]?", _CONTRACTED: "[وف]?"}


def _keyword_forms(keyword: str) -> list[tuple[str, str, bool]]:
    """The forms of one keyword as ``(kind, normalised text, whole_word)``; empty when nothing
    is left of it after normalisation."""
    text = keyword.strip()
    whole_word = not text.endswith("*")
    norm = normalize_for_match(text.rstrip("*"))
    if not norm:
        return []
    stem = norm[len(_ARTICLE) :]
    if norm.startswith(_ARTICLE) and len(stem) >= 2 and not stem[0].isspace():
        # The keyword has the article: keep it required, but allow prepositions before it and
        # its contraction with ل (النفط -> للنفط). When the word itself starts with ل,
        # ل + ال + ل is written with two lams (للجنة, لله).
        contracted = "ل" + stem if stem.startswith("ل") else "لل" + stem
        return [(_WITH_ARTICLE, norm, whole_word), (_CONTRACTED, contracted, whole_word)]
    return [(_BARE, norm, whole_word)]


def _trie_pattern(words: dict[str, bool]) -> str:
    """A regex for a set of literal words (word -> needs a word end after it), shaped as a
    trie so that each position tries one branch per distinct next letter instead of every
    keyword in turn: thousands of items against hundreds of keywords stay fast."""
    # Nested dicts keyed by letter; the key "" holds the end flag of a word ending there.
    trie: dict[str, Any] = {}
    for word, whole_word in words.items():
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        # True: needs a word end after it; False: a prefix match (anything may follow).
        node[""] = node.get("", True) and whole_word

    def emit(node: dict[str, Any]) -> str:
        if node.get("") is False:
            return ""  # a prefix keyword ends here: whatever follows, it matched
        branches = [re.escape(char) + emit(child) for char, child in node.items() if char]
        if "" in node:
            branches.append(_AFTER)
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(trie)


def _compile_any(keywords: Sequence[str]) -> re.Pattern[str] | None:
    """One regex that matches when any of ``keywords`` does; None when there are no keywords.
    Keywords that normalise to nothing (only diacritics, say) never match: a topic whose
    keywords are all like that must match nothing rather than everything."""
    by_kind: dict[str, dict[str, bool]] = {}
    for keyword in keywords:
        for kind, text, whole_word in _keyword_forms(keyword):
            words = by_kind.setdefault(kind, {})
            # The same text as a whole word and as a prefix: the prefix match wins.
            words[text] = words.get(text, True) and whole_word
    if not by_kind:
        return None if not keywords else _NEVER
    parts = [_LEADS[kind] + _trie_pattern(words) for kind, words in by_kind.items()]
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return re.compile(_BEFORE + body)


@dataclass(frozen=True)
class _CompiledTopic:
    slug: str
    any_of: re.Pattern[str] | None  # keywords
    regexes: tuple[re.Pattern[str], ...]
    all_of: tuple[re.Pattern[str], ...]
    exclude: re.Pattern[str] | None
    sources: frozenset[str]  # empty: every source

    def matches(self, regex_texts: tuple[str, ...], normalized: str, source: str) -> bool:
        if self.sources and source not in self.sources:
            return False
        if self.exclude is not None and self.exclude.search(normalized):
            return False
        if not all(pattern.search(normalized) for pattern in self.all_of):
            return False
        if self.any_of is None and not self.regexes:
            return True
        if self.any_of is not None and self.any_of.search(normalized):
            return True
        return any(r.search(text) for r in self.regexes for text in regex_texts)


class TopicMatcher:
    """Compiled topic rules; build once per run with :meth:`compile`, then call
    :meth:`topics_for` for each item."""

    def __init__(self, topics: Sequence[_CompiledTopic], catch_all: str | None) -> None:
        self._topics = tuple(topics)
        self._catch_all = catch_all
        # The texts a regex is tried on cost two more passes over each item: only when needed.
        self._has_regex = any(topic.regexes for topic in self._topics)

    @classmethod
    def compile(
        cls, topics: Sequence[TopicConfig], *, catch_all: str | None = None
    ) -> TopicMatcher:
        """Compile every topic's rules once (one regex per rule kind per topic).

        The topic whose slug is ``catch_all`` (if it is among ``topics``) is not matched by its
        own rules: it gets exactly the items that match no other topic.
        Raises ``ValueError`` naming the topic for a regex that does not compile (config
        loading should have reported it first).
        """
        compiled: list[_CompiledTopic] = []
        for topic in topics:
            if topic.slug == catch_all:
                continue
            regexes: list[re.Pattern[str]] = []
            for index, source in enumerate(topic.regex):
                try:
                    regexes.append(re.compile(source, re.IGNORECASE))
                except re.error as exc:
                    raise ValueError(
                        f"topic {topic.slug!r}: regex[{index}] {source!r} is not valid: {exc}"
                    ) from exc
            all_of = tuple(p for p in (_compile_any([term]) for term in topic.all_of) if p)
            compiled.append(
                _CompiledTopic(
                    slug=topic.slug,
                    any_of=_compile_any(topic.keywords),
                    regexes=tuple(regexes),
                    all_of=all_of,
                    exclude=_compile_any(topic.exclude),
                    sources=frozenset(topic.sources),
                )
            )
        return cls(compiled, catch_all)

    def topics_for(self, title: str, summary: str | None, source: str) -> tuple[str, ...]:
        """Slugs of the topics an item belongs to, in config order; ``(catch_all,)`` when none
        matched and a catch-all is set, else ``()``."""
        # Normalise each part on its own and join with a newline: normalisation turns newlines
        # into spaces, so a phrase (words joined by one space) cannot span title and summary.
        normalized = normalize_for_match(title)
        if summary:
            normalized = f"{normalized}\n{normalize_for_match(summary)}"
        regex_texts: tuple[str, ...] = ()
        if self._has_regex:
            original = title if not summary else f"{title}\n{summary}"
            regex_texts = (original, strip_marks(original), normalized)
        found = tuple(
            dict.fromkeys(
                t.slug for t in self._topics if t.matches(regex_texts, normalized, source)
            )
        )
        if not found and self._catch_all:
            return (self._catch_all,)
        return found
