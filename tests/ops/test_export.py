"""`storywatch export --parquet`: a snapshot of every analyst view that equals the view, however often it runs."""

from __future__ import annotations

from datetime import timedelta

import duckdb
from typer.testing import CliRunner

from storywatch.cli import app
from storywatch.config import load_settings
from storywatch.warehouse import store
from storywatch.warehouse.db import connect, open_warehouse
from storywatch.warehouse.export import EXPORTED_VIEWS, export_parquet
from tests.builders import make_article
from tests.ops.conftest import DAYS_AGO, NOW


def snapshot_of(exported) -> str:
    if exported.partitions:
        return f"SELECT * EXCLUDE (day) FROM read_parquet('{exported.path}/*/*.parquet', hive_partitioning = true)"
    return f"SELECT * FROM read_parquet('{exported.path}')"


def assert_snapshot_equals_views(database, summary) -> None:
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        for exported in summary.views:
            view = con.execute(f"SELECT * FROM {exported.view} ORDER BY ALL").fetchall()
            assert con.execute(f"{snapshot_of(exported)} ORDER BY ALL").fetchall() == view, exported.view
            assert exported.rows == len(view)
    finally:
        con.close()


def test_every_view_is_exported_and_dated_views_are_partitioned_by_day(config_path, tmp_path):
    settings = load_settings(config_path)
    con = connect(settings.database, read_only=True)
    try:
        summary = export_parquet(con, tmp_path / "snapshot")
    finally:
        con.close()

    assert [v.view for v in summary.views] == list(EXPORTED_VIEWS)
    counts = {v.view: v.rows for v in summary.views}
    assert counts["articles"] == 4 and counts["feed_fetches"] == 4
    assert counts["developments"] >= 1 and counts["storyline_articles"] >= 1 and counts["alerts"] >= 1
    days = sorted(f"day={(NOW - timedelta(days=d)).date()}" for d in DAYS_AGO)
    for dated in ("articles", "feed_fetches"):
        assert sorted(p.name for p in (tmp_path / "snapshot" / dated).iterdir()) == days
    assert_snapshot_equals_views(settings.database, summary)


def test_re_export_replaces_the_snapshot_without_duplicates_or_leftovers(config_path, tmp_path, seed_texts):
    settings = load_settings(config_path)
    out = tmp_path / "snapshot"
    with open_warehouse(settings.database, read_only=True) as con:
        export_parquet(con, out)
    (out / ".articles.partial").mkdir()  # as an export killed mid-copy leaves it
    oldest = f"day={(NOW - timedelta(days=DAYS_AGO[0])).date()}"
    assert (out / "articles" / oldest).is_dir()
    # A revised article is fetched again today: it moves out of its old day's partition.
    with open_warehouse(settings.database) as con:
        revised = store.store_articles(con, "p2", [make_article(
            "https://wire.example/0", seed_texts[0] + "\n\nCorrection: an earlier version misdated the grounding.",
            fetched_at=NOW)])
    assert len(revised.updated) == 1
    with open_warehouse(settings.database, read_only=True) as con:
        again = export_parquet(con, out)
        unchanged = export_parquet(con, out)

    assert again == unchanged
    assert {v.view: v.rows for v in again.views}["articles"] == 4
    assert not (out / "articles" / oldest).exists()
    assert_snapshot_equals_views(settings.database, again)
    assert sorted(p.name for p in out.iterdir()) == [
        "alerts.parquet", "articles", "developments.parquet", "feed_fetches", "storyline_articles.parquet"]


def test_cli_exports_and_names_a_missing_database(config_path, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--parquet", str(tmp_path / "snapshot"), "-c", str(config_path)])
    assert result.exit_code == 0, result.output
    assert "articles" in result.output and "feed_fetches" in result.output
    assert (tmp_path / "snapshot" / "developments.parquet").is_file()

    load_settings(config_path).database.unlink()
    missing = runner.invoke(app, ["export", "--parquet", str(tmp_path / "other"), "-c", str(config_path)])
    assert missing.exit_code == 2
    assert "does not exist yet" in missing.output
