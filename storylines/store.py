"""The storyline tables' SQL, through the warehouse's connection: reads articles and clustering
state, writes assignments, developments and their profiles, and reads a storyline's timeline.

Every statement runs inside the caller's transaction and touches rows by key (article ids,
one storyline's recent developments, a batch's terms) in bulk: one statement per batch,
never one per article and never a scan for a single article.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

import duckdb

from storywatch.storylines.model import Assignment, Development, Profile, Revision, StoredArticle, TermStats
from storywatch.warehouse.db import insert_all

_ARTICLE_COLUMNS = """
    article_id, url, source, title, text, coalesce(published_at, fetched_at) AS seen_at, language, duplicate_of,
    revision
"""


def uncounted(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> set[str]:
    """Those of the ids whose terms are not in the term statistics yet."""
    rows = con.execute(
        """
        SELECT unnest(?::VARCHAR[]) AS article_id
        EXCEPT SELECT article_id FROM internal.counted_articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))
        """,
        [list(article_ids), list(article_ids)],
    ).fetchall()
    return {row[0] for row in rows}


def read_articles(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> list[StoredArticle]:
    """The articles, oldest first (ties by id), so clustering sees a storyline in time order."""
    # DuckDB's semi join reads every projected column of every row before filtering, so the
    # texts of all stored articles were read per batch; finding the row ids on the narrow id
    # column first, then fetching those rows, keeps the text read to the batch's own articles.
    rows = con.execute(
        f"""
        SELECT {_ARTICLE_COLUMNS} FROM internal.articles
        WHERE rowid IN (SELECT rowid FROM internal.articles WHERE article_id IN (SELECT unnest(?::VARCHAR[])))
        ORDER BY seen_at, article_id
        """,
        [list(article_ids)],
    ).fetchall()
    return [StoredArticle(*row) for row in rows]


def revisions(con: duckdb.DuckDBPyConnection, articles: Sequence[StoredArticle]) -> dict[str, Revision]:
    """For the articles whose text changed at their URL: the earlier text and when the change was published.

    The change's time is the feed's <updated> for the link when it has one (a live page says
    when it was updated), else when the new text was fetched.
    """
    ids = [a.article_id for a in articles if a.revision > 1]
    if not ids:
        return {}
    rows = con.execute(
        """
        SELECT a.article_id, r.text, coalesce(l.updated_at, a.updated_at)
        FROM internal.articles a
        JOIN internal.article_revisions r ON r.article_id = a.article_id AND r.revision = a.revision - 1
        LEFT JOIN (SELECT article_id, max(item_updated_at) AS updated_at FROM internal.links
                   WHERE article_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY article_id) l
               ON l.article_id = a.article_id
        WHERE a.article_id IN (SELECT unnest(?::VARCHAR[]))
        """,
        [ids, ids],
    ).fetchall()
    return {article_id: Revision(previous_text, updated_at) for article_id, previous_text, updated_at in rows}


def unassigned_articles(
    con: duckdb.DuckDBPyConnection, storyline_id: str, after: tuple[datetime, str] | None, limit: int
) -> list[StoredArticle]:
    """The next page, in time order, of stored articles not yet assigned to the storyline (backfill)."""
    after_time, after_id = after if after else (None, "")
    rows = con.execute(
        f"""
        SELECT {_ARTICLE_COLUMNS} FROM internal.articles a
        WHERE (?::TIMESTAMPTZ IS NULL OR (coalesce(published_at, fetched_at), article_id) > (?::TIMESTAMPTZ, ?))
          AND NOT EXISTS (SELECT 1 FROM internal.storyline_articles sa
                          WHERE sa.storyline_id = ? AND sa.article_id = a.article_id)
        ORDER BY seen_at, article_id LIMIT ?
        """,
        [after_time, after_time, after_id, storyline_id, limit],
    ).fetchall()
    return [StoredArticle(*row) for row in rows]


def count_unassigned(con: duckdb.DuckDBPyConnection, storyline_id: str) -> int:
    """How many stored articles a backfill of the storyline has ahead of it."""
    (count,) = con.execute(
        """
        SELECT count(*) FROM internal.articles a
        WHERE NOT EXISTS (SELECT 1 FROM internal.storyline_articles sa
                          WHERE sa.storyline_id = ? AND sa.article_id = a.article_id)
        """,
        [storyline_id],
    ).fetchone()
    return count


def count_terms(
    con: duckdb.DuckDBPyConnection, article_ids: Sequence[str], term_sets: Iterable[frozenset[str]], now: datetime
) -> None:
    """Add the articles' terms to the document frequencies (one set per non-duplicate article)."""
    term_sets = list(term_sets)
    con.execute(
        "INSERT INTO internal.counted_articles SELECT unnest(?::VARCHAR[]), ? ON CONFLICT DO NOTHING",
        [list(article_ids), now],
    )
    con.execute(
        """
        INSERT INTO internal.term_stats
        SELECT term, count(*) FROM (SELECT unnest(?::VARCHAR[]) AS term) GROUP BY term
        ON CONFLICT (term) DO UPDATE SET df = term_stats.df + excluded.df
        """,
        [[term for terms in term_sets for term in terms]],
    )
    con.execute("UPDATE internal.corpus_stats SET documents = documents + ?", [len(term_sets)])


def term_stats(con: duckdb.DuckDBPyConnection, terms: Iterable[str]) -> TermStats:
    (documents,) = con.execute("SELECT documents FROM internal.corpus_stats").fetchone()
    rows = con.execute(
        "SELECT term, df FROM internal.term_stats WHERE term IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(set(terms))],
    ).fetchall()
    return TermStats(documents, dict(rows))


def recent_profiles(
    con: duckdb.DuckDBPyConnection, storyline_id: str, since: datetime, limit: int
) -> list[Profile]:
    rows = con.execute(
        """
        SELECT p.development_id, d.headline, d.first_seen_at, p.last_seen_at, p.article_count, p.vectors, p.facts,
               coalesce(d.reported_on, d.first_seen_at::DATE)
        FROM internal.development_profiles p JOIN internal.developments d USING (development_id)
        WHERE p.storyline_id = ? AND p.last_seen_at >= ?
        ORDER BY p.last_seen_at DESC, p.development_id LIMIT ?
        """,
        [storyline_id, since, limit],
    ).fetchall()
    return [
        Profile(dev_id, headline, first, last, count, json.loads(vectors), frozenset(facts), reported_on)
        for dev_id, headline, first, last, count, vectors, facts, reported_on in rows
    ]


def assigned(
    con: duckdb.DuckDBPyConnection, storyline_id: str, article_ids: Sequence[str]
) -> dict[str, tuple[str | None, float]]:
    """article id → (development id, score) for those of the articles already in the storyline."""
    rows = con.execute(
        """
        SELECT article_id, development_id, score FROM internal.storyline_articles
        WHERE storyline_id = ? AND article_id IN (SELECT unnest(?::VARCHAR[]))
        """,
        [storyline_id, list(article_ids)],
    ).fetchall()
    return {article_id: (development_id, score) for article_id, development_id, score in rows}


def save(
    con: duckdb.DuckDBPyConnection,
    storyline_id: str,
    assignments: Sequence[Assignment],
    opened: Sequence[Development],
    profiles: Sequence[Profile],
    now: datetime,
) -> None:
    insert_all(con, "internal.developments", [
        {"development_id": d.development_id, "storyline_id": d.storyline_id, "headline": d.headline,
         "first_article_id": d.first_article_id, "first_seen_at": d.first_seen_at, "explanation": d.explanation,
         "nearest_development_id": d.nearest_development_id, "distance": d.distance,
         "new_facts": list(d.new_facts), "reported_on": d.reported_on}
        for d in opened
    ], on_conflict="ON CONFLICT DO NOTHING")
    insert_all(con, "internal.storyline_articles", [
        {"storyline_id": a.storyline_id, "article_id": a.article_id, "development_id": a.development_id,
         "score": a.score, "explanation": a.explanation, "assigned_at": now}
        for a in assignments
    ], on_conflict="ON CONFLICT DO NOTHING")
    insert_all(con, "internal.development_profiles", [
        {"development_id": p.development_id, "storyline_id": storyline_id, "last_seen_at": p.last_seen_at,
         "article_count": p.article_count, "vectors": json.dumps(p.vectors, separators=(",", ":")),
         "facts": sorted(p.facts)}
        for p in profiles
    ], on_conflict="""ON CONFLICT (development_id) DO UPDATE SET last_seen_at = excluded.last_seen_at,
        article_count = excluded.article_count, vectors = excluded.vectors, facts = excluded.facts""")


def timeline(con: duckdb.DuckDBPyConnection, storyline_id: str) -> list[dict]:
    """The storyline's developments in time order, each with its articles (for `storywatch timeline`)."""
    developments = con.execute(
        """
        SELECT development_id, headline, first_seen_at, last_seen_at, article_count, source_count,
               coalesce(sources, []) AS sources, explanation, nearest_development_id, distance,
               coalesce(new_facts, []) AS new_facts, reported_on
        FROM developments WHERE storyline_id = ? ORDER BY first_seen_at, development_id
        """,
        [storyline_id],
    )
    columns = [c[0] for c in developments.description]
    found = [dict(zip(columns, row)) for row in developments.fetchall()]
    articles = con.execute(
        """
        SELECT sa.development_id, a.article_id, a.url, a.source, a.title,
               coalesce(a.published_at, a.fetched_at) AS seen_at, a.duplicate_of
        FROM internal.storyline_articles sa JOIN internal.articles a USING (article_id)
        WHERE sa.storyline_id = ? ORDER BY seen_at, a.article_id
        """,
        [storyline_id],
    ).fetchall()
    by_development: dict[str, list[dict]] = {d["development_id"]: [] for d in found}
    for development_id, article_id, url, source, title, seen_at, duplicate_of in articles:
        by_development.setdefault(development_id, []).append(
            {"article_id": article_id, "url": url, "source": source, "title": title,
             "seen_at": seen_at, "duplicate_of": duplicate_of}
        )
    return [{**d, "articles": by_development[d["development_id"]]} for d in found]
