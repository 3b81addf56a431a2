"""The web stage's one HTTP client: guarded, bounded, polite.

`Fetcher` owns the single shared httpx client. Every hop of a redirect chain passes the
address guard and connects only to the addresses it checked; bodies are streamed, decoded
by us and refused beyond `max_bytes`; concurrency is capped globally and per host, and so
is the number of requests a host gets in one pass; a host that answers 429/503 with
Retry-After gets no further requests from this pass until that time. Every failure is a
one-line `FetchError`.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import unquote, urljoin, urlsplit

import httpcore
import httpx

from storywatch.config import FetchSettings
from storywatch.errors import (
    BodyTooLarge,
    ConnectionFailed,
    FetchTimeout,
    HostBudgetSpent,
    HTTPStatusError,
    RateLimited,
    TooManyRedirects,
    UnsupportedContent,
)

from .encoding import ACCEPT_ENCODING, BoundedBody
from .guard import AddressGuard, Origin, PinnedBackend, origin_of
from .page import Page
from .urls import display_url, without_userinfo

HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_BACK_OFF_STATUSES = frozenset({429, 503})
# A host asking for more than a day is taken to mean a day (99999999999999999 s overflows a datetime).
MAX_RETRY_AFTER_SECONDS = 86_400.0
_PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


@dataclass(frozen=True)
class Download:
    """One completed GET after redirects: 2xx with its body, or 304 without one."""

    url: str                    # the URL asked for
    final_url: str              # after redirects
    status_code: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes = field(repr=False)
    fetched_at: datetime

    @property
    def media_type(self) -> str:
        return media_type(self.headers.get("content-type"))


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), at most a day; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(max(0.0, (moment - now).total_seconds()), MAX_RETRY_AFTER_SECONDS)


def credentials_of(urls: Iterable[str]) -> dict[Origin, httpx.BasicAuth]:
    """Basic auth per origin from the user-info of (feed) URLs, exactly as written (case kept)."""
    found = {}
    for url in urls:
        parts = urlsplit(url)
        if parts.username is not None:
            found[origin_of(url)] = httpx.BasicAuth(unquote(parts.username), unquote(parts.password or ""))
    return found


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose every connection goes to an address the guard checked."""

    def __init__(self, guard: AddressGuard, limits: httpx.Limits):
        # One SSL context (loading the CA bundle costs ~50 ms), shared with the pool below.
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        # httpx 0.28 takes no network backend; the httpcore pool it wraps does.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(guard),
        )


class Fetcher:
    """Async context manager around the shared httpx client; see the module docstring."""

    def __init__(
        self, settings: FetchSettings, guard: AddressGuard, credentials: Mapping[Origin, httpx.BasicAuth] | None = None
    ):
        """`credentials`: Basic auth sent to exactly these origins (a feed URL's user-info; see `credentials_of`)."""
        self.settings = settings
        self.guard = guard
        self._credentials = dict(credentials or {})
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._host_slots: defaultdict[Origin, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_concurrency)
        )
        self._requests: Counter[Origin] = Counter()  # sent this pass, against max_requests_per_host
        self._not_before: dict[Origin, datetime] = {}  # earliest next request to an origin (Retry-After)

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(self.settings.timeout_seconds),
            follow_redirects=False,  # each hop must pass the guard first
            # A proxy would connect to addresses the guard never saw.
            trust_env=False,
            transport=PinnedTransport(self.guard, httpx.Limits(max_connections=self.settings.concurrency)),
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch_page(self, url: str) -> Page:
        """GET an HTML page (redirects followed); other content types are refused."""
        download = await self.fetch(url, {"Accept": _PAGE_ACCEPT}, media_types=HTML_MEDIA_TYPES)
        return Page(
            url=url,
            final_url=download.final_url,
            status_code=download.status_code,
            content_type=download.media_type or "text/html",
            body=download.body,
            fetched_at=download.fetched_at,
            declared_type=download.headers.get("content-type"),
        )

    async def fetch(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        media_types: frozenset[str] | None = None,
    ) -> Download:
        """GET `url`, following up to `max_redirects` guarded redirects.

        Returns 2xx and 304 responses (send conditional headers in `headers` to get a 304);
        raises a FetchError for anything else. With `media_types`, a 2xx response of another
        content type is refused before its body is read (a missing Content-Type is let through).
        """
        target = without_userinfo(url)  # credentials go by origin, never inside a URL we store or follow
        for _ in range(self.settings.max_redirects + 1):
            await self.guard.check(target)
            download = await self._send(target, headers or {}, media_types)
            location = download.headers.get("location")
            if download.status_code not in _REDIRECT_STATUSES or not location:
                return replace(download, url=url)
            target = urljoin(target, location.strip())
        raise TooManyRedirects(display_url(url), f"more than {self.settings.max_redirects} redirects")

    async def _send(self, url: str, headers: Mapping[str, str], media_types: frozenset[str] | None) -> Download:
        host = origin_of(url)  # not the netloc: `user@host` is the same host for limits and back-off
        async with self._host_slots[host], self._slots:
            self._refuse_if_backing_off(url, host)
            if self._requests[host] >= self.settings.max_requests_per_host:
                raise HostBudgetSpent(display_url(url), self.settings.max_requests_per_host)
            self._requests[host] += 1
            try:
                # httpx's timeout is per read; this bounds the whole exchange (a slow drip too).
                async with asyncio.timeout(self.settings.timeout_seconds):
                    return await self._exchange(url, host, headers, media_types)
            except (TimeoutError, httpx.TimeoutException):
                raise FetchTimeout(
                    display_url(url), f"no complete response within {self.settings.timeout_seconds:g} s"
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise ConnectionFailed(display_url(url), reason) from None

    async def _exchange(
        self, url: str, host: Origin, headers: Mapping[str, str], media_types: frozenset[str] | None
    ) -> Download:
        assert self._client is not None, "use Fetcher as an async context manager"
        async with self._client.stream("GET", url, headers=headers, auth=self._credentials.get(host)) as response:
            fetched_at = datetime.now(UTC)
            status = response.status_code
            response_headers = {name.lower(): value for name, value in response.headers.items()}
            if status in _BACK_OFF_STATUSES:
                wait = retry_after_seconds(response.headers.get("retry-after"), fetched_at)
                if wait is not None:
                    self._not_before[host] = fetched_at + timedelta(seconds=wait)
                raise HTTPStatusError(display_url(url), status, wait)
            if status == 304 or status in _REDIRECT_STATUSES:
                return Download(url, url, status, response_headers, b"", fetched_at)
            if not 200 <= status < 300:
                raise HTTPStatusError(display_url(url), status)
            kind = media_type(response.headers.get("content-type"))
            if media_types is not None and kind and kind not in media_types:
                raise UnsupportedContent(display_url(url), f"content type {kind} is not HTML")
            body = await self._read_body(url, response)
            return Download(url, url, status, response_headers, body, fetched_at)

    async def _read_body(self, url: str, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(display_url(url), f"Content-Length {declared} exceeds max_bytes {limit}")
        body = BoundedBody(response.headers.get("content-encoding"), limit, display_url(url))
        async for chunk in response.aiter_raw():  # not aiter_bytes: httpx would inflate a bomb unbounded
            body.add(chunk)
        return body.body()

    def _refuse_if_backing_off(self, url: str, host: Origin) -> None:
        not_before = self._not_before.get(host)
        if not_before is None:
            return
        remaining = (not_before - datetime.now(UTC)).total_seconds()
        if remaining > 0:
            raise RateLimited(display_url(url), remaining)

