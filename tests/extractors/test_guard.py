"""The address guard: scheme, origin and address classification."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storywatch.errors import BlockedAddress
from storywatch.extractors.guard import AddressGuard, is_public, origin_of

NON_PUBLIC_NETWORKS = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/29", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    "::1/128", "::/128", "fc00::/7", "fe80::/10", "ff00::/8", "2001:db8::/32",
]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.20.0.5", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),         # carrier-grade NAT
        ("169.254.169.254", False),    # cloud metadata endpoint
        ("224.0.0.251", False),        # multicast: is_global alone says True
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd12:3456::1", False),
        ("::ffff:10.0.0.1", False),    # IPv4-mapped private
        ("::ffff:8.8.8.8", True),      # IPv4-mapped public (is_reserved on the v6 form)
        ("2002:0a00:0001::1", False),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::7f00:1", False),    # NAT64 wrapping 127.0.0.1
    ],
)
def test_address_classification(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@given(st.sampled_from(NON_PUBLIC_NETWORKS).flatmap(lambda net: st.ip_addresses(network=net)))
def test_no_address_of_a_special_range_is_public(address) -> None:
    assert not is_public(address)


@given(st.ip_addresses(v=4, network="10.0.0.0/8"))
def test_ipv4_mapped_private_addresses_are_not_public(address: ipaddress.IPv4Address) -> None:
    assert not is_public(ipaddress.IPv6Address(f"::ffff:{address}"))


def check(guard: AddressGuard, url: str) -> None:
    asyncio.run(guard.check(url))


def test_an_allowed_network_or_host_may_be_internal() -> None:
    check(AddressGuard(["127.0.0.1"]), "http://127.0.0.1:8080/news/story-1")
    check(AddressGuard(["10.0.0.0/8"]), "http://10.20.30.40/feed")
    check(AddressGuard(["localhost"]), "http://localhost:8080/feed")


def test_a_feed_host_gets_no_exception_without_an_allowance() -> None:
    with pytest.raises(BlockedAddress, match="non-public address 127.0.0.1"):
        check(AddressGuard([]), "http://127.0.0.1:8080/rss.xml")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.2:8080/x", "non-public address 127.0.0.2"),   # another loopback host
        ("http://[::1]:8080/x", "non-public address ::1"),
        ("http://169.254.169.254/latest/meta-data/", "non-public address 169.254.169.254"),
        ("http://2130706434/x", "non-public address 127.0.0.2"),       # decimal form of 127.0.0.2
        ("http://0x7f000002/x", "non-public address 127.0.0.2"),       # hex
        ("http://[fec0::1]/x", "non-public address fec0::1"),          # site-local, "global" to ipaddress
        ("file:///etc/passwd", "not an http(s) URL"),
        ("ftp://127.0.0.1:8080/x", "not an http(s) URL"),
        ("gopher://example.org/", "not an http(s) URL"),
    ],
)
def test_other_origins_on_private_addresses_are_refused(url: str, reason: str) -> None:
    guard = AddressGuard(["127.0.0.1"])
    with pytest.raises(BlockedAddress, match="^[^\n]*$") as refused:
        check(guard, url)
    assert reason in str(refused.value)
    assert refused.value.retryable is False


def test_public_address_literal_is_allowed() -> None:
    check(AddressGuard([]), "http://8.8.8.8/news")


def test_origin_uses_default_ports_and_lower_case_host() -> None:
    assert origin_of("HTTPS://Example.ORG/feed") == ("https", "example.org", 443)
    assert origin_of("http://example.org:80/feed") == ("http", "example.org", 80)
    assert origin_of("http://user@Example.org/feed") == ("http", "example.org", 80)
    assert origin_of("http://ß.example/") == ("http", "xn--zca.example", 80)  # IDNA 2008, as httpx connects
