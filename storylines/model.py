"""The values storyline tracking reads, keeps and hands on to alert delivery and the timeline."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

Vector = Mapping[str, float]  # term → weight


@dataclass(frozen=True)
class StoredArticle:
    """A stored article as storyline tracking reads it."""

    article_id: str
    url: str
    source: str
    title: str | None
    text: str
    seen_at: datetime          # published_at, else fetched_at
    language: str | None = None
    duplicate_of: str | None = None
    revision: int = 1          # 2 and up: the text changed at the same URL (a live page, a correction)


@dataclass(frozen=True)
class Revision:
    """What an article said before its latest change, and when the change was published."""

    previous_text: str
    updated_at: datetime


@dataclass(frozen=True)
class Assignment:
    """An article placed in a storyline (and in one of its developments)."""

    storyline_id: str
    article_id: str
    development_id: str | None
    score: float
    explanation: str        # which clauses matched where, and other evidence


@dataclass(frozen=True)
class Development:
    """A new development opened in a storyline: the unit alerts are sent for."""

    development_id: str
    storyline_id: str
    headline: str
    first_article_id: str
    first_seen_at: datetime
    explanation: str        # why it counts as new, one sentence a person reads
    reported_on: date | None = None            # the day its event happened, as the first report's lead says
    nearest_development_id: str | None = None  # the earlier development most likely the same, if any
    distance: float | None = None              # 1 - the probability that it is that one after all
    new_facts: tuple[str, ...] = ()            # names, numbers, dates, event words it brings


@dataclass(frozen=True)
class TermStats:
    """Document frequencies: how many tracked articles use each term."""

    documents: int
    df: Mapping[str, int]

    def idf(self, term: str) -> float:
        return math.log((self.documents + 1) / (self.df.get(term, 0) + 1)) + 1.0


@dataclass(frozen=True)
class Profile:
    """What clustering remembers of a development: its mean vectors, facts and time span."""

    development_id: str
    headline: str
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int
    vectors: Mapping[str, Vector]  # "headline", "body", "names" → mean term weights
    facts: frozenset[str]
    reported_on: date              # the day the development's event happened, as its first report says
