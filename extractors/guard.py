"""The address guard: decides whether a URL may be fetched, and where its connection may go (SSRF protection).

A feed must not be able to steer the crawler at internal services. A URL passes when its
scheme is http(s) and every address its host resolves to is public, unless the operator
allowed that host by name, or those addresses' networks, in `fetch.allow_internal`. Feed
hosts get no exception: a publisher controls its own DNS.

The host is taken exactly as httpx will send it (`httpx.URL`: IDNA 2008, so `ß` stays
`xn--zca`, not the `ss` of the resolver's IDNA 2003), resolved once per pass, and every
connection is pinned to the addresses that were checked (`PinnedBackend`): a DNS answer
that changes between the check and the connect (rebinding) is never asked for.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

from storywatch.errors import BlockedAddress, ConnectionFailed

from .urls import display_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Origin = tuple[str, str, int]  # scheme, host as connected to (ASCII, lower case), port

ALLOWED_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def origin_of(url: str) -> Origin:
    """The (scheme, host, port) httpx connects to for `url`; ValueError when it is no http(s) URL with a host."""
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL as error:
        raise ValueError(f"not a valid URL ({error})") from None
    scheme = parsed.scheme
    if scheme not in ALLOWED_SCHEMES or not parsed.raw_host:
        raise ValueError(f"not an http(s) URL with a host: {scheme or 'no'} scheme")
    return scheme, parsed.raw_host.decode("ascii").lower(), parsed.port or _DEFAULT_PORTS[scheme]


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
    """True for globally routable unicast addresses only (CGNAT, multicast, site-local etc. are not)."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return is_public(inner)
    # `is_global` alone lets multicast and the deprecated site-local fec0::/10 through.
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (the system resolver); socket.gaierror when none."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Scope ids ("fe80::1%eth0") are not part of the address the classification needs.
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


class AddressGuard:
    """Refuses URLs that are not http(s) or that reach a non-public address the operator did not allow."""

    def __init__(self, allow_internal: Iterable[str] = ()):
        self._allowed_hosts: set[str] = set()
        self._allowed_networks: list[IPNetwork] = []
        for entry in allow_internal:
            try:
                self._allowed_networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self._allowed_hosts.add(origin_of(f"http://{entry}/")[1])
        self._checked: dict[tuple[str, int], list[IPAddress]] = {}  # one lookup per host in a pass

    async def check(self, url: str) -> None:
        """Return when `url` may be fetched; raise BlockedAddress with the reason otherwise."""
        try:
            _, host, port = origin_of(url)
        except ValueError as error:
            raise BlockedAddress(display_url(url), str(error)) from None
        if (host, port) in self._checked:
            return
        addresses = await self._addresses(url, host, port)
        if host not in self._allowed_hosts:
            for address in addresses:
                if not is_public(address) and not any(address in net for net in self._allowed_networks):
                    raise BlockedAddress(display_url(url), f"host {host} resolves to non-public address {address}")
        self._checked[host, port] = addresses

    def checked_addresses(self, host: str, port: int) -> list[IPAddress]:
        """The addresses `check` approved for the host and port; empty when it approved none."""
        return self._checked.get((host.lower(), port), [])

    @staticmethod
    async def _addresses(url: str, host: str, port: int) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        try:
            addresses = await resolve(host, port)
        except (socket.gaierror, UnicodeError) as error:
            raise ConnectionFailed(display_url(url), f"host {host} does not resolve ({error})") from None
        if not addresses:
            raise ConnectionFailed(display_url(url), f"host {host} resolves to no address")
        return addresses


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's connector, allowed only the addresses the guard checked for a host.

    httpcore still sends the URL's host as Host header and TLS server name; only the
    address the socket connects to comes from here.
    """

    def __init__(self, guard: AddressGuard):
        self._guard = guard
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options=None) -> httpcore.AsyncNetworkStream:
        addresses = self._guard.checked_addresses(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not checked by the address guard")
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._network.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure  # type: ignore[misc]

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options=None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never connected to")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)
