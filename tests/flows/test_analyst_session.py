"""An analyst's session on the published copy, open across several real passes, never holds the pipeline up."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from storywatch.flows.monitor import monitor_pass
from storywatch.warehouse.analyst import STALE_AFTER, analyst_copy_path

pytestmark = pytest.mark.prefect
T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)

# One read-only session held from start to finish; `reopen` closes it and opens the copy afresh.
ANALYST = """
import sys, duckdb
path = sys.argv[1]
session = duckdb.connect(path, read_only=True)
def answer():
    articles = session.execute("SELECT count(*) FROM articles").fetchone()[0]
    latest = session.execute("SELECT max(pass_id) FROM internal.passes").fetchone()[0]
    print(articles, latest, flush=True)
answer()
for command in sys.stdin:
    if command.strip() == "reopen":
        session.close()
        session = duckdb.connect(path, read_only=True)
    answer()
"""


def ask(analyst: subprocess.Popen, command: str) -> tuple[int, str]:
    analyst.stdin.write(command + "\n")
    analyst.stdin.flush()
    articles, latest = analyst.stdout.readline().split()
    return int(articles), latest


def copy_answers(path) -> tuple[int, str]:
    with duckdb.connect(str(path), read_only=True) as copy:
        return (copy.execute("SELECT count(*) FROM articles").fetchone()[0],
                copy.execute("SELECT max(pass_id) FROM internal.passes").fetchone()[0])


def test_an_analyst_session_held_across_passes_blocks_nothing(prefect_api, tmp_path, site, news, caplog):
    stories = [news.story(f"s{i}", subject, T0 + timedelta(hours=i))
               for i, subject in enumerate(["harbour strike", "dam inquiry", "rail tender", "school budget"])]
    for story in stories:
        site.route(f"/news/{story.slug}.html", news.article(story))
    config = tmp_path / "storywatch.yaml"
    config.write_text(f"database: sw.duckdb\nfetch:\n  allow_internal: [127.0.0.1]\nfeeds:\n"
                      f"  - name: Gazette\n    url: {site.url('/rss.xml')}\n")
    published = analyst_copy_path(tmp_path / "sw.duckdb")

    def pass_listing(listed: int):
        site.route("/rss.xml", news.rss(stories[:listed], lambda s: f"/news/{s.slug}.html"),
                   content_type="application/rss+xml")
        return monitor_pass(config_path=str(config))

    first = pass_listing(1)
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(published)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().split() == ["1", first.pass_id]
        caplog.set_level(logging.WARNING, logger="storywatch.warehouse.db")
        for listed in (2, 3, 4):
            summary = pass_listing(listed)
            assert summary.collected.new_articles == 1 and not summary.collected.feed_errors
            assert ask(analyst, "count") == (1, first.pass_id)  # the open session still reads its copy
            assert copy_answers(published) == (listed, summary.pass_id)  # a new session sees this pass
        assert ask(analyst, "reopen") == (4, summary.pass_id)
        assert analyst.poll() is None
    finally:
        analyst.kill()
        analyst.wait()
    # No write window ever waited for a lock, though the analyst held the copy throughout.
    assert [r.getMessage() for r in caplog.records if "is locked" in r.getMessage()] == []


def test_an_idle_pass_leaves_the_copy_unless_it_is_stale(prefect_api, tmp_path, site, news):
    story = news.story("pier", "harbour pier", T0)
    site.route("/news/pier.html", news.article(story))
    site.route("/rss.xml", news.rss([story], lambda s: f"/news/{s.slug}.html"), content_type="application/rss+xml")
    config = tmp_path / "storywatch.yaml"
    config.write_text(f"database: sw.duckdb\nfetch:\n  allow_internal: [127.0.0.1]\nfeeds:\n"
                      f"  - name: Gazette\n    url: {site.url('/rss.xml')}\n")
    published = analyst_copy_path(tmp_path / "sw.duckdb")

    first = monitor_pass(config_path=str(config))
    idle = monitor_pass(config_path=str(config))  # the same listing: nothing new to store

    assert not first.idle and idle.idle
    assert copy_answers(published) == (1, first.pass_id)
    an_hour_ago = published.stat().st_mtime - STALE_AFTER.total_seconds() - 60
    os.utime(published, (an_hour_ago, an_hour_ago))
    stale = monitor_pass(config_path=str(config))
    assert stale.idle and copy_answers(published) == (1, stale.pass_id)
