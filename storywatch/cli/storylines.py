"""`storywatch timeline` and `storywatch backfill`: a storyline's developments, and running a new storyline over stored articles."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import MofNCompleteColumn, Progress
from rich.table import Table

from storywatch.cli.app import ConfigOption, JsonOption, app, console, settings_from, user_errors
from storywatch.storylines import store
from storywatch.warehouse.analyst import refresh_analyst_copy
from storywatch.warehouse.db import open_warehouse

StorylineArgument = Annotated[str, typer.Argument(help="The storyline's id from the config.")]


@app.command()
@user_errors
def timeline(storyline_id: StorylineArgument, json_output: JsonOption = False, config: ConfigOption = None) -> None:
    """The storyline's developments in time order, each with its sources and article URLs."""
    settings = settings_from(config)
    storyline = settings.storyline(storyline_id)
    with open_warehouse(settings.database, read_only=True) as con:
        developments = store.timeline(con, storyline.id)
    if json_output:
        console.print_json(json.dumps({"storyline_id": storyline.id, "title": storyline.title,
                                       "developments": developments}, default=str))
        return
    if not developments:
        console.print(f"{storyline.title}: no developments yet (no stored article matches its query).")
        return
    table = Table(title=storyline.title, show_lines=True)
    for column in ("first seen", "development", "sources", "articles"):
        table.add_column(column, overflow="fold")
    for development in developments:
        table.add_row(
            f"{development['first_seen_at']:%Y-%m-%d %H:%M}",
            f"[bold]{development['headline']}[/bold]\n{development['explanation']}",
            f"{development['source_count']}: " + ", ".join(development["sources"]),
            "\n".join(_article_line(article) for article in development["articles"]),
        )
    console.print(table)


@app.command("backfill")
@user_errors
def backfill_command(
    storyline_id: StorylineArgument,
    alert: Annotated[bool, typer.Option("--alert", help="Alert the developments found, as if they were news.")] = False,
    config: ConfigOption = None,
) -> None:
    """Run a storyline over the articles already stored (after adding it to the config)."""
    from storywatch.flows.steps import backfill_storyline  # here: the pipeline's libraries load slowly, `timeline` needs none

    settings = settings_from(config)
    storyline = settings.storyline(storyline_id)
    with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console, transient=True) as progress:
        task = progress.add_task(f"backfilling {storyline.id}", total=None)
        result = backfill_storyline(
            settings, storyline, alert=alert,
            on_progress=lambda done, ahead: progress.update(task, completed=done, total=ahead),
        )
    refresh_analyst_copy(settings.database)
    console.print(
        f"{storyline.id}: {len(result.assignments)} articles assigned, {len(result.opened)} developments "
        + ("opened and alerted." if alert else "opened (not alerted; use --alert to alert them).")
    )


def _article_line(article: dict) -> str:
    copy = f" (copy of {article['duplicate_of']})" if article["duplicate_of"] else ""
    return f"{article['source']}: {article['url']}{copy}"
