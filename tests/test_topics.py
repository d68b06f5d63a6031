"""Tests for feedsmith.topics: lookup normalisation and topic rules."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedsmith.models import TopicConfig
from feedsmith.topics import TopicMatcher, normalize_for_match

# --------------------------------------------------------------------------------------------
# normalize_for_match


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # hamza / madda / wasla forms of alef
        ("أحمد", "احمد"),
        ("إيران", "ايران"),
        ("آخر", "اخر"),
        ("ٱلله", "الله"),
        ("ا\u0654حمد", "احمد"),  # alef + combining hamza above (NFKC composes it to أ)
        ("ا\u0655يران", "ايران"),  # alef + combining hamza below
        # alef maksura, ta marbuta
        ("على", "علي"),
        ("مدرسة", "مدرسه"),
        # diacritics, one of each kind
        ("كَتَبَ", "كتب"),  # fatha
        ("كُتُب", "كتب"),  # damma
        ("كِتاب", "كتاب"),  # kasra
        ("رئيسًا", "رئيسا"),  # fathatan
        ("كتابٌ", "كتاب"),  # dammatan
        ("كتابٍ", "كتاب"),  # kasratan
        ("شدّة", "شده"),  # shadda
        ("قُلْ", "قل"),  # sukun
        ("هٰذا", "هذا"),  # dagger (superscript) alef U+0670
        ("ا\u0656", "ا"),  # subscript alef U+0656, inside U+064B-065F
        # tatweel
        ("الـ30", "ال30"),
        ("عـــربي", "عربي"),
        # digits
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        # Persian letters
        ("ایران", "ايران"),
        ("کتاب", "كتاب"),
        # bidi and joining marks, each one
        ("سو\u200eريا", "سوريا"),  # LRM
        ("سو\u200fريا", "سوريا"),  # RLM
        ("سو\u061cريا", "سوريا"),  # ALM
        ("\ufeffسوريا", "سوريا"),  # BOM / zero-width no-break space
        ("سوريا\u200bلبنان", "سوريا لبنان"),  # zero-width space separates words
        ("سو\u200cريا", "سوريا"),  # ZWNJ
        ("سو\u200dريا", "سوريا"),  # ZWJ
        ("\u202aسوريا\u202c", "سوريا"),  # LRE ... PDF
        ("\u202bسوريا\u202c", "سوريا"),  # RLE
        ("\u202dسوريا\u202c", "سوريا"),  # LRO
        ("\u202eسوريا\u202c", "سوريا"),  # RLO
        ("\u2066سوريا\u2069", "سوريا"),  # LRI ... PDI
        ("\u2067سوريا\u2069", "سوريا"),  # RLI
        ("\u2068سوريا\u2069", "سوريا"),  # FSI
        # NFKC: presentation forms, full-width Latin, no-break space
        ("ﻻ", "لا"),
        ("ＯＩＬ", "oil"),
        ("oil\u00a0price", "oil price"),
        # casefold and whitespace
        ("Oil PRICES", "oil prices"),
        ("Straße", "strasse"),
        ("  a \t\n b  ", "a b"),
        ("", ""),
    ],
)
def test_normalize_for_match(raw: str, expected: str) -> None:
    assert normalize_for_match(raw) == expected


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_for_match(text)
    assert normalize_for_match(once) == once


# --------------------------------------------------------------------------------------------
# Keywords and the prefix rule


def _matches(keyword: str, title: str) -> bool:
    matcher = TopicMatcher.compile([TopicConfig(slug="t", title="T", keywords=(keyword,))])
    return matcher.topics_for(title, None, "src") == ("t",)


@pytest.mark.parametrize(
    "title",
    [
        "سوريا",
        "وسوريا",
        "فسوريا",
        "بسوريا",
        "كسوريا",
        "لسوريا",
        "السوريا",
        "والسوريا",
        "بالسوريا",
        "للسوريا",
        "فالسوريا",
        "كالسوريا",
        "وبسوريا",
        "ولسوريا",
        "فبسوريا",
        "فلسوريا",
        "وبالسوريا",
        "وللسوريا",
        "أخبار سوريا اليوم",
        "سوريا: اتفاق",
        "(سوريا)",
        "سوريّا",  # diacritic in the text
        "سو\u200fريا",  # RLM inside the word
        "عاجل..سوريا",
    ],
)
def test_bare_keyword_matches_with_prefixes(title: str) -> None:
    assert _matches("سوريا", title)


@pytest.mark.parametrize(
    "title",
    [
        "سورياتي",  # suffix
        "سوريان",  # suffix
        "سورياها",
        "مسوريا",  # a letter that is not a prefix
        "تسوريا",
        "اسوريا",
        "ببسوريا",  # two prepositions
        "ووسوريا",  # two conjunctions
        "السوريالية",  # keyword inside a longer word
        "سوري",  # shorter
        "سوريا_",  # underscore counts as a word character
    ],
)
def test_bare_keyword_does_not_match_other_words(title: str) -> None:
    assert not _matches("سوريا", title)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("الجمركية", True),
        ("والجمركية", True),
        ("فالجمركية", True),
        ("بالجمركية", True),
        ("كالجمركية", True),
        ("للجمركية", True),  # ل + ال contracts to لل
        ("وللجمركية", True),
        ("وبالجمركية", True),
        ("الجمركيه", True),  # ة/ه
        ("جمركية", False),  # the keyword asks for the article
        ("بجمركية", False),
        ("الجمركيات", False),
        ("اللجمركية", False),
    ],
)
def test_keyword_with_article(title: str, expected: bool) -> None:
    assert _matches("الجمركية", title) is expected


@pytest.mark.parametrize(
    ("keyword", "title", "expected"),
    [
        ("النفط", "أسعار للنفط", True),
        ("النفط", "ارتفاع النفط", True),
        ("نفط", "للنفط", True),  # bare keyword takes the article and its contraction
        ("نفط", "النفط", True),
        ("اللجنة", "للجنة", True),  # ل + ال + ل: two lams
        ("اللجنة", "واللجنة", True),
        ("الله", "لله", True),
        ("لبنان", "للبنان", True),
        ("لبنان", "ولبنان", True),
        ("لبنان", "اللبنانيين", False),
    ],
)
def test_article_contraction(keyword: str, title: str, expected: bool) -> None:
    assert _matches(keyword, title) is expected


@pytest.mark.parametrize(
    ("keyword", "title", "expected"),
    [
        ("سوري*", "السورية", True),
        ("سوري*", "والسوريين", True),
        ("سوري*", "سوريا", True),
        ("سوري*", "مسوري", False),
        ("econom*", "Economy grows", True),
        ("econom*", "economic", True),
        ("econom*", "macroeconomic", False),
    ],
)
def test_star_is_a_prefix_match(keyword: str, title: str, expected: bool) -> None:
    assert _matches(keyword, title) is expected


@pytest.mark.parametrize(
    ("keyword", "title", "expected"),
    [
        ("إيران", "ايران تعلن", True),  # normalised keyword and text
        ("ايران", "إيرانُ", True),
        ("ايران", "بإيران", True),
        ("مدرسة", "المدرسه", True),
        ("على", "علي", True),  # folded together on purpose
        ("2024", "عام ٢٠٢٤", True),
        ("٢٠٢٤", "in 2024", True),
        ("30", "الـ30 عاما", True),  # tatweel-joined article before a number
        ("کتاب", "الكتاب", True),
    ],
)
def test_keywords_match_normalised(keyword: str, title: str, expected: bool) -> None:
    assert _matches(keyword, title) is expected


@pytest.mark.parametrize(
    ("keyword", "title", "expected"),
    [
        ("oil", "Oil prices rise", True),
        ("oil", "OIL", True),
        ("oil", "crude-oil", True),
        ("oil", "oil.", True),
        ("oil", "toil", False),
        ("oil", "boiling", False),
        ("oil", "oils", False),
        ("oil", "oil_price", False),
        ("OPEC", "opec meets", True),
        ("iPhone", "بـiPhone جديد", True),  # Arabic prefix joined by tatweel
        ("U.S.", "U.S. sanctions", True),
    ],
)
def test_latin_keywords(keyword: str, title: str, expected: bool) -> None:
    assert _matches(keyword, title) is expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("الرسوم الجمركية", True),
        ("والرسوم الجمركية", True),
        ("بالرسوم  الجمركية", True),  # two spaces
        ("للرسوم الجمركية", True),
        ("الرسومُ الجمركيةِ الجديدة", True),
        ("الرسوم والجمركية", False),  # prefix only on the first word
        ("الرسوم الجديدة الجمركية", False),
        ("الجمركية الرسوم", False),
        ("الرسوم الجمركيات", False),
    ],
)
def test_phrase_keyword(title: str, expected: bool) -> None:
    assert _matches("الرسوم الجمركية", title) is expected


def test_phrase_does_not_span_title_and_summary() -> None:
    matcher = TopicMatcher.compile([TopicConfig("t", "T", keywords=("oil prices",))])
    assert matcher.topics_for("oil", "prices", "s") == ()
    assert matcher.topics_for("news", "oil prices up", "s") == ("t",)


# --------------------------------------------------------------------------------------------
# Rules of a topic


TOPICS = (
    TopicConfig("syria", "Syria", keywords=("سوريا", "دمشق")),
    TopicConfig("tariffs", "Tariffs", all_of=("الرسوم", "أمريكا")),
    TopicConfig("energy", "Energy", keywords=("النفط", "oil"), exclude=("زيت الزيتون", "olive")),
    TopicConfig("iran", "Iran", regex=(r"[أإ]يران", r"tehran\b")),
    TopicConfig("enab", "Enab only", sources=("enab",)),
    TopicConfig("enab-syria", "Syria at Enab", keywords=("سوريا",), sources=("enab",)),
    TopicConfig("misc", "Other"),
)


@pytest.fixture(scope="module")
def matcher() -> TopicMatcher:
    return TopicMatcher.compile(TOPICS, catch_all="misc")


@pytest.mark.parametrize(
    ("title", "summary", "source", "expected"),
    [
        ("اتفاق في سوريا", None, "bbc", ("syria",)),
        ("اتفاق في دمشق", None, "bbc", ("syria",)),
        ("خبر", "وصل الوفد إلى دمشق", "bbc", ("syria",)),  # keyword in the summary
        # all_of: every term, in title or summary
        ("الرسوم على أمريكا", None, "bbc", ("tariffs",)),
        ("الرسوم", "قرار من أمريكا", "bbc", ("tariffs",)),
        ("الرسوم الجديدة", None, "bbc", ("misc",)),
        # exclude
        ("أسعار النفط", None, "bbc", ("energy",)),
        ("أسعار النفط وزيت الزيتون", None, "bbc", ("misc",)),
        ("Oil and olive prices", None, "bbc", ("misc",)),
        # regex: against the original text, case-insensitive
        ("إيران تعلن", None, "bbc", ("iran",)),
        ("News from TEHRAN", None, "bbc", ("iran",)),
        ("News from Tehrani", None, "bbc", ("misc",)),
        # regex also tried on the normalised text: diacritics in the page do not hide a match
        ("إِيران", None, "bbc", ("iran",)),
        ("ايران\u200f تعلن", None, "bbc", ("misc",)),  # bare alef: [أإ] does not fold
        ("News from Tehran", "not in title", "bbc", ("iran",)),
        # sources: a topic with only sources takes every item of those sources
        ("أي خبر", None, "enab", ("enab",)),
        ("سوريا", None, "enab", ("syria", "enab", "enab-syria")),  # config order
        ("سوريا", None, "bbc", ("syria",)),
        # several topics, in config order
        ("النفط في سوريا", None, "bbc", ("syria", "energy")),
        # nothing matched: catch-all
        ("خبر عادي", None, "bbc", ("misc",)),
        ("", None, "bbc", ("misc",)),
    ],
)
def test_topic_rules(
    matcher: TopicMatcher, title: str, summary: str | None, source: str, expected: tuple[str, ...]
) -> None:
    assert matcher.topics_for(title, summary, source) == expected


def test_without_catch_all_nothing_matched_is_empty() -> None:
    matcher = TopicMatcher.compile(TOPICS[:3])
    assert matcher.topics_for("خبر عادي", None, "bbc") == ()


def test_catch_all_not_in_topics_is_still_used() -> None:
    matcher = TopicMatcher.compile(TOPICS[:1], catch_all="other")
    assert matcher.topics_for("خبر", None, "bbc") == ("other",)
    assert matcher.topics_for("سوريا", None, "bbc") == ("syria",)


@pytest.mark.parametrize(
    ("topic", "title", "expected"),
    [
        # keywords OR regex, and all_of, and not exclude
        (TopicConfig("t", "T", keywords=("oil",), regex=("gas",)), "gas news", True),
        (TopicConfig("t", "T", keywords=("oil",), all_of=("price",)), "oil news", False),
        (TopicConfig("t", "T", keywords=("oil",), all_of=("price",)), "oil price", True),
        (TopicConfig("t", "T", regex=("oil",), exclude=("olive",)), "olive oil", False),
        # a regex written against the folded form finds the written forms too
        (TopicConfig("t", "T", regex=("ايران",)), "إِيرانُ", True),
        (TopicConfig("t", "T", regex=(r"^oil",)), "Oil first", True),
        (TopicConfig("t", "T", regex=(r"\bسوريا\b",)), "سوريّا", True),
        # no rule at all: every item except the excluded
        (TopicConfig("t", "T", exclude=("sport",)), "anything", True),
        (TopicConfig("t", "T", exclude=("sport",)), "sport results", False),
        # a keyword that normalises to nothing never matches (it does not make a match-all)
        (TopicConfig("t", "T", keywords=("\u064e",)), "anything", False),
        (TopicConfig("t", "T", keywords=("\u064e", "oil")), "oil", True),
        (TopicConfig("t", "T", all_of=("\u200f",)), "anything", False),
        (TopicConfig("t", "T", keywords=("oil",), exclude=("\u064e",)), "oil", True),
    ],
)
def test_rule_combinations(topic: TopicConfig, title: str, expected: bool) -> None:
    assert (TopicMatcher.compile([topic]).topics_for(title, None, "s") == ("t",)) is expected


def test_invalid_regex_names_the_topic() -> None:
    with pytest.raises(ValueError, match="'bad'"):
        TopicMatcher.compile([TopicConfig("bad", "Bad", regex=("(",))])


def test_display_text_is_unchanged(matcher: TopicMatcher) -> None:
    title = "إِيرانُ\u200f والـنفط ٢٠٢٤"
    summary = "Oil PRICES"
    before = (title, summary)
    matcher.topics_for(title, summary, "bbc")
    assert (title, summary) == before  # str is immutable; this documents that no copy is shown
    assert normalize_for_match(title) != title


def test_many_items_are_fast() -> None:
    keywords = tuple(f"كلمة{i}" for i in range(200))
    topics = [TopicConfig(f"t{i}", "T", keywords=keywords) for i in range(20)]
    matcher = TopicMatcher.compile(topics)
    start = time.perf_counter()
    for i in range(2000):
        matcher.topics_for(f"عنوان خبر رقم {i} عن الاقتصاد والسياسة", "ملخص الخبر", "s")
    assert time.perf_counter() - start < 5


def test_regex_texts_are_made_only_when_a_topic_has_a_regex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import feedsmith.topics as topics_module

    calls: list[str] = []
    real = topics_module.strip_marks
    monkeypatch.setattr(topics_module, "strip_marks", lambda text: calls.append(text) or real(text))
    keywords = TopicMatcher.compile([TopicConfig("oil", "Oil", keywords=("النفط",))])
    assert keywords.topics_for("أسعار النفط", "ملخص", "s") == ("oil",)
    assert calls == []
    both = TopicMatcher.compile(
        [
            TopicConfig("oil", "Oil", keywords=("النفط",)),
            TopicConfig("iran", "Iran", regex=("[أإ]يران",)),
        ]
    )
    assert both.topics_for("إِيران والنفط", None, "s") == ("oil", "iran")
    assert calls == ["إِيران والنفط"]
