"""Tests for feedsmith.validate: rendered output passes; feeds broken on purpose fail, each with
a message that names the file, the item and the problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from feedsmith.models import (
    Config,
    FeedSpec,
    Item,
    SiteConfig,
    SiteData,
    SourceConfig,
    TopicConfig,
)
from feedsmith.render import feed_url, render_site
from feedsmith.validate import url_problem, validate_feed, validate_site

BASE = "https://user.github.io/akhbar/"
BUILT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
RAW_LINK = "https://enab.example/أخبار/2"
ENCODED_LINK = "https://enab.example/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/2"
FUTURE = BUILT + timedelta(days=3)


def make_data() -> SiteData:
    def item(guid: str, title: str, link: str, hours: int, **extra: object) -> Item:
        seen = BUILT - timedelta(hours=hours)
        return Item(
            guid=guid,
            source="enab",
            title=title,
            link=link,
            first_seen=seen,
            last_seen=BUILT,
            topics=("politics",),
            **extra,  # type: ignore[arg-type]
        )

    items = (
        item("g1", "قمة NATO في بروكسل", RAW_LINK, 1, summary="ملخص"),
        item("g2", "عاجل", "https://enab.example/news/2", 2, content_html="<p>نص</p>"),
        item(
            "g3", "خبر ثالث", "https://enab.example/news/3", 3, image="https://enab.example/i.png"
        ),
    )
    config = Config(
        path=Path("/srv/feeds.yaml"),
        site=SiteConfig(title="أخبار", base_url=BASE, language="ar"),
        sources=(SourceConfig(name="enab", url="https://enab.example/"),),
        topics=(TopicConfig(slug="politics", title="سياسة"),),
    )
    feeds = (
        FeedSpec(slug="all", title="الكل", items=items, kind="all", updated=BUILT),
        FeedSpec(slug="politics", title="سياسة", items=items, kind="topic", updated=BUILT),
    )
    return SiteData(config=config, feeds=feeds, built=BUILT)


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return render_site(make_data())


def write(folder: Path, files: dict[str, bytes]) -> Path:
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def test_rendered_site_passes(tmp_path: Path, files: dict[str, bytes]) -> None:
    assert validate_site(write(tmp_path, files), base_url=BASE, now=BUILT) == []


def test_rendered_site_passes_with_the_real_clock(tmp_path: Path, files: dict[str, bytes]) -> None:
    # BUILT is in the past of any run of this test after 2026-11-30.
    now = max(datetime.now(UTC), BUILT)
    assert validate_site(write(tmp_path, files), base_url=BASE, now=now) == []


def replace(old: str, new: str, count: int = 1) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        text = data.decode("utf-8")
        assert old in text, f"the fixture no longer contains {old!r}"
        return text.replace(old, new, count).encode("utf-8")

    return mutate


def drop(old: str) -> Callable[[bytes], bytes]:
    return replace(old, "")


def json_edit(edit: Callable[[dict], None]) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        feed = json.loads(data)
        edit(feed)
        return json.dumps(feed, ensure_ascii=False).encode("utf-8")

    return mutate


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


NOW_822 = format_datetime(BUILT)
FUTURE_822 = format_datetime(FUTURE)
FUTURE_3339 = FUTURE.isoformat()
DANGEROUS = (
    '&lt;iframe src="https://x.example/"&gt;&lt;/iframe&gt;&lt;img src="a.png" onerror="x()"&gt;'
)

# (name, feed file, mutation, the substring the problem must contain)
BROKEN = [
    ("rss malformed", "politics.xml", truncate, "politics.xml: malformed XML"),
    ("rss no title", "politics.xml", drop("<title>سياسة</title>"), "channel: <title> is missing"),
    (
        "rss no description",
        "politics.xml",
        replace("<description>سياسة</description>", ""),
        "channel: <description> is missing",
    ),
    ("rss no language", "politics.xml", drop("<language>ar</language>"), "<language> is missing"),
    (
        "rss no self link",
        "politics.xml",
        replace('rel="self"', 'rel="hub"'),
        'channel: no rel="self" link',
    ),
    (
        "rss relative link",
        "politics.xml",
        replace("<link>https://enab.example/news/3</link>", "<link>/news/3</link>"),
        "item 3: <link> is not an absolute URL (/news/3)",
    ),
    (
        "rss raw non-ascii link",
        "politics.xml",
        replace(ENCODED_LINK, RAW_LINK),
        "item 1: <link> contains raw non-ASCII characters",
    ),
    (
        "rss localized date",
        "politics.xml",
        replace("Mon, 30 Nov 2026 10:00:00 +0000", "الإثنين، 30 نوفمبر 2026 10:00"),
        "item 2: <pubDate> is not an RFC 822 date with English names",
    ),
    (
        "rss wrong weekday",
        "politics.xml",
        replace("Mon, 30 Nov 2026 10:00:00", "Tue, 30 Nov 2026 10:00:00"),
        "item 2: <pubDate> names the wrong day of the week",
    ),
    (
        "rss future date",
        "politics.xml",
        replace("Mon, 30 Nov 2026 09:00:00 +0000", FUTURE_822),
        "item 3: <pubDate> is in the future",
    ),
    (
        "rss future lastBuildDate",
        "politics.xml",
        replace(f"<lastBuildDate>{NOW_822}", f"<lastBuildDate>{FUTURE_822}"),
        "channel: <lastBuildDate> is in the future",
    ),
    (
        "rss duplicate guid",
        "politics.xml",
        replace(">g3</guid>", ">g1</guid>"),
        "item 3: duplicate id/guid 'g1' (also item 1)",
    ),
    (
        "rss guid not a permalink",
        "politics.xml",
        replace('<guid isPermaLink="false">g2</guid>', "<guid>g2</guid>"),
        "item 2: <guid> is not an absolute URL (g2); "
        'a guid that is not a URL needs isPermaLink="false"',
    ),
    (
        "rss dangerous description",
        "politics.xml",
        replace("<description>ملخص</description>", f"<description>{DANGEROUS}</description>"),
        "item 1: <description> contains <iframe>",
    ),
    (
        "rss event attribute",
        "politics.xml",
        replace("<description>ملخص</description>", f"<description>{DANGEROUS}</description>"),
        "item 1: <description> has an event attribute onerror= on <img>",
    ),
    (
        "rss relative url in content",
        "politics.xml",
        replace("<description>ملخص</description>", f"<description>{DANGEROUS}</description>"),
        'item 1: <description> has a relative URL in <img src="a.png">',
    ),
    (
        "rss wrong root",
        "politics.xml",
        lambda data: data.replace(b"<rss ", b"<rdf ").replace(b"</rss>", b"</rdf>"),
        "the root element is <rdf>, not <rss>",
    ),
    ("atom malformed", "politics.atom", truncate, "politics.atom: malformed XML"),
    (
        "atom no author",
        "politics.atom",
        drop("<author>\n    <name>أخبار</name>\n  </author>"),
        "entry 1: no <author> here nor on the feed",
    ),
    ("atom no xml:lang", "politics.atom", drop(' xml:lang="ar"'), "feed: xml:lang is missing"),
    (
        "atom no id",
        "politics.atom",
        drop(f"<id>{BASE}feeds/politics.atom</id>"),
        "feed: <id> is missing",
    ),
    (
        "atom bad updated",
        "politics.atom",
        replace("<updated>2026-11-30T10:00:00+00:00", "<updated>30/11/2026 10:00"),
        "entry 2: <updated> is not an RFC 3339 date",
    ),
    (
        "atom future published",
        "politics.atom",
        replace("<published>2026-11-30T09:00:00+00:00", f"<published>{FUTURE_3339}"),
        "entry 3: <published> is in the future",
    ),
    (
        "atom relative link",
        "politics.atom",
        replace('href="https://enab.example/news/2"', 'href="news/2"'),
        'entry 2: <link rel="alternate"> is not an absolute URL',
    ),
    (
        "atom raw non-ascii link",
        "politics.atom",
        replace(ENCODED_LINK, RAW_LINK),
        'entry 1: <link rel="alternate"> contains raw non-ASCII characters',
    ),
    (
        "atom duplicate id",
        "politics.atom",
        replace(",2024:g2</id>", ",2024:g1</id>"),
        "entry 2: duplicate id/guid",
    ),
    (
        "atom id not a uri",
        "politics.atom",
        replace("<id>tag:user.github.io,2024:g3</id>", "<id>g 3</id>"),
        "entry 3: <id> contains characters a URL may not carry unescaped",
    ),
    (
        "atom no self link",
        "politics.atom",
        replace('rel="self"', 'rel="related"'),
        'feed: no rel="self" link',
    ),
    ("json malformed", "politics.json", truncate, "politics.json: malformed JSON"),
    (
        "json no version",
        "politics.json",
        json_edit(lambda feed: feed.pop("version")),
        "version is None",
    ),
    (
        "json no content",
        "politics.json",
        json_edit(lambda feed: feed["items"][1].pop("content_html")),
        "item 2: needs content_html or content_text",
    ),
    (
        "json relative url",
        "politics.json",
        json_edit(lambda feed: feed["items"][0].update(url="/news/1")),
        "item 1: url is not an absolute URL",
    ),
    (
        "json raw non-ascii url",
        "politics.json",
        json_edit(lambda feed: feed["items"][0].update(url=RAW_LINK)),
        "item 1: url contains raw non-ASCII characters",
    ),
    (
        "json future date",
        "politics.json",
        json_edit(lambda feed: feed["items"][2].update(date_published=FUTURE_3339)),
        "item 3: date_published is in the future",
    ),
    (
        "json bad date",
        "politics.json",
        json_edit(lambda feed: feed["items"][2].update(date_published="yesterday")),
        "item 3: date_published is not an RFC 3339 date",
    ),
    (
        "json duplicate id",
        "politics.json",
        json_edit(lambda feed: feed["items"][1].update(id="g1")),
        "item 2: duplicate id/guid 'g1'",
    ),
    (
        "json wrong feed_url",
        "politics.json",
        json_edit(lambda feed: feed.update(feed_url="https://elsewhere.example/f.json")),
        "feed_url is 'https://elsewhere.example/f.json'",
    ),
]


@pytest.mark.parametrize(
    ("name", "path", "mutate", "expected"), BROKEN, ids=[row[0] for row in BROKEN]
)
def test_broken_feeds_fail_with_a_clear_message(
    files: dict[str, bytes],
    name: str,
    path: str,
    mutate: Callable[[bytes], bytes],
    expected: str,
) -> None:
    kind = {"xml": "rss", "atom": "atom", "json": "json"}[path.rsplit(".", 1)[1]]
    url = f"{BASE}feeds/{path}"
    original = files[f"feeds/{path}"]
    assert validate_feed(original, kind=kind, url=url, base_url=BASE, now=BUILT) == []
    problems = validate_feed(mutate(original), kind=kind, url=url, base_url=BASE, now=BUILT)
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith(f"feeds/{path}: ") for problem in problems), problems


@pytest.mark.parametrize(("path", "kind"), [("all.xml", "rss"), ("all.atom", "atom")])
def test_self_link_must_match_where_the_feed_is_served(
    files: dict[str, bytes], path: str, kind: str
) -> None:
    other = "https://example.org/news/"
    problems = validate_feed(
        files[f"feeds/{path}"], kind=kind, url=f"{other}feeds/{path}", base_url=other, now=BUILT
    )
    assert problems == [
        f"feeds/{path}: {'channel' if kind == 'rss' else 'feed'}: the self link is "
        f"{BASE}feeds/{path} but the feed is served from {other}feeds/{path}, "
        f"and it is outside the site {other}"
    ]


def test_site_moved_to_another_base_url_fails(tmp_path: Path, files: dict[str, bytes]) -> None:
    problems = validate_site(write(tmp_path, files), base_url="https://example.org/", now=BUILT)
    assert any("feeds.opml: outline 1: xmlUrl" in p and "outside the site" in p for p in problems)
    assert any(p.startswith("feeds/all.json: feed_url is") for p in problems)


def test_opml_problems(tmp_path: Path, files: dict[str, bytes]) -> None:
    broken = dict(files)
    broken["feeds.opml"] = (
        files["feeds.opml"]
        .decode()
        .replace(feed_url(BASE, "all", "rss"), "feeds/all.xml")
        .replace(feed_url(BASE, "politics", "rss"), feed_url(BASE, "sport", "rss"))
        .encode()
    )
    problems = validate_site(write(tmp_path, broken), base_url=BASE, now=BUILT)
    assert "feeds.opml: outline 2: xmlUrl is not an absolute URL (feeds/all.xml)" in problems
    assert (
        f"feeds.opml: lists {feed_url(BASE, 'sport', 'rss')}, which is not among the built feeds"
        in problems
    )


def test_missing_feeds_and_opml(tmp_path: Path) -> None:
    assert validate_site(tmp_path, base_url=BASE, now=BUILT) == [
        f"{tmp_path}: no feeds under feeds/",
        "feeds.opml: missing",
    ]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org/a%20b", None),
        ("", "is empty"),
        ("/relative", "is not an absolute URL (/relative)"),
        ("https://example.org/سوريا", "contains raw non-ASCII characters"),
        ("https://example.org/a b", "contains characters a URL may not carry unescaped"),
        ("https://example.org/100%", "contains characters a URL may not carry unescaped"),
        ("javascript:alert(1)", "is not an absolute http(s) URL"),
    ],
)
def test_url_problem(url: str, problem: str | None) -> None:
    found = url_problem(url)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_unknown_kind_is_a_programming_error(files: dict[str, bytes]) -> None:
    with pytest.raises(ValueError, match="kind"):
        validate_feed(files["feeds/all.xml"], kind="rdf", url=BASE, base_url=BASE)
