"""Grouping a storyline's articles into developments, and saying why a development is new.

"New development" is first-story detection restricted to the storyline's own history: an
article is compared with the profiles of the storyline's recent developments (the mean term
vectors of their articles); it joins the most similar one when the time-decayed similarity
reaches `JOIN_THRESHOLD`, and otherwise opens a development of its own. The headline vector
(title + lead) carries the most weight, because a report leads with what is new in it.

Overall similarity is not enough on its own: a storyline's reports share names, places and
background, so "the strike ends with a deal" resembles "the dockworkers walk out" in most of
its text. A join therefore also needs the lead to agree: a lead that reports several events the
development never reported (a vote, a deal, an end) must share the development's headline
vocabulary to join it. Rehashes and follow-ups lead with the known event and pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from storywatch.storylines.entities import Fact
from storywatch.storylines.features import MAX_TERMS, ArticleFeatures
from storywatch.storylines.model import Profile, TermStats, Vector

# Product constants, chosen once on the bench (bench/storylines_eval.py) and used for every storyline.
WEIGHTS = {"headline": 0.45, "body": 0.30, "names": 0.25}
JOIN_THRESHOLD = 0.18
LEAD_AGREEMENT = 0.25  # headline (title + lead) similarity at which two reports lead with the same news
NEW_EVENTS = 2         # unreported event words a lead needs to contradict a development; one can be incidental
DECAY_DAYS = 7.0       # scale of the Gaussian time decay between an article and a development
DECAY_FLOOR = 0.7      # a much later report of the same event still keeps most of its similarity
ACTIVE_DAYS = 30       # developments quiet for longer are no longer candidates to join
MAX_ACTIVE = 300       # at most this many recent developments per storyline are compared
MAX_FACTS = 400        # facts remembered per development
SHOWN_FACTS = 8        # new facts named in an explanation


@dataclass(frozen=True)
class Placement:
    joins: Profile | None     # the development the article belongs to; None: it opens one
    nearest: Profile | None   # the most similar candidate development
    similarity: float         # time-decayed similarity to `nearest` (0 when there is none)
    new_facts: tuple[Fact, ...]  # title/lead facts none of the similar recent developments reported
    lead_similarity: float = 0.0       # headline-vector similarity to `nearest`
    new_events: tuple[Fact, ...] = ()  # title/lead event words `nearest` never reported

    @property
    def distance(self) -> float | None:
        return None if self.nearest is None else round(1.0 - self.similarity, 3)


class DevelopmentIndex:
    """A storyline's candidate developments for one batch, indexed by headline terms and names.

    Only developments sharing a headline term or a name with the article are scored, and each
    profile's IDF norms are computed once per batch, so the cost of placing an article depends
    on how many recent developments look like it — not on how many articles are stored.
    """

    def __init__(self, profiles: Iterable[Profile], stats: TermStats):
        self.stats = stats
        self._idf: dict[str, float] = {}
        self.profiles: dict[str, Profile] = {}
        self._postings: dict[str, set[str]] = {}
        self._norms: dict[str, dict[str, float]] = {}
        for profile in profiles:
            self.put(profile)

    def put(self, profile: Profile) -> None:
        """Add a development or replace it with its updated profile."""
        self.profiles[profile.development_id] = profile
        self._norms[profile.development_id] = {
            space: self._norm(vector) for space, vector in profile.vectors.items()
        }
        for term in _keys(profile.vectors):
            self._postings.setdefault(term, set()).add(profile.development_id)

    def place(self, features: ArticleFeatures, at: datetime) -> Placement:
        """Join the most similar candidate that is similar enough and whose lead agrees, else open."""
        horizon = at - timedelta(days=ACTIVE_DAYS)
        ids = set().union(*(self._postings.get(t, ()) for t in _keys(_vectors(features))))
        candidates = [self.profiles[i] for i in sorted(ids) if self.profiles[i].last_seen_at >= horizon]
        article = _vectors(features)
        norms = {space: self._norm(vector) for space, vector in article.items()}
        scored = sorted(
            ((self._similarity(article, norms, c, at), c) for c in candidates),
            key=lambda pair: (pair[0], pair[1].last_seen_at), reverse=True,
        )
        known = frozenset().union(*(c.facts for c in candidates))
        new_facts = tuple(f for f in features.lead_facts if f.key not in known)[:SHOWN_FACTS]
        if not scored:
            return Placement(None, None, 0.0, new_facts)
        leads = [self._lead(features, norms["headline"], c) for _, c in scored]
        joins = next(
            (c for (similarity, c), (lead, events) in zip(scored, leads)
             if similarity >= JOIN_THRESHOLD and (lead >= LEAD_AGREEMENT or len(events) < NEW_EVENTS)),
            None,
        )
        (best, nearest), (lead, events) = scored[0], leads[0]
        return Placement(joins, nearest, round(best, 3), new_facts, round(lead, 3), events[:SHOWN_FACTS])

    def similarity(self, features: ArticleFeatures, profile: Profile, at: datetime) -> float:
        article = _vectors(features)
        return self._similarity(article, {s: self._norm(v) for s, v in article.items()}, profile, at)

    def _similarity(
        self, article: Mapping[str, Vector], norms: Mapping[str, float], profile: Profile, at: datetime
    ) -> float:
        """Weighted IDF-cosine over the sub-vectors the article has, times a Gaussian time decay.

        A teaser or headline-only article is judged on the spaces it has, not penalised for
        the body it lacks.
        """
        spaces = [space for space in WEIGHTS if article[space]]
        if not spaces:
            return 0.0
        lexical = sum(WEIGHTS[space] * self._cosine(space, article[space], norms[space], profile) for space in spaces)
        lexical /= sum(WEIGHTS[s] for s in spaces)
        days = abs((at - profile.last_seen_at).total_seconds()) / 86400
        return lexical * (DECAY_FLOOR + (1 - DECAY_FLOOR) * math.exp(-(days**2) / (2 * DECAY_DAYS**2)))

    def _lead(self, features: ArticleFeatures, norm: float, profile: Profile) -> tuple[float, tuple[Fact, ...]]:
        """How far the article's title and lead agree with a development: headline similarity,
        and the events the lead reports that none of the development's articles did."""
        events = tuple(f for f in features.lead_facts if f.kind == "event" and f.key not in profile.facts)
        return self._cosine("headline", features.headline, norm, profile), events

    def _cosine(self, space: str, vector: Vector, norm: float, profile: Profile) -> float:
        other = profile.vectors.get(space, {})
        dot = sum(w * other[t] * self.idf(t) ** 2 for t, w in vector.items() if t in other)
        return dot / (norm * self._norms[profile.development_id][space]) if dot else 0.0

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
        vectors={space: dict(vector) for space, vector in _vectors(features).items()},
        facts=features.fact_keys,
    )


def absorb(profile: Profile, features: ArticleFeatures, at: datetime) -> Profile:
    """The profile with one more article: running mean of the vectors, union of the facts."""
    n = profile.article_count
    vectors = {space: _mean(profile.vectors.get(space, {}), v, n) for space, v in _vectors(features).items()}
    return replace(
        profile,
        first_seen_at=min(profile.first_seen_at, at),
        last_seen_at=max(profile.last_seen_at, at),
        article_count=n + 1,
        vectors=vectors,
        facts=frozenset(sorted(profile.facts | features.fact_keys)[:MAX_FACTS]),
    )


def why_new(placement: Placement) -> str:
    """One sentence a person reads: the nearest earlier development, how far, and what is new."""
    facts = ", ".join(str(f) for f in placement.new_facts) or "none found in the title and lead"
    nearest = placement.nearest
    if nearest is None:
        return f"First development of the storyline; facts: {facts}."
    if placement.similarity < JOIN_THRESHOLD:
        return (
            f"Nearest earlier development {nearest.headline!r} ({nearest.development_id}) "
            f"is at distance {placement.distance:.2f} (similarity {placement.similarity:.2f} < {JOIN_THRESHOLD:.2f}); "
            f"new facts: {facts}."
        )
    events = ", ".join(str(f) for f in placement.new_events)
    return (
        f"Nearest earlier development {nearest.headline!r} ({nearest.development_id}) shares much of the "
        f"storyline's background (similarity {placement.similarity:.2f}), but this report leads with events it "
        f"never reported ({events}) and its title and lead differ from it (lead similarity "
        f"{placement.lead_similarity:.2f} < {LEAD_AGREEMENT:.2f}); new facts: {facts}."
    )


def _vectors(features: ArticleFeatures) -> dict[str, Vector]:
    return {"headline": features.headline, "body": features.body, "names": features.names}


def _keys(vectors: Mapping[str, Vector]) -> set[str]:
    """The terms candidates are looked up by: headline terms and names (body terms are too common)."""
    return set(vectors.get("headline", {})) | set(vectors.get("names", {}))


def _mean(old: Vector, new: Vector, n: int) -> dict[str, float]:
    merged = {term: weight * n / (n + 1) for term, weight in old.items()}
    for term, weight in new.items():
        merged[term] = merged.get(term, 0.0) + weight / (n + 1)
    return dict(sorted(merged.items(), key=lambda item: -item[1])[:MAX_TERMS])
