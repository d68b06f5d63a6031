"""Faults through full builds: a source that misbehaves fails alone and loses nothing.

Each test writes a feeds.yaml whose sources point at tests/fault_server.py (the misbehaving
server) and at pytest-httpserver (healthy pages), all on 127.0.0.1, and runs ``build()`` the
way the CLI does. A first build is healthy; in the second the source's server times out, resets
the connection, trickles bytes, loops redirects, sends the wrong content type, a truncated body
or a 5xx. The build must finish, name the source and the reason in its report, keep the
source's earlier items in feeds/all.xml and in the source's own feed, and exit 0 (1 with
``--strict``).

The randomized test runs seeded sequences of builds with faults injected and pages changing,
and checks the store's promises: nothing published leaves feeds/all.xml before its retention
ends (``max_age_days`` after it was last seen), and GUIDs and first-seen dates never change.

Retries stay on (two, as in production) but their backoff is cut to 10 ms, and sources use
``timeout: 0.5`` and ``delay: 0``, so the file runs in seconds.
"""

from __future__ import annotations

import calendar
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from fault_server import (  # tests/ is on sys.path (pytest prepend import mode)
    FaultServer,
    Handler,
    html,
    redirect,
    reset,
    respond,
    sleep_then,
    trickle,
    truncated,
)
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import feedsmith.build
from feedsmith.build import BuildReport, build
from feedsmith.cli import main
from feedsmith.config import load_config
from feedsmith.fetch import Fetcher

BASE = "https://user.github.io/akhbar/"


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feedsmith.build, "Fetcher", functools.partial(Fetcher, backoff=0.01))


def write_config(folder: Path, sources: list[dict[str, Any]], **site: Any) -> Path:
    data = {
        "site": {
            "title": "أخبار",
            "base_url": BASE,
            "language": "ar",
            "max_items": 10_000,
            "source_feeds": True,
            **site,
        },
        "sources": [
            {"timeout": 0.5, "delay": 0, "respect_robots": False, "items": "li", **source}
            for source in sources
        ],
        "topics": [{"slug": "news", "title": "أخبار", "regex": ["."]}],
    }
    path = folder / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def list_page(headlines: list[tuple[str | None, str]]) -> str:
    """``(href or None, title)`` per headline; None makes a headline without a link."""
    items = "".join(
        f'<li><a href="{escape(href)}">{escape(title)}</a></li>'
        if href
        else f"<li>{escape(title)}</li>"
        for href, title in headlines
    )
    return f"<!DOCTYPE html><html lang='ar'><body><ul class='news'>{items}</ul></body></html>"


def feed_entries(output: Path, slug: str = "all") -> dict[str, Any]:
    """The entries of feeds/<slug>.xml by title, as feedparser reads them."""
    parsed = feedparser.parse((output / "feeds" / f"{slug}.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return {entry.title: entry for entry in parsed.entries}


def published(entry: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)


# --- one fault at a time ------------------------------------------------------------------------

FLAKY = [(f"/n/{i}", f"خبر من المصدر المتعطل رقم {i} اليوم") for i in range(3)] + [
    (None, "خبر بلا رابط من المصدر المتعطل")
]
FLAKY_PAGE = list_page(FLAKY).encode("utf-8")
HEALTHY = [(f"/h/{i}", f"خبر من المصدر السليم رقم {i} اليوم") for i in range(3)]


def _reset_mid_body() -> Handler:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"
    return reset(head + FLAKY_PAGE[:40])


@dataclass(frozen=True)
class Fault:
    install: Callable[[FaultServer], None]
    reason: str  # a phrase the reported error must contain


def _route(handler: Callable[[], Handler]) -> Callable[[FaultServer], None]:
    return lambda faults: faults.route("/page", handler())


def _loop(faults: FaultServer) -> None:
    faults.route("/page", redirect("/loop"))
    faults.route("/loop", redirect("/page"))


def _chain(faults: FaultServer) -> None:
    faults.route("/page", redirect("/hop/1"))
    for hop in range(1, 10):
        faults.route(f"/hop/{hop}", redirect(f"/hop/{hop + 1}"))


def _refused(faults: FaultServer) -> None:
    faults.stop()  # nothing listens on the port any more


FAULTS = {
    "timeout": Fault(_route(lambda: sleep_then(2.0, html(FLAKY_PAGE))), "no response within 0.5"),
    "reset": Fault(_route(reset), "reset"),
    "reset-mid-body": Fault(_route(_reset_mid_body), "reset"),
    "trickle": Fault(_route(lambda: trickle(FLAKY_PAGE, 0.05)), "not complete within 0.5"),
    "redirect-loop": Fault(_loop, "redirect loop"),
    "redirect-chain": Fault(_chain, "more than 5 redirects"),
    "wrong-content-type": Fault(
        _route(lambda: html(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")),
        "unexpected content type 'image/png'",
    ),
    "binary-labelled-html": Fault(_route(lambda: html(b"%PDF-1.4\n" + b"\0" * 64)), "PDF"),
    "control-characters": Fault(
        _route(lambda: html(b"<html>" + bytes(range(1, 9)) * 600 + b"</html>")),
        "not a text document",
    ),
    "truncated": Fault(_route(lambda: truncated(FLAKY_PAGE[:60], len(FLAKY_PAGE))), "truncated"),
    "http-503": Fault(_route(lambda: respond(503, b"down")), "HTTP 503"),
    "http-500-retry-after": Fault(
        _route(lambda: respond(500, b"", {"Retry-After": "3600"})), "HTTP 500"
    ),
    "empty-body": Fault(_route(lambda: html(b"")), "empty body"),
    "connection-refused": Fault(_refused, "refused"),
}


def _build_pair(
    tmp_path: Path, server: HTTPServer, faults: FaultServer, fault: Fault
) -> tuple[Path, BuildReport, datetime]:
    """A healthy build, then a build with ``fault``; returns the config path, the second
    report and the first build's time."""
    faults.route("/page", html(FLAKY_PAGE))
    server.expect_request("/ok").respond_with_data(list_page(HEALTHY), content_type="text/html")
    config_path = write_config(
        tmp_path,
        [
            {"name": "flaky", "url": faults.url("/page")},
            {"name": "healthy", "url": server.url_for("/ok")},
        ],
    )
    config = load_config(config_path)
    first_time = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    first = build(config, now=first_time)
    assert [s.ok for s in first.sources] == [True, True], first.sources
    assert first.sources[0].items == len(FLAKY)
    fault.install(faults)
    second = build(config, now=first_time + timedelta(hours=1))
    return config_path, second, first_time


def _assert_flaky_items_kept(output: Path, first_time: datetime) -> None:
    for slug in ("all", "source-flaky", "news"):
        entries = feed_entries(output, slug)
        for _, title in FLAKY:
            assert title in entries, (slug, title)
            assert published(entries[title]) == first_time  # first seen, unchanged
    all_entries = feed_entries(output)
    for _, title in HEALTHY:
        assert title in all_entries


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_failing_source_keeps_its_items_and_the_build_goes_on(
    tmp_path: Path, server: HTTPServer, faults: FaultServer, name: str
) -> None:
    fault = FAULTS[name]
    config_path, report, first_time = _build_pair(tmp_path, server, faults, fault)
    flaky, healthy = report.sources
    assert (flaky.name, flaky.ok) == ("flaky", False)
    assert fault.reason in (flaky.error or ""), flaky.error
    assert (healthy.name, healthy.ok, healthy.items) == ("healthy", True, len(HEALTHY))
    assert report.failed == [flaky]
    output = tmp_path / "public"
    _assert_flaky_items_kept(output, first_time)
    index = lxml.html.document_fromstring((output / "index.html").read_bytes()).text_content()
    assert fault.reason in index, "the index page does not say why the source fails"

    # The documented exit codes: 0 (a failing source is a warning), 1 with --strict.
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.exception
    assert "source 'flaky' failed" in result.output and fault.reason in result.output
    result = runner.invoke(main, ["build", "--config", str(config_path), "--strict"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # an exit, not a crash
    _assert_flaky_items_kept(output, first_time)


def test_every_source_failing_still_publishes_the_earlier_items(
    tmp_path: Path, server: HTTPServer, faults: FaultServer
) -> None:
    config_path, report, first_time = _build_pair(tmp_path, server, faults, FAULTS["reset"])
    server.clear_all_handlers()  # the healthy server now answers 500 to everything
    config = load_config(config_path)
    report = build(config, now=first_time + timedelta(hours=2))
    assert [s.ok for s in report.sources] == [False, False]
    _assert_flaky_items_kept(tmp_path / "public", first_time)
    result = CliRunner().invoke(main, ["build", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    assert result.exception is None


# --- random sequences ---------------------------------------------------------------------------

MAX_AGE_DAYS = 2
SOURCES = ("alpha", "beta", "gamma")  # alpha, beta on pytest-httpserver; gamma on the fault server
POOL = 10  # headlines per source; odd ones have no link (GUID from the title)
STEP_HOURS = (1, 3, 7, 13, 23, 26, 37, 49, 61)
HTTP_FAILURES = {
    "http-500": lambda: Response("down", status=500),
    "http-404": lambda: Response("gone", status=404),
    "json": lambda: Response('{"a": 1}', content_type="application/json"),
    "empty": lambda: Response("", content_type="text/html"),
}
FAULT_FAILURES: dict[str, Callable[[], Handler]] = {
    "reset": reset,
    "truncated": lambda: truncated(b"<ul><li>", 5000),
    "loop": lambda: redirect("/gamma"),
    "png": lambda: html(b"\x89PNG\r\n", content_type="image/png"),
    "503": lambda: respond(503),
}


def title_of(source: str, index: int) -> str:
    return f"خبر {index} من المصدر {source} عن سوريا"


def href_of(source: str, index: int) -> str | None:
    return f"/{source}/news/{index}" if index % 2 == 0 else None


@dataclass
class Seen:
    first: datetime
    last: datetime


@dataclass
class World:
    """What each source serves this build: its headlines, or a failure."""

    pages: dict[str, set[int]] = field(default_factory=lambda: {s: set() for s in SOURCES})
    failure: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(SOURCES))

    def page(self, source: str) -> str:
        return list_page(
            [(href_of(source, i), title_of(source, i)) for i in sorted(self.pages[source])]
        )


@pytest.mark.parametrize("seed", range(8))
def test_random_build_sequences_lose_no_published_item(
    tmp_path: Path, server: HTTPServer, faults: FaultServer, seed: int
) -> None:
    rng = random.Random(seed)
    world = World()

    def serve(request: Request) -> Response:
        source = request.path.strip("/")
        failure = world.failure[source]
        if failure is not None:
            return HTTP_FAILURES[failure]()
        return Response(world.page(source), content_type="text/html; charset=utf-8")

    for source in ("alpha", "beta"):
        server.expect_request(f"/{source}").respond_with_handler(serve)
    config = load_config(
        write_config(
            tmp_path,
            [
                {"name": "alpha", "url": server.url_for("/alpha")},
                {"name": "beta", "url": server.url_for("/beta")},
                {"name": "gamma", "url": faults.url("/gamma")},
            ],
            max_age_days=MAX_AGE_DAYS,
        )
    )
    output = tmp_path / "public"
    model: dict[tuple[str, int], Seen] = {}  # what the store should hold
    guids: dict[tuple[str, int], str] = {}  # every GUID ever published
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    for step in range(5):
        now += timedelta(hours=rng.choice(STEP_HOURS), minutes=rng.randrange(60))
        for source in SOURCES:
            if rng.random() < 0.35 and step > 0:
                world.failure[source] = rng.choice(
                    list(HTTP_FAILURES if source != "gamma" else FAULT_FAILURES)
                )
            else:
                world.failure[source] = None
                added = rng.sample(range(POOL), rng.randrange(0, 5))
                removed = rng.sample(
                    sorted(world.pages[source]), min(len(world.pages[source]), rng.randrange(0, 4))
                )
                world.pages[source] = (world.pages[source] | set(added)) - set(removed)
            if source == "gamma":
                failure = world.failure["gamma"]
                handler = (
                    FAULT_FAILURES[failure]() if failure else html(world.page("gamma").encode())
                )
                faults.route("/gamma", handler)
        report = build(config, now=now)
        where = f"seed {seed}, build {step} at {now:%Y-%m-%d %H:%M}"

        for result in report.sources:
            expected_ok = world.failure[result.name] is None
            assert result.ok == expected_ok, (where, result)
            if result.ok:
                for index in world.pages[result.name]:
                    key = (result.name, index)
                    if key in model:
                        model[key].last = now
                    else:
                        model[key] = Seen(now, now)
        cutoff = now - timedelta(days=MAX_AGE_DAYS)
        model = {key: seen for key, seen in model.items() if seen.last >= cutoff}

        entries = feed_entries(output)
        expected = {title_of(*key): key for key in model}
        missing = set(expected) - set(entries)
        assert not missing, f"{where}: published items vanished before their retention ended"
        extra = set(entries) - set(expected)
        assert not extra, f"{where}: items kept past their retention: {extra}"
        for title, key in expected.items():
            entry = entries[title]
            assert guids.setdefault(key, entry.id) == entry.id, f"{where}: GUID of {title} changed"
            assert published(entry) == model[key].first, f"{where}: first-seen of {title} moved"


# --- faults in full_text article fetches --------------------------------------------------------

ARTICLE = (
    "<!DOCTYPE html><html lang='ar'><head><title>مقال</title></head><body><article>"
    "<h1>عنوان المقال الكامل عن الاقتصاد</h1>"
    + "<p>ارتفعت أسعار الذهب في الأسواق العالمية بعد قرار البنك المركزي وتراجع الدولار.</p>" * 6
    + "</article></body></html>"
).encode()


def _article_build(
    tmp_path: Path, server: HTTPServer, faults: FaultServer
) -> tuple[Path, datetime]:
    for number, handler in enumerate(
        [sleep_then(2.0, html(ARTICLE)), reset(), respond(503), html(ARTICLE)]
    ):
        faults.route(f"/article/{number}", handler)
    links = [(faults.url(f"/article/{n}"), f"خبر له مقال كامل رقم {n} اليوم") for n in range(4)]
    server.expect_request("/list").respond_with_data(list_page(links), content_type="text/html")
    config_path = write_config(
        tmp_path, [{"name": "full", "url": server.url_for("/list"), "full_text": True}]
    )
    first_time = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    report = build(load_config(config_path), now=first_time)
    assert report.sources[0].ok and report.sources[0].items == 4, report.sources
    return config_path, first_time


def _contents(output: Path) -> dict[str, bool]:
    """Title -> whether the item carries the article body, from feeds/all.json."""
    import json

    feed = json.loads((output / "feeds" / "all.json").read_text(encoding="utf-8"))
    return {item["title"]: "الذهب" in (item.get("content_html") or "") for item in feed["items"]}


def test_failing_article_fetches_do_not_fail_the_source(
    tmp_path: Path, server: HTTPServer, faults: FaultServer
) -> None:
    _article_build(tmp_path, server, faults)
    contents = _contents(tmp_path / "public")
    assert len(contents) == 4
    assert contents["خبر له مقال كامل رقم 3 اليوم"] is True
    assert sum(contents.values()) == 1


def test_an_article_that_failed_once_is_fetched_again(
    tmp_path: Path, server: HTTPServer, faults: FaultServer
) -> None:
    config_path, first_time = _article_build(tmp_path, server, faults)
    for number in range(3):
        faults.route(f"/article/{number}", html(ARTICLE))  # the site has recovered
    build(load_config(config_path), now=first_time + timedelta(hours=1))
    assert all(_contents(tmp_path / "public").values())
