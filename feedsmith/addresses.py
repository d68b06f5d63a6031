"""Which addresses a link found on a scraped page may reach (part of the fetch stage).

Takes the URL of a link found on a page (a full-text article link, or any redirect after one)
and the configured URL of the source page it was found on; returns nothing when the link may be
fetched, and raises ``FetchError`` saying why when it may not. A link is refused when its host
is, or resolves to, an address off the public internet: loopback, private (RFC 1918),
link-local (``169.254.169.254``, the cloud metadata service), unique-local (``fc00::/7``),
multicast, reserved, unspecified (``0.0.0.0``), or otherwise not global (shared address space
``100.64.0.0/10``); IPv4 addresses inside IPv6 ones (``::ffff:127.0.0.1``, 6to4, NAT64) are
judged by the IPv4 address. Every address the name resolves to is checked: one private answer
is enough to refuse. So a hostile page cannot make feedsmith request a service on the build
machine or its network (server-side request forgery).

The exception: a link whose host name is the host name of the source page it came from (the
port does not matter) is allowed whatever it resolves to. The user chose that host, and a source
on an intranet, or on 127.0.0.1 in the tests, links to its own articles. Configured source URLs
are never checked here: the user chose them.

Residual risk: the name is resolved here and again by the HTTP client when it connects. A DNS
server that answers with a public address for the check and a private one a moment later (DNS
rebinding) gets past this check; closing that gap would take connecting to the very address
that was checked.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import urlsplit

from feedsmith.errors import FetchError

logger = logging.getLogger(__name__)

__all__ = ["LinkGuard", "address_kind"]

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the low 32 bits are an IPv4 address
_KINDS = (  # the first that applies names the address in the message
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_multicast", "a multicast"),
    ("is_private", "a private"),
    ("is_reserved", "a reserved"),
)


def address_kind(address: _IPAddress) -> str | None:
    """What makes ``address`` unfit for a link found on a page (``"a loopback"``, ``"a
    private"`` …), or None for a public address.

    >>> address_kind(ipaddress.ip_address("169.254.169.254"))
    'a link-local'
    >>> address_kind(ipaddress.ip_address("::ffff:10.0.0.1"))
    'a private'
    >>> address_kind(ipaddress.ip_address("93.184.215.14")) is None
    True
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and (kind := address_kind(embedded)):
            return kind
        if address in _UNIQUE_LOCAL:
            return "a unique-local"
    for attribute, kind in _KINDS:
        if getattr(address, attribute):
            return kind
    return None if address.is_global else "a non-public"


def _host_name(url: str | None) -> str:
    """The URL's host name as compared here: lowercase, no trailing dot, IDNA-encoded."""
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


class LinkGuard:
    """The check for the links found on one source's page; ``found_on`` is the source's
    configured URL (its ``page_url`` for a file source), or None when it has none."""

    def __init__(self, found_on: str | None) -> None:
        self.own_host = _host_name(found_on)

    def check(self, link: str, current: str) -> None:
        """Raise FetchError(link, why) when ``current`` (the link itself, or a redirect target
        after it) may not be requested."""
        host = _host_name(current)
        hop = f"redirect to {current}" if current != link else "link"
        if not host:
            raise FetchError(link, f"{hop} has no host")
        if host == self.own_host:
            return
        try:
            addresses = [ipaddress.ip_address(host)]
            literal = True
        except ValueError:
            addresses, literal = _resolve(link, host, hop), False
        for address in addresses:
            kind = address_kind(address)
            if kind is not None:
                named = host if literal else f"{host}, which resolves to {address},"
                raise FetchError(link, self._refusal(hop, named, kind))
        logger.debug("%s: %s is public (%s)", current, host, ", ".join(map(str, addresses)))

    def _refusal(self, hop: str, named: str, kind: str) -> str:
        own = f" (only {self.own_host}, the source's own host, may)" if self.own_host else ""
        return (
            f"{hop} refused: {named} is {kind} address, which a link found on a page"
            f" may not reach{own}"
        )


def _resolve(link: str, host: str, hop: str) -> list[_IPAddress]:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise FetchError(link, f"{hop}: cannot resolve {host}: {reason}") from None
    addresses: list[_IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(link, f"{hop}: cannot resolve {host}: no address")
    return addresses
