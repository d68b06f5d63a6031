"""The bundled example, item by item: the right headlines, in the right topics, with absolute
links and valid dates, in RSS, Atom and JSON alike."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from feedsmith.build import build
from feedsmith.config import load_config

ROOT = Path(__file__).parent.parent
NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)

# (title, source, topics) for every headline in samples/ (see samples/EXPECTED.md).
EXPECTED = [
    # sample-list
    ("ارتفاع أسعار الخبز والمحروقات في أسواق دمشق مع تراجع الليرة", "sample-list", ("economy",)),
    ("وزارة النفط تعلن خطة لإعادة تأهيل حقول الغاز في البادية", "sample-list", ("economy",)),
    (
        "تخفيض الرسوم الجمركية على المواد الأولية المستوردة عبر معبر نصيب",
        "sample-list",
        ("economy",),
    ),
    (
        "الحكومة الانتقالية تعقد أول اجتماع لها لبحث ملف الخدمات",
        "sample-list",
        ("economy", "politics"),
    ),
    ("وزير الخارجية يلتقي نظيره الأردني في عمّان لبحث عودة اللاجئين", "sample-list", ("politics",)),
    ("الجيش يعزز انتشاره على الطريق الدولي بين حمص وحماة", "sample-list", ("security",)),
    ("الأمن العام يفكك شبكة لتهريب الأسلحة في ريف درعا", "sample-list", ("security",)),
    ("حملة تلقيح ضد شلل الأطفال تشمل مدارس ريف إدلب", "sample-list", ("health",)),
    ("منتخب سوريا للشباب يتأهل إلى نهائيات كأس آسيا", "sample-list", ("sports",)),
    ("مهرجان للكتاب المستعمل يجمع القراء في ساحة المرجة", "sample-list", ("other",)),
    # sample-home
    ("افتتاح معرض دمشق الدولي للكتاب بمشاركة مئتي دار نشر", "sample-home", ("other",)),
    ("مباحثات تركية سورية حول إعادة فتح المعابر الحدودية", "sample-home", ("other",)),
    ("انقطاع التيار الكهربائي عن أحياء واسعة في دمشق", "sample-home", ("other",)),
    ("الدفاع المدني يخمد حريقًا في أحراج ريف جبلة", "sample-home", ("other",)),
    ("وصول أول شحنة من القمح المستورد إلى مرفأ اللاذقية", "sample-home", ("other",)),
    ("هل تنجح المفاوضات في إنهاء أزمة المياه بالحسكة؟", "sample-home", ("other",)),
    ("ارتفاع سعر صرف الليرة أمام الدولار في السوق الموازية", "sample-home", ("economy",)),
    ("وزير الصحة يتفقد مستشفى المواساة ويعد بتحسين الخدمات", "sample-home", ("politics", "health")),
    ("وزارة الكهرباء تعد بزيادة ساعات التغذية مع وصول شحنات الغاز", "sample-home", ("economy",)),
    ("الرئيس يستقبل وفدًا أوروبيًا لبحث رفع العقوبات", "sample-home", ("politics",)),
    ("هجوم بطائرة مسيّرة يستهدف موقعًا عسكريًا في ريف إدلب", "sample-home", ("security",)),
    ("مزارعو الزيتون يطالبون بفتح باب التصدير بعد تراجع الأسعار", "sample-home", ("economy",)),
    ("مسودة قانون جديد للانتخابات المحلية تثير جدلًا بين الأحزاب", "sample-home", ("politics",)),
    ("إعادة افتتاح المستشفى الوطني في حمص بعد ترميمه", "sample-home", ("health",)),
    ("العائدون إلى ريف حلب يواجهون أزمة سكن خانقة", "sample-home", ("other",)),
    ("طلاب سوريون في الخارج يترقبون الاعتراف بشهاداتهم", "sample-home", ("other",)),
    ("طوابير الأفران تعود إلى أحياء اللاذقية مع نقص الطحين", "sample-home", ("other",)),
    ("اتحاد كرة القدم يحدد موعد استئناف الدوري الممتاز", "sample-home", ("sports",)),
    # sample-ticker
    ("المنتخب الأولمبي يخسر أمام نظيره العراقي في بطولة غرب آسيا", "sample-ticker", ("sports",)),
    ("الحكومة تقر خطة لترميم المدارس المتضررة في ريف حماة", "sample-ticker", ("politics",)),
    ("قافلة مساعدات أممية تصل إلى مخيم الركبان للمرة الأولى", "sample-ticker", ("other",)),
    ("“لن نغادر أرضنا” رسالة مزارعي الغوطة الشرقية بعد قرار الإخلاء", "sample-ticker", ("other",)),
    ("هل تعود الكهرباء إلى أحياء حلب الشرقية قبل الشتاء؟", "sample-ticker", ("economy",)),
    ("ارتفاع إصابات الكوليرا في دير الزور يثير مخاوف الأطباء", "sample-ticker", ("health",)),
    (
        "وزير المالية يعلن زيادة رواتب العاملين في الدولة مطلع العام المقبل",
        "sample-ticker",
        ("economy", "politics"),
    ),
    ("أسعار الذهب في دمشق.. إقبال ضعيف رغم تراجع الأسعار", "sample-ticker", ("economy",)),
    ("افتتاح مطار حلب الدولي أمام الرحلات التجارية رسميًا", "sample-ticker", ("other",)),
    (
        "انتخابات غرفة تجارة دمشق تنطلق الأسبوع المقبل وسط منافسة حادة",
        "sample-ticker",
        ("economy", "politics"),
    ),
    ("وزارة الصحة تطلق حملة لمكافحة الكوليرا في المحافظات الشرقية", "sample-ticker", ("health",)),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("example")
    shutil.copy(ROOT / "feeds.yaml", folder / "feeds.yaml")
    shutil.copytree(ROOT / "samples", folder / "samples")
    config = load_config(folder / "feeds.yaml")
    report = build(config, now=NOW)
    assert [s.name for s in report.sources if not s.ok] == []
    return config.site.output


def read(built: Path, slug: str, ext: str):
    parsed = feedparser.parse(built / "feeds" / f"{slug}.{ext}")
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def test_all_feed_has_every_headline_once(built: Path) -> None:
    for ext in ("xml", "atom"):
        titles = [entry.title for entry in read(built, "all", ext).entries]
        assert sorted(titles) == sorted(title for title, _, _ in EXPECTED), ext
    items = json.loads((built / "feeds" / "all.json").read_text(encoding="utf-8"))["items"]
    assert sorted(i["title"] for i in items) == sorted(title for title, _, _ in EXPECTED)


@pytest.mark.parametrize("source", ["sample-list", "sample-home", "sample-ticker"])
def test_each_source_feed_has_its_own_headlines(built: Path, source: str) -> None:
    titles = {entry.title for entry in read(built, f"source-{source}", "xml").entries}
    assert titles == {title for title, name, _ in EXPECTED if name == source}


@pytest.mark.parametrize("topic", ["economy", "politics", "security", "health", "sports", "other"])
def test_each_topic_feed_has_exactly_its_headlines(built: Path, topic: str) -> None:
    wanted = {title for title, _, topics in EXPECTED if topic in topics}
    assert wanted, topic
    for ext in ("xml", "atom"):
        titles = {entry.title for entry in read(built, topic, ext).entries}
        assert titles == wanted, (topic, ext)


def test_items_carry_topics_absolute_links_and_valid_dates(built: Path) -> None:
    config = load_config(built.parent / "feeds.yaml")
    topic_titles = {t.slug: t.title for t in config.topics}
    expected = {title: topics for title, _, topics in EXPECTED}
    rss = read(built, "all", "xml")
    dates = []
    for entry in rss.entries:
        assert {tag.term for tag in entry.tags} == {topic_titles[s] for s in expected[entry.title]}
        link = urlsplit(entry.link)
        assert link.scheme == "https" and link.netloc == "akhbar.example", entry.link
        published = parsedate_to_datetime(entry.published)
        assert published.tzinfo is not None and published <= NOW
        dates.append(published)
    assert dates == sorted(dates, reverse=True)  # newest first

    by_title = {entry.title: entry for entry in rss.entries}
    bread = by_title["ارتفاع أسعار الخبز والمحروقات في أسواق دمشق مع تراجع الليرة"]
    assert bread.link == "https://akhbar.example/news/2024/12/bread-fuel-prices.html"
    assert parsedate_to_datetime(bread.published) == datetime(2024, 12, 9, 5, 15, tzinfo=UTC)
    # A ticker headline has no link of its own: it points at its page and has a stable non-URL GUID.
    ticker = by_title["قافلة مساعدات أممية تصل إلى مخيم الركبان للمرة الأولى"]
    assert ticker.link == "https://akhbar.example/ticker/"
    assert ticker.id.startswith("urn:feedsmith:sample-ticker:")
    assert not ticker.guidislink
    # Headlines without a date on the page take the first time feedsmith saw them.
    assert parsedate_to_datetime(ticker.published) == NOW


def test_index_lists_topics_right_to_left(built: Path) -> None:
    page = (built / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    for slug in ("economy", "politics", "security", "health", "sports", "other"):
        newest = read(built, slug, "xml").entries[0].title
        assert newest in page, (slug, newest)  # each topic shows its newest headline
    for slug in ("economy", "politics", "security", "health", "sports", "other", "all"):
        assert f"feeds/{slug}.xml" in page and f"feeds/{slug}.atom" in page
    assert (built / ".nojekyll").is_file() and (built / "feeds.opml").is_file()
