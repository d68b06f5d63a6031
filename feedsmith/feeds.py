"""Feeds as bytes: RSS 2.0 and Atom 1.0 (through feedgen) and JSON Feed 1.1 (by hand).

Takes one ``FeedSpec`` with the ``SiteConfig`` and returns the serialised feed; also holds the
text and URL hygiene that the pages share (``clean_text``, ``iri_to_uri``, ``safe_link``,
``feed_url``). Nothing here reads state, the network or the clock: every date written comes from
the data passed in, so an unchanged rebuild gives byte-identical files.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import lxml.html
from feedgen.feed import FeedGenerator
from lxml import etree

from feedsmith import __version__
from feedsmith.models import FeedSpec, Item, SiteConfig
from feedsmith.sanitize import content_cleaner, parse_fragment

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
EXTENSIONS = {"rss": "xml", "atom": "atom", "json": "json"}
MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
# Relative, not absolute: browsers apply an XSL stylesheet only from the feed's own origin, and
# feeds always sit one folder below the site root, so this works on Pages and in a local preview.
STYLESHEET_HREF = "../feed.xsl"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# XML 1.0 allows tab, LF, CR, U+0020–D7FF, U+E000–FFFD and U+10000–10FFFF. C1 controls
# (U+007F–U+009F) are allowed but only ever appear in mis-decoded pages, so they go too.
_NOT_XML = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "svg": "image/svg+xml",
}
# Delimiters that must survive quoting: RFC 3986 gen-delims and sub-delims, and "%" so that an
# already percent-encoded URL is not encoded twice.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/?:@!$&'()*+,;=-._~%"


def clean_text(text: str | None) -> str:
    """Remove the characters XML cannot carry (and lone surrogates); keep everything else."""
    return _NOT_XML.sub("", text) if text else ""


def one_line(text: str | None) -> str:
    """Text on one line, for titles and names: forbidden characters become spaces (a control
    character between two words usually stood for a line break) and whitespace runs fold."""
    return _SPACES.sub(" ", _NOT_XML.sub(" ", text)).strip() if text else ""


# An absolute URI as validators check it: printable ASCII without space, quotes, <>, {}, |, \\, ^
# or backquote (RFC 3986's characters plus "%" escapes).
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]*")


def iri_to_uri(iri: str) -> str:
    """Percent-encode an IRI into a URI that feed validators accept.

    Reserved characters and existing escapes stay; the host goes through IDNA.

    >>> iri_to_uri("https://مثال.example/أخبار/1?q=سوريا#x y")
    'https://xn--mgbh0fb.example/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1?q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7#x%20y'
    """
    iri = clean_text(iri).strip()
    if not iri:
        return ""
    iri = _BAD_PERCENT.sub("%25", iri)
    parts = urlsplit(iri)
    netloc = parts.netloc
    if netloc:
        # The user-info is quoted even when ASCII: a space in it is as invalid as Arabic.
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":")
        if not host.isascii():
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:  # a label IDNA 2003 refuses: quoting keeps it at least ASCII
                host = quote(host, safe="")
        netloc = quote(userinfo, safe=":%!$&'()*+,;=") + at + host + colon + port
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_PATH_SAFE),
            quote(parts.query, safe=_QUERY_SAFE),
            quote(parts.fragment, safe=_QUERY_SAFE),
        )
    )


def safe_link(url: str | None, base: str = "") -> str:
    """An absolute http(s) URI for ``url`` (resolved against ``base``), or "" for anything else
    (``javascript:``, ``data:``, empty): such links must never reach a page or a feed."""
    if not url:
        return ""
    try:
        absolute = urljoin(base, clean_text(url).strip()) if base else clean_text(url).strip()
        uri = iri_to_uri(absolute)
        parts = urlsplit(uri)
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 host) cannot be a link at all
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    # Whatever quoting could not repair (a space in the host, say) stays out of the feeds.
    return uri if _URI.fullmatch(uri) else ""


def feed_url(base_url: str, slug: str, kind: str) -> str:
    """The absolute URL of ``feeds/<slug>.<ext>`` for kind "rss", "atom" or "json".

    >>> feed_url("https://example.org/news/", "all", "atom")
    'https://example.org/news/feeds/all.atom'
    """
    if kind not in EXTENSIONS:
        raise ValueError(f"unknown feed kind {kind!r}; expected one of {sorted(EXTENSIONS)}")
    base = base_url if base_url.endswith("/") else base_url + "/"
    return f"{base}feeds/{quote(slug, safe='')}.{EXTENSIONS[kind]}"


def feed_path(slug: str, kind: str) -> str:
    """The path of a feed inside the output folder, e.g. ``feeds/all.xml``."""
    return f"feeds/{slug}.{EXTENSIONS[kind]}"


def aware(moment: datetime) -> datetime:
    """Timezone-aware: feedgen raises on naive datetimes, and the store should never give one."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clamp(moment: datetime, built: datetime | None) -> datetime:
    """Never later than the build: validators and readers distrust dates in the future."""
    moment = aware(moment)
    return min(moment, aware(built)) if built else moment


_URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "longdesc")


def sanitize_html(fragment: str | None, base: str) -> str:
    """Clean HTML for ``content:encoded`` and Atom content: no script, iframe, embed, object or
    event attributes, and every URL absolute (against ``base``, the item's link) and ASCII.

    Extraction already cleans; this second pass is a defence because feeds are read by many
    clients whose own sanitizers differ.
    """
    fragment = clean_text(fragment).strip()
    if not fragment:
        return ""
    root = parse_fragment(fragment)
    if root is None:
        return html.escape(fragment, quote=False)
    root = content_cleaner().clean_html(root)
    for element in root.iter(etree.Element):
        for attribute in _URL_ATTRIBUTES:
            value = element.get(attribute)
            if value is None:
                continue
            link = safe_link(value, base)
            if link:
                element.set(attribute, link)
            else:
                del element.attrib[attribute]
        if element.get("srcset") is not None:
            # Resolving every candidate of a srcset is fragile; src is enough for a feed reader.
            del element.attrib["srcset"]
        if element.tag == "a" and element.get("href"):
            element.set("rel", "noopener noreferrer")
    text = html.escape(root.text or "", quote=False)
    body = "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return (text + body).strip()


def excerpt(fragment: str, limit: int = 300) -> str:
    """The text of an HTML fragment, cut at a word boundary near ``limit`` characters."""
    root = parse_fragment(fragment)
    text = fragment if root is None else root.text_content()
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def image_type(url: str) -> str:
    """A MIME type for an enclosure, from the file name; JPEG when it says nothing."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _IMAGE_TYPES.get(extension, "image/jpeg")


@dataclass(frozen=True)
class Entry:
    """An item prepared for every format: text cleaned, URLs encoded, dates clamped."""

    guid: str
    atom_id: str
    source: str
    guid_is_link: bool
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str
    image: str
    author: str
    categories: tuple[tuple[str, str], ...]  # (slug, title)


def atom_id_for(guid: str, base_url: str) -> str:
    """Atom ids must be absolute IRIs: a GUID that is not one becomes a tag: URI."""
    if _SCHEME.match(guid) and " " not in guid:
        return guid
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},2024:{quote(guid, safe='/:@-._~')}"


def prepare_entries(
    items: Iterable[Item],
    *,
    base_url: str,
    topic_titles: Mapping[str, str],
    built: datetime | None,
) -> list[Entry]:
    """Items as entries, newest first (ties broken by GUID so the order is stable), one per GUID."""
    entries: list[Entry] = []
    seen: set[str] = set()
    for item in items:
        guid = iri_to_uri(item.guid) if item.guid_is_link else one_line(item.guid)
        if not guid.isascii():
            guid = quote(guid, safe=_QUERY_SAFE)
        if not guid or guid in seen:
            continue  # a repeated GUID makes readers drop or merge items unpredictably
        seen.add(guid)
        link = safe_link(item.link) or safe_link(base_url)
        date = item.date
        if built is not None and aware(date) > aware(built):
            # A page that dates a story in the future is wrong; clamping to the build time would
            # move the date on every build, so fall back to when feedsmith first saw it.
            date = item.first_seen
        published = clamp(date, built)
        updated = max(published, clamp(item.first_seen, built))
        entries.append(
            Entry(
                guid=guid,
                atom_id=atom_id_for(guid, base_url),
                source=one_line(item.source),
                guid_is_link=item.guid_is_link and bool(safe_link(guid)),
                title=one_line(item.title) or link,
                link=link,
                published=published,
                updated=updated,
                summary=clean_text(item.summary).strip(),
                content_html=sanitize_html(item.content_html, link),
                image=safe_link(item.image, link),
                author=one_line(item.author),
                categories=tuple(
                    (slug, one_line(topic_titles.get(slug, slug))) for slug in item.topics
                ),
            )
        )
    entries.sort(key=lambda entry: entry.guid)
    entries.sort(key=lambda entry: entry.published, reverse=True)
    return entries


@dataclass(frozen=True)
class FeedContext:
    """What every format of one feed shares."""

    spec: FeedSpec
    site: SiteConfig
    entries: list[Entry]
    title: str
    description: str
    language: str
    updated: datetime
    home: str  # the site
    author: str


def feed_context(
    spec: FeedSpec,
    site: SiteConfig,
    *,
    topic_titles: Mapping[str, str],
    built: datetime | None,
    language: str | None = None,
) -> FeedContext:
    """Prepare one feed: entries, and an ``updated`` that moves only with the feed's items."""
    entries = prepare_entries(
        spec.items, base_url=site.base_url, topic_titles=topic_titles, built=built
    )
    if spec.updated is not None:
        updated = clamp(spec.updated, built)
    elif entries:
        updated = max(entry.updated for entry in entries)
    else:
        updated = aware(built) if built else EPOCH
    # Both are required by RSS and feedgen: a title made only of control characters must not
    # leave them empty.
    title = one_line(spec.title) or one_line(site.title) or spec.slug
    description = one_line(spec.description) or one_line(site.description) or title
    return FeedContext(
        spec=spec,
        site=site,
        entries=entries,
        title=title,
        description=description,
        language=one_line(language or site.language) or "en",
        updated=updated,
        home=safe_link(site.base_url) or site.base_url,
        author=one_line(site.author) or one_line(site.title) or "feedsmith",
    )


def _generator(ctx: FeedContext, kind: str) -> FeedGenerator:
    site = ctx.site
    fg = FeedGenerator()
    fg.id(feed_url(site.base_url, ctx.spec.slug, "atom"))
    fg.title(ctx.title)
    fg.description(ctx.description)
    fg.language(ctx.language)
    # Pinned, never "now": feedgen would otherwise stamp every build and change every file.
    fg.updated(ctx.updated)
    fg.generator("feedsmith", version=__version__)
    fg.author(name=ctx.author)
    fg.ttl(site.ttl)
    # feedgen's RSS <link> is the href of the LAST link() call: self first, the site last.
    fg.link(href=feed_url(site.base_url, ctx.spec.slug, kind), rel="self", type=MEDIA_TYPES[kind])
    fg.link(href=ctx.home, rel="alternate", type="text/html")
    icon = safe_link(site.icon, ctx.home)
    logo = safe_link(site.logo, ctx.home)
    if icon:
        fg.icon(icon)
    if logo or icon:
        fg.image(url=logo or icon, title=ctx.title, link=ctx.home)
    for entry in ctx.entries:
        # add_entry prepends by default, which would reverse the sorted order.
        fe = fg.add_entry(order="append")
        fe.guid(entry.guid if kind == "rss" else entry.atom_id, permalink=entry.guid_is_link)
        fe.title(entry.title)
        fe.link(href=entry.link, rel="alternate")
        fe.published(entry.published)
        fe.updated(entry.updated)
        if kind == "atom":
            if entry.summary:
                fe.summary(entry.summary)
        elif entry.summary or entry.content_html:
            # RSS description is HTML: escape plain text so "<b>" in a summary shows as text.
            # Without a summary, a text excerpt of the content keeps description short while
            # content:encoded carries the whole article.
            fe.description(html.escape(entry.summary or excerpt(entry.content_html), False))
        if entry.content_html:
            fe.content(entry.content_html, type="html")
        if entry.author:
            fe.author(name=entry.author)
        if entry.categories:
            fe.category([{"term": slug, "label": title} for slug, title in entry.categories])
        if entry.image:
            fe.enclosure(entry.image, "0", image_type(entry.image))
    return fg


def _serialise(root: etree._Element) -> bytes:
    """The document with the stylesheet instruction right after the XML declaration."""
    root.addprevious(
        etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{STYLESHEET_HREF}"')
    )
    return etree.tostring(
        root.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=True, resolve_entities=False))


def render_rss(ctx: FeedContext) -> bytes:
    """RSS 2.0 with atom:link rel=self, content:encoded, dc:creator and image enclosures."""
    root = _parse(_generator(ctx, "rss").rss_str(pretty=False))
    items = root.findall("channel/item")
    for item, entry in zip(items, ctx.entries, strict=True):
        if entry.author:
            # RSS <author> must be an e-mail address; a name belongs in dc:creator.
            creator = etree.SubElement(item, f"{{{DC_NS}}}creator")
            creator.text = entry.author
    etree.cleanup_namespaces(root, top_nsmap={"dc": DC_NS}, keep_ns_prefixes=["dc"])
    return _serialise(root)


def render_atom(ctx: FeedContext) -> bytes:
    """Atom 1.0; entry links rebuilt because feedgen 1.0.0 drops their rel and type."""
    root = _parse(_generator(ctx, "atom").atom_str(pretty=False))
    if not safe_link(ctx.site.logo, ctx.home):
        # feedgen's image() also sets atom:logo; a square icon is no logo.
        for logo in root.findall(f"{{{ATOM_NS}}}logo"):
            root.remove(logo)
    entries = root.findall(f"{{{ATOM_NS}}}entry")
    for element, entry in zip(entries, ctx.entries, strict=True):
        for link in element.findall(f"{{{ATOM_NS}}}link"):
            element.remove(link)
        anchor = element.find(f"{{{ATOM_NS}}}updated")
        position = element.index(anchor) + 1 if anchor is not None else len(element)
        links = [{"rel": "alternate", "type": "text/html", "href": entry.link}]
        if entry.image:
            links.append({"rel": "enclosure", "type": image_type(entry.image), "href": entry.image})
        for offset, attributes in enumerate(links):
            link = etree.Element(f"{{{ATOM_NS}}}link")
            for name in ("rel", "type", "href"):
                link.set(name, attributes[name])
            element.insert(position + offset, link)
    return _serialise(root)


def _rfc3339(moment: datetime) -> str:
    return aware(moment).isoformat()


def render_json(ctx: FeedContext) -> bytes:
    """JSON Feed 1.1, written directly: feedgen has no JSON output."""
    site = ctx.site
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": ctx.title,
        "home_page_url": ctx.home,
        "feed_url": feed_url(site.base_url, ctx.spec.slug, "json"),
        "description": ctx.description,
        "language": ctx.language,
        "authors": [{"name": ctx.author}],
    }
    icon = safe_link(site.icon, ctx.home)
    logo = safe_link(site.logo, ctx.home)
    if logo or icon:
        feed["icon"] = logo or icon
    if icon:
        feed["favicon"] = icon
    items: list[dict[str, object]] = []
    for entry in ctx.entries:
        item: dict[str, object] = {"id": entry.guid, "url": entry.link, "title": entry.title}
        if entry.content_html:
            item["content_html"] = entry.content_html
        # One of content_html / content_text is required; a headline alone is still content.
        if entry.summary or not entry.content_html:
            item["content_text"] = entry.summary or entry.title
        if entry.summary:
            item["summary"] = entry.summary
        if entry.image:
            item["image"] = entry.image
        item["date_published"] = _rfc3339(entry.published)
        item["date_modified"] = _rfc3339(entry.updated)
        if entry.author:
            item["authors"] = [{"name": entry.author}]
        if entry.categories:
            item["tags"] = [title for _, title in entry.categories]
        items.append(item)
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


RENDERERS = {"rss": render_rss, "atom": render_atom, "json": render_json}
