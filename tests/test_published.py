"""The bundled example as a reader meets it: served over HTTP, every feed read by feedparser."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feedsmith.build import build
from feedsmith.config import load_config
from feedsmith.serve import make_server, server_url
from feedsmith.validate import validate_site

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("bundled")
    shutil.copy(ROOT / "feeds.yaml", folder / "feeds.yaml")
    shutil.copytree(ROOT / "samples", folder / "samples")
    config = load_config(folder / "feeds.yaml")
    report = build(config)
    assert [s.name for s in report.sources if not s.ok] == []
    return config


def test_every_feed_in_the_opml_reads_cleanly_over_http(bundled) -> None:
    config = bundled
    server = make_server(config.site.output, base_url=config.site.base_url, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        local = server_url(server, config.site.base_url)
        opml = etree.parse(str(config.site.output / "feeds.opml"))
        urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
        slugs = ["all", *(t.slug for t in config.topics)]
        slugs += [f"source-{s.name}" for s in config.sources]
        assert sorted(urls) == sorted(f"{config.site.base_url}feeds/{slug}.xml" for slug in slugs)
        for slug in slugs:
            counts = []
            for ext in ("xml", "atom"):
                url = f"{local}feeds/{slug}.{ext}"
                with urllib.request.urlopen(url) as response:
                    assert response.status == 200
                    parsed = feedparser.parse(response.read())
                assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
                assert parsed.feed.get("title"), url
                counts.append(len(parsed.entries))
            with urllib.request.urlopen(f"{local}feeds/{slug}.json") as response:
                assert response.headers["Content-Type"].startswith("application/feed+json")
                json_feed = json.loads(response.read())
            assert json_feed["version"] == "https://jsonfeed.org/version/1.1"
            counts.append(len(json_feed["items"]))
            assert counts[0] == counts[1] == counts[2] > 0, (slug, counts)
    finally:
        server.shutdown()
        server.server_close()


def test_validate_passes_on_the_bundled_build(bundled) -> None:
    assert validate_site(bundled.site.output, base_url=bundled.site.base_url) == []
