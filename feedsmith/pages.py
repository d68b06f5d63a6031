"""The site's pages as bytes: index.html, topics/<slug>.html, feed.xsl, style.css and feeds.opml.

Takes ``SiteData`` and returns ``{relative path: bytes}``. Pages come from jinja2 templates with
autoescaping on everywhere; the user's template folder (``site.templates``) is searched before
the packaged one, so a user overrides a single file by dropping one with the same name there.
Dates are formatted here, in the site's language, never from the process locale.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import jinja2
from lxml import etree

from feedsmith import __version__
from feedsmith.errors import FeedsmithError
from feedsmith.feeds import (
    EXTENSIONS,
    MEDIA_TYPES,
    Entry,
    aware,
    excerpt,
    feed_context,
    feed_url,
    one_line,
    safe_link,
)
from feedsmith.models import FeedSpec, SiteData, SourceStatus

HEADLINES_PER_TOPIC = 5
RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "ps", "sd", "ug", "yi", "dv", "ckb"})
STATIC_TEMPLATES = ("style.css",)

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    # The names used across the Arab press (Egypt, the Gulf, North Africa's Arabic media).
    "ar": [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
    "fr": [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ],
}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "topics": "Topics",
        "latest": "Latest",
        "more": "All {count} stories",
        "no_items": "No stories yet.",
        "subscribe": "Subscribe",
        "subscribe_hint": "Copy a feed address into your feed reader.",
        "copy_button": "Copy",
        "copied": "Copied",
        "feed": "Feed",
        "all": "Everything",
        "sources": "Sources",
        "source_ok": "ok, {count} items",
        "source_failing": "failing since {since}: {error}",
        "source_failing_nodate": "failing: {error}",
        "updated": "Updated",
        "opml": "Download every feed as OPML",
        "home": "Home",
        "made_with": "Made with feedsmith",
        "feed_notice": "This is a web feed. Copy its address into your news reader to subscribe.",
        "feed_address": "Feed address",
        "stories": "{count} stories",
    },
    "ar": {
        "topics": "المواضيع",
        "latest": "الأحدث",
        "more": "كل الأخبار ({count})",
        "no_items": "لا أخبار بعد.",
        "subscribe": "اشترك",
        "subscribe_hint": "انسخ عنوان الخلاصة والصقه في قارئ الخلاصات.",
        "copy_button": "نسخ",
        "copied": "تم النسخ",
        "feed": "الخلاصة",
        "all": "كل الأخبار",
        "sources": "المصادر",
        "source_ok": "يعمل، عدد الأخبار: {count}",
        "source_failing": "متعطل منذ {since}: {error}",
        "source_failing_nodate": "متعطل: {error}",
        "updated": "آخر تحديث",
        "opml": "تنزيل كل الخلاصات بصيغة OPML",
        "home": "الرئيسية",
        "made_with": "صُنع بـ feedsmith",
        "feed_notice": "هذه خلاصة أخبار. انسخ عنوانها إلى قارئ الخلاصات للاشتراك.",
        "feed_address": "عنوان الخلاصة",
        "stories": "عدد الأخبار: {count}",
    },
}


def primary_language(language: str) -> str:
    return (language or "en").replace("_", "-").split("-")[0].lower()


def text_direction(language: str) -> str:
    """``rtl`` for Arabic, Persian, Urdu, Hebrew and the like, else ``ltr``."""
    return "rtl" if primary_language(language) in RTL_LANGUAGES else "ltr"


def strings_for(language: str) -> dict[str, str]:
    """Interface strings in the site language, English for anything not translated."""
    return {**STRINGS["en"], **STRINGS.get(primary_language(language), {})}


def format_date(moment: datetime, language: str) -> str:
    """A date for people, in UTC, with month names in the site language.

    >>> format_date(datetime(2026, 11, 30, 16, 5, tzinfo=UTC), "ar")
    '30 نوفمبر 2026، 16:05 UTC'
    >>> format_date(datetime(2026, 11, 30, 16, 5, tzinfo=UTC), "en-GB")
    '30 Nov 2026, 16:05 UTC'
    """
    moment = aware(moment).astimezone(UTC)
    language = primary_language(language)
    month = MONTHS.get(language, MONTHS["en"])[moment.month - 1]
    comma = "،" if language in ("ar", "fa", "ur") else ","
    return f"{moment.day} {month} {moment.year}{comma} {moment:%H:%M} UTC"


def packaged_loader() -> jinja2.BaseLoader:
    """The templates shipped with feedsmith: the ``feedsmith.templates`` package when installed,
    the repository's ``templates/`` folder when running from a checkout."""
    try:
        folder = importlib.resources.files("feedsmith.templates")
    except ModuleNotFoundError:
        return jinja2.FileSystemLoader(str(Path(__file__).resolve().parent.parent / "templates"))

    def load(name: str) -> str | None:
        resource = folder.joinpath(name)
        return resource.read_text(encoding="utf-8") if resource.is_file() else None

    return jinja2.FunctionLoader(load)


def make_environment(user_templates: Path | None) -> jinja2.Environment:
    """A jinja2 environment: the user's folder first, then the packaged templates."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(packaged_loader())
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # On for every template, XSL and XML included: all text is scraped and untrusted.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment


@dataclass(frozen=True)
class FeedLinks:
    """One feed as the pages show it: a name and its three absolute addresses."""

    slug: str
    title: str
    kind: str
    rss: str
    atom: str
    json: str

    def formats(self) -> list[tuple[str, str, str]]:
        """(label, URL, media type) for each format, in the order the pages list them."""
        return [
            ("RSS", self.rss, MEDIA_TYPES["rss"]),
            ("Atom", self.atom, MEDIA_TYPES["atom"]),
            ("JSON", self.json, MEDIA_TYPES["json"]),
        ]


@dataclass(frozen=True)
class TopicView:
    slug: str
    title: str
    description: str
    page: str  # relative to the site root
    feed: FeedLinks
    items: list[Entry]
    updated: datetime  # when the topic's items last changed: the page's date, not the build's


@dataclass(frozen=True)
class SourceView:
    name: str
    ok: bool
    message: str
    feed: FeedLinks | None


def _links(spec: FeedSpec, base_url: str, title: str) -> FeedLinks:
    return FeedLinks(
        slug=spec.slug,
        title=title,
        kind=spec.kind,
        **{kind: feed_url(base_url, spec.slug, kind) for kind in EXTENSIONS},
    )


def ordered_feeds(feeds: tuple[FeedSpec, ...]) -> list[FeedSpec]:
    """Topics first, then "all", then sources: the order of the index and the OPML."""
    rank = {"topic": 0, "all": 1, "source": 2}
    return sorted(feeds, key=lambda spec: rank.get(spec.kind, 3))


def _source_message(status: SourceStatus, words: Mapping[str, str], language: str) -> str:
    if status.ok:
        return words["source_ok"].format(count=status.item_count)
    error = one_line(status.last_error) or "?"
    if status.failing_since:
        since = format_date(status.failing_since, language)
        return words["source_failing"].format(since=since, error=error)
    return words["source_failing_nodate"].format(error=error)


def render_pages(data: SiteData) -> dict[str, bytes]:
    """index.html, one page per topic feed, feed.xsl and style.css."""
    config = data.config
    site = config.site
    language = one_line(site.language) or "en"
    words = strings_for(language)
    built = aware(data.built) if data.built else None
    topic_titles = {topic.slug: topic.title for topic in config.topics}
    topic_descriptions = {topic.slug: topic.description for topic in config.topics}

    feeds = ordered_feeds(data.feeds)
    links = {}
    for spec in feeds:
        title = one_line(spec.title) or spec.slug
        if spec.kind == "all":
            title = one_line(spec.title) or words["all"]
        links[spec.slug] = _links(spec, site.base_url, title)

    topics: list[TopicView] = []
    for spec in feeds:
        if spec.kind != "topic":
            continue
        context = feed_context(spec, site, topic_titles=topic_titles, built=built)
        topics.append(
            TopicView(
                slug=spec.slug,
                title=one_line(topic_titles.get(spec.slug) or spec.title) or spec.slug,
                description=one_line(spec.description or topic_descriptions.get(spec.slug, "")),
                page=f"topics/{spec.slug}.html",
                feed=links[spec.slug],
                items=context.entries,
                updated=context.updated,
            )
        )
    sources = [
        SourceView(
            name=one_line(status.name),
            ok=status.ok,
            message=_source_message(status, words, language),
            feed=links.get(f"source-{status.name}"),
        )
        for status in data.sources
    ]

    environment = make_environment(site.templates)
    environment.filters["date"] = lambda moment: format_date(moment, language)
    environment.filters["isodate"] = lambda moment: aware(moment).isoformat()
    # Linear in the markup, unlike jinja2's striptags on a large article (quadratic in tags).
    environment.filters["excerpt"] = lambda markup: excerpt(markup, 280)
    common = {
        "site": site,
        "site_title": one_line(site.title),
        "site_description": one_line(site.description),
        "home": safe_link(site.base_url) or site.base_url,
        "language": language,
        "direction": text_direction(language),
        "t": words,
        "built": built,
        "feeds": [links[spec.slug] for spec in feeds],
        "topics": topics,
        "sources": sources,
        "all_feed": next((links[s.slug] for s in feeds if s.kind == "all"), None),
        "opml": "feeds.opml",
        "headlines": HEADLINES_PER_TOPIC,
        "version": __version__,
    }
    # Topic pages carry their feed's date rather than the build time, so a build that changes
    # nothing in a topic leaves its page byte-identical.
    index = {"root": "", "page_updated": built}
    pages: list[tuple[str, str, dict[str, object]]] = [("index.html", "index.html", index)]
    pages += [
        (topic.page, "topic.html", {"root": "../", "topic": topic, "page_updated": topic.updated})
        for topic in topics
    ]
    pages += [
        (name, name, {"root": "", "page_updated": None}) for name in ("feed.xsl", *STATIC_TEMPLATES)
    ]
    files: dict[str, bytes] = {}
    for path, name, extra in pages:
        try:
            text = environment.get_template(name).render(**common, **extra)
        except jinja2.TemplateError as error:
            # A user's template is the usual culprit: say which file and line, not a traceback.
            raise FeedsmithError(f"template {_where(error, name)}: {error}") from error
        files[path] = text.encode("utf-8")
    return files


def _where(error: jinja2.TemplateError, name: str) -> str:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name or name}:{error.lineno}"
    return name


def render_opml(data: SiteData) -> bytes:
    """OPML 2.0 listing every feed's RSS address: topics, then "all", then sources."""
    site = data.config.site
    title = one_line(site.title) or "feedsmith"
    home = safe_link(site.base_url) or site.base_url
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = title
    # The newest feed date, not the build time: the list changes only when the feeds do, and a
    # file that changed on every build would churn deploys and caches.
    dates = [aware(spec.updated) for spec in data.feeds if spec.updated is not None]
    created = max(dates) if dates else (aware(data.built) if data.built else None)
    if created is not None:
        if data.built is not None:
            created = min(created, aware(data.built))
        etree.SubElement(head, "dateCreated").text = format_datetime(created)
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(opml, "body")
    # One folder named after the site, so an import keeps the feeds together in a reader.
    folder = etree.SubElement(body, "outline", text=title, title=title)
    for spec in ordered_feeds(data.feeds):
        name = one_line(spec.title) or spec.slug
        etree.SubElement(
            folder,
            "outline",
            type="rss",
            text=name,
            title=name,
            xmlUrl=feed_url(site.base_url, spec.slug, "rss"),
            htmlUrl=f"{home}topics/{quote(spec.slug, safe='')}.html"
            if spec.kind == "topic"
            else home,
            language=one_line(site.language) or "en",
        )
    return etree.tostring(
        opml.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
