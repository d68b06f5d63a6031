"""The render stage: ``SiteData`` in, the whole public folder out as ``{relative path: bytes}``.

``render_site`` returns every file of the site — feeds/<slug>.xml (RSS 2.0), .atom (Atom 1.0)
and .json (JSON Feed 1.1) for every ``FeedSpec``, index.html, topics/<slug>.html, feeds.opml,
feed.xsl, style.css and .nojekyll — and writes nothing: ``feedsmith.site.write_site`` does that.
It never reads state, the network or the clock, so the same ``SiteData`` always gives the same
bytes. The formats live in ``feedsmith.feeds``; the pages and the OPML in ``feedsmith.pages``.
"""

from __future__ import annotations

from feedsmith.errors import FeedsmithError
from feedsmith.feeds import RENDERERS, feed_context, feed_path, feed_url
from feedsmith.models import SiteData
from feedsmith.pages import render_opml, render_pages

__all__ = ["feed_url", "render_site"]


def render_site(data: SiteData) -> dict[str, bytes]:
    """Every file of the public folder, keyed by relative POSIX path."""
    config = data.config
    topic_titles = {topic.slug: topic.title for topic in config.topics}
    source_languages = {
        f"source-{source.name}": source.language for source in config.sources if source.language
    }
    files: dict[str, bytes] = {}
    for spec in data.feeds:
        context = feed_context(
            spec,
            config.site,
            topic_titles=topic_titles,
            built=data.built,
            # A source feed speaks its source's language when that differs from the site's.
            language=source_languages.get(spec.slug) if spec.kind == "source" else None,
        )
        for kind, render in RENDERERS.items():
            path = feed_path(spec.slug, kind)
            if path in files:
                # Two feeds with one slug would silently overwrite each other.
                raise FeedsmithError(f"two feeds share the slug {spec.slug!r} ({path})")
            files[path] = render(context)
    for path, content in render_pages(data).items():
        if path in files:
            raise FeedsmithError(f"two files would be written to {path}")
        files[path] = content
    files["feeds.opml"] = render_opml(data)
    # GitHub Pages runs Jekyll unless told not to; Jekyll would hide files starting with "_" or ".".
    files[".nojekyll"] = b""
    return dict(sorted(files.items()))
