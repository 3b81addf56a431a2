"""The steps of one monitoring pass as plain functions; `flows.monitor` runs them as Prefect tasks.

Each step opens the database only for short write windows (DuckDB allows one process per
file), so an analyst's session is blocked briefly at worst, and every window commits a
consistent batch: a pass killed at any point resumes on the next one without loss or repeats.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import duckdb

from storywatch.alerts import DeliveryReport, deliver_pending, enqueue_development_alerts, enqueue_feed_health_alerts
from storywatch.config import Settings, StorylineSettings
from storywatch.extractors import Crawler, FeedRequest
from storywatch.extractors.cluster import extraction_executor
from storywatch.storylines import Development, TrackingResult, backfill, track
from storywatch.storylines.store import count_unassigned
from storywatch.timings import StageTimes
from storywatch.warehouse import store
from storywatch.warehouse.db import open_warehouse, transaction
from storywatch.warehouse.records import Article, PageFailure

BATCH_SIZE = 100  # articles per write or tracking window: small enough to lose little on a kill


def new_pass_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


@dataclass
class CollectSummary:
    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feeds_deferred: int = 0                      # skipped: the host asked us to wait (Retry-After)
    feed_errors: dict[str, str] = field(default_factory=dict)
    items_listed: int = 0
    pages_requested: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    unchanged_articles: int = 0
    duplicates: int = 0
    page_failures: dict[str, int] = field(default_factory=dict)   # kind -> count
    main_times: StageTimes = field(default_factory=StageTimes)    # this process, per stage
    worker_times: StageTimes = field(default_factory=StageTimes)  # extraction workers, summed


@dataclass
class _BatchWriter:
    """Accumulates crawl outcomes and writes them in transactions of BATCH_SIZE."""

    database: Path
    pass_id: str
    result: store.StoreResult = field(default_factory=store.StoreResult)
    times: StageTimes = field(default_factory=StageTimes)
    new_by_feed: Counter = field(default_factory=Counter)
    failures_by_kind: Counter = field(default_factory=Counter)
    _articles: list[Article] = field(default_factory=list)
    _failures: list[PageFailure] = field(default_factory=list)

    def add(self, outcome: Article | PageFailure) -> bool:
        """Queue one outcome; True when a batch is ready to flush."""
        if isinstance(outcome, PageFailure):
            self._failures.append(outcome)
            self.failures_by_kind[outcome.kind] += 1
        else:
            self._articles.append(store.trusted_identity(outcome))
        return len(self._articles) + len(self._failures) >= BATCH_SIZE

    def flush(self) -> None:
        articles, failures = self._articles, self._failures
        self._articles, self._failures = [], []
        if not articles and not failures:
            return
        with self.times.measure("store articles"), open_warehouse(self.database) as con, transaction(con):
            batch = store.store_articles(con, self.pass_id, articles)
            store.record_page_failures(con, self.pass_id, failures)
        self.result.merge(batch)
        # Two feeds may list the same article: credit the feed whose copy was stored.
        feed_of = {store.article_id_for(a.canonical_url): a.feed for a in reversed(articles)}
        self.new_by_feed.update(feed_of[article_id] for article_id in batch.new)


def collect(settings: Settings, pass_id: str, dask_address: str | None = None) -> CollectSummary:
    """Poll every due feed, fetch and extract what is new, and store it batch by batch.

    With `dask_address`, extraction runs on that Dask cluster (`local`: a two-worker one).
    """
    with extraction_executor(dask_address) as executor:
        return asyncio.run(_collect(settings, pass_id, executor))


async def _collect(settings: Settings, pass_id: str, executor: Executor | None) -> CollectSummary:
    summary = CollectSummary()
    with summary.main_times.measure("collect", cpu_clock=time.process_time):
        await _collect_into(summary, settings, pass_id, executor)
    return summary


async def _collect_into(summary: CollectSummary, settings: Settings, pass_id: str, executor: Executor | None) -> None:
    now = datetime.now(UTC)
    with open_warehouse(settings.database) as con:
        validators = store.feed_validators(con)
    due = []
    for feed in settings.feeds:
        known = validators.get(feed.name, store.FeedValidators())
        if known.retry_not_before and known.retry_not_before > now:
            summary.feeds_deferred += 1
        else:
            due.append(FeedRequest(feed, known.etag, known.last_modified))

    writer = _BatchWriter(settings.database, pass_id, times=summary.main_times)
    # The process-wide CPU clock: httpx and the pool's queue threads share the work of fetching.
    measure = partial(summary.main_times.measure, cpu_clock=time.process_time)
    async with Crawler(settings.fetch, settings.feeds, executor=executor) as crawler:
        with measure("poll feeds"):
            polls = await crawler.poll_feeds(due)
        listed = [item for poll in polls for item in poll.items]
        with open_warehouse(settings.database) as con:
            todo = store.items_to_fetch(con, listed)
        stored_before = summary.main_times.cpu.get("store articles", 0.0)
        with measure("fetch pages"):
            async for outcome in crawler.articles(todo):
                if writer.add(outcome):
                    await asyncio.to_thread(writer.flush)
        # Batches stored meanwhile ran on another thread of this process: not fetching.
        stored_meanwhile = summary.main_times.cpu.get("store articles", 0.0) - stored_before
        summary.main_times.add("fetch pages", 0.0, -stored_meanwhile)
    summary.worker_times = crawler.worker_times
    writer.flush()
    # Validators are saved only now, after the articles they cover: a pass killed earlier
    # polls the feed afresh instead of getting a 304 that would hide unstored items.
    with summary.main_times.measure("store articles"), open_warehouse(settings.database) as con, transaction(con):
        store.record_feed_polls(con, pass_id, polls, dict(writer.new_by_feed))

    summary.feeds_polled = len(polls)
    summary.feeds_not_modified = sum(p.not_modified for p in polls)
    summary.feed_errors = {p.feed: p.error for p in polls if p.error}
    summary.items_listed = len(listed)
    summary.pages_requested = len(todo)
    summary.new_articles = len(writer.result.new)
    summary.updated_articles = len(writer.result.updated)
    summary.unchanged_articles = writer.result.unchanged
    summary.duplicates = len(writer.result.duplicates)
    summary.page_failures = dict(writer.failures_by_kind)


@dataclass(frozen=True)
class TrackSummary:
    articles_tracked: int
    assignments: int
    developments_opened: int
    alerts_queued: int


def track_storylines(settings: Settings, *, now: datetime | None = None) -> TrackSummary:
    """Assign untracked articles to storylines and queue alerts for opened developments.

    Batch by batch, each atomic with its alerts: memory holds one batch's texts, however
    many articles a pass stored.
    """
    now = now or datetime.now(UTC)
    tracked = assignments = opened = queued = 0
    while True:
        with open_warehouse(settings.database) as con, transaction(con):
            article_ids = store.untracked_article_ids(con, limit=BATCH_SIZE)
            result = track(con, settings.storylines, article_ids, now=now)
            queued += _queue_development_alerts(con, settings, result.opened, now)
            store.mark_tracked(con, article_ids, now)
        tracked += len(article_ids)
        assignments += len(result.assignments)
        opened += len(result.opened)
        if len(article_ids) < BATCH_SIZE:
            break
    with open_warehouse(settings.database) as con, transaction(con):
        queued += enqueue_feed_health_alerts(con, settings.notify, settings.alerts, now=now)
    return TrackSummary(tracked, assignments, opened, queued)


def backfill_storyline(
    settings: Settings,
    storyline: StorylineSettings,
    *,
    alert: bool,
    on_progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> TrackingResult:
    """Run a (new) storyline over the stored articles, atomically; with `alert`, queue alerts for
    the developments it opens in the same transaction. `on_progress` hears (articles done, ahead)."""
    now = now or datetime.now(UTC)
    with open_warehouse(settings.database) as con, transaction(con):
        ahead, done = count_unassigned(con, storyline.id), 0

        def advance(articles: int) -> None:
            nonlocal done
            done += articles
            if on_progress is not None:
                on_progress(done, ahead)

        advance(0)
        return backfill(
            con, storyline, now=now, on_batch=advance,
            on_opened=(lambda opened: _queue_development_alerts(con, settings, opened, now)) if alert else None,
        )


def _queue_development_alerts(
    con: duckdb.DuckDBPyConnection, settings: Settings, opened: Sequence[Development], now: datetime
) -> int:
    titles = {storyline.id: storyline.title for storyline in settings.storylines}
    return enqueue_development_alerts(con, opened, settings.notify, now=now, storyline_titles=titles)


def deliver_alerts(settings: Settings) -> DeliveryReport:
    return deliver_pending(settings.database, settings.notify, settings.alerts)


@dataclass(frozen=True)
class PassSummary:
    pass_id: str
    started_at: datetime
    finished_at: datetime
    collected: CollectSummary
    tracked: TrackSummary
    delivered: DeliveryReport
    task_times: StageTimes = field(default_factory=StageTimes)  # per Prefect task, seen from the flow

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def idle(self) -> bool:
        """Nothing stored, updated or tracked, no alert moved, no feed or page failed: only polls happened."""
        c, t, d = self.collected, self.tracked, self.delivered
        return not (c.new_articles or c.updated_articles or c.feed_errors or c.page_failures
                    or t.articles_tracked or t.assignments or t.developments_opened or t.alerts_queued
                    or d.sent or d.retried or d.failed)


def record_pass(settings: Settings, summary: PassSummary) -> None:
    with open_warehouse(settings.database) as con:
        store.record_pass(con, summary.pass_id, summary.started_at, summary.finished_at,
                          json.dumps(summary.as_dict(), default=str))
