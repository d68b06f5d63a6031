"""Run the pipeline: config -> fetch -> extract -> split -> topics -> store -> render -> site.

``build(config, *, now=None, session=None, ...) -> BuildReport`` is the only place that imports
every stage. It never lets one source's failure stop the others: a source that cannot be fetched
or read is recorded as failing, keeps its earlier items in every feed, and is named in the report.
Nothing is published unless every feed passes the offline validator.

Pages are read (extract, split, topics) on this thread as they arrive, while the rest download;
the store records them afterwards in config order, so the output does not depend on which server
answered first. A page that came from the HTTP cache (a 304, or still fresh) and whose
fingerprint (page text, the source's settings, the topics, feedsmith's code) matches its last
success is not read again: the store only moves ``last_seen`` of the items it gave then (see
``Store.reseen``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from feedsmith import __version__
from feedsmith.errors import ExtractError, FetchError, ValidationError
from feedsmith.extract import extract, extract_article
from feedsmith.fetch import Fetcher, default_user_agent
from feedsmith.fetch_many import fetch_as_completed
from feedsmith.identity import item_identity
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
from feedsmith.store import NewItem, Store
from feedsmith.topics import TopicMatcher
from feedsmith.validate import validate_feed

log = logging.getLogger(__name__)

# An article whose fetch failed is tried again at each build for this long after the item was
# first seen; after that the item keeps its headline only (the article may be gone for good).
ARTICLE_RETRY = timedelta(days=2)
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
    revalidate: bool = False,
) -> BuildReport:
    """Build every feed and page of ``config`` and publish them to the output folder.

    ``now`` and ``session`` are passed in so builds are deterministic and testable.
    ``revalidate`` asks again for every page the HTTP cache holds as still fresh (a conditional
    GET each), instead of taking the server's word that it has not changed.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    output = Path(output) if output is not None else config.site.output
    report = BuildReport(output=output)
    user_agent = config.site.user_agent or default_user_agent(config.site.base_url)
    reader = _Reader(config)

    with (
        Fetcher(
            user_agent=user_agent,
            cache_dir=config.site.cache,
            session=session,
            revalidate=revalidate,
        ) as fetcher,
        Store(config.site.state) as store,
    ):
        previous_counts = {s.name: s.item_count for s in store.source_statuses()}
        # Each page is read (the CPU-heavy part) as soon as it arrives, while the others are
        # still downloading; what the pages gave is recorded afterwards in config order, so the
        # state and the output do not depend on which server answered first.
        readings = {
            source.name: reader.read(source, outcome, store)
            for source, outcome in fetch_as_completed(config.sources, fetcher, progress=progress)
        }
        # One transaction for all the sources; but not around full-text article fetches, which
        # would hold the state's write lock for as long as the network takes.
        full_text = any(source.full_text for source in config.sources)
        with contextlib.nullcontext() if full_text else store.batch():
            for source in config.sources:
                reading = readings.pop(source.name)
                source_report = _record(reader, source, reading, fetcher, store, now)
                if source_report.ok:
                    previous = previous_counts.get(source.name)
                    _warn_if_shrunk(source, source_report.items, previous, source_report)
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


# -- reading pages (as they arrive) -------------------------------------------------------------


@dataclass(frozen=True)
class _Headline:
    item: NewItem  # full-text content not fetched yet: that depends on the state
    link: str | None  # the link as found on the page, for the full-text fetch


@dataclass(frozen=True)
class _Failed:
    reason: str


@dataclass(frozen=True)
class _Read:
    headlines: list[_Headline]
    fingerprint: str | None


@dataclass(frozen=True)
class _Unchanged:
    """A page that is what it was at the source's last success: nothing to read again, unless
    another source shares one of its items by the time it is recorded."""

    page: Page
    fingerprint: str


_Reading = _Failed | _Read | _Unchanged


class _Reader:
    """Turns a fetched page into headlines with GUIDs and topics (extract, split, topics):
    everything about a source that does not depend on the state or on other sources."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.matcher = TopicMatcher.compile(config.topics, catch_all=config.site.catch_all)
        # Whatever besides the page and the source's own settings changes what a page gives.
        self._settings = repr(
            (
                _code_digest(),
                config.topics,
                config.site.catch_all,
                config.site.language,
                config.site.base_url,
            )
        )

    def read(self, source: SourceConfig, outcome: Page | FetchError, store: Store) -> _Reading:
        if isinstance(outcome, FetchError):
            return _Failed(outcome.reason)
        fingerprint = self.fingerprint(source, outcome)
        if (
            outcome.from_cache
            and fingerprint is not None
            and store.unchanged_guids(source.name, fingerprint) is not None
        ):
            return _Unchanged(outcome, fingerprint)
        try:
            return _Read(self.headlines(source, outcome), fingerprint)
        except ExtractError as exc:
            return _Failed(f"cannot read the page: {exc}")

    def fingerprint(self, source: SourceConfig, page: Page) -> str | None:
        """What the page and every setting that reads it come to; None for a full-text source,
        whose items may need article fetches even when its page has not changed."""
        if source.full_text:
            return None
        digest = hashlib.sha256(f"{self._settings}\n{source!r}\n".encode())
        digest.update(f"{page.url}\n{page.content_type}\n".encode())
        digest.update(page.text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def headlines(self, source: SourceConfig, page: Page) -> list[_Headline]:
        config = self.config
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
        headlines: list[_Headline] = []
        seen: set[str] = set()
        for item in found:
            link = item.link if item.link and not item.link.startswith("file:") else None
            guid, guid_is_link, canonical = item_identity(source.name, link, item.title)
            if guid in seen:
                continue  # the same story twice on one page (a ticker and a list) is one item
            seen.add(guid)
            new = NewItem(
                guid=guid,
                guid_is_link=guid_is_link,
                title=item.title,
                link=canonical if link else link_base,
                topics=self.matcher.topics_for(item.title, item.summary, source.name),
                published=item.published,
                summary=item.summary,
                content_html=item.content_html,
                image=item.image,
                author=item.author,
            )
            headlines.append(_Headline(new, link))
        return headlines


def _code_digest() -> str:
    """A digest of feedsmith's code and the splitter's data: a build with changed code reads
    every page again, whether or not the version number moved (installs from a branch keep
    it). Reading them takes a few milliseconds."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    try:
        files = [*package.rglob("*.py"), *(package / "split" / "data").iterdir()]
        for path in sorted(p for p in files if p.is_file()):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    except OSError as exc:  # an unusual install: the version alone has to do
        log.debug("cannot read feedsmith's own files: %s", exc)
        return __version__
    return digest.hexdigest()


# -- recording (in config order) ----------------------------------------------------------------


def _record(
    reader: _Reader,
    source: SourceConfig,
    reading: _Reading,
    fetcher: Fetcher,
    store: Store,
    now: datetime,
) -> SourceReport:
    if isinstance(reading, _Unchanged):
        count = store.reseen(source.name, reading.fingerprint, now)
        if count is not None:
            log.info("source %r: page unchanged; its %d items seen again", source.name, count)
            return SourceReport(source.name, True, items=count)
        # A source recorded before this one now shares one of its items: read it after all.
        try:
            reading = _Read(reader.headlines(source, reading.page), reading.fingerprint)
        except ExtractError as exc:
            reading = _Failed(f"cannot read the page: {exc}")
    if isinstance(reading, _Failed):
        return _fail(store, source, reading.reason, now)
    items = [headline.item for headline in reading.headlines]
    if source.full_text:
        items = [
            _with_content(fetcher, source, store, headline, now) for headline in reading.headlines
        ]
    new = store.upsert_items(source.name, items, now)
    guids = [item.guid for item in items]
    store.record_success(source.name, now, len(items), fingerprint=reading.fingerprint, guids=guids)
    log.info("source %r: %d items, %d new", source.name, len(items), new)
    return SourceReport(source.name, True, items=len(items), new_items=new)


def _with_content(
    fetcher: Fetcher, source: SourceConfig, store: Store, headline: _Headline, now: datetime
) -> NewItem:
    """The item with its article body: fetched for a new item, and fetched again while the item
    is recent if an earlier fetch failed (a timeout must not cost a story its text for good)."""
    item = headline.item
    if item.content_html is not None:
        return item
    first_seen, content = store.item_content(item.guid)
    recent = first_seen is None or now - first_seen < ARTICLE_RETRY
    if content is None and headline.link and recent:
        content = _full_text(fetcher, source, headline.link)
    return dataclasses.replace(item, content_html=content)


def _full_text(fetcher: Fetcher, source: SourceConfig, link: str) -> str | None:
    try:
        # Not cached, and refused on a private address off the source's own host.
        page = fetcher.fetch_link(link, source)
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
