"""`storywatch run`, `serve` and `status`: the operator's commands."""

from __future__ import annotations

import dataclasses
import json
import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from storywatch.cli.app import (
    ConfigOption,
    JsonOption,
    app,
    console,
    flow_settings,
    settings_from,
    shown,
    user_errors,
)
from storywatch.config import Settings
from storywatch.warehouse.db import open_warehouse
from storywatch.warehouse.status import read_status

if TYPE_CHECKING:
    from storywatch.flows.steps import PassSummary


@app.command()
@user_errors
def run(
    config: ConfigOption = None,
    dask: Annotated[
        str | None,
        typer.Option(help="Extract on a Dask cluster: a scheduler address, or `local` for a two-worker one."),
    ] = None,
) -> None:
    """One monitoring pass as a Prefect flow run."""
    _, config_path = flow_settings(config)
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    # With an API URL, or with temporary servers turned off, Prefect reports a missing URL itself.
    if not PREFECT_API_URL.value() and PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        _start_temporary_server(dask)
    from storywatch.flows import pass_heartbeats
    from storywatch.flows.monitor import monitor_pass

    with pass_heartbeats():  # entered after the server's start: the settings it enters carry its URL
        summary = monitor_pass(config_path=config_path, dask_address=dask)
    print_pass(console, summary, f"pass {summary.pass_id}")


def _start_temporary_server(dask: str | None) -> None:
    """For a pass with no Prefect server to report to: a temporary one starts first, before anything loads."""
    from storywatch.flows.api_server import TemporaryAPIServer

    server = TemporaryAPIServer()
    if not dask:
        # The server's start is a core's work for seconds: the extraction workers' imports run
        # meanwhile, in their own process.
        from storywatch.extractors.crawl import start_fork_server

        threading.Thread(target=start_fork_server, name="fork-server-start", daemon=True).start()
    import storywatch.flows.monitor  # noqa: F401  (the pass's imports, while the server starts)

    server.use()


def print_pass(console: Console, summary: PassSummary, title: str) -> None:
    """The pass table (the rows of the Prefect artifact), then each feed's error on a line of its own."""
    from storywatch.flows.report import pass_rows

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for what, count in pass_rows(summary):
        table.add_row(what, count)
    console.print(table)
    for feed, error in summary.collected.feed_errors.items():
        console.print(f"[yellow]feed {shown(feed)}:[/yellow] {shown(error)}", highlight=False)


@app.command()
@user_errors
def serve(config: ConfigOption = None) -> None:
    """Run the monitor on the config's schedule until stopped (Prefect serve).

    With `web.enabled` in the config the same process serves the web pages.
    """
    settings, config_path = flow_settings(config)
    from storywatch.flows.monitor import monitor_pass

    with _web_pages(settings):
        monitor_pass.serve(
            name="storywatch",
            interval=timedelta(minutes=settings.schedule.interval_minutes),
            parameters={"config_path": config_path},
            global_limit=1,  # two passes must never write the same database at once
            paused=False,
            pause_on_shutdown=False,  # a stopped `serve` must not leave the schedule paused
        )


def _web_pages(settings: Settings) -> AbstractContextManager:
    """The web site in a background thread while the monitor serves, when the config enables it."""
    if not settings.web.enabled:
        return nullcontext()
    from storywatch.web.server import WebSite

    site = WebSite(settings)
    console.print(f"web pages on {site.url}/", highlight=False, soft_wrap=True)
    return site


@app.command()
@user_errors
def status(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Feed health, counts, pending and failed alerts, and the last pass."""
    settings = settings_from(config)
    with open_warehouse(settings.database, read_only=True, lock_wait_seconds=10) as con:
        current = read_status(con)
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(current), default=str, indent=2))
        return
    feeds = Table(title="feeds")
    for column in ("feed", "last success", "last error", "failures", "articles"):
        feeds.add_column(column)
    for feed in current.feeds:
        error = f"{feed.last_error_at:%Y-%m-%d %H:%M} {shown(feed.last_error)}" if feed.last_error_at else ""
        feeds.add_row(
            shown(feed.feed),
            f"{feed.last_success_at:%Y-%m-%d %H:%M}" if feed.last_success_at else "never",
            error,
            f"[red]{feed.consecutive_failures}[/red]" if feed.consecutive_failures else "0",
            str(feed.articles),
        )
    console.print(feeds)
    counts = Table(title="counts", show_header=False)
    for name, value in current.counts.items():
        counts.add_row(name.replace("_", " "), str(value))
    console.print(counts)
    if current.last_pass:
        last = current.last_pass
        console.print(f"last pass {last['pass_id']} finished {last['finished_at']:%Y-%m-%d %H:%M:%S} UTC")
