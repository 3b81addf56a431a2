"""The address guard: decides whether a URL may be fetched at all (SSRF protection).

A feed must not be able to steer the crawler at internal services. A URL passes when its
scheme is http(s) and either its origin is one of the configured feeds' origins (the operator
chose those, even on a private network) or every address its host resolves to is public.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from storywatch.errors import BlockedAddress, ConnectionFailed

from .urls import display_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Origin = tuple[str, str, int]  # scheme, lower-case host, port

ALLOWED_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def origin_of(url: str) -> Origin:
    """The (scheme, host, port) triple of an http(s) URL; ValueError when it has none."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {scheme or 'no'} scheme")
    return scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[scheme]


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """True for globally routable unicast addresses only (CGNAT, multicast, etc. are not)."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return is_public(inner)
    # `is_global` alone lets multicast through, so every special range is checked explicitly.
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class AddressGuard:
    """Refuses URLs that are not http(s) or that reach a non-public address outside the feeds' origins."""

    def __init__(self, allowed_origins: Iterable[Origin]):
        self.allowed_origins = frozenset(allowed_origins)
        self._resolved: dict[tuple[str, int], list[IPAddress]] = {}  # one lookup per host in a pass

    @classmethod
    def for_feeds(cls, feed_urls: Iterable[str]) -> AddressGuard:
        return cls(origin_of(url) for url in feed_urls)

    async def check(self, url: str) -> None:
        """Return when `url` may be fetched; raise BlockedAddress with the reason otherwise."""
        try:
            origin = origin_of(url)
        except ValueError as error:
            raise BlockedAddress(display_url(url), str(error)) from None
        if origin in self.allowed_origins:
            return
        _, host, port = origin
        if (host, port) not in self._resolved:
            self._resolved[host, port] = await self._resolve(url, host, port)
        for address in self._resolved[host, port]:
            if not is_public(address):
                raise BlockedAddress(display_url(url), f"host {host} resolves to non-public address {address}")

    @staticmethod
    async def _resolve(url: str, host: str, port: int) -> list[IPAddress]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise ConnectionFailed(display_url(url), f"host {host} does not resolve ({error})") from None
        # Scope ids ("fe80::1%eth0") are not part of the address the classification needs.
        addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
        if not addresses:
            raise ConnectionFailed(display_url(url), f"host {host} resolves to no address")
        return addresses
