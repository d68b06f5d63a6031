"""The extract stage: a fetched Page in, an Extraction out (headline items, glued text strips,
and the page's main article).

Three ways to read an HTML page, chosen by the source's config:

* **selectors** (``items:``, with optional ``title``/``link``/``summary``/``date``/``image``
  sub-selectors): one item per matched element;
* **ticker** (``ticker:``): the text of an element that holds a glued headline strip goes to
  ``Extraction.strips`` (the build hands strips to the splitter; this stage never splits);
* **automatic** (neither set): the page's headline lists, tickers and article are found by
  scoring the layout (see :func:`_auto`).

Text pages (``text/plain``: a page flattened to text) are read by
:func:`feedsmith.article.split_text_page`. Dates are read by :func:`feedsmith.dates.parse_date`
and article bodies by :func:`feedsmith.article.extract_article`; both are re-exported here.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import lxml.html
from cssselect import HTMLTranslator, SelectorError
from lxml import etree

from feedsmith.article import (
    CHROME_PHRASES,
    PageMeta,
    clean_text,
    document_base,
    drop_keep_tail,
    element_text,
    extract_article,
    first_srcset_url,
    image_url,
    is_chrome_line,
    looks_binary,
    normalise_chrome,
    parse_html,
    read_metadata,
    resolve_url,
    split_text_page,
)
from feedsmith.dates import parse_date
from feedsmith.errors import ExtractError
from feedsmith.models import Article, ExtractedItem, Extraction, Page, SourceConfig

log = logging.getLogger(__name__)

__all__ = ["extract", "extract_article", "parse_date"]

_XPATH_START = ("/", "./", "(")
_ATTR_SUFFIX = re.compile(r"^(?P<css>.*?)\s*@(?P<attr>[A-Za-z_][\w:.-]*)$")
_FIRST_HEADING = etree.XPath("(.//h1 | .//h2 | .//h3 | .//h4)")
_LINKS = etree.XPath(".//a[@href] | self::a[@href]")
_TIMES = etree.XPath(
    ".//time | .//*[@itemprop='datePublished']"
    " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' date ')]"
)
_IMGS = etree.XPath(".//img")
_PARAS = etree.XPath(".//p")
_HAS_DIGIT = re.compile(r"\d")

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
_TICKER_LABELS = frozenset(
    s.casefold()
    for s in (
        "عاجل", "عاجل:", "خبر عاجل", "أخبار عاجلة", "الأخبار العاجلة", "آخر الأخبار", "اخر الأخبار",
        "breaking", "breaking news", "latest", "latest news", "urgent",
    )
)  # fmt: skip

# Tuned on tests/pages and samples/: a headline runs 3–25 words; a list needs 3 such items.
_MIN_WORDS, _MAX_WORDS = 3, 25
_MIN_ITEMS = 3
_MAX_LINKS_PER_ITEM = 4  # image link + heading link + category/author links
_SECONDARY_FACTOR = 0.3  # "most read" sidebars: real headlines, but old and undated
_KEEP_RATIO = 0.4  # other lists are kept when they score at least this share of the best one
_TICKER_MIN_CHARS = 40
_TICKER_MAX_DESCENDANTS = 40
_TICKER_MAX_DIGITS = 0.15  # currency and weather tickers are mostly figures; headlines are not


# --- selectors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Selector:
    xpath: etree.XPath
    attr: str | None  # "img@src": read this attribute of each match


@functools.lru_cache(maxsize=256)
def _compile(selector: str, relative: bool) -> _Selector:
    """Compile a CSS selector or XPath once; raises ValueError with a readable message."""
    selector = selector.strip()
    if not selector:
        raise ValueError("empty selector")
    if selector.startswith(_XPATH_START):
        if relative and selector.startswith("/"):
            selector = "." + selector  # "//img" inside an item means "under this item"
        try:
            return _Selector(etree.XPath(selector), None)
        except etree.XPathSyntaxError as exc:
            raise ValueError(f"invalid XPath {selector!r}: {exc}") from None
    attr = None
    match = _ATTR_SUFFIX.match(selector)
    if match:
        selector, attr = match["css"].strip(), match["attr"]
    if not selector:
        return _Selector(etree.XPath("self::*"), attr)
    try:
        # descendant-or-self: a sub-selector may name the item element itself ("a" on <a> items)
        xpath = HTMLTranslator().css_to_xpath(selector, prefix="descendant-or-self::")
        return _Selector(etree.XPath(xpath), attr)
    except (SelectorError, etree.XPathSyntaxError) as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None


def _select(el: etree._Element, selector: _Selector) -> list[etree._Element | str]:
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


def _headline_like(text: str) -> bool:
    return (
        _MIN_WORDS <= _words(text) <= _MAX_WORDS
        and len(text) >= 12
        and normalise_chrome(text) not in CHROME_PHRASES
    )


def _link_of(el: etree._Element, base: str) -> str | None:
    for a in _LINKS(el):
        url = resolve_url(a.get("href"), base)
        if url:
            return url
    return None


def _default_title(el: etree._Element, base: str) -> tuple[str, str | None]:
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
    for a in _LINKS(el):
        text = element_text(a)
        if text and normalise_chrome(text) not in CHROME_PHRASES:
            return text, resolve_url(a.get("href"), base)  # None for javascript: and the like
    return element_text(el), _link_of(el, base)


def _date_in(el: etree._Element, timezone: str, title: str = ""):  # -> datetime | None
    """``<time datetime>``, an itemprop/class date, else a short text with a digit in it."""
    for node in _TIMES(el):
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
    for img in _IMGS(el):
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


def _item_from(
    el: etree._Element,
    source: SourceConfig | None,
    base: str,
    timezone: str,
    default: tuple[str, str | None] | None = None,
) -> ExtractedItem | None:
    """The item of one element; ``default`` is its :func:`_default_title` when known."""

    def sub(field: str):
        selector = getattr(source, field, None) if source else None
        if not selector:
            return None
        return _value(_select(el, _compile(selector, True)), field, base, timezone)

    title, link = default or _default_title(el, base)
    title = sub("title") or title
    if not title:
        return None
    link = sub("link") or link
    published = sub("date") if source and source.date else _date_in(el, timezone, title)
    image = sub("image") if source and source.image else _image_in(el, base)
    summary = sub("summary") if source and source.summary else _summary_in(el, title)
    return ExtractedItem(title=title, link=link, summary=summary, published=published, image=image)


def _dedupe(items: Iterable[ExtractedItem]) -> tuple[ExtractedItem, ...]:
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
    for a in _LINKS(el):
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


def _read_ticker(
    el: etree._Element, base: str, notes: list[str]
) -> tuple[list[ExtractedItem], str | None]:
    children = _ticker_children(el, base)
    if children:
        notes.append(
            f"ticker {_describe(el)} has {len(children)} headline link(s): used them instead"
            " of its text"
        )
        return children, None
    text = _ticker_text(el)
    return [], text or None


# --- automatic detection ------------------------------------------------------------------------


def _describe(el: etree._Element) -> str:
    attrs = "".join(f" {k}='{el.get(k)}'" for k in ("id", "class") if el.get(k))
    return f"<{el.tag}{attrs}>"


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
                    log.debug("auto: skipped chrome element %s", _describe(parent))
            if chrome:
                break
            good = []
            for member in members:
                hrefs = {a.get("href") for a in _LINKS(member)}
                if not hrefs or len(hrefs) > _MAX_LINKS_PER_ITEM:
                    continue
                title, link = titles[member] = _default_title(member, base)
                if link and _headline_like(title):
                    good.append(member)
            if len(good) < _MIN_ITEMS or len(good) < len(members) / 2:
                continue
            dated = sum(1 for m in good if _TIMES(m)) / len(good)
            pictured = sum(1 for m in good if _IMGS(m)) / len(good)
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
            log.debug("auto: %s looks like a price or weather ticker", _describe(el))
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


def _auto(
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
            log.debug("auto: dropped %s (score %.1f)", _describe(cand.parent), cand.score)
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
        found = [_item_from(m, None, base, timezone, titles.get(m)) for m in cand.members]
        found_items = [i for i in found if i is not None]
        items.extend(found_items)
        notes.append(
            f"auto: picked {_describe(cand.parent)} with {len(found_items)} items"
            f" (score {cand.score:.1f}{', sidebar' if cand.secondary else ''})"
        )
    for ticker in tickers:
        ticker_items, strip = _read_ticker(ticker, base, notes)
        items.extend(ticker_items)
        if strip:
            strips.append(strip)
            notes.append(f"auto: ticker {_describe(ticker)}: strip of {len(strip)} characters")
    if not items and not strips:
        notes.append("auto: found no headline list, ticker or article")
    return Extraction(
        items=_dedupe(items), strips=tuple(strips), article=article, notes=tuple(notes)
    )


# --- entry points -------------------------------------------------------------------------------


def _extract_text(page: Page, source: SourceConfig, notes: list[str]) -> Extraction:
    parsed = split_text_page(page.text)
    article = extract_article(page, timezone=source.timezone) if parsed.title else None
    items = ()
    if article and article.title:
        first = parsed.paragraphs[0] if parsed.paragraphs else None
        items = (
            ExtractedItem(
                title=article.title,
                link=page.url,
                summary=first,
                published=article.published,
                content_html=article.body_html,
            ),
        )
    notes.append(
        f"text page: {len(parsed.strips)} strip(s), article {parsed.title!r},"
        f" {len(parsed.paragraphs)} paragraph(s), {parsed.dropped} chrome line(s) dropped"
    )
    return Extraction(items=items, strips=parsed.strips, article=article, notes=tuple(notes))


def extract(page: Page, source: SourceConfig) -> Extraction:
    """Find headline items, glued strips and the article on a page.

    HTML pages: selector mode when ``source.items`` is set, ticker mode when ``source.ticker``
    is set (both may be), else automatic detection (headline lists, tickers, and the article
    when the page is one; see :func:`_auto`). Text pages (not ``page.is_html``): see
    :func:`feedsmith.article.split_text_page`; the article also becomes an item linking to
    ``page.url``.

    Selector syntax: CSS (lxml + cssselect), or XPath when the selector starts with ``/``,
    ``./`` or ``(``. A CSS selector may end in ``@name`` to read that attribute of the matched
    element instead of its text: ``"img@data-src"``, ``"h3 a@href"``, ``"time@datetime"``, or
    just ``"@data-url"`` for the item element itself. XPath reads attributes natively
    (``.//img/@src``); an XPath sub-selector starting with ``/`` is taken as relative to the
    item (``//img`` → ``.//img``). CSS sub-selectors may match the item element itself.

    Defaults (no sub-selector): title = text of the first h1–h4 inside the item, else of its
    first link with text, else the item's text; link = the link in/around that heading, else
    the first ``a[href]``; date = ``<time datetime>`` (or its text, ``itemprop=datePublished``,
    ``.date``, else a short text in the item that parses as a date); image = first real
    ``<img>`` (src, or data-src / srcset when src is a placeholder; no pixels or icons);
    summary = the first ``<p>`` that is not the title. A ``title`` or ``link`` sub-selector
    that matches nothing falls back to the default; ``date``, ``image`` and ``summary`` give
    None. Items without a title are dropped; repeats (same link) are dropped.

    Links resolve against ``<base href>``, else ``page.url``; javascript:, mailto:, tel:,
    data: and ``#…`` links give no link. Non-ASCII URLs are returned as resolved.

    Never raises for an HTML page without items (returns an empty Extraction with a note; an
    invalid selector is also a note plus a warning). Raises :class:`ExtractError` only for a
    page that is not a document at all (binary data).
    """
    if looks_binary(page.text):
        raise ExtractError(f"{page.url}: not a text document ({page.content_type})")
    notes: list[str] = []
    if not page.is_html:
        return _extract_text(page, source, notes)
    root = parse_html(page.text)
    if root is None:
        return Extraction(notes=("empty page: nothing to extract",))
    base = document_base(root, page.url)
    if base != page.url:
        notes.append(f"links resolve against <base href={base!r}>")
    if not source.items and not source.ticker:
        return _auto(page, root, source, base, notes)
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    items: list[ExtractedItem] = []
    strips: list[str] = []
    try:
        item_sel = _compile(source.items, False) if source.items else None
        ticker_sel = _compile(source.ticker, False) if source.ticker else None
        for field in ("title", "link", "summary", "date", "image"):
            if getattr(source, field):
                _compile(getattr(source, field), True)
    except ValueError as exc:
        log.warning("source %r: %s", source.name, exc)
        return Extraction(notes=(*notes, f"source {source.name!r}: {exc}"))
    if item_sel is not None:
        elements = [e for e in _select(root, item_sel) if isinstance(e, etree._Element)]
        found = [_item_from(el, source, base, source.timezone) for el in elements]
        kept = [i for i in found if i is not None]
        notes.append(f"selector {source.items!r}: {len(elements)} elements, {len(kept)} items")
        items.extend(kept)
    if ticker_sel is not None:
        elements = [e for e in _select(root, ticker_sel) if isinstance(e, etree._Element)]
        if not elements:
            notes.append(f"ticker {source.ticker!r}: no element matched")
        for el in elements:
            ticker_items, strip = _read_ticker(el, base, notes)
            items.extend(ticker_items)
            if strip:
                strips.append(strip)
    if not items and not strips:
        notes.append("no items found")
    return Extraction(items=_dedupe(items), strips=tuple(strips), notes=tuple(notes))
