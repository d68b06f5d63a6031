"""Preview a built site locally at the URLs it will have: ``feedsmith serve``.

``make_server(folder, base_url=...)`` returns a :class:`~http.server.ThreadingHTTPServer` that
serves ``folder`` (the output of ``feedsmith build``) below the *path* of ``base_url``: with
``base_url: https://user.github.io/feeds/`` the page ``folder/index.html`` is
``http://127.0.0.1:8000/feeds/index.html``, so every absolute link the build wrote from base_url
works in the preview once the host is swapped. ``serve(...)`` runs one until Ctrl+C.

It behaves like GitHub Pages where that matters for a preview:

* ``/`` redirects to the prefix; anything else outside the prefix is 404.
* A folder serves its ``index.html`` (a folder URL without its slash redirects to it with one);
  a folder without one is 404: nothing is ever listed.
* Only files inside ``folder`` are served. A request whose decoded path has a ``..`` segment is
  404 (browsers remove dot segments before sending, so only a crafted request has one), and a
  path that resolves outside the folder, through a symlink say, is 404 as well.
* Content types (``CONTENT_TYPES``), chosen for what a browser does with them:

  ``.xml`` (RSS)  ``application/xml; charset=utf-8``: what GitHub Pages sends. The registered
                  ``application/rss+xml`` makes browsers download the file instead of showing it
                  through feed.xsl, and readers do not need it.
  ``.atom``       ``application/atom+xml; charset=utf-8``: the registered type, also what Pages
                  sends; readers go by the content anyway.
  ``.json``       ``application/feed+json; charset=utf-8``: JSON Feed's registered type.
  ``.opml``       ``text/x-opml; charset=utf-8``: what readers' import dialogs expect.
  ``.xsl``        ``application/xml; charset=utf-8``: browsers apply a stylesheet only when
                  it comes with an XML type.

Responses carry ``Cache-Control: no-cache`` so a rebuild shows on the next reload. Requests are
logged at INFO level on this module's logger.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.server
import logging
import mimetypes
import os
import socket
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from feedsmith.errors import FeedsmithError

logger = logging.getLogger(__name__)

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".xsl": "application/xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}


def site_prefix(base_url: str) -> str:
    """The URL path the site lives under, with a slash at each end.

    >>> site_prefix("https://user.github.io/feeds")
    '/feeds/'
    >>> site_prefix("https://example.org")
    '/'
    """
    path = urlsplit(base_url).path.strip("/")
    return f"/{path}/" if path else "/"


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves one folder below one URL prefix; see the module docstring for the rules."""

    server_version = "feedsmith-serve"

    def __init__(self, *args: Any, root: Path, prefix: str, **kwargs: Any) -> None:
        self.root = root
        self.prefix = prefix
        super().__init__(*args, directory=str(root), **kwargs)

    def send_head(self) -> BinaryIO | None:
        parts = urlsplit(self.path)
        raw = parts.path
        query = f"?{parts.query}" if parts.query else ""
        if self.prefix != "/" and raw in ("/", "", self.prefix.rstrip("/")):
            return self._redirect(self.prefix + query, permanent=False)
        try:
            decoded = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return self._not_found()
        if not decoded.startswith(self.prefix):
            return self._not_found()
        segments = decoded[len(self.prefix) :].split("/")
        # Rejected before touching the disk; the resolve() check below is the second line.
        if any(s in (".", "..") or "\\" in s or "\0" in s for s in segments):
            return self._not_found()
        target = self._inside(self.root.joinpath(*segments))
        if target is not None and target.is_dir():
            if not raw.endswith("/"):
                return self._redirect(raw + "/" + query, permanent=True)
            target = self._inside(target / "index.html")
        if target is None or not target.is_file():
            return self._not_found()
        return self._send_file(target)

    def list_directory(self, path: str | os.PathLike[str]) -> BinaryIO | None:
        # send_head never gets here; kept shut in case a future change routes to the base class.
        return self._not_found()

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def _inside(self, path: Path) -> Path | None:
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop, a name the OS refuses
            return None
        return resolved if resolved.is_relative_to(self.root) else None

    def _send_file(self, path: Path) -> BinaryIO | None:
        try:
            file = path.open("rb")
        except OSError:
            return self._not_found()
        try:
            stat = os.fstat(file.fileno())
            self.send_response(200)
            self.send_header("Content-Type", content_type(path))
            self.send_header("Content-Length", str(stat.st_size))
            self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
        except BaseException:
            file.close()
            raise
        return file

    def _redirect(self, location: str, *, permanent: bool) -> None:
        self.send_response(301 if permanent else 302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def _not_found(self) -> None:
        self.send_error(404, "Not found")
        return None


def content_type(path: Path) -> str:
    """The Content-Type header for a file of the built site (see ``CONTENT_TYPES``)."""
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def make_server(
    folder: Path, *, base_url: str, host: str = "127.0.0.1", port: int = 8000
) -> http.server.ThreadingHTTPServer:
    """A server (bound, not yet serving) for ``folder`` below the path of ``base_url``.

    ``port=0`` picks a free port; read it from ``server.server_address[1]``. Raises
    :class:`FeedsmithError` when the folder is missing or the address cannot be used.
    """
    root = Path(folder).resolve()
    if not root.is_dir():
        raise FeedsmithError(f"{folder}: no such folder; run `feedsmith build` first")
    handler = partial(_SiteHandler, root=root, prefix=site_prefix(base_url))
    server_class = _IPv6Server if ":" in host else http.server.ThreadingHTTPServer
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        raise FeedsmithError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def server_url(server: http.server.ThreadingHTTPServer, base_url: str) -> str:
    """The address of the site on ``server``: ``http://127.0.0.1:8000/feeds/``."""
    host, port = server.server_address[:2]
    if isinstance(host, bytes):
        host = host.decode()
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{site_prefix(base_url)}"


def serve(folder: Path, *, base_url: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``folder`` until interrupted (Ctrl+C), after printing its address."""
    server = make_server(folder, base_url=base_url, host=host, port=port)
    with server:
        print(f"Serving {folder} at {server_url(server, base_url)} (Ctrl+C to stop)", flush=True)
        # Ctrl+C is the normal way to stop: no traceback; the with block closes the socket.
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


class _IPv6Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
