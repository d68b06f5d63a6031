"""Tests for the extract stage (feedsmith.extract, feedsmith.article, feedsmith.dates).

Pages are read from samples/ (the bundled example) and tests/pages/ (fixtures written for
these tests); no network is used.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedsmith.article import clean_text, split_text_page
from feedsmith.errors import ExtractError
from feedsmith.extract import extract, extract_article, parse_date
from feedsmith.models import Page, SourceConfig

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PAGES = Path(__file__).resolve().parent / "pages"
DAMASCUS = ZoneInfo("Asia/Damascus")
SITE = "https://akhbar.example"


def html_page(path: Path, url: str) -> Page:
    return Page(url=url, text=path.read_text(encoding="utf-8"))


def source(**kwargs: object) -> SourceConfig:
    kwargs.setdefault("timezone", "Asia/Damascus")
    return SourceConfig(name="test", **kwargs)  # type: ignore[arg-type]


def titles(extraction) -> list[str]:
    return [item.title for item in extraction.items]


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def dam(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=DAMASCUS)


# --- samples/list.html: selector mode -----------------------------------------------------------

LIST_URL = f"{SITE}/latest/"
LIST_ITEMS = [
    # title, link path, published, image path
    (
        "ارتفاع أسعار الخبز والمحروقات في أسواق دمشق مع تراجع الليرة",
        "/news/2024/12/bread-fuel-prices.html",
        "2024-12-09T08:15:00+03:00",
        "/media/2024/12/bread-fuel-320x180.jpg",
    ),
    (
        "وزارة النفط تعلن خطة لإعادة تأهيل حقول الغاز في البادية",
        "/latest/article.html",
        "2024-12-08T14:20:00+03:00",
        "/media/2024/12/gas-field-320x180.jpg",
    ),
    (
        "تخفيض الرسوم الجمركية على المواد الأولية المستوردة عبر معبر نصيب",
        "/news/2024/12/customs-fees-naseeb.html",
        "2024-12-08T11:05:00+03:00",
        None,
    ),
    (
        "الحكومة الانتقالية تعقد أول اجتماع لها لبحث ملف الخدمات",
        "/news/2024/12/cabinet-first-meeting.html",
        "2024-12-08T09:40:00+03:00",
        "/media/2024/12/cabinet-320x180.jpg",
    ),
    (
        "وزير الخارجية يلتقي نظيره الأردني في عمّان لبحث عودة اللاجئين",
        "/news/2024/12/fm-amman-refugees.html",
        "2024-12-07T18:30:00+03:00",
        None,
    ),
    (
        "الجيش يعزز انتشاره على الطريق الدولي بين حمص وحماة",
        "/news/2024/12/army-homs-hama-road.html",
        "2024-12-07T13:10:00+03:00",
        "/media/2024/12/highway-320x180.jpg",
    ),
    (
        "الأمن العام يفكك شبكة لتهريب الأسلحة في ريف درعا",
        "/news/2024/12/arms-smuggling-daraa.html",
        "2024-12-06T21:45:00+03:00",
        None,
    ),
    (
        "حملة تلقيح ضد شلل الأطفال تشمل مدارس ريف إدلب",
        "/news/2024/12/polio-vaccination-idlib.html",
        "2024-12-06T10:00:00+03:00",
        None,
    ),
    (
        "منتخب سوريا للشباب يتأهل إلى نهائيات كأس آسيا",
        "/news/2024/12/youth-team-asia-cup.html",
        "2024-12-05T20:15:00+03:00",
        "/media/2024/12/youth-team-320x180.jpg",
    ),
    (
        "مهرجان للكتاب المستعمل يجمع القراء في ساحة المرجة",
        "/news/2024/12/used-book-fair.html",
        "2024-12-05T17:30:00+03:00",  # from the text "الخميس 5 كانون الأول 2024 - 17:30"
        None,
    ),
]
LIST_TITLES = [row[0] for row in LIST_ITEMS]


@pytest.fixture(scope="module")
def list_page() -> Page:
    return html_page(SAMPLES / "list.html", LIST_URL)


def test_selector_defaults_extract_exact_items(list_page: Page) -> None:
    result = extract(list_page, source(items="ul.latest li"))
    assert titles(result) == LIST_TITLES
    for item, (_, path, published, image) in zip(result.items, LIST_ITEMS, strict=True):
        assert item.link == SITE + path
        assert item.published == iso(published)
        assert item.published.tzinfo is not None
        assert item.image == (SITE + image if image else None)
    # The category link ("اقتصاد") is not the title; the excerpt is the summary.
    assert result.items[0].summary.startswith("شكا سكان العاصمة")
    assert result.items[2].summary is None
    assert result.strips == ()
    assert result.notes == ("selector 'ul.latest li': 10 elements, 10 items",)


def test_selector_with_css_sub_selectors(list_page: Page) -> None:
    result = extract(
        list_page,
        source(
            items="ul.latest > li",
            title="h3.post-title",
            link="h3 a@href",
            date="time@datetime",
            image="a.thumb img@data-src",
            summary="p.excerpt",
        ),
    )
    assert titles(result) == LIST_TITLES
    assert [item.link for item in result.items] == [SITE + row[1] for row in LIST_ITEMS]
    # Only the lazy-loaded picture has data-src; the others have no image under this selector.
    assert [item.image for item in result.items] == [
        None,
        f"{SITE}/media/2024/12/gas-field-320x180.jpg",
        *[None] * 8,
    ]
    # The last item's <time> has no datetime attribute, so "time@datetime" finds nothing.
    assert [item.published for item in result.items[:9]] == [iso(r[2]) for r in LIST_ITEMS[:9]]
    assert result.items[9].published is None
    assert (
        result.items[3].summary
        == "ناقش الاجتماع أولويات المرحلة المقبلة وفي مقدمتها الكهرباء والمياه."
    )


def test_selector_with_xpath(list_page: Page) -> None:
    result = extract(
        list_page,
        source(
            items="//ul[@class='latest']/li",
            title=".//h3/a",
            link=".//h3/a/@href",
            date=".//time/@datetime",
            image="//img/@src",  # taken as .//img/@src: relative to the item
        ),
    )
    assert titles(result) == LIST_TITLES
    assert result.items[0].image == f"{SITE}/media/2024/12/bread-fuel-320x180.jpg"
    assert result.items[1].image is None  # src is a data: placeholder, which is skipped
    assert result.items[0].published == iso("2024-12-09T08:15:00+03:00")
    parenthesised = extract(list_page, source(items="(//ul[@class='latest']/li)[position() < 3]"))
    assert titles(parenthesised) == LIST_TITLES[:2]


def test_invalid_selector_gives_a_note_not_an_exception(list_page: Page) -> None:
    result = extract(list_page, source(items="ul.latest li[", title="h3"))
    assert result.items == ()
    assert any("invalid CSS selector" in note for note in result.notes)
    result = extract(list_page, source(items="//ul[", title="h3"))
    assert any("invalid XPath" in note for note in result.notes)


def test_selector_matching_nothing(list_page: Page) -> None:
    result = extract(list_page, source(items="div.does-not-exist"))
    assert result.items == ()
    assert "no items found" in result.notes


# --- tickers --------------------------------------------------------------------------------------

HOME_STRIP = (
    "وصول أول شحنة من القمح المستورد إلى مرفأ اللاذقية"
    "انقطاع التيار الكهربائي عن أحياء واسعة في دمشق"
    "ارتفاع سعر صرف الليرة أمام الدولار في السوق الموازية"
    "هل تنجح المفاوضات في إنهاء أزمة المياه بالحسكة؟"
    "وزير الصحة يتفقد مستشفى المواساة ويعد بتحسين الخدمات"
    "مباحثات تركية سورية حول إعادة فتح المعابر الحدودية"
    "الدفاع المدني يخمد حريقًا في أحراج ريف جبلة"
    "افتتاح معرض دمشق الدولي للكتاب بمشاركة مئتي دار نشر"
)


@pytest.fixture(scope="module")
def home_page() -> Page:
    return html_page(SAMPLES / "home.html", f"{SITE}/")


@pytest.mark.parametrize(
    "selector", ["div.breaking-ticker", ".ticker-track", "//div[@class='ticker-track']"]
)
def test_ticker_selector_returns_the_strip(home_page: Page, selector: str) -> None:
    result = extract(home_page, source(ticker=selector))
    assert result.strips == (HOME_STRIP,)  # the "عاجل" label is not part of it
    assert result.items == ()


def test_ticker_with_headline_links_yields_items() -> None:
    page = html_page(PAGES / "ul_site.html", "https://watan-news.example/index.php")
    result = extract(page, source(ticker="#urgent-news"))
    assert result.strips == ()
    assert titles(result) == [
        "إغلاق الطريق بين طرطوس وبانياس بسبب الثلوج",
        "تأجيل مباراة الكأس إلى الأسبوع المقبل",
        "المصرف المركزي يحدد سعرًا جديدًا للحوالات",
    ]
    assert result.items[0].link == "https://www.watan-news.example/ar/news/9001.html"
    assert any("3 headline link(s): used them instead of its text" in n for n in result.notes)


def test_ticker_with_list_items_without_links() -> None:
    markup = (
        "<div class='news-ticker'><span class='label'>عاجل</span><ul>"
        "<li>الأمطار تغمر شوارع حمص</li><li>إغلاق المدارس يوم غد</li></ul></div>"
    )
    result = extract(Page(url="https://s.example/", text=markup), source(ticker=".news-ticker"))
    assert titles(result) == ["الأمطار تغمر شوارع حمص", "إغلاق المدارس يوم غد"]
    assert [item.link for item in result.items] == [None, None]
    assert result.strips == ()


def test_ticker_label_in_the_same_text_node_is_dropped() -> None:
    markup = "<div id='breaking'>عاجل: خبر أول طويل بما يكفيخبر ثان ملتصق به؟خبر ثالث</div>"
    result = extract(Page(url="https://s.example/", text=markup), source(ticker="#breaking"))
    assert result.strips == ("خبر أول طويل بما يكفيخبر ثان ملتصق به؟خبر ثالث",)


def test_items_and_ticker_together(home_page: Page) -> None:
    result = extract(home_page, source(items="article.card", ticker=".breaking-ticker"))
    assert len(result.items) == 6
    assert result.strips == (HOME_STRIP,)


# --- automatic detection --------------------------------------------------------------------------

HOME_TITLES = [
    "وزارة الكهرباء تعد بزيادة ساعات التغذية مع وصول شحنات الغاز",
    "الرئيس يستقبل وفدًا أوروبيًا لبحث رفع العقوبات",
    "هجوم بطائرة مسيّرة يستهدف موقعًا عسكريًا في ريف إدلب",
    "مزارعو الزيتون يطالبون بفتح باب التصدير بعد تراجع الأسعار",
    "مسودة قانون جديد للانتخابات المحلية تثير جدلًا بين الأحزاب",
    "إعادة افتتاح المستشفى الوطني في حمص بعد ترميمه",
    "العائدون إلى ريف حلب يواجهون أزمة سكن خانقة",
    "طلاب سوريون في الخارج يترقبون الاعتراف بشهاداتهم",
    "طوابير الأفران تعود إلى أحياء اللاذقية مع نقص الطحين",
    "اتحاد كرة القدم يحدد موعد استئناف الدوري الممتاز",
]

AUTO_CASES = {
    "home": (
        SAMPLES / "home.html",
        f"{SITE}/",
        HOME_TITLES,
        (HOME_STRIP,),
    ),
    "list": (SAMPLES / "list.html", LIST_URL, LIST_TITLES, ()),
    "ul_site": (
        PAGES / "ul_site.html",
        "https://watan-news.example/index.php",
        [
            "محافظة طرطوس تطلق مشروعًا لتأهيل شبكة الصرف الصحي في الريف",
            "افتتاح مركز لغسيل الكلى في مدينة بانياس",
            "ارتفاع أسعار الخضار في سوق الهال مع موجة البرد",
            "تجار صافيتا يشكون من ركود الأسواق قبل الأعياد",
            "مجلس المدينة يعلن جدولًا جديدًا لجمع النفايات",
            "إغلاق الطريق بين طرطوس وبانياس بسبب الثلوج",
            "تأجيل مباراة الكأس إلى الأسبوع المقبل",
            "المصرف المركزي يحدد سعرًا جديدًا للحوالات",
        ],
        (),
    ),
    "cards_site": (
        PAGES / "cards_site.html",
        "https://nabd-furat.example/",
        [
            "بدء إصلاح الجسر القديم على نهر الفرات في دير الزور",
            "مزارعو القمح في الحسكة يطالبون بتسعيرة عادلة للموسم الجديد",
            "إعادة فتح عشر مدارس في ريف الرقة بعد ترميمها",
            "صهاريج النفط تعود إلى الطريق الدولي وسط إجراءات أمنية مشددة",
        ],
        (
            "انخفاض منسوب نهر الفرات يهدد محطات الري في ريف الرقة"
            "الإدارة المحلية توزع مادة المازوت على المخابز؟"
            "عودة حركة العبور إلى معبر البوكمال بعد توقف يومين"
            "مجلس المحافظة يناقش موازنة العام المقبل",
        ),
    ),
    "table_site": (
        PAGES / "table_site.html",
        "http://albalad.example/default.asp",
        [
            "وزير الزراعة يبحث مع الفلاحين خطة تسويق محصول القطن",
            "انطلاق أعمال صيانة طريق دمشق السويداء بطول أربعين كيلومترًا",
            "فريق الجيش يتصدر الدوري بعد فوزه على الوحدة",
            "ندوة في جامعة حلب عن مستقبل الصناعات النسيجية",
            "هطولات مطرية غزيرة تنعش آمال المزارعين في حوران",
        ],
        (
            "مجلس الوزراء يوافق على مشروع قانون الاستثمار الجديد"
            "تعليق الدوام في مدارس السويداء بسبب العاصفة"
            "توقيف مسؤول سابق بتهمة اختلاس أموال عامة",
        ),
    ),
    "english_site": (
        PAGES / "english_site.html",
        "https://levantwire.example/latest",
        [
            "Central bank holds rates steady as inflation eases",
            "Beirut port terminal reopens after two-year rebuild",
            "Regional wheat harvest falls short for a third year",
            "Parliament sets a date for early elections in March",
            "Ceasefire talks resume in Cairo as envoys arrive",
        ],
        (),
    ),
}

_CHROME_CLASSES = (
    "footer", "menu", "share", "cookie", "pagination", "to-top", "most-read", "popular", "tags",
    "header-", "nav",
)  # fmt: skip
_CHROME_XPATH = " | ".join(
    ["//nav//a", "//footer//a", "//*[@id='footer']//a", "//a[contains(@class, 'top')]"]
    + [f"//body//*[contains(@class, '{name}')]//a" for name in _CHROME_CLASSES]
)


def chrome_texts(path: Path) -> set[str]:
    doc = lxml.html.fromstring(path.read_bytes())
    return {clean_text(a.text_content()) for a in doc.xpath(_CHROME_XPATH)} - {""}


@pytest.mark.parametrize("name", list(AUTO_CASES))
def test_auto_detection_finds_the_headlines_and_no_chrome(name: str) -> None:
    path, url, expected_titles, expected_strips = AUTO_CASES[name]
    result = extract(html_page(path, url), source())
    assert titles(result) == expected_titles
    assert result.strips == expected_strips
    chrome = chrome_texts(path)
    assert chrome, "the fixture should have chrome to avoid"
    assert not chrome & set(titles(result))
    for item in result.items:
        assert "زر الذهاب إلى الأعلى" not in item.title
        assert item.link is None or item.link.startswith(("http://", "https://"))
    assert result.article is None
    assert any(note.startswith("auto: picked") for note in result.notes)


def test_auto_reads_each_list_items_title_once(
    home_page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scoring the lists already found each member's title and link; the kept lists reuse them.
    import feedsmith.detect as detect_module
    import feedsmith.items as items_module

    expected = extract(home_page, source())
    seen: list[object] = []
    real = items_module.default_title

    def counting(el, base):
        seen.append(el)
        return real(el, base)

    # detect scores lists with it, items reads the items of the lists it keeps.
    monkeypatch.setattr(items_module, "default_title", counting)
    monkeypatch.setattr(detect_module, "default_title", counting)
    assert extract(home_page, source()) == expected
    assert seen
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/news/1.html", "https://example.com/news/1.html"),
        (" /news/\n2.html\t", "https://example.com/news/2.html"),  # browsers drop these
        ("\t#top", None),
        ("JavaScript:void(0)", None),
        ("mailto:a@example.com", None),
        ("ftp://example.com/f", None),
        ("http://[::1", None),  # urllib cannot parse it
        ("", None),
        (None, None),
    ],
)
def test_resolve_url(href: str | None, expected: str | None) -> None:
    from feedsmith.article import resolve_url

    assert resolve_url(href, "https://example.com/ar/") == expected


def test_auto_home_keeps_dates_and_lazy_images(home_page: Page) -> None:
    result = extract(home_page, source())
    first = result.items[0]
    assert first.link == f"{SITE}/news/2024/12/09/electricity-grid-plan.html"
    assert first.image == f"{SITE}/media/2024/12/grid.jpg"  # data-src, not the placeholder
    assert first.published == iso("2024-12-09T10:30:00+03:00")
    # The "most read" sidebar is real news, but a main list exists: it is left out.
    assert "تعرفة جديدة لوسائل النقل العام داخل المدن" not in titles(result)


def test_auto_dates_from_plain_text_in_the_item() -> None:
    table = extract(html_page(PAGES / "table_site.html", "http://albalad.example/"), source())
    assert table.items[0].published == datetime(2024, 12, 8, tzinfo=DAMASCUS)
    assert table.items[0].image is None  # a 7×7 bullet arrow is not a picture
    english = extract(
        html_page(PAGES / "english_site.html", "https://levantwire.example/latest"),
        source(timezone="UTC"),
    )
    assert english.items[0].published == iso("2024-12-08T00:00:00+00:00")
    assert english.items[0].summary == "Policymakers signal a cut could come in the spring."


def test_auto_article_page_is_article_and_item() -> None:
    page = html_page(SAMPLES / "article.html", f"{SITE}/news/2024/12/gas-fields-plan.html")
    result = extract(page, source())
    assert result.article is not None
    assert titles(result) == ["وزارة النفط تعلن خطة لإعادة تأهيل حقول الغاز في البادية"]
    item = result.items[0]
    assert item.link == f"{SITE}/news/2024/12/gas-fields-plan.html"
    assert item.published == iso("2024-12-08T14:20:00+03:00")
    assert item.image == f"{SITE}/media/2024/12/gas-field-1200x630.jpg"
    assert item.author == "رنا الحلبي"
    assert item.summary.startswith("خطة من ثلاث مراحل")
    assert item.content_html and "<p>" in item.content_html


def test_og_article_on_a_homepage_does_not_make_it_an_article(home_page: Page) -> None:
    # Some themes put og:type=article and JSON-LD ItemLists of NewsArticle on every page.
    markup = home_page.text.replace(
        '<meta property="og:type" content="website">',
        '<meta property="og:type" content="article">'
        '<script type="application/ld+json">{"@type": "ItemList", "itemListElement":'
        ' [{"@type": "NewsArticle", "headline": "عنوان من قائمة"}]}</script>',
    )
    assert markup != home_page.text
    result = extract(Page(url=home_page.url, text=markup), source())
    assert result.article is None
    assert titles(result) == HOME_TITLES


def test_article_found_by_layout_without_metadata() -> None:
    paragraph = "<p>" + "هذه فقرة طويلة من نص المقال تتحدث عن موضوع الخبر بالتفصيل. " * 3 + "</p>"
    markup = (
        "<html><body><nav><a href='/'>الرئيسية</a></nav><div class='post'>"
        "<h1>عنوان مقال بلا بيانات وصفية في الصفحة</h1>"
        "<time datetime='2024-12-08T09:00:00+02:00'>8/12/2024</time>"
        f"<div class='text'>{paragraph * 4}</div></div></body></html>"
    )
    page = Page(url="https://s.example/post/1", text=markup)
    result = extract(page, source())
    assert result.article is not None
    assert titles(result) == ["عنوان مقال بلا بيانات وصفية في الصفحة"]
    assert result.items[0].link == "https://s.example/post/1"
    assert result.items[0].published == iso("2024-12-08T09:00:00+02:00")


def test_empty_html_page_gives_empty_extraction_with_a_note() -> None:
    page = Page(url="https://x.example/", text="<html><body><p>لا شيء هنا</p></body></html>")
    result = extract(page, source())
    assert result.items == () and result.strips == ()
    assert result.notes == ("auto: found no headline list, ticker or article",)


# --- base href and links --------------------------------------------------------------------------


def test_base_href_is_honoured_and_javascript_links_skipped() -> None:
    page = html_page(PAGES / "ul_site.html", "https://watan-news.example/index.php")
    result = extract(page, source(items="ul.akhbar li"))
    links = [item.link for item in result.items]
    assert links[0] == "https://www.watan-news.example/ar/news/8841.html"
    assert links[2] == "https://www.watan-news.example/ar/news/8839.html"
    assert links[3] == "https://www.watan-news.example/ar/news/8838.html?ref=home"
    assert result.items[4].title == "نافذة منبثقة لا تحمل رابطًا حقيقيًا للخبر"
    assert result.items[4].link is None  # javascript: is not a link
    assert not any(link and link.startswith("javascript") for link in links)
    assert "links resolve against <base href='https://www.watan-news.example/ar/'>" in result.notes


def test_mailto_and_fragment_links_are_skipped() -> None:
    markup = """<ul class="x">
      <li><a href="#top">رابط داخلي إلى أعلى الصفحة الحالية</a></li>
      <li><a href="mailto:a@b.example">راسل التحرير عبر البريد الإلكتروني</a></li>
      <li><a href="  /news/1.html ">خبر حقيقي له رابط صحيح تمامًا</a></li></ul>"""
    result = extract(Page(url="https://s.example/a/", text=markup), source(items="ul.x li"))
    assert [item.link for item in result.items] == [None, None, "https://s.example/news/1.html"]


def test_non_ascii_urls_are_kept_as_resolved() -> None:
    markup = '<ul class="x"><li><a href="/أخبار/سوريا.html">عنوان الخبر الأول هنا</a></li></ul>'
    result = extract(Page(url="https://s.example/", text=markup), source(items="ul.x li"))
    assert result.items[0].link == "https://s.example/أخبار/سوريا.html"


# --- text pages -----------------------------------------------------------------------------------

TEXT_HEADLINES = [
    "أسعار الذهب في دمشق.. إقبال ضعيف رغم تراجع الأسعار",
    "هل تعود الكهرباء إلى أحياء حلب الشرقية قبل الشتاء؟",
    "افتتاح مطار حلب الدولي أمام الرحلات التجارية رسميًا",
    "“لن نغادر أرضنا” رسالة مزارعي الغوطة الشرقية بعد قرار الإخلاء",
    "وزير المالية يعلن زيادة رواتب العاملين في الدولة مطلع العام المقبل",
    "الحكومة تقر خطة لترميم المدارس المتضررة في ريف حماة",
    "انتخابات غرفة تجارة دمشق تنطلق الأسبوع المقبل وسط منافسة حادة",
    "قافلة مساعدات أممية تصل إلى مخيم الركبان للمرة الأولى",
    "ارتفاع إصابات الكوليرا في دير الزور يثير مخاوف الأطباء",
    "المنتخب الأولمبي يخسر أمام نظيره العراقي في بطولة غرب آسيا",
]
TEXT_TITLE = "وزارة الصحة تطلق حملة لمكافحة الكوليرا في المحافظات الشرقية"


def text_page(path: Path) -> Page:
    return Page(url=path.as_uri(), text=path.read_text(encoding="utf-8"), content_type="text/plain")


def test_text_page_sample() -> None:
    page = text_page(SAMPLES / "ticker-page.txt")
    result = extract(page, source())
    assert result.strips == ("".join(TEXT_HEADLINES),)
    assert result.article is not None
    assert result.article.title == TEXT_TITLE
    assert result.article.published == datetime(2024, 12, 8, tzinfo=DAMASCUS)
    paragraphs = result.article.text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("أعلنت وزارة الصحة إطلاق حملة ميدانية")
    assert paragraphs[-1].endswith("قبل نهاية الشهر الجاري.")
    assert result.article.body_html.count("<p>") == 5
    for chrome in ("زر الذهاب إلى الأعلى", "اقرأ أيضا"):
        assert chrome not in result.article.text
        assert chrome not in result.strips[0]
    assert titles(result) == [TEXT_TITLE]
    assert result.items[0].link == page.url


def test_text_page_seed_shape() -> None:
    seed = Path("/work/shared/seed/ticker-page.txt")
    if not seed.exists():
        pytest.skip("shared seed page not available")
    parsed = split_text_page(seed.read_text(encoding="utf-8"))
    assert len(parsed.strips) == 1 and parsed.strips[0].endswith("بريف درعا الشمالي")
    assert parsed.title == "هروب الأسد من سوريا.. تفاصيل مثيرة عن الساعات الأخيرة"
    assert len(parsed.paragraphs) == 10
    assert all("زر الذهاب" not in p for p in parsed.paragraphs)


def test_text_page_escapes_html_and_drops_glued_chrome() -> None:
    text = (
        "عنوان المقال التجريبي الذي لا شريط قبله\n\n"
        "فقرة أولى طويلة بما يكفي لتكون نصًا حقيقيًا فيها <script>alert(1)</script> & رموز أخرى.\n\n"
        "فقرة ثانية تنتهي بزر ملتصق بها. زر الذهاب إلى الأعلى\n\n"
        "نستخدم ملفات تعريف الارتباط لتحسين تجربتك\n\n"
        "Back to top"
    )
    page = Page(url="file:///t.txt", text=text, content_type="text/plain")
    result = extract(page, source())
    assert result.strips == ()
    assert result.article.title == "عنوان المقال التجريبي الذي لا شريط قبله"
    assert result.article.body_html == (
        "<p>فقرة أولى طويلة بما يكفي لتكون نصًا حقيقيًا فيها &lt;script&gt;alert(1)&lt;/script&gt;"
        " &amp; رموز أخرى.</p>"
        "<p>فقرة ثانية تنتهي بزر ملتصق بها.</p>"
    )


def test_text_page_with_menu_line_and_space_joined_strip() -> None:
    strip = " ".join(TEXT_HEADLINES[:6]) + " د. أحمد يزور المستشفى الوطني في حمص"
    text = (
        "الرئيسية سياسة اقتصاد رياضة منوعات\n\n"
        f"{strip}\n\n{TEXT_TITLE}\n\n"
        "أعلنت الوزارة اليوم عن خطة جديدة تشمل المحافظات الشرقية كلها، وقالت إن الفرق بدأت العمل.\n"
    )
    parsed = split_text_page(text)
    assert parsed.strips == (strip,)
    assert parsed.title == TEXT_TITLE
    assert len(parsed.paragraphs) == 1


def test_prose_is_not_taken_for_a_strip() -> None:
    prose = (
        "وقال المسؤول إن الحكومة ستعمل على تحسين الخدمات في الأشهر المقبلة. وأضاف أن الخطة"
        " تشمل إصلاح شبكات المياه والكهرباء في المدن الكبرى، إلى جانب دعم المزارعين في الريف"
        " وتأمين البذور والأسمدة بأسعار مدعومة خلال الموسم الزراعي المقبل في كل المحافظات."
    )
    assert split_text_page(prose).strips == ()


# --- articles ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dirty_article():
    page = html_page(
        PAGES / "article_dirty.html", "https://marsad.example/ar/reports/2024/12/x?a=1"
    )
    return extract_article(page, timezone="Asia/Damascus")


def test_article_metadata_from_json_ld(dirty_article) -> None:
    article = dirty_article
    assert article.title == "تقرير: مصانع النسيج في حلب تستعيد نشاطها ببطء"
    assert article.published == datetime(2024, 12, 7, 18, 45, tzinfo=DAMASCUS)
    assert article.published.utcoffset() is not None
    assert article.image == "https://marsad.example/files/2024/12/textile-main.jpg"
    assert article.author == "سامر العلي, هبة ديب"
    assert article.canonical == "https://marsad.example/ar/reports/2024/12/aleppo-textile"


def test_article_body_is_clean(dirty_article) -> None:
    body = dirty_article.body_html
    assert body
    for bad in ("<script", "<iframe", "onclick", "onload", "style=", "javascript:", "pixel.gif"):
        assert bad not in body
    assert "collect?x=1" not in body
    assert '<img src="https://marsad.example/files/2024/12/looms.jpg"' in body
    assert 'href="https://marsad.example/ar/reports/2024/11/aleppo-power"' in body
    assert "<h1" not in body  # the title is not repeated in the body
    assert dirty_article.text.startswith("في المنطقة الصناعية بالشيخ نجار")
    assert "إعلان" not in dirty_article.text


def test_article_sample() -> None:
    page = html_page(SAMPLES / "article.html", "file:///srv/samples/article.html")
    article = extract_article(page, timezone="Asia/Damascus")
    assert article.title == "وزارة النفط تعلن خطة لإعادة تأهيل حقول الغاز في البادية"
    assert article.published == iso("2024-12-08T14:20:00+03:00")
    assert article.author == "رنا الحلبي"
    assert article.canonical == f"{SITE}/news/2024/12/gas-fields-plan.html"
    assert article.body_html.count("<p>") == 5
    assert "اقرأ أيضا" not in article.text
    assert "فيسبوك" not in article.text


def test_article_fallback_when_trafilatura_finds_nothing(monkeypatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    page = html_page(PAGES / "article_dirty.html", "https://marsad.example/ar/x")
    article = extract_article(page)
    assert article.body_html and article.body_html.count("<p>") == 4
    assert "<script" not in article.body_html


def test_article_of_garbage_is_empty() -> None:
    assert extract_article(Page(url="https://x.example/", text="")).title is None


# --- dates ------------------------------------------------------------------------------------

DATE_CASES = [
    ("2024-12-08T10:30:00+03:00", "UTC", iso("2024-12-08T10:30:00+03:00")),
    ("2024-12-08T07:30:00Z", "Asia/Damascus", iso("2024-12-08T07:30:00+00:00")),
    ("8 ديسمبر/كانون الأول 2024", "Asia/Damascus", dam(2024, 12, 8)),
    ("٨ ديسمبر ٢٠٢٤", "Asia/Damascus", dam(2024, 12, 8)),
    ("الأحد 8 كانون الأول 2024 - 10:30", "Asia/Damascus", dam(2024, 12, 8, 10, 30)),
    ("الأحد، ٨ كانون الأول ٢٠٢٤ ٠٤:١٥ م", "Asia/Damascus", dam(2024, 12, 8, 16, 15)),
    ("3 آب 2024", "UTC", iso("2024-08-03T00:00:00+00:00")),
    ("15 تشرين الثاني 2024", "UTC", iso("2024-11-15T00:00:00+00:00")),
    ("Dec 8, 2024", "UTC", iso("2024-12-08T00:00:00+00:00")),
    ("Sunday 8 December 2024 10:30", "Asia/Damascus", dam(2024, 12, 8, 10, 30)),
    ("2024-12-08 18:45:00", "Asia/Damascus", dam(2024, 12, 8, 18, 45)),
    ("2024-12-08", "Not/AZone", iso("2024-12-08T00:00:00+00:00")),
    ("garbage", "UTC", None),
    ("", "UTC", None),
    ("منذ ساعتين", "UTC", None),  # relative: no reference time, no guess
    ("8 ديسمبر", "UTC", None),  # no year: no guess
    ("31 شباط 2024", "UTC", None),
    ("8 ديسمبر/كانون الثاني 2024", "UTC", None),  # contradicts itself
]


@pytest.mark.parametrize(("text", "zone", "expected"), DATE_CASES)
def test_parse_date(text: str, zone: str, expected: datetime | None) -> None:
    result = parse_date(text, timezone=zone)
    assert result == expected
    if result is not None:
        assert result.tzinfo is not None and result.utcoffset() == expected.utcoffset()


def test_relative_date_needs_a_reference_time() -> None:
    now = datetime(2024, 12, 8, 12, 0, tzinfo=DAMASCUS)
    assert parse_date("منذ ساعتين", timezone="Asia/Damascus", now=now) == datetime(
        2024, 12, 8, 10, 0, tzinfo=DAMASCUS
    )


def test_unparseable_date_is_logged_at_debug(caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="feedsmith.dates"):
        assert parse_date("ليس تاريخًا على الإطلاق") is None
    assert any("unparseable date" in r.message for r in caplog.records)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_parse_date_never_raises(text: str) -> None:
    result = parse_date(text)
    assert result is None or result.tzinfo is not None


# --- text cleaning ----------------------------------------------------------------------------


def test_clean_text() -> None:
    assert clean_text("\u200f  عنوان\u0000 الخبر\n\n  الأول \u200e") == "عنوان الخبر الأول"
    assert clean_text("a\x0bb\ufffec") == "abc"
    assert clean_text("ال\u200fخبر") == "ال\u200fخبر"  # marks inside the text are kept


def test_scripts_inside_items_are_not_text() -> None:
    markup = (
        '<ul class="x"><li><script>var ad = "إعلان";</script><span>عنوان بلا رابط'
        "<style>.a{}</style> في القائمة</span></li></ul>"
    )
    result = extract(Page(url="https://s.example/", text=markup), source(items="ul.x li"))
    assert titles(result) == ["عنوان بلا رابط في القائمة"]


def test_titles_are_cleaned() -> None:
    markup = '<ul class="x"><li><a href="/1">\u200f عنوان\x01 فيه\n  فراغات كثيرة </a></li></ul>'
    result = extract(Page(url="https://s.example/", text=markup), source(items="ul.x li"))
    assert result.items[0].title == "عنوان فيه فراغات كثيرة"


# --- robustness -------------------------------------------------------------------------------


def test_deeply_nested_html_does_not_crash() -> None:
    markup = "<div>" * 5000 + '<a href="/x">عنوان في العمق البعيد جدًا</a>' + "</div>" * 5000
    page = Page(url="https://s.example/", text=markup)
    extract(page, source())
    extract(page, source(items="a"))
    extract_article(page)


def test_truncated_html_does_not_crash(list_page: Page) -> None:
    cut = list_page.text[: len(list_page.text) // 2]
    result = extract(Page(url=LIST_URL, text=cut), source(items="ul.latest li"))
    assert titles(result) == LIST_TITLES[: len(result.items)]
    assert len(result.items) >= 3
    extract(Page(url=LIST_URL, text=cut), source())


@pytest.mark.parametrize("text", ["", "   \n\t ", "<!-- -->", "<html></html>"])
def test_empty_pages(text: str) -> None:
    result = extract(Page(url="https://s.example/", text=text), source())
    assert result.items == () and result.strips == ()
    assert result.notes


def test_binary_garbage_raises_extract_error() -> None:
    garbage = bytes(range(256)).decode("latin-1") * 20
    with pytest.raises(ExtractError):
        extract(Page(url="https://s.example/x.bin", text=garbage), source())
    with pytest.raises(ExtractError):
        extract(
            Page(url="https://s.example/x", text="\x00\x01\x02" * 100, content_type="text/plain"),
            source(),
        )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            ["<div>", "</div>", "<ul>", "<li>", "</li>", "<a href='/n/1'>", "</a>", "<h3>",
             "<time datetime='2024-12-08'>", "خبر عاجل عن الحكومة والوزير", "<p>", "<script>",
             "<base href='javascript:x'>", "<img src='x.jpg' data-src='y.jpg'>", "\x00", "&amp;",
             "<marquee class='ticker'>", "عنوانمتصل؟آخر"]
        ),
        max_size=80,
    ),
    st.sampled_from(["text/html", "text/plain"]),
)  # fmt: skip
def test_random_markup_never_crashes(parts: list[str], content_type: str) -> None:
    page = Page(url="https://s.example/", text="".join(parts), content_type=content_type)
    try:
        result = extract(page, source())
    except ExtractError:
        return
    for item in result.items:
        assert item.title
        assert item.link is None or item.link.startswith("https://")
