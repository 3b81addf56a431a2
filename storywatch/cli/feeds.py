"""`storywatch feeds import|export|add`: the config's feed list in the conventions of feed readers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from storywatch.cli.app import ConfigOption, app, console, errors, settings_from, user_errors
from storywatch.config import resolve_config_path
from storywatch.errors import OpmlError
from storywatch.feed_list import FeedListChange, Subscription, add_feeds
from storywatch.opml import read_opml, write_opml

feeds_app = typer.Typer(help="Import, export and discover feeds (OPML, autodiscovery).", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("import")
@user_errors
def import_command(
    opml_file: Annotated[Path, typer.Argument(help="An OPML file, as feed readers export it.")],
    config: ConfigOption = None,
) -> None:
    """Add the feeds of an OPML file to the config (comments and order kept; duplicates and bad URLs reported)."""
    try:
        source = opml_file.read_bytes()
    except OSError as error:
        raise OpmlError(f"{opml_file}: cannot be read ({error.strerror})") from None
    try:
        found = read_opml(source)
    except OpmlError as error:
        raise OpmlError(f"{opml_file}: {error}") from None
    config_path = resolve_config_path(config)
    change = add_feeds(config_path, found.subscriptions)
    for outline in found.skipped:
        console.print(f"[yellow]skipped outline[/yellow] {outline}", highlight=False, soft_wrap=True)
    _report(change, config_path)


@feeds_app.command("export")
@user_errors
def export_command(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    config: ConfigOption = None,
) -> None:
    """Write the config's feeds as OPML 2.0 (folders, site URLs and categories included)."""
    document = write_opml(Subscription.of(feed) for feed in settings_from(config).feeds)
    if output is None:
        typer.echo(document.decode("utf-8"), nl=False)
    else:
        output.write_bytes(document)
        errors.print(f"wrote {output}", highlight=False, soft_wrap=True)


@feeds_app.command("add")
@user_errors
def add_command(
    url: Annotated[str, typer.Argument(help="A site's page (its feeds are found) or a feed's URL.")],
    add_all: Annotated[bool, typer.Option("--all", help="Add every readable feed found, without asking.")] = False,
    config: ConfigOption = None,
) -> None:
    """Find the RSS/Atom feeds a site's page names (link rel=alternate) and add the ones you choose."""
    from storywatch.extractors.discovery import discover_feeds

    settings = settings_from(config)
    discovery = asyncio.run(discover_feeds(url, settings.fetch, [feed.url for feed in settings.feeds]))
    if not discovery.feeds:
        errors.print(f'[red]error:[/red] {discovery.page_url} names no RSS or Atom feed (no <link rel="alternate">); '
                     "give the feed's own URL", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    table = Table(title=discovery.page_title or discovery.page_url)
    for column in ("#", "feed", "type", "items", "url"):
        table.add_column(column, overflow="fold")
    for number, feed in enumerate(discovery.feeds, 1):
        table.add_row(str(number), feed.title or "", feed.kind,
                      str(feed.items) if feed.readable else f"[red]{feed.error}[/red]", feed.url)
    console.print(table)
    offered = [number for number, feed in enumerate(discovery.feeds, 1) if feed.readable]
    if not offered:
        raise typer.Exit(1)
    chosen = offered if add_all else _choose(offered)
    subscriptions = [
        Subscription(name=feed.title or discovery.page_title or feed.url, url=feed.url, site_url=feed.site_url)
        for feed in (discovery.feeds[number - 1] for number in chosen)
    ]
    config_path = resolve_config_path(config)
    _report(add_feeds(config_path, subscriptions), config_path)


def _choose(offered: list[int]) -> list[int]:
    answer = typer.prompt("Add which feeds? (numbers like 1,3, 'all', or 'none')", default=str(offered[0]))
    if answer.strip().lower() == "all":
        return offered
    if answer.strip().lower() in ("none", ""):
        return []
    chosen = []
    for part in answer.replace(",", " ").split():
        if not part.isdigit() or int(part) not in offered:
            raise typer.BadParameter(f"{part!r} is not one of the readable feeds listed ({', '.join(map(str, offered))})")
        chosen.append(int(part))
    return chosen


def _report(change: FeedListChange, config_path: Path) -> None:
    for offered, given in change.renamed:
        console.print(f"[yellow]renamed[/yellow] {offered!r} to {given!r}: feed names are unique",
                      highlight=False, soft_wrap=True)
    for subscription, existing in change.duplicates:
        console.print(f"[yellow]duplicate[/yellow] {subscription.name}: {subscription.url} is already "
                      f"in the config as {existing!r}", highlight=False, soft_wrap=True)
    for subscription, reason in change.invalid:
        console.print(f"[red]not added[/red] {subscription.name}: {reason} (got {subscription.url!r})",
                      highlight=False, soft_wrap=True)
    if change.added:
        console.print(f"added {len(change.added)} feed{'s' if len(change.added) != 1 else ''} to {config_path}: "
                      + ", ".join(feed.name for feed in change.added), highlight=False, soft_wrap=True)
    else:
        console.print(f"no feeds added; {config_path} is unchanged", highlight=False, soft_wrap=True)
