"""`storywatch web`: the read-only web pages over the analyst copy."""

from __future__ import annotations

from typing import Annotated

import typer

from storywatch.cli.app import ConfigOption, app, console, settings_from, user_errors
from storywatch.warehouse.analyst import analyst_copy_path


@app.command()
@user_errors
def web(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: web.host, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: web.port, 8080).")] = None,
    config: ConfigOption = None,
) -> None:
    """Serve read-only web pages: storylines, timelines, an Atom feed per storyline, feed health, alerts."""
    from storywatch.web.server import WebSite  # uvicorn and Starlette load only for this command

    settings = settings_from(config)
    site = WebSite(settings, host, port)
    console.print(f"storywatch web on {site.url}/ reading {analyst_copy_path(settings.database)} "
                  "(published after every pass); Ctrl-C stops it", highlight=False, soft_wrap=True)
    site.run()
