"""Whole builds: sequences of builds against a local server whose pages change between builds."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from pytest_httpserver import HTTPServer

from feedsmith import build as build_module
from feedsmith.build import BuildReport, build
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

    def __init__(
        self,
        tmp_path: Path,
        server: HTTPServer,
        max_age_days: int = 30,
        etags: bool = False,
        max_age: int | None = None,
    ):
        self.server = server
        self.max_age = max_age  # send Cache-Control: max-age=N with every page (200 and 304)
        self.root = tmp_path
        self.pages: dict[str, str] = {}
        self.failing: set[str] = set()
        self.etags = etags  # answer with an ETag, and 304 to a request that has it
        self.statuses: list[int] = []
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
            page = self.pages[name]
            if not self.etags:
                return Response(page, content_type="text/html; charset=utf-8")
            etag = '"' + hashlib.sha256(page.encode()).hexdigest()[:16] + '"'
            status = 304 if request.headers.get("If-None-Match") == etag else 200
            self.statuses.append(status)
            body = page if status == 200 else ""
            headers = {"ETag": etag}
            if self.max_age is not None:
                headers["Cache-Control"] = f"max-age={self.max_age}"
            return Response(body, status, headers, content_type="text/html; charset=utf-8")

        return handle

    def build(self, now: datetime, **kwargs):
        return build(self.config, now=now, **kwargs)

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
    assert feed_files(first) == feed_files(second)
    assert {p.name: p.stat().st_mtime_ns for p in feeds_dir.iterdir()} == mtimes
    assert report.files_unchanged >= len(feed_files(first))


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


# -- unchanged pages (304) are not read again -------------------------------------------------


@pytest.fixture
def etag_site(tmp_path: Path, httpserver: HTTPServer) -> Site:
    site = Site(tmp_path, httpserver, etags=True)
    site.pages["alpha"] = list_page(
        [("/n/1", "ارتفاع أسعار النفط في الأسواق"), ("/n/2", "وزير الخارجية يزور عمان")]
    )
    site.pages["beta"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
    return site


def count_extractions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the sources build() extracts from, from now on."""
    calls: list[str] = []
    real = build_module.extract

    def counting(page, source):
        calls.append(source.name)
        return real(page, source)

    monkeypatch.setattr(build_module, "extract", counting)
    return calls


def last_seen(site: Site) -> dict[str, datetime]:
    from feedsmith.store import Store

    with Store(site.config.site.state) as store:
        items = store.feed_items(now=T0 + timedelta(days=1), max_items=100, max_age_days=30)
    return {item.title: item.last_seen for item in items}


def feed_files(snapshot: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in snapshot.items() if k.startswith("feeds")}


def assert_seen_again_unchanged(
    site: Site, report: BuildReport, first: dict[str, str], when: datetime
) -> None:
    """Both sources' items (2 and 1) were seen again at ``when``; the feeds did not change."""
    assert [(s.name, s.ok, s.items, s.new_items) for s in report.sources] == [
        ("alpha", True, 2, 0),
        ("beta", True, 1, 0),
    ]
    assert set(last_seen(site).values()) == {when}  # seen again
    assert feed_files(site.snapshot()) == feed_files(first)


def test_rebuild_of_unchanged_pages_skips_extraction(
    etag_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = etag_site
    site.build(T0)
    first = site.snapshot()
    extracted = count_extractions(monkeypatch)
    report = site.build(T0 + timedelta(hours=1))
    assert site.statuses == [200, 200, 304, 304]
    assert extracted == []
    assert_seen_again_unchanged(site, report, first, T0 + timedelta(hours=1))

    # A page that changes is read again; the unchanged one still is not.
    site.pages["beta"] = list_page([("/b/2", "عودة الكهرباء إلى حلب")])
    site.build(T0 + timedelta(hours=2))
    assert extracted == ["beta"]
    seen = last_seen(site)
    assert seen["ارتفاع أسعار النفط في الأسواق"] == T0 + timedelta(hours=2)
    assert seen["افتتاح معرض الكتاب في دمشق"] == T0 + timedelta(hours=1)  # left the page


def test_skipping_unchanged_pages_gives_the_same_site_as_reading_them(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    # Two identical sequences of builds, with and without 304s, end with identical sites.
    sites = []
    for etags in (False, True):
        root = tmp_path / str(etags)
        root.mkdir()
        httpserver.clear()
        site = Site(root, httpserver, etags=etags)
        site.pages["alpha"] = list_page([("/n/1", "ارتفاع أسعار النفط في الأسواق")])
        site.pages["beta"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
        site.build(T0)
        site.build(T0 + timedelta(hours=1))
        site.pages["alpha"] = list_page([("/n/3", "الحكومة تقر موازنة العام المقبل")])
        site.build(T0 + timedelta(hours=2))
        site.pages["beta"] = list_page(
            [("/b/1", "افتتاح معرض الكتاب"), ("/n/3", "الحكومة تقر الموازنة")]
        )
        site.build(T0 + timedelta(hours=3))  # beta shares alpha's story
        site.build(T0 + timedelta(hours=4))
        site.build(T0 + timedelta(days=40))  # everything unseen for long is pruned
        sites.append(site.snapshot())
    assert sites[0] == sites[1]


def test_changed_topics_with_unchanged_pages_are_applied(
    etag_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = etag_site
    site.build(T0)
    assert [e.title for e in site.feed("economy").entries] == ["ارتفاع أسعار النفط في الأسواق"]
    config_path = site.root / "feeds.yaml"
    config_path.write_text(
        config_path.read_text(encoding="utf-8").replace("[النفط, الأسعار]", "[معرض]"),
        encoding="utf-8",
    )
    site.config = load_config(config_path)
    extracted = count_extractions(monkeypatch)
    site.build(T0 + timedelta(hours=1))
    assert site.statuses[-2:] == [304, 304]
    assert sorted(extracted) == ["alpha", "beta"]  # the fingerprint covers the topics
    assert [e.title for e in site.feed("economy").entries] == ["افتتاح معرض الكتاب في دمشق"]


def test_new_feedsmith_code_reads_unchanged_pages_again(
    etag_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An install from a branch keeps the version number: the code itself is fingerprinted.
    site = etag_site
    site.build(T0)
    extracted = count_extractions(monkeypatch)
    monkeypatch.setattr(build_module, "_code_digest", lambda: "a splitter with new tables")
    site.build(T0 + timedelta(hours=1))
    assert site.statuses[-2:] == [304, 304]
    assert extracted == ["alpha", "beta"]
    site.build(T0 + timedelta(hours=2))
    assert extracted == ["alpha", "beta"]  # and then it is skipped again


def test_unchanged_page_sharing_an_item_is_read_again(
    etag_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another source reporting one of its items fills fields that its owner's next sighting
    # overwrites: re-seeing without re-recording could change the result.
    site = etag_site
    site.build(T0)
    extracted = count_extractions(monkeypatch)
    # alpha (recorded first) now links to beta's story while beta's page is unchanged: beta is
    # read after all, once alpha has been recorded.
    site.pages["alpha"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
    site.build(T0 + timedelta(hours=1))
    assert site.statuses[-2:] == [200, 304]
    assert extracted == ["alpha", "beta"]
    # Nothing changes any more, but the shared story keeps both pages being read.
    site.build(T0 + timedelta(hours=2))
    assert site.statuses[-2:] == [304, 304]
    assert extracted == ["alpha", "beta", "alpha", "beta"]
    assert set(last_seen(site).values()) == {T0 + timedelta(hours=2), T0}


def test_results_do_not_depend_on_the_order_pages_arrive(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    # A shared story is owned by the source listed first, even when its page comes last.
    import time

    from werkzeug import Response

    site = Site(tmp_path, httpserver)
    # Two host names of one server: two hosts to fetch_as_completed, fetched concurrently.
    config_path = tmp_path / "feeds.yaml"
    beta_url = httpserver.url_for("/beta")
    config_text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        config_text.replace(beta_url, beta_url.replace("localhost", "127.0.0.1")), encoding="utf-8"
    )
    site.config = load_config(config_path)
    assert "localhost" in site.config.sources[0].url and "127.0.0.1" in site.config.sources[1].url
    shared = ("http://example.org/story/7", "وزير النفط يعلن خطة جديدة")
    site.pages["alpha"] = list_page([shared])
    site.pages["beta"] = list_page([shared, ("/b/1", "افتتاح معرض الكتاب في دمشق")])

    def slow_alpha(request):
        time.sleep(0.3)
        return Response(site.pages["alpha"], content_type="text/html; charset=utf-8")

    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/alpha").respond_with_handler(slow_alpha)
    httpserver.expect_request("/beta").respond_with_handler(site._handler("beta"))
    site.build(T0)
    entries = entries_by_title(site.feed("source-alpha"))
    assert list(entries) == ["وزير النفط يعلن خطة جديدة"]
    assert "وزير النفط يعلن خطة جديدة" not in entries_by_title(site.feed("source-beta"))


# -- pages the server said are still fresh are not asked for ----------------------------------


def test_rebuild_within_max_age_makes_no_request_and_keeps_every_item(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = Site(tmp_path, httpserver, etags=True, max_age=600)
    site.pages["alpha"] = list_page(
        [("/n/1", "ارتفاع أسعار النفط في الأسواق"), ("/n/2", "وزير الخارجية يزور عمان")]
    )
    site.pages["beta"] = list_page([("/b/1", "افتتاح معرض الكتاب في دمشق")])
    site.build(T0)
    first = site.snapshot()
    requests_before = len(httpserver.log)
    extracted = count_extractions(monkeypatch)

    report = site.build(T0 + timedelta(hours=1))
    assert len(httpserver.log) == requests_before  # no page, no robots.txt: nothing at all
    assert site.statuses == [200, 200]
    assert extracted == []
    assert_seen_again_unchanged(site, report, first, T0 + timedelta(hours=1))
    assert len(site.feed("all").entries) == 3

    # revalidate=True asks again with the validators: every page answers 304.
    report = site.build(T0 + timedelta(hours=2), revalidate=True)
    assert site.statuses == [200, 200, 304, 304]
    assert [(s.name, s.ok, s.items) for s in report.sources] == [
        ("alpha", True, 2),
        ("beta", True, 1),
    ]
    assert len(site.feed("all").entries) == 3


def test_full_text_refuses_article_links_to_private_addresses(
    tmp_path: Path, server: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    from werkzeug import Response

    port = server.port
    refused = [
        f"http://127.0.0.1:{port}/a/1",  # the very server, under another host name
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{port}/a/2",
        "http://10.0.0.1/a/3",
    ]
    titles = ["خبر يشير إلى عنوان محلي", "خبر يشير إلى خدمة البيانات", "خبر يشير إلى عنوان آخر",
              "خبر يشير إلى شبكة داخلية"]  # fmt: skip
    links = [("/a/ok", "خبر على موقع المصدر نفسه"), *zip(refused, titles, strict=True)]
    served: list[str] = []

    def article(request):
        served.append(request.path)
        html = ARTICLE.format(title="خبر", url=request.url, body="نص المقال المسموح")
        return Response(html, content_type="text/html; charset=utf-8")

    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/list").respond_with_data(
        list_page(links), content_type="text/html; charset=utf-8"
    )
    for path in ("/a/ok", "/a/1", "/a/2"):
        server.expect_request(path).respond_with_handler(article)
    # The source is on "localhost"; its page links to 127.0.0.1 and friends.
    (tmp_path / "feeds.yaml").write_text(
        "site:\n  title: أخبار\n  base_url: https://example.github.io/feeds/\n  language: ar\n"
        "sources:\n  - name: hostile\n"
        f"    url: http://localhost:{port}/list\n"
        '    items: "ul.latest li"\n    full_text: true\n    delay: 0\n    timeout: 2\n'
        "topics:\n  - slug: news\n    title: أخبار\n    keywords: [خبر]\n",
        encoding="utf-8",
    )
    with caplog.at_level("WARNING", logger="feedsmith"):
        report = build(load_config(tmp_path / "feeds.yaml"), now=T0)
    assert [(s.name, s.ok, s.items) for s in report.sources] == [("hostile", True, 5)]
    assert served == ["/a/ok"]  # the source's own host only
    reported = [r.getMessage() for r in caplog.records if "not read" in r.getMessage()]
    assert len(reported) == 4
    for link, line in zip(refused, reported, strict=True):
        assert line.startswith(f"source 'hostile': article {link} not read: {link}: link refused:")
        assert "which a link found on a page may not reach" in line
    entries = entries_by_title(feedparser.parse(tmp_path / "public" / "feeds" / "all.xml"))
    assert "نص المقال المسموح" in entries["خبر على موقع المصدر نفسه"].content[0].value
    assert all("content" not in entries[title] for title in titles)
