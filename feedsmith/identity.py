"""Links and titles in, canonical links and GUIDs out: what makes a headline one item.

Takes a headline's absolute link as found on a page (any case, tracking parameters, raw
non-ASCII, a stray ``%``) and its title, and returns the link to show (:func:`canonical_url`:
percent-encoded ASCII, tracking parameters dropped) and the GUID that keys the item in the
store (:func:`make_guid`, :func:`item_identity`): the canonical link made scheme- and
host-alias-proof or, without a link, a hash of the title's words, per source. Pure functions
of their arguments; nothing here reads or writes state.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote, urlsplit, urlunsplit

from feedsmith.arabic import normalize_for_match

__all__ = ["canonical_url", "item_identity", "make_guid"]

# Query parameters that only say where a click came from; they never change the page.
_CLICK_IDS = ("fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ttclid")
_MAILING = ("mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "igshid", "twclid")
_ANALYTICS = ("_ga", "_gl", "ocid", "cmpid", "spm", "s_cid", "at_medium", "at_campaign")
# Only names that never identify content: dropping one that does would merge two articles.
_REFERRERS = ("ref", "ref_src", "ref_url", "referrer")
_TRACKING_PARAMS = frozenset(_CLICK_IDS + _MAILING + _ANALYTICS + _REFERRERS)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Host labels that name the same site as the bare domain (desktop/mobile/AMP mirrors).
_HOST_ALIAS = re.compile(r"^(?:www\d*|m|mobile|amp)\.(?=[^.]+\.[^.]+)")
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
# Characters left as they are when percent-encoding a path or query ("%" so that existing
# escapes are not encoded twice).
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"
_QUERY_SAFE = _PATH_SAFE + "?"


_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _encode(part: str, safe: str) -> str:
    # Raw non-ASCII in <link>/<guid> is rejected by validators; escapes are made upper case so
    # that %d8%b3 and %D8%B3 give one GUID.
    # A "%" that starts no escape (?q=50%off) is a literal percent sign: left raw it makes an
    # invalid URI that validators reject.
    encoded = quote(_STRAY_PERCENT.sub("%25", part), safe=safe)
    return _ESCAPE.sub(lambda m: m.group(0).upper(), encoded)


def _is_tracking(piece: str) -> bool:
    key = piece.split("=", 1)[0].lower()
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The link to show and to key on: scheme and host lower case, default port, fragment and
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``ref`` ...) removed, non-ASCII
    percent-encoded, an empty path made ``/``. The scheme is kept (http stays http: the
    link must keep working) and the remaining parameters keep their order.

    >>> canonical_url("HTTPS://Example.COM:443/a?utm_source=x&id=7#top")
    'https://example.com/a?id=7'
    """
    url = _SURROGATES.sub("", url).strip()  # a lone surrogate cannot be encoded at all
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = _encode(host, "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p)]
    query = _encode("&".join(kept), _QUERY_SAFE)
    path = _encode(parts.path or "/", _PATH_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def _guid_url(canonical: str) -> str:
    """The identity of a canonical link: https, no www./m./amp. host alias, no trailing slash,
    parameters sorted, so the GUID survives a site's switch of scheme or host alias."""
    parts = urlsplit(canonical)
    netloc = _HOST_ALIAS.sub("", parts.netloc)
    path = parts.path.rstrip("/") or "/"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return urlunsplit(("https", netloc, path, query, ""))


def _title_key(title: str) -> str:
    # Punctuation, whitespace and diacritics vary between fetches of a ticker; the words do not.
    return " ".join(re.findall(r"\w+", normalize_for_match(title)))


def make_guid(source: str, link: str | None, title: str) -> tuple[str, bool]:
    """``(guid, guid_is_link)`` for a headline.

    With a link: the canonical link (:func:`canonical_url`) made scheme- and alias-proof:
    ``https``, a leading ``www.`` (``www2.``, ``m.``, ``mobile.``, ``amp.``) dropped, trailing
    ``/`` dropped, parameters sorted. ``guid_is_link`` is True only when that equals the
    canonical link itself, i.e. when the GUID is known to open the item (RSS
    ``isPermaLink="true"``); otherwise it is an identifier only. Show ``canonical_url(link)``
    as the item's link: it is percent-encoded ASCII (validators reject raw non-ASCII) and then
    equals the GUID whenever ``guid_is_link`` is True. The GUID does not include the source, so
    two sources linking to one article share one item.

    Without a link (ticker headlines): ``urn:feedsmith:<source>:<sha1>`` of the title's words
    after :func:`~feedsmith.arabic.normalize_for_match`, so the GUID survives changes of
    whitespace, punctuation and diacritics but differs between sources; ``guid_is_link`` False.

    >>> make_guid("x", "http://www.example.com/a/?utm_medium=rss", "T")
    ('https://example.com/a', False)
    >>> make_guid("x", "https://example.com/a", "T")
    ('https://example.com/a', True)
    """
    guid, guid_is_link, _ = item_identity(source, link, title)
    return guid, guid_is_link


def item_identity(source: str, link: str | None, title: str) -> tuple[str, bool, str | None]:
    """``(guid, guid_is_link, canonical_url(link))`` (the last None without a link): what
    :func:`make_guid` gives plus the link to show, computing the canonical link only once.

    >>> item_identity("x", "http://www.example.com/a/?utm_medium=rss", "T")
    ('https://example.com/a', False, 'http://www.example.com/a/')
    """
    canonical = canonical_url(link) if link else None
    if canonical:
        try:
            scheme = urlsplit(canonical).scheme.lower()
        except ValueError:  # "http://[::1": no link can come of it; the title identifies it
            return item_identity(source, None, title)
        if scheme in _DEFAULT_PORTS:
            guid = _guid_url(canonical)
            return guid, guid == canonical, canonical
        return canonical, False, canonical
    digest = hashlib.sha1(_title_key(title).encode("utf-8")).hexdigest()
    return f"urn:feedsmith:{quote(source, safe='')}:{digest}", False, canonical
