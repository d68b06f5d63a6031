"""feedsmith serve: the site at its real URL path, the documented content types, redirects, and
nothing outside the folder, however the request is spelled."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from feedsmith.errors import FeedsmithError
from feedsmith.serve import CONTENT_TYPES, make_server, server_url, site_prefix

BASE_URL = "https://user.github.io/feeds/"
PREFIX = "/feeds/"
SECRET = b"secret outside the site folder"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Site:
    port: int
    folder: Path
    url: str

    def request(self, path: str, method: str = "GET") -> Response:
        # http.client sends the path exactly as given: no dot-segment removal, no re-quoting,
        # which is what a crafted request would look like.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()


@contextmanager
def running(folder: Path, base_url: str) -> Iterator[Site]:
    """A server on a free port in a thread, shut down and closed on exit."""
    server = make_server(folder, base_url=base_url, port=0)
    # A short poll interval: shutdown() waits up to one interval for the loop to notice.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield Site(server.server_address[1], folder, server_url(server, base_url))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp_path = tmp_path_factory.mktemp("serve")
    (tmp_path / "secret.txt").write_bytes(SECRET)  # beside the served folder
    folder = tmp_path / "public"
    (folder / "feeds").mkdir(parents=True)
    (folder / "topics").mkdir()
    (folder / "empty").mkdir()
    (folder / "index.html").write_text("<!doctype html><title>أخبار</title>", encoding="utf-8")
    (folder / "topics" / "index.html").write_text("<p>topics</p>", encoding="utf-8")
    (folder / "feeds" / "all.xml").write_bytes(b"<?xml version='1.0'?><rss version='2.0'/>")
    (folder / "feeds" / "all.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1"}')
    (folder / "feeds" / "all.atom").write_bytes(b"<feed xmlns='http://www.w3.org/2005/Atom'/>")
    (folder / "feeds.opml").write_bytes(b"<opml version='2.0'/>")
    (folder / "escape.txt").symlink_to(tmp_path / "secret.txt")

    with running(folder, BASE_URL) as site:
        yield site


def test_index_is_served_under_the_base_url_path(site: Site) -> None:
    response = site.request(f"{PREFIX}index.html")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.body == (site.folder / "index.html").read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"
    assert site.url == f"http://127.0.0.1:{site.port}{PREFIX}"


def test_folders_serve_their_index(site: Site) -> None:
    assert site.request(PREFIX).body == (site.folder / "index.html").read_bytes()
    assert site.request(f"{PREFIX}topics/").body == b"<p>topics</p>"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("feeds/all.xml", "application/xml; charset=utf-8"),
        ("feeds/all.atom", "application/atom+xml; charset=utf-8"),
        ("feeds/all.json", "application/feed+json; charset=utf-8"),
        ("feeds.opml", "text/x-opml; charset=utf-8"),
    ],
)
def test_feeds_have_the_documented_content_types(site: Site, path: str, content_type: str) -> None:
    response = site.request(PREFIX + path)
    assert response.status == 200
    assert response.headers["Content-Type"] == content_type
    assert CONTENT_TYPES[Path(path).suffix] == content_type
    assert response.body == (site.folder / path).read_bytes()
    assert response.headers["Content-Length"] == str(len(response.body))


def test_head_sends_headers_only(site: Site) -> None:
    response = site.request(f"{PREFIX}feeds/all.xml", method="HEAD")
    assert response.status == 200
    assert response.body == b""
    assert int(response.headers["Content-Length"]) > 0


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/", 302, PREFIX),
        ("/?x=1", 302, f"{PREFIX}?x=1"),
        ("/feeds", 302, PREFIX),
        (f"{PREFIX}topics", 301, f"{PREFIX}topics/"),
    ],
)
def test_redirects(site: Site, path: str, status: int, location: str) -> None:
    response = site.request(path)
    assert (response.status, response.headers["Location"]) == (status, location)


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/../../etc/passwd",
        f"{PREFIX}../../etc/passwd",
        f"{PREFIX}%2e%2e/%2e%2e/etc/passwd",
        f"{PREFIX}%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        f"{PREFIX}..%2fsecret.txt",
        f"{PREFIX}feeds/%2e%2e/%2e%2e/secret.txt",
        f"{PREFIX}..\\secret.txt",
        f"{PREFIX}%5c..%5csecret.txt",
        f"{PREFIX}escape.txt",  # a symlink to a file outside the folder
        f"{PREFIX}feeds/all.xml%00.html",
        f"{PREFIX}%ff%fe",  # not UTF-8
    ],
)
def test_nothing_outside_the_folder_is_served(site: Site, path: str) -> None:
    response = site.request(path)
    assert response.status in (403, 404)
    assert SECRET not in response.body
    assert b"root:" not in response.body


@pytest.mark.parametrize(
    "path",
    [
        f"{PREFIX}missing.html",
        f"{PREFIX}feeds/missing.xml",
        "/index.html",  # the site is below the prefix, not at the root
        "/other/index.html",
        f"{PREFIX}empty/",  # a folder without index.html is not listed
        f"{PREFIX}feeds/",
    ],
)
def test_unknown_paths_and_folders_without_index_are_404(site: Site, path: str) -> None:
    response = site.request(path)
    assert response.status == 404
    assert b"all.xml" not in response.body


def test_site_at_the_root_of_its_host(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("root site", encoding="utf-8")
    with running(tmp_path, "https://news.example.org") as site:
        assert site.url == f"http://127.0.0.1:{site.port}/"
        assert site.request("/").body == b"root site"
        assert site.request("/index.html").status == 200
        assert site.request("/../secret").status == 404


@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [
        ("https://user.github.io/feeds/", "/feeds/"),
        ("https://user.github.io/feeds", "/feeds/"),
        ("https://user.github.io/a/b/", "/a/b/"),
        ("https://user.github.io", "/"),
        ("https://user.github.io/", "/"),
    ],
)
def test_site_prefix(base_url: str, prefix: str) -> None:
    assert site_prefix(base_url) == prefix


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FeedsmithError, match="run `feedsmith build` first"):
        make_server(tmp_path / "public", base_url=BASE_URL, port=0)


def test_a_port_in_use_is_a_clear_error(site: Site) -> None:
    with pytest.raises(FeedsmithError, match=f"cannot serve on 127.0.0.1:{site.port}"):
        make_server(site.folder, base_url=BASE_URL, port=site.port)
