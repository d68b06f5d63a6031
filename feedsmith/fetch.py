"""The fetch stage: source URLs and files in, decoded ``Page`` objects out.

Takes ``SourceConfig`` objects (:meth:`Fetcher.fetch_source`), bare URLs the user chose
(:meth:`Fetcher.fetch_url`), or links found on a source's page, for full-text articles
(:meth:`Fetcher.fetch_link`), and returns ``Page`` objects whose ``text`` is decoded the way a
browser would (see ``feedsmith.encoding``), or raises ``FetchError(url, reason)``.
Fetching many sources at once (concurrently across hosts, politely within one) is
``feedsmith.fetch_many``.

Wire-level decoding (gzip/deflate with a bound, charsets) lives in ``feedsmith.encoding``,
the on-disk HTTP and robots.txt caches and the freshness rules in ``feedsmith.http_cache``,
the address check of links found on pages in ``feedsmith.addresses``, and per-host politeness
in ``feedsmith.politeness``.

What a request does, in order: scheme check (http and https only; ``file`` only for configured
sources); for a link found on a page, the address check (``feedsmith.addresses``: no private
addresses but the source's own host); the HTTP cache: an entry the server said is still fresh
(``Cache-Control: max-age``, ``Expires``) is the answer, with no request at all, not even for
robots.txt (``Fetcher(revalidate=True)`` skips this step); robots.txt (fetched once per origin
per ``Fetcher``); per-host politeness (one request at a time per host, ``delay`` seconds
apart); a conditional GET with the cached validators; then retries with backoff on connection
errors, timeouts, 429 and 5xx, redirects followed by hand (so loops and long chains are
reported, and every hop goes through these same steps), and a streamed body capped on its
decompressed size. ``timeout`` bounds connecting, each silence while reading, and the whole of
one response (so a server trickling bytes cannot hold a worker).

Cache entries are keyed by the URL that answered 200, so freshness is only ever used for a URL
that answered without a redirect: a source that redirects still sends its redirect request,
and only the target's request is spared while the target is fresh.

robots.txt: a 200 is obeyed; any 4xx means no rules (RFC 9309); a 5xx, a timeout or an
unreachable server also means no rules. RFC 9309 says to assume "disallow all" there, but a
feed builder makes one request per source per run, and the page request that follows will
report the server's trouble itself, which is more useful to the user than "disallowed".
With a cache folder, a 200 or a 4xx answer is kept there for 24 hours (RFC 9309 section 2.4),
so a build every hour asks each host for robots.txt once a day; trouble is asked about again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from urllib.request import url2pathname
from urllib.robotparser import RobotFileParser

import requests
import urllib3
from requests.utils import requote_uri

from feedsmith import __version__
from feedsmith.addresses import LinkGuard
from feedsmith.encoding import BoundedInflater, decode_document
from feedsmith.errors import FetchError
from feedsmith.http_cache import (
    CacheEntry,
    ConditionalCache,
    RobotsCache,
    freshness,
    parse_http_date,
)
from feedsmith.models import Page, SourceConfig
from feedsmith.politeness import HostGate, host_key

logger = logging.getLogger(__name__)

__all__ = ["Fetcher", "decode_document", "default_user_agent"]

_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_ROBOTS_MAX_BYTES = 500 * 1024  # Google's limit; rules after it are ignored
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
_TEXT_TYPES = {"application/xhtml+xml", "application/xml"}
_SUFFIX_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
_SUFFIX_TYPES |= {".xhtml": "application/xhtml+xml", ".xml": "application/xml"}
_MAGIC = (
    (b"\x1f\x8b", "gzip"),  # a server that compressed an already compressed body
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP"),
)


def default_user_agent(site_url: str) -> str:
    """The User-Agent feedsmith sends: names the tool and the site, so admins can reach us."""
    return f"feedsmith/{__version__} (+{site_url})"


class _StatusError(FetchError):
    """A final answer other than 2xx or 304; the status decides what robots.txt means."""

    def __init__(self, url: str, reason: str, status: int) -> None:
        super().__init__(url, reason)
        self.status = status


class _Transient(Exception):
    """A failure worth retrying (connection trouble, timeouts, truncated bodies)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Response:
    url: str
    status: int
    reason: str
    headers: requests.structures.CaseInsensitiveDict[str]
    body: bytes = b""
    received: float = 0.0  # time.time() when the answer arrived; freshness counts from it
    fresh: bool = False  # no request was made: a cache entry that is still fresh answered


class Fetcher:
    """Fetches pages over one ``requests.Session``. Thread-safe; use one per build.

    ``revalidate=True`` ignores the freshness the servers gave: every cached page is asked
    for again with a conditional GET (what changes the freshness kept for the next run).
    """

    def __init__(
        self,
        *,
        user_agent: str,
        cache_dir: Path | None = None,
        session: requests.Session | None = None,
        max_bytes: int = 10_000_000,
        max_redirects: int = 5,
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        revalidate: bool = False,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("user_agent must name the tool and the site")
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.revalidate = revalidate
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()
        self._cache = ConditionalCache(cache_dir) if cache_dir is not None else None
        self._robots_cache = RobotsCache(cache_dir / "robots") if cache_dir is not None else None
        self._gate = HostGate()
        self._robots: dict[str, RobotFileParser | None] = {}
        self._robots_lock = threading.Lock()
        self._robots_locks: dict[str, threading.Lock] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the session if this Fetcher created it (a session passed in stays open)."""
        if self._own_session:
            self.session.close()

    # -- public -------------------------------------------------------------------------------

    def fetch_source(self, source: SourceConfig) -> Page:
        """Fetch a configured source (its ``url`` or its ``file``)."""
        if source.file is not None:
            return self._read_file(Path(source.file), source.encoding)
        if not source.url:
            raise FetchError(source.name, "source has neither a url nor a file")
        if urlsplit(source.url).scheme.lower() == "file":
            return self._read_file(_file_url_path(source.url), source.encoding)
        return self.fetch_url(
            source.url,
            timeout=source.timeout,
            respect_robots=source.respect_robots,
            encoding=source.encoding,
            delay=source.delay,
        )

    def fetch_url(
        self,
        url: str,
        *,
        timeout: float = 20.0,
        respect_robots: bool = True,
        encoding: str | None = None,
        delay: float = 0.0,
        use_cache: bool = True,
    ) -> Page:
        """Fetch one http(s) URL the user chose. ``file:`` URLs are refused here. A link found
        on a scraped page goes through :meth:`fetch_link` instead.

        ``from_cache`` is true on the Page when the body came from the cache: after a 304, or
        without any request while the server's freshness lasts (``status`` 200 then)."""
        return self._fetch_http(
            url,
            timeout=timeout,
            respect_robots=respect_robots,
            encoding=encoding,
            delay=delay,
            cache=self._cache if use_cache else None,
            guard=None,
        )

    def fetch_link(self, url: str, source: SourceConfig) -> Page:
        """Fetch a link found on ``source``'s page (a full-text article), with the source's
        timeout, robots, encoding and delay settings.

        The link, and every redirect after it, is refused (FetchError) when its host is, or
        resolves to, a private, loopback, link-local or otherwise non-public address, unless
        it is the host of the source's own URL (see :mod:`feedsmith.addresses`). Not cached: an
        article is read once, so caching it would only grow the cache."""
        return self._fetch_http(
            url,
            timeout=source.timeout,
            respect_robots=source.respect_robots,
            encoding=source.encoding,
            delay=source.delay,
            cache=None,
            guard=LinkGuard(source.page_url or source.url),
        )

    def _fetch_http(
        self,
        url: str,
        *,
        timeout: float,
        respect_robots: bool,
        encoding: str | None,
        delay: float,
        cache: ConditionalCache | None,
        guard: LinkGuard | None,
    ) -> Page:
        _check_scheme(url, url)
        response, cached = self._follow(
            url,
            timeout=timeout,
            delay=delay,
            respect_robots=respect_robots,
            cache=cache,
            guard=guard,
        )
        if cached is not None:
            if not response.fresh:
                logger.debug("%s: 304 Not Modified, using the cached body", response.url)
            body, content_type = cached.body, cached.content_type
        else:
            body, content_type = response.body, response.headers.get("Content-Type", "")
        mime, charset = _parse_content_type(content_type)
        mime = _check_body(response.url, mime, body)
        text, codec = _decode(url, body, charset, encoding)
        if cache is not None and cached is None:
            self._remember(cache, response, content_type)
        elif cache is not None and cached is not None and not response.fresh:
            self._refresh(cache, cached, response)
        return Page(
            url=response.url,
            text=text,
            content_type=mime,
            encoding=codec,
            status=response.status,
            from_cache=cached is not None,
        )

    # -- files --------------------------------------------------------------------------------

    def _read_file(self, path: Path, encoding: str | None) -> Page:
        path = path.absolute()
        try:
            with path.open("rb") as handle:
                body = handle.read(self.max_bytes + 1)
        except FileNotFoundError:
            raise FetchError(str(path), f"file not found: {path}") from None
        except OSError as exc:
            raise FetchError(str(path), f"cannot read {path}: {exc.strerror or exc}") from None
        if len(body) > self.max_bytes:
            raise FetchError(str(path), f"file is larger than the {self.max_bytes}-byte limit")
        mime = _SUFFIX_TYPES.get(path.suffix.lower(), "text/html")
        _check_body(str(path), mime, body)
        text, codec = _decode(str(path), body, None, encoding)
        return Page(url=path.as_uri(), text=text, content_type=mime, encoding=codec)

    # -- HTTP ---------------------------------------------------------------------------------

    def _follow(
        self,
        url: str,
        *,
        timeout: float,
        delay: float,
        respect_robots: bool,
        cache: ConditionalCache | None,
        guard: LinkGuard | None = None,
        retries: int | None = None,
        max_bytes: int | None = None,
    ) -> tuple[_Response, CacheEntry | None]:
        """GET with redirects followed by hand; returns the final response and, after a 304
        or for a fresh entry (``response.fresh``, no request made), the cache entry that
        answered. Raises FetchError for anything but 2xx or 304, and for a hop ``guard``
        refuses."""
        chain = [url]
        current = url
        while True:
            if guard is not None:
                guard.check(url, current)
            entry = cache.load(current) if cache is not None else None
            if entry is not None and not self.revalidate:
                left = entry.fresh_for(time.time())
                if left:
                    logger.debug("%s: still fresh for %.0f s, no request", current, left)
                    headers = requests.structures.CaseInsensitiveDict[str]()
                    return _Response(current, 200, "", headers, fresh=True), entry
            hop_delay = delay
            rules = self._robots_rules(current, timeout, guard) if respect_robots else None
            if rules is not None:
                if not rules.can_fetch(self.user_agent, current):
                    raise FetchError(url, f"{current} is disallowed by robots.txt")
                # Crawl-delay raises our delay, but never past the longest wait we accept.
                crawl_delay = rules.crawl_delay(self.user_agent)
                if crawl_delay:
                    hop_delay = max(delay, min(float(crawl_delay), self.max_retry_after))
            response = self._with_retries(
                current,
                entry,
                timeout=timeout,
                delay=hop_delay,
                retries=retries,
                max_bytes=max_bytes,
            )
            if response.status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(url, f"HTTP {response.status} redirect without a Location")
                target = _redirect_target(current, location)
                _check_scheme(url, target)
                if target in chain:
                    raise FetchError(url, "redirect loop: " + " → ".join([*chain, target]))
                chain.append(target)
                if len(chain) - 1 > self.max_redirects:
                    raise FetchError(
                        url, f"more than {self.max_redirects} redirects: " + " → ".join(chain)
                    )
                logger.debug("%s: HTTP %d redirect to %s", current, response.status, target)
                current = target
                continue
            if response.status == 304:
                if entry is None:
                    raise FetchError(url, "HTTP 304 Not Modified but nothing is cached")
                return response, entry
            if not 200 <= response.status < 300:
                where = f" from {current}" if current != url else ""
                what = f"HTTP {response.status} {response.reason}".rstrip()
                raise _StatusError(url, what + where, response.status)
            return response, None

    def _with_retries(
        self,
        url: str,
        entry: CacheEntry | None,
        *,
        timeout: float,
        delay: float,
        retries: int | None,
        max_bytes: int | None,
    ) -> _Response:
        headers = {
            "User-Agent": self.user_agent,
            "Accept": _ACCEPT,
            # Only what BoundedInflater can undo with a bound on the output.
            "Accept-Encoding": "gzip, deflate",
        }
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry is not None and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        retries = self.retries if retries is None else retries
        attempt = 0
        while True:
            attempt += 1
            # A transient failure and a retryable status take one path: give up after the last
            # attempt, else back off (further if a Retry-After header asks) and try again.
            retry_header: str | None = None
            try:
                response = self._request(url, headers, timeout, delay, max_bytes or self.max_bytes)
            except _Transient as exc:
                what = exc.reason
            else:
                if not _retryable(response.status):
                    return response
                what = f"HTTP {response.status} {response.reason}".rstrip()
                retry_header = response.headers.get("Retry-After")
            if attempt > retries:
                raise FetchError(url, f"{what}{_attempts(attempt)}")
            wait = self.backoff * 2 ** (attempt - 1)
            retry_after = _retry_after(retry_header, datetime.now(UTC))
            if retry_after is not None:
                if retry_after > self.max_retry_after:
                    raise FetchError(
                        url,
                        f"{what} asks to retry after {retry_after:.0f} s, more than the "
                        f"{self.max_retry_after:g} s feedsmith waits",
                    )
                wait = max(wait, retry_after)
            logger.debug("%s: %s; retry %d in %.2f s", url, what, attempt, wait)
            time.sleep(wait)

    def _request(
        self, url: str, headers: dict[str, str], timeout: float, delay: float, max_bytes: int
    ) -> _Response:
        """One GET under the host's politeness slot; reads the body only for a 2xx."""
        with self._gate.slot(host_key(url), delay):
            deadline = time.monotonic() + timeout
            try:
                resp = self.session.get(
                    url,
                    headers=headers,
                    timeout=(timeout, timeout),
                    allow_redirects=False,
                    stream=True,
                )
                received = time.time()
            except requests.exceptions.ConnectTimeout:
                raise _Transient(f"could not connect within {timeout:g} s") from None
            except requests.exceptions.ReadTimeout:
                raise _Transient(f"no response within {timeout:g} s") from None
            except requests.exceptions.SSLError as exc:
                raise FetchError(url, f"TLS error: {_cause(exc)}") from None
            except requests.exceptions.ConnectionError as exc:
                raise _Transient(f"connection failed: {_cause(exc)}") from None
            except requests.exceptions.RequestException as exc:
                raise FetchError(url, f"request failed: {_cause(exc)}") from None
            try:
                body = b""
                if 200 <= resp.status_code < 300:
                    body = self._read_body(url, resp, deadline, timeout, max_bytes)
                # Keyed by the URL as requested (not as requests re-encoded it): the cache and the
                # redirect-loop check compare against that.
                reason = resp.reason or ""
                return _Response(url, resp.status_code, reason, resp.headers, body, received)
            finally:
                resp.close()

    def _read_body(
        self, url: str, resp: requests.Response, deadline: float, timeout: float, max_bytes: int
    ) -> bytes:
        coding = resp.headers.get("Content-Encoding", "").strip().lower()
        if coding in ("", "identity"):
            inflater = None
        elif coding in ("gzip", "x-gzip", "deflate"):
            inflater = BoundedInflater("gzip" if coding == "x-gzip" else coding)
        else:
            raise FetchError(url, f"unsupported Content-Encoding {coding!r}")
        length = _int_or_none(resp.headers.get("Content-Length"))
        too_big = f"body is larger than the {max_bytes}-byte limit"
        if inflater is None and length is not None and length > max_bytes:
            raise FetchError(url, f"{too_big} (Content-Length {length})")
        raw = resp.raw
        if isinstance(raw, urllib3.HTTPResponse) and hasattr(raw, "read1"):
            # read1 returns what has arrived, so the deadline is checked while a server trickles;
            # decode_content=False because decompression is done here, with a bound.
            def read() -> bytes:
                return raw.read1(_CHUNK, decode_content=False)
        elif isinstance(raw, urllib3.HTTPResponse):  # urllib3 1.x: no read1

            def read() -> bytes:
                return raw.read(_CHUNK, decode_content=False)
        else:  # a test double or a non-urllib3 adapter

            def read() -> bytes:
                return raw.read(_CHUNK)

        body = bytearray()
        received = 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise _Transient(f"body not complete within {timeout:g} s (server too slow)")
                chunk = read()
                if not chunk:
                    break
                received += len(chunk)
                if inflater is not None:
                    try:
                        chunk = inflater.feed(chunk, max_bytes - len(body))
                    except ValueError as exc:
                        raise FetchError(url, str(exc)) from None
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(
                        url, too_big + (f" after {coding} decoding" if inflater else "")
                    )
        except urllib3.exceptions.ReadTimeoutError:
            raise _Transient(f"body stalled for {timeout:g} s") from None
        except urllib3.exceptions.IncompleteRead as exc:
            raise _Transient(f"truncated body: {_truncated(received, length, exc)}") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            cause = _cause(exc)
            got = f"{received} of {length}" if length is not None else str(received)
            if cause == "connection reset by peer":
                raise _Transient(f"connection reset while reading the body ({got} bytes)") from None
            if length is not None and received < length:
                raise _Transient(f"truncated body: got {got} bytes") from None
            raise _Transient(f"connection broken while reading the body: {cause}") from None
        if length is not None and received < length:
            raise _Transient(f"truncated body: got {received} of {length} bytes")
        if inflater is not None and not inflater.complete:
            raise _Transient(f"truncated body: the {coding} stream ends early")
        return bytes(body)

    def _remember(self, cache: ConditionalCache, response: _Response, content_type: str) -> None:
        """Keep a 2xx answer: its validators, and for a 200 how long it stays fresh."""
        headers = response.headers
        etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
        fresh = freshness(headers, response.received)
        fresh_until = fresh.fresh_until if response.status == 200 else None
        try:
            if fresh.store and (etag or last_modified or fresh_until):
                entry = CacheEntry(
                    response.url,
                    etag,
                    last_modified,
                    content_type,
                    response.body,
                    cache_control=headers.get("Cache-Control"),
                    expires=headers.get("Expires"),
                    fresh_until=fresh_until,
                )
                cache.save(entry)
                logger.debug(
                    "%s: cached (ETag %s, Last-Modified %s, fresh for %.0f s)",
                    response.url,
                    etag,
                    last_modified,
                    fresh.lifetime if fresh_until else 0,
                )
            else:
                # no-store, or nothing to revalidate with: a stale entry would only cost a
                # wasted 304 check.
                cache.discard(response.url)
        except OSError as exc:  # a cache we cannot write only costs bandwidth next time
            logger.warning("cannot write the HTTP cache in %s: %s", cache.directory, exc)

    def _refresh(self, cache: ConditionalCache, entry: CacheEntry, response: _Response) -> None:
        """Update an entry a 304 confirmed with the 304's headers (RFC 9111 section 4.3.4):
        new validators, and freshness from its Cache-Control and Expires (the stored ones when
        it sends none), its Date and its Age."""
        headers = response.headers
        merged = {
            "Cache-Control": headers.get("Cache-Control", entry.cache_control),
            "Expires": headers.get("Expires", entry.expires),
            "Date": headers.get("Date"),
            "Age": headers.get("Age"),
        }
        fresh = freshness({k: v for k, v in merged.items() if v is not None}, response.received)
        try:
            if not fresh.store:
                cache.discard(entry.url)
                return
            updated = dataclasses.replace(
                entry,
                etag=headers.get("ETag") or entry.etag,
                last_modified=headers.get("Last-Modified") or entry.last_modified,
                cache_control=merged["Cache-Control"],
                expires=merged["Expires"],
                fresh_until=fresh.fresh_until,
            )
            if updated != entry:
                cache.save(updated)
                logger.debug("%s: 304 refreshed the cache entry", entry.url)
        except OSError as exc:  # a cache we cannot write only costs a request next time
            logger.warning("cannot write the HTTP cache in %s: %s", cache.directory, exc)

    # -- robots.txt ---------------------------------------------------------------------------

    def _robots_rules(
        self, url: str, timeout: float, guard: LinkGuard | None = None
    ) -> RobotFileParser | None:
        """The parsed robots.txt for the URL's origin, or None when there are no rules."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        with self._robots_lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch of robots.txt per origin, even with many threads asking
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin, timeout, guard)
        return self._robots[origin]

    def _load_robots(
        self, origin: str, timeout: float, guard: LinkGuard | None
    ) -> RobotFileParser | None:
        robots_url = origin + "/robots.txt"
        cache, now = self._robots_cache, time.time()
        cached = cache.load(origin, now) if cache is not None else None
        if cached is not None:
            (body,) = cached
            logger.debug("%s: robots.txt from the cache", origin)
        else:
            body, lasting = self._download_robots(robots_url, timeout, guard)
            if lasting and cache is not None:
                cache.save(origin, body, now)
        if body is None:
            return None
        parser = RobotFileParser(robots_url)
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser

    def _download_robots(
        self, robots_url: str, timeout: float, guard: LinkGuard | None
    ) -> tuple[bytes | None, bool]:
        """``(body, lasting)``: the body of robots.txt, or None for no rules, and whether the
        answer may be kept for a day. A 4xx means no rules (RFC 9309) and lasts; a 5xx, a 429
        or an unreachable server also means no rules (see the module docstring), this time.
        For a link found on a page, ``guard`` checks robots.txt's redirects too."""
        try:
            response, _ = self._follow(
                robots_url,
                timeout=timeout,
                delay=0.0,
                respect_robots=False,
                cache=None,
                guard=guard,
                retries=0,
                max_bytes=_ROBOTS_MAX_BYTES,
            )
        except FetchError as exc:
            logger.debug("%s: %s; treating as allow-all", robots_url, exc.reason)
            status = exc.status if isinstance(exc, _StatusError) else 0
            return None, 400 <= status < 500 and status != 429
        logger.debug("%s: loaded robots.txt (%d bytes)", robots_url, len(response.body))
        return response.body, True


# -- helpers ----------------------------------------------------------------------------------


def _check_scheme(url: str, target: str) -> None:
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        what = f"redirect to {target}: " if target != url else ""
        raise FetchError(
            url,
            f"{what}unsupported URL scheme {scheme or '(none)'!r}; "
            "only http and https (and file for configured sources)",
        )


def _redirect_target(current: str, location: str) -> str:
    """The absolute, percent-encoded URL a Location header points to, without fragment."""
    # Headers arrive decoded as Latin-1; servers send UTF-8 (Arabic paths are common).
    with contextlib.suppress(UnicodeError):
        location = location.encode("latin-1").decode("utf-8")
    target = urljoin(current, location.strip())
    return requote_uri(urlunsplit(urlsplit(target)._replace(fragment="")))


def _file_url_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FetchError(url, "file URLs must name a local file (file:///path)")
    return Path(url2pathname(unquote(parts.path)))


def _parse_content_type(value: str) -> tuple[str, str | None]:
    """``"text/html; charset=UTF-8"`` → ``("text/html", "UTF-8")``."""
    mime, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip("\"'"):
            charset = val.strip().strip("\"'")
    return mime.strip().lower(), charset


def _check_body(url: str, mime: str, body: bytes) -> str:
    """Refuse bodies that are not a document; returns the content type to report."""
    if not body.strip():
        raise FetchError(url, "empty body")
    textual = mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith("+xml")
    if mime and not textual:
        raise FetchError(url, f"unexpected content type {mime!r}; expected an HTML or text page")
    for magic, kind in _MAGIC:
        if body.startswith(magic):  # whatever the label says (e.g. gzip applied twice)
            raise FetchError(url, f"body is {kind} data, not an HTML or text page")
    # No Content-Type: NUL bytes mean binary, unless it is UTF-16 with a BOM.
    if not mime and b"\x00" in body[:1024] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FetchError(url, "no Content-Type and the body looks binary")
    return mime or "text/html"


def _decode(where: str, body: bytes, charset: str | None, encoding: str | None) -> tuple[str, str]:
    """``decode_document`` with an unknown ``encoding`` setting reported against ``where``."""
    try:
        return decode_document(body, header_charset=charset, override=encoding)
    except LookupError as exc:
        raise FetchError(where, f"{exc} (the source's `encoding` setting)") from None


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP-date)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = parse_http_date(value)
    return None if when is None else max(0.0, when - now.timestamp())


def _retryable(status: int) -> bool:
    # 501 Not Implemented and 505 HTTP Version Not Supported will not change on a retry.
    return status == 429 or (500 <= status <= 599 and status not in (501, 505))


def _attempts(count: int) -> str:
    return f" (after {count} attempts)" if count > 1 else ""


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _truncated(received: int, length: int | None, exc: urllib3.exceptions.IncompleteRead) -> str:
    if length is not None:
        return f"got {received} of {length} bytes"
    return f"{exc.partial} bytes read, {exc.expected} more expected"


def _cause(exc: BaseException) -> str:
    """The innermost useful reason of a requests/urllib3 exception chain, in words."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    best = None
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionResetError):
            return "connection reset by peer"
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if type(current).__name__ == "RemoteDisconnected":
            return "server closed the connection without a response"
        if isinstance(current, OSError) and current.strerror and best is None:
            best = current.strerror
        for nxt in (
            getattr(current, "reason", None),
            current.__cause__,
            current.__context__,
            *current.args,
        ):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
    return best or str(exc)[:200]
