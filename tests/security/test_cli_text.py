"""Finding 12: attacker-chosen text prints as written, and a feed's error clears once it works again."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from storywatch.cli import app
from storywatch.demo.server import LoopbackSite
from tests.security.conftest import run_pass, write_config


def unwrapped(table: str) -> str:
    """A rich table's text with the wrapping undone (cells fold at any terminal width)."""
    return re.sub(r"[\s│┃]+", "", table)


def test_markup_in_an_error_prints_literally_and_clears_on_success(tmp_path, site: LoopbackSite, news) -> None:
    site.redirect("/rss.xml", "/gone[/yellow][bold]")
    config = write_config(tmp_path, {"Gazette": site.url("/rss.xml")})
    failed = run_pass(config)
    assert "[/yellow][bold]" in failed.collected.feed_errors["Gazette"]

    status = CliRunner().invoke(app, ["status", "-c", str(config)], env={"COLUMNS": "300"})
    assert status.exit_code == 0, status.output
    assert "/gone[/yellow][bold]:HTTP404" in unwrapped(status.output)

    site.route("/rss.xml", news.rss([news.story("a", "ferry")], lambda s: "/a"), content_type="application/rss+xml")
    recovered = run_pass(config)
    assert recovered.rows("SELECT last_error, last_error_at FROM feeds") == [(None, None)]
    assert "HTTP404" not in unwrapped(CliRunner().invoke(app, ["status", "-c", str(config)]).output)
