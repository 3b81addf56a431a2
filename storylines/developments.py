"""Grouping a storyline's reports into developments, and saying why a development is new.

A development is one event at one time, reported first and then followed, recapped and
analysed. Each report is compared with the storyline's recent developments, and the learned
join-or-open decision (`storylines.joining`) weighs its title and lead against theirs, the
days they report and whether it reads as news or as a recap. A report joins the development
it most probably belongs to; when none is more likely than not, its lead reports an event the
storyline has not had, and it opens a development (the unit alerts are sent for). A recap,
whose lead only names days long past, never opens one while the storyline has a development
to put it in: old news retold is not news (in a catch-all storyline, one of its story).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from storywatch.storylines.entities import Fact
from storywatch.storylines.features import MAX_TERMS, TEASER_WORDS, ArticleFeatures
from storywatch.storylines.joining import JOIN_PROBABILITY, JoinModel, PairEvidence
from storywatch.storylines.model import Profile, TermStats, Vector
from storywatch.storylines.temporal import ReportedDay

ACTIVE_DAYS = 60   # a development quiet for longer no longer gathers reports (recaps come 5-40 days on)
MAX_ACTIVE = 300   # at most this many recent developments per storyline are compared
MAX_FACTS = 400    # facts remembered per development
SHOWN_FACTS = 8    # new facts kept with a development
SEED = "seed"      # the first report's headline vector, kept as it was: what the development is about
STORY_SAMPLE = 30  # a storyline is judged one story or many on its most recent developments (bounds a pairwise cost)


@dataclass(frozen=True)
class Placement:
    joins: Profile | None        # the development the report belongs to; None: it opens one
    nearest: Profile | None      # the candidate it most probably belongs to
    probability: float           # that it belongs to `nearest` (0 when there is no candidate)
    new_facts: tuple[Fact, ...]  # title/lead facts none of the candidate developments reported

    @property
    def distance(self) -> float | None:
        return None if self.nearest is None else round(1.0 - self.probability, 3)


class DevelopmentIndex:
    """A storyline's candidate developments for one batch, indexed by headline terms and names.

    Only developments sharing a headline term or a name with the report are scored, and each
    profile's IDF norms are computed once per batch, so the cost of placing a report depends
    on how many recent developments look like it — not on how many articles are stored.
    """

    def __init__(self, profiles: Iterable[Profile], stats: TermStats, model: JoinModel, *, story_known: bool = True):
        self.stats = stats
        self.model = model
        self.story_known = story_known  # the storyline's query says what its story is (see JoinModel)
        self._idf: dict[str, float] = {}
        self.profiles: dict[str, Profile] = {}
        self._postings: dict[str, set[str]] = {}
        self._norms: dict[str, dict[str, float]] = {}
        self._one_story: bool | None = None  # what `tells_one_story` found, until a development is added
        for profile in profiles:
            self.put(profile)

    def put(self, profile: Profile) -> None:
        """Add a development or replace it with its updated profile."""
        if profile.development_id not in self.profiles:
            self._one_story = None  # a new development may change what the storyline is; a report more does not
        self.profiles[profile.development_id] = profile
        self._norms[profile.development_id] = {
            space: self._norm(vector) for space, vector in profile.vectors.items()
        }
        for term in _keys(profile.vectors):
            self._postings.setdefault(term, set()).add(profile.development_id)

    def candidates(self, features: ArticleFeatures, at: datetime) -> list[Profile]:
        horizon = at - timedelta(days=ACTIVE_DAYS)
        ids = set().union(*(self._postings.get(t, ()) for t in _keys(_vectors(features))))
        return [self.profiles[i] for i in sorted(ids) if self.profiles[i].last_seen_at >= horizon]

    def place(self, features: ArticleFeatures, at: datetime) -> Placement:
        """Join the development the report most probably belongs to, if that is likely enough."""
        candidates = self.candidates(features, at)
        known = frozenset().union(*(c.facts for c in candidates))
        new_facts = tuple(f for f in features.lead_facts if f.key not in known)[:SHOWN_FACTS]
        if not candidates:
            return Placement(None, None, 0.0, new_facts)
        scored = sorted(
            ((self.model.probability(self.evidence(features, c, at), story_known=self.story_known), c)
             for c in candidates),
            key=lambda pair: (pair[0], pair[1].last_seen_at), reverse=True,
        )
        probability, nearest = scored[0]
        # A recap joins the nearest development even when its words drift: in a named storyline
        # every candidate is the story it retells. In a catch-all one the nearest may be another
        # story, so there a recap joins only what its words say is its story.
        retold_here = features.retold and self.story_known
        joins = nearest if probability >= JOIN_PROBABILITY or retold_here else None
        return Placement(joins, nearest, round(probability, 3), new_facts)

    def nearest_story(self, features: ArticleFeatures, at: datetime,
                      among: Iterable[Profile] | None = None) -> tuple[float, Profile] | None:
        """The development whose story the report most probably tells, among every recent one
        (not only those sharing a headline word or name: the story shows in the body too), and
        that probability, as the same-story stage weighs it; None when there is none."""
        scored = [(self.model.probability(self.evidence(features, p, at), story_known=False), p)
                  for p in (self._recent(at) if among is None else among)]
        return max(scored, key=lambda pair: (pair[0], pair[1].last_seen_at), default=None)

    def tells_one_story(self, at: datetime) -> bool:
        """Whether the storyline is one story (a flight, a recall, a trial) rather than a beat of
        many (a financial crisis, a pandemic): more of its recent developments than not are, by
        the same-story stage, the same story as another of them. One development is one story."""
        if self._one_story is None:
            recent = sorted(self._recent(at), key=lambda p: p.last_seen_at, reverse=True)[:STORY_SAMPLE]
            same = 0
            for profile in recent:
                nearest = self.nearest_story(_as_report(profile), at, [p for p in recent if p is not profile])
                same += nearest is not None and nearest[0] >= JOIN_PROBABILITY
            self._one_story = len(recent) < 2 or same > len(recent) / 2
        return self._one_story

    def _recent(self, at: datetime) -> list[Profile]:
        horizon = at - timedelta(days=ACTIVE_DAYS)
        return [p for p in self.profiles.values() if p.last_seen_at >= horizon]

    def evidence(self, features: ArticleFeatures, profile: Profile, at: datetime) -> PairEvidence:
        article = _vectors(features)
        cosines = {space: self._cosine(space, vector, profile) for space, vector in article.items()}
        seed = self._cosine(SEED, features.headline, profile) if SEED in profile.vectors else cosines["headline"]
        return PairEvidence(
            title=cosines["title"],
            lead=cosines["headline"],
            seed=seed,
            body=cosines["body"],
            names=cosines["names"],
            day_gap=(features.reported.day - profile.reported_on).days,
            seen_gap=(at - profile.last_seen_at).total_seconds() / 86400,
            novelty=self._novelty(features.headline, profile),
            recap=features.recap,
            follow_up=features.follow_up,
            titles_only=not features.body or not profile.vectors.get("body"),
        )

    def _novelty(self, headline: Vector, profile: Profile) -> float:
        known = profile.vectors.get("body", {}).keys() | profile.vectors.get("headline", {}).keys()
        total = sum(self.idf(t) for t in headline)
        return sum(self.idf(t) for t in headline if t not in known) / total if total else 0.0

    def _cosine(self, space: str, vector: Vector, profile: Profile) -> float:
        other = profile.vectors.get(space, {})
        dot = sum(w * other[t] * self.idf(t) ** 2 for t, w in vector.items() if t in other)
        return dot / (self._norm(vector) * self._norms[profile.development_id][space]) if dot else 0.0

    def idf(self, term: str) -> float:
        if term not in self._idf:
            self._idf[term] = self.stats.idf(term)
        return self._idf[term]

    def _norm(self, vector: Vector) -> float:
        return math.sqrt(sum((weight * self.idf(term)) ** 2 for term, weight in vector.items()))


def open_development(development_id: str, headline: str, features: ArticleFeatures, at: datetime) -> Profile:
    return Profile(
        development_id=development_id,
        headline=headline,
        first_seen_at=at,
        last_seen_at=at,
        article_count=1,
        vectors={**{space: dict(vector) for space, vector in _vectors(features).items()},
                 SEED: dict(features.headline)},
        facts=features.fact_keys,
        reported_on=features.reported.day,
    )


def absorb(profile: Profile, features: ArticleFeatures, at: datetime) -> Profile:
    """The profile with one more report: running mean of the vectors, union of the facts."""
    n = profile.article_count
    vectors = {**profile.vectors,
               **{space: _mean(profile.vectors.get(space, {}), v, n) for space, v in _vectors(features).items()}}
    return replace(
        profile,
        first_seen_at=min(profile.first_seen_at, at),
        last_seen_at=max(profile.last_seen_at, at),
        article_count=n + 1,
        vectors=vectors,
        facts=frozenset(sorted(profile.facts | features.fact_keys)[:MAX_FACTS]),
    )


def why_new(placement: Placement, event: str, reported_on: date, *, page_update: bool = False) -> str:
    """One sentence a person reads: what the report says happened, against the nearest known development.

    `event` is the report's own headline (a page update's first sentence): what is new is what
    the report leads with, and the nearest development is what a subscriber already knows.
    """
    event = " ".join(event.split()).rstrip(".")
    where = ", in an update of a page already followed" if page_update else ""
    nearest = placement.nearest
    if nearest is None:
        return f"First development of the storyline{where}: {event} ({_day(reported_on)})."
    return f"New since {nearest.headline!r} ({_day(nearest.reported_on)}){where}: {event} ({_day(reported_on)})."


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _as_report(profile: Profile) -> ArticleFeatures:
    """A development read as one report of its mean words, to weigh it against the others."""
    vectors = profile.vectors
    return ArticleFeatures(
        title=vectors.get("title", {}), headline=vectors.get("headline", {}), body=vectors.get("body", {}),
        names=vectors.get("names", {}), lead_facts=(), fact_keys=profile.facts, text_words=TEASER_WORDS,
        reported=ReportedDay(profile.reported_on, "", 0), recap=False,
    )


def _vectors(features: ArticleFeatures) -> dict[str, Vector]:
    return {"title": features.title, "headline": features.headline, "body": features.body, "names": features.names}


def _keys(vectors: Mapping[str, Vector]) -> set[str]:
    """The terms candidates are looked up by: headline terms and names (body terms are too common)."""
    return set(vectors.get("headline", {})) | set(vectors.get("names", {})) | set(vectors.get("title", {}))


def _mean(old: Vector, new: Vector, n: int) -> dict[str, float]:
    merged = {term: weight * n / (n + 1) for term, weight in old.items()}
    for term, weight in new.items():
        merged[term] = merged.get(term, 0.0) + weight / (n + 1)
    return dict(sorted(merged.items(), key=lambda item: -item[1])[:MAX_TERMS])
