"""The web stage's entry point: poll feeds, then turn listed links into articles.

`Crawler` owns the one `Fetcher` and a process pool sized to the cores. `articles()` is a
pipeline: pages are fetched concurrently and each is handed to a worker process as soon as
it arrives, so extraction of early pages overlaps the download of later ones; results are
yielded in completion order. Every failure comes out as a `PageFailure`, never as an exception.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import zip_longest
from types import TracebackType
from urllib.parse import urlsplit

from storywatch.config import FeedSettings, FetchSettings
from storywatch.errors import ExtractionError, FetchError, PageError
from storywatch.timings import StageTimes
from storywatch.warehouse.records import Article, FeedItem, FeedPoll, PageFailure

from .extract import extract_article
from .feeds import poll_feed
from .guard import AddressGuard
from .http import Fetcher, credentials_of
from .page import Page
from .urls import display_url

LOG = logging.getLogger(__name__)
_QUEUED_PER_WORKER = 2  # pages waiting per worker so no core idles between pages


@dataclass(frozen=True)
class FeedRequest:
    """A feed to poll with the validators its last successful poll returned."""

    feed: FeedSettings
    etag: str | None = None
    last_modified: str | None = None


class Crawler:
    """Async context manager for one pass over the web; see the module docstring."""

    def __init__(
        self,
        settings: FetchSettings,
        feeds: Sequence[FeedSettings],
        *,
        workers: int | None = None,
        executor: Executor | None = None,
    ):
        """`executor` replaces the local process pool, e.g. a Dask cluster's (see extractors.cluster)."""
        self.settings = settings
        self._given_executor = executor
        self.guard = AddressGuard(settings.allow_internal)
        self.workers = workers or os.cpu_count() or 1
        self._fetcher = Fetcher(settings, self.guard, credentials_of(feed.url for feed in feeds))
        self.worker_times = StageTimes()  # summed over every page the workers extracted
        # Started by the first articles() call, while its first pages download; a pass with
        # nothing new (every feed 304) never pays for it.
        self._pool: asyncio.Task[Executor] | None = None

    async def __aenter__(self) -> Crawler:
        await self._fetcher.__aenter__()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._fetcher.__aexit__(kind, error, trace)
        starting, self._pool = self._pool, None
        if starting is not None:
            await asyncio.wait([starting])
            # A pool that failed to start was reported per page; a given executor is its owner's.
            if starting.exception() is None and starting.result() is not self._given_executor:
                await asyncio.to_thread(starting.result().shutdown, wait=True, cancel_futures=True)

    async def poll_feeds(self, requests: Sequence[FeedRequest]) -> list[FeedPoll]:
        """Poll every feed concurrently; one FeedPoll per request, in order (errors inside)."""
        polls = (poll_feed(self._fetcher, r.feed, r.etag, r.last_modified) for r in requests)
        return list(await asyncio.gather(*polls))

    async def articles(self, items: Sequence[FeedItem]) -> AsyncIterator[Article | PageFailure]:
        """Fetch and extract every item's link; yield each outcome as soon as it is ready."""
        if items and self._pool is None:
            self._pool = self._start_pool()
        outcomes: asyncio.Queue[Article | PageFailure] = asyncio.Queue()
        # Bounds the pages held in memory (downloading or waiting for a worker).
        in_flight = asyncio.Semaphore(self.settings.concurrency + _QUEUED_PER_WORKER * self.workers)

        async def process(item: FeedItem) -> None:
            async with in_flight:
                await outcomes.put(await self._article(item))

        tasks = [asyncio.create_task(process(item)) for item in interleave_by_host(items)]
        try:
            for _ in tasks:
                yield await outcomes.get()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _article(self, item: FeedItem) -> Article | PageFailure:
        try:
            page = await self._fetcher.fetch_page(item.link)
            return await self._extract(page, item)
        except PageError as error:
            return page_failure(item, error)
        except Exception as error:  # a bug of ours or a library's: log it, keep the pass going
            LOG.exception("crawling %s failed unexpectedly", item.link)
            return page_failure(item, FetchError(display_url(item.link), f"unexpected {type(error).__name__}"))

    async def _extract(self, page: Page, item: FeedItem) -> Article | PageFailure:
        """Extract in a worker process; a dead worker is a retryable failure of this page."""
        starting = self._pool
        assert starting is not None, "use Crawler as an async context manager"
        pool = await starting
        try:
            outcome, times = await asyncio.get_running_loop().run_in_executor(pool, extract_in_worker, page, item)
        except BrokenProcessPool:
            LOG.error("an extraction worker died; starting a new pool")
            if self._pool is starting:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start_pool()
            raise FetchError(display_url(page.final_url), "extraction worker died") from None
        self.worker_times.merge(times)
        return replace(outcome, raw_html=page.body) if isinstance(outcome, Article) else outcome

    def _start_pool(self) -> asyncio.Task[Executor]:
        if self._given_executor is not None:
            return asyncio.create_task(_ready(self._given_executor))
        # Starting the fork server blocks for a second or more: not on the event loop.
        return asyncio.create_task(asyncio.to_thread(self._new_pool))

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self.workers, mp_context=_fork_server())
        for _ in range(self.workers):
            pool.submit(os.getpid)  # start every worker now, while the first pages download
        return pool


def start_fork_server() -> None:
    """Start the extraction workers' fork server now, e.g. on a thread while Prefect starts.

    It spends 1-2 s of CPU in its own process on imports that the first pass would otherwise
    wait for; later pools of this process fork from the same server.
    """
    _fork_server()
    multiprocessing.forkserver.ensure_running()


def _fork_server() -> multiprocessing.context.ForkServerContext:
    # The caller runs inside Prefect with threads: forking that process is unsafe. Workers fork
    # from a server that has already imported trafilatura and friends (1-2 s per process).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["storywatch.extractors.warm"])
    return context


async def _ready(executor: Executor) -> Executor:
    return executor


def extract_in_worker(page: Page, item: FeedItem) -> tuple[Article | PageFailure, StageTimes]:
    """Worker-side extraction and its step times; failures are returned, since our exceptions do not pickle.

    The raw bytes do not travel back: the crawler still holds them.
    """
    times = StageTimes()
    try:
        return replace(extract_article(page, item, times), raw_html=b""), times
    except PageError as error:
        return page_failure(item, error), times
    except Exception as error:  # trafilatura/lxml on hostile HTML: the page fails, not the pass
        LOG.exception("extracting %s failed unexpectedly", page.final_url)
        reason = f"unexpected {type(error).__name__}"
        return page_failure(item, ExtractionError(display_url(page.final_url), reason)), times


def page_failure(item: FeedItem, error: PageError) -> PageFailure:
    return PageFailure(
        url=item.link,
        feed=item.feed,
        kind=error.kind,
        error=str(error).splitlines()[0],
        retryable=error.retryable,
        attempted_at=datetime.now(UTC),
    )


def interleave_by_host(items: Sequence[FeedItem]) -> list[FeedItem]:
    """Round-robin over hosts, so one busy host's per-host limit does not hold up the rest."""
    by_host: dict[str, list[FeedItem]] = {}
    for item in items:
        by_host.setdefault(urlsplit(item.link).netloc.lower(), []).append(item)
    return [item for row in zip_longest(*by_host.values()) for item in row if item is not None]
