"""The extract stage: a fetched Page in, an Extraction out (headline items, glued text strips,
and the page's main article).

Three ways to read an HTML page, chosen by the source's config:

* **selectors** (``items:``, with optional ``title``/``link``/``summary``/``date``/``image``
  sub-selectors): one item per matched element;
* **ticker** (``ticker:``): the text of an element that holds a glued headline strip goes to
  ``Extraction.strips`` (the build hands strips to the splitter; this stage never splits);
* **automatic** (neither set): the page's headline lists, tickers and article are found by
  scoring the layout (see :func:`feedsmith.detect.detect`).

Items are read from elements by ``feedsmith.items``; automatic detection lives in
``feedsmith.detect``.  Text pages (``text/plain``: a page flattened to text) are read by
:func:`feedsmith.article.split_text_page`. Dates are read by :func:`feedsmith.dates.parse_date`
and article bodies by :func:`feedsmith.article.extract_article`; both are re-exported here.
"""

from __future__ import annotations

import logging

from lxml import etree

from feedsmith.article import (
    document_base,
    extract_article,
    looks_binary,
    parse_html,
    split_text_page,
)
from feedsmith.dates import parse_date
from feedsmith.detect import detect
from feedsmith.errors import ExtractError
from feedsmith.items import compile_selector, dedupe, item_from, read_ticker, select
from feedsmith.models import ExtractedItem, Extraction, Page, SourceConfig

log = logging.getLogger(__name__)

__all__ = ["extract", "extract_article", "parse_date"]


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
    when the page is one; see :func:`detect`). Text pages (not ``page.is_html``): see
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
        return detect(page, root, source, base, notes)
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    items: list[ExtractedItem] = []
    strips: list[str] = []
    try:
        item_sel = compile_selector(source.items, False) if source.items else None
        ticker_sel = compile_selector(source.ticker, False) if source.ticker else None
        for field in ("title", "link", "summary", "date", "image"):
            if getattr(source, field):
                compile_selector(getattr(source, field), True)
    except ValueError as exc:
        log.warning("source %r: %s", source.name, exc)
        return Extraction(notes=(*notes, f"source {source.name!r}: {exc}"))
    if item_sel is not None:
        elements = [e for e in select(root, item_sel) if isinstance(e, etree._Element)]
        found = [item_from(el, source, base, source.timezone) for el in elements]
        kept = [i for i in found if i is not None]
        notes.append(f"selector {source.items!r}: {len(elements)} elements, {len(kept)} items")
        items.extend(kept)
    if ticker_sel is not None:
        elements = [e for e in select(root, ticker_sel) if isinstance(e, etree._Element)]
        if not elements:
            notes.append(f"ticker {source.ticker!r}: no element matched")
        for el in elements:
            ticker_items, strip = read_ticker(el, base, notes)
            items.extend(ticker_items)
            if strip:
                strips.append(strip)
    if not items and not strips:
        notes.append("no items found")
    return Extraction(items=dedupe(items), strips=tuple(strips), notes=tuple(notes))
