"""`storywatch timeline` and `storywatch backfill` through typer's CliRunner."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storywatch.cli import app
from storywatch.cli.app import console
from storywatch.storylines import track
from storywatch.warehouse.db import connect, transaction

from .conftest import AMBASSADOR, NATO, store_seed

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "storywatch.yaml"
    path.write_text(
        "database: storywatch.duckdb\n"
        "feeds:\n  - name: Wire\n    url: https://example.org/rss.xml\n"
        "storylines:\n"
        f"  - id: {AMBASSADOR.id}\n    title: {AMBASSADOR.title}\n    query: '{AMBASSADOR.query}'\n"
        f"  - id: {NATO.id}\n    title: {NATO.title}\n    query: '{NATO.query}'\n"
        "notify:\n  - url: json://127.0.0.1:9/hook\n",
        encoding="utf-8",
    )
    return path


def _stored(config: Path, seeds, storylines) -> None:
    con = connect(config.parent / "storywatch.duckdb")
    for key in ("003", "000", "001", "002"):
        with transaction(con):
            article_id = store_seed(con, seeds[key])
            track(con, storylines, [article_id], now=datetime(2021, 11, 1, tzinfo=timezone.utc))
    con.close()


def test_timeline_prints_the_developments_in_time_order_with_sources(config, seeds, monkeypatch):
    _stored(config, seeds, [AMBASSADOR, NATO])
    monkeypatch.setattr(console, "width", 250)  # one line per headline, whatever the test terminal
    result = runner.invoke(app, ["timeline", AMBASSADOR.id, "-c", str(config)])
    assert result.exit_code == 0, result.output
    output = result.output
    assert AMBASSADOR.title in output
    positions = [output.index(text) for text in ("Dead-End Russian/US Relations?", "returns to Moscow", "unlikely to reboot")]
    assert positions == sorted(positions)
    assert "Stephen Lendman blog" in output and "TASS" in output and "NATO" not in output


def test_timeline_json_lists_each_development_with_its_article_urls(config, seeds):
    _stored(config, seeds, [AMBASSADOR, NATO])
    result = runner.invoke(app, ["timeline", AMBASSADOR.id, "--json", "-c", str(config)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    developments = document["developments"]
    assert [d["article_count"] for d in developments] == [1, 1, 1]
    assert developments[2]["articles"][0]["url"] == "https://news.example/seed-001"
    assert developments[2]["nearest_development_id"] == developments[1]["development_id"]


def test_timeline_of_an_unknown_storyline_is_a_one_line_error(config, seeds):
    _stored(config, seeds, [AMBASSADOR])
    result = runner.invoke(app, ["timeline", "no-such-storyline", "-c", str(config)])
    assert result.exit_code == 2 and "no storyline with id 'no-such-storyline'" in result.output


def _alert_count(config: Path) -> int:
    con = connect(config.parent / "storywatch.duckdb", read_only=True)
    try:
        return con.execute("SELECT count(*) FROM alerts").fetchone()[0]
    finally:
        con.close()


def test_backfill_fills_a_new_storyline_without_alerting_unless_asked(config, seeds):
    _stored(config, seeds, [NATO])  # the ambassador storyline is added to the config later
    result = runner.invoke(app, ["backfill", AMBASSADOR.id, "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "3 articles assigned, 3 developments opened (not alerted" in result.output
    assert _alert_count(config) == 0
    timeline = json.loads(runner.invoke(app, ["timeline", AMBASSADOR.id, "--json", "-c", str(config)]).output)
    assert len(timeline["developments"]) == 3


def test_backfill_with_alert_queues_one_alert_per_opened_development(config, seeds):
    _stored(config, seeds, [NATO])
    result = runner.invoke(app, ["backfill", AMBASSADOR.id, "--alert", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "opened and alerted" in result.output
    assert _alert_count(config) == 3
