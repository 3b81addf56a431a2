"""The join-or-open decision: does a report belong to a development the storyline already has?

A learned decision, not a tuned threshold (Miranda et al., EMNLP 2018, found a model over
pair features beats a similarity threshold by 11 F1). A development is one event of one
story, so the decision is two questions, each a logistic regression over pair features an
editor would weigh; a report joins a development of the same story when the same event is more
likely than not:

- **same story?** (asked when the storyline's query does not already say what its story is:
  a catch-all storyline) weighs only what is said: the IDF-cosines of the report's title, headline
  (title + lead), whole text and names with the development's mean vectors (`title`, `lead`,
  `body`, `names`), the headline's cosine with the development's first report alone (`seed`),
  and `novelty`, the IDF-weighted share of the report's title and lead words none of the
  development's reports used. In a catch-all storyline (all business news, a whole feed) this
  is the only question: with no story named, each story is a development of its own, and its
  next event is told on its words, whenever it comes. It is taught on reports read as a
  catch-all storyline reads them, with every word of their title and lead (a named
  storyline's query words are what its reports share, and so what tells a story apart).
- **same event?** weighs the same words against time, because within a story the reports of
  one event share its background with the next event's: `day_gap`, log(1 + days) between the
  day the report's lead names and the development's day (reports of one event name the same
  day, whenever they are published); `seen_gap`, log(1 + days) since its last report; `recap`,
  a title that reads as an explainer or look-back; `stale_gap`, the day gap of a follow-up,
  which says little: a recap names the old day on purpose, and a report counting the days of a
  known state ("shut for a fourth day") names today for an event of days before.

A report or development with no text beyond its title (a headline feed) has no body to
compare: each stage then has a twin fitted on the training reports read as titles alone, over
the features a title gives (`TITLE_STORY_FEATURES`, `TITLE_EVENT_FEATURES`). A missing body is
unknown, not unlike: read as a cosine of 0 it would count against every join.

The weights are a small data file (`join_model.json`) written by `bench/train_join_model.py`
from the labelled development set, with its leave-one-storyline-out figures beside them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

STORY_FEATURES = ("title", "lead", "seed", "body", "names", "novelty")
EVENT_FEATURES = (*STORY_FEATURES, "day_gap", "seen_gap", "recap", "stale_gap")
# What a pair of titles alone can say: with no text beyond a title on one side, the body is not
# known (its cosine of 0 says nothing of the story), and the lead is the title again.
UNSEEN = ("lead", "body")
TITLE_STORY_FEATURES = tuple(f for f in STORY_FEATURES if f not in UNSEEN)
TITLE_EVENT_FEATURES = tuple(f for f in EVENT_FEATURES if f not in UNSEEN)
MODEL_FILE = "join_model.json"
JOIN_PROBABILITY = 0.5  # join when it is more likely than not the same development


@dataclass(frozen=True)
class PairEvidence:
    """What is compared between one report and one candidate development."""

    title: float
    lead: float
    seed: float       # headline cosine with the development's first report alone
    body: float
    names: float
    novelty: float    # 0: every headline word is known to the development; 1: none is
    day_gap: float    # days between the days they report
    seen_gap: float   # days since the development's last report
    recap: bool
    follow_up: bool   # the day the report names is not its event's (see ArticleFeatures.follow_up)
    titles_only: bool = False  # the report or the development has no text beyond its title (a headline feed)

    def features(self) -> dict[str, float]:
        day_gap = math.log1p(abs(self.day_gap))
        return {
            "title": self.title, "lead": self.lead, "seed": self.seed, "body": self.body, "names": self.names,
            "novelty": self.novelty,
            "day_gap": 0.0 if self.follow_up else day_gap,
            "seen_gap": math.log1p(abs(self.seen_gap)),
            "recap": float(self.recap),
            "stale_gap": day_gap if self.follow_up else 0.0,
        }


@dataclass(frozen=True)
class Logistic:
    weights: Mapping[str, float]
    bias: float

    def probability(self, features: Mapping[str, float]) -> float:
        score = self.bias + sum(weight * features[name] for name, weight in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))


@dataclass(frozen=True)
class JoinModel:
    story: Logistic
    event: Logistic
    # The same two questions for a pair of which one side is a title alone, fitted on the
    # training reports read as their titles only: a missing body is unknown, not unlike.
    story_titles: Logistic | None = None
    event_titles: Logistic | None = None

    def probability(self, evidence: PairEvidence, *, story_known: bool = False) -> float:
        """That the report is the development's.

        `story_known`: the storyline's query names what its story is, and the report is about it
        (`storylines.matching`), so only the event is in question: the event stage answers.
        Otherwise (a catch-all query) a development is a story, and the story stage answers:
        the event stage, taught within one story, takes any report of the same day for the same
        event, and splits a story's later events that a catch-all subscriber follows as one.
        """
        features = evidence.features()
        if evidence.titles_only:
            stage = self.event_titles if story_known else self.story_titles
            if stage is not None:
                return stage.probability(features)
        return (self.event if story_known else self.story).probability(features)

    @classmethod
    def bundled(cls) -> JoinModel:
        return cls.from_json(resources.files("storywatch.storylines").joinpath(MODEL_FILE).read_text())

    @classmethod
    def from_json(cls, text: str) -> JoinModel:
        data = json.loads(text)
        return cls(*(
            Logistic({name: float(data[stage]["weights"][name]) for name in names}, float(data[stage]["bias"]))
            if stage in data else None
            for stage, names in STAGES
        ))

    def to_json(self, **about: object) -> str:
        stages = {stage: {"weights": dict(model.weights), "bias": model.bias}
                  for stage, _ in STAGES if (model := getattr(self, stage)) is not None}
        return json.dumps({**stages, **about}, indent=1)


STAGES = (("story", STORY_FEATURES), ("event", EVENT_FEATURES),
          ("story_titles", TITLE_STORY_FEATURES), ("event_titles", TITLE_EVENT_FEATURES))


def fit(
    evidence: Sequence[PairEvidence],
    names: Sequence[str],
    labels: Sequence[bool],
    l2: float = 1.0,
    steps: int = 50,
) -> Logistic:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    import numpy as np  # only training needs it: every pass would otherwise pay its import (50 ms)

    x = np.array([[1.0, *(e.features()[name] for name in names)] for e in evidence])
    y = np.array(labels, dtype=float)
    w = np.zeros(x.shape[1])
    penalty = np.diag([0.0] + [l2] * (x.shape[1] - 1))
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -50, 50)))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(weights={name: round(float(v), 4) for name, v in zip(names, w[1:])}, bias=round(float(w[0]), 4))
