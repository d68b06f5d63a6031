"""Fixtures shared by the test modules: local servers only, and no state leaking between tests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fault_server import FaultServer
from pytest_httpserver import HTTPServer

from feedsmith.fetch import Fetcher


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy from the environment must not capture requests to 127.0.0.1.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    # The CLI points the "feedsmith" logger at the CliRunner's stderr; put it back so later
    # tests (and caplog) see the logger as they expect.
    logger = logging.getLogger("feedsmith")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver bound to 127.0.0.1 (its plain fixture binds to "localhost")."""
    return httpserver_ipv4


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    """A server on 127.0.0.1 that misbehaves on request (see fault_server.py)."""
    with FaultServer() as fault_server:
        yield fault_server


@pytest.fixture
def new_fetcher() -> Iterator[Callable[..., Fetcher]]:
    """``Fetcher(**options)``; every fetcher made is closed when the test ends."""
    made: list[Fetcher] = []

    def make(**options: object) -> Fetcher:
        fetcher = Fetcher(**options)  # type: ignore[arg-type]
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()
