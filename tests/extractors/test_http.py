"""The Fetcher against a real loopback server: limits, redirects, guard per hop, back-off."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from typing import TypeVar

import pytest

from storywatch.config import FetchSettings
from storywatch.demo.server import LoopbackSite
from storywatch.errors import (
    BlockedAddress,
    BodyTooLarge,
    FetchTimeout,
    HTTPStatusError,
    RateLimited,
    TooManyRedirects,
    UnsupportedContent,
)
from storywatch.extractors.guard import AddressGuard
from storywatch.extractors.http import Fetcher, retry_after_seconds

T = TypeVar("T")
PAGE = "<html><head><title>Story</title></head><body><p>Hello, harbour.</p></body></html>"


def with_fetcher(site: LoopbackSite, action: Callable[[Fetcher], Awaitable[T]], **settings: object) -> T:
    guard = AddressGuard(["127.0.0.1"])

    async def main() -> T:
        async with Fetcher(FetchSettings(**{"timeout_seconds": 2, **settings}), guard) as fetcher:
            return await action(fetcher)

    return asyncio.run(main())


def test_fetch_page_decodes_and_records_the_request(site: LoopbackSite) -> None:
    site.route("/story", PAGE)
    page = with_fetcher(site, lambda f: f.fetch_page(site.url("/story")), user_agent="storywatch-test/1")
    assert page.decode() == (PAGE, "utf-8")
    assert page.body == PAGE.encode()
    assert (page.status_code, page.content_type) == (200, "text/html")
    assert page.final_url == site.url("/story")
    assert page.fetched_at.tzinfo is not None
    assert [r.headers["user-agent"] for r in site.requests_for("/story")] == ["storywatch-test/1"]


def test_server_error_is_an_http_status_error(site: LoopbackSite) -> None:
    site.route("/broken", "oops", status=500)
    with pytest.raises(HTTPStatusError) as failed:
        with_fetcher(site, lambda f: f.fetch_page(site.url("/broken")))
    assert failed.value.status_code == 500
    assert failed.value.retryable is True
    assert str(failed.value) == f"{site.url('/broken')}: HTTP 500"


def test_not_found_is_not_retryable(site: LoopbackSite) -> None:
    with pytest.raises(HTTPStatusError) as failed:
        with_fetcher(site, lambda f: f.fetch_page(site.url("/missing")))
    assert (failed.value.status_code, failed.value.retryable) == (404, False)


def test_slow_response_times_out(site: LoopbackSite) -> None:
    site.route("/slow", PAGE, delay=3.0)
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="within 0.4 s"):
        with_fetcher(site, lambda f: f.fetch_page(site.url("/slow")), timeout_seconds=0.4)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("declare_length", [True, False])
def test_oversize_body_is_refused_not_truncated(site: LoopbackSite, declare_length: bool) -> None:
    site.route("/huge", b"<html>" + b"x" * 200_000, declare_length=declare_length)
    with pytest.raises(BodyTooLarge, match="exceeds max_bytes 100000") as refused:
        with_fetcher(site, lambda f: f.fetch_page(site.url("/huge")), max_bytes=100_000)
    assert ("Content-Length" in str(refused.value)) is declare_length


def test_body_at_the_limit_is_accepted(site: LoopbackSite) -> None:
    site.route("/exact", b"<p>" + b"x" * 997)
    page = with_fetcher(site, lambda f: f.fetch_page(site.url("/exact")), max_bytes=1000)
    assert len(page.body) == 1000


def test_redirect_chain_is_followed_to_the_final_url(site: LoopbackSite) -> None:
    site.redirect("/a", "/b", status=301)
    site.redirect("/b", site.url("/c"), status=307)
    site.route("/c", PAGE)
    page = with_fetcher(site, lambda f: f.fetch_page(site.url("/a")))
    assert page.url == site.url("/a")
    assert page.final_url == site.url("/c")
    assert [r.path for r in site.requests] == ["/a", "/b", "/c"]


def test_redirects_beyond_the_cap_are_refused(site: LoopbackSite) -> None:
    for hop in range(4):
        site.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    site.route("/hop4", PAGE)
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        with_fetcher(site, lambda f: f.fetch_page(site.url("/hop0")), max_redirects=3)
    assert len(site.requests) == 4


def test_redirect_to_a_private_host_is_refused_before_any_request(
    site: LoopbackSite, other_host: LoopbackSite
) -> None:
    other_host.route("/secret", PAGE)
    site.redirect("/go", other_host.url("/secret"))
    with pytest.raises(BlockedAddress, match="non-public address 127.0.0.2"):
        with_fetcher(site, lambda f: f.fetch_page(site.url("/go")))
    assert other_host.requests == []


def test_link_to_another_loopback_host_is_never_requested(site: LoopbackSite, other_host: LoopbackSite) -> None:
    other_host.route("/admin", PAGE)
    with pytest.raises(BlockedAddress):
        with_fetcher(site, lambda f: f.fetch_page(other_host.url("/admin")))
    assert other_host.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/pub/file.html"])
def test_non_http_schemes_are_refused(site: LoopbackSite, url: str) -> None:
    with pytest.raises(BlockedAddress, match="not an http"):
        with_fetcher(site, lambda f: f.fetch_page(url))


def test_non_html_content_is_refused(site: LoopbackSite) -> None:
    site.route("/report.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    with pytest.raises(UnsupportedContent, match="application/pdf is not HTML"):
        with_fetcher(site, lambda f: f.fetch_page(site.url("/report.pdf")))


def test_xhtml_is_accepted(site: LoopbackSite) -> None:
    site.route("/x", PAGE, content_type="application/xhtml+xml; charset=utf-8")
    assert with_fetcher(site, lambda f: f.fetch_page(site.url("/x"))).content_type == "application/xhtml+xml"


def test_retry_after_stops_further_requests_to_that_host(site: LoopbackSite) -> None:
    site.route("/busy", "slow down", status=429, headers={"Retry-After": "120"})
    site.route("/next", PAGE)

    async def two_requests(fetcher: Fetcher) -> tuple[BaseException, BaseException]:
        with pytest.raises(HTTPStatusError) as first:
            await fetcher.fetch_page(site.url("/busy"))
        with pytest.raises(RateLimited) as second:
            await fetcher.fetch_page(site.url("/next"))
        return first.value, second.value

    first, second = with_fetcher(site, two_requests)
    assert (first.status_code, first.retry_after_seconds) == (429, 120.0)
    assert 110 < second.retry_after_seconds <= 120
    assert second.retryable is True
    assert [r.path for r in site.requests] == ["/busy"]


def test_retry_after_as_http_date(site: LoopbackSite) -> None:
    site.route("/down", "maintenance", status=503, headers={"Retry-After": formatdate(time.time() + 60, usegmt=True)})
    with pytest.raises(HTTPStatusError) as failed:
        with_fetcher(site, lambda f: f.fetch_page(site.url("/down")))
    assert failed.value.status_code == 503
    assert 55 <= failed.value.retry_after_seconds <= 61


def test_retry_after_parsing() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("30", now) == 30.0
    assert retry_after_seconds("Wed, 01 Jan 2025 12:02:00 GMT", now) == 120.0
    assert retry_after_seconds("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("99999999999999999", now) == 86_400.0  # a day at most
    assert retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT", now) == 86_400.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_conditional_get_returns_304_without_body(site: LoopbackSite) -> None:
    site.route("/feed.xml", "<rss/>", content_type="application/rss+xml", conditional=True)

    async def twice(fetcher: Fetcher):
        first = await fetcher.fetch(site.url("/feed.xml"))
        second = await fetcher.fetch(site.url("/feed.xml"), {"If-None-Match": first.headers["etag"]})
        return first, second

    first, second = with_fetcher(site, twice)
    assert (first.status_code, first.body) == (200, b"<rss/>")
    assert (second.status_code, second.body) == (304, b"")
    assert site.requests[1].headers["if-none-match"] == first.headers["etag"]


def test_per_host_concurrency_is_respected(site: LoopbackSite) -> None:
    for n in range(6):
        site.route(f"/p{n}", PAGE, delay=0.3)

    async def six(fetcher: Fetcher) -> float:
        started = time.monotonic()
        await asyncio.gather(*(fetcher.fetch_page(site.url(f"/p{n}")) for n in range(6)))
        return time.monotonic() - started

    elapsed = with_fetcher(site, six, per_host_concurrency=2)
    assert 0.85 < elapsed < 2.0  # three rounds of two, not one round of six
