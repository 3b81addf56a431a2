"""Read-only queries behind `storywatch status`: the same answers an analyst's SQL would give."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb


@dataclass(frozen=True)
class FeedStatus:
    """A feed as `storywatch status` shows it: its last fetches and the articles it brought."""

    feed: str
    url: str
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    articles: int


@dataclass(frozen=True)
class Status:
    feeds: tuple[FeedStatus, ...]
    counts: dict[str, int]
    last_pass: dict | None


def read_status(con: duckdb.DuckDBPyConnection) -> Status:
    feeds = tuple(
        FeedStatus(*row)
        for row in con.execute(
            """
            SELECT f.feed, f.url, f.last_success_at, f.last_error_at, f.last_error, f.consecutive_failures,
                   count(a.article_id)
            FROM feeds f LEFT JOIN articles a USING (feed)
            GROUP BY ALL ORDER BY f.feed
            """
        ).fetchall()
    )
    names = ["articles", "syndicated_copies", "revisions", "page_failures", "developments",
             "alerts_pending", "alerts_failed", "alerts_sent"]
    values = con.execute(
        """
        SELECT (SELECT count(*) FROM articles),
               (SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL),
               (SELECT count(*) FROM article_revisions),
               (SELECT count(*) FROM internal.page_failures),
               (SELECT count(*) FROM developments),
               (SELECT count(*) FROM alerts WHERE status = 'pending'),
               (SELECT count(*) FROM alerts WHERE status = 'failed'),
               (SELECT count(*) FROM alerts WHERE status = 'sent')
        """
    ).fetchone()
    last = con.execute(
        "SELECT pass_id, started_at, finished_at, summary FROM internal.passes ORDER BY started_at DESC LIMIT 1"
    ).fetchone()
    last_pass = None
    if last:
        last_pass = {"pass_id": last[0], "started_at": last[1], "finished_at": last[2],
                     "summary": json.loads(last[3]) if last[3] else None}
    return Status(feeds, dict(zip(names, values, strict=True)), last_pass)
