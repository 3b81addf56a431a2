"""Opening the database: migrations, DuckDB's one-process lock handled with a clear message, batch writes."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from storywatch.errors import DatabaseBusy, DatabaseError
from storywatch.warehouse.db import connect, insert_all, migrations, unnested

SPEC_COLUMNS = {
    "articles": {"article_id", "url", "canonical_url", "feed", "source", "title", "author", "published_at",
                 "fetched_at", "language", "text", "content_hash", "duplicate_of"},
    "storyline_articles": {"storyline_id", "article_id", "development_id", "score", "explanation"},
    "developments": {"development_id", "storyline_id", "headline", "first_article_id", "first_seen_at",
                     "last_seen_at", "article_count", "source_count"},
    "alerts": {"alert_id", "development_id", "target", "status", "attempts", "created_at", "sent_at", "last_error"},
    "feed_fetches": {"feed", "url", "fetched_at", "status_code", "error", "items", "new_articles"},
}


def hold_lock(path, seconds: float) -> subprocess.Popen:
    """Another process holding the file, as an analyst's session or a second pass would."""
    code = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep({seconds})"
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_spec_views_have_spec_columns(tmp_path):
    con = connect(tmp_path / "sw.duckdb")
    for view, columns in SPEC_COLUMNS.items():
        present = {row[0] for row in con.execute(f"DESCRIBE {view}").fetchall()}
        assert columns <= present, f"{view} lacks {columns - present}"
    published = con.execute("SELECT data_type FROM information_schema.columns "
                            "WHERE table_name = 'articles' AND column_name = 'published_at'").fetchone()
    assert published == ("TIMESTAMP WITH TIME ZONE",)


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "sw.duckdb"
    connect(path).close()
    con = connect(path)
    versions = [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
    assert versions == [version for version, _, _ in migrations()]


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "sw.duckdb"
    con = connect(path)
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (999, '999_future.sql')")
    con.close()
    with pytest.raises(DatabaseError, match="newer than this storywatch"):
        connect(path)


def test_held_lock_fails_with_holder_named(tmp_path):
    path = tmp_path / "sw.duckdb"
    connect(path).close()
    holder = hold_lock(path, 30)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match=rf"locked by process {holder.pid} for more than 1 s"):
            connect(path, lock_wait_seconds=1)
        assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()


def test_briefly_held_lock_is_waited_out_and_said_once(tmp_path, caplog):
    path = tmp_path / "sw.duckdb"
    connect(path).close()
    holder = hold_lock(path, 1.0)
    con = connect(path, lock_wait_seconds=30)
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    holder.wait()
    waits = [r.getMessage() for r in caplog.records if "is locked" in r.getMessage()]
    assert waits == [f"database {path} is locked by process {holder.pid}; waiting up to 30 s"]


def test_not_a_database(tmp_path):
    path = tmp_path / "sw.duckdb"
    path.write_bytes(b"this is not a duckdb file" * 100)
    with pytest.raises(DatabaseError, match="cannot be opened"):
        connect(path)


def test_read_only_needs_existing_file(tmp_path):
    with pytest.raises(DatabaseError, match="does not exist yet"):
        connect(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


def test_batch_rows_are_keyed_by_column_and_typed_by_the_table(tmp_path):
    con = connect(tmp_path / "sw.duckdb")
    rows = [{"feed": "wire", "failing": True, "incident": 1, "changed_at": "2026-03-01T10:00:00+00:00"},
            {"incident": 2, "feed": "desk", "failing": False, "changed_at": "2026-03-01T11:00:00+00:00"}]
    assert insert_all(con, "internal.feed_health", rows) == 2
    upsert = "ON CONFLICT (feed) DO UPDATE SET incident = feed_health.incident + excluded.incident"
    assert insert_all(con, "internal.feed_health", [{**rows[0], "incident": 5}], on_conflict=upsert) == 1
    assert insert_all(con, "internal.feed_health", rows, on_conflict="ON CONFLICT DO NOTHING") == 0
    assert insert_all(con, "internal.feed_health", []) == 0
    stored = con.execute("SELECT feed, failing, incident, typeof(changed_at) FROM internal.feed_health ORDER BY feed")
    assert stored.fetchall() == [("desk", False, 2, "TIMESTAMP WITH TIME ZONE"), ("wire", True, 6, "TIMESTAMP WITH TIME ZONE")]
    select, parameters = unnested(con, "internal.feed_health", [{"feed": "wire", "incident": 7}])
    assert con.execute(f"SELECT * FROM ({select})", parameters).fetchall() == [("wire", 7)]


def test_batch_row_missing_a_column_is_refused(tmp_path):
    con = connect(tmp_path / "sw.duckdb")
    with pytest.raises(KeyError, match="incident"):
        insert_all(con, "internal.feed_health", [{"feed": "wire", "incident": 1}, {"feed": "desk"}])
