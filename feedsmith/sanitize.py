"""The one HTML policy for content that reaches a feed: what survives cleaning.

Both the article extractor (``full_text`` bodies) and the feed renderer (a second pass, because
feed readers' own sanitisers differ) clean with :func:`content_cleaner`, so the two can never
disagree about what a feed may carry: no scripts, styles, frames, embeds, forms or event
attributes; only the attributes in :data:`SAFE_ATTRS`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import lxml.html
from lxml import etree

if TYPE_CHECKING:
    from lxml_html_clean import Cleaner

# dir and lang keep mixed Arabic/Latin text readable; width/height let readers lay out images.
SAFE_ATTRS = frozenset(
    {"href", "src", "alt", "title", "width", "height", "colspan", "rowspan", "dir", "lang"}
)


@cache
def content_cleaner() -> Cleaner:
    """The shared lxml_html_clean Cleaner, built on first use (list pages never need it)."""
    from lxml_html_clean import Cleaner

    return Cleaner(
        scripts=True,
        javascript=True,
        comments=True,
        style=True,
        inline_style=True,
        links=True,
        meta=True,
        page_structure=True,
        processing_instructions=True,
        embedded=True,
        frames=True,
        forms=True,
        annoying_tags=True,
        remove_unknown_tags=False,
        kill_tags={"noscript", "template", "svg", "button"},
        safe_attrs_only=True,
        safe_attrs=SAFE_ATTRS,
    )


def parse_fragment(markup: str) -> lxml.html.HtmlElement | None:
    """Parse an HTML fragment under a ``<div>``; None when lxml cannot make one of it.

    Besides its documented errors, lxml trips an internal assertion ("too many bodies") on a
    fragment that is a bare ``<html>`` document shell, so that is caught too.
    """
    try:
        return lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, AssertionError):
        return None
