"""Entry points the pipeline calls: assign new articles to storylines and group them into developments.

Both run inside the caller's open transaction (the alert outbox is written in the same one)
and never begin or commit it themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from storywatch.config import StorylineSettings
from storywatch.storylines.developments import (
    ACTIVE_DAYS,
    MAX_ACTIVE,
    DevelopmentIndex,
    Placement,
    absorb,
    open_development,
    why_new,
)
from storywatch.storylines.features import ArticleFeatures, article_features
from storywatch.storylines.matching import Relevance, relevance
from storywatch.storylines import store
from storywatch.storylines.model import Assignment, Development, Profile, StoredArticle
from storywatch.storylines.query import Document, parse_query

BACKFILL_BATCH = 500
# A storyline matching at least this share of a pass of BROAD_MIN_ARTICLES or more is flagged:
# its query is probably too broad to be useful, and the operator should know why alerts flood.
BROAD_SHARE = 0.9
BROAD_MIN_ARTICLES = 20


@dataclass(frozen=True)
class TrackingResult:
    assignments: tuple[Assignment, ...] = ()
    opened: tuple[Development, ...] = ()
    passed_over: tuple[Assignment, ...] = ()  # matched the query but only in passing; not stored

    def __add__(self, other: TrackingResult) -> TrackingResult:
        return TrackingResult(
            self.assignments + other.assignments, self.opened + other.opened, self.passed_over + other.passed_over
        )


def development_id(storyline_id: str, first_article_id: str) -> str:
    return f"dev-{storyline_id}-{first_article_id}"


def track(
    con: duckdb.DuckDBPyConnection,
    storylines: Sequence[StorylineSettings],
    article_ids: Sequence[str],
    *,
    now: datetime,
) -> TrackingResult:
    """Assign the articles to the storylines and their developments.

    Articles already in a storyline are left as they are, so a second call with the same ids
    changes nothing.
    """
    return _assign(con, storylines, store.read_articles(con, article_ids), now)


def backfill(
    con: duckdb.DuckDBPyConnection,
    storyline: StorylineSettings,
    *,
    now: datetime,
    batch_size: int = BACKFILL_BATCH,
    on_opened: Callable[[tuple[Development, ...]], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> TrackingResult:
    """Run a (new) storyline over the stored articles it has not seen, oldest first.

    Developments it opens are returned, and handed to `on_opened` batch by batch when given
    (that is how `--alert` enqueues them); otherwise nothing is alerted. `on_batch` hears how
    many articles each batch covered (for a progress bar).
    """
    result = TrackingResult()
    after: tuple[datetime, str] | None = None
    while articles := store.unassigned_articles(con, storyline.id, after, batch_size):
        batch = _assign(con, [storyline], articles, now)
        if on_opened is not None and batch.opened:
            on_opened(batch.opened)
        result += batch
        if on_batch is not None:
            on_batch(len(articles))
        after = (articles[-1].seen_at, articles[-1].article_id)
    return result


def _counted_features(
    con: duckdb.DuckDBPyConnection, articles: Sequence[StoredArticle], now: datetime
) -> dict[str, ArticleFeatures]:
    """Features of the articles; those never seen before join the term statistics.

    Only articles that belong to some storyline are counted: the statistics describe the
    tracked news, which is what developments are told apart against, and featurising every
    unrelated article would cost most of a pass.
    """
    features = {a.article_id: article_features(a.title, a.text) for a in articles}
    new = sorted(store.uncounted(con, list(features))) if features else []
    if new:
        store.count_terms(con, new, (features[article_id].terms for article_id in new), now)
    return features


def _assign(
    con: duckdb.DuckDBPyConnection,
    storylines: Sequence[StorylineSettings],
    articles: Sequence[StoredArticle],
    now: datetime,
) -> TrackingResult:
    originals = [a for a in articles if a.duplicate_of is None]
    documents = {a.article_id: Document(a.title, a.text) for a in originals} if storylines else {}
    queries = {s.id: parse_query(s.query) for s in storylines}
    verdicts = {
        storyline_id: {a.article_id: relevance(query, documents[a.article_id], a.language) for a in originals}
        for storyline_id, query in queries.items()
    }
    storylines_of: dict[str, list[str]] = {}
    for storyline_id, by_article in verdicts.items():
        for article_id, verdict in by_article.items():
            if verdict.belongs:
                storylines_of.setdefault(article_id, []).append(storyline_id)
    features = _counted_features(con, [a for a in originals if a.article_id in storylines_of], now)
    result = TrackingResult()
    for storyline in storylines:
        notes = _batch_notes(storyline.id, verdicts[storyline.id], storylines_of, len(originals))
        result += _storyline(con, storyline, articles, features, verdicts[storyline.id], notes, now)
    return result


def _batch_notes(
    storyline_id: str, verdicts: Mapping[str, Relevance], storylines_of: Mapping[str, list[str]], total: int
) -> dict[str, list[str]]:
    """Per article, what the batch shows beyond its own match: other storylines, a too-broad query."""
    matched = sum(verdict.belongs for verdict in verdicts.values())
    broad = total >= BROAD_MIN_ARTICLES and matched >= BROAD_SHARE * total
    notes: dict[str, list[str]] = {}
    for article_id in verdicts:
        others = [s for s in storylines_of.get(article_id, []) if s != storyline_id]
        notes[article_id] = (
            ([f"also in storylines {', '.join(others)}"] if others else [])
            + ([f"broad query: matched {matched} of {total} articles in this pass"] if broad else [])
        )
    return notes


def _storyline(
    con: duckdb.DuckDBPyConnection,
    storyline: StorylineSettings,
    articles: Sequence[StoredArticle],
    features: Mapping[str, ArticleFeatures],
    verdicts: Mapping[str, Relevance],
    notes: Mapping[str, list[str]],
    now: datetime,
) -> TrackingResult:
    query = parse_query(storyline.query)
    done = store.assigned(con, storyline.id, [a.article_id for a in articles])
    articles = [a for a in articles if a.article_id not in done]
    members = [a for a in articles if a.duplicate_of is None and verdicts[a.article_id].belongs]
    passed_over = tuple(
        Assignment(storyline.id, article_id, None, verdict.score, verdict.explanation)
        for article_id, verdict in verdicts.items()
        if verdict.in_passing and article_id not in done
    )
    assignments: list[Assignment] = []
    opened: list[Development] = []
    changed: dict[str, Profile] = {}
    if members:
        own = {a.article_id: features[a.article_id].without(query.mentions) for a in members}
        since = min(a.seen_at for a in members) - timedelta(days=ACTIVE_DAYS)
        profiles = store.recent_profiles(con, storyline.id, since, MAX_ACTIVE)
        terms = {t for f in own.values() for t in f.terms} | {
            t for p in profiles for vector in p.vectors.values() for t in vector
        }
        index = DevelopmentIndex(profiles, store.term_stats(con, terms))
        for article in members:
            own_features = own[article.article_id]
            placement = index.place(own_features, article.seen_at)
            if placement.joins is not None:
                profile = absorb(placement.joins, own_features, article.seen_at)
                where = f"joins development {profile.development_id} (similarity {placement.similarity:.2f})"
            else:
                profile = open_development(
                    development_id(storyline.id, article.article_id),
                    article.title or article.url,
                    own_features,
                    article.seen_at,
                )
                opened.append(_development(storyline.id, article, own_features, profile, placement))
                where = f"opens development {profile.development_id}"
            index.put(profile)
            changed[profile.development_id] = profile
            verdict = verdicts[article.article_id]
            assignments.append(Assignment(
                storyline.id, article.article_id, profile.development_id, verdict.score,
                "; ".join([verdict.explanation, where, *notes[article.article_id]]),
            ))
    assignments += _copies(con, storyline.id, articles, assignments)
    store.save(con, storyline.id, assignments, opened, list(changed.values()), now)
    return TrackingResult(tuple(assignments), tuple(opened), passed_over)


def _development(
    storyline_id: str, article: StoredArticle, features: ArticleFeatures, profile: Profile, placement: Placement
) -> Development:
    explanation = why_new(placement)
    if features.teaser:
        explanation += f" Only {features.text_words} words of text (a teaser): placed on its title and lead."
    return Development(
        development_id=profile.development_id,
        storyline_id=storyline_id,
        headline=profile.headline,
        first_article_id=article.article_id,
        first_seen_at=article.seen_at,
        explanation=explanation,
        nearest_development_id=placement.nearest.development_id if placement.nearest else None,
        distance=placement.distance,
        new_facts=tuple(str(fact) for fact in placement.new_facts),
    )


def _copies(
    con: duckdb.DuckDBPyConnection, storyline_id: str, articles: Sequence[StoredArticle], batch: Sequence[Assignment]
) -> list[Assignment]:
    """Syndicated copies join their original's development (if it is in the storyline); they
    never open one and never count as a source of their own."""
    copies = [a for a in articles if a.duplicate_of is not None]
    if not copies:
        return []
    known = {a.article_id: (a.development_id, a.score) for a in batch}
    missing = [c.duplicate_of for c in copies if c.duplicate_of not in known]
    known |= store.assigned(con, storyline_id, missing) if missing else {}
    return [
        Assignment(storyline_id, copy.article_id, known[copy.duplicate_of][0], known[copy.duplicate_of][1],
                   f"syndicated copy of {copy.duplicate_of}: joins its development")
        for copy in copies
        if copy.duplicate_of in known
    ]
