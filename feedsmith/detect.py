"""Automatic detection: the headline lists, tickers and article of a page with no selectors.

``detect(page, root, source, base, notes)`` takes a parsed page and returns an ``Extraction``;
``feedsmith.extract.extract`` calls it when a source sets neither ``items`` nor ``ticker``.  How
lists are scored and which are kept is in ``detect``'s docstring.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree

from feedsmith.article import PageMeta, element_text, extract_article, read_metadata
from feedsmith.items import (
    IMGS,
    LINKS,
    TIMES,
    dedupe,
    default_title,
    describe,
    headline_like,
    item_from,
    read_ticker,
)
from feedsmith.models import Article, ExtractedItem, Extraction, Page, SourceConfig

log = logging.getLogger(__name__)

__all__ = ["detect"]

# Class/id words that mark page furniture: matched as a dash/underscore-separated part of a
# class or id ("main-nav", "site-footer", "share-buttons", "go-to-top").
_CHROME_HINT = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|menus|footer|breadcrumbs?|share|sharing|social"
    r"|pagination|pager|cookies?|consent|gdpr|tags|copyright|login|subscribe|newsletter"
    r"|top-?bar|scroll-?top|back-?to-?top|go-?top|to-?top|header)(?:$|[\s_-])",
    re.I,
)
# Secondary lists: matched only at the start of a class or id, so that a layout wrapper such as
# "content-sidebar-wrap" (around the main list too) does not count.
_SECONDARY_HINT = re.compile(
    r"(?:^|\s)(?:sidebar|side-bar|aside|most-?read|popular|trending|widget|related"
    r"|recommended|الأكثر)",
    re.I,
)
_TICKER_HINT = re.compile(
    r"ticker|breaking|marquee|news-?bar|urgent|عاجل|scroll-?news|flash-?news", re.I
)
_CHROME_TAGS = frozenset({"nav", "footer", "header", "form", "button", "select"})
_CHROME_ROLES = frozenset({"navigation", "contentinfo", "menu", "menubar", "banner", "search"})
# Tuned on tests/pages and samples/: a list needs 3 headline-like items.
_MIN_ITEMS = 3
_MAX_LINKS_PER_ITEM = 4  # image link + heading link + category/author links
_SECONDARY_FACTOR = 0.3  # "most read" sidebars: real headlines, but old and undated
_KEEP_RATIO = 0.4  # other lists are kept when they score at least this share of the best one
_TICKER_MIN_CHARS = 40
_TICKER_MAX_DESCENDANTS = 40
_TICKER_MAX_DIGITS = 0.15  # currency and weather tickers are mostly figures; headlines are not


def _hints(el: etree._Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _context(el: etree._Element) -> Iterator[etree._Element]:
    """The element and its ancestors up to the page's ``<main>``; never ``<body>``/``<html>``,
    whose classes ("has-sidebar", "nav-open") describe the whole page."""
    for node in (el, *el.iterancestors()):
        if not isinstance(node.tag, str) or node.tag in ("body", "html"):
            return
        yield node
        if node.tag == "main" or node.get("role") == "main":
            return


def _is_chrome(el: etree._Element) -> bool:
    for node in _context(el):
        if node.tag in _CHROME_TAGS or node.get("role", "").lower() in _CHROME_ROLES:
            return True
        if _CHROME_HINT.search(_hints(node)):
            return True
    return False


def _is_secondary(el: etree._Element) -> bool:
    return any(node.tag == "aside" or _SECONDARY_HINT.search(_hints(node)) for node in _context(el))


@dataclass
class _Candidate:
    parent: etree._Element
    members: list[etree._Element]
    score: float
    secondary: bool


_Titles = dict[etree._Element, tuple[str, str | None]]


def _candidates(root: etree._Element, base: str, titles: _Titles) -> list[_Candidate]:
    """Repeated sibling elements that each hold one headline link. The default title and link
    of every member looked at are left in ``titles``, for reading the lists that are kept."""
    found = []
    for parent in root.iter():
        if not isinstance(parent.tag, str) or len(parent) < _MIN_ITEMS:
            continue
        groups: dict[str, list[etree._Element]] = {}
        for child in parent:
            if isinstance(child.tag, str):
                groups.setdefault(child.tag, []).append(child)
        chrome: bool | None = None
        for members in groups.values():
            if len(members) < _MIN_ITEMS:
                continue
            if chrome is None:
                # Menus, footers and share bars first: no need to read their items' titles.
                chrome = _is_chrome(parent)
                if chrome:
                    log.debug("auto: skipped chrome element %s", describe(parent))
            if chrome:
                break
            good = []
            for member in members:
                hrefs = {a.get("href") for a in LINKS(member)}
                if not hrefs or len(hrefs) > _MAX_LINKS_PER_ITEM:
                    continue
                title, link = titles[member] = default_title(member, base)
                if link and headline_like(title):
                    good.append(member)
            if len(good) < _MIN_ITEMS or len(good) < len(members) / 2:
                continue
            dated = sum(1 for m in good if TIMES(m)) / len(good)
            pictured = sum(1 for m in good if IMGS(m)) / len(good)
            score = len(good) * len(good) / len(members) * (1 + 0.5 * dated + 0.3 * pictured)
            secondary = _is_secondary(parent)
            if secondary:
                score *= _SECONDARY_FACTOR
            found.append(_Candidate(parent, good, score, secondary))
    return found


def _find_tickers(root: etree._Element) -> list[etree._Element]:
    tickers: list[etree._Element] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        if el.tag != "marquee" and not _TICKER_HINT.search(_hints(el)):
            continue
        if any(t in tickers for t in el.iterancestors()):
            continue
        size = sum(1 for _ in el.iterdescendants())
        text = element_text(el)
        if size > _TICKER_MAX_DESCENDANTS or len(text) < _TICKER_MIN_CHARS:
            continue
        if sum(ch.isdigit() for ch in text) > len(text) * _TICKER_MAX_DIGITS:
            log.debug("auto: %s looks like a price or weather ticker", describe(el))
            continue
        tickers.append(el)
    return tickers


def _looks_like_article(root: etree._Element, meta: PageMeta) -> bool:
    """JSON-LD says so; or the layout has an article body (several long paragraphs under one
    parent) and an ``<h1>`` or og:type=article."""
    if meta.is_article:
        return True
    if not (meta.og_article or root.xpath("//h1")):
        return False
    totals: dict[etree._Element, list[int]] = {}
    for p in root.iter("p"):
        parent = p.getparent()
        length = len(element_text(p))
        if parent is not None and length >= 60:
            totals.setdefault(parent, []).append(length)
    # Card excerpts sit one per card; prose runs ≥3 paragraphs and ≥500 characters together.
    return any(len(v) >= 3 and sum(v) >= 500 for v in totals.values())


def detect(
    page: Page, root: lxml.html.HtmlElement, source: SourceConfig, base: str, notes: list[str]
) -> Extraction:
    """Automatic detection: the article (if the page is one), headline lists and tickers.

    Lists: every parent with ≥3 same-tag children that each hold 1–4 links and a
    headline-like title (3–25 words, from a heading or a link). Score = good items ×
    share of good items × (1 + 0.5·dated + 0.3·pictured). Lists inside nav/header/footer,
    menus, share bars, cookie notices or pagination are dropped; sidebars ("most read",
    related, widgets, ``<aside>``) are scored ×0.3, so they are kept only on pages whose main
    list is missing or weak, and never on an article page. Every list scoring ≥40% of the
    best is kept (several sections of one homepage), without items a better list took.
    Decision for homepages: the "most read" sidebar is not picked when a main list exists;
    it repeats older stories without dates, and its order changes by the hour.
    Tickers: elements whose class/id says ticker/breaking/marquee/news-bar/عاجل, with a little
    markup and some text: their text is a strip, or their links are items.
    """
    timezone = source.timezone
    meta = read_metadata(root, base, timezone)
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    items: list[ExtractedItem] = []
    strips: list[str] = []
    article: Article | None = None

    if _looks_like_article(root, meta):
        article = extract_article(page, timezone=timezone)
        link = article.canonical or page.url
        if article.title:
            summary = meta.description or (article.text or "").split("\n\n")[0] or None
            items.append(
                ExtractedItem(
                    title=article.title,
                    link=link,
                    summary=summary,
                    published=article.published,
                    image=article.image,
                    content_html=article.body_html,
                    author=article.author,
                )
            )
            notes.append(f"auto: page is an article: {article.title!r}")

    tickers = _find_tickers(root)
    ticker_set = set(tickers)
    titles: _Titles = {}
    candidates = sorted(_candidates(root, base, titles), key=lambda c: -c.score)
    if article is not None:
        # "Related" and "most read" lists around an article are not news of this page.
        candidates = [c for c in candidates if not c.secondary]
    chosen: list[_Candidate] = []
    taken: set[etree._Element] = set()
    best = candidates[0].score if candidates else 0.0
    for cand in candidates:
        if cand.score < best * _KEEP_RATIO:
            log.debug("auto: dropped %s (score %.1f)", describe(cand.parent), cand.score)
            continue
        if any(t in ticker_set for t in (cand.parent, *cand.parent.iterancestors())):
            continue  # read as a ticker below
        fresh = [m for m in cand.members if not any(x in taken for x in (m, *m.iter()))]
        if len(fresh) < _MIN_ITEMS:
            continue
        overlap = any(a in taken for a in cand.parent.iterancestors())
        if overlap:
            continue
        taken.update(fresh)
        taken.update(x for m in fresh for x in m.iterdescendants())
        chosen.append(_Candidate(cand.parent, fresh, cand.score, cand.secondary))
    position = {el: i for i, el in enumerate(root.iter())}
    for cand in sorted(chosen, key=lambda c: position.get(c.parent, 0)):
        found = [item_from(m, None, base, timezone, titles.get(m)) for m in cand.members]
        found_items = [i for i in found if i is not None]
        items.extend(found_items)
        notes.append(
            f"auto: picked {describe(cand.parent)} with {len(found_items)} items"
            f" (score {cand.score:.1f}{', sidebar' if cand.secondary else ''})"
        )
    for ticker in tickers:
        ticker_items, strip = read_ticker(ticker, base, notes)
        items.extend(ticker_items)
        if strip:
            strips.append(strip)
            notes.append(f"auto: ticker {describe(ticker)}: strip of {len(strip)} characters")
    if not items and not strips:
        notes.append("auto: found no headline list, ticker or article")
    return Extraction(
        items=dedupe(items), strips=tuple(strips), article=article, notes=tuple(notes)
    )
