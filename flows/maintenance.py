"""Database maintenance as a Prefect flow: raw HTML retention and a checkpoint, once a day."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from storywatch.config import Settings, load_settings
from storywatch.flows.monitor import publish_analyst_copy
from storywatch.warehouse import maintenance
from storywatch.warehouse.maintenance import MaintenanceSummary


@task(name="prune-and-checkpoint", cache_policy=NO_CACHE)
def prune_and_checkpoint(settings: Settings) -> MaintenanceSummary:
    return maintenance.maintain(settings.database, settings.maintenance.raw_html_retention_days)


@flow(name="storywatch-maintain", log_prints=True)
def maintain(config_path: str | None = None) -> MaintenanceSummary:
    """Drop raw HTML past its retention (the extracted text stays) and checkpoint the file; republish the analyst copy."""
    settings = load_settings(Path(config_path) if config_path else None)
    summary = prune_and_checkpoint(settings)
    publish_analyst_copy(settings)
    lines = ["# storywatch maintenance", "", "| what | value |", "|---|---|"]
    lines += [f"| {what} | {value} |" for what, value in summary.rows()]
    create_markdown_artifact(key="storywatch-maintain", markdown="\n".join(lines), description="Maintenance summary")
    return summary
