"""Tests for the fetch stage (feedsmith.fetch and feedsmith.encoding).

Everything runs against real servers on 127.0.0.1: pytest-httpserver for well-behaved
responses, tests/fault_server.py for the misbehaving ones. Nothing touches the internet.
Timing assertions use server-side timestamps (time.monotonic() in the same process), and only
lower bounds or generous upper bounds, so they do not flake on a slow machine.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import logging
import sys
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from fault_server import (  # tests/ is on sys.path (pytest prepend import mode)
    FaultServer,
    endless,
    gzip_bomb,
    html,
    redirect,
    reset,
    respond,
    sleep_then,
    trickle,
    truncated,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request as WRequest
from werkzeug import Response

from feedsmith.encoding import BoundedInflater, codec_name, decode_document, find_declared_charset
from feedsmith.errors import FetchError
from feedsmith.fetch import Fetcher, _retry_after, default_user_agent
from feedsmith.fetch_many import fetch_all, fetch_as_completed
from feedsmith.models import Page, SourceConfig

# Our own sentences, encodable in UTF-8, windows-1256 and ISO-8859-6 alike.
HEADLINE = "أعلنت وزارة الصحة اليوم افتتاح مستشفى جديد في مدينة الإسكندرية"
PARAGRAPH = "ارتفعت أسعار الذهب في الأسواق العالمية بعد قرار البنك المركزي، وتراجع الدولار."
UA = default_user_agent("https://news.example.org/")


def arabic_page(meta: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{meta}<title>أخبار اليوم</title>'
        f"</head><body><h1>{HEADLINE}</h1><p>{PARAGRAPH}</p></body></html>"
    )


def assert_arabic(text: str) -> None:
    assert HEADLINE in text
    assert PARAGRAPH in text
    assert "أخبار اليوم" in text


@pytest.fixture
def make_fetcher(new_fetcher: Callable[..., Fetcher], tmp_path: Path) -> Callable[..., Fetcher]:
    defaults = {"user_agent": UA, "cache_dir": tmp_path / "cache", "retries": 1, "backoff": 0.05}
    return lambda **options: new_fetcher(**{**defaults, **options})


@pytest.fixture
def fetcher(make_fetcher: Callable[..., Fetcher]) -> Fetcher:
    return make_fetcher()


def get(fetcher: Fetcher, url: str, **kwargs: object) -> Page:
    kwargs.setdefault("respect_robots", False)
    kwargs.setdefault("timeout", 5.0)
    return fetcher.fetch_url(url, **kwargs)  # type: ignore[arg-type]


def fails(fetcher: Fetcher, url: str, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as info:
        get(fetcher, url, **kwargs)
    assert info.value.url == url
    return info.value


# -- encodings over HTTP ----------------------------------------------------------------------

META_1256 = '<meta charset="windows-1256">'
META_88596 = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6">'
META_1252 = '<meta http-equiv="content-type" content="text/html;charset=windows-1252">'


@pytest.mark.parametrize(
    ("codec", "content_type", "meta", "expected"),
    [
        ("utf-8", "text/html; charset=utf-8", "", "utf-8"),
        ("utf-8", "text/html", "", "utf-8"),
        ("cp1256", "text/html; charset=windows-1256", "", "cp1256"),
        ("cp1256", "text/html", "", "cp1256"),  # no declaration at all: detection
        ("cp1256", "text/html", META_1256, "cp1256"),  # meta charset only
        ("iso8859-6", "text/html; charset=iso-8859-6", "", "iso8859-6"),
        ("iso8859-6", "text/html; charset=arabic", "", "iso8859-6"),
        ("iso8859-6", "text/html", "", "iso8859-6"),
        ("iso8859-6", "text/html", META_88596, "iso8859-6"),
        # Mislabelled: the header lies, the bytes tell.
        ("cp1256", "text/html; charset=utf-8", "", "cp1256"),
        ("cp1256", "text/html; charset=UTF-8", META_1256, "cp1256"),
        ("cp1256", "text/html; charset=windows-1252", "", "cp1256"),
        ("cp1256", "text/html; charset=ISO-8859-1", META_1252, "cp1256"),
        ("iso8859-6", "text/html; charset=windows-1252", "", "iso8859-6"),
        ("utf-8", "text/html; charset=windows-1256", "", "utf-8"),
        ("iso8859-6", "text/html; charset=windows-1256", "", "iso8859-6"),
        ("cp1256", "text/html; charset=iso-8859-6", "", "cp1256"),
    ],
)
def test_arabic_pages_decode_right(
    server: HTTPServer, fetcher: Fetcher, codec: str, content_type: str, meta: str, expected: str
) -> None:
    server.expect_request("/page").respond_with_data(
        arabic_page(meta).encode(codec), content_type=content_type
    )
    page = get(fetcher, server.url_for("/page"))
    assert_arabic(page.text)
    assert page.encoding == expected
    assert page.content_type == "text/html"
    assert page.status == 200 and not page.from_cache


def test_bom_wins_over_the_header(server: HTTPServer, fetcher: Fetcher) -> None:
    body = codecs.BOM_UTF8 + arabic_page(META_1256).encode("utf-8")
    server.expect_request("/bom").respond_with_data(
        body, content_type="text/html; charset=windows-1256"
    )
    page = get(fetcher, server.url_for("/bom"))
    assert_arabic(page.text)
    assert page.encoding == "utf-8"
    assert not page.text.startswith("\ufeff")


def test_source_encoding_override(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/p").respond_with_data(
        arabic_page().encode("cp1256"), content_type="text/html; charset=utf-8"
    )
    page = get(fetcher, server.url_for("/p"), encoding="windows-1256")
    assert_arabic(page.text)
    error = fails(fetcher, server.url_for("/p"), encoding="klingon-8")
    assert "klingon-8" in error.reason


def test_gzip_and_deflate_bodies(server: HTTPServer, fetcher: Fetcher) -> None:
    body = arabic_page().encode("cp1256")
    server.expect_request("/gz").respond_with_data(
        gzip.compress(body),
        headers={"Content-Encoding": "gzip"},
        content_type="text/html; charset=windows-1256",
    )
    raw = zlib.compressobj(wbits=-15)
    server.expect_request("/raw-deflate").respond_with_data(
        raw.compress(body) + raw.flush(),
        headers={"Content-Encoding": "deflate"},
        content_type="text/html; charset=windows-1256",
    )
    server.expect_request("/deflate").respond_with_data(
        zlib.compress(body),
        headers={"Content-Encoding": "deflate"},
        content_type="text/html; charset=windows-1256",
    )
    for path in ("/gz", "/raw-deflate", "/deflate"):
        assert_arabic(get(fetcher, server.url_for(path)).text)
    request, _ = server.log[0]
    assert request.headers["Accept-Encoding"] == "gzip, deflate"
    assert request.headers["User-Agent"] == UA


# -- encodings, the function alone ------------------------------------------------------------


def test_western_pages_are_not_mistaken_for_arabic() -> None:
    spanish = "<p>Información económica: la peseta subió más de lo previsto en Málaga.</p>"
    text, codec = decode_document(spanish.encode("cp1252"), header_charset="windows-1252")
    assert (text, codec) == (spanish, "cp1252")
    german = "<p>Die Bürger in Köln und München äußern sich über die Größe.</p>"
    assert decode_document(german.encode("cp1252"), header_charset="iso-8859-1") == (
        german,
        "cp1252",
    )
    russian = "<p>Правительство объявило о новых мерах поддержки экономики страны.</p>"
    assert decode_document(russian.encode("cp1251"), header_charset="windows-1251") == (
        russian,
        "cp1251",
    )
    # Cyrillic under a Western label stays what the label says: it must not turn into Arabic.
    assert decode_document(russian.encode("cp1251"), header_charset="windows-1252")[1] == "cp1252"


def test_label_mapping() -> None:
    assert codec_name("arabic") == "iso8859-6"
    assert codec_name("ISO-8859-6-I") == "iso8859-6"
    assert codec_name("x-cp1256") == "cp1256"
    assert codec_name("latin1") == "cp1252"
    assert codec_name("utf-7") is None
    assert codec_name("base64") is None
    assert codec_name("no-such-thing") is None


def test_declared_charset_scan() -> None:
    assert find_declared_charset(b'<?xml version="1.0" encoding="windows-1256"?>') == (
        "windows-1256"
    )
    assert find_declared_charset(b"<head><!-- <meta charset=big5> --><meta charset=utf-8>") == (
        "utf-8"
    )
    assert find_declared_charset(b'<meta name="x" content="text/html; charset=koi8-r">') is None
    late = b"<head>" + b" " * 5000 + b'<meta charset="windows-1256">'
    assert find_declared_charset(late) is None


def test_utf16_bom_and_override() -> None:
    text, codec = decode_document(codecs.BOM_UTF16_LE + "<p>مرحبا</p>".encode("utf-16-le"))
    assert (text, codec) == ("<p>مرحبا</p>", "utf-16-le")
    assert decode_document(b"caf\xe9", override="latin1") == ("café", "cp1252")
    with pytest.raises(LookupError):
        decode_document(b"x", override="nonsense")
    # A header that says UTF-16 about ASCII-compatible bytes is ignored.
    assert decode_document(b"<p>plain</p>", header_charset="utf-16") == ("<p>plain</p>", "utf-8")


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=600), header=st.sampled_from([None, "utf-8", "windows-1252", "x"]))
def test_decode_document_never_fails(body: bytes, header: str | None) -> None:
    text, codec = decode_document(body, header_charset=header)
    assert isinstance(text, str)
    codecs.lookup(codec)


def test_bounded_inflater() -> None:
    two_members = gzip.compress(b"<p>one</p>") + gzip.compress(b"<p>two</p>") + b"\x00" * 8
    inflater = BoundedInflater("gzip")
    out = b"".join(inflater.feed(two_members[i : i + 7], 1000) for i in range(0, 60, 7))
    out += inflater.feed(two_members[63:], 1000)
    assert out == b"<p>one</p><p>two</p>" and inflater.complete
    bomb = gzip.compress(b" " * 5_000_000)
    assert len(BoundedInflater("gzip").feed(bomb, 10_000)) == 10_001
    with pytest.raises(ValueError, match="corrupt gzip"):
        BoundedInflater("gzip").feed(b"this is not gzip at all", 1000)
    partial = BoundedInflater("gzip")
    partial.feed(gzip.compress(b"x" * 1000)[:-12], 5000)
    assert not partial.complete


# -- conditional GET --------------------------------------------------------------------------


def test_etag_then_304(server: HTTPServer, fetcher: Fetcher) -> None:
    body = arabic_page().encode("cp1256")

    def handler(request: WRequest) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body, headers={"ETag": '"v1"'}, content_type="text/html; charset=cp1256")

    server.expect_request("/news").respond_with_handler(handler)
    first = get(fetcher, server.url_for("/news"))
    second = get(fetcher, server.url_for("/news"))
    assert not first.from_cache and first.status == 200
    assert second.from_cache and second.status == 304
    assert second.text == first.text and second.encoding == "cp1256"
    assert_arabic(second.text)
    (req1, _), (req2, resp2) = server.log
    assert "If-None-Match" not in req1.headers
    assert req2.headers["If-None-Match"] == '"v1"'
    assert resp2.status_code == 304 and resp2.get_data() == b""


def test_last_modified_then_304(server: HTTPServer, fetcher: Fetcher) -> None:
    stamp = "Mon, 30 Nov 2026 08:00:00 GMT"

    def handler(request: WRequest) -> Response:
        if request.headers.get("If-Modified-Since") == stamp:
            return Response(status=304)
        return Response(
            arabic_page().encode("utf-8"),
            headers={"Last-Modified": stamp},
            content_type="text/html; charset=utf-8",
        )

    server.expect_request("/lm").respond_with_handler(handler)
    first = get(fetcher, server.url_for("/lm"))
    second = get(fetcher, server.url_for("/lm"))
    assert second.from_cache and second.text == first.text
    assert server.log[1][0].headers["If-Modified-Since"] == stamp
    # A new Fetcher on the same cache folder (the next build) still revalidates.
    third = get(Fetcher(user_agent=UA, cache_dir=fetcher._cache.directory), server.url_for("/lm"))
    assert third.from_cache
    # use_cache=False sends no validators.
    assert not get(fetcher, server.url_for("/lm"), use_cache=False).from_cache
    assert "If-Modified-Since" not in server.log[-1][0].headers


def test_without_cache_dir_no_validators_are_sent(
    server: HTTPServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher(cache_dir=None)
    server.expect_request("/e").respond_with_data(
        b"<p>x</p>", headers={"ETag": '"a"'}, content_type="text/html"
    )
    get(fetcher, server.url_for("/e"))
    get(fetcher, server.url_for("/e"))
    assert "If-None-Match" not in server.log[1][0].headers


# -- redirects --------------------------------------------------------------------------------


def test_redirect_chain_reports_final_url(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/a").respond_with_data("", 301, {"Location": "/b"})
    server.expect_request("/b").respond_with_data("", 302, {"Location": server.url_for("/c")})
    server.expect_request("/c").respond_with_data(
        arabic_page().encode(), content_type="text/html; charset=utf-8"
    )
    page = get(fetcher, server.url_for("/a"))
    assert page.url == server.url_for("/c")
    assert_arabic(page.text)


def test_redirect_to_an_arabic_path(faults: FaultServer, fetcher: Fetcher) -> None:
    # The Location header carries raw UTF-8, as Arabic news sites send it.
    location = "/أخبار/الاقتصاد".encode()
    head = b"HTTP/1.1 301 Moved Permanently\r\nLocation: " + location + b"\r\n"
    faults.route("/old", lambda conn, request: conn.sendall(head + b"Content-Length: 0\r\n\r\n"))
    quoted = "/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%A7%D9%84%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF"
    faults.route(quoted, html(arabic_page().encode()))
    page = get(fetcher, faults.url("/old"))
    assert page.url == faults.url(quoted)
    assert_arabic(page.text)


def test_redirect_loop(faults: FaultServer, fetcher: Fetcher) -> None:
    faults.route("/one", redirect("/two"))
    faults.route("/two", redirect(faults.url("/one"), 301))
    error = fails(fetcher, faults.url("/one"))
    assert "redirect loop" in error.reason
    assert faults.url("/two") in error.reason
    assert len(faults.log) == 2


def test_too_many_redirects(faults: FaultServer, make_fetcher: Callable[..., Fetcher]) -> None:
    for i in range(1, 8):
        faults.route(f"/r{i}", redirect(f"/r{i - 1}"))
    faults.route("/r0", html(b"<p>end</p>"))
    fetcher = make_fetcher(max_redirects=3)
    assert get(fetcher, faults.url("/r3")).url == faults.url("/r0")
    error = fails(fetcher, faults.url("/r7"))
    assert "more than 3 redirects" in error.reason


def test_redirect_to_another_scheme_is_refused(faults: FaultServer, fetcher: Fetcher) -> None:
    faults.route("/x", redirect("file:///etc/passwd"))
    assert "unsupported URL scheme 'file'" in fails(fetcher, faults.url("/x")).reason


def test_only_http_urls(fetcher: Fetcher) -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)"):
        assert "unsupported URL scheme" in fails(fetcher, url).reason


# -- retries ----------------------------------------------------------------------------------


def test_429_retry_after_is_respected(server: HTTPServer, make_fetcher: Callable[..., Fetcher]):
    arrivals: list[float] = []

    def handler(request: WRequest) -> Response:
        arrivals.append(time.monotonic())
        if len(arrivals) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response("<p>ok</p>", content_type="text/html")

    server.expect_request("/limited").respond_with_handler(handler)
    page = get(make_fetcher(retries=2), server.url_for("/limited"))
    assert page.text == "<p>ok</p>"
    assert len(arrivals) == 2
    assert arrivals[1] - arrivals[0] >= 1.0


def test_retry_after_too_long_is_a_failure(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/busy").respond_with_data("", 503, {"Retry-After": "120"})
    started = time.monotonic()
    error = fails(fetcher, server.url_for("/busy"))
    assert time.monotonic() - started < 5
    assert "HTTP 503" in error.reason and "120 s" in error.reason
    assert len(server.log) == 1


def test_retry_after_http_date() -> None:
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
    assert _retry_after(format_datetime(now + timedelta(seconds=7), usegmt=True), now) == 7.0
    assert _retry_after("3", now) == 3.0
    assert _retry_after(format_datetime(now - timedelta(seconds=7), usegmt=True), now) == 0.0
    assert _retry_after("soon", now) is None


def test_500_then_success(server: HTTPServer, fetcher: Fetcher) -> None:
    statuses = iter([500, 200])

    def handler(request: WRequest) -> Response:
        status = next(statuses)
        return Response("<p>fine</p>" if status == 200 else "oops", status=status)

    server.expect_request("/flaky").respond_with_handler(handler)
    assert get(fetcher, server.url_for("/flaky")).text == "<p>fine</p>"
    assert len(server.log) == 2


def test_persistent_500(server: HTTPServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.expect_request("/down").respond_with_data("oops", 500)
    error = fails(make_fetcher(retries=2), server.url_for("/down"))
    assert "HTTP 500 INTERNAL SERVER ERROR" in error.reason.upper()
    assert "after 3 attempts" in error.reason
    assert len(server.log) == 3


def test_404_is_not_retried(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/gone").respond_with_data("no", 404)
    assert fails(fetcher, server.url_for("/gone")).reason.startswith("HTTP 404")
    assert len(server.log) == 1


# -- faults -----------------------------------------------------------------------------------


def test_read_timeout(faults: FaultServer, make_fetcher: Callable[..., Fetcher]) -> None:
    faults.route("/sleepy", sleep_then(3.0, html(b"<p>late</p>")))
    started = time.monotonic()
    error = fails(make_fetcher(retries=0), faults.url("/sleepy"), timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert "no response within 0.5 s" in error.reason


def test_connection_reset_is_retried_then_reported(faults: FaultServer, fetcher: Fetcher) -> None:
    faults.route("/rst", reset())
    error = fails(fetcher, faults.url("/rst"))
    assert "connection" in error.reason and "after 2 attempts" in error.reason
    assert len(faults.requests_to("/rst")) == 2


def test_reset_mid_body(faults: FaultServer, make_fetcher: Callable[..., Fetcher]) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<p>part"
    faults.route("/cut", reset(after=head))
    error = fails(make_fetcher(retries=0), faults.url("/cut"))
    assert "reset" in error.reason or "truncated" in error.reason


def test_connection_refused(make_fetcher: Callable[..., Fetcher]) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = fails(make_fetcher(retries=0), f"http://127.0.0.1:{port}/")
    assert "connection refused" in error.reason


def test_trickle_slower_than_the_timeout(
    faults: FaultServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    # Each byte arrives well within the read timeout, but the whole body never would.
    faults.route("/drip", trickle(b"<p>" + b"x" * 200 + b"</p>", interval=0.02))
    started = time.monotonic()
    error = fails(make_fetcher(retries=0), faults.url("/drip"), timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert "not complete within 0.5 s" in error.reason


def test_body_over_the_cap_is_abandoned(
    faults: FaultServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    faults.route("/endless", endless())
    fetcher = make_fetcher(max_bytes=100_000)
    error = fails(fetcher, faults.url("/endless"), timeout=10)
    assert "larger than the 100000-byte limit" in error.reason
    big = b"<p>" + b"x" * 200_000 + b"</p>"
    faults.route("/big", html(big))
    error = fails(fetcher, faults.url("/big"))
    assert "Content-Length 200007" in error.reason


def test_gzip_bomb_is_stopped(faults: FaultServer, make_fetcher: Callable[..., Fetcher]) -> None:
    faults.route("/bomb", gzip_bomb(20_000_000))
    error = fails(make_fetcher(max_bytes=1_000_000), faults.url("/bomb"))
    assert "larger than the 1000000-byte limit after gzip decoding" in error.reason


def test_wrong_content_type(faults: FaultServer, fetcher: Fetcher) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    faults.route("/logo", respond(200, png, {"Content-Type": "image/png"}))
    faults.route("/blob", respond(200, b"<p>hi</p>", {"Content-Type": "application/octet-stream"}))
    faults.route("/untyped", respond(200, png))
    assert "unexpected content type 'image/png'" in fails(fetcher, faults.url("/logo")).reason
    assert "application/octet-stream" in fails(fetcher, faults.url("/blob")).reason
    assert "body is PNG image data" in fails(fetcher, faults.url("/untyped")).reason
    faults.route("/nul", respond(200, b"<p>\x00\x01\x02</p>"))
    assert "looks binary" in fails(fetcher, faults.url("/nul")).reason
    # gzip applied twice: after one decoding the body is still gzip.
    twice = gzip.compress(gzip.compress(b"<p>hello</p>"))
    faults.route(
        "/twice", respond(200, twice, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    )
    assert "body is gzip data" in fails(fetcher, faults.url("/twice")).reason


def test_truncated_body(faults: FaultServer, make_fetcher: Callable[..., Fetcher]) -> None:
    faults.route("/half", truncated(b"<p>only half of it", claimed=1000))
    error = fails(make_fetcher(retries=0), faults.url("/half"))
    assert "truncated body" in error.reason


def test_empty_body(faults: FaultServer, fetcher: Fetcher) -> None:
    faults.route("/empty", html(b""))
    assert fails(fetcher, faults.url("/empty")).reason == "empty body"


# -- robots.txt -------------------------------------------------------------------------------

ROBOTS = b"User-agent: *\nDisallow: /admin\n\nUser-agent: feedsmith\nDisallow: /private\n"


def test_robots_disallow_and_override(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/robots.txt").respond_with_data(ROBOTS, content_type="text/plain")
    server.expect_request("/private/news").respond_with_data(
        "<p>secret</p>", content_type="text/html"
    )
    server.expect_request("/news").respond_with_data("<p>public</p>", content_type="text/html")
    error = fails(fetcher, server.url_for("/private/news"), respect_robots=True)
    assert "disallowed by robots.txt" in error.reason
    assert get(fetcher, server.url_for("/news"), respect_robots=True).text == "<p>public</p>"
    page = get(fetcher, server.url_for("/private/news"), respect_robots=False)
    assert page.text == "<p>secret</p>"
    paths = [request.path for request, _ in server.log]
    assert paths == ["/robots.txt", "/news", "/private/news"]  # robots.txt fetched once
    assert server.log[0][0].headers["User-Agent"] == UA


def test_robots_crawl_delay_spaces_requests(faults: FaultServer, fetcher: Fetcher) -> None:
    faults.route("/robots.txt", html(b"User-agent: *\nCrawl-delay: 1\n", "text/plain"))
    faults.route("/a", html(b"<p>a</p>"))
    faults.route("/b", html(b"<p>b</p>"))
    get(fetcher, faults.url("/a"), respect_robots=True)
    get(fetcher, faults.url("/b"), respect_robots=True)
    first, second = faults.requests_to("/a")[0], faults.requests_to("/b")[0]
    assert second.arrived - first.arrived >= 1.0


def test_robots_404_allows_everything(faults: FaultServer, fetcher: Fetcher) -> None:
    faults.route("/private/x", html(b"<p>fine</p>"))
    assert get(fetcher, faults.url("/private/x"), respect_robots=True).text == "<p>fine</p>"
    assert [r.path for r in faults.log] == ["/robots.txt", "/private/x"]


def test_robots_5xx_allows(faults: FaultServer, fetcher: Fetcher) -> None:
    faults.route("/robots.txt", respond(503, b"down"))
    faults.route("/x", html(b"<p>fine</p>"))
    assert get(fetcher, faults.url("/x"), respect_robots=True).text == "<p>fine</p>"


def test_robots_is_kept_for_a_day_across_fetchers(
    faults: FaultServer, make_fetcher: Callable[..., Fetcher], tmp_path: Path
) -> None:
    faults.route("/robots.txt", html(b"User-agent: *\nDisallow: /private\n", "text/plain"))
    faults.route("/news", html(b"<p>news</p>"))
    get(make_fetcher(), faults.url("/news"), respect_robots=True)
    # The next build (a new Fetcher on the same cache folder) does not ask again, and obeys.
    later = make_fetcher()
    assert "disallowed" in fails(later, faults.url("/private/x"), respect_robots=True).reason
    get(later, faults.url("/news"), respect_robots=True)
    assert [r.path for r in faults.log] == ["/robots.txt", "/news", "/news"]
    # After 24 hours it is fetched again (RFC 9309 section 2.4).
    for entry in (tmp_path / "cache" / "robots").glob("*.robots"):
        head, _, body = entry.read_bytes().partition(b"\n")
        meta = json.loads(head)
        meta["fetched"] -= 24 * 3600 + 1
        entry.write_bytes(json.dumps(meta).encode() + b"\n" + body)
    get(make_fetcher(), faults.url("/news"), respect_robots=True)
    assert [r.path for r in faults.log][3:] == ["/robots.txt", "/news"]


@pytest.mark.parametrize(("status", "kept"), [(404, True), (410, True), (503, False), (429, False)])
def test_robots_answers_kept_are_those_that_last(
    faults: FaultServer, make_fetcher: Callable[..., Fetcher], status: int, kept: bool
) -> None:
    # 4xx means "no rules" for a day; a server in trouble is asked again at the next build.
    faults.route("/robots.txt", respond(status, b"no"))
    faults.route("/x", html(b"<p>fine</p>"))
    for _ in range(2):
        assert get(make_fetcher(), faults.url("/x"), respect_robots=True).text == "<p>fine</p>"
    assert len(faults.requests_to("/robots.txt")) == (1 if kept else 2)


def test_robots_cache_entry_that_is_damaged_costs_one_request(
    faults: FaultServer, make_fetcher: Callable[..., Fetcher], tmp_path: Path
) -> None:
    faults.route("/robots.txt", html(b"User-agent: *\nDisallow: /private\n", "text/plain"))
    faults.route("/x", html(b"<p>fine</p>"))
    get(make_fetcher(), faults.url("/x"), respect_robots=True)
    for entry in (tmp_path / "cache" / "robots").glob("*.robots"):
        entry.write_bytes(b"{not json\n")
    later = make_fetcher()
    assert "disallowed" in fails(later, faults.url("/private/y"), respect_robots=True).reason
    assert len(faults.requests_to("/robots.txt")) == 2


def test_redirect_target_is_checked_against_robots(
    faults: FaultServer, server: HTTPServer, fetcher: Fetcher
) -> None:
    server.expect_request("/robots.txt").respond_with_data(b"User-agent: *\nDisallow: /\n")
    faults.route("/go", redirect(server.url_for("/page")))
    error = fails(fetcher, faults.url("/go"), respect_robots=True)
    assert f"{server.url_for('/page')} is disallowed by robots.txt" in error.reason


# -- files ------------------------------------------------------------------------------------


def test_file_sources(tmp_path: Path, fetcher: Fetcher) -> None:
    page_file = tmp_path / "front.html"
    page_file.write_bytes(arabic_page(META_1256).encode("cp1256"))
    ticker = tmp_path / "ticker.txt"
    ticker.write_bytes(PARAGRAPH.encode("iso8859-6"))
    page = fetcher.fetch_source(SourceConfig(name="front", file=page_file))
    assert_arabic(page.text)
    assert page.url == page_file.as_uri() and page.url.startswith("file://")
    assert (page.content_type, page.encoding) == ("text/html", "cp1256")
    text_page = fetcher.fetch_source(SourceConfig(name="ticker", file=ticker))
    assert (text_page.text, text_page.content_type) == (PARAGRAPH, "text/plain")
    via_url = fetcher.fetch_source(SourceConfig(name="u", url=page_file.as_uri()))
    assert via_url.text == page.text


def test_missing_and_oversized_files(tmp_path: Path, make_fetcher: Callable[..., Fetcher]) -> None:
    missing = tmp_path / "nope.html"
    with pytest.raises(FetchError) as info:
        make_fetcher().fetch_source(SourceConfig(name="m", file=missing))
    assert str(missing) in str(info.value)
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * 5000 + b"</p>")
    with pytest.raises(FetchError, match="larger than the 1000-byte limit"):
        make_fetcher(max_bytes=1000).fetch_source(SourceConfig(name="b", file=big))


# -- fetch_all --------------------------------------------------------------------------------


def test_fetch_all_keeps_going_after_a_failure(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/robots.txt").respond_with_data("", 404)
    server.expect_request("/a").respond_with_data("<p>a</p>", content_type="text/html")
    server.expect_request("/c").respond_with_data("<p>c</p>", content_type="text/html")
    sources = [
        SourceConfig(name="a", url=server.url_for("/a"), delay=0),
        SourceConfig(name="b", url=server.url_for("/missing"), delay=0),
        SourceConfig(name="c", url=server.url_for("/c"), delay=0),
    ]
    server.expect_request("/missing").respond_with_data("gone", 404)
    results = fetch_all(sources, fetcher)
    assert list(results) == ["a", "b", "c"]
    assert isinstance(results["a"], Page) and results["a"].text == "<p>a</p>"
    assert isinstance(results["c"], Page) and results["c"].text == "<p>c</p>"
    assert isinstance(results["b"], FetchError) and "HTTP 404" in results["b"].reason


def test_fetch_as_completed_yields_every_source_once_as_it_arrives(
    tmp_path: Path, fetcher: Fetcher
) -> None:
    page_file = tmp_path / "local.html"
    page_file.write_text("<p>local</p>")
    with FaultServer() as slow, FaultServer() as fast:
        slow.route("/s", sleep_then(0.5, html(b"<p>slow</p>")))
        fast.route("/f", html(b"<p>fast</p>"))
        fast.route("/gone", respond(404, b"gone"))
        sources = [
            SourceConfig(name="slow", url=slow.url("/s"), delay=0, respect_robots=False),
            SourceConfig(name="gone", url=fast.url("/gone"), delay=0, respect_robots=False),
            SourceConfig(name="missing", file=tmp_path / "nope.html"),
            SourceConfig(name="fast", url=fast.url("/f"), delay=0, respect_robots=False),
            SourceConfig(name="local", file=page_file),
        ]
        arrived = list(fetch_as_completed(sources, fetcher, workers=4))
    names = [source.name for source, _ in arrived]
    assert sorted(names) == sorted(s.name for s in sources)  # each once, failures included
    assert names[-1] == "slow"  # by arrival, not in config order
    assert names.index("gone") < names.index("fast")  # one host's sources stay in order
    outcomes = {source.name: outcome for source, outcome in arrived}
    assert isinstance(outcomes["gone"], FetchError) and "HTTP 404" in outcomes["gone"].reason
    assert isinstance(outcomes["missing"], FetchError)
    assert isinstance(outcomes["slow"], Page) and outcomes["slow"].text == "<p>slow</p>"
    assert isinstance(outcomes["local"], Page) and outcomes["local"].text == "<p>local</p>"
    assert all(source in sources for source, _ in arrived)  # the SourceConfig objects given


def test_fetch_as_completed_stops_its_workers_when_left_early(fetcher: Fetcher) -> None:
    with FaultServer() as server:
        server.route("/p", sleep_then(0.2, html(b"<p>p</p>")))
        sources = [
            SourceConfig(name=f"s{n}", url=server.url("/p"), delay=0, respect_robots=False)
            for n in range(10)
        ]  # one host: one worker, in order
        pages = fetch_as_completed(sources, fetcher)
        first, _ = next(pages)
        pages.close()  # waits for the request in flight, then starts no other
        assert first.name == "s0"
        assert len(server.requests_to("/p")) <= 2
    assert list(fetch_as_completed([], fetcher)) == []


def test_fetch_all_hosts_in_parallel_and_one_host_politely(fetcher: Fetcher) -> None:
    with FaultServer() as one, FaultServer() as two:
        for server in (one, two):
            for path in ("/x", "/y"):
                server.route(path, sleep_then(0.3, html(f"<p>{path}</p>".encode())))
        sources = [
            SourceConfig(name="one-x", url=one.url("/x"), delay=0.4, respect_robots=False),
            SourceConfig(name="one-y", url=one.url("/y"), delay=0.4, respect_robots=False),
            SourceConfig(name="two-x", url=two.url("/x"), delay=0.4, respect_robots=False),
        ]
        results = fetch_all(sources, fetcher, workers=4)
    assert all(isinstance(result, Page) for result in results.values())
    one_x, one_y = one.requests_to("/x")[0], one.requests_to("/y")[0]
    two_x = two.requests_to("/x")[0]
    assert one_x.finished is not None and two_x.finished is not None
    # Two hosts: their requests were being served at the same time.
    assert one_x.arrived < two_x.finished and two_x.arrived < one_x.finished
    # One host: never two at once, and `delay` seconds from one response to the next request.
    # (x was answered 0.3 s after it arrived, so y cannot arrive before 0.3 + 0.4 s.)
    assert one_y.arrived - one_x.arrived >= 0.7


def test_fetch_all_progress_bar_only_on_a_terminal(
    tmp_path: Path, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    page_file = tmp_path / "p.html"
    page_file.write_text("<p>x</p>")
    sources = [SourceConfig(name=f"s{i}", file=page_file) for i in range(3)]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    fetch_all(sources, fetcher, progress=True)
    assert "3/3" in terminal.getvalue()
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    fetch_all(sources, fetcher, progress=True)
    assert pipe.getvalue() == ""


def test_decisions_are_logged(
    server: HTTPServer,
    fetcher: Fetcher,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The CLI's logging setup turns propagation off; a CLI test run earlier must not hide ours.
    monkeypatch.setattr(logging.getLogger("feedsmith"), "propagate", True)
    server.expect_request("/p").respond_with_data(
        arabic_page().encode("cp1256"), content_type="text/html; charset=utf-8"
    )
    with caplog.at_level(logging.DEBUG, logger="feedsmith"):
        get(fetcher, server.url_for("/p"))
    assert "encoding cp1256" in caplog.text


def test_a_session_passed_in_is_used_and_left_open() -> None:
    # A transport adapter answers in-process: nothing leaves the machine.
    body = arabic_page().encode("cp1256")

    class Canned(requests.adapters.BaseAdapter):
        def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
            response = requests.Response()
            response.status_code, response.reason = 200, "OK"
            response.headers["Content-Type"] = "text/html; charset=windows-1256"
            response.raw, response.url, response.request = io.BytesIO(body), request.url, request
            return response

        def close(self) -> None:
            pass

    session = requests.Session()
    session.mount("http://", Canned())
    closed: list[bool] = []
    session.close = lambda: closed.append(True)  # type: ignore[method-assign]
    with Fetcher(user_agent=UA, session=session) as fetcher:
        page = get(fetcher, "http://news.invalid/front")
    assert_arabic(page.text)
    assert closed == []


def test_user_agent_format() -> None:
    assert default_user_agent("https://news.example.org/").startswith("feedsmith/")
    assert default_user_agent("https://news.example.org/").endswith("(+https://news.example.org/)")


# -- links found on pages: no private addresses but the source's own host -----------------------


def source_on(url: str, **kwargs: object) -> SourceConfig:
    options: dict[str, object] = {"respect_robots": False, "timeout": 5.0, "delay": 0.0}
    options.update(kwargs)
    return SourceConfig(name="src", url=url, **options)  # type: ignore[arg-type]


def test_a_link_on_the_sources_own_host_is_fetched_whatever_the_port(
    server: HTTPServer, fetcher: Fetcher
) -> None:
    server.expect_request("/a/1").respond_with_data(arabic_page(), content_type="text/html")
    # The source page is on 127.0.0.1 (another port): an intranet source gets its articles.
    page = fetcher.fetch_link(server.url_for("/a/1"), source_on("http://127.0.0.1:1/list"))
    assert_arabic(page.text)
    # A file source counts by its page_url.
    file_source = SourceConfig(name="f", file=Path("x.html"), page_url="http://127.0.0.1/")
    assert_arabic(fetcher.fetch_link(server.url_for("/a/1"), file_source).text)


@pytest.mark.parametrize(
    ("link", "why"),
    [
        ("http://127.0.0.1:{port}/a/1", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:{port}/a/1", "::1 is a loopback address"),
        ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://0.0.0.0:{port}/a/1", "0.0.0.0 is an unspecified address"),
        ("http://[::ffff:127.0.0.1]:{port}/a/1", "::ffff:127.0.0.1 is a loopback address"),
        ("http://[fd00::1]/", "fd00::1 is a unique-local address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://100.64.0.1/", "100.64.0.1 is a non-public address"),
        (
            "http://2130706433:{port}/a/1",
            "2130706433, which resolves to 127.0.0.1, is a loopback address",
        ),
    ],
)
def test_a_link_to_a_private_address_is_refused_before_any_request(
    server: HTTPServer, fetcher: Fetcher, link: str, why: str
) -> None:
    server.expect_request("/a/1").respond_with_data(arabic_page(), content_type="text/html")
    url = link.format(port=server.port)
    # The source page is on "localhost": 127.0.0.1 is a different host name.
    with pytest.raises(FetchError) as info:
        fetcher.fetch_link(url, source_on(f"http://localhost:{server.port}/list"))
    assert info.value.url == url
    assert f"link refused: {why}" in info.value.reason
    assert "(only localhost, the source's own host, may)" in info.value.reason
    assert server.log == []


def test_a_host_name_that_resolves_to_a_private_address_is_refused(
    server: HTTPServer, fetcher: Fetcher
) -> None:
    server.expect_request("/a/1").respond_with_data(arabic_page(), content_type="text/html")
    url = f"http://localhost:{server.port}/a/1"
    with pytest.raises(FetchError) as info:
        fetcher.fetch_link(url, source_on(server.url_for("/list")))
    assert "link refused: localhost, which resolves to" in info.value.reason
    assert server.log == []
    # The same host name as the source (any case, any port, a trailing dot) is allowed.
    source = source_on("http://LOCALHOST.:1/list")
    assert_arabic(fetcher.fetch_link(url, source).text)


def test_every_resolved_address_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from feedsmith import addresses

    answers = {
        "news.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
        "rebind.example": ["93.184.215.14", "10.1.2.3"],
    }

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, 0)) for a in answers[host]
        ]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", getaddrinfo)
    guard = addresses.LinkGuard("https://source.example/list")
    guard.check("https://news.example/a/1", "https://news.example/a/1")  # public: allowed
    with pytest.raises(FetchError, match=r"rebind\.example, which resolves to 10\.1\.2\.3, is a"):
        guard.check("https://rebind.example/a/1", "https://rebind.example/a/1")
    with pytest.raises(FetchError, match=r"cannot resolve nowhere\.example"):
        guard.check("https://nowhere.example/a/1", "https://nowhere.example/a/1")
    # A source without a host of its own (a file without page_url) allows no private host.
    with pytest.raises(FetchError, match="is a loopback address, which a link found on a page"):
        addresses.LinkGuard(None).check("http://127.0.0.1/", "http://127.0.0.1/")


def test_a_redirect_from_an_allowed_link_to_a_private_address_is_refused(
    server: HTTPServer, fetcher: Fetcher
) -> None:
    server.expect_request("/a/1").respond_with_data(
        "", 302, {"Location": f"http://localhost:{server.port}/secret"}
    )
    server.expect_request("/a/2").respond_with_data(
        "", 301, {"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    server.expect_request("/a/3").respond_with_data("", 302, {"Location": "/a/ok"})
    server.expect_request("/a/ok").respond_with_data(arabic_page(), content_type="text/html")
    server.expect_request("/secret").respond_with_data("the secret", content_type="text/plain")
    source = source_on("http://127.0.0.1/list")
    for path, target in (("/a/1", "localhost"), ("/a/2", "169.254.169.254")):
        with pytest.raises(FetchError) as info:
            fetcher.fetch_link(server.url_for(path), source)
        assert info.value.reason.startswith("redirect to http://")
        assert f"refused: {target}" in info.value.reason
    # A redirect within the source's own host is followed.
    assert_arabic(fetcher.fetch_link(server.url_for("/a/3"), source).text)
    assert [request.path for request, _ in server.log] == ["/a/1", "/a/2", "/a/3", "/a/ok"]


def test_robots_txt_of_a_link_cannot_redirect_to_a_private_address(
    server: HTTPServer, fetcher: Fetcher
) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        "", 302, {"Location": f"http://localhost:{server.port}/private-robots"}
    )
    server.expect_request("/private-robots").respond_with_data("User-agent: *\nDisallow: /\n")
    server.expect_request("/a/1").respond_with_data(arabic_page(), content_type="text/html")
    source = source_on("http://127.0.0.1/list", respect_robots=True)
    assert_arabic(fetcher.fetch_link(server.url_for("/a/1"), source).text)
    assert [request.path for request, _ in server.log] == ["/robots.txt", "/a/1"]


def test_configured_sources_and_fetch_url_are_not_restricted(
    server: HTTPServer, fetcher: Fetcher
) -> None:
    server.expect_request("/list").respond_with_data(arabic_page(), content_type="text/html")
    url = f"http://localhost:{server.port}/list"
    assert_arabic(fetcher.fetch_source(source_on(url)).text)
    assert_arabic(get(fetcher, server.url_for("/list")).text)
