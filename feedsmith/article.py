"""Articles and the HTML helpers the extract stage shares (part of the extract stage).

Takes a :class:`~feedsmith.models.Page`; returns an :class:`~feedsmith.models.Article` (title,
cleaned body HTML with absolute URLs, plain text, published date, lead image, author,
canonical URL). Also holds what :mod:`feedsmith.extract` needs from a parsed document: the safe
parser, text cleaning, URL resolution, and the page metadata (JSON-LD, Open Graph, canonical).

Metadata the page declares wins over what the layout suggests: JSON-LD ``NewsArticle`` first,
then Open Graph / ``article:*`` meta tags, then ``<h1>`` / ``<time datetime>`` / ``<title>``.
The body comes from trafilatura, then goes through lxml_html_clean and our own pass (tracking
pixels, absolute URLs); when trafilatura finds nothing, the largest block of paragraphs is used.
"""

from __future__ import annotations

import copy
import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from feedsmith.dates import parse_date
from feedsmith.models import Article, Page
from feedsmith.sanitize import content_cleaner

log = logging.getLogger(__name__)

__all__ = ["extract_article"]

# XML 1.0 allows tab, LF, CR, U+0020–D7FF, U+E000–FFFD, U+10000–10FFFF; anything else breaks feeds.
_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Bidi controls, BOM and zero-width space: harmless inside text, noise at its ends.
_EDGE_MARKS = "\u200b\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul", "time",
))  # fmt: skip
# Browsers drop tabs and newlines anywhere in a URL (WHATWG URL standard).
_URL_NOISE = str.maketrans("", "", "\t\n\r")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "vbscript:", "sms:", "whatsapp:")
_TRACKER = re.compile(
    r"doubleclick\.net|google-analytics\.com|googletagmanager\.com|facebook\.com/tr"
    r"|scorecardresearch\.com|quantserve\.com|/pixel(?:\.|/|\?|$)|/beacon(?:\.|/|\?|$)"
    r"|/collect\?|/track(?:ing)?(?:\.gif|/)",
    re.I,
)
# Stand-ins that lazy loaders replace with data-src; not the picture.
_PLACEHOLDER = re.compile(r"^data:|spacer\.gif|blank\.(?:gif|png)|1x1\.|placeholder|lazy", re.I)
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-url", "data-srcset", "srcset")
_ARTICLE_TYPES = frozenset((
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "BlogPosting", "LiveBlogPosting", "Report",
))  # fmt: skip

_LD_JSON = etree.XPath("//script[@type='application/ld+json']")
_META = etree.XPath("//meta[@content]")
_CANONICAL = etree.XPath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]")
_BASE = etree.XPath("//base[@href]")
_H1 = etree.XPath("//h1")
_TIMES = (etree.XPath("//article//time"), etree.XPath("//time"))
_TITLE = etree.XPath("//title")
_PARAS = etree.XPath("//p")


# --- text and URLs ------------------------------------------------------------------------------


def clean_text(text: str | None) -> str:
    """Collapse whitespace, drop characters XML forbids, trim bidi marks at the ends.

    >>> clean_text("\\u200f  عاجل:\\n  خبر\\x0b جديد ")
    'عاجل: خبر جديد'
    """
    if not text:
        return ""
    text = " ".join(_FORBIDDEN.sub("", text).split())
    return text.strip(_EDGE_MARKS + " ")


def element_text(el: etree._Element) -> str:
    """The visible text of an element, with a space between block-level children."""
    parts: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append(" ")
            if tag and node.text:
                parts.append(node.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append(" ")
            if node is not el and node.tail:
                parts.append(node.tail)
    return clean_text("".join(parts))


def resolve_url(href: str | None, base: str) -> str | None:
    """An absolute URL for ``href``, or None for javascript:, mailto:, ``#…`` and the like.

    >>> resolve_url("/news/1.html", "https://example.com/ar/")
    'https://example.com/news/1.html'
    >>> resolve_url("javascript:void(0)", "https://example.com/") is None
    True
    """
    if not href:
        return None
    href = href.translate(_URL_NOISE).strip()
    if not href or href.startswith("#") or href.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        url = urljoin(base, href)
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    return url if scheme in ("http", "https", "file") else None


def first_srcset_url(srcset: str) -> str:
    return srcset.strip().split(",")[0].strip().split(" ")[0]


def image_url(img: etree._Element, base: str) -> str | None:
    """The real source of an ``<img>``: src, unless it is a placeholder for a lazy loader.

    None for tracking pixels and for icons (both sides given and ≤ 16 px: bullets, arrows).
    """
    width, height = _size(img.get("width")), _size(img.get("height"))
    is_icon = width is not None and height is not None and width <= 16 and height <= 16
    if is_icon or is_tracking_pixel(img):
        return None
    src = (img.get("src") or "").strip()
    if not src or _PLACEHOLDER.search(src):
        src = ""
        for attr in _LAZY_ATTRS:
            value = (img.get(attr) or "").strip()
            if value:
                src = first_srcset_url(value) if "srcset" in attr else value
                break
    return resolve_url(src, base) if src and not _PLACEHOLDER.search(src) else None


def _size(value: str | None) -> int | None:
    try:
        return int(float((value or "").strip().removesuffix("px")))
    except ValueError:
        return None


def is_tracking_pixel(img: etree._Element) -> bool:
    """A 1×1 (or 0×0) image, or one served by a known tracker."""
    width, height = _size(img.get("width")), _size(img.get("height"))
    if width is not None and height is not None and width <= 1 and height <= 1:
        return True
    return bool(_TRACKER.search(img.get("src") or ""))


# --- parsing ------------------------------------------------------------------------------------


_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,9}[\s/>]")


def looks_binary(text: str) -> bool:
    """True for text that is not a document: binary data decoded as text.

    Random bytes decoded as Latin-1 are 1 in 8 C0 control characters; decoded as UTF-8 they are
    mostly U+FFFD. Pages carry a stray control character or a pasted run of them (a few per
    cent), so the bar is 10% of the first 4 KB, or 5% with NULs in it; and text with real
    markup in it (tags, at least one per 400 characters) is a document whatever it carries.
    """
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f")
    nuls = sample.count("\x00")
    suspicious = controls >= len(sample) * 0.10 or sample.count("\ufffd") >= len(sample) / 3
    suspicious = suspicious or (nuls >= len(sample) * 0.003 and controls >= len(sample) * 0.05)
    return suspicious and len(_TAG.findall(sample)) < max(5, len(sample) // 400)


def parse_html(text: str) -> lxml.html.HtmlElement | None:
    """Parse HTML without network access or entity expansion; None when nothing is there.

    libxml2 recovers from truncated markup and stops at its depth limit on absurd nesting, so
    the caller always gets a tree or None, never an exception.
    """
    if not text or not text.strip():
        return None
    parser = lxml.html.HTMLParser(
        encoding="utf-8",
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
        recover=True,
        default_doctype=False,
    )
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        log.debug("unparseable HTML: %s", exc)
        return None
    return root if root is not None and len(root) else None


def document_base(root: etree._Element, page_url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` if present, else the page URL."""
    for base in _BASE(root):
        try:
            return urljoin(page_url, base.get("href", "").strip())
        except ValueError:
            break
    return page_url


def drop_keep_tail(el: etree._Element) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# --- metadata -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageMeta:
    """What a page says about itself in JSON-LD, meta tags and link rel=canonical."""

    title: str | None = None
    published: datetime | None = None
    image: str | None = None
    author: str | None = None
    canonical: str | None = None
    description: str | None = None
    is_article: bool = False  # JSON-LD says NewsArticle (or another article type)
    og_article: bool = False  # og:type=article or article:published_time: themes often put
    # these on every page, so they count only together with an article-like layout


def _walk_json(data: object) -> Iterator[dict[str, object]]:
    stack, seen = [data], 0
    while stack and seen < 500:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            yield node
            # Not itemListElement: a list page's ItemList of NewsArticle is not an article.
            stack.extend(v for k, v in node.items() if k in ("@graph", "mainEntity"))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _json_str(value: object, key: str = "name") -> str | None:
    if isinstance(value, str):
        return clean_text(value) or None
    if isinstance(value, dict):
        return _json_str(value.get(key) or value.get("url") or value.get("@id"), key)
    if isinstance(value, list):
        names = [n for n in (_json_str(v, key) for v in value) if n]
        return (", ".join(names) if key == "name" else names[0]) if names else None
    return None


def _types(node: dict[str, object]) -> set[str]:
    value = node.get("@type")
    items = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1] for v in items if v}


def read_metadata(root: etree._Element, base: str, timezone: str = "UTC") -> PageMeta:
    """Collect the page's own statements about its article, strongest source first."""
    ld: dict[str, object] = {}
    for script in _LD_JSON(root):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            log.debug("skipping unreadable JSON-LD block")
            continue
        for node in _walk_json(data):
            if _types(node) & _ARTICLE_TYPES:
                ld = node
                break
        if ld:
            break
    meta: dict[str, str] = {}
    for tag in _META(root):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        if key and key not in meta:
            meta[key] = tag.get("content", "")

    def date_of(*values: object) -> datetime | None:
        for value in values:
            if isinstance(value, str) and value.strip():
                parsed = parse_date(value, timezone=timezone)
                if parsed:
                    return parsed
        return None

    title = _json_str(ld.get("headline")) or clean_text(meta.get("og:title")) or None
    published = date_of(
        ld.get("datePublished"),
        meta.get("article:published_time"),
        meta.get("datepublished"),
        meta.get("pubdate"),
        meta.get("publishdate"),
        meta.get("date"),
        ld.get("dateCreated"),
    )
    image = resolve_url(_json_str(ld.get("image"), "url") or meta.get("og:image"), base)
    author = _json_str(ld.get("author")) or clean_text(meta.get("author")) or None
    if author and author.startswith(("http://", "https://")):
        author = None  # article:author is often a profile URL, not a name
    canonical = None
    for link in _CANONICAL(root):
        canonical = resolve_url(link.get("href"), base)
        if canonical:
            break
    canonical = canonical or resolve_url(meta.get("og:url"), base)
    description = (
        _json_str(ld.get("description"))
        or clean_text(meta.get("og:description"))
        or clean_text(meta.get("description"))
        or None
    )
    og_article = meta.get("og:type", "").lower() == "article" or "article:published_time" in meta
    return PageMeta(title, published, image, author, canonical, description, bool(ld), og_article)


# --- body ---------------------------------------------------------------------------------------


def _prepare(root: lxml.html.HtmlElement, base: str) -> lxml.html.HtmlElement:
    """A copy of the document with lazy images resolved, pixels gone and URLs absolute."""
    doc = copy.deepcopy(root)
    for img in list(doc.iter("img")):
        src = image_url(img, base)
        if src is None:
            drop_keep_tail(img)
        else:
            img.set("src", src)
    for a in doc.iter("a"):
        href = resolve_url(a.get("href"), base)
        if href:
            a.set("href", href)
        elif "href" in a.attrib:
            del a.attrib["href"]
    return doc


def clean_body(fragment: str, base: str, title: str | None = None) -> str | None:
    """Clean article HTML: no scripts, frames, handlers or styles; absolute URLs; no pixels."""
    try:
        doc = lxml.html.fragment_fromstring(fragment, create_parent="div")
        doc = content_cleaner().clean_html(doc)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        log.debug("article body could not be cleaned: %s", exc)
        return None
    for img in list(doc.iter("img")):
        src = resolve_url(img.get("src"), base)
        if src is None or is_tracking_pixel(img):
            drop_keep_tail(img)
        else:
            img.set("src", src)
    for a in list(doc.iter("a")):
        href = resolve_url(a.get("href"), base)
        if href:
            a.set("href", href)
        else:
            a.drop_tag()
    # The title is shown by the reader already.
    for heading in list(doc.iter("h1")):
        if title and element_text(heading) == title:
            drop_keep_tail(heading)
    for el in list(doc.iter("html", "body")):
        el.drop_tag()
    out = (html.escape(doc.text) if doc.text and doc.text.strip() else "") + "".join(
        lxml.html.tostring(child, encoding="unicode", method="html") for child in doc
    )
    out = out.strip()
    return out or None


def _fallback_body(doc: lxml.html.HtmlElement) -> str | None:
    """The parent with the most paragraph text; its paragraphs and images."""
    best, best_len = None, 0
    totals: dict[etree._Element, int] = {}
    for p in _PARAS(doc):
        parent = p.getparent()
        if parent is None:
            continue
        totals[parent] = totals.get(parent, 0) + len(element_text(p))
        if totals[parent] > best_len:
            best, best_len = parent, totals[parent]
    if best is None or best_len < 80:
        return None
    parts = []
    for el in best.iter("p", "img", "h2", "h3", "blockquote"):
        if el.tag == "img":
            parts.append(f'<img src="{html.escape(el.get("src", ""))}" alt="">')
        elif text := element_text(el):
            parts.append(f"<{el.tag}>{html.escape(text)}</{el.tag}>")
    return "".join(parts) or None


def _trafilatura_body(doc: lxml.html.HtmlElement, url: str) -> str | None:
    try:
        import trafilatura

        markup = lxml.html.tostring(doc, encoding="unicode")
        return trafilatura.extract(
            markup,
            url=url,
            output_format="html",
            include_images=True,
            include_links=True,
            include_tables=True,
            include_comments=False,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura is a heuristic library; never let it sink a build
        log.debug("trafilatura failed on %s: %s", url, exc)
        return None


def text_of_html(fragment: str) -> str | None:
    try:
        doc = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    blocks = [element_text(el) for el in doc.iter("p", "h2", "h3", "h4", "li", "blockquote")]
    text = "\n\n".join(b for b in blocks if b) or element_text(doc)
    return text or None


def paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def extract_article(page: Page, *, timezone: str = "UTC") -> Article:
    """The main article of a page: metadata first, body by trafilatura, cleaned.

    Text pages (``text/plain``) are read with the heuristic of :func:`split_text_page`. Never
    raises for a page that merely has no article; returns an empty :class:`Article` instead.
    """
    if not page.is_html:
        parsed = split_text_page(page.text)
        if not parsed.title:
            return Article()
        return Article(
            title=parsed.title,
            body_html=paragraphs_html(parsed.paragraphs) or None,
            text="\n\n".join(parsed.paragraphs) or None,
            published=parsed.published(timezone),
            canonical=page.url,
        )
    root = parse_html(page.text)
    if root is None:
        return Article()
    base = document_base(root, page.url)
    meta = read_metadata(root, base, timezone)
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    h1 = next((t for t in (element_text(h) for h in _H1(root)) if t), None)
    title = meta.title
    if h1 and title and title != h1 and title.startswith(h1):
        title = h1  # og:title often carries " - Site name"
    title = title or h1 or next((element_text(t) for t in _TITLE(root)), None) or None
    published = meta.published
    if published is None:
        times = [t for xpath in _TIMES for t in xpath(root)]
        for time in times:
            published = parse_date(time.get("datetime") or element_text(time), timezone=timezone)
            if published:
                break
    doc = _prepare(root, base)
    raw = _trafilatura_body(doc, page.url) or _fallback_body(doc)
    body = clean_body(raw, base, title) if raw else None
    image = meta.image
    if image is None and body:
        match = re.search(r'<img[^>]+src="([^"]+)"', body)
        image = html.unescape(match.group(1)) if match else None
    return Article(
        title=title,
        body_html=body,
        text=text_of_html(body) if body else None,
        published=published,
        image=image,
        author=meta.author,
        canonical=meta.canonical,
    )


# --- text pages ---------------------------------------------------------------------------------

# Lines that are page furniture when a page is flattened to text. Compared after clean_text and
# stripping of trailing punctuation, case-folded.
CHROME_PHRASES = frozenset(
    p.casefold()
    for p in (
        "زر الذهاب إلى الأعلى", "الذهاب إلى الأعلى", "العودة إلى الأعلى", "العودة للأعلى",
        "إلى الأعلى", "للأعلى", "back to top", "go to top", "scroll to top", "top",
        "اقرأ أيضا", "اقرأ أيضاً", "اقرأ ايضا", "إقرأ أيضا", "إقرأ أيضاً", "اقرأ المزيد",
        "المزيد", "للمزيد", "عرض المزيد", "شاهد المزيد", "read more", "more", "read also",
        "see also", "شارك", "شارك المقال", "شارك الخبر", "مشاركة", "share", "share this",
        "تابعنا", "تابعونا", "تابعنا على", "follow us", "طباعة", "print", "facebook", "twitter",
        "whatsapp", "telegram", "فيسبوك", "تويتر", "واتساب", "تلغرام", "تيليغرام", "لينكدإن",
        "x", "قبول", "موافق", "accept", "التالي", "السابق", "next", "previous", "الصفحة التالية",
        "الرئيسية", "home", "اشترك", "subscribe", "إغلاق", "close", "أخبار ذات صلة",
        "مقالات ذات صلة", "related", "related articles", "الأكثر قراءة", "most read",
    )
)  # fmt: skip
_COOKIE = re.compile(r"cookie|ملفات تعريف الارتباط|الكوكيز|سياسة الخصوصية|privacy policy", re.I)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|جميع الحقوق محفوظة|all rights reserved|copyright)", re.I)
_TRAILING_CHROME = re.compile(
    r"\s*(?:زر الذهاب إلى الأعلى|العودة إلى الأعلى|back to top|go to top)\s*$", re.I
)
# A full stop after a word of two or more characters, then a space: "…الأسد. وفي". Not "..",
# which headlines use inside a title, nor "د. " (an abbreviation), nor "؟ " (strips joined by
# spaces end headlines that way).
_SENTENCE_BREAK = re.compile(r"(?<=\w\w)\.[\"”»)]?\s+\S")
_GLUED_CUE = re.compile(r"[؟?!][\"“”«]?[^\W\d_]|\.\.[^\W\d_]|ًا[ء-ي]")
_DATE_LINE_MAX_WORDS = 9
_BODY_MIN_WORDS = 12  # the first paragraph after a title
STRIP_MIN_WORDS = 30  # ~2 headlines; a headline runs 3–25 words, a strip is many of them


def normalise_chrome(text: str) -> str:
    return clean_text(text).strip(" .:،,-–—|»«>›❯↑⬆").casefold()


def is_chrome_line(line: str) -> bool:
    key = normalise_chrome(line)
    if not key or key in CHROME_PHRASES:
        return True
    words = len(key.split())
    if _COOKIE.search(key) and words <= 60:
        return True
    return bool(_COPYRIGHT.match(key)) and words <= 25


def is_glued_strip(text: str) -> bool:
    """A paragraph that is a strip of glued headlines rather than prose.

    Prose has sentence breaks ("…الأسد. وفي…") and ends with a full stop; a strip of headlines
    runs on for dozens of words with neither, and often shows headlines glued at a question
    mark or a tanween alef ("؟أحمد", "رئيسًامواقف"). Needs ≥ STRIP_MIN_WORDS words and no
    sentence break; ends without a full stop, or shows at least two glue cues.
    """
    words = len(text.split())
    if words < STRIP_MIN_WORDS or _SENTENCE_BREAK.search(text):
        return False
    if text.count("،") + text.count(",") > words / 12:
        return False  # comma-rich run-on text is prose
    ends_open = not text.rstrip('"”»)').endswith((".", "!", "۔"))
    return ends_open or len(_GLUED_CUE.findall(text)) >= 2


@dataclass(frozen=True)
class TextPage:
    """A flattened text page read as strips, an article title, paragraphs and a date line."""

    strips: tuple[str, ...]
    title: str | None
    paragraphs: list[str]
    date_line: str | None
    dropped: int  # chrome lines removed

    def published(self, timezone: str) -> datetime | None:
        return parse_date(self.date_line, timezone=timezone) if self.date_line else None


def split_text_page(text: str) -> TextPage:
    """Read a page flattened to text.

    Heuristic: blocks are separated by blank lines (a block of several short lines is taken
    line by line). Known chrome lines ("زر الذهاب إلى الأعلى", "Back to top", "اقرأ أيضا",
    cookie and copyright lines…) are dropped, also when glued to the end of the last block.
    Blocks that :func:`is_glued_strip` recognises go to ``strips``. The first remaining block
    that looks like a title (3–25 words, no sentence break, no final full stop) and is followed
    by a paragraph of prose (≥ 12 words; a short line that parses as a date may come between:
    the date line) is the article title; the blocks after it are the paragraphs.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[str] = []
    for raw in re.split(r"\n\s*\n", text):
        lines = [clean_text(line) for line in raw.split("\n")]
        lines = [line for line in lines if line]
        # A block of short lines (a menu, a date under a title) is read line by line.
        if len(lines) > 1 and all(len(line.split()) <= 12 for line in lines):
            blocks.extend(lines)
        elif lines:
            blocks.append(" ".join(lines))
    strips: list[str] = []
    kept: list[str] = []
    dropped = 0
    for block in blocks:
        trimmed = _TRAILING_CHROME.sub("", block)
        if trimmed != block:
            dropped += 1
        if not trimmed or is_chrome_line(trimmed):
            dropped += 1 if trimmed else 0
            continue
        if is_glued_strip(trimmed):
            strips.append(trimmed)
        else:
            kept.append(trimmed)
    title, date_line, paragraphs = None, None, []
    for i, block in enumerate(kept[:-1]):
        words = len(block.split())
        if not (3 <= words <= 25) or _SENTENCE_BREAK.search(block) or block.endswith("."):
            continue
        rest = kept[i + 1 :]
        date = None
        if len(rest[0].split()) <= _DATE_LINE_MAX_WORDS and parse_date(rest[0]) is not None:
            date, rest = rest[0], rest[1:]
        # A title is followed by prose; a flattened menu line is followed by another short line.
        if rest and len(rest[0].split()) >= _BODY_MIN_WORDS:
            title, date_line, paragraphs = block, date, rest
            break
    return TextPage(tuple(strips), title, paragraphs, date_line, dropped)
