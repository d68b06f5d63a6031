"""The data that flows through the pipeline, as frozen dataclasses.

config -> SourceConfig/TopicConfig/SiteConfig; fetch -> Page; extract -> Extraction of
ExtractedItem; build turns those into Item (with GUID, topics and first-seen time) for the
store and the renderer. This module imports nothing of feedsmith's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str  # absolute, always ends with "/"
    language: str = "en"
    description: str = ""
    output: Path = Path("public")  # absolute after load_config
    templates: Path | None = None  # a user's folder of templates that override the packaged ones
    state: Path = Path(".feedsmith/state.sqlite3")  # absolute after load_config
    cache: Path = Path(".feedsmith/cache")  # HTTP cache (ETag / Last-Modified), absolute
    max_items: int = 100  # per feed
    max_age_days: int = 30  # items not seen for longer than this leave the feeds
    source_feeds: bool = False  # also write feeds/source-<name>.xml/.atom
    catch_all: str | None = None  # slug of a topic for items that match no other topic
    icon: str | None = None
    logo: str | None = None
    ttl: int = 60  # minutes; should match the build schedule
    author: str = ""  # Atom requires an author; defaults to the site title
    user_agent: str | None = None


@dataclass(frozen=True)
class SourceConfig:
    name: str
    url: str | None = None
    file: Path | None = None  # absolute after load_config
    items: str | None = None  # CSS selector (or XPath starting with / or ./) of the item element
    title: str | None = None  # sub-selectors relative to the item element
    link: str | None = None
    summary: str | None = None
    date: str | None = None
    image: str | None = None
    ticker: str | None = None  # selector of an element whose text is a glued headline strip
    full_text: bool = False
    timezone: str = "UTC"
    language: str | None = None  # defaults to the site language
    respect_robots: bool = True
    encoding: str | None = None  # force an encoding for a site that lies about it
    timeout: float = 20.0
    delay: float = 1.0  # seconds between requests to the same host
    page_url: str | None = None  # for a file source: the URL its links resolve against

    @property
    def location(self) -> str:
        return self.url if self.url else str(self.file)


@dataclass(frozen=True)
class TopicConfig:
    slug: str
    title: str
    keywords: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # empty: every source
    description: str = ""


@dataclass(frozen=True)
class Config:
    path: Path  # the feeds.yaml it came from (absolute)
    site: SiteConfig
    sources: tuple[SourceConfig, ...]
    topics: tuple[TopicConfig, ...]

    @property
    def root(self) -> Path:
        return self.path.parent


@dataclass(frozen=True)
class Page:
    """A fetched document: the raw bytes, and the text decoded the way a browser would."""

    url: str  # final URL after redirects (file:// URL for local files)
    text: str
    content_type: str = "text/html"
    encoding: str = "utf-8"
    status: int = 200
    from_cache: bool = False  # served from the HTTP cache: after a 304, or still fresh

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type or "xml" in self.content_type


@dataclass(frozen=True)
class Article:
    """The main article of a page, as extracted."""

    title: str | None = None
    body_html: str | None = None  # cleaned HTML, absolute URLs
    text: str | None = None
    published: datetime | None = None
    image: str | None = None
    author: str | None = None
    canonical: str | None = None


@dataclass(frozen=True)
class ExtractedItem:
    """A headline found on a page, before it gets an identity."""

    title: str
    link: str | None = None  # absolute
    summary: str | None = None
    published: datetime | None = None  # timezone-aware
    image: str | None = None
    content_html: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Extraction:
    """What extract found on a page: headline items, headline strips still to split, and the
    main article. Strips are glued text that the splitter turns into headlines."""

    items: tuple[ExtractedItem, ...] = ()
    strips: tuple[str, ...] = ()
    article: Article | None = None
    notes: tuple[str, ...] = ()  # what extraction decided, for debug logs


@dataclass(frozen=True)
class Item:
    """A headline with an identity: what the store keeps and the feeds show."""

    guid: str
    source: str
    title: str
    link: str
    first_seen: datetime
    last_seen: datetime
    published: datetime | None = None
    summary: str | None = None
    content_html: str | None = None
    image: str | None = None
    author: str | None = None
    topics: tuple[str, ...] = ()
    guid_is_link: bool = False

    @property
    def date(self) -> datetime:
        """The date readers see: the page's own date, else when feedsmith first saw it."""
        return self.published or self.first_seen


@dataclass(frozen=True)
class SourceStatus:
    name: str
    ok: bool
    last_success: datetime | None = None
    last_error: str | None = None
    failing_since: datetime | None = None
    item_count: int = 0


@dataclass(frozen=True)
class FeedSpec:
    """One feed to render: which items, under which names."""

    slug: str  # "all", a topic slug, or "source-<name>"
    title: str
    description: str = ""
    items: tuple[Item, ...] = ()
    kind: str = "topic"  # "all" | "topic" | "source"
    updated: datetime | None = None  # moves only when the feed's items change


@dataclass(frozen=True)
class SiteData:
    """Everything the renderer needs, so it never reads state or the network."""

    config: Config
    feeds: tuple[FeedSpec, ...]
    sources: tuple[SourceStatus, ...] = ()
    built: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)
