"""Per-host politeness for the fetch stage: which requests count as one server, and when the
next one to it may start.

Takes URLs and returns their ``host:port`` key (:func:`host_key`); :class:`HostGate` takes a
key and a delay and holds a caller until that host is free and the delay has passed since its
last request ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

__all__ = ["HostGate", "host_key"]


def host_key(url: str) -> str:
    """``host:port``: what politeness counts as one server (userinfo and case ignored)."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    except ValueError:  # a bad port: requests will refuse the URL with a clearer message
        return parts.netloc.lower()
    return f"{(parts.hostname or '').lower()}:{port}"


class HostGate:
    """One request at a time per host, with at least ``delay`` seconds from the end of one
    request to the start of the next."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}

    @contextmanager
    def slot(self, host: str, delay: float) -> Iterator[None]:
        with self._lock:
            lock, last_done = self._hosts.setdefault(host, (threading.Lock(), [float("-inf")]))
        with lock:
            wait = last_done[0] + delay - time.monotonic()
            if wait > 0:
                logger.debug("waiting %.2f s before the next request to %s", wait, host)
                time.sleep(wait)
            try:
                yield
            finally:
                last_done[0] = time.monotonic()
