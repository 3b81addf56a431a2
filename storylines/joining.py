"""The join-or-open decision: does a report belong to a development the storyline already has?

A learned decision, not a tuned threshold (Miranda et al., EMNLP 2018, found a model over
pair features beats a similarity threshold by 11 F1): logistic regression over a few pair
features, each one a thing an editor would weigh.

- `title`, `lead`, `body`, `names`: IDF-cosine of the report's title, headline (title + lead),
  whole text and names with the development's mean vectors; `seed`: the headline's cosine with
  the development's first report alone, which followers' words do not dilute. What is new sits in the title and lead, so
  `lead` separates "the ambassador arrives in Moscow" from "the ambassador was recalled" where
  the body, which recaps the storyline, cannot.
- `day_gap`: log(1 + days) between the day the report's lead names and the development's day.
  Reports of one event name the same day, whenever they are published.
- `seen_gap`: log(1 + days) since the development was last reported.
- `novelty`: the IDF-weighted share of the report's title and lead words that none of the
  development's reports used: a new event brings words of its own ("loose bolts", "refloated").
- `recap`: the title reads as an explainer or look-back; `stale_gap`: the day gap of a report
  that retells old news, which says little (a recap names the old day on purpose).

The weights are a small data file (`join_model.json`) written by `bench/train_join_model.py`
from the labelled development set, with its leave-one-storyline-out figures beside them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

FEATURES = ("title", "lead", "seed", "body", "names", "day_gap", "seen_gap", "novelty", "recap", "stale_gap")
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
    day_gap: float    # days between the days they report
    seen_gap: float   # days since the development's last report
    novelty: float    # 0: every headline word is known to the development; 1: none is
    recap: bool
    stale: bool       # the report retells old news (see ArticleFeatures.retold)

    def vector(self) -> list[float]:
        day_gap = math.log1p(abs(self.day_gap))
        return [
            self.title, self.lead, self.seed, self.body, self.names,
            0.0 if self.stale else day_gap,
            math.log1p(abs(self.seen_gap)),
            self.novelty,
            float(self.recap),
            day_gap if self.stale else 0.0,
        ]


@dataclass(frozen=True)
class JoinModel:
    weights: Mapping[str, float]
    bias: float

    def probability(self, evidence: PairEvidence) -> float:
        score = self.bias + sum(self.weights[name] * x for name, x in zip(FEATURES, evidence.vector()))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))

    @classmethod
    def bundled(cls) -> JoinModel:
        return cls.from_json(resources.files("storywatch.storylines").joinpath(MODEL_FILE).read_text())

    @classmethod
    def from_json(cls, text: str) -> JoinModel:
        data = json.loads(text)
        return cls(weights={name: float(data["weights"][name]) for name in FEATURES}, bias=float(data["bias"]))

    def to_json(self, **about: object) -> str:
        return json.dumps({"features": list(FEATURES), "weights": dict(self.weights), "bias": self.bias, **about},
                          indent=1)


def fit(evidence: Sequence[PairEvidence], same: Sequence[bool], l2: float = 1.0, steps: int = 50) -> JoinModel:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    x = np.array([[1.0, *e.vector()] for e in evidence])
    y = np.array(same, dtype=float)
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
    return JoinModel(weights={name: round(float(v), 4) for name, v in zip(FEATURES, w[1:])}, bias=round(float(w[0]), 4))
