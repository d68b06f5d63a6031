"""Run the pipeline: config -> fetch -> extract -> split -> topics -> store -> render -> site.

``build(config, *, now=None, session=None, ...) -> BuildReport`` is the only place that imports
every stage. It never lets one source's failure stop the others: a source that cannot be fetched
or read is recorded as failing, keeps its earlier items in every feed, and is named in the report.
Nothing is published unless every feed passes the offline validator.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from feedsmith.errors import ExtractError, FetchError, ValidationError
from feedsmith.extract import extract, extract_article
from feedsmith.fetch import Fetcher, default_user_agent, fetch_all
from feedsmith.models import (
    Config,
    ExtractedItem,
    FeedSpec,
    Item,
    Page,
    SiteData,
    SourceConfig,
)
from feedsmith.render import render_site
from feedsmith.site import write_site
from feedsmith.split import split_headlines
from feedsmith.store import NewItem, Store, canonical_url, make_guid
from feedsmith.topics import TopicMatcher
from feedsmith.validate import validate_feed

log = logging.getLogger(__name__)

# A source that used to yield at least this many items and now yields under a third of them has
# most likely been redesigned under its selector: worth a warning, not an error.
SHRINK_MIN_ITEMS = 5
SHRINK_RATIO = 3


@dataclass
class SourceReport:
    name: str
    ok: bool
    items: int = 0
    new_items: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    output: Path
    sources: list[SourceReport] = field(default_factory=list)
    feeds: int = 0
    files_written: int = 0
    files_unchanged: int = 0

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if not s.ok]

    @property
    def items(self) -> int:
        return sum(s.items for s in self.sources)


def build(
    config: Config,
    *,
    now: datetime | None = None,
    session: requests.Session | None = None,
    output: Path | None = None,
    progress: bool = False,
) -> BuildReport:
    """Build every feed and page of ``config`` and publish them to the output folder.

    ``now`` and ``session`` are passed in so builds are deterministic and testable.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    output = Path(output) if output is not None else config.site.output
    report = BuildReport(output=output)
    user_agent = config.site.user_agent or default_user_agent(config.site.base_url)
    matcher = TopicMatcher.compile(config.topics, catch_all=config.site.catch_all)

    with (
        Fetcher(user_agent=user_agent, cache_dir=config.site.cache, session=session) as fetcher,
        Store(config.site.state) as store,
    ):
        previous_counts = {s.name: s.item_count for s in store.source_statuses()}
        pages = fetch_all(config.sources, fetcher, progress=progress)
        for source in config.sources:
            outcome = pages[source.name]
            if isinstance(outcome, FetchError):
                report.sources.append(_fail(store, source, outcome.reason, now))
                continue
            try:
                new_items = _items_of_page(config, source, outcome, fetcher, store, matcher)
            except ExtractError as exc:
                report.sources.append(_fail(store, source, f"cannot read the page: {exc}", now))
                continue
            known = sum(1 for item in new_items if store.has_item(item.guid))
            store.record_items(source.name, new_items, now)
            store.record_success(source.name, now, len(new_items))
            source_report = SourceReport(
                source.name, True, items=len(new_items), new_items=len(new_items) - known
            )
            _warn_if_shrunk(source, len(new_items), previous_counts.get(source.name), source_report)
            report.sources.append(source_report)

        store.prune(now=now, max_age_days=config.site.max_age_days)
        feeds = _feed_specs(config, store, now)
        data = SiteData(
            config=config, feeds=tuple(feeds), sources=tuple(store.source_statuses()), built=now
        )
        files = render_site(data)
        _check_feeds(config, files, now)
        written = write_site(output, files)
    report.feeds = len(feeds)
    report.files_written = written.written
    report.files_unchanged = written.unchanged
    return report


def _fail(store: Store, source: SourceConfig, reason: str, now: datetime) -> SourceReport:
    store.record_failure(source.name, reason, now)
    kept = len(store.feed_items(now=now, max_items=10**6, max_age_days=10**5, source=source.name))
    log.warning(
        "source %r: %s from %s; kept %d earlier items", source.name, reason, source.location, kept
    )
    return SourceReport(source.name, False, items=0, error=reason)


def _warn_if_shrunk(
    source: SourceConfig, count: int, previous: int | None, report: SourceReport
) -> None:
    selector = source.items or source.ticker or "automatic detection"
    if count == 0:
        message = f"source {source.name!r}: no items found with {selector}; check the selector"
    elif previous and previous >= SHRINK_MIN_ITEMS and count * SHRINK_RATIO < previous:
        message = (
            f"source {source.name!r}: {count} items where the last build found {previous},"
            f" with {selector}; the page may have been redesigned"
        )
    else:
        return
    log.warning("%s", message)
    report.warnings.append(message)


def _items_of_page(
    config: Config,
    source: SourceConfig,
    page: Page,
    fetcher: Fetcher,
    store: Store,
    matcher: TopicMatcher,
) -> list[NewItem]:
    if source.page_url:
        # A local copy of a page: its links mean what they would on the real site.
        page = dataclasses.replace(page, url=source.page_url)
    extraction = extract(page, source)
    for note in extraction.notes:
        log.debug("source %r: %s", source.name, note)
    found = list(extraction.items)
    if extraction.strips:
        context = " ".join(
            [extraction.article.text or "" if extraction.article else ""]
            + [item.title for item in found]
        )
        language = source.language or config.site.language
        for strip in extraction.strips:
            found.extend(
                ExtractedItem(title=headline)
                for headline in split_headlines(strip, language, context=context)
            )

    link_base = page.url if not page.url.startswith("file:") else config.site.base_url
    new_items: list[NewItem] = []
    seen: set[str] = set()
    for item in found:
        link = item.link if item.link and not item.link.startswith("file:") else None
        guid, guid_is_link = make_guid(source.name, link, item.title)
        if guid in seen:
            continue  # the same story twice on one page (a ticker and a list) is one item
        seen.add(guid)
        content = item.content_html
        if source.full_text and link and content is None and not store.has_item(guid):
            content = _full_text(fetcher, source, link)
        elif source.full_text and content is None:
            content = store.item_content(guid)
        new_items.append(
            NewItem(
                guid=guid,
                guid_is_link=guid_is_link,
                title=item.title,
                link=canonical_url(link) if link else link_base,
                topics=matcher.topics_for(item.title, item.summary, source.name),
                published=item.published,
                summary=item.summary,
                content_html=content,
                image=item.image,
                author=item.author,
            )
        )
    return new_items


def _full_text(fetcher: Fetcher, source: SourceConfig, link: str) -> str | None:
    try:
        page = fetcher.fetch_url(
            link,
            timeout=source.timeout,
            respect_robots=source.respect_robots,
            encoding=source.encoding,
            delay=source.delay,
            use_cache=False,  # an article is read once, so caching it only grows the cache
        )
        return extract_article(page, timezone=source.timezone).body_html
    except (FetchError, ExtractError) as exc:
        log.warning("source %r: article %s not read: %s", source.name, link, exc)
        return None


def _feed_specs(config: Config, store: Store, now: datetime) -> list[FeedSpec]:
    site = config.site
    limits = {"now": now, "max_items": site.max_items, "max_age_days": site.max_age_days}
    wanted: list[tuple[str, str, str, str, dict[str, str]]] = [
        ("all", site.title, site.description, "all", {})
    ]
    wanted += [(t.slug, t.title, t.description, "topic", {"topic": t.slug}) for t in config.topics]
    if site.source_feeds:
        wanted += [
            (f"source-{s.name}", s.name, f"{site.title}: {s.name}", "source", {"source": s.name})
            for s in config.sources
        ]
    feeds = []
    for slug, title, description, kind, selection in wanted:
        items: Sequence[Item] = store.feed_items(**limits, **selection)
        updated = store.feed_updated(slug, items, now)
        feeds.append(FeedSpec(slug, title, description, tuple(items), kind, updated))
    return feeds


def _check_feeds(config: Config, files: dict[str, bytes], now: datetime) -> None:
    """Refuse to publish a feed that breaks the formats' rules."""
    from feedsmith.render import feed_url

    problems: list[str] = []
    kinds = {".xml": "rss", ".atom": "atom", ".json": "json"}
    for path, data in files.items():
        suffix = Path(path).suffix
        if not path.startswith("feeds/") or suffix not in kinds:
            continue
        slug = Path(path).stem
        url = feed_url(config.site.base_url, slug, kinds[suffix])
        problems += validate_feed(
            data, kind=kinds[suffix], url=url, base_url=config.site.base_url, now=now
        )
    if problems:
        raise ValidationError(problems)
