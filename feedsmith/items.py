"""Reading items out of page elements: selectors, one headline item per element, tickers.

Shared by the two ways ``feedsmith.extract`` reads an HTML page: configured selectors, and the
automatic detection in ``feedsmith.detect``.  ``compile_selector`` turns a CSS selector (with an
optional ``@attr``) or an XPath into a compiled ``Selector``; ``item_from`` reads an element into
an ``ExtractedItem`` (title, link, date, image, summary: a sub-selector where configured, else
the defaults ``feedsmith.extract.extract`` documents); ``read_ticker`` reads a ticker element as
per-headline children or as one glued strip.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cssselect import HTMLTranslator, SelectorError
from lxml import etree

from feedsmith.article import (
    CHROME_PHRASES,
    clean_text,
    drop_keep_tail,
    element_text,
    first_srcset_url,
    image_url,
    is_chrome_line,
    normalise_chrome,
    resolve_url,
)
from feedsmith.dates import parse_date
from feedsmith.models import ExtractedItem, SourceConfig

log = logging.getLogger(__name__)

__all__ = [
    "IMGS",
    "LINKS",
    "TIMES",
    "Selector",
    "compile_selector",
    "dedupe",
    "default_title",
    "describe",
    "headline_like",
    "item_from",
    "read_ticker",
    "select",
]

_XPATH_START = ("/", "./", "(")
_ATTR_SUFFIX = re.compile(r"^(?P<css>.*?)\s*@(?P<attr>[A-Za-z_][\w:.-]*)$")
_FIRST_HEADING = etree.XPath("(.//h1 | .//h2 | .//h3 | .//h4)")
LINKS = etree.XPath(".//a[@href] | self::a[@href]")
TIMES = etree.XPath(
    ".//time | .//*[@itemprop='datePublished']"
    " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' date ')]"
)
IMGS = etree.XPath(".//img")
_PARAS = etree.XPath(".//p")
_HAS_DIGIT = re.compile(r"\d")

_TICKER_LABELS = frozenset(
    s.casefold()
    for s in (
        "عاجل", "عاجل:", "خبر عاجل", "أخبار عاجلة", "الأخبار العاجلة", "آخر الأخبار", "اخر الأخبار",
        "breaking", "breaking news", "latest", "latest news", "urgent",
    )
)  # fmt: skip

# A headline runs 3–25 words (tuned on tests/pages and samples/).
_MIN_WORDS, _MAX_WORDS = 3, 25

# --- selectors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selector:
    xpath: etree.XPath
    attr: str | None  # "img@src": read this attribute of each match


@functools.lru_cache(maxsize=256)
def compile_selector(selector: str, relative: bool) -> Selector:
    """Compile a CSS selector or XPath once; raises ValueError with a readable message."""
    selector = selector.strip()
    if not selector:
        raise ValueError("empty selector")
    if selector.startswith(_XPATH_START):
        if relative and selector.startswith("/"):
            selector = "." + selector  # "//img" inside an item means "under this item"
        try:
            return Selector(etree.XPath(selector), None)
        except etree.XPathSyntaxError as exc:
            raise ValueError(f"invalid XPath {selector!r}: {exc}") from None
    attr = None
    match = _ATTR_SUFFIX.match(selector)
    if match:
        selector, attr = match["css"].strip(), match["attr"]
    if not selector:
        return Selector(etree.XPath("self::*"), attr)
    try:
        # descendant-or-self: a sub-selector may name the item element itself ("a" on <a> items)
        xpath = HTMLTranslator().css_to_xpath(selector, prefix="descendant-or-self::")
        return Selector(etree.XPath(xpath), attr)
    except (SelectorError, etree.XPathSyntaxError) as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None


def select(el: etree._Element, selector: Selector) -> list[etree._Element | str]:
    try:
        found = selector.xpath(el)
    except etree.XPathEvalError as exc:
        log.debug("selector failed: %s", exc)
        return []
    if not isinstance(found, list):
        found = [found] if found not in (None, "") else []
    out: list[etree._Element | str] = []
    for value in found:
        if isinstance(value, etree._Element):
            if selector.attr is None:
                out.append(value)
            elif value.get(selector.attr) is not None:
                out.append(value.get(selector.attr, ""))
        elif isinstance(value, str | bytes | int | float):
            out.append(str(value))
    return out


# --- items --------------------------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def headline_like(text: str) -> bool:
    return (
        _MIN_WORDS <= _words(text) <= _MAX_WORDS
        and len(text) >= 12
        and normalise_chrome(text) not in CHROME_PHRASES
    )


def _link_of(el: etree._Element, base: str) -> str | None:
    for a in LINKS(el):
        url = resolve_url(a.get("href"), base)
        if url:
            return url
    return None


def default_title(el: etree._Element, base: str) -> tuple[str, str | None]:
    """Title and link of an item element: its first heading (and the link in or around it),
    else its first link with text, else its own text."""
    for heading in _FIRST_HEADING(el):
        text = element_text(heading)
        if text:
            link = _link_of(heading, base)
            if link is None:
                around = next((a for a in heading.iterancestors("a") if a.get("href")), None)
                link = resolve_url(around.get("href"), base) if around is not None else None
            return text, link or _link_of(el, base)
    for a in LINKS(el):
        text = element_text(a)
        if text and normalise_chrome(text) not in CHROME_PHRASES:
            return text, resolve_url(a.get("href"), base)  # None for javascript: and the like
    return element_text(el), _link_of(el, base)


def _date_in(el: etree._Element, timezone: str, title: str = ""):  # -> datetime | None
    """``<time datetime>``, an itemprop/class date, else a short text with a digit in it."""
    for node in TIMES(el):
        for value in (node.get("datetime"), node.get("content"), element_text(node)):
            if value:
                parsed = parse_date(value, timezone=timezone)
                if parsed:
                    return parsed
    for node in el.iter():
        if not isinstance(node.tag, str) or node.tag == "a":
            continue
        for text in (node.text, node.tail if node is not el else None):
            text = clean_text(text)
            if text and text != title and _words(text) <= 10 and _HAS_DIGIT.search(text):
                parsed = parse_date(text, timezone=timezone)
                if parsed:
                    return parsed
    return None


def _image_in(el: etree._Element, base: str) -> str | None:
    for img in IMGS(el):
        url = image_url(img, base)
        if url:
            return url
    return None


def _summary_in(el: etree._Element, title: str) -> str | None:
    for p in _PARAS(el):
        text = element_text(p)
        if text and text != title and not is_chrome_line(text):
            return text
    return None


def _value(found: list[etree._Element | str], field: str, base: str, timezone: str):
    """Turn what a sub-selector matched into the field's value (first usable match)."""
    for value in found:
        if isinstance(value, str):
            if field == "link":
                result = resolve_url(value, base)
            elif field == "image":
                result = resolve_url(first_srcset_url(value) if "," in value else value, base)
            elif field == "date":
                result = parse_date(value, timezone=timezone)
            else:
                result = clean_text(value)
        elif field == "link":
            result = resolve_url(value.get("href"), base) or _link_of(value, base)
        elif field == "image":
            result = image_url(value, base) if value.tag == "img" else _image_in(value, base)
        elif field == "date":
            result = _date_in(value, timezone) or parse_date(
                value.get("datetime") or value.get("content") or element_text(value),
                timezone=timezone,
            )
        else:
            result = element_text(value)
        if result:
            return result
    return None


def item_from(
    el: etree._Element,
    source: SourceConfig | None,
    base: str,
    timezone: str,
    default: tuple[str, str | None] | None = None,
) -> ExtractedItem | None:
    """The item of one element; ``default`` is its :func:`default_title` when known."""

    def sub(field: str):
        selector = getattr(source, field, None) if source else None
        if not selector:
            return None
        return _value(select(el, compile_selector(selector, True)), field, base, timezone)

    title, link = default or default_title(el, base)
    title = sub("title") or title
    if not title:
        return None
    link = sub("link") or link
    published = sub("date") if source and source.date else _date_in(el, timezone, title)
    image = sub("image") if source and source.image else _image_in(el, base)
    summary = sub("summary") if source and source.summary else _summary_in(el, title)
    return ExtractedItem(title=title, link=link, summary=summary, published=published, image=image)


def dedupe(items: Iterable[ExtractedItem]) -> tuple[ExtractedItem, ...]:
    """Drop repeats: the same link, or a link-less item whose title was already seen."""
    links: set[str] = set()
    seen_titles: set[str] = set()
    out = []
    for item in items:
        if (item.link and item.link in links) or (not item.link and item.title in seen_titles):
            continue
        if item.link:
            links.add(item.link)
        seen_titles.add(item.title)
        out.append(item)
    return tuple(out)


# --- tickers ------------------------------------------------------------------------------------


def _ticker_children(el: etree._Element, base: str) -> list[ExtractedItem]:
    """Per-headline children of a ticker element: links (or list items) with text.

    Two or more, or a single link that holds nearly all of the ticker's text.
    """
    items = []
    for a in LINKS(el):
        text, url = element_text(a), resolve_url(a.get("href"), base)
        if text and _words(text) >= 2 and normalise_chrome(text) not in _TICKER_LABELS:
            items.append(ExtractedItem(title=text, link=url))
    if len(items) == 1 and len(items[0].title) < 0.8 * len(_ticker_text(el)):
        items = []
    if items:
        return items
    lis = [element_text(li) for li in el.iter("li")]
    lis = [t for t in lis if t and normalise_chrome(t) not in _TICKER_LABELS]
    return [ExtractedItem(title=t) for t in lis] if len(lis) >= 2 else []


def _ticker_text(el: etree._Element) -> str:
    """The element's text without its label ("عاجل", "Breaking news")."""
    clone = copy.deepcopy(el)
    clone.tail = None
    for child in list(clone.iterdescendants()):
        if not isinstance(child.tag, str):
            continue
        text = normalise_chrome(element_text(child))
        hinted = re.search(r"label|title|head", child.get("class", ""), re.I)
        if text in _TICKER_LABELS or (hinted and _words(text) <= 4):
            drop_keep_tail(child)
    text = element_text(clone)
    label = next((lab for lab in _TICKER_LABELS if text.casefold().startswith(lab + " ")), None)
    return text[len(label) :].strip(" :-–|") if label else text


def read_ticker(
    el: etree._Element, base: str, notes: list[str]
) -> tuple[list[ExtractedItem], str | None]:
    children = _ticker_children(el, base)
    if children:
        notes.append(
            f"ticker {describe(el)} has {len(children)} headline link(s): used them instead"
            " of its text"
        )
        return children, None
    text = _ticker_text(el)
    return [], text or None


def describe(el: etree._Element) -> str:
    attrs = "".join(f" {k}='{el.get(k)}'" for k in ("id", "class") if el.get(k))
    return f"<{el.tag}{attrs}>"
