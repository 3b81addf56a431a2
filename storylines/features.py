"""What clustering knows of one report: term sub-vectors, the facts it states, the day it reports.

Following Miranda et al. (EMNLP 2018), an article is three sparse vectors rather than one:
its headline (title, counted twice, plus lead), its whole text, and the names it mentions.
Weights are sublinear term frequencies; IDF is applied at comparison time, so stored
development profiles never go stale as document frequencies grow.

Two more things decide which development a report belongs to: the day its lead reports
(`storylines.temporal`), and whether it reads as a recap, a look-back or explainer on a known
event rather than news of a new one: its title says so ("Explainer:", "What we know about",
"three weeks on") or the latest day its lead names is days before publication. A report whose
title or lead counts how long a known state has lasted ("closed for a fourth day", "as the
outage drags on") is a follow-up: it names today, but today is not its event's day, so like a
recap's its day gap says little; unlike a recap it may still bring news, so its words decide.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from storywatch.query_syntax import words
from storywatch.storylines.entities import STOPWORDS, Fact, facts, stem
from storywatch.storylines.model import Vector
from storywatch.storylines.temporal import ReportedDay, reported_day
from storywatch.storylines.text import Zone, sentences, split_sentences

MAX_TERMS = 150  # per vector: keeps profiles small and comparisons cheap on long articles
TEASER_WORDS = 40  # a text shorter than this is a teaser; the title carries the article
STALE_DAYS = 2     # reports of one event cluster within about two days of it; a lead that is older recaps
# Titles of look-backs and explainers: they retell a known event, whatever day they are published.
_RECAP_TITLE = re.compile(
    r"^(?:explainer|analysis|comment|opinion|q\s?&\s?a|factbox|fact box|timeline|in pictures|in depth|the big read)\b"
    r"|\bwhat (?:we|you) (?:now )?(?:know|need to know|learned)\b|\bwhat (?:it|this) means\b|\bhere(?:'s| is) (?:why|what|how)\b"
    r"|\blessons?\b|\btaught us\b|\blooking back\b|\ba look back\b|\b(?:weeks?|months?|years?|days?) (?:on|later)\b",
    re.IGNORECASE,
)
# A title or lead that counts how long a known state has lasted ("shut for a fourth day", "another
# day of dredging failed", "as the outage drags on"): the follow-up of an event already reported,
# told on the day it is written, so its reported day is today's while its event is not new.
_ONGOING = re.compile(
    r"\bfor an? (?:(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))"
    r"(?: straight| consecutive| successive)?|straight|consecutive|successive) (?:day|night|week|month)\b"
    r"|\banother (?:day|night|week) of\b|\bafter another (?:day|night|week)\b"
    r"|\b(?:drags?|dragged|dragging|grinds?|grinding|wears?|wore|wearing) on\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArticleFeatures:
    title: Vector                 # the title alone: what the report calls its news
    headline: Vector
    body: Vector
    names: Vector
    lead_facts: tuple[Fact, ...]  # facts of the title and lead, title first: what a report leads with
    fact_keys: frozenset[str]     # every fact of the article
    text_words: int
    reported: ReportedDay         # the day the title and lead report
    recap: bool                   # the title reads as a look-back or explainer, not news
    ongoing: bool = False         # the title or lead counts how long a known state has lasted

    @property
    def terms(self) -> frozenset[str]:
        """Every term of the three vectors (what document frequencies count)."""
        return frozenset(self.title) | frozenset(self.headline) | frozenset(self.body) | frozenset(self.names)

    @property
    def retold(self) -> bool:
        """Old news retold: an explainer or look-back, or a lead whose latest day is days before publication."""
        return self.recap or self.reported.lag_days >= STALE_DAYS

    @property
    def follow_up(self) -> bool:
        """The day the report names is not its event's: it retells old news, or counts the days of a
        state already reported ("for a fourth day")."""
        return self.retold or self.ongoing

    @property
    def teaser(self) -> bool:
        return self.text_words < TEASER_WORDS

    def without(self, ignored: Callable[[str], bool]) -> ArticleFeatures:
        """The title and lead minus the words `ignored` accepts (a storyline's own query words,
        which every report of the storyline leads with and so cannot tell developments apart).

        The body and the names keep them: they say what story a report tells, which is how a
        report of another story in a broad storyline is told apart."""
        def keep(term: str) -> bool:
            return not any(ignored(word) for word in term.split())

        return replace(
            self,
            title={t: w for t, w in self.title.items() if keep(t)},
            headline={t: w for t, w in self.headline.items() if keep(t)},
            lead_facts=tuple(f for f in self.lead_facts if keep(f.key)),
            fact_keys=frozenset(k for k in self.fact_keys if keep(k)),
        )


def article_features(title: str | None, text: str | None, published: datetime) -> ArticleFeatures:
    parts = sentences(title, text)
    head = [s for s in parts if s.zone is not Zone.BODY]
    reported = reported_day([s.text for s in head], published)
    lowercase = frozenset(w for s in parts if s.zone is not Zone.TITLE for w in _lowercase_words(s.text))
    lead_facts = facts(head, lowercase)
    all_facts = lead_facts + facts([s for s in parts if s.zone is Zone.BODY], lowercase)
    names = Counter()
    for fact in all_facts:
        if fact.kind == "name":
            names.update(_name_terms(fact.key))
    for fact in lead_facts:
        if fact.kind == "name":
            names.update(_name_terms(fact.key))  # a name in the title or lead counts twice
    title_terms = Counter(t for s in parts if s.zone is Zone.TITLE for t in _terms(s.text))
    headline = Counter()
    for sentence in head:
        headline.update(_terms(sentence.text) * (2 if sentence.zone is Zone.TITLE else 1))
    body = Counter(t for s in parts if s.zone is not Zone.TITLE for t in _terms(s.text))
    return ArticleFeatures(
        title=_weights(title_terms),
        headline=_weights(headline),
        body=_weights(body),
        names=_weights(names),
        lead_facts=lead_facts,
        fact_keys=frozenset(f.key for f in all_facts),
        text_words=sum(len(words(s.text)) for s in parts if s.zone is not Zone.TITLE),
        reported=reported,
        recap=bool(_RECAP_TITLE.search((title or "").strip())),
        ongoing=any(_ONGOING.search(s.text) for s in head),
    )


def update_report(previous_text: str, text: str) -> tuple[str, str] | None:
    """What a change at the same URL added (a live page's update), as (title, text) of a report:
    the added paragraphs, the first sentence standing as the title. None when nothing was added."""
    before = {" ".join(p.split()) for p in previous_text.split("\n")}
    added = [p.strip() for p in text.split("\n") if p.strip() and " ".join(p.split()) not in before]
    if not added:
        return None
    first, *rest = split_sentences("\n".join(added))
    return first, "\n".join(rest)


def _terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]


def _name_terms(key: str) -> list[str]:
    """A name and its last word, so "Anatoly Antonov" and a later "Antonov" meet."""
    last = key.split()[-1]
    return [key] if last == key else [key, last]


def _lowercase_words(text: str) -> Iterable[str]:
    return (w for token in text.split() if token[:1].islower() for w in words(token))


def _weights(counts: Counter) -> dict[str, float]:
    return {term: 1.0 + math.log(count) for term, count in counts.most_common(MAX_TERMS)}
