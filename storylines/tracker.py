"""Entry points the pipeline calls: assign new articles to storylines and group them into developments.

Both run inside the caller's open transaction (the alert outbox is written in the same one)
and never begin or commit it themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

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
from storywatch.storylines import store
from storywatch.storylines.features import ArticleFeatures, article_features, update_report
from storywatch.storylines.joining import JOIN_PROBABILITY, JoinModel
from storywatch.storylines.matching import Relevance, relevance
from storywatch.storylines.model import Assignment, Development, Profile, StoredArticle
from storywatch.storylines.query import Document, Query, parse_query

BACKFILL_BATCH = 500
# A storyline matching at least this share of a pass of BROAD_MIN_ARTICLES or more is flagged:
# its query is probably too broad to be useful, and the operator should know why alerts flood.
BROAD_SHARE = 0.9
BROAD_MIN_ARTICLES = 20
HEADLINE_CHARS = 120  # a development opened by a page update is headed by the update's first sentence, cut to this


@dataclass(frozen=True)
class TrackingResult:
    assignments: tuple[Assignment, ...] = ()
    opened: tuple[Development, ...] = ()
    passed_over: tuple[Assignment, ...] = ()  # matched the query, but in passing or telling another story; not stored

    def __add__(self, other: TrackingResult) -> TrackingResult:
        return TrackingResult(
            self.assignments + other.assignments, self.opened + other.opened, self.passed_over + other.passed_over
        )


@lru_cache(maxsize=1)
def bundled_model() -> JoinModel:
    return JoinModel.bundled()


@dataclass(frozen=True)
class Report:
    """One report to place: an article, or what an update of a followed page added to it."""

    article: StoredArticle
    features: ArticleFeatures
    at: datetime                     # when it was published
    update_lead: str | None = None   # a page update's first sentence; None: the article itself

    @property
    def page_update(self) -> bool:
        return self.update_lead is not None

    @property
    def first_report_id(self) -> str:
        """What a development it opens is named after: the article, or the page at this revision."""
        return f"{self.article.article_id}-r{self.article.revision}" if self.page_update else self.article.article_id

    @property
    def headline(self) -> str:
        return _shortened(self.update_lead) if self.update_lead is not None else self.article.title or self.article.url


def development_id(storyline_id: str, first_article_id: str) -> str:
    return f"dev-{storyline_id}-{first_article_id}"


def track(
    con: duckdb.DuckDBPyConnection,
    storylines: Sequence[StorylineSettings],
    article_ids: Sequence[str],
    *,
    now: datetime,
    model: JoinModel | None = None,
) -> TrackingResult:
    """Assign the articles to the storylines and their developments.

    Articles already in a storyline keep their place, so a second call with the same ids
    changes nothing; what a changed article added is read as a report of its own. `model`
    replaces the bundled join-or-open model (cross-validation trains its own).
    """
    return _assign(con, storylines, store.read_articles(con, article_ids), now, model or bundled_model())


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
        batch = _assign(con, [storyline], articles, now, bundled_model())
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
    features = {a.article_id: article_features(a.title, a.text, a.seen_at) for a in articles}
    new = sorted(store.uncounted(con, list(features))) if features else []
    if new:
        store.count_terms(con, new, (features[article_id].terms for article_id in new), now)
    return features


def _assign(
    con: duckdb.DuckDBPyConnection,
    storylines: Sequence[StorylineSettings],
    articles: Sequence[StoredArticle],
    now: datetime,
    model: JoinModel,
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
        result += _storyline(con, storyline, articles, features, verdicts[storyline.id], notes, now, model)
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
    model: JoinModel,
) -> TrackingResult:
    query = parse_query(storyline.query)
    done = store.assigned(con, storyline.id, [a.article_id for a in articles])
    updates = _updates(con, [a for a in articles if a.duplicate_of is None and done.get(a.article_id, (None,))[0]], query)
    articles = [a for a in articles if a.article_id not in done]
    members = [a for a in articles if a.duplicate_of is None and verdicts[a.article_id].belongs]
    passed_over = [
        Assignment(storyline.id, article_id, None, verdict.score, verdict.explanation)
        for article_id, verdict in verdicts.items()
        if verdict.in_passing and article_id not in done
    ]
    assignments: list[Assignment] = []
    opened: list[Development] = []
    changed: dict[str, Profile] = {}
    reports = [Report(a, features[a.article_id].without(query.mentions), a.seen_at) for a in members] + updates
    if reports:
        since = min(r.at for r in reports) - timedelta(days=ACTIVE_DAYS)
        profiles = store.recent_profiles(con, storyline.id, since, MAX_ACTIVE)
        terms = {t for r in reports for t in r.features.terms} | {
            t for p in profiles for vector in p.vectors.values() for t in vector
        }
        index = DevelopmentIndex(profiles, store.term_stats(con, terms), model, story_known=bool(query.terms))
        for report in sorted(reports, key=lambda r: (r.at, r.article.article_id)):
            article, report_features = report.article, report.features
            placement = index.place(report_features, report.at)
            if index.story_known and not report.page_update and placement.probability < JOIN_PROBABILITY:
                verdict = verdicts[article.article_id]
                if not verdict.in_headline and (other := _other_story(index, report)):
                    passed_over.append(Assignment(storyline.id, article.article_id, None, verdict.score,
                                                  "; ".join([verdict.explanation, other])))
                    continue
            if placement.joins is not None:
                profile = absorb(placement.joins, report_features, report.at)
                where = f"joins development {profile.development_id} (probability {placement.probability:.2f})"
            else:
                profile = open_development(
                    development_id(storyline.id, report.first_report_id), report.headline, report_features, report.at)
                opened.append(_development(storyline.id, article, profile, placement, page_update=report.page_update))
                where = f"opens development {profile.development_id}"
            if report_features.teaser:
                where += f" (a brief of {report_features.text_words} words: placed on its title and lead)"
            index.put(profile)
            changed[profile.development_id] = profile
            if not report.page_update:
                verdict = verdicts[article.article_id]
                assignments.append(Assignment(
                    storyline.id, article.article_id, profile.development_id, verdict.score,
                    "; ".join([verdict.explanation, where, *notes[article.article_id]]),
                ))
    assignments += _copies(con, storyline.id, articles, assignments)
    store.save(con, storyline.id, assignments, opened, list(changed.values()), now)
    return TrackingResult(tuple(assignments), tuple(opened), tuple(passed_over))


def _other_story(index: DevelopmentIndex, report: Report) -> str | None:
    """Why a report is not the storyline's, when it tells another story in the storyline's words.

    Asked of an article the query holds on only with its body's words, and that no development
    takes as the same event: were it in the storyline it would open a development (or join one
    only as a recap). Such an article is about something else and names the storyline along the
    way (an earnings report that recalls the capsule, an immigration plan that counts visas),
    unless its story is one of the storyline's: the same-story stage, weighing it against each
    recent development, says whether it is. A storyline with no development yet has nothing to
    tell its story from, and its first report always opens one; a storyline that is a beat of
    many stories (`DevelopmentIndex.tells_one_story`) takes a new story as its next development."""
    nearest = index.nearest_story(report.features, report.at)
    if nearest is None or nearest[0] >= JOIN_PROBABILITY or not index.tells_one_story(report.at):
        return None
    probability, profile = nearest
    return (f"not assigned: the query holds only with words of the body, and the article tells another story "
            f"than the storyline's: the development most like it, {profile.headline!r}, is the same story "
            f"with probability {probability:.2f}")


def _updates(con: duckdb.DuckDBPyConnection, articles: Sequence[StoredArticle], query: Query) -> list[Report]:
    """What changed articles of the storyline added, as reports of their own (a live page's update).

    The added paragraphs are read as a report published when the page says it was updated;
    the page keeps its place in the storyline, and the update joins a development or opens one.
    """
    by_id = {a.article_id: a for a in articles}
    found = []
    for article_id, revision in store.revisions(con, articles).items():
        added = update_report(revision.previous_text, by_id[article_id].text)
        if added is not None:
            features = article_features(*added, revision.updated_at).without(query.mentions)
            found.append(Report(by_id[article_id], features, revision.updated_at, update_lead=added[0]))
    return found


def _shortened(sentence: str) -> str:
    return sentence if len(sentence) <= HEADLINE_CHARS else sentence[: HEADLINE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _development(
    storyline_id: str, article: StoredArticle, profile: Profile, placement: Placement, *, page_update: bool
) -> Development:
    explanation = why_new(placement, profile.headline, profile.reported_on, page_update=page_update)
    return Development(
        development_id=profile.development_id,
        storyline_id=storyline_id,
        headline=profile.headline,
        first_article_id=article.article_id,
        first_seen_at=profile.first_seen_at,
        explanation=explanation,
        reported_on=profile.reported_on,
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
