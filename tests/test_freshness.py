"""HTTP freshness (RFC 9111 section 4.2): a page the server said is still fresh is not asked for.

Fetches run against pytest-httpserver on 127.0.0.1 and count what reached it; the rules
themselves are also checked on feedsmith.http_cache.freshness directly. Nothing touches the
internet.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from fault_server import FaultServer, respond  # tests/ is on sys.path
from fault_server import Request as FaultRequest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedsmith.fetch import Fetcher, default_user_agent
from feedsmith.http_cache import MAX_FRESHNESS, CacheEntry, ConditionalCache, freshness

UA = default_user_agent("https://news.example.org/")
PAGE = (
    '<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>آخر الأخبار</title>'
    "</head><body><ul><li><a href='/n/1'>افتتاح معرض الكتاب في دمشق</a></li></ul></body></html>"
)
ETAG = '"v1"'


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def make_fetcher(new_fetcher: Callable[..., Fetcher], cache_dir: Path) -> Callable[..., Fetcher]:
    defaults = {"user_agent": UA, "cache_dir": cache_dir, "retries": 0}
    return lambda **options: new_fetcher(**{**defaults, **options})


class Page:
    """A page on the server that answers 200 with ``headers`` (and an ETag), or 304 to a
    request carrying its ETag (with ``headers_304``); records what each request asked."""

    def __init__(
        self,
        server: HTTPServer,
        path: str = "/page",
        headers: dict[str, str] | Callable[[], dict[str, str]] | None = None,
        headers_304: dict[str, str] | None = None,
    ) -> None:
        self.server = server
        self.path = path
        self.url = server.url_for(path)
        self.headers = headers or {}
        self.headers_304 = headers_304 or {}
        self.requests: list[str] = []  # "200" or "304" per request that reached the server
        self.conditional: list[bool] = []
        server.expect_request(path).respond_with_handler(self._handle)

    def _handle(self, request: Request) -> Response:
        conditional = request.headers.get("If-None-Match") == ETAG
        self.conditional.append("If-None-Match" in request.headers)
        if conditional:
            self.requests.append("304")
            return Response("", 304, {"ETag": ETAG, **self.headers_304})
        self.requests.append("200")
        headers = self.headers() if callable(self.headers) else self.headers
        return Response(
            PAGE, 200, {"ETag": ETAG, **headers}, content_type="text/html; charset=utf-8"
        )


def fetch(fetcher: Fetcher, url: str, **kwargs: object):
    kwargs.setdefault("respect_robots", False)
    kwargs.setdefault("timeout", 5.0)
    return fetcher.fetch_url(url, **kwargs)  # type: ignore[arg-type]


def stored(cache_dir: Path, url: str) -> CacheEntry | None:
    return ConditionalCache(cache_dir).load(url)


# -- fetches against a server ----------------------------------------------------------------


def test_max_age_page_is_not_asked_for_again(
    server: HTTPServer,
    make_fetcher: Callable[..., Fetcher],
    cache_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page = Page(server, headers={"Cache-Control": "max-age=600"})
    first = fetch(make_fetcher(), page.url)
    assert (first.from_cache, first.status) == (False, 200)
    # The next build (a new Fetcher on the same cache folder) sends nothing at all: not the
    # page, and not robots.txt either, although it respects robots.
    with caplog.at_level(logging.DEBUG, logger="feedsmith.fetch"):
        second = fetch(make_fetcher(), page.url, respect_robots=True)
    assert page.requests == ["200"]
    assert [request.path for request, _ in server.log] == ["/page"]
    assert (second.from_cache, second.status, second.url) == (True, 200, page.url)
    assert second.text == first.text
    assert f"{page.url}: still fresh for" in caplog.text
    entry = stored(cache_dir, page.url)
    assert entry is not None and entry.fresh_until is not None
    assert 590 < entry.fresh_until - time.time() <= 600


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "max-age=0"},
        {"Cache-Control": "no-cache, max-age=600"},
        {"Cache-Control": "s-maxage=600"},  # for shared caches only
        {"Cache-Control": "max-age=600", "Age": "600"},
        {"Expires": "0"},
        {"Expires": "tomorrow at noon"},
        {"Last-Modified": "Sun, 01 Mar 2026 08:00:00 GMT"},  # no heuristic freshness
    ],
    ids=["max-age=0", "no-cache", "s-maxage", "age-uses-it-up", "expires-0", "expires-garbage",
         "last-modified-only"],
)  # fmt: skip
def test_stale_pages_are_revalidated(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher], headers: dict[str, str]
) -> None:
    page = Page(server, headers=headers)
    fetch(make_fetcher(), page.url)
    again = fetch(make_fetcher(), page.url)
    assert page.requests == ["200", "304"]
    assert page.conditional == [False, True]
    assert (again.from_cache, again.status) == (True, 304)


def dated_page(faults: FaultServer, date: datetime, expires: datetime) -> str:
    """A page on the raw fault server, which sends exactly these headers (werkzeug would add
    a second Date of its own)."""
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "ETag": ETAG,
        "Date": http_date(date),
        "Expires": http_date(expires),
    }

    def handler(conn: socket.socket, request: FaultRequest) -> None:
        if request.headers.get("if-none-match") == ETAG:
            respond(304, b"", {"ETag": ETAG, "Date": http_date(date)})(conn, request)
        else:
            respond(200, PAGE.encode(), headers)(conn, request)

    faults.route("/dated", handler)
    return faults.url("/dated")


def test_expires_in_the_past_is_revalidated(
    faults: FaultServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    now = datetime.now(UTC)
    url = dated_page(faults, now, now - timedelta(minutes=1))
    fetch(make_fetcher(), url)
    again = fetch(make_fetcher(), url)
    assert [bool(r.headers.get("if-none-match")) for r in faults.requests_to("/dated")] == [
        False,
        True,
    ]
    assert (again.from_cache, again.status) == (True, 304)


def test_expires_counts_from_the_servers_date_not_our_clock(
    faults: FaultServer, make_fetcher: Callable[..., Fetcher], cache_dir: Path
) -> None:
    # A server whose clock is an hour slow: Expires - Date is still ten minutes of freshness.
    slow = datetime.now(UTC) - timedelta(hours=1)
    url = dated_page(faults, slow, slow + timedelta(minutes=10))
    fetch(make_fetcher(), url)
    again = fetch(make_fetcher(), url)
    assert len(faults.requests_to("/dated")) == 1
    assert (again.from_cache, again.status) == (True, 200)
    entry = stored(cache_dir, url)
    assert entry is not None and entry.fresh_until is not None
    assert 590 < entry.fresh_until - time.time() <= 600


def test_age_is_taken_off_the_lifetime(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher], cache_dir: Path
) -> None:
    page = Page(server, headers={"Cache-Control": "max-age=600", "Age": "540"})
    fetch(make_fetcher(), page.url)
    entry = stored(cache_dir, page.url)
    assert entry is not None and entry.fresh_until is not None
    assert 50 < entry.fresh_until - time.time() <= 60
    fetch(make_fetcher(), page.url)
    assert page.requests == ["200"]  # still within those 60 seconds


def test_no_store_is_not_stored_and_removes_what_was(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher], cache_dir: Path
) -> None:
    answers = iter([{"Cache-Control": "max-age=0"}, {"Cache-Control": "no-store"}])
    page = Page(server, headers=lambda: next(answers, {"Cache-Control": "no-store"}))
    fetch(make_fetcher(), page.url)
    assert stored(cache_dir, page.url) is not None
    fetch(make_fetcher(), page.url)  # 304 to the stored ETag…
    assert page.requests == ["200", "304"]
    page.headers_304 = {"Cache-Control": "no-store"}
    fetch(make_fetcher(), page.url)  # …a 304 that says no-store removes the entry
    assert stored(cache_dir, page.url) is None
    fetch(make_fetcher(), page.url)  # so this is a plain GET, answered with no-store
    fetch(make_fetcher(), page.url)
    assert page.conditional == [False, True, True, False, False]
    assert stored(cache_dir, page.url) is None


def test_revalidate_sends_the_conditional_request(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    page = Page(server, headers={"Cache-Control": "max-age=600"})
    fetch(make_fetcher(), page.url)
    again = fetch(make_fetcher(revalidate=True), page.url)
    assert page.requests == ["200", "304"]
    assert (again.from_cache, again.status) == (True, 304)
    fetch(make_fetcher(), page.url)  # without revalidate: fresh again, no request
    assert page.requests == ["200", "304"]


def test_a_304_refreshes_the_stored_freshness(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher], cache_dir: Path
) -> None:
    # The 200 gives no freshness; the 304 that confirms it gives ten minutes (RFC 9111 4.3.4).
    page = Page(server, headers_304={"Cache-Control": "max-age=600", "ETag": '"v1"'})
    fetch(make_fetcher(), page.url)
    assert stored(cache_dir, page.url).fresh_until is None  # type: ignore[union-attr]
    fetch(make_fetcher(), page.url)
    fetch(make_fetcher(), page.url)
    assert page.requests == ["200", "304"]
    entry = stored(cache_dir, page.url)
    assert entry is not None and entry.cache_control == "max-age=600"


def test_a_304_without_cache_control_keeps_the_stored_one(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher], cache_dir: Path
) -> None:
    page = Page(server, headers={"Cache-Control": "max-age=600"})
    fetch(make_fetcher(), page.url)
    fetch(make_fetcher(revalidate=True), page.url)  # a 304 with a Date and no Cache-Control
    entry = stored(cache_dir, page.url)
    assert entry is not None and entry.fresh_until is not None
    assert entry.fresh_until - time.time() > 590  # max-age=600 counted from the 304
    fetch(make_fetcher(), page.url)
    assert page.requests == ["200", "304"]


def test_freshness_applies_to_the_target_of_a_redirect_only(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    page = Page(server, path="/target", headers={"Cache-Control": "max-age=600"})
    server.expect_request("/moved").respond_with_data(
        "", status=301, headers={"Location": page.url, "Cache-Control": "max-age=600"}
    )
    first = fetch(make_fetcher(), server.url_for("/moved"))
    second = fetch(make_fetcher(), server.url_for("/moved"))
    # The redirect is asked for again (it is not cached); the fresh target is not.
    assert [request.path for request, _ in server.log] == ["/moved", "/target", "/moved"]
    assert first.url == second.url == page.url
    assert second.from_cache and second.text == first.text


def test_a_damaged_or_implausible_freshness_is_stale(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher], cache_dir: Path
) -> None:
    page = Page(server, headers={"Cache-Control": "max-age=600"})
    fetch(make_fetcher(), page.url)
    entry = stored(cache_dir, page.url)
    assert entry is not None
    # Beyond the cap (the clock went back, or the file was edited): asked for again.
    ConditionalCache(cache_dir).save(
        CacheEntry(
            entry.url,
            entry.etag,
            None,
            entry.content_type,
            entry.body,
            fresh_until=time.time() + MAX_FRESHNESS + 3600,
        )
    )
    fetch(make_fetcher(), page.url)
    assert page.requests == ["200", "304"]
    # A fresh_until that is not a number: the entry reads as missing, one plain download.
    path = next(cache_dir.glob("*.http"))
    head = path.read_bytes().partition(b"\n")[0]
    path.write_bytes(head.replace(b'"fresh_until": ', b'"fresh_until": "soon", "x": ') + b"\n")
    fetch(make_fetcher(), page.url)
    assert page.requests == ["200", "304", "200"]


def test_without_a_cache_folder_nothing_is_fresh(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    page = Page(server, headers={"Cache-Control": "max-age=600"})
    fetcher = make_fetcher(cache_dir=None)
    fetch(fetcher, page.url)
    fetch(fetcher, page.url)
    assert page.requests == ["200", "200"]


# -- the rules -------------------------------------------------------------------------------

RECEIVED = 1_800_000_000.0  # a local time.time()
DATE = format_datetime(datetime.fromtimestamp(RECEIVED, UTC), usegmt=True)


def at(seconds: float) -> str:
    return format_datetime(datetime.fromtimestamp(RECEIVED + seconds, UTC), usegmt=True)


@pytest.mark.parametrize(
    ("headers", "fresh_for"),
    [
        ({"Cache-Control": "max-age=600"}, 600),
        ({"cache-control": "Public, MAX-AGE=600"}, 600),
        ({"Cache-Control": 'max-age="600"'}, 600),
        ({"Cache-Control": "max-age=600, s-maxage=60"}, 600),
        ({"Cache-Control": "s-maxage=600"}, None),
        ({"Cache-Control": "max-age=600", "Expires": at(60), "Date": DATE}, 600),
        ({"Cache-Control": "max-age=0", "Expires": at(600), "Date": DATE}, None),
        ({"Cache-Control": "max-age=600", "Age": "100"}, 500),
        ({"Cache-Control": "max-age=600", "Age": "100, 300"}, 500),
        ({"Cache-Control": "max-age=600", "Age": "soon"}, 600),
        ({"Cache-Control": "max-age=600", "Age": "600"}, None),
        ({"Cache-Control": "max-age=600, max-age=60"}, None),
        ({"Cache-Control": "max-age=ten"}, None),
        ({"Cache-Control": "max-age=-5"}, None),
        ({"Cache-Control": "max-age=31536000"}, MAX_FRESHNESS),
        ({"Cache-Control": "max-age=31536000", "Age": "3600"}, MAX_FRESHNESS - 3600),
        ({"Cache-Control": 'no-cache="Set-Cookie", max-age=600'}, None),
        ({"Cache-Control": "private, must-revalidate, max-age=600"}, 600),
        ({"Expires": at(600), "Date": DATE}, 600),
        ({"Expires": at(600)}, 600),  # no Date: the receive time stands for it
        ({"Expires": at(600), "Date": "yesterday"}, 600),
        ({"Expires": at(600), "Date": DATE, "Age": "60"}, 540),
        ({"Expires": at(-1), "Date": DATE}, None),
        ({"Expires": DATE, "Date": DATE}, None),
        ({"Expires": "0", "Date": DATE}, None),
        # Two Expires fields: RFC 9111 section 4.2.1 allows using the first.
        ({"Expires": f"{at(600)}, {at(60)}", "Date": DATE}, 600),
        ({"Last-Modified": at(-86400)}, None),
        ({}, None),
    ],
)
def test_freshness_rules(headers: dict[str, str], fresh_for: float | None) -> None:
    result = freshness(headers, RECEIVED)
    assert result.store
    if fresh_for is None:
        assert result.fresh_until is None
    else:
        assert result.fresh_until == pytest.approx(RECEIVED + fresh_for)


@pytest.mark.parametrize(
    "value", ["no-store", "max-age=600, no-store", "NO-STORE", "private, no-store, no-cache"]
)
def test_no_store_means_do_not_store(value: str) -> None:
    assert freshness({"Cache-Control": value}, RECEIVED).store is False
