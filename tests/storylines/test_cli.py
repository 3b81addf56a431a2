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

from .conftest import COLONIAL, EVER_GIVEN, IMPOUNDING, SEEDS, store_corpus_article

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "storywatch.yaml"
    path.write_text(
        "database: storywatch.duckdb\n"
        "feeds:\n  - name: Wire\n    url: https://example.org/rss.xml\n"
        "storylines:\n"
        f"  - id: {EVER_GIVEN.id}\n    title: {EVER_GIVEN.title}\n    query: '{EVER_GIVEN.query}'\n"
        f"  - id: {COLONIAL.id}\n    title: {COLONIAL.title}\n    query: '{COLONIAL.query}'\n"
        "notify:\n  - url: json://127.0.0.1:9/hook\n",
        encoding="utf-8",
    )
    return path


def _stored(config: Path, corpus, storylines) -> None:
    con = connect(config.parent / "storywatch.duckdb")
    for key in SEEDS:
        with transaction(con):
            article_id = store_corpus_article(con, corpus[key])
            track(con, storylines, [article_id], now=datetime(2021, 11, 1, tzinfo=timezone.utc))
    con.close()


def test_timeline_prints_the_developments_in_time_order_with_sources(config, corpus, monkeypatch):
    _stored(config, corpus, [EVER_GIVEN, COLONIAL])
    monkeypatch.setattr(console, "width", 250)  # one line per headline, whatever the test terminal
    result = runner.invoke(app, ["timeline", EVER_GIVEN.id, "-c", str(config)])
    assert result.exit_code == 0, result.output
    output = result.output
    assert EVER_GIVEN.title in output
    positions = [output.index(text) for text in ("Stranded megaship", "Ever Given refloated", "Egypt impounds")]
    assert positions == sorted(positions)
    assert "The Lakeside Times" in output and "Northgate Wire" in output and "Colonial" not in output


def test_timeline_json_lists_each_development_with_its_article_urls(config, corpus):
    _stored(config, corpus, [EVER_GIVEN, COLONIAL])
    result = runner.invoke(app, ["timeline", EVER_GIVEN.id, "--json", "-c", str(config)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    developments = document["developments"]
    assert [d["article_count"] for d in developments] == [1, 1, 1]
    assert developments[2]["articles"][0]["url"] == f"https://news.example/{IMPOUNDING}"
    assert developments[2]["nearest_development_id"] == developments[1]["development_id"]


def test_timeline_of_an_unknown_storyline_is_a_one_line_error(config, corpus):
    _stored(config, corpus, [EVER_GIVEN])
    result = runner.invoke(app, ["timeline", "no-such-storyline", "-c", str(config)])
    assert result.exit_code == 2 and "no storyline with id 'no-such-storyline'" in result.output


def _alert_count(config: Path) -> int:
    con = connect(config.parent / "storywatch.duckdb", read_only=True)
    try:
        return con.execute("SELECT count(*) FROM alerts").fetchone()[0]
    finally:
        con.close()


def test_backfill_fills_a_new_storyline_without_alerting_unless_asked(config, corpus):
    _stored(config, corpus, [COLONIAL])  # the Ever Given storyline is added to the config later
    result = runner.invoke(app, ["backfill", EVER_GIVEN.id, "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "3 articles assigned, 3 developments opened (not alerted" in result.output
    assert _alert_count(config) == 0
    timeline = json.loads(runner.invoke(app, ["timeline", EVER_GIVEN.id, "--json", "-c", str(config)]).output)
    assert len(timeline["developments"]) == 3


def test_backfill_with_alert_queues_one_alert_per_opened_development(config, corpus):
    _stored(config, corpus, [COLONIAL])
    result = runner.invoke(app, ["backfill", EVER_GIVEN.id, "--alert", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "opened and alerted" in result.output
    assert _alert_count(config) == 3
