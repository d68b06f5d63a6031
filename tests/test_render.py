"""Tests for feedsmith.render (with feedsmith.feeds and feedsmith.pages): SiteData in, bytes out."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feedsmith.errors import FeedsmithError
from feedsmith.feeds import clean_text, iri_to_uri, one_line, safe_link
from feedsmith.models import (
    Config,
    FeedSpec,
    Item,
    SiteConfig,
    SiteData,
    SourceConfig,
    SourceStatus,
    TopicConfig,
)
from feedsmith.render import feed_url, render_site

BASE = "https://user.github.io/akhbar/"
BUILT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
UPDATED = BUILT - timedelta(hours=1)
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ENCODED_LINK = (
    "https://enab.example/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/2?q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7"
)


def hours_ago(hours: float) -> datetime:
    return BUILT - timedelta(hours=hours)


def make_items() -> list[Item]:
    """One item per trap: Latin in Arabic, a non-ASCII link, forbidden characters, a script
    title, dangerous content with a relative image, a future date."""
    common = {"source": "enab", "last_seen": BUILT}
    return [
        Item(
            guid="g-latin",
            title="قمة NATO في بروكسل",
            link="https://enab.example/أخبار/2?q=سوريا",
            first_seen=hours_ago(4),
            topics=("politics", "economy"),
            image="/img/صورة.jpg",
            **common,
        ),
        Item(
            guid="g-control",
            title="نص\x00مع\x0bتحكم\ufffe",
            link="https://enab.example/3",
            first_seen=hours_ago(3),
            summary="ملخص\x01 <b>غامق</b>",
            topics=("economy",),
            **common,
        ),
        Item(
            guid="g-script",
            title="<script>alert(1)</script>",
            link="https://enab.example/4",
            first_seen=hours_ago(2),
            author="مراسل",
            topics=("politics",),
            **common,
        ),
        Item(
            guid="https://enab.example/5",
            guid_is_link=True,
            title="تقرير مفصل",
            link="https://enab.example/news/5.html",
            first_seen=hours_ago(1),
            content_html=(
                '<p onclick="steal()">نص <img src="../media/a.jpg"> <a href="/x">رابط</a>'
                '<script>alert(1)</script><iframe src="https://evil.example/"></iframe>'
                '<object data="x.swf"></object></p>'
            ),
            topics=("economy",),
            **common,
        ),
        Item(
            guid="g-future",
            title="خبر من المستقبل",
            link="https://enab.example/6",
            first_seen=hours_ago(6),
            published=BUILT + timedelta(days=400),
            topics=("politics",),
            **common,
        ),
        Item(
            guid="g-old",
            title="عاجل: اجتماع في دمشق",
            link="https://enab.example/news/1",
            first_seen=hours_ago(8),
            published=hours_ago(7),
            topics=("politics",),
            **common,
        ),
    ]


# Newest first; the item dated in the future falls back to when it was first seen.
POLITICS = ["<script>alert(1)</script>", "قمة NATO في بروكسل", "خبر من المستقبل"]
POLITICS += ["عاجل: اجتماع في دمشق"]
ECONOMY = ["تقرير مفصل", "نص مع تحكم", "قمة NATO في بروكسل"]
ALL = ["تقرير مفصل", "<script>alert(1)</script>", "نص مع تحكم", "قمة NATO في بروكسل"]
ALL += ["خبر من المستقبل", "عاجل: اجتماع في دمشق"]


def make_data(*, language: str = "ar", templates: Path | None = None, **site: object) -> SiteData:
    config = Config(
        path=Path("/srv/news/feeds.yaml"),
        site=SiteConfig(
            title="أخبار سوريا",
            base_url=BASE,
            language=language,
            description="عناوين مصنفة حسب الموضوع",
            icon="icon.png",
            templates=templates,
            **site,  # type: ignore[arg-type]
        ),
        sources=(SourceConfig(name="enab", url="https://enab.example/"),),
        topics=(
            TopicConfig(slug="politics", title="سياسة"),
            TopicConfig(slug="economy", title="اقتصاد", description="الأسواق والأسعار"),
        ),
    )
    items = make_items()

    def spec(slug: str, kind: str, title: str) -> FeedSpec:
        chosen = [i for i in items if kind != "topic" or slug in i.topics]
        return FeedSpec(slug=slug, title=title, items=tuple(chosen), kind=kind, updated=UPDATED)

    feeds = (
        spec("all", "all", "كل الأخبار"),
        spec("politics", "topic", "سياسة"),
        spec("economy", "topic", "اقتصاد"),
        spec("source-enab", "source", "عنب بلدي"),
    )
    sources = (
        SourceStatus(name="enab", ok=True, last_success=BUILT, item_count=6),
        SourceStatus(
            name="halab",
            ok=False,
            last_error="HTTP 503 from https://halab.example/",
            failing_since=BUILT - timedelta(days=2),
        ),
    )
    return SiteData(config=config, feeds=feeds, sources=sources, built=BUILT)


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return render_site(make_data())


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


FEEDS = {"all": ALL, "politics": POLITICS, "economy": ECONOMY, "source-enab": ALL}


def test_every_file_of_the_site_is_rendered(files: dict[str, bytes]) -> None:
    expected = {f"feeds/{slug}.{ext}" for slug in FEEDS for ext in ("xml", "atom", "json")}
    expected |= {"index.html", "topics/politics.html", "topics/economy.html", "feeds.opml"}
    expected |= {".nojekyll", "feed.xsl", "style.css"}
    assert set(files) == expected
    assert files[".nojekyll"] == b""


def test_rendering_twice_gives_identical_bytes(files: dict[str, bytes]) -> None:
    assert render_site(make_data()) == files


def test_a_later_build_with_the_same_items_changes_only_the_index(files: dict[str, bytes]) -> None:
    later = replace(make_data(), built=BUILT + timedelta(hours=3))
    rendered = render_site(later)
    changed = {path for path in files if rendered[path] != files[path]}
    assert changed == {"index.html"}  # only the index shows the build time


@pytest.mark.parametrize("ext", ["xml", "atom"])
@pytest.mark.parametrize("slug", sorted(FEEDS))
def test_feeds_parse_cleanly_newest_first(files: dict[str, bytes], slug: str, ext: str) -> None:
    parsed = feedparser.parse(files[f"feeds/{slug}.{ext}"])
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert [entry.title for entry in parsed.entries] == FEEDS[slug]
    for entry in parsed.entries:
        assert entry.link.isascii() and entry.link.startswith("https://")
    assert parsed.feed.language == "ar"


@pytest.mark.parametrize("ext", ["xml", "atom"])
def test_stylesheet_instruction_follows_the_declaration(files: dict[str, bytes], ext: str) -> None:
    head = files[f"feeds/all.{ext}"].split(b"\n")[:2]
    assert head[0].startswith(b"<?xml version=")
    assert head[1] == b'<?xml-stylesheet type="text/xsl" href="../feed.xsl"?>'


def test_links_are_percent_encoded(files: dict[str, bytes]) -> None:
    rss = xml(files["feeds/all.xml"])
    links = [link.text for link in rss.iterfind("channel/item/link")]
    assert ENCODED_LINK in links
    enclosure = rss.find("channel/item/enclosure")
    assert enclosure is not None
    assert enclosure.get("url") == "https://enab.example/img/%D8%B5%D9%88%D8%B1%D8%A9.jpg"
    assert enclosure.get("type") == "image/jpeg"


def test_rss_channel(files: dict[str, bytes]) -> None:
    channel = xml(files["feeds/politics.xml"]).find("channel")
    assert channel.findtext("link") == BASE
    assert channel.findtext("title") == "سياسة"
    assert channel.findtext("description")
    assert channel.findtext("language") == "ar"
    assert channel.findtext("ttl") == "60"
    assert channel.findtext("lastBuildDate") == format_datetime(UPDATED)
    assert channel.findtext("generator") == "feedsmith"
    assert channel.findtext("image/url") == BASE + "icon.png"
    selves = [link for link in channel.iterfind(f"{ATOM}link") if link.get("rel") == "self"]
    assert [link.get("href") for link in selves] == [feed_url(BASE, "politics", "rss")]


def test_rss_items_guid_categories_dates_and_content(files: dict[str, bytes]) -> None:
    items = {item.findtext("title"): item for item in xml(files["feeds/all.xml"]).iter("item")}
    latin = items["قمة NATO في بروكسل"]
    assert latin.find("guid").get("isPermaLink") == "false"
    assert latin.findtext("guid") == "g-latin"
    assert [c.text for c in latin.iterfind("category")] == ["سياسة", "اقتصاد"]
    permalink = items["تقرير مفصل"].find("guid")
    assert permalink.get("isPermaLink") == "true"
    assert permalink.text == "https://enab.example/5"
    # A date in the future becomes the first-seen time (stable across builds); English names.
    assert items["خبر من المستقبل"].findtext("pubDate") == "Mon, 30 Nov 2026 06:00:00 +0000"
    assert items["عاجل: اجتماع في دمشق"].findtext("pubDate") == format_datetime(hours_ago(7))
    # Plain-text summaries are escaped once more: RSS descriptions are HTML.
    assert items["نص مع تحكم"].findtext("description") == "ملخص &lt;b&gt;غامق&lt;/b&gt;"
    creator = items["<script>alert(1)</script>"].findtext(
        "{http://purl.org/dc/elements/1.1/}creator"
    )
    assert creator == "مراسل"
    content = items["تقرير مفصل"].findtext(CONTENT)
    assert_clean_content(content)


def assert_clean_content(content: str) -> None:
    assert content
    lowered = content.lower()
    for bad in ("<script", "<iframe", "<object", "onclick", "alert(1)", "steal"):
        assert bad not in lowered
    assert 'src="https://enab.example/media/a.jpg"' in content
    assert 'href="https://enab.example/x"' in content


def test_atom_feed(files: dict[str, bytes]) -> None:
    root = xml(files["feeds/economy.atom"])
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert root.findtext(f"{ATOM}id") == feed_url(BASE, "economy", "atom")
    assert root.findtext(f"{ATOM}updated") == UPDATED.isoformat()
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "أخبار سوريا"
    links = {link.get("rel"): link.get("href") for link in root.iterfind(f"{ATOM}link")}
    assert links == {"self": feed_url(BASE, "economy", "atom"), "alternate": BASE}
    assert root.findtext(f"{ATOM}icon") == BASE + "icon.png"
    assert root.find(f"{ATOM}logo") is None  # an icon is not a logo
    entries = root.findall(f"{ATOM}entry")
    first = entries[0]
    assert first.findtext(f"{ATOM}id") == "https://enab.example/5"
    assert first.find(f"{ATOM}content").get("type") == "html"
    assert_clean_content(first.findtext(f"{ATOM}content"))
    latin = entries[2]
    assert latin.findtext(f"{ATOM}id").startswith("tag:user.github.io,")
    entry_links = [
        (ln.get("rel"), ln.get("type"), ln.get("href")) for ln in latin.iter(f"{ATOM}link")
    ]
    assert entry_links == [
        ("alternate", "text/html", ENCODED_LINK),
        ("enclosure", "image/jpeg", "https://enab.example/img/%D8%B5%D9%88%D8%B1%D8%A9.jpg"),
    ]
    categories = [(c.get("term"), c.get("label")) for c in latin.iter(f"{ATOM}category")]
    assert categories == [("politics", "سياسة"), ("economy", "اقتصاد")]
    assert latin.findtext(f"{ATOM}updated") == hours_ago(4).isoformat()


def test_json_feed(files: dict[str, bytes]) -> None:
    feed = json.loads(files["feeds/politics.json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "سياسة"
    assert feed["home_page_url"] == BASE
    assert feed["feed_url"] == feed_url(BASE, "politics", "json")
    assert feed["language"] == "ar"
    assert [item["title"] for item in feed["items"]] == POLITICS
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item["url"].isascii() and item["url"].startswith("https://")
        assert "content_html" in item or "content_text" in item
        assert datetime.fromisoformat(item["date_published"]) <= BUILT
        assert all(isinstance(tag, str) for tag in item["tags"])
    by_title = {item["title"]: item for item in feed["items"]}
    assert by_title["قمة NATO في بروكسل"]["tags"] == ["سياسة", "اقتصاد"]
    assert by_title["قمة NATO في بروكسل"]["image"].startswith("https://enab.example/img/%D8")
    economy = {item["title"]: item for item in json.loads(files["feeds/economy.json"])["items"]}
    assert_clean_content(economy["تقرير مفصل"]["content_html"])


def test_opml_lists_every_feed_topics_first(files: dict[str, bytes]) -> None:
    root = xml(files["feeds.opml"])
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "أخبار سوريا"
    assert root.findtext("head/dateCreated") == format_datetime(UPDATED)
    outlines = [o for o in root.iter("outline") if o.get("xmlUrl")]
    urls = [o.get("xmlUrl") for o in outlines]
    assert urls == [feed_url(BASE, slug, "rss") for slug in ("politics", "economy", "all")] + [
        feed_url(BASE, "source-enab", "rss")
    ]
    for outline in outlines:
        assert outline.get("type") == "rss" and outline.get("text")
        assert outline.get("htmlUrl").startswith(BASE)


def test_index_page(files: dict[str, bytes]) -> None:
    page = files["index.html"].decode()
    doc = lxml.html.fromstring(files["index.html"])
    assert doc.get("lang") == "ar" and doc.get("dir") == "rtl"
    assert doc.find(".//meta[@name='viewport']") is not None
    alternates = {
        (link.get("type"), link.get("href")) for link in doc.iterfind(".//link[@rel='alternate']")
    }
    media = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
    media["json"] = "application/feed+json"
    assert alternates == {
        (media[kind], feed_url(BASE, slug, kind)) for slug in FEEDS for kind in media
    }
    # The headline is shown as text, never run.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(" not in page
    assert "built-in method" not in page  # a template reached a dict method, not a string
    assert doc.find(f".//time[@datetime='{BUILT.isoformat()}']") is not None
    assert "30 نوفمبر 2026" in page
    assert "feeds.opml" in page
    # One status line per source: ok with its count, failing with since-when and the error.
    statuses = [" ".join(li.text_content().split()) for li in doc.find_class("source")]
    assert statuses[0] == "enab يعمل، عدد الأخبار: 6"
    assert "28 نوفمبر 2026" in statuses[1] and "HTTP 503" in statuses[1]
    # Copy buttons carry every feed address.
    copies = {button.get("data-copy") for button in doc.iterfind(".//button[@data-copy]")}
    assert feed_url(BASE, "all", "json") in copies
    # Headlines isolate their direction so Latin inside Arabic displays right.
    for anchor in doc.find_class("story-title"):
        assert anchor.get("dir") == "auto"
    assert_nothing_loaded_from_elsewhere(doc)


def assert_nothing_loaded_from_elsewhere(doc: lxml.html.HtmlElement) -> None:
    item_links = {safe_link(item.link) for item in make_items()}
    for element in doc.iter():
        src = element.get("src")
        assert src is None or not urlsplit(src).netloc, f"external src {src}"
        href = element.get("href")
        if href is None or not urlsplit(href).netloc:
            continue
        if element.tag == "a" and href in item_links:
            continue
        assert href.startswith(BASE), f"off-site href {href} on <{element.tag}>"
        assert element.tag != "link" or element.get("rel") == "alternate"


def test_topic_pages_list_every_item(files: dict[str, bytes]) -> None:
    doc = lxml.html.fromstring(files["topics/politics.html"])
    titles = [a.text_content() for a in doc.find_class("story-title")]
    assert titles == POLITICS
    assert doc.find(".//link[@rel='stylesheet']").get("href") == "../style.css"
    first_alternate = doc.find(".//link[@rel='alternate']")
    assert first_alternate.get("href") == feed_url(BASE, "politics", "rss")
    economy = files["topics/economy.html"].decode()
    assert "الأسواق والأسعار" in economy
    for image in lxml.html.fromstring(economy).iter("img"):
        assert image.get("referrerpolicy") == "no-referrer"


def test_feed_stylesheet_renders_both_formats(files: dict[str, bytes]) -> None:
    transform = etree.XSLT(xml(files["feed.xsl"]))
    for ext in ("xml", "atom"):
        page = str(transform(xml(files[f"feeds/politics.{ext}"])))
        assert 'dir="rtl"' in page
        assert "هذه خلاصة أخبار" in page
        assert feed_url(BASE, "politics", "rss" if ext == "xml" else "atom") in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_left_to_right_site() -> None:
    rendered = render_site(make_data(language="en-GB"))
    doc = lxml.html.fromstring(rendered["index.html"])
    assert doc.get("lang") == "en-GB" and doc.get("dir") == "ltr"
    assert "30 Nov 2026" in rendered["index.html"].decode()
    assert b"Copy" in rendered["index.html"]


def test_user_templates_override_the_packaged_ones(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        "<p>custom {{ site_title }} {{ topics | length }}</p>\n", encoding="utf-8"
    )
    rendered = render_site(make_data(templates=tmp_path))
    assert rendered["index.html"].decode() == "<p>custom أخبار سوريا 2</p>\n"
    # Files the user did not override still come from the packaged templates.
    assert b'dir="rtl"' in rendered["topics/politics.html"]


def test_an_empty_feed_is_still_valid_and_stable() -> None:
    data = make_data()
    empty = FeedSpec(slug="sports", title="رياضة", kind="topic")
    data = SiteData(config=data.config, feeds=(*data.feeds, empty), built=BUILT)
    rendered = render_site(data)
    assert render_site(data) == rendered
    parsed = feedparser.parse(rendered["feeds/sports.xml"])
    assert parsed.bozo == 0 and parsed.entries == []
    assert xml(rendered["feeds/sports.atom"]).findtext(f"{ATOM}updated") == BUILT.isoformat()


def test_two_feeds_with_one_slug_are_refused() -> None:
    data = make_data()
    twice = SiteData(config=data.config, feeds=(data.feeds[1], data.feeds[1]), built=BUILT)
    with pytest.raises(FeedsmithError, match="politics"):
        render_site(twice)


def test_feed_url() -> None:
    assert feed_url(BASE, "all", "rss") == BASE + "feeds/all.xml"
    assert feed_url(BASE, "all", "atom") == BASE + "feeds/all.atom"
    assert feed_url("https://x.example", "سياسة", "json") == (
        "https://x.example/feeds/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9.json"
    )
    with pytest.raises(ValueError, match="kind"):
        feed_url(BASE, "all", "xml")


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        ("https://example.org/a b", "https://example.org/a%20b"),
        ("https://مثال.example/", "https://xn--mgbh0fb.example/"),
        ("https://example.org/%D8%A3?x=%zz", "https://example.org/%D8%A3?x=%25zz"),
        ("https://user@example.org:8080/p;q=1", "https://user@example.org:8080/p;q=1"),
    ],
)
def test_iri_to_uri(iri: str, uri: str) -> None:
    assert iri_to_uri(iri) == uri


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "", "mailto:a@b"])
def test_unsafe_links_are_dropped(url: str) -> None:
    assert safe_link(url) == ""


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_cleaned_text_always_serialises(text: str) -> None:
    element = etree.Element("t")
    element.text = clean_text(text)
    element.set("a", one_line(text))
    assert etree.fromstring(etree.tostring(element)).text == (clean_text(text) or None)
    assert not re.search(r"\s\s", one_line(text))


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% for x in %}", "index.html:1"),
        ("{{ no_such_thing.title }}", "no_such_thing"),
    ],
)
def test_a_broken_user_template_is_reported_by_name(
    tmp_path: Path, template: str, message: str
) -> None:
    (tmp_path / "index.html").write_text(template, encoding="utf-8")
    with pytest.raises(FeedsmithError, match=message):
        render_site(make_data(templates=tmp_path))
