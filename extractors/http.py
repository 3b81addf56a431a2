"""The web stage's one HTTP client: guarded, bounded, polite.

`Fetcher` owns the single shared httpx client. Every hop of a redirect chain passes the
address guard; bodies are streamed and refused beyond `max_bytes`; concurrency is capped
globally and per host; a host that answers 429/503 with Retry-After gets no further
requests from this pass until that time. Every failure is a one-line `FetchError`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from storywatch.config import FetchSettings
from storywatch.errors import (
    BodyTooLarge,
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    RateLimited,
    TooManyRedirects,
    UnsupportedContent,
)

from .guard import AddressGuard
from .urls import display_url
from .values import Page

HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_BACK_OFF_STATUSES = frozenset({429, 503})
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
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


class Fetcher:
    """Async context manager around the shared httpx client; see the module docstring."""

    def __init__(self, settings: FetchSettings, guard: AddressGuard):
        self.settings = settings
        self.guard = guard
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._host_slots: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_concurrency)
        )
        self._not_before: dict[str, datetime] = {}  # host -> earliest next request (Retry-After)

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.settings.user_agent},
            timeout=httpx.Timeout(self.settings.timeout_seconds),
            follow_redirects=False,  # each hop must pass the guard first
            # A proxy would connect to addresses the guard never saw.
            trust_env=False,
            limits=httpx.Limits(max_connections=self.settings.concurrency),
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
        target = url
        for _ in range(self.settings.max_redirects + 1):
            await self.guard.check(target)
            download = await self._send(target, headers or {}, media_types)
            location = download.headers.get("location")
            if download.status_code not in _REDIRECT_STATUSES or not location:
                return replace(download, url=url)
            target = urljoin(target, location.strip())
        raise TooManyRedirects(display_url(url), f"more than {self.settings.max_redirects} redirects")

    async def _send(self, url: str, headers: Mapping[str, str], media_types: frozenset[str] | None) -> Download:
        host = urlsplit(url).netloc.lower()
        async with self._host_slots[host], self._slots:
            self._refuse_if_backing_off(url, host)
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
        self, url: str, host: str, headers: Mapping[str, str], media_types: frozenset[str] | None
    ) -> Download:
        assert self._client is not None, "use Fetcher as an async context manager"
        async with self._client.stream("GET", url, headers=headers) as response:
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
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decompressed: a gzip bomb is caught here too
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(display_url(url), f"body exceeds max_bytes {limit}")
            chunks.append(chunk)
        return b"".join(chunks)

    def _refuse_if_backing_off(self, url: str, host: str) -> None:
        not_before = self._not_before.get(host)
        if not_before is None:
            return
        remaining = (not_before - datetime.now(UTC)).total_seconds()
        if remaining > 0:
            raise RateLimited(display_url(url), remaining)

