"""What the web pages and Atom feeds show, read from the analyst views as typed values.

Only the documented views are read (developments, storyline_articles, articles, alerts,
feed_fetches): the pages show what an analyst's SQL would, and keep working when the
internal tables change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import duckdb

from storywatch.config import StorylineSettings
from storywatch.warehouse.status import FeedStatus


@dataclass(frozen=True)
class Report:
    """One article reporting a development."""

    article_id: str
    url: str
    title: str | None
    source: str
    seen_at: datetime
    duplicate_of: str | None  # a syndicated copy of this article id


@dataclass(frozen=True)
class Development:
    development_id: str
    storyline_id: str
    headline: str
    explanation: str | None  # why it counts as new
    first_seen_at: datetime
    updated_at: datetime     # when its latest article joined
    article_count: int
    source_count: int        # independent outlets: the corroboration
    first_article_id: str
    reports: tuple[Report, ...]  # oldest first

    @property
    def first_report(self) -> Report | None:
        return next((r for r in self.reports if r.article_id == self.first_article_id),
                    self.reports[0] if self.reports else None)

    @property
    def by_source(self) -> list[tuple[str, list[Report]]]:
        """Reports grouped by outlet, outlets in the order they reported."""
        grouped: dict[str, list[Report]] = {}
        for report in self.reports:
            grouped.setdefault(report.source, []).append(report)
        return list(grouped.items())


@dataclass(frozen=True)
class Storyline:
    id: str
    title: str
    description: str
    developments: int
    latest: Development | None  # the newest development


@dataclass(frozen=True)
class OutboxAlert:
    alert_id: str
    status: str
    kind: str | None
    target: str  # redacted
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    storyline_id: str | None
    headline: str | None


def timeline(con: duckdb.DuckDBPyConnection, storyline_id: str) -> list[Development]:
    """The storyline's developments in time order, each with the articles that report it."""
    return _developments(con, "d.storyline_id = ?", [storyline_id], "first_seen_at, development_id")


def storylines(con: duckdb.DuckDBPyConnection, configured: Iterable[StorylineSettings]) -> list[Storyline]:
    """Every configured storyline, in config order, with its newest development."""
    counts = dict(con.execute("SELECT storyline_id, count(*) FROM developments GROUP BY ALL").fetchall())
    latest = "d.development_id IN (SELECT max_by(development_id, first_seen_at) FROM developments GROUP BY storyline_id)"
    newest = {d.storyline_id: d for d in _developments(con, latest, [], "storyline_id")}
    return [Storyline(s.id, s.title, s.description, counts.get(s.id, 0), newest.get(s.id)) for s in configured]


def feed_health(con: duckdb.DuckDBPyConnection) -> list[FeedStatus]:
    """Per feed polled: last success, last error, failures since the last success, articles stored."""
    rows = con.execute(
        """
        WITH last_success AS (
            SELECT feed, max(fetched_at) AS at FROM feed_fetches WHERE error IS NULL GROUP BY feed),
        stored AS (SELECT feed, count(*) AS articles FROM articles GROUP BY feed)
        SELECT f.feed, arg_max(f.url, f.fetched_at), s.at,
               max(f.fetched_at) FILTER (WHERE f.error IS NOT NULL),
               arg_max(f.error, f.fetched_at) FILTER (WHERE f.error IS NOT NULL),
               count(*) FILTER (WHERE f.error IS NOT NULL AND (s.at IS NULL OR f.fetched_at > s.at)),
               coalesce(any_value(a.articles), 0)
        FROM feed_fetches f LEFT JOIN last_success s USING (feed) LEFT JOIN stored a USING (feed)
        GROUP BY f.feed, s.at ORDER BY f.feed
        """
    ).fetchall()
    return [FeedStatus(*row) for row in rows]


def outbox(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[OutboxAlert]:
    """The newest alerts first, with the development each announces."""
    rows = con.execute(
        """
        SELECT al.alert_id, al.status, al.kind, al.target, al.attempts, al.created_at, al.sent_at,
               al.next_attempt_at, al.last_error, coalesce(al.storyline_id, d.storyline_id), d.headline
        FROM alerts al LEFT JOIN developments d USING (development_id)
        ORDER BY al.created_at DESC, al.alert_id LIMIT ?
        """,
        [limit],
    ).fetchall()
    return [OutboxAlert(*row) for row in rows]


def _developments(con: duckdb.DuckDBPyConnection, where: str, parameters: list, order: str) -> list[Development]:
    rows = con.execute(
        f"""
        SELECT d.development_id, d.storyline_id, d.headline, d.explanation, d.first_seen_at,
               greatest(max(sa.assigned_at), d.first_seen_at) AS updated_at, d.article_count, d.source_count,
               d.first_article_id,
               list((a.article_id, a.url, a.title, a.source, coalesce(a.published_at, a.fetched_at), a.duplicate_of)
                    ORDER BY coalesce(a.published_at, a.fetched_at), a.article_id)
                   FILTER (WHERE a.article_id IS NOT NULL) AS reports
        FROM developments d
        LEFT JOIN storyline_articles sa USING (development_id)
        LEFT JOIN articles a USING (article_id)
        WHERE {where}
        GROUP BY d.development_id, d.storyline_id, d.headline, d.explanation, d.first_seen_at,
                 d.article_count, d.source_count, d.first_article_id
        ORDER BY {order}
        """,
        parameters,
    ).fetchall()
    return [
        Development(*row[:-1], reports=tuple(Report(*report) for report in row[-1] or ()))
        for row in rows
    ]
