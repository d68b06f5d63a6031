"""The built site in a real browser: Debian's Chromium, driven headless by Playwright.

Skipped (with the reason) only where no Chromium is installed; `.ci/run` installs it.
The screenshots are kept under tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from feedsmith.build import build
from feedsmith.config import load_config
from feedsmith.serve import make_server

ROOT = Path(__file__).parent.parent
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory):
    """Build the bundled example and serve public/ on 127.0.0.1 at the site's own paths."""
    folder = tmp_path_factory.mktemp("site")
    shutil.copy(ROOT / "feeds.yaml", folder / "feeds.yaml")
    shutil.copytree(ROOT / "samples", folder / "samples")
    config = load_config(folder / "feeds.yaml")
    build(config)
    server = make_server(config.site.output, base_url=config.site.base_url, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    local = f"http://{host}:{port}{urlsplit(config.site.base_url).path}"
    yield config, local
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def all_titles(config):
    import feedparser

    parsed = feedparser.parse(config.site.output / "feeds" / "all.xml")
    assert parsed.bozo == 0
    return parsed.entries


def local_url(href: str, page_url: str, base_url: str, local: str) -> str | None:
    """Map a same-site link (relative, or absolute under base_url) to the local server."""
    absolute = urljoin(page_url, href)
    if absolute.startswith(base_url):
        return local + absolute[len(base_url) :]
    if absolute.startswith(local):
        return absolute
    return None


def test_index_reads_right_to_left_and_links_resolve(served_site, browser) -> None:
    config, local = served_site
    page = browser.new_page(viewport={"width": 412, "height": 915})  # a phone
    requests_off_site: list[str] = []
    page.on(
        "request",
        lambda request: (
            requests_off_site.append(request.url)
            if not request.url.startswith(local.split("/feeds/")[0])
            else None
        ),
    )
    page.goto(local + "index.html")
    # The index loads nothing from other hosts (topic pages may show the stories' own images).
    assert requests_off_site == [], "the index loaded something from another host"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # Every headline of the newest items is on the page, visible and laid out right to left.
    newest = [item.title for item in all_titles(config)][:3]
    for headline in newest:
        link = page.get_by_text(headline).first
        assert link.is_visible(), headline
        assert link.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # Fits a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 412

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "index-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "index-desktop.png"), full_page=False)

    checked = 0
    pages_to_visit = [local + "index.html"]
    seen: set[str] = set()
    while pages_to_visit:
        url = pages_to_visit.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        hrefs = page.eval_on_selector_all(
            "a[href], link[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        for href in hrefs:
            target = local_url(href, url, config.site.base_url, local)
            if target is None:
                continue
            try:
                with urllib.request.urlopen(target.split("#")[0]) as response:
                    assert response.status == 200, target
            except urllib.error.HTTPError as exc:  # pragma: no cover - the failure message
                pytest.fail(f"{href} on {url} -> {target}: HTTP {exc.code}")
            checked += 1
            if target.endswith(".html") and "/topics/" in target:
                pages_to_visit.append(target.split("#")[0])
    assert checked > 20
    page.close()


def test_feed_opened_in_browser_is_a_readable_page(served_site, browser) -> None:
    _, local = served_site
    page = browser.new_page()
    page.goto(local + "feeds/economy.xml")
    text = page.inner_text("body")
    assert "ارتفاع أسعار الخبز والمحروقات في أسواق دمشق مع تراجع الليرة" in text
    assert "<rss" not in text  # the stylesheet turned it into a page, not raw XML
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "feed-economy.png"), full_page=False)
    page.close()
