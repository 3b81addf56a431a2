"""The analyst copy: the same views as the live file, replaced whole on each publish, never locking the writer."""

from __future__ import annotations

import subprocess
import sys

from storywatch.warehouse import store
from storywatch.warehouse.analyst import WORKING_TABLES, analyst_copy_path, publish_analyst_copy
from storywatch.warehouse.db import connect, transaction
from tests.builders import make_article

TEXT = ("The harbour board voted on Tuesday to rebuild the north pier, which storms closed last winter. "
        "Work starts in March and the pier should reopen to fishing boats by the autumn.")


def view_rows(con) -> dict[str, list[tuple]]:
    views = [name for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' ORDER BY 1").fetchall()]
    return {view: con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall() for view in views}


def store_one(con, url: str) -> None:
    with transaction(con):
        store.store_articles(con, "p1", [make_article(url, f"{TEXT} ({url})")])


def test_copy_path_is_beside_the_database(tmp_path):
    assert analyst_copy_path(tmp_path / "sw.duckdb") == tmp_path / "sw.analyst.duckdb"


def test_published_copy_has_the_same_views_and_rows(tmp_path):
    database = tmp_path / "sw.duckdb"
    con = connect(database)
    store_one(con, "https://a.example/pier")
    published = publish_analyst_copy(con, database)
    live = view_rows(con)
    con.close()
    copy = connect(published, read_only=True)
    assert view_rows(copy) == live
    assert len(live["articles"]) == 1 and "developments" in live and "alerts" in live
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sw.analyst.duckdb", "sw.duckdb"]


def table_counts(con) -> dict[str, int]:
    tables = con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1").fetchall()
    return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for (name,) in tables}


def test_the_copy_has_every_table_and_leaves_the_working_tables_empty(tmp_path):
    database = tmp_path / "sw.duckdb"
    with connect(database) as con:
        store_one(con, "https://a.example/pier")
        live = table_counts(con)
        published = publish_analyst_copy(con, database)
    with connect(published, read_only=True) as copy:
        copied = table_counts(copy)
    working = {f"internal.{table}" for table in WORKING_TABLES}
    assert live["internal.pages"] == 1 and live["internal.fingerprint_bands"] > 0  # the article's raw HTML and bands
    assert copied == {name: 0 if name in working else count for name, count in live.items()}
    assert live["internal.articles"] == copied["internal.articles"] == 1


def test_republish_replaces_the_copy_while_another_process_reads_the_old_one(tmp_path):
    database = tmp_path / "sw.duckdb"
    con = connect(database)
    store_one(con, "https://a.example/1")
    published = publish_analyst_copy(con, database)
    reader = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys; c = duckdb.connect({str(published)!r}, read_only=True); "
         "print(c.execute('SELECT count(*) FROM articles').fetchone()[0], flush=True); sys.stdin.readline(); "
         "print(c.execute('SELECT count(*) FROM articles').fetchone()[0], flush=True)"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "1"
        (tmp_path / ".sw.analyst.duckdb.partial").write_text("left by a killed publish")
        store_one(con, "https://a.example/2")
        publish_analyst_copy(con, database)
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"  # an open session keeps the copy it opened
    finally:
        reader.kill()
        reader.wait()
    con.close()
    with connect(published, read_only=True) as copy:
        assert copy.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sw.analyst.duckdb", "sw.duckdb"]
