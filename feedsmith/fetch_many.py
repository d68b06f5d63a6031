"""Fetching many sources at once: concurrently across hosts, politely within one.

``fetch_as_completed(sources, fetcher)`` yields ``(source, Page or FetchError)`` as each source
arrives, so the build reads one page while the others download; ``fetch_all`` returns them as a
dict in source order. One ``feedsmith.fetch.Fetcher`` does every request (robots.txt, caching,
retries, per-host spacing); this module only decides which worker asks for what, and when.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TextIO

from feedsmith.errors import FetchError
from feedsmith.fetch import Fetcher
from feedsmith.models import Page, SourceConfig
from feedsmith.politeness import host_key

logger = logging.getLogger(__name__)

__all__ = ["fetch_all", "fetch_as_completed"]


def fetch_all(
    sources: Sequence[SourceConfig], fetcher: Fetcher, *, workers: int = 8, progress: bool = False
) -> dict[str, Page | FetchError]:
    """Fetch every source; returns ``{source.name: Page or FetchError}`` in source order.

    Concurrency as in :func:`fetch_as_completed`. Never raises for one source's failure.
    """
    done = {
        source.name: result
        for source, result in fetch_as_completed(
            sources, fetcher, workers=workers, progress=progress
        )
    }
    return {source.name: done[source.name] for source in sources}


def fetch_as_completed(
    sources: Sequence[SourceConfig], fetcher: Fetcher, *, workers: int = 8, progress: bool = False
) -> Iterator[tuple[SourceConfig, Page | FetchError]]:
    """Fetch every source, yielding ``(source, Page or FetchError)`` as each one finishes, so
    the caller can read one page while the others download. Every source is yielded exactly
    once; the order is the order of arrival.

    Sources are grouped by host and each group is fetched in order by one worker thread, so
    hosts are fetched concurrently and each host sees one request at a time (the Fetcher also
    enforces that across redirects). Never raises for one source's failure. Leaving the loop
    early stops the workers after the request each one is making.
    """
    groups: dict[str, list[SourceConfig]] = {}
    for source in sources:
        key = host_key(source.url) if source.url and source.file is None else ""
        groups.setdefault(key or f"file:{source.name}", []).append(source)
    if not groups:
        return
    bar = _Progress(len(sources), sys.stderr) if progress and sys.stderr.isatty() else None
    # None marks the end of one group: the consumer counts them rather than sources, so a
    # worker that dies of a bug cannot leave it waiting forever.
    arrived: queue.SimpleQueue[tuple[SourceConfig, Page | FetchError] | None] = queue.SimpleQueue()
    stop = threading.Event()

    def run(group: list[SourceConfig]) -> None:
        try:
            for source in group:
                if stop.is_set():
                    return
                arrived.put((source, _fetch_one(fetcher, source)))
                if bar is not None:
                    bar.advance(source.name)
        finally:
            arrived.put(None)

    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(groups))))
    try:
        futures = [pool.submit(run, group) for group in groups.values()]
        running = len(futures)
        while running:
            outcome = arrived.get()
            if outcome is None:
                running -= 1
            else:
                yield outcome
        for future in futures:
            future.result()  # a bug in a worker surfaces here rather than being lost
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        if bar is not None:
            bar.finish()


def _fetch_one(fetcher: Fetcher, source: SourceConfig) -> Page | FetchError:
    try:
        return fetcher.fetch_source(source)
    except FetchError as exc:
        logger.debug("source %r failed: %s", source.name, exc)
        return exc
    except Exception as exc:  # a bug must not cost the other sources their build
        logger.exception("unexpected error fetching source %r", source.name)
        return FetchError(source.location, f"unexpected error: {exc!r}")


class _Progress:
    """A one-line text progress bar, redrawn in place on a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.count, self.stream = total, 0, stream
        self._lock = threading.Lock()

    def advance(self, name: str) -> None:
        with self._lock:
            self.count += 1
            filled = 30 * self.count // max(self.total, 1)
            bar = "#" * filled + "." * (30 - filled)
            self.stream.write(f"\rfetch [{bar}] {self.count}/{self.total} {name[:30]:<30}")
            self.stream.flush()

    def finish(self) -> None:
        with self._lock:
            self.stream.write("\n")
            self.stream.flush()
