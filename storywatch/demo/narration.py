"""What the demo prints: each wave, each pass, the alerts, the timelines and where to look next."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text
from rich.tree import Tree

from storywatch.cli.pipeline import print_pass
from storywatch.config import Settings
from storywatch.demo.newsroom import Newsroom, SampleArticle
from storywatch.flows.steps import PassSummary

ROLE_LABELS = {
    "new-development": "[green]new development: alert[/green]",
    "second-source": "same development, another outlet: no second alert",
    "rehash": "[yellow]rehash of a known development: no alert[/yellow]",
    "syndicated-copy": "[yellow]syndicated copy: duplicate_of, no alert[/yellow]",
    "passing-mention": "[yellow]mentions a storyline in passing: must not join[/yellow]",
    "unrelated": "[dim]unrelated[/dim]",
}

# Example queries for the closing hints; free of quotes, so they nest in a one-line shell command.
QUERIES = {
    "developments, oldest first": (
        "SELECT storyline_id, first_seen_at, article_count, source_count, headline "
        "FROM developments ORDER BY storyline_id, first_seen_at"
    ),
    "syndicated copies": "SELECT source, title, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL",
    "why each article joined": "SELECT storyline_id, development_id, score, explanation FROM storyline_articles",
    "the alert outbox": "SELECT development_id, target, status, attempts, sent_at FROM alerts ORDER BY created_at",
}


def intro(console: Console, site_url: str, config: Path, settings: Settings, alerts_file: Path) -> None:
    console.rule("[bold]storywatch demo")
    console.print(
        f"A sample newsroom of three fictional outlets is running at {site_url}. It publishes "
        "in three waves; after each, storywatch runs one monitoring pass (a real Prefect flow run).\n"
        f"config   {config}\ndatabase {settings.database}\nalerts   {alerts_file} (via Apprise json://)\n"
        "The first pass also starts Prefect's temporary API server: allow 20-30 s.",
        highlight=False,
    )


def wave(console: Console, number: int, story: str, articles: Sequence[SampleArticle], newsroom: Newsroom) -> None:
    console.rule(f"[bold]Wave {number}")
    console.print(story + "\n", highlight=False)
    # Two lines per article rather than a table: headlines stay readable in an 80-column terminal.
    for article in articles:
        console.print(f"• {newsroom.outlets[article.outlet].name}, {_when(article.published_at)}: "
                      f"{ROLE_LABELS[article.role]}\n  [bold]{escape(article.title)}[/bold]", highlight=False)


def monitor_pass(console: Console, number: int, summary: PassSummary, flow_run: str) -> None:
    print_pass(console, summary, f"Pass {number} · Prefect flow run {flow_run}")


def alerts(console: Console, received: Sequence[dict], expected: int) -> None:
    style = "green" if len(received) == expected else "red"
    console.print(f"[{style}]{len(received)} alert(s) received (expected {expected})[/{style}]")
    for alert in received:
        # Text, not str: alert content is data and must not be read as rich markup.
        console.print(Panel(Text(alert.get("message", "")), title=Text(alert.get("title") or "alert"),
                            title_align="left", border_style="cyan"))


def timelines(console: Console, settings: Settings, found: dict[str, list[dict]]) -> None:
    console.rule("[bold]Timelines")
    for storyline in settings.storylines:
        tree = Tree(f"[bold]{storyline.title}[/bold] [dim]({storyline.id})[/dim]")
        for development in found[storyline.id]:
            branch = tree.add(
                f"{_when(development['first_seen_at'])}  [bold]{escape(development['headline'])}[/bold]  "
                f"[dim]{development['article_count']} article(s), {development['source_count']} source(s)[/dim]"
            )
            for article in development["articles"]:
                copy = "  [yellow](syndicated copy)[/yellow]" if article["duplicate_of"] else ""
                branch.add(f"{_when(article['seen_at'])}  {escape(article['source'])}: {escape(article['title'] or article['url'])}{copy}")
        if not found[storyline.id]:
            tree.add("[dim]no developments[/dim]")
        console.print(tree)


def look_further(console: Console, analyst_copy: Path, config: Path, storyline_ids: Sequence[str], venv_bin: Path) -> None:
    console.rule("[bold]Look further")
    python, storywatch = shlex.quote(str(venv_bin / "python")), shlex.quote(str(venv_bin / "storywatch"))
    console.print(f"Every pass that finds anything publishes an analyst copy of the database, {analyst_copy.name}: "
                  "a plain DuckDB file whose views (articles, developments, storyline_articles, alerts, feed_fetches) are the analysts' API. "
                  "Keep it open as long as you like; the pipeline never waits for it. With Python:\n",
                  highlight=False)
    for what, sql in QUERIES.items():
        snippet = f"import duckdb; duckdb.connect('{analyst_copy}', read_only=True).sql('{sql}').show()"
        console.print(f'[dim]# {what}[/dim]\n{python} -c "{snippet}"\n', highlight=False, soft_wrap=True)
    first = next(iter(QUERIES.values()))
    console.print(
        "[dim]# or the DuckDB CLI (version 2.0 or later reads this file)[/dim]\n"
        f"duckdb -readonly {shlex.quote(str(analyst_copy))} {shlex.quote(first)}\n\n"
        "[dim]# and storywatch itself[/dim]\n"
        + "\n".join(f"{storywatch} timeline {sid} -c {shlex.quote(str(config))}" for sid in storyline_ids)
        + f"\n{storywatch} status -c {shlex.quote(str(config))}",
        highlight=False, soft_wrap=True,
    )


def _when(moment: datetime) -> str:
    return f"{moment:%a %d %b %H:%M}"
