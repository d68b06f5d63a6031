"""The fetch stage's on-disk caches: what a build remembers of the web for the next one.

Takes a cache folder and returns, per URL, the validators and body of the last full download
(:class:`ConditionalCache`, for conditional GETs: ``If-None-Match`` / ``If-Modified-Since``)
and, per origin, the last robots.txt answer worth keeping (:class:`RobotsCache`). Each entry is
one file named by a hash of its key: one line of JSON metadata, then the body bytes. Files are
written to a temporary name and renamed, so a crash or a concurrent build never leaves half a
file; an unreadable entry reads as missing, which only costs one download.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["ROBOTS_MAX_AGE", "CacheEntry", "ConditionalCache", "RobotsCache"]

# RFC 9309 section 2.4: a cached robots.txt should not be used for more than 24 hours.
ROBOTS_MAX_AGE = 24 * 3600


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


class ConditionalCache:
    """ETag / Last-Modified and the body per URL: one file per URL, named by a hash of it.

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
            return CacheEntry(
                url, meta.get("etag"), meta.get("last_modified"), meta.get("content_type", ""), body
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # a damaged entry only costs a full download
            logger.debug("ignoring unreadable cache entry for %s: %s", url, exc)
            return None

    def save(self, entry: CacheEntry) -> None:
        """Keep ``entry``; raises OSError when the folder cannot be written."""
        meta: dict[str, object] = {
            "url": entry.url,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "content_type": entry.content_type,
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
