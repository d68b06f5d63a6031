"""Hostile pages and hostile configs: what a page or a feeds.yaml must never be able to do.

* Read local files or stall the build through XML/HTML entities (XXE, billion laughs, quadratic
  blowup, external DTDs, XInclude), whether the page goes through extract, a full build, or the
  feed validator.
* Run script: text from pages is escaped in index.html, topic pages, RSS, Atom and JSON, and feed
  content carries no script, iframe, embed, object, form or event attributes.
* Write outside the output folder: slugs and paths from feeds.yaml are refused (exit code 2).
* Exhaust memory: gzip and deflate bodies that inflate past the size cap are stopped, and only
  that source fails.

Every server runs on 127.0.0.1 (pytest-httpserver for pages, tests/fault_server.py for bombs).
"""

from __future__ import annotations

import contextlib
import json
import time
import zlib
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from fault_server import FaultServer, endless, gzip_bomb, respond  # tests/ is on sys.path
from lxml import etree
from pytest_httpserver import HTTPServer

from feedsmith.build import build
from feedsmith.cli import main
from feedsmith.config import load_config
from feedsmith.errors import ConfigError, ExtractError, FeedsmithError
from feedsmith.extract import extract
from feedsmith.models import (
    Config,
    FeedSpec,
    Item,
    Page,
    SiteConfig,
    SiteData,
    SourceConfig,
    TopicConfig,
)
from feedsmith.render import feed_url, render_site
from feedsmith.validate import validate_feed

BASE = "https://user.github.io/akhbar/"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
FAST = 5.0  # seconds: generous for a slow machine, far below what an expanded bomb would take


def write_config(
    folder: Path,
    sources: list[dict[str, Any]],
    topics: list[dict[str, Any]] | None = None,
    **site: Any,
) -> Path:
    """A feeds.yaml in ``folder``; sources get a short timeout, no delay and no robots.txt."""
    data = {
        "site": {
            "title": "أخبار",
            "base_url": BASE,
            "language": "ar",
            "max_items": 1000,
            "source_feeds": True,
            **site,
        },
        "sources": [
            {"timeout": 0.5, "delay": 0, "respect_robots": False, **source} for source in sources
        ],
        "topics": topics or [{"slug": "news", "title": "أخبار", "regex": ["."]}],
    }
    path = folder / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def headline_page(headlines: list[tuple[str, str]], extra: str = "", head: str = "") -> str:
    """A list page: ``(href, text)`` per headline; text is escaped, as a real page would."""
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in headlines)
    return f"{head}<html><body>{extra}<ul class='news'>{items}</ul></body></html>"


def public_bytes(output: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file())


# --- entities: XXE and billion laughs -------------------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, list[bytes]]:
    """A local file a hostile page tries to read, and byte strings that betray a leak."""
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7f3a9c\n", encoding="utf-8")
    markers = [b"TOP-SECRET-7f3a9c"]
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        first = passwd.read_bytes().splitlines()[:1]
        markers += [line for line in first if len(line) > 8]
    return path, markers


def _laughs(levels: int = 10) -> str:
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)]
    return "".join(entities)


def hostile_documents(secret: Path) -> dict[str, str]:
    """Documents with a DOCTYPE that tries to read files or expand without bound; ``BODY`` is
    replaced by the caller with markup that uses the entities."""
    uri = secret.as_uri()
    quadratic = "q" * 50_000
    return {
        "xxe-passwd": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        "xxe-secret": f'<!DOCTYPE x [<!ENTITY e SYSTEM "{uri}">]>',
        "parameter-entity": f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{uri}"> %p;]>',
        "external-dtd": f'<!DOCTYPE x SYSTEM "{uri}">',
        "billion-laughs": f'<!DOCTYPE x [{_laughs()}<!ENTITY e "&lol9;">]>',
        "quadratic": f'<!DOCTYPE x [<!ENTITY e "{quadratic}">]>',
    }


def assert_no_leak(data: bytes | str, markers: list[bytes]) -> None:
    blob = data.encode("utf-8", "replace") if isinstance(data, str) else data
    for marker in markers:
        assert marker not in blob, f"local file content {marker!r} leaked"
    assert b"lollollollollollollollollollollol" not in blob, "an entity bomb was expanded"


@pytest.mark.parametrize("kind", ["xxe-passwd", "xxe-secret", "parameter-entity", "external-dtd",
                                  "billion-laughs", "quadratic"])  # fmt: skip
@pytest.mark.parametrize(
    "content_type", ["text/html", "application/xhtml+xml", "application/xml", "text/plain"]
)
@pytest.mark.parametrize(
    "source",
    [SourceConfig(name="auto"), SourceConfig(name="list", items="li"),
     SourceConfig(name="ticker", ticker=".ticker")],
    ids=lambda s: s.name,
)  # fmt: skip
def test_extract_resolves_no_entity(
    kind: str, content_type: str, source: SourceConfig, secret: tuple[Path, list[bytes]]
) -> None:
    path, markers = secret
    doctype = hostile_documents(path)[kind]
    body = (
        "<html xmlns:xi='http://www.w3.org/2001/XInclude'><body>"
        "<div class='ticker'>عاجل: &e; خبر&e;آخر</div><ul class='news'>"
        + "".join(f"<li><a href='/n/{i}'>&e; عنوان الخبر رقم {i} اليوم</a></li>" for i in range(4))
        + f"<li><xi:include href='{path.as_uri()}' parse='text'/> خبر مع تضمين</li>"
        + "</ul><p>&e; &e; &e;</p></body></html>"
    )
    page = Page(url="https://news.example/", text=doctype + body, content_type=content_type)
    started = time.monotonic()
    try:
        extraction = extract(page, source)
    except ExtractError:
        return
    assert time.monotonic() - started < FAST
    assert_no_leak(repr(extraction), markers)


VALID_RSS_BODY = (
    '<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude"><channel><title>&e;</title>'
    "<link>https://x.example/</link><description>&e;</description><language>ar</language>"
    '<item><title>&e;</title><description>&e;</description><guid isPermaLink="false">&e;</guid>'
    "<xi:include href='SECRET' parse='text'/></item></channel></rss>"
)
VALID_ATOM_BODY = (
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar"><id>&e;</id><title>&e;</title>'
    "<updated>2026-11-30T10:00:00+00:00</updated><author><name>&e;</name></author>"
    "<entry><id>tag:x,2024:1</id><title>&e;</title><summary>&e;</summary>"
    "<updated>2026-11-30T10:00:00+00:00</updated></entry></feed>"
)
VALID_OPML_BODY = '<opml version="2.0"><head><title>&e;</title></head><body/></opml>'


@pytest.mark.parametrize("kind", ["xxe-passwd", "xxe-secret", "parameter-entity", "external-dtd",
                                  "billion-laughs", "quadratic"])  # fmt: skip
@pytest.mark.parametrize(
    ("feed_kind", "body"),
    [("rss", VALID_RSS_BODY), ("atom", VALID_ATOM_BODY), ("opml", VALID_OPML_BODY)],
)
def test_validator_resolves_no_entity(
    kind: str, feed_kind: str, body: str, secret: tuple[Path, list[bytes]]
) -> None:
    path, markers = secret
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + hostile_documents(path)[kind]
        + body.replace("SECRET", path.as_uri())
    ).encode("utf-8")
    started = time.monotonic()
    problems = validate_feed(
        data, kind=feed_kind, url=f"{BASE}feeds/all.xml", base_url=BASE, now=NOW
    )
    assert time.monotonic() - started < FAST
    assert_no_leak("\n".join(problems), markers)


def test_validate_command_on_a_hostile_feed(
    tmp_path: Path, secret: tuple[Path, list[bytes]]
) -> None:
    path, markers = secret
    config = write_config(tmp_path, [{"name": "s", "url": "http://127.0.0.1:9/"}])
    feeds = tmp_path / "public" / "feeds"
    feeds.mkdir(parents=True)
    documents = hostile_documents(path)
    (feeds / "all.xml").write_text(documents["xxe-secret"] + VALID_RSS_BODY, encoding="utf-8")
    (feeds / "all.atom").write_text(documents["billion-laughs"] + VALID_ATOM_BODY, "utf-8")
    (tmp_path / "public" / "feeds.opml").write_text(
        documents["xxe-passwd"] + VALID_OPML_BODY, encoding="utf-8"
    )
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["validate", str(tmp_path / "public"), "--config", str(config)]
    )
    assert time.monotonic() - started < FAST
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert_no_leak(result.output, markers)


def test_a_hostile_page_cannot_read_files_or_stall_the_build(
    tmp_path: Path, server: HTTPServer, secret: tuple[Path, list[bytes]]
) -> None:
    """XXE, a billion laughs, file: links, a <base> pointing at the disk and a redirect to a
    file: URL, on one page built with full_text (which follows links)."""
    path, markers = secret
    documents = hostile_documents(path)
    head = documents["xxe-secret"].replace("]>", _laughs() + "]>")
    extra = "<p>&e; &lol9;</p>"
    headlines = [
        (path.as_uri(), "خبر يشير إلى ملف محلي"),
        ("file:///etc/passwd", "خبر يشير إلى ملف النظام"),
        (server.url_for("/to-file"), "خبر يحول إلى ملف محلي"),
        ("/n/1", "&e; خبر فيه كيان خارجي"),
        ("/n/2", "&lol9; خبر فيه قنبلة كيانات"),
    ]
    page = headline_page(headlines, extra=extra, head=head).replace("&amp;e;", "&e;")
    page = page.replace("&amp;lol9;", "&lol9;")
    server.expect_request("/list").respond_with_data(page, content_type="text/html")
    server.expect_request("/to-file").respond_with_data(
        "", status=302, headers={"Location": path.as_uri()}
    )
    base_page = headline_page([("secret.txt", "خبر برابط نسبي إلى القرص")]).replace(
        "<html>", f"<html><head><base href='{path.parent.as_uri()}/'></head>"
    )
    server.expect_request("/base").respond_with_data(base_page, content_type="text/html")
    for number in (1, 2):
        server.expect_request(f"/n/{number}").respond_with_data(
            f"{head}<html><body><article><h1>&e;</h1><p>&lol9; نص المقال</p></article></body>"
            "</html>",
            content_type="text/html",
        )
    config = load_config(
        write_config(
            tmp_path,
            [
                {"name": "hostile", "url": server.url_for("/list"), "items": "li",
                 "full_text": True},
                {"name": "based", "url": server.url_for("/base"), "items": "li",
                 "full_text": True},
            ],
        )
    )  # fmt: skip
    started = time.monotonic()
    report = build(config, now=NOW)
    assert time.monotonic() - started < 3 * FAST
    assert [s.ok for s in report.sources] == [True, True], report.sources
    assert report.items >= 5
    output = public_bytes(tmp_path / "public")
    assert_no_leak(output, markers)
    assert_no_leak(config.site.state.read_bytes(), markers)
    requested = {request.path for request, _ in server.log}
    assert {"/to-file", "/n/1", "/n/2"} <= requested, "full_text did not follow the links"
    assert not requested & {"/etc/passwd", str(path)}, "a file: URL went to the server"


# --- escaping -----------------------------------------------------------------------------------

HOSTILE_TITLES = [
    "<script>alert(1)</script> عاجل من دمشق",
    '"><img src=x onerror=alert(2)> خبر ثان من حلب',
    "{{ 7*7 }} {% if 1 %}jinja{% endif %} خبر ثالث ]]> <![CDATA[ x",
    "</title><script>alert(4)</script><title> خبر رابع",
    "&lt;b&gt;escaped once&lt;/b&gt; &amp;amp; خبر خامس",
    "javascript:alert(6) خبر سادس \u202e مقلوب",
]
# An empty <svg> or <math> left by the cleaner is inert; these are not.
DANGEROUS_TAGS = {"script", "iframe", "frame", "frameset", "embed", "object", "applet", "base",
                  "meta", "link", "form", "style", "template"}  # fmt: skip
# Elements that only injected markup could put into a feed's XML tree (feeds have <link>).
INJECTED_XML = {"script", "iframe", "img", "svg", "object", "embed"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcdoc"}


def markup_problems(markup: str | None) -> list[str]:
    """Dangerous things in an HTML fragment: tags, event attributes, javascript:/data: URLs."""
    if not markup or not markup.strip():
        return []
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    problems = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        name = tag.rsplit("}", 1)[-1].lower()
        if name in DANGEROUS_TAGS:
            problems.append(f"<{name}>")
        for attribute, value in element.attrib.items():
            attribute = attribute.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                problems.append(f"<{name} {attribute}=>")
            compact = "".join(ch for ch in value if ch > " ").lower()
            if attribute in URL_ATTRIBUTES and compact.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                problems.append(f"<{name} {attribute}={value!r}>")
            if attribute == "style":
                problems.append(f"<{name} style=>")
    return problems


def page_problems(data: bytes) -> list[str]:
    """Script that scraped text could have injected into one of our own pages."""
    document = lxml.html.document_fromstring(data)
    problems = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script" and "alert" in (element.text or ""):
            problems.append(f"script: {element.text!r}")
        if element.tag in ("iframe", "object", "embed", "svg", "img") and any(
            "alert" in v for v in element.attrib.values()
        ):
            problems.append(f"<{element.tag}> from scraped text")
        for attribute, value in element.attrib.items():
            if attribute.lower().startswith("on"):
                problems.append(f"<{element.tag} {attribute}={value!r}>")
            if attribute in ("href", "src") and value.strip().lower().startswith("javascript:"):
                problems.append(f"<{element.tag} {attribute}={value!r}>")
    return problems


def feed_texts(output: Path, slug: str) -> dict[str, Any]:
    """Titles and HTML fields of one feed in its three formats."""
    rss = etree.parse(str(output / "feeds" / f"{slug}.xml")).getroot()
    atom = etree.parse(str(output / "feeds" / f"{slug}.atom")).getroot()
    feed = json.loads((output / "feeds" / f"{slug}.json").read_text(encoding="utf-8"))
    return {
        "rss_titles": [t.text for t in rss.iterfind("channel/item/title")],
        "rss_html": [e.text for e in rss.iterfind("channel/item/description")]
        + [e.text for e in rss.iter(CONTENT)],
        "atom_titles": [t.text for t in atom.iterfind(f"{ATOM}entry/{ATOM}title")],
        "atom_html": [
            e.text for e in atom.iter(f"{ATOM}content", f"{ATOM}summary") if e.get("type") == "html"
        ],
        "atom_text_types": [
            e.get("type", "text") for e in atom.iter(f"{ATOM}title", f"{ATOM}summary")
        ],
        "json_titles": [item["title"] for item in feed["items"]],
        "json_html": [item.get("content_html") for item in feed["items"]],
        "tags": {
            el.tag.rsplit("}", 1)[-1] for root in (rss, atom) for el in root.iter()
            if isinstance(el.tag, str)
        },
    }  # fmt: skip


def test_scraped_text_is_escaped_everywhere(tmp_path: Path, server: HTTPServer) -> None:
    headlines = [(f"/n/{i}", title) for i, title in enumerate(HOSTILE_TITLES)]
    summaries = "".join(
        f"<li><a href='/s/{i}'>ملخص خبير رقم {i} هنا</a><p>{escape(t)}</p></li>"
        for i, t in enumerate(HOSTILE_TITLES)
    )
    page = headline_page(headlines).replace("</ul>", summaries + "</ul>")
    server.expect_request("/list").respond_with_data(page, content_type="text/html")
    config = load_config(
        write_config(
            tmp_path,
            [{"name": "enab", "url": server.url_for("/list"), "items": "li"}],
            topics=[{"slug": "news", "title": "<script>alert('topic')</script> أخبار",
                     "regex": ["."], "description": "<b onclick=alert(1)>x</b>"}],
            description="<iframe src=javascript:alert(1)></iframe>",
        )
    )  # fmt: skip
    report = build(config, now=NOW)
    assert report.sources[0].ok, report.sources
    output = tmp_path / "public"

    for page_path in ("index.html", "topics/news.html"):
        data = (output / page_path).read_bytes()
        assert page_problems(data) == [], page_path
        text = lxml.html.document_fromstring(data).text_content()
        shown = HOSTILE_TITLES if page_path != "index.html" else HOSTILE_TITLES[:4]
        for title in shown:
            assert title.split(" خبر")[0].strip() in text, (page_path, title)
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in data or page_path == "index.html"
        assert "<script>alert('topic')</script>" in text

    for slug in ("all", "news", "source-enab"):
        found = feed_texts(output, slug)
        assert not found["tags"] & INJECTED_XML, (slug, found["tags"] & INJECTED_XML)
        for key in ("rss_titles", "atom_titles", "json_titles"):
            for title in HOSTILE_TITLES:
                assert title in found[key], (slug, key, title)
        assert set(found["atom_text_types"]) <= {"text", "html"}
        for key in ("rss_html", "atom_html", "json_html"):
            for markup in found[key]:
                assert markup_problems(markup) == [], (slug, key, markup)
        # The summary "<script>alert(1)</script>" is text: escaped inside the HTML field.
        assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in (m or "") for m in found["rss_html"])


HOSTILE_ARTICLE = """<!DOCTYPE html><html lang="ar"><head><title>مقال خطير</title>
<meta http-equiv="refresh" content="0;url=javascript:alert(1)">
<base href="javascript:alert(1)//"><link rel="stylesheet" href="javascript:alert(1)">
<style>body{background:url(javascript:alert(1))}</style><script>alert(1)</script>
<meta property="og:title" content="عنوان المقال الخطير عن سوريا اليوم">
</head><body><article><h1>عنوان المقال الخطير عن سوريا اليوم</h1>
<p onclick="alert(2)" style="x:expression(alert(3))">أعلنت وزارة الصحة اليوم افتتاح مستشفى جديد
في مدينة حلب بعد سنوات من الانتظار، وقالت إن المستشفى سيخدم آلاف المرضى من المدينة والريف.</p>
<iframe src="https://evil.example/" srcdoc="<script>alert(3)</script>"></iframe>
<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">
<img src="/a.jpg" onerror="alert(4)" alt="صورة"><a href="javascript:alert(5)">رابط خطير</a>
<a href=" JaVa&#x09;ScRiPt:alert(6)">رابط آخر</a>
<a href="data:text/html,<script>alert(7)</script>">x</a>
<svg onload="alert(8)"><script>alert(9)</script></svg>
<form action="https://evil.example/"><input name="x" onfocus="alert(10)" autofocus></form>
<math><mi xlink:href="javascript:alert(11)">x</mi></math>
<p>وارتفعت أسعار الذهب في الأسواق العالمية بعد قرار البنك المركزي، وتراجع الدولار أمام
العملات الرئيسية في تعاملات اليوم، بحسب ما نقلت وكالات الأنباء عن متعاملين في السوق.</p>
<noscript><img src="x" onerror="alert(12)"></noscript>
<template><script>alert(13)</script></template>
<details open ontoggle="alert(14)"><summary>تفاصيل</summary>نص التفاصيل</details>
<video poster="javascript:alert(15)"><source src="x.mp4" onerror="alert(16)"></video>
<p>وقال مسؤول في الوزارة إن العمل جار على توسيع المستشفى ليشمل أقساما جديدة خلال العام المقبل،
وإن الوزارة تعمل مع منظمات دولية لتأمين المعدات الطبية اللازمة والكوادر المتخصصة.</p>
</article></body></html>"""


def test_feed_content_carries_no_script(tmp_path: Path, server: HTTPServer) -> None:
    """full_text content (articles linked from a list) and content_html of an article page."""
    server.expect_request("/article/1").respond_with_data(HOSTILE_ARTICLE, content_type="text/html")
    server.expect_request("/article/2").respond_with_data(HOSTILE_ARTICLE, content_type="text/html")
    page = headline_page([("/article/1", "خبر بمقال خطير"), ("/article/2", "خبر آخر بمقال")])
    server.expect_request("/list").respond_with_data(page, content_type="text/html")
    config = load_config(
        write_config(
            tmp_path,
            [
                {"name": "list", "url": server.url_for("/list"), "items": "li", "full_text": True},
                {"name": "article", "url": server.url_for("/article/1")},
            ],
        )
    )
    report = build(config, now=NOW)
    assert all(s.ok for s in report.sources), report.sources
    output = tmp_path / "public"
    seen_content = 0
    for slug in ("all", "news", "source-list", "source-article"):
        found = feed_texts(output, slug)
        assert not found["tags"] & INJECTED_XML
        for key in ("rss_html", "atom_html", "json_html"):
            for markup in found[key]:
                assert markup_problems(markup) == [], (slug, key, markup)
                seen_content += bool(markup and "مستشفى" in markup)
    assert seen_content, "no article content reached the feeds: the test proves nothing"
    for page_path in ("index.html", "topics/news.html"):
        assert page_problems((output / page_path).read_bytes()) == [], page_path


def test_renderer_sanitizes_content_html_again() -> None:
    """The renderer's second pass: content_html straight from the store, never cleaned."""
    body = HOSTILE_ARTICLE.split("<body>", 1)[1].split("</body>", 1)[0]
    item = Item(
        guid="https://enab.example/1",
        source="enab",
        title="<script>alert(1)</script>",
        link="https://enab.example/1",
        first_seen=NOW - timedelta(hours=1),
        last_seen=NOW,
        summary="<img src=x onerror=alert(1)>",
        content_html=body,
        image="javascript:alert(1)",
        topics=("news",),
        guid_is_link=True,
    )
    config = Config(
        path=Path("/nonexistent/feeds.yaml"),
        site=SiteConfig(title="أخبار", base_url=BASE, language="ar", author="أخبار"),
        sources=(SourceConfig(name="enab", url="https://enab.example/"),),
        topics=(TopicConfig(slug="news", title="أخبار"),),
    )
    feeds = (FeedSpec("all", "أخبار", items=(item,), kind="all"),
             FeedSpec("news", "أخبار", items=(item,), kind="topic"))  # fmt: skip
    files = render_site(SiteData(config=config, feeds=feeds, built=NOW))
    rss = etree.fromstring(files["feeds/all.xml"])
    atom = etree.fromstring(files["feeds/all.atom"])
    feed = json.loads(files["feeds/all.json"])
    markups = [e.text for e in rss.iterfind("channel/item/description")]
    markups += [e.text for e in rss.iter(CONTENT)]
    markups += [
        e.text for e in atom.iter(f"{ATOM}content", f"{ATOM}summary") if e.get("type") == "html"
    ]
    markups += [i.get("content_html") for i in feed["items"]]
    assert markups and all(markup_problems(m) == [] for m in markups), markups
    assert "javascript" not in files["feeds/all.xml"].decode().split("<enclosure")[-1][:200]
    for name in ("rss", "atom", "json"):
        path = f"feeds/all.{ {'rss': 'xml', 'atom': 'atom', 'json': 'json'}[name] }"
        assert validate_feed(files[path], kind=name, url=feed_url(BASE, "all", name),
                             base_url=BASE, now=NOW) == []  # fmt: skip
    for path in ("index.html", "topics/news.html"):
        assert page_problems(files[path]) == [], path


# --- paths from feeds.yaml ----------------------------------------------------------------------

TRAVERSALS = ["../out", "../../etc", "/tmp/feedsmith-out", "..\\out", "out\\..\\..\\x",
              "C:/out", "C:\\out", "\\\\server\\share", "out/../../x", "out/./../.."]  # fmt: skip
BAD_SLUGS = ["../x", "..", ".", "/abs", "a/b", "a\\b", "C:x", "x/../../y", "%2e%2e", "ab\x00"]


def _minimal(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "page.html").write_text(headline_page([("/1", "خبر")]), encoding="utf-8")
    return {
        "site": {"title": "أخبار", "base_url": BASE},
        "sources": [{"name": "s", "file": "page.html", "items": "li"}],
        "topics": [{"slug": "news", "title": "أخبار", "keywords": ["خبر"]}],
    }


def _config_with(tmp_path: Path, where: str, value: str) -> Path:
    data = _minimal(tmp_path)
    section, _, key = where.partition(".")
    if section == "site":
        data["site"][key] = value
    elif section == "sources":
        data["sources"][0][key] = value
    else:
        data["topics"][0][key] = value
    path = tmp_path / "project" / "feeds.yaml"
    path.parent.mkdir(exist_ok=True)
    (path.parent / "page.html").write_text(headline_page([("/1", "خبر")]), encoding="utf-8")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


CASES = [(f"site.{key}", value) for key in ("output", "state", "cache", "templates")
         for value in TRAVERSALS]  # fmt: skip
CASES += [("sources.file", value) for value in [*TRAVERSALS, "/etc/passwd"]]
CASES += [("topics.slug", value) for value in BAD_SLUGS]
# A source name becomes feeds/source-NAME.xml when site.source_feeds is on.
CASES += [("sources.name", value) for value in ["../x", "a/b", "a\\b", "..", "/abs", "C:x"]]


@pytest.mark.parametrize(("where", "value"), CASES)
def test_config_paths_cannot_leave_the_folder(tmp_path: Path, where: str, value: str) -> None:
    path = _config_with(tmp_path, where, value)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = info.value.describe()
    key = where.replace("sources.", "sources[0].").replace("topics.", "topics[0].")
    assert key in message, message
    assert "Traceback" not in message

    result = CliRunner().invoke(main, ["build", "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert key in result.output
    assert not (tmp_path / "out").exists() and not Path("/tmp/feedsmith-out").exists()


def test_config_error_messages_are_clear(tmp_path: Path) -> None:
    path = _config_with(tmp_path, "site.output", "../out")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "site.output: must stay inside the config file's folder, not '../out'" in (
        info.value.describe()
    )
    path = _config_with(tmp_path, "site.output", "C:\\out")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "must be a relative path with / separators" in info.value.describe()
    path = _config_with(tmp_path, "topics.slug", "../x")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "it names files" in info.value.describe()


@pytest.mark.parametrize("output", [".", "./", ".feedsmith", "pages"])
def test_output_folder_cannot_swallow_the_project(tmp_path: Path, output: str) -> None:
    project = tmp_path / "project"
    (project / "pages").mkdir(parents=True)
    (project / "pages" / "page.html").write_text(headline_page([("/1", "خبر عاجل هنا")]), "utf-8")
    data = _minimal(tmp_path)
    data["site"]["output"] = output
    data["sources"][0]["file"] = "pages/page.html"
    path = project / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        config = load_config(path)
    except ConfigError:
        return  # refused: fine
    with contextlib.suppress(FeedsmithError):
        build(config, now=NOW)
    with contextlib.suppress(FeedsmithError):
        build(config, now=NOW + timedelta(hours=1))  # the state must have survived the first
    survivors = [path, project / "pages" / "page.html", config.site.state]
    assert [p for p in survivors if not p.exists()] == []


# --- decompression bombs ------------------------------------------------------------------------


def _deflate_bomb(size: int, raw: bool = False) -> Any:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    payload = compressor.compress(b" " * size) + compressor.flush()
    return respond(
        200, payload, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "deflate"}
    )


@pytest.mark.parametrize(
    "bomb",
    ["gzip", "deflate", "raw-deflate", "endless"],
)
def test_decompression_bombs_are_stopped_in_a_build(
    tmp_path: Path, server: HTTPServer, faults: FaultServer, bomb: str
) -> None:
    handlers = {
        "gzip": gzip_bomb(50_000_000),
        "deflate": _deflate_bomb(50_000_000),
        "raw-deflate": _deflate_bomb(50_000_000, raw=True),
        "endless": endless(limit=60_000_000),
    }
    faults.route("/bomb", handlers[bomb])
    healthy = headline_page([(f"/n/{i}", f"خبر سليم رقم {i} من المصدر") for i in range(3)])
    server.expect_request("/ok").respond_with_data(healthy, content_type="text/html")
    config = load_config(
        write_config(
            tmp_path,
            [
                {"name": "bomb", "url": faults.url("/bomb"), "items": "li", "timeout": 5},
                {"name": "healthy", "url": server.url_for("/ok"), "items": "li"},
            ],
        )
    )
    started = time.monotonic()
    report = build(config, now=NOW)
    assert time.monotonic() - started < 3 * FAST
    bad, good = report.sources
    assert not bad.ok
    assert "limit" in (bad.error or "") and "byte" in (bad.error or ""), bad.error
    assert good.ok and good.items == 3
    all_xml = (tmp_path / "public" / "feeds" / "all.xml").read_text(encoding="utf-8")
    assert "خبر سليم رقم 2 من المصدر" in all_xml


# --- URLs that block publishing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    ["https://www.enab.example/search?q=50%off", "http://enab.example/news/100%-sure"],
)
def test_a_stray_percent_in_a_link_does_not_block_the_build(
    tmp_path: Path, server: HTTPServer, href: str
) -> None:
    page = headline_page([(href, "خصم خمسين بالمئة على الكتب"), ("/n/1", "خبر عادي تماما هنا")])
    server.expect_request("/list").respond_with_data(page, content_type="text/html")
    config = load_config(
        write_config(tmp_path, [{"name": "s", "url": server.url_for("/list"), "items": "li"}])
    )
    report = build(config, now=NOW)
    assert report.sources[0].items == 2
    assert "خصم خمسين" in (tmp_path / "public" / "feeds" / "all.atom").read_text("utf-8")


@pytest.mark.parametrize("key", ["icon", "logo"])
def test_an_unparseable_icon_url_does_not_crash_the_build(tmp_path: Path, key: str) -> None:
    data = _minimal(tmp_path)
    data["site"][key] = "http://[::1/icon.png"
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--config", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 2), result.output


@pytest.mark.parametrize("field", ["description", "content:encoded"])
def test_validator_survives_an_html_field_that_is_a_bare_html_tag(field: str) -> None:
    namespace = ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    data = (
        f'<?xml version="1.0"?><rss version="2.0"{namespace}><channel><title>t</title>'
        "<link>https://x.example/</link><description>d</description><language>ar</language>"
        f"<item><title>a</title><{field}>&lt;html&gt;</{field}>"
        '<guid isPermaLink="false">a</guid></item></channel></rss>'
    ).encode()
    problems = validate_feed(data, kind="rss", url=f"{BASE}feeds/all.xml", base_url=BASE, now=NOW)
    assert isinstance(problems, list)
