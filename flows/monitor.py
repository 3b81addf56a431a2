"""The monitoring pass as a Prefect flow: one task per stage, never one per article.

Tasks get the validated settings with caching off (a pass must always do its work) and open
their own short database windows, so no live connection ever crosses a task boundary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from storywatch.config import Settings, load_settings
from storywatch.flows import steps
from storywatch.flows.report import pass_markdown
from storywatch.timings import StageTimes
from storywatch.warehouse.analyst import copy_is_stale, refresh_analyst_copy


@task(name="collect-articles", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def collect_articles(settings: Settings, pass_id: str, dask_address: str | None) -> steps.CollectSummary:
    # A retry is safe: links stored by the failed attempt are skipped, the rest fetched.
    return steps.collect(settings, pass_id, dask_address)


@task(name="track-storylines", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def track_storylines(settings: Settings) -> steps.TrackSummary:
    return steps.track_storylines(settings)


@task(name="deliver-alerts", cache_policy=NO_CACHE)
def deliver_alerts(settings: Settings):
    # No task retries: undelivered alerts stay in the outbox with their own backoff.
    return steps.deliver_alerts(settings)


@task(name="publish-analyst-copy", cache_policy=NO_CACHE)
def publish_analyst_copy(settings: Settings) -> Path:
    # After the pass's last write, so the copy shows the whole pass (warehouse.analyst).
    return refresh_analyst_copy(settings.database)


@flow(name="storywatch-pass", log_prints=True)
def monitor_pass(config_path: str | None = None, dask_address: str | None = None) -> steps.PassSummary:
    """Poll every feed, store new articles, track storylines, deliver pending alerts, publish the analyst copy.

    An idle pass publishes the copy only when it is stale (`warehouse.analyst.STALE_AFTER`):
    the copy costs time in proportion to the stored articles, and the pass changed nothing in it
    but its own polls.

    `dask_address` sends extraction to a Dask scheduler (`local`: a throwaway two-worker cluster).
    """
    settings = load_settings(Path(config_path) if config_path else None)
    started_at = datetime.now(UTC)
    pass_id = steps.new_pass_id(started_at)
    # Each task as the flow sees it, Prefect's state changes included (the bench subtracts the step's own).
    tasks = StageTimes()
    with tasks.measure("collect-articles"):
        collected = collect_articles(settings, pass_id, dask_address)
    with tasks.measure("track-storylines"):
        tracked = track_storylines(settings)
    with tasks.measure("deliver-alerts"):
        delivered = deliver_alerts(settings)
    summary = steps.PassSummary(pass_id, started_at, datetime.now(UTC), collected, tracked, delivered, tasks)
    steps.record_pass(settings, summary)
    if not summary.idle or copy_is_stale(settings.database):
        publish_analyst_copy(settings)
    create_markdown_artifact(key="storywatch-pass", markdown=pass_markdown(summary), description="Pass summary")
    return summary
