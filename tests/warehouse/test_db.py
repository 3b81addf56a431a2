"""Opening the database: migrations, and DuckDB's one-process lock handled with a clear message."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from storywatch.errors import DatabaseBusy, DatabaseError
from storywatch.warehouse.db import connect, migrations

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
