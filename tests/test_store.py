"""Tests for feedsmith.identity (URLs and GUIDs) and feedsmith.store (schema and migrations,
items, sources, feeds)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedsmith.errors import FeedsmithError
from feedsmith.identity import canonical_url, make_guid
from feedsmith.models import Item
from feedsmith.store import (
    SCHEMA_VERSION,
    NewItem,
    Store,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def new(guid: str, title: str = "عنوان", **fields: object) -> NewItem:
    values: dict[str, object] = {
        "guid": guid,
        "guid_is_link": False,
        "title": title,
        "link": f"https://example.com/{guid}",
    }
    values.update(fields)
    return NewItem(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "state" / "state.sqlite3") as opened:
        yield opened


# --------------------------------------------------------------------------------------------
# canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/a", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?utm_source=x&utm_medium=rss", "https://example.com/a"),
        ("https://example.com/a?id=7&fbclid=abc&gclid=1", "https://example.com/a?id=7"),
        ("https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&ref=tw", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),  # order kept
        ("https://example.com/a?UTM_Source=x&p=1", "https://example.com/a?p=1"),
        ("http://www.example.com/a", "http://www.example.com/a"),  # scheme and www kept
        ("https://example.com/a/b/", "https://example.com/a/b/"),  # path kept
        (
            "https://example.com/أخبار/سوريا",
            "https://example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7",
        ),
        ("https://example.com/%d8%b3", "https://example.com/%D8%B3"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),  # no double encoding
        ("https://مثال.com/a", "https://xn--mgbh0fb.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("mailto:x@example.com", "mailto:x@example.com"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


# --------------------------------------------------------------------------------------------
# make_guid


@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/news/1",
        "http://example.com/news/1",
        "https://www.example.com/news/1",
        "http://www.example.com/news/1",
        "https://m.example.com/news/1",
        "https://EXAMPLE.com:443/news/1",
        "https://example.com/news/1/",
        "https://example.com/news/1#top",
        "https://example.com/news/1?utm_source=rss&utm_medium=feed",
        "https://example.com/news/1?fbclid=xyz",
    ],
)
def test_guid_is_stable_across_link_variants(link: str) -> None:
    assert make_guid("src", link, "t")[0] == "https://example.com/news/1"


@pytest.mark.parametrize(
    ("link", "is_link"),
    [
        ("https://example.com/news/1", True),
        ("https://example.com/news/1?utm_source=x", True),  # shown link is canonical too
        ("http://example.com/news/1", False),
        ("https://www.example.com/news/1", False),
        ("https://example.com/news/1/", False),
    ],
)
def test_guid_is_link_only_when_it_is_the_canonical_link(link: str, is_link: bool) -> None:
    guid, guid_is_link = make_guid("src", link, "t")
    assert guid_is_link is is_link
    if is_link:
        assert guid == canonical_url(link)


def test_guid_query_order_does_not_matter() -> None:
    a = make_guid("s", "https://example.com/a?x=1&y=2", "t")[0]
    b = make_guid("s", "https://example.com/a?y=2&x=1", "t")[0]
    assert a == b


def test_guid_does_not_depend_on_source_or_title_when_there_is_a_link() -> None:
    assert make_guid("a", "https://e.com/1", "x") == make_guid("b", "https://e.com/1", "y")


@pytest.mark.parametrize(
    "title",
    [
        "اتفاق جديد في سوريا",
        "  اتفاق   جديد في سوريا ",
        "اتفاقٌ جديدٌ في سوريا",
        "اتفاق جديد في سوريا.",
        "اتفاق\u200f جديد في سوريا",
        "اتفاق جديد في ســوريا",
        "اتفاق جديد\nفي سوريا",
    ],
)
def test_guid_without_link_is_stable_across_variants(title: str) -> None:
    guid, is_link = make_guid("enab", None, title)
    assert guid == make_guid("enab", None, "اتفاق جديد في سوريا")[0]
    assert guid.startswith("urn:feedsmith:enab:")
    assert is_link is False


def test_guid_without_link_differs_between_sources_and_titles() -> None:
    assert make_guid("a", None, "خبر")[0] != make_guid("b", None, "خبر")[0]
    assert make_guid("a", None, "خبر")[0] != make_guid("a", None, "خبر آخر")[0]
    assert make_guid("a", "", "خبر") == make_guid("a", None, "خبر")


def test_guid_without_link_is_ascii() -> None:
    guid = make_guid("عنب بلدي", None, "خبر")[0]
    assert guid.isascii()
    assert guid.startswith("urn:feedsmith:%D8%B9")


# --------------------------------------------------------------------------------------------
# Schema and migrations


def test_new_file_has_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "state.sqlite3"
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


V1_SCHEMA = """
CREATE TABLE items (
    guid TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT NOT NULL, link TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, published TEXT, summary TEXT,
    content_html TEXT, image TEXT, topics TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE sources (
    name TEXT PRIMARY KEY, last_success TEXT, last_error TEXT, failing_since TEXT,
    item_count INTEGER NOT NULL DEFAULT 0
);
PRAGMA user_version = 1;
"""


def test_migrates_a_version_1_file(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute(
        "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            "https://e.com/1",
            "enab",
            "خبر قديم",
            "https://e.com/1",
            "2026-02-01T10:00:00.000000+00:00",
            "2026-02-27T10:00:00.000000+00:00",
            None,
            "ملخص",
            None,
            None,
            '["syria"]',
        ),
    )
    conn.execute(
        "INSERT INTO sources VALUES ('enab', '2026-02-27T10:00:00.000000+00:00', NULL, NULL, 5)"
    )
    conn.commit()
    conn.close()

    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        items = store.feed_items(now=day(0), max_items=10, max_age_days=30, topic="syria")
        assert [i.title for i in items] == ["خبر قديم"]
        assert items[0].first_seen == datetime(2026, 2, 1, 10, tzinfo=UTC)
        assert items[0].author is None and items[0].guid_is_link is False
        assert store.source_statuses()[0].item_count == 5
        # Tables added by later steps work.
        store.set_meta("k", "v")
        assert store.get_meta("k") == "v"
        assert store.feed_updated("all", items, day(0)) == day(0)
        # The migrated item keeps its identity (and its topics) when seen again.
        [again] = store.record_items("other", [new("https://e.com/1", topics=("x",))], day(1))
        assert again.first_seen == datetime(2026, 2, 1, 10, tzinfo=UTC)
        assert again.topics == ("syria", "x") and again.source == "enab"


def test_refuses_a_file_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(FeedsmithError, match="newer feedsmith"):
        Store(path)


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.record_items("s", [new("a")], datetime(2026, 3, 1))


# --------------------------------------------------------------------------------------------
# Items


def test_first_seen_never_changes(store: Store) -> None:
    for n in range(4):
        [item] = store.record_items("s", [new("a", f"عنوان {n}", topics=("t",))], day(n))
        assert item.first_seen == day(0)
        assert item.last_seen == day(n)
        assert item.title == f"عنوان {n}"  # title is updated
    assert store.has_item("a")
    assert not store.has_item("b")


def test_record_items_returns_stored_items_in_order(store: Store) -> None:
    items = store.record_items(
        "s",
        [
            new("b", "B", topics=("x", "y"), published=day(-1), summary="s", author="w"),
            new("a", "A", link=None),
            new("b", "B again"),  # repeated GUID: the first occurrence counts
        ],
        day(0),
    )
    assert [(i.guid, i.title) for i in items] == [("b", "B"), ("a", "A")]
    b, a = items
    assert isinstance(b, Item)
    assert b.topics == ("x", "y") and b.published == day(-1) and b.author == "w"
    assert b.source == "s" and b.summary == "s"
    assert a.link == ""
    assert all(i.first_seen.tzinfo is not None for i in items)


def test_update_keeps_content_when_new_is_none(store: Store) -> None:
    store.record_items("s", [new("a", content_html="<p>full</p>", image="i1")], day(0))
    [item] = store.record_items("s", [new("a", summary="new", image="i2")], day(1))
    assert item.content_html == "<p>full</p>"
    assert item.image == "i2" and item.summary == "new"
    assert store.item_content("a") == (day(0), "<p>full</p>")
    assert store.item_content("missing") == (None, None)
    [item] = store.record_items("s", [new("a", content_html="<p>v2</p>")], day(2))
    assert item.content_html == "<p>v2</p>"


def test_update_keeps_published_when_new_is_none(store: Store) -> None:
    store.record_items("s", [new("a", published=day(-2))], day(0))
    [item] = store.record_items("s", [new("a")], day(1))
    assert item.published == day(-2)


def test_same_guid_from_two_sources_is_one_item(store: Store) -> None:
    store.record_items("first", [new("g", "From first", topics=("a",))], day(0))
    [item] = store.record_items(
        "second", [new("g", "From second", topics=("b",), image="img")], day(1)
    )
    assert item.source == "first"
    assert item.title == "From first"
    assert item.topics == ("a", "b")
    assert item.image == "img"  # a missing field is filled
    assert item.last_seen == day(1) and item.first_seen == day(0)
    # Topics are kept per source: the order the sources are recorded in does not matter.
    for n in (2, 3):
        store.record_items("second", [new("g", "From second", topics=("b",))], day(n))
        [item] = store.record_items("first", [new("g", "From first", topics=("a",))], day(n))
        assert item.topics == ("a", "b")
    # A source's own topics are replaced when its rules change.
    [item] = store.record_items("second", [new("g", topics=("c",))], day(4))
    assert item.topics == ("a", "c")
    assert item.title == "From first"
    assert len(store.feed_items(now=day(4), max_items=10, max_age_days=30)) == 1


def _all_rows(store: Store) -> list[tuple[object, ...]]:
    rows = store._conn.execute("SELECT * FROM items ORDER BY guid").fetchall()
    return [tuple(row) for row in rows]


def test_upsert_items_records_exactly_what_record_items_does(tmp_path: Path) -> None:
    # The same sequence of sightings (new, known, owned by another source, repeated, fields
    # given and missing) through both methods leaves the same rows; upsert counts the new.
    steps: list[tuple[str, list[NewItem], datetime]] = [
        ("a", [new("1", topics=("x",)), new("2", summary="s", published=day(-1))], day(0)),
        ("b", [new("2", "B", image="i", author="w", topics=("y",)), new("3", link=None)], day(1)),
        ("a", [new("1", "A2", content_html="<p>c</p>"), new("2", "A", link=None)], day(2)),
        ("b", [new("3", "B3", published=day(1)), new("3", "ignored"), new("4")], day(3)),
    ]
    with Store(tmp_path / "one.sqlite3") as one, Store(tmp_path / "two.sqlite3") as two:
        for source, items, now in steps:
            known = sum(1 for item in {i.guid: i for i in items} if one.has_item(item))
            one.record_items(source, items, now)
            assert two.upsert_items(source, items, now) == len({i.guid for i in items}) - known
        assert _all_rows(one) == _all_rows(two)


def test_upsert_items_in_chunks_and_all_or_nothing(store: Store) -> None:
    many = [new(f"g{n:04d}", topics=("t",)) for n in range(1234)]  # over one chunk of GUIDs
    assert store.upsert_items("s", many, day(0)) == 1234
    assert store.upsert_items("s", [*many, new("extra")], day(1)) == 1
    shown = store.feed_items(now=day(1), max_items=5000, max_age_days=30, topic="t")
    assert len(shown) == 1234 and all(i.last_seen == day(1) for i in shown)
    bad = NewItem(guid="b", guid_is_link=False, title=None, link=None)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        store.upsert_items("s", [new("c"), bad], day(2))
    assert not store.has_item("c")


def test_reseen_moves_last_seen_of_an_unchanged_pages_items(store: Store) -> None:
    store.upsert_items("s", [new("a", topics=("t",)), new("b")], day(0))
    store.record_success("s", day(0), 2, fingerprint="fp1", guids=["a", "b"])
    assert store.unchanged_guids("s", "fp1") == ["a", "b"]
    assert store.unchanged_guids("s", "fp2") is None  # the page or the settings changed
    assert store.unchanged_guids("other", "fp1") is None
    before = _all_rows(store)
    assert store.reseen("s", "fp2", day(1)) is None
    assert _all_rows(store) == before  # nothing touched
    assert store.reseen("s", "fp1", day(1)) == 2
    [status] = store.source_statuses()
    assert status.last_success == day(1) and status.item_count == 2
    assert store.unchanged_guids("s", "fp1") == ["a", "b"]
    items = store.feed_items(now=day(1), max_items=10, max_age_days=30)
    assert {(i.guid, i.last_seen, i.first_seen) for i in items} == {
        ("a", day(1), day(0)),
        ("b", day(1), day(0)),
    }
    # Re-seeing is what recording the same items again would have done.
    with Store(store.path.with_name("again.sqlite3")) as again:
        again.upsert_items("s", [new("a", topics=("t",)), new("b")], day(0))
        again.upsert_items("s", [new("a", topics=("t",)), new("b")], day(1))
        assert _all_rows(again) == _all_rows(store)
    # A source recorded before the items existed in the table (a v1 file): NULL source_topics.
    store._conn.execute("UPDATE items SET source_topics = NULL")
    assert store.unchanged_guids("s", "fp1") == ["a", "b"]


def test_reseen_refuses_items_shared_or_gone(store: Store) -> None:
    store.upsert_items("s", [new("a"), new("b")], day(0))
    store.record_success("s", day(0), 2, fingerprint="fp", guids=["a", "b"])
    store.record_failure("s", "HTTP 503", day(1))  # a failure keeps what the page gave
    assert store.unchanged_guids("s", "fp") == ["a", "b"]
    # Another source reports one of the items: its fields now depend on both sources.
    store.upsert_items("other", [new("b", summary="from other")], day(1))
    assert store.unchanged_guids("s", "fp") is None
    assert store.reseen("s", "fp", day(2)) is None
    # An item pruned while the source was failing must be stored again.
    store.upsert_items("s", [new("c")], day(0))
    store.record_success("s", day(0), 1, fingerprint="fp3", guids=["c"])
    store.prune(now=day(40), max_age_days=30)
    assert store.unchanged_guids("s", "fp3") is None
    # A success without a fingerprint (a local file, a full-text source) is never re-seen.
    store.record_success("s", day(41), 0)
    assert store.unchanged_guids("s", "fp3") is None


def test_batch_is_one_transaction_and_a_failed_step_inside_changes_nothing(
    store: Store,
) -> None:
    bad = NewItem(guid="b", guid_is_link=False, title=None, link=None)  # type: ignore[arg-type]
    with store.batch():
        store.upsert_items("s", [new("a")], day(0))
        with pytest.raises(sqlite3.IntegrityError):
            store.upsert_items("s", [new("c"), bad], day(0))
        store.record_success("s", day(0), 1, fingerprint="fp", guids=["a"])
        assert store.has_item("a") and not store.has_item("c")
    assert store.reseen("s", "fp", day(1)) == 1  # committed
    with pytest.raises(RuntimeError), store.batch():
        store.upsert_items("s", [new("d")], day(2))
        store.record_failure("s", "boom", day(2))
        raise RuntimeError("the build died")
    assert not store.has_item("d")  # all or nothing
    assert store.source_statuses()[0].ok


def test_items_that_disappear_stay_until_max_age(store: Store) -> None:
    store.record_items("s", [new("gone"), new("stays")], day(0))
    for n in range(1, 12):
        store.record_items("s", [new("stays")], day(n))
        shown = {i.guid for i in store.feed_items(now=day(n), max_items=10, max_age_days=10)}
        assert shown == ({"gone", "stays"} if n <= 10 else {"stays"})
    assert store.prune(now=day(11), max_age_days=10) == 1
    assert not store.has_item("gone")
    assert store.has_item("stays")
    assert store.prune(now=day(11), max_age_days=10) == 0


def test_feed_items_order_and_limits(store: Store) -> None:
    store.record_items(
        "s",
        [
            new("old", published=day(-5)),
            new("dated-new", published=day(0) + timedelta(hours=1)),
            new("undated-b"),  # date = first_seen = day(0)
            new("undated-a"),
        ],
        day(0),
    )
    store.record_items("s", [new("later")], day(0) + timedelta(minutes=30))
    store.record_items("other", [new("other-src", published=day(-1))], day(0))
    order = [i.guid for i in store.feed_items(now=day(0), max_items=10, max_age_days=30)]
    assert order == ["dated-new", "later", "undated-a", "undated-b", "other-src", "old"]
    limited = store.feed_items(now=day(0), max_items=2, max_age_days=30)
    assert [i.guid for i in limited] == ["dated-new", "later"]
    by_source = store.feed_items(now=day(0), max_items=10, max_age_days=30, source="other")
    assert [i.guid for i in by_source] == ["other-src"]
    assert store.feed_items(now=day(0), max_items=0, max_age_days=30) == []


def test_feed_items_by_topic(store: Store) -> None:
    store.record_items(
        "s",
        [
            new("a", topics=("syria", "energy")),
            new("b", topics=("energy",)),
            new("c", topics=("syria-news",)),  # a longer slug is not a match
            new("d"),
        ],
        day(0),
    )
    got = store.feed_items(now=day(0), max_items=10, max_age_days=30, topic="syria")
    assert [i.guid for i in got] == ["a"]
    got = store.feed_items(now=day(0), max_items=10, max_age_days=30, topic="energy")
    assert sorted(i.guid for i in got) == ["a", "b"]


def test_datetimes_come_back_utc(store: Store) -> None:
    from zoneinfo import ZoneInfo

    riyadh = datetime(2026, 3, 1, 15, 0, tzinfo=ZoneInfo("Asia/Riyadh"))
    [item] = store.record_items("s", [new("a", published=riyadh)], riyadh)
    assert item.published == riyadh and item.published.utcoffset() == timedelta(0)
    assert item.first_seen == T0


# --------------------------------------------------------------------------------------------
# Sources


def test_failing_source_keeps_items_and_failing_since(store: Store) -> None:
    store.record_items("enab", [new("a"), new("b")], day(0))
    store.record_success("enab", day(0), 2)
    [status] = store.source_statuses()
    assert status.ok and status.failing_since is None and status.item_count == 2

    store.record_failure("enab", "HTTP 503", day(1))
    store.record_failure("enab", "timeout", day(2))
    [status] = store.source_statuses()
    assert not status.ok
    assert status.failing_since == day(1)
    assert status.last_error == "timeout"
    assert status.last_success == day(0)
    assert status.item_count == 2
    shown = store.feed_items(now=day(2), max_items=10, max_age_days=30, source="enab")
    assert {i.guid for i in shown} == {"a", "b"}
    assert all(i.last_seen == day(0) for i in shown)

    store.record_success("enab", day(3), 3)
    [status] = store.source_statuses()
    assert status.ok and status.failing_since is None and status.last_error is None


def test_failure_of_a_new_source(store: Store) -> None:
    store.record_failure("new", "DNS error", day(0))
    store.record_success("b-ok", day(0), 1)
    statuses = store.source_statuses()
    assert [s.name for s in statuses] == ["b-ok", "new"]
    assert statuses[1].failing_since == day(0) and statuses[1].last_success is None


# --------------------------------------------------------------------------------------------
# Feeds and meta


def test_feed_updated_moves_only_when_items_change(store: Store) -> None:
    store.record_items("s", [new("a"), new("b")], day(0))
    items = store.feed_items(now=day(0), max_items=10, max_age_days=30)
    assert store.feed_updated("all", items, day(0)) == day(0)

    # A rebuild that sees the same items: last_seen moves, the feed's time does not.
    store.record_items("s", [new("a"), new("b")], day(1))
    items = store.feed_items(now=day(1), max_items=10, max_age_days=30)
    assert store.feed_updated("all", items, day(1)) == day(0)

    # A changed title moves it.
    store.record_items("s", [new("a", "عنوان معدل"), new("b")], day(2))
    items = store.feed_items(now=day(2), max_items=10, max_age_days=30)
    assert store.feed_updated("all", items, day(2)) == day(2)
    assert store.feed_updated("all", items, day(3)) == day(2)

    # New content moves it; feeds are independent of each other.
    store.record_items("s", [new("a", "عنوان معدل", content_html="<p>x</p>")], day(4))
    items = store.feed_items(now=day(4), max_items=10, max_age_days=30)
    assert store.feed_updated("all", items, day(4)) == day(4)
    assert store.feed_updated("other", items, day(5)) == day(5)
    assert store.feed_updated("all", items[:1], day(6)) == day(6)  # an item left
    assert store.feed_updated("empty", [], day(7)) == day(7)
    assert store.feed_updated("empty", [], day(8)) == day(7)


def test_meta(store: Store) -> None:
    assert store.get_meta("missing") is None
    store.set_meta("k", "1")
    store.set_meta("k", "2")
    assert store.get_meta("k") == "2"


def test_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with Store(path) as store:
        store.record_items("s", [new("a", "عنوان", topics=("t",))], day(0))
        store.record_failure("s", "boom", day(0))
        store.set_meta("k", "v")
        items = store.feed_items(now=day(0), max_items=10, max_age_days=30)
        store.feed_updated("all", items, day(0))
    with Store(path) as store:
        [item] = store.feed_items(now=day(1), max_items=10, max_age_days=30, topic="t")
        assert (item.guid, item.title, item.first_seen) == ("a", "عنوان", day(0))
        assert store.source_statuses()[0].failing_since == day(0)
        assert store.get_meta("k") == "v"
        assert store.feed_updated("all", [item], day(1)) == day(0)
        [item] = store.record_items("s", [new("a", "عنوان")], day(1))
        assert item.first_seen == day(0)
    # WAL is checkpointed when the last connection closes: one file to keep between builds.
    assert not (tmp_path / "state.sqlite3-wal").exists()


def test_failed_write_is_rolled_back(store: Store) -> None:
    store.record_items("s", [new("a")], day(0))
    bad = NewItem(guid="b", guid_is_link=False, title=None, link=None)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        store.record_items("s", [new("c"), bad], day(1))
    assert not store.has_item("c")
    assert store.has_item("a")
    store.record_items("s", [new("d")], day(1))  # the connection is usable again
    assert store.has_item("d")


@given(
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    host=st.sampled_from(["example.com", "WWW.Example.com", "m.example.com", "مثال.com"]),
    path=st.text(alphabet="abسو/%-_. ?", max_size=12),
    query=st.lists(
        st.sampled_from(["id=1", "utm_source=x", "fbclid=1", "p=ا", "b=", "a=2"]), max_size=4
    ),
    fragment=st.text(alphabet="abc", max_size=3),
)
def test_canonical_url_and_guid_are_idempotent(
    scheme: str, host: str, path: str, query: list[str], fragment: str
) -> None:
    url = f"{scheme}://{host}/{path}?{'&'.join(query)}#{fragment}"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert once.isascii()
    guid, _ = make_guid("s", url, "t")
    assert make_guid("s", once, "t")[0] == guid
    assert make_guid("s", guid, "t") == (guid, True)
