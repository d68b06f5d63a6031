"""The fetch stage's on-disk caches: what a build remembers of the web for the next one.

Takes a cache folder and returns, per URL, the validators, freshness and body of the last full
download (:class:`ConditionalCache`, for conditional GETs: ``If-None-Match`` /
``If-Modified-Since``, and for no request at all while the server said the page stays fresh)
and, per origin, the last robots.txt answer worth keeping (:class:`RobotsCache`). Each entry is
one file named by a hash of its key: one line of JSON metadata, then the body bytes. Files are
written to a temporary name and renamed, so a crash or a concurrent build never leaves half a
file; an unreadable entry reads as missing, which only costs one download.

Freshness (RFC 9111 section 4.2), computed by :func:`freshness` the way a *private* cache does:
the lifetime is ``Cache-Control: max-age`` (``s-maxage`` is for shared caches and ignored),
else ``Expires`` minus ``Date`` (the receive time when there is no ``Date``; an invalid or
past ``Expires`` means stale), minus the ``Age`` header; capped at :data:`MAX_FRESHNESS`, and
stored as an absolute "fresh until" time on the local clock (receive time + what is left).
``no-store`` means the response is not stored at all; ``no-cache`` means it is stored but
revalidated every time. There is no heuristic freshness: a page with only ``Last-Modified``
is revalidated at every build (news pages change). The apparent age (receive time minus
``Date``) is not used: it only measures the skew between the server's clock and ours, and a
server clock a few minutes slow would otherwise make every short ``max-age`` useless.
A 304 updates the stored entry with its own headers (section 4.3.4): new validators, and a
freshness computed from its ``Cache-Control``/``Expires`` (the stored ones when it sends
none), its ``Date`` and its ``Age``.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_FRESHNESS",
    "ROBOTS_MAX_AGE",
    "CacheEntry",
    "ConditionalCache",
    "Freshness",
    "RobotsCache",
    "freshness",
    "parse_cache_control",
    "parse_http_date",
]

# RFC 9309 section 2.4: a cached robots.txt should not be used for more than 24 hours.
ROBOTS_MAX_AGE = 24 * 3600
# The longest a page is taken as fresh without asking, whatever the server says: a year-long
# max-age on a news page is a misconfiguration, and a build a day still sees a changed page.
MAX_FRESHNESS = 24 * 3600


def _entry_path(directory: Path, key: str, suffix: str) -> Path:
    return directory / (hashlib.sha256(key.encode("utf-8")).hexdigest() + suffix)


def _write_entry(directory: Path, path: Path, meta: dict[str, object], body: bytes) -> None:
    data = json.dumps(meta).encode("utf-8") + b"\n" + body
    directory.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a crash or a concurrent build never leaves half a file.
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class CacheEntry:
    url: str
    etag: str | None
    last_modified: str | None
    content_type: str
    body: bytes
    # Freshness (module docstring): the response's own Cache-Control and Expires (a later 304
    # that omits them keeps these), and the local time (time.time()) until which it is fresh.
    cache_control: str | None = None
    expires: str | None = None
    fresh_until: float | None = None

    def fresh_for(self, now: float) -> float:
        """Seconds this entry stays fresh after ``now`` (0: stale, revalidate). An entry that
        claims more than MAX_FRESHNESS is stale: the clock went back, or the file was edited."""
        if self.fresh_until is None:
            return 0.0
        left = self.fresh_until - now
        return left if 0 < left <= MAX_FRESHNESS else 0.0


@dataclass(frozen=True)
class Freshness:
    """What a response allows a private cache: store it at all, and until when it is fresh."""

    store: bool
    fresh_until: float | None  # local time (time.time()); None: revalidate every time
    lifetime: float = 0.0  # seconds of freshness left when it was received (for logs)


def parse_cache_control(value: str | None) -> dict[str, str | None]:
    """``'public, max-age=60, no-cache="Set-Cookie"'`` → ``{"public": None, "max-age": "60",
    "no-cache": "Set-Cookie"}``: directive names lowercased, quotes removed. A directive given
    twice with different values maps to ``""`` (invalid: RFC 9111 section 4.2.1 lets a cache
    take such a response as stale)."""
    directives: dict[str, str | None] = {}
    for part in _split_directives(value or ""):
        name, sep, raw = part.partition("=")
        name = name.strip().lower()
        if not name:
            continue
        arg = raw.strip() if sep else None
        if arg is not None and len(arg) >= 2 and arg[0] == arg[-1] == '"':
            arg = arg[1:-1]
        if name in directives and directives[name] != arg:
            arg = ""
        directives[name] = arg
    return directives


def _split_directives(value: str) -> list[str]:
    """Split on commas outside quoted strings (``no-cache="a, b"`` is one directive)."""
    parts, current, quoted = [], [], False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def _seconds(value: str | None) -> int | None:
    """A delta-seconds value (RFC 9111 section 1.2.2), or None when it is not one."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def parse_http_date(value: str | None) -> float | None:
    """An HTTP-date as a POSIX timestamp, or None when it is not a valid date."""
    if not value or not value.strip():
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": HTTP-dates are GMT
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def freshness(headers: Mapping[str, str], received: float) -> Freshness:
    """How long a response received at ``received`` (local ``time.time()``) stays fresh in a
    private cache, from its Cache-Control, Expires, Date and Age headers (module docstring).

    >>> freshness({"Cache-Control": "max-age=600", "Age": "100"}, 1000.0).fresh_until
    1500.0
    >>> freshness({"Cache-Control": "no-store"}, 1000.0).store
    False
    >>> freshness({"Last-Modified": "Sun, 01 Mar 2026 08:00:00 GMT"}, 1000.0).fresh_until is None
    True
    """
    headers = {name.lower(): value for name, value in headers.items()}
    directives = parse_cache_control(headers.get("cache-control"))
    if "no-store" in directives:
        return Freshness(store=False, fresh_until=None)
    if "no-cache" in directives:
        return Freshness(store=True, fresh_until=None)
    lifetime: float | None
    if "max-age" in directives:
        lifetime = _seconds(directives["max-age"])  # an invalid max-age means stale
    elif headers.get("expires") is not None:
        # "0", "-1" or garbage is an Expires in the past (RFC 9111 section 5.3): stale.
        expires = parse_http_date(headers.get("expires"))
        date = parse_http_date(headers.get("date"))
        lifetime = None if expires is None else expires - (received if date is None else date)
    else:
        lifetime = None  # no heuristic freshness: news pages change
    if not lifetime or lifetime <= 0:
        return Freshness(store=True, fresh_until=None)
    # RFC 9111 section 5.1: a list-valued Age uses its first member; an invalid one is ignored.
    age = _seconds((headers.get("age") or "").split(",")[0]) or 0
    left = min(lifetime, MAX_FRESHNESS) - age
    if left <= 0:
        return Freshness(store=True, fresh_until=None)
    return Freshness(store=True, fresh_until=received + left, lifetime=left)


class ConditionalCache:
    """ETag / Last-Modified, freshness and the body per URL: one file per URL, named by a hash
    of the URL that answered (after a redirect, the target; never the URL that redirected).

    File format: one line of JSON metadata, then the body bytes (after Content-Encoding was
    undone, before charset decoding, so a changed ``encoding`` setting applies to cached pages).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, url: str) -> Path:
        return _entry_path(self.directory, url, ".http")

    def load(self, url: str) -> CacheEntry | None:
        try:
            raw = self._path(url).read_bytes()
            head, _, body = raw.partition(b"\n")
            meta = json.loads(head)
            if not isinstance(meta, dict) or meta.get("url") != url:
                return None
            fresh_until = meta.get("fresh_until")
            return CacheEntry(
                url,
                meta.get("etag"),
                meta.get("last_modified"),
                meta.get("content_type", ""),
                body,
                cache_control=meta.get("cache_control"),
                expires=meta.get("expires"),
                fresh_until=float(fresh_until) if fresh_until is not None else None,
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:  # a damaged entry only costs a download
            logger.debug("ignoring unreadable cache entry for %s: %s", url, exc)
            return None

    def save(self, entry: CacheEntry) -> None:
        """Keep ``entry``; raises OSError when the folder cannot be written."""
        meta: dict[str, object] = {
            "url": entry.url,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "content_type": entry.content_type,
            "cache_control": entry.cache_control,
            "expires": entry.expires,
            "fresh_until": entry.fresh_until,
        }
        _write_entry(self.directory, self._path(entry.url), meta, entry.body)

    def discard(self, url: str) -> None:
        self._path(url).unlink(missing_ok=True)


class RobotsCache:
    """robots.txt per origin, kept across builds for :data:`ROBOTS_MAX_AGE` seconds.

    One file per origin, named by a hash of it: one line of JSON metadata (the origin, when it
    was fetched, whether it had rules), then the body. Only answers that mean something for a
    day are kept: a 2xx body, and a 4xx ("no rules"); a 5xx or an unreachable server is asked
    again next time.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, origin: str) -> Path:
        return _entry_path(self.directory, origin, ".robots")

    def load(self, origin: str, now: float) -> tuple[bytes | None] | None:
        """``(body,)`` (``(None,)``: the origin has no rules) when a fresh entry exists."""
        try:
            head, _, body = self._path(origin).read_bytes().partition(b"\n")
            meta = json.loads(head)
            fetched = float(meta["fetched"])
            if meta.get("origin") != origin or not 0 <= now - fetched <= ROBOTS_MAX_AGE:
                return None
            return (body if meta.get("rules") else None,)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:  # only costs one request
            logger.debug("ignoring unreadable robots.txt cache entry for %s: %s", origin, exc)
            return None

    def save(self, origin: str, body: bytes | None, now: float) -> None:
        """Keep the answer for ``origin`` (``body`` None: no rules); never raises OSError."""
        meta: dict[str, object] = {"origin": origin, "fetched": now, "rules": body is not None}
        try:
            _write_entry(self.directory, self._path(origin), meta, body or b"")
        except OSError as exc:  # a cache we cannot write only costs a request next time
            logger.warning("cannot write the robots.txt cache in %s: %s", self.directory, exc)
