"""Property tests on hostile input for the splitter, the extractor and the renderer.

Generated text mixes arbitrary Unicode with what scraped pages really carry and what breaks
XML: control characters (C0 and C1), lone surrogates, bidi and zero-width marks, Arabic letters
with diacritics and tatweel, and odd line separators. Each stage must never crash, and:

* the splitter returns stripped, non-empty headlines that together keep every non-space
  character of the strip, in order;
* the extractor returns items with text titles and only http(s) links (or none), whatever the
  markup (unbalanced, truncated, nested far too deep);
* the renderer's feeds stay well-formed: lxml parses them, feedparser reports bozo == 0, the
  JSON loads, and the offline validator (the build's gate before publishing) finds nothing.

Sizes that generation cannot reach (1 MB strings, 100,000 nested elements) are explicit tests.
Example counts are modest so this file runs in a few seconds.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedsmith.errors import ExtractError
from feedsmith.extract import extract
from feedsmith.identity import make_guid
from feedsmith.models import (
    Config,
    ExtractedItem,
    Extraction,
    FeedSpec,
    Item,
    Page,
    SiteConfig,
    SiteData,
    SourceConfig,
    SourceStatus,
    TopicConfig,
)
from feedsmith.render import feed_url, render_site
from feedsmith.split import split_headlines
from feedsmith.validate import validate_feed

BASE = "https://user.github.io/akhbar/"
BUILT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MEGABYTE = 1_000_000
UNCLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# --- text strategies ----------------------------------------------------------------------------

BIDI_MARKS = (
    "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\ufeff\u2060"
)
CONTROLS = "".join(map(chr, range(32))) + "".join(map(chr, range(0x7F, 0xA0)))
SEPARATORS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u00a0\u1680\u2000\u2028\u2029\u3000"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىةـ" + "ًٌٍَُِّْ" + "٠١٢٣٤٥٦٧٨٩۰۱۲" + "،؛؟" + "ﻻﷺ"
PUNCTUATION = ".,!?:;\"'«»“”()[]{}<>&-–—…|/\\#%@*"
NONCHARACTERS = "\ufffe\uffff\U0001fffe\U0010ffff\ufffd"

hostile_chars = st.one_of(
    st.characters(),  # anything but surrogates
    st.characters(categories=["Cs"]),  # lone surrogates
    st.sampled_from(BIDI_MARKS + CONTROLS + SEPARATORS + NONCHARACTERS),
    st.sampled_from(ARABIC + PUNCTUATION),
)
hostile_text = st.text(alphabet=hostile_chars, max_size=200)

ARABIC_WORDS = [
    "سوريا",
    "الحكومة",
    "اتفاق",
    "النفط",
    "الغاز",
    "استقالة",
    "رئيسًا",
    "قراءة",
    "إجراءات",
    "الـ30",
    "بـ",
    "عاجل:",
    "دمشق",
    "حلب",
]
LATIN_WORDS = ["Markets", "rally", "NATO", "Leaders", "iPhone", "U.S.", "£1bn", "3.2%", "OpenAI"]
word = st.one_of(st.sampled_from(ARABIC_WORDS + LATIN_WORDS), hostile_text.map(lambda s: s[:12]))
joiner = st.sampled_from(["", " ", "", "؟", "?", "..", "\u200f", "\n", " - ", "ًا", "\x00"])
# A ticker strip: words glued together or joined by the cues the splitter looks for.
strips = st.lists(st.tuples(word, joiner), max_size=40).map(
    lambda parts: "".join(w + j for w, j in parts)
)


def non_space(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


# --- splitter -----------------------------------------------------------------------------------


def check_split(text: str, lang: str | None, context: str | None = None) -> list[str]:
    headlines = split_headlines(text, lang, context=context)
    assert isinstance(headlines, list)
    for headline in headlines:
        assert isinstance(headline, str)
        assert headline, "an empty headline"
        assert headline == headline.strip(), f"not stripped: {headline!r}"
    assert non_space("".join(headlines)) == non_space(text), "characters lost or reordered"
    return headlines


@settings(max_examples=100, deadline=None)
@given(
    text=st.one_of(hostile_text, strips),
    lang=st.sampled_from([None, "ar", "en", "fr", "ar-SY", "EN_gb", ""]),
    context=st.one_of(st.none(), hostile_text, strips),
)
@example(text="\ud800\udfff\udc00", lang=None, context=None)
@example(text="\u202e\u2066عاجل\u2069\u200fسوريا\u061cاتفاق\u202c", lang="ar", context=None)
@example(text="\x00\x01\x85\u2028\x1c", lang="en", context="\ud83d")
@example(text="ﷺ…..ﻻ" * 20, lang="ar", context=None)
def test_splitter_keeps_every_non_space_character(
    text: str, lang: str | None, context: str | None
) -> None:
    check_split(text, lang or None, context)


def test_splitter_on_one_megabyte_of_glued_arabic() -> None:
    unit = "خلال أقل من شهراستقالة مصطفى من الحكومة؟اتفاق النفط والغاز مع تركياالليرة تتراجع "
    text = (unit * (MEGABYTE // len(unit) + 1))[:MEGABYTE]
    started = time.monotonic()
    headlines = check_split(text, "ar")
    assert len(headlines) > 1000
    assert time.monotonic() - started < 30


def test_splitter_on_one_megabyte_of_hostile_characters() -> None:
    unit = BIDI_MARKS + CONTROLS + "\ud800" + ARABIC + PUNCTUATION + "abc DEF"
    text = (unit * (MEGABYTE // len(unit) + 1))[:MEGABYTE]
    check_split(text, None)


def test_splitter_on_one_megabyte_without_a_space() -> None:
    text = "ا" * MEGABYTE
    assert check_split(text, "ar") == [text]


# --- extractor ----------------------------------------------------------------------------------

TAGS = [
    "div", "p", "ul", "ol", "li", "a", "h1", "h2", "h3", "span", "article", "section", "nav",
    "header", "footer", "main", "aside", "time", "img", "br", "script", "style", "table", "tr",
    "td", "b", "marquee", "template", "noscript", "svg", "math", "iframe", "form", "base", "meta",
    "title", "body", "html", "head", "object", "select", "textarea", "x-custom",
]  # fmt: skip
ATTRIBUTE_NAMES = [
    "class", "id", "href", "src", "srcset", "data-src", "datetime", "content",
    "dir", "lang", "role", "onclick", "style", "width", "height", "itemprop",
]  # fmt: skip
ATTRIBUTE_VALUES = [
    "news", "ticker", "latest", "breaking", "nav", "sidebar", "date", "title", "main-nav",
    "/news/1", "javascript:alert(1)", "JaVa\tScRiPt:alert(1)", "file:///etc/passwd",
    "https://مثال.example/أخبار?q=سوريا", "http://[::1", "//cdn.example/x.jpg", "#top",
    "data:text/html,<script>alert(1)</script>", "2026-11-30T10:00:00+03:00", "1", "0",
    "https://a.example/x.jpg 1x, https://a.example/y.jpg 2x", "مرحبا", "",
]  # fmt: skip


def _attribute_value(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


attributes = st.lists(
    st.tuples(
        st.sampled_from(ATTRIBUTE_NAMES),
        st.one_of(st.sampled_from(ATTRIBUTE_VALUES), hostile_text),
    ),
    max_size=3,
).map(lambda pairs: "".join(f' {n}="{_attribute_value(v)}"' for n, v in pairs))
# Leaves: text escaped properly, or raw (stray "<" and "&" make broken markup).
leaves = st.one_of(hostile_text.map(_escape), hostile_text, strips.map(_escape))


def _element(parts: tuple[str, str, list[str], bool]) -> str:
    tag, attrs, children, closed = parts
    return f"<{tag}{attrs}>{''.join(children)}" + (f"</{tag}>" if closed else "")


html_fragments = st.recursive(
    leaves,
    lambda inner: st.tuples(
        st.sampled_from(TAGS), attributes, st.lists(inner, max_size=5), st.booleans()
    ).map(_element),
    max_leaves=30,
)
html_pages = st.tuples(
    st.sampled_from(["", "<!DOCTYPE html>", "<?xml version='1.0'?>", "\ufeff", "<!--"]),
    st.lists(html_fragments, min_size=1, max_size=4).map("".join),
    st.one_of(st.none(), st.floats(0, 1)),  # truncate at this fraction of the page
).map(lambda t: (t[0] + t[1])[: int(len(t[0] + t[1]) * t[2])] if t[2] is not None else t[0] + t[1])

SOURCES = [
    SourceConfig(name="auto"),
    SourceConfig(name="items", items="li"),
    SourceConfig(name="ticker", ticker=".ticker, marquee"),
    SourceConfig(
        name="subs",
        items="li, article",
        title="a",
        link="a@href",
        summary="p",
        date="time@datetime",
        image="img",
        timezone="Asia/Damascus",
    ),
    SourceConfig(name="xpath", items="//div[@class='news']/*", link=".//@href"),
    SourceConfig(name="both", items=".news li", ticker=".ticker"),
]


def check_extraction(page: Page, source: SourceConfig) -> Extraction | None:
    try:
        extraction = extract(page, source)
    except ExtractError:
        return None  # allowed for text that is not a document (binary-looking)
    assert isinstance(extraction, Extraction)
    for item in extraction.items:
        assert isinstance(item, ExtractedItem)
        assert isinstance(item.title, str) and item.title.strip()
        # Cleaned at the source: no control characters, lone surrogates or noncharacters.
        assert not UNCLEAN.search(item.title), f"unclean title {item.title!r}"
        for url in (item.link, item.image):
            if url is not None:
                scheme = urlsplit(url).scheme.lower()
                assert scheme in ("http", "https", "file"), f"unsafe URL {url!r}"
        if item.published is not None:
            assert item.published.tzinfo is not None
    for strip in extraction.strips:
        assert isinstance(strip, str)
    return extraction


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=html_pages,
    source=st.sampled_from(SOURCES),
    content_type=st.sampled_from(["text/html", "application/xhtml+xml", "text/plain"]),
)
@example(
    text="<ul><li><a href='/a'>\ud800 \x00 عنوان \u202e",
    source=SOURCES[1],
    content_type="text/html",
)
@example(text="<div class='ticker'>عاجل" + "\x01" * 9, source=SOURCES[2], content_type="text/html")
def test_extract_never_crashes_on_generated_html(
    text: str, source: SourceConfig, content_type: str
) -> None:
    page = Page(url="https://news.example/ar/", text=text, content_type=content_type)
    check_extraction(page, source)


@settings(max_examples=50, deadline=None)
@given(text=st.one_of(hostile_text, strips, st.lists(strips, max_size=6).map("\n\n".join)))
def test_extract_never_crashes_on_generated_text_pages(text: str) -> None:
    page = Page(url="https://news.example/ticker.txt", text=text, content_type="text/plain")
    check_extraction(page, SourceConfig(name="text"))


def _nested(depth: int, tag: str = "div", inner: str = "") -> str:
    return f"<{tag}>" * depth + inner + f"</{tag}>" * depth


HEADLINES = "".join(f"<li><a href='/n/{i}'>عنوان الخبر رقم {i} اليوم</a></li>" for i in range(5))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_nested(100_000, inner=f"<ul>{HEADLINES}</ul>"), id="100k-divs"),
        pytest.param(_nested(20_000, "ul", HEADLINES), id="20k-lists"),
        pytest.param("<div>" * 100_000, id="100k-unclosed"),
        pytest.param("<a href='/x'>" * 20_000 + "نص", id="20k-links"),
        pytest.param("<table><tr><td>" * 10_000, id="10k-tables"),
        pytest.param(_nested(50_000, "span") * 3, id="siblings"),
    ],
)
@pytest.mark.parametrize("source", SOURCES[:4], ids=lambda s: s.name)
def test_extract_survives_deep_nesting(text: str, source: SourceConfig) -> None:
    started = time.monotonic()
    check_extraction(Page(url="https://news.example/", text=text), source)
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("source", SOURCES[:4], ids=lambda s: s.name)
def test_extract_one_megabyte_headline_and_page(source: SourceConfig) -> None:
    long_title = ("عاجل\u200f: سوريا " * (MEGABYTE // 13))[:MEGABYTE]
    text = (
        f"<html><body><div class='ticker'>{long_title}</div><ul class='news'>"
        f"<li><a href='/1'>{long_title}</a><p>{long_title}</p></li>{HEADLINES}</ul></body></html>"
    )
    started = time.monotonic()
    extraction = check_extraction(Page(url="https://news.example/", text=text), source)
    assert extraction is not None
    assert time.monotonic() - started < 30


def test_extract_one_megabyte_text_page() -> None:
    text = ("سوريا اتفاق النفط\u202e\u200f؟" * (MEGABYTE // 18))[:MEGABYTE]
    page = Page(url="https://news.example/t.txt", text=text, content_type="text/plain")
    check_extraction(page, SourceConfig(name="text"))


@pytest.mark.parametrize("cut", [1, 7, 50, 200, 333, 600, -1])
def test_extract_truncated_real_pages(cut: int) -> None:
    folder = Path(__file__).parent / "pages"
    for path in sorted(folder.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        truncated = text[: len(text) * cut // 1000] if cut > 0 else text[:-1]
        check_extraction(Page(url="https://news.example/", text=truncated), SourceConfig("auto"))


# --- renderer -----------------------------------------------------------------------------------

LINKS = [
    "https://enab.example/أخبار/2?q=سوريا&utm_source=x#frag",
    "http://Example.COM:80/a b/ç?x=1&y=%zz",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "//protocol-relative.example/x",
    "/relative/path",
    "https://مثال.إختبار/مسار",
    "https://xn--.example/",
    "https://host.example/\x00\x0b\ud800",
    "http://exa\u202emple.com/",
    "",
    " ",
]
TOPICS = (
    TopicConfig(slug="politics", title="سياسة \u202e <b>bold</b>", description="\x00desc"),
    TopicConfig(slug="economy", title="اقتصاد & <script>x</script>"),
)

links = st.one_of(st.sampled_from(LINKS), hostile_text)
_NETLOC_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:@!$&'()*+,;=%\[\]]*")


dates = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@st.composite
def items(draw: st.DrawFn, index: int = 0) -> Item:
    title = draw(st.one_of(hostile_text, strips))
    link = draw(st.one_of(st.none(), links))
    source = draw(st.sampled_from(["enab", "src.with.dots", "s-1_2"]))
    guid, guid_is_link = make_guid(source, link, title)
    image = draw(st.one_of(st.none(), links))
    content_html = draw(st.one_of(st.none(), html_fragments, hostile_text))
    first_seen = BUILT - timedelta(minutes=draw(st.integers(0, 60 * 24 * 40)))
    return Item(
        guid=guid,
        source=source,
        title=title,
        link=link or "",
        first_seen=first_seen,
        last_seen=BUILT,
        published=draw(st.one_of(st.none(), dates)),
        summary=draw(st.one_of(st.none(), hostile_text)),
        content_html=content_html,
        image=image,
        author=draw(st.one_of(st.none(), hostile_text)),
        topics=tuple(draw(st.lists(st.sampled_from(["politics", "economy"]), unique=True))),
        guid_is_link=guid_is_link,
    )


def site_data(
    item_list: list[Item], site_title: str = "أخبار \u202eسوريا", **site: object
) -> SiteData:
    config = Config(
        path=Path("/nonexistent/feeds.yaml"),
        site=SiteConfig(
            title=site_title,
            base_url=BASE,
            language="ar",
            author="",
            **site,  # type: ignore[arg-type]
        ),
        sources=(SourceConfig(name="enab", url="https://enab.example/"),),
        topics=TOPICS,
    )
    specs = [FeedSpec("all", site_title, items=tuple(item_list), kind="all")]
    for topic in TOPICS:
        chosen = tuple(i for i in item_list if topic.slug in i.topics)
        specs.append(FeedSpec(topic.slug, topic.title, items=chosen, kind="topic"))
    specs.append(
        FeedSpec(
            "source-enab",
            "enab",
            items=tuple(i for i in item_list if i.source == "enab"),
            kind="source",
        )
    )
    statuses = (
        SourceStatus("enab", True, BUILT, item_count=len(item_list)),
        SourceStatus("bad", False, None, "HTTP 503 <script>alert(1)</script>\x00\ud800", BUILT),
    )
    return SiteData(config=config, feeds=tuple(specs), sources=statuses, built=BUILT)


KINDS = {".xml": "rss", ".atom": "atom", ".json": "json"}


def check_site(files: dict[str, bytes], feedparser_for: str | None = None) -> None:
    """Every feed parses and validates, every page parses; feedparser (slow on megabytes) runs
    on every XML feed, or only on ``feeds/<feedparser_for>.*`` when that is given."""
    problems: list[str] = []
    for path, data in files.items():
        suffix = Path(path).suffix
        if path.startswith("feeds/") and suffix in KINDS:
            kind = KINDS[suffix]
            if kind == "json":
                json.loads(data.decode("utf-8"))
            else:
                etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))
                if feedparser_for is None or Path(path).stem == feedparser_for:
                    parsed = feedparser.parse(data)
                    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')!r}"
            problems += validate_feed(
                data, kind=kind, url=feed_url(BASE, Path(path).stem, kind), base_url=BASE, now=BUILT
            )
        elif path.endswith(".html"):
            document = lxml.html.document_fromstring(data)
            for script in document.iter("script"):
                assert "alert" not in (script.text or ""), f"{path}: scraped text ran as script"
            assert not any(name.startswith("on") for el in document.iter() for name in el.attrib), (
                f"{path}: an event attribute"
            )
        elif path.endswith((".opml", ".xsl")):
            etree.fromstring(data, etree.XMLParser(resolve_entities=False))
    assert problems == [], problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_list=st.lists(items(), max_size=6), site_title=hostile_text)
def test_render_keeps_feeds_well_formed(item_list: list[Item], site_title: str) -> None:
    # A title with nothing printable is a known bug: see test_render_a_site_title_of_control_chars
    check_site(render_site(site_data(item_list, site_title)))


def _item(**fields: object) -> Item:
    values: dict[str, object] = {
        "guid": "urn:feedsmith:enab:1",
        "source": "enab",
        "title": "عنوان",
        "link": "https://enab.example/1",
        "first_seen": BUILT - timedelta(hours=1),
        "last_seen": BUILT,
        "topics": ("politics",),
    }
    values.update(fields)
    return Item(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field", ["title", "summary", "content_html", "author", "link", "image", "source"]
)
def test_render_one_megabyte_fields(field: str) -> None:
    # Few tags: the topic page's `striptags` is quadratic in the number of tags (reported).
    unit = "سوريا \u202e<b>&amp;</b>\x00\ud800 عاجل: " + "نص الخبر " * 40
    value = (unit * (MEGABYTE // len(unit) + 1))[:MEGABYTE]
    if field in ("link", "image"):
        value = "https://enab.example/" + value
    started = time.monotonic()
    files = render_site(site_data([_item(**{field: value}, topics=())]))
    assert time.monotonic() - started < 30
    check_site(files, feedparser_for="all")


def test_render_extracted_items_stay_well_formed() -> None:
    """The extractor's output on a hostile page goes through the renderer unharmed."""
    page = Page(
        url="https://news.example/",
        text="<ul>"
        + "".join(
            f"<li><a href='/n/{i}'>{_escape(t)}</a><p>{_escape(t)}</p></li>"
            for i, t in enumerate(
                [BIDI_MARKS + "عنوان", CONTROLS + "title", "\ud800x", "<script>alert(1)</script>"]
            )
        )
        + "</ul>",
    )
    extraction = check_extraction(page, SourceConfig(name="enab", items="li"))
    assert extraction is not None and len(extraction.items) == 4
    found = [
        _item(guid=make_guid("enab", e.link, e.title)[0], title=e.title, link=e.link or "")
        for e in extraction.items
    ]
    check_site(render_site(site_data(found)))


# --- regressions: bugs these tests found, fixed ----------------------------------------------


def test_render_a_site_title_of_control_chars() -> None:
    check_site(render_site(site_data([_item()], site_title="\x01\x02")))


@pytest.mark.parametrize("link", ["http://[::1", "https://a.example/\ud800", "http://[x]:y/"])
def test_make_guid_never_raises(link: str) -> None:
    guid, _ = make_guid("enab", link, "عنوان")
    assert guid


@pytest.mark.parametrize("field", ["image", "link"])
def test_render_survives_unparseable_urls(field: str) -> None:
    render_site(site_data([_item(**{field: "http://[::1"})]))


@pytest.mark.parametrize("field", ["image", "link"])
def test_render_encodes_the_userinfo_of_urls(field: str) -> None:
    check_site(render_site(site_data([_item(**{field: "https://user:pa ss@host.example/x.jpg"})])))


@pytest.mark.parametrize("content", ["<html>", "<!DOCTYPE html><html>", "<html></html>"])
def test_render_content_that_is_a_bare_html_tag(content: str) -> None:
    check_site(render_site(site_data([_item(content_html=content)])))
