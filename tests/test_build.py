"""Whole builds: sequences of builds against a local server whose pages change between builds."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from pytest_httpserver import HTTPServer

from feedsmith import build as build_module
from feedsmith.build import build
from feedsmith.config import load_config

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def list_page(headlines: list[tuple[str, str]]) -> str:
    items = "\n".join(f'<li><a href="{href}">{title}</a></li>' for href, title in headlines)
    return f"""<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>آخر الأخبار</title></head><body>
<nav><a href="/">الرئيسية</a><a href="/about">من نحن</a></nav>
<ul class="latest">{items}</ul>
<footer><a href="/contact">اتصل بنا</a></footer></body></html>"""


CONFIG = """\
site:
  title: أخبار تجريبية
  base_url: https://example.github.io/feeds/
  language: ar
  max_age_days: {max_age_days}
  source_feeds: true
sources:
  - name: alpha
    url: {alpha}
    items: "ul.latest li"
    delay: 0
    timeout: 2
  - name: beta
    url: {beta}
    items: "ul.latest li"
    delay: 0
    timeout: 2
topics:
  - slug: economy
    title: اقتصاد
    keywords: [النفط, الأسعار]
  - slug: politics
    title: سياسة
    keywords: [وزير, الحكومة]
"""


class Site:
    """A feeds.yaml in a temporary folder whose two sources are pages on a local server."""

    def __init__(self, tmp_path: Path, server: HTTPServer, max_age_days: int = 30):
        self.server = server
        self.root = tmp_path
        self.pages: dict[str, str] = {}
        self.failing: set[str] = set()
        server.expect_request("/robots.txt").respond_with_data("", status=404)
        for name in ("alpha", "beta"):
            server.expect_request(f"/{name}").respond_with_handler(self._handler(name))
        (tmp_path / "feeds.yaml").write_text(
            CONFIG.format(
                alpha=server.url_for("/alpha"),
                beta=server.url_for("/beta"),
                max_age_days=max_age_days,
            ),
            encoding="utf-8",
        )
        self.config = load_config(tmp_path / "feeds.yaml")

    def _handler(self, name: str):
        from werkzeug import Response

        def handle(request):
            if name in self.failing:
                return Response("down for maintenance", status=500)
            return Response(self.pages[name], content_type="text/html; charset=utf-8")

        return handle

    def build(self, now: datetime):
        return build(self.config, now=now)

    def feed(self, slug: str, ext: str = "xml"):
        parsed = feedparser.parse(self.root / "public" / "feeds" / f"{slug}.{ext}")
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        return parsed

    def snapshot(self) -> dict[str, str]:
        public = self.root / "public"
        return {
            str(p.relative_to(public)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(public.rglob("*"))
            if p.is_file()
        }


@pytest.fixture
def site(tmp_path: Path, httpserver: HTTPServer) -> Site:
    return Site(tmp_path, httpserver)


def entries_by_title(parsed) -> dict[str, dict]:
    return {entry.title: entry for entry in parsed.entries}


def test_sequence_keeps_identity_dates_and_order(site: Site) -> None:
    site.pages["alpha"] = list_page(
        [("/n/1", "ارتفاع أسعار النفط في الأسواق"), ("/n/2", "وزير الخارجية يزور عمان")]
    )
    site.pages["beta"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
    first = site.build(T0)
    assert [s.ok for s in first.sources] == [True, True]
    feed1 = entries_by_title(site.feed("all"))
    assert set(feed1) == {
        "ارتفاع أسعار النفط في الأسواق",
        "وزير الخارجية يزور عمان",
        "افتتاح معرض الكتاب في دمشق",
    }

    # Build 2: a new headline arrives, one leaves the page.
    site.pages["alpha"] = list_page(
        [("/n/3", "الحكومة تقر موازنة العام المقبل"), ("/n/1", "ارتفاع أسعار النفط في الأسواق")]
    )
    site.build(T0 + timedelta(hours=1))
    feed2 = site.feed("all")
    titles2 = [e.title for e in feed2.entries]
    assert titles2[0] == "الحكومة تقر موازنة العام المقبل"  # new items come first
    assert "وزير الخارجية يزور عمان" in titles2  # removed from the page, kept in the feed
    by_title2 = entries_by_title(feed2)
    for title, entry in feed1.items():
        assert by_title2[title].id == entry.id  # GUIDs never change
        assert by_title2[title].published == entry.published  # nor first-seen dates
    assert by_title2["الحكومة تقر موازنة العام المقبل"].published_parsed[:4] == (2025, 3, 1, 9)

    # Topics follow the rules, in both RSS and Atom.
    economy = [e.title for e in site.feed("economy").entries]
    assert economy == ["ارتفاع أسعار النفط في الأسواق"]
    politics = {e.title for e in site.feed("politics", "atom").entries}
    assert politics == {"الحكومة تقر موازنة العام المقبل", "وزير الخارجية يزور عمان"}


def test_failing_source_loses_nothing_and_recovers(site: Site) -> None:
    site.pages["alpha"] = list_page([("/n/1", "ارتفاع أسعار النفط في الأسواق")])
    site.pages["beta"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
    site.build(T0)
    before = entries_by_title(site.feed("source-beta"))

    site.failing.add("beta")
    report = site.build(T0 + timedelta(hours=1))
    failed = {s.name: s for s in report.sources if not s.ok}
    assert set(failed) == {"beta"}
    assert "500" in (failed["beta"].error or "")
    assert entries_by_title(site.feed("source-beta")).keys() == before.keys()
    assert "افتتاح معرض الكتاب في دمشق" in entries_by_title(site.feed("all"))
    index = (site.root / "public" / "index.html").read_text(encoding="utf-8")
    assert "beta" in index

    site.failing.clear()
    site.pages["beta"] = list_page(
        [("/b/2", "عودة الكهرباء إلى حلب"), ("/b/1", "افتتاح معرض الكتاب في دمشق")]
    )
    report = site.build(T0 + timedelta(hours=2))
    assert all(s.ok for s in report.sources)
    after = entries_by_title(site.feed("source-beta"))
    assert after["افتتاح معرض الكتاب في دمشق"].id == before["افتتاح معرض الكتاب في دمشق"].id
    assert "عودة الكهرباء إلى حلب" in after


def test_same_story_in_two_sources_is_one_item(site: Site) -> None:
    shared = "http://EXAMPLE.org/story/7?utm_source=x"
    site.pages["alpha"] = list_page([(shared, "وزير النفط يعلن خطة جديدة")])
    site.pages["beta"] = list_page([("https://example.org/story/7", "وزير النفط يعلن خطة جديدة")])
    site.build(T0)
    entries = site.feed("all").entries
    assert [e.title for e in entries] == ["وزير النفط يعلن خطة جديدة"]
    assert "utm_source" not in entries[0].link


def test_removed_items_leave_after_retention(tmp_path: Path, httpserver: HTTPServer) -> None:
    site = Site(tmp_path, httpserver, max_age_days=2)
    site.pages["alpha"] = list_page([("/n/1", "خبر قديم سيغادر الصفحة")])
    site.pages["beta"] = list_page([("/b/1", "خبر باق على الصفحة")])
    site.build(T0)
    site.pages["alpha"] = list_page([("/n/2", "خبر جديد")])
    site.build(T0 + timedelta(days=1))
    assert "خبر قديم سيغادر الصفحة" in entries_by_title(site.feed("all"))
    site.build(T0 + timedelta(days=3))
    titles = entries_by_title(site.feed("all"))
    assert "خبر قديم سيغادر الصفحة" not in titles
    assert {"خبر جديد", "خبر باق على الصفحة"} <= titles.keys()


def test_rebuild_with_nothing_new_is_byte_identical(site: Site) -> None:
    site.pages["alpha"] = list_page([("/n/1", "ارتفاع أسعار النفط في الأسواق")])
    site.pages["beta"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
    site.build(T0)
    feeds_dir = site.root / "public" / "feeds"
    first = site.snapshot()
    mtimes = {p.name: p.stat().st_mtime_ns for p in feeds_dir.iterdir()}
    report = site.build(T0 + timedelta(hours=1))
    second = site.snapshot()
    feeds_only = {k: v for k, v in first.items() if k.startswith("feeds")}
    assert feeds_only == {k: v for k, v in second.items() if k.startswith("feeds")}
    assert {p.name: p.stat().st_mtime_ns for p in feeds_dir.iterdir()} == mtimes
    assert report.files_unchanged >= len(feeds_only)


def test_build_killed_while_rendering_leaves_previous_site(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.pages["alpha"] = list_page([("/n/1", "ارتفاع أسعار النفط في الأسواق")])
    site.pages["beta"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
    site.build(T0)
    before = site.snapshot()

    real_render = build_module.render_site

    class DiesHalfWay(dict):
        """Rendered files whose writing is cut off half-way, as by a crash or a full disk."""

        def items(self):
            pairs = list(super().items())
            yield from pairs[: len(pairs) // 2]
            raise RuntimeError("killed while writing")

    def dies_half_way(data):
        return DiesHalfWay(real_render(data))

    site.pages["alpha"] = list_page([("/n/9", "خبر لن ينشر")])
    monkeypatch.setattr(build_module, "render_site", dies_half_way)
    with pytest.raises(RuntimeError):
        site.build(T0 + timedelta(hours=1))
    assert site.snapshot() == before
    leftovers = [p.name for p in site.root.iterdir() if p.name.startswith(".public")]
    assert leftovers == []  # no half-written folder left behind


ARTICLE = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{title}</title><link rel="canonical" href="{url}">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}",
"datePublished": "2025-02-28T10:00:00+03:00", "author": {{"name": "سلمى"}}}}</script>
</head><body><nav><a href="/">الرئيسية</a></nav><article><h1>{title}</h1>
<p>{body} الفقرة الأولى من نص الخبر تشرح ما جرى بالتفصيل وتذكر المصادر والأرقام كاملة.</p>
<p>الفقرة الثانية تضيف سياقًا عن الأسباب والنتائج المتوقعة خلال الأسابيع المقبلة في المنطقة.</p>
<p>الفقرة الثالثة تنقل تصريحات المسؤولين وردود الفعل عليها من الأطراف المختلفة في البلاد.</p>
<script>alert("tracking")</script><img src="/pixel.gif" width="1" height="1">
<img src="/media/photo.jpg" alt="صورة"></article><footer>حقوق النشر</footer></body></html>"""


def test_full_text_fetches_each_article_once(tmp_path: Path, httpserver: HTTPServer) -> None:
    site = Site(tmp_path, httpserver)
    config_text = (tmp_path / "feeds.yaml").read_text(encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text(
        config_text.replace("    timeout: 2\n", "    timeout: 2\n    full_text: true\n", 1),
        encoding="utf-8",
    )
    site.config = load_config(tmp_path / "feeds.yaml")
    served: list[str] = []
    for number, body in ((1, "نص المقال الأول"), (2, "نص المقال الثاني")):
        path = f"/a/{number}"

        def handler(request, body=body, path=path, number=number):
            from werkzeug import Response

            served.append(request.path)
            html = ARTICLE.format(title=f"خبر {number}", url=httpserver.url_for(path), body=body)
            return Response(html, content_type="text/html; charset=utf-8")

        httpserver.expect_request(path).respond_with_handler(handler)
    site.pages["alpha"] = list_page([("/a/1", "خبر رقم واحد عن النفط")])
    site.pages["beta"] = list_page([])
    site.build(T0)
    assert served == ["/a/1"]

    site.pages["alpha"] = list_page([("/a/2", "خبر رقم اثنان"), ("/a/1", "خبر رقم واحد عن النفط")])
    site.build(T0 + timedelta(hours=1))
    assert served == ["/a/1", "/a/2"]  # the second build asked only for the new article

    entries = entries_by_title(site.feed("all"))
    content = entries["خبر رقم واحد عن النفط"].content[0].value
    assert "نص المقال الأول" in content
    assert "<script" not in content and "alert" not in content
    assert "pixel.gif" not in content
    assert httpserver.url_for("/media/photo.jpg") in content  # absolute image URL
    assert "نص المقال الثاني" in entries["خبر رقم اثنان"].content[0].value


def test_selector_that_stops_matching_is_a_warning_naming_it(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    site.pages["alpha"] = list_page([(f"/n/{i}", f"خبر رقم {i} عن النفط") for i in range(8)])
    site.pages["beta"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
    site.build(T0)
    # The site is redesigned: the list is now a <div> grid, and the selector finds nothing.
    site.pages["alpha"] = list_page([]).replace(
        '<ul class="latest"></ul>', '<div class="grid"><h3><a href="/n/1">خبر</a></h3></div>'
    )
    with caplog.at_level("WARNING", logger="feedsmith"):
        report = site.build(T0 + timedelta(hours=1))
    alpha = next(s for s in report.sources if s.name == "alpha")
    assert alpha.warnings == [
        "source 'alpha': no items found with ul.latest li; check the selector"
    ]
    assert "no items found with ul.latest li" in caplog.text
    # Nothing is lost: the earlier items stay in the feeds.
    assert len(site.feed("source-alpha").entries) == 8
