"""An offline feed validator: the W3C Feed Validator's main rules, checked on built bytes.

``validate_feed(data, kind=..., url=..., base_url=...)`` takes one serialised feed ("rss",
"atom", "json" or "opml") and the absolute URL it will be served from, and returns a list of
problems as readable lines ("feeds/x.xml: item 3: pubDate is in the future (…)"); an empty list
means the feed passed. ``validate_site(folder, base_url=...)`` runs it over every feed under
``folder/feeds`` and ``folder/feeds.opml``. Nothing here raises on a bad feed and nothing uses
the network; ``now`` is passed in so tests are deterministic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from lxml import etree

from feedsmith.sanitize import parse_fragment

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
KIND_BY_SUFFIX = {".xml": "rss", ".atom": "atom", ".json": "json"}
# A build and its validation may run on machines whose clocks differ a little.
CLOCK_SKEW = timedelta(minutes=5)

_DAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_RFC822 = re.compile(
    rf"^(?:(?P<day>{_DAYS}), )?\d{{1,2}} (?:{_MONTHS}) \d{{4}} \d{{2}}:\d{{2}}(?::\d{{2}})? "
    r"(?:[+-]\d{4}|GMT|UT|UTC|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$"
)
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
_URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_DANGEROUS_TAGS = frozenset({"script", "iframe", "embed", "object", "frame", "frameset", "applet"})
_URL_ATTRIBUTES = ("href", "src", "poster")


class _Report:
    """Collects problems, each prefixed with the feed's name and where in the feed."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{self.label}: {where + ': ' if where else ''}{message}")


def _label(url: str, base_url: str) -> str:
    return url[len(base_url) :] if base_url and url.startswith(base_url) else url


def url_problem(value: str | None, *, web: bool = True) -> str | None:
    """Why ``value`` is not an absolute, ASCII, percent-encoded URL (None when it is)."""
    if value is None or not value.strip():
        return "is empty"
    if value != value.strip():
        return f"has surrounding whitespace ({value!r})"
    if not value.isascii():
        return f"contains raw non-ASCII characters; percent-encode them ({value})"
    if not _URI_CHARACTERS.match(value) or re.search(r"%(?![0-9A-Fa-f]{2})", value):
        return f"contains characters a URL may not carry unescaped ({value})"
    parts = urlsplit(value)
    if not parts.scheme:
        return f"is not an absolute URL ({value})"
    if web and (parts.scheme.lower() not in ("http", "https") or not parts.netloc):
        return f"is not an absolute http(s) URL ({value})"
    return None


def _check_url(report: _Report, where: str, what: str, value: str | None, **kw: bool) -> None:
    problem = url_problem(value, **kw)
    if problem:
        report.add(where, f"{what} {problem}")


def _check_when(
    report: _Report, where: str, what: str, moment: datetime, now: datetime, raw: str
) -> None:
    if moment > now + CLOCK_SKEW:
        report.add(where, f"{what} is in the future ({raw}; now is {now.isoformat()})")


def _rfc822(report: _Report, where: str, what: str, raw: str | None, now: datetime) -> None:
    if raw is None:
        return
    match = _RFC822.match(raw.strip())
    moment = None
    if match:
        try:
            moment = parsedate_to_datetime(raw.strip())
        except (TypeError, ValueError):
            moment = None
    if moment is None:
        report.add(
            where,
            f"{what} is not an RFC 822 date with English names ({raw!r}), e.g. "
            "'Mon, 30 Nov 2026 16:48:00 +0000'",
        )
        return
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    day = match.group("day") if match else None
    if day and day != _DAYS.split("|")[moment.weekday()]:
        report.add(where, f"{what} names the wrong day of the week ({raw!r})")
    _check_when(report, where, what, moment, now, raw)


def _rfc3339(
    report: _Report, where: str, what: str, raw: str | None, now: datetime, *, required: bool
) -> None:
    if raw is None or not raw.strip():
        if required:
            report.add(where, f"{what} is missing")
        return
    moment = None
    if _RFC3339.match(raw.strip()):
        try:
            moment = datetime.fromisoformat(raw.strip().replace("z", "Z"))
        except ValueError:
            moment = None
    if moment is None:
        report.add(where, f"{what} is not an RFC 3339 date ({raw!r}), e.g. '2026-11-30T16:48:00Z'")
        return
    _check_when(report, where, what, moment, now, raw)


def _check_html(report: _Report, where: str, what: str, markup: str | None) -> None:
    """Flag what the W3C validator calls a security risk, and relative URLs."""
    if not markup or "<" not in markup:
        return
    root = parse_fragment(markup)
    if root is None:
        return
    for element in root.iter(etree.Element):
        tag = str(element.tag).lower()
        if tag in _DANGEROUS_TAGS:
            report.add(where, f"{what} contains <{tag}>")
        for name in element.attrib:
            if name.lower().startswith("on"):
                report.add(where, f"{what} has an event attribute {name}= on <{tag}>")
        for name in _URL_ATTRIBUTES:
            value = element.get(name)
            if value is None:
                continue
            if value.strip().lower().startswith("javascript:"):
                report.add(where, f"{what} has a javascript: URL in <{tag} {name}>")
            elif not urlsplit(value.strip()).scheme and not value.startswith("#"):
                report.add(where, f'{what} has a relative URL in <{tag} {name}="{value}">')


def _text(element: etree._Element | None) -> str | None:
    return None if element is None else (element.text or "")


def _parse_xml(report: _Report, data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        report.add("", f"malformed XML: {error}")
        return None


def _check_self(report: _Report, where: str, href: str | None, url: str, base_url: str) -> None:
    if href is None:
        report.add(where, f'no rel="self" link (it must be {url})')
    elif href != url:
        hint = "" if href.startswith(base_url) else f", and it is outside the site {base_url}"
        report.add(where, f"the self link is {href} but the feed is served from {url}{hint}")


def _guids(report: _Report, seen: dict[str, int], where: str, index: int, guid: str) -> None:
    if guid in seen:
        report.add(where, f"duplicate id/guid {guid!r} (also item {seen[guid]})")
    else:
        seen[guid] = index


def _validate_rss(report: _Report, root: etree._Element, url: str, base: str, now: datetime):
    if root.tag != "rss":
        report.add("", f"the root element is <{root.tag}>, not <rss>")
        return
    if root.get("version") != "2.0":
        report.add("", f"rss version is {root.get('version')!r}, not '2.0'")
    channel = root.find("channel")
    if channel is None:
        report.add("", "no <channel>")
        return
    for name in ("title", "link", "description"):
        if not (_text(channel.find(name)) or "").strip():
            report.add("channel", f"<{name}> is missing or empty")
    if channel.find("link") is not None:
        _check_url(report, "channel", "<link>", _text(channel.find("link")))
    if not (_text(channel.find("language")) or "").strip():
        report.add("channel", "<language> is missing (readers need it to show RTL text right)")
    ttl = _text(channel.find("ttl"))
    if ttl is not None and not ttl.strip().isdigit():
        report.add("channel", f"<ttl> is not a whole number of minutes ({ttl!r})")
    selves = [ln for ln in channel.findall(f"{ATOM}link") if ln.get("rel") == "self"]
    _check_self(report, "channel", selves[0].get("href") if selves else None, url, base)
    for name in ("lastBuildDate", "pubDate"):
        _rfc822(report, "channel", f"<{name}>", _text(channel.find(name)), now)
    image = channel.find("image")
    if image is not None:
        _check_url(report, "channel", "<image><url>", _text(image.find("url")))
    seen: dict[str, int] = {}
    for index, item in enumerate(channel.findall("item"), start=1):
        where = f"item {index}"
        title, description = _text(item.find("title")), _text(item.find("description"))
        if not (title or "").strip() and not (description or "").strip():
            report.add(where, "has neither <title> nor <description>")
        if item.find("link") is not None:
            _check_url(report, where, "<link>", _text(item.find("link")))
        guid = item.find("guid")
        if guid is None or not (guid.text or "").strip():
            report.add(where, "<guid> is missing or empty")
        else:
            value = guid.text or ""
            if guid.get("isPermaLink", "true") == "true":
                problem = url_problem(value)
                if problem:
                    report.add(
                        where,
                        f'<guid> {problem}; a guid that is not a URL needs isPermaLink="false"',
                    )
            elif not value.isascii():
                report.add(where, f"<guid> contains raw non-ASCII characters ({value})")
            _guids(report, seen, where, index, value)
        _rfc822(report, where, "<pubDate>", _text(item.find("pubDate")), now)
        for enclosure in item.findall("enclosure"):
            _check_url(report, where, "<enclosure url>", enclosure.get("url"))
            if not (enclosure.get("length") or "").isdigit() or not enclosure.get("type"):
                report.add(where, "<enclosure> needs a numeric length and a type")
        for category in item.findall("category"):
            if not (category.text or "").strip():
                report.add(where, "<category> is empty")
        _check_html(report, where, "<description>", description)
        _check_html(report, where, "<content:encoded>", _text(item.find(CONTENT_ENCODED)))


def _atom_links(element: etree._Element, rel: str) -> list[str | None]:
    return [
        link.get("href")
        for link in element.findall(f"{ATOM}link")
        if link.get("rel", "alternate") == rel
    ]


def _atom_text(report: _Report, where: str, element: etree._Element, name: str) -> str | None:
    child = element.find(f"{ATOM}{name}")
    if child is None:
        return None
    if child.get("type") == "xhtml":
        return etree.tostring(child, encoding="unicode")
    return child.text or ""


def _validate_atom(report: _Report, root: etree._Element, url: str, base: str, now: datetime):
    if root.tag != f"{ATOM}feed":
        report.add("", f"the root element is <{root.tag}>, not an Atom <feed>")
        return
    for name in ("id", "title"):
        if not (_text(root.find(f"{ATOM}{name}")) or "").strip():
            report.add("feed", f"<{name}> is missing or empty")
    feed_id = _text(root.find(f"{ATOM}id"))
    if feed_id:
        _check_url(report, "feed", "<id>", feed_id, web=False)
    _rfc3339(report, "feed", "<updated>", _text(root.find(f"{ATOM}updated")), now, required=True)
    if not root.get(XML_LANG):
        report.add("feed", "xml:lang is missing (readers need it to show RTL text right)")
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    selves = _atom_links(root, "self")
    _check_self(report, "feed", selves[0] if selves else None, url, base)
    for href in _atom_links(root, "alternate"):
        _check_url(report, "feed", '<link rel="alternate">', href)
    seen: dict[str, int] = {}
    for index, entry in enumerate(root.findall(f"{ATOM}entry"), start=1):
        where = f"entry {index}"
        entry_id = _text(entry.find(f"{ATOM}id"))
        if not (entry_id or "").strip():
            report.add(where, "<id> is missing or empty")
        else:
            _check_url(report, where, "<id>", entry_id, web=False)
            _guids(report, seen, where, index, entry_id or "")
        if not (_text(entry.find(f"{ATOM}title")) or "").strip():
            report.add(where, "<title> is missing or empty")
        updated = _text(entry.find(f"{ATOM}updated"))
        _rfc3339(report, where, "<updated>", updated, now, required=True)
        published = _text(entry.find(f"{ATOM}published"))
        _rfc3339(report, where, "<published>", published, now, required=False)
        if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            report.add(where, "no <author> here nor on the feed (Atom requires one)")
        alternates = _atom_links(entry, "alternate")
        content = entry.find(f"{ATOM}content")
        if not alternates and content is None:
            report.add(where, 'needs a <link rel="alternate"> or <content>')
        for href in alternates:
            _check_url(report, where, '<link rel="alternate">', href)
        for href in _atom_links(entry, "enclosure"):
            _check_url(report, where, '<link rel="enclosure">', href)
        for name in ("summary", "content"):
            child = entry.find(f"{ATOM}{name}")
            if child is not None and child.get("type") in ("html", "xhtml"):
                _check_html(report, where, f"<{name}>", _atom_text(report, where, entry, name))


def _validate_json(report: _Report, data: bytes, url: str, now: datetime) -> None:
    try:
        feed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        report.add("", f"malformed JSON: {error}")
        return
    if not isinstance(feed, dict):
        report.add("", "the top level is not a JSON object")
        return
    if feed.get("version") != JSON_FEED_VERSION:
        report.add("", f"version is {feed.get('version')!r}, not {JSON_FEED_VERSION!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"].strip():
        report.add("", "title is missing or empty")
    if feed.get("feed_url") != url:
        report.add("", f"feed_url is {feed.get('feed_url')!r} but the feed is served from {url}")
    if "home_page_url" in feed:
        _check_url(report, "", "home_page_url", feed["home_page_url"])
    if not isinstance(feed.get("language"), str) or not feed["language"]:
        report.add("", "language is missing (readers need it to show RTL text right)")
    items = feed.get("items")
    if not isinstance(items, list):
        report.add("", "items is missing or not a list")
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        where = f"item {index}"
        if not isinstance(item, dict):
            report.add(where, "is not an object")
            continue
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            report.add(where, "id is missing or not a non-empty string")
        else:
            _guids(report, seen, where, index, item_id)
        if "url" in item:
            _check_url(report, where, "url", item["url"])
        if "image" in item:
            _check_url(report, where, "image", item["image"])
        if not isinstance(item.get("content_html"), str) and not isinstance(
            item.get("content_text"), str
        ):
            report.add(where, "needs content_html or content_text")
        _check_html(report, where, "content_html", item.get("content_html"))
        for name in ("date_published", "date_modified"):
            if name in item:
                _rfc3339(report, where, name, item[name], now, required=False)
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            report.add(where, "tags is not a list of strings")


def _validate_opml(report: _Report, root: etree._Element, base: str) -> list[str]:
    """Check the OPML; return the xmlUrls it lists."""
    urls: list[str] = []
    if root.tag != "opml":
        report.add("", f"the root element is <{root.tag}>, not <opml>")
        return urls
    if root.get("version") not in ("1.0", "1.1", "2.0"):
        report.add("", f"opml version is {root.get('version')!r}")
    if not (_text(root.find("head/title")) or "").strip():
        report.add("head", "<title> is missing or empty")
    if root.find("body") is None:
        report.add("", "no <body>")
        return urls
    outlines = [o for o in root.iter("outline") if o.get("xmlUrl") is not None]
    if not outlines:
        report.add("body", "no outline with an xmlUrl")
    for index, outline in enumerate(outlines, start=1):
        where = f"outline {index}"
        href = outline.get("xmlUrl")
        _check_url(report, where, "xmlUrl", href)
        if href and not href.startswith(base):
            report.add(where, f"xmlUrl {href} is outside the site {base}")
        if outline.get("htmlUrl") is not None:
            _check_url(report, where, "htmlUrl", outline.get("htmlUrl"))
        if not (outline.get("text") or "").strip():
            report.add(where, "text is missing or empty")
        if outline.get("type") != "rss":
            report.add(where, f"type is {outline.get('type')!r}, not 'rss'")
        urls.append(href or "")
    return urls


def validate_feed(
    data: bytes, *, kind: str, url: str, base_url: str, now: datetime | None = None
) -> list[str]:
    """Problems with one feed (kind "rss", "atom", "json" or "opml") served from ``url``."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    report = _Report(_label(url, base_url))
    if kind == "json":
        _validate_json(report, data, url, now)
        return report.problems
    if kind not in ("rss", "atom", "opml"):
        raise ValueError(f"unknown feed kind {kind!r}; expected rss, atom, json or opml")
    root = _parse_xml(report, data)
    if root is None:
        return report.problems
    if kind == "rss":
        _validate_rss(report, root, url, base_url, now)
    elif kind == "atom":
        _validate_atom(report, root, url, base_url, now)
    else:
        _validate_opml(report, root, base_url)
    return report.problems


def _feed_files(folder: Path) -> Iterable[tuple[Path, str]]:
    feeds = folder / "feeds"
    if not feeds.is_dir():
        return []
    return [
        (path, KIND_BY_SUFFIX[path.suffix])
        for path in sorted(feeds.iterdir())
        if path.is_file() and path.suffix in KIND_BY_SUFFIX
    ]


def validate_site(folder: Path, *, base_url: str, now: datetime | None = None) -> list[str]:
    """Problems with every feed under ``folder/feeds`` and with ``folder/feeds.opml``."""
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    problems: list[str] = []
    files = list(_feed_files(folder))
    if not files:
        problems.append(f"{folder}: no feeds under feeds/")
    served: set[str] = set()
    for path, kind in files:
        url = f"{base_url}feeds/{quote(path.stem, safe='')}{path.suffix}"
        served.add(url)
        problems += validate_feed(path.read_bytes(), kind=kind, url=url, base_url=base_url, now=now)
    opml = folder / "feeds.opml"
    if not opml.is_file():
        problems.append("feeds.opml: missing")
        return problems
    report = _Report("feeds.opml")
    root = _parse_xml(report, opml.read_bytes())
    if root is not None:
        for href in _validate_opml(report, root, base_url):
            if href and href.startswith(base_url) and href not in served:
                report.add("", f"lists {href}, which is not among the built feeds")
    return problems + report.problems
