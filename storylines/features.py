"""An article's lexical fingerprint for clustering: term sub-vectors and the facts it states.

Following Miranda et al. (EMNLP 2018), an article is three sparse vectors rather than one:
its headline (title, counted twice, plus lead), its whole text, and the names it mentions.
Weights are sublinear term frequencies; IDF is applied at comparison time, so stored
development profiles never go stale as document frequencies grow.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from storywatch.storylines.entities import STOPWORDS, Fact, facts, stem
from storywatch.storylines.model import Vector
from storywatch.storylines.text import Zone, sentences, words

MAX_TERMS = 150  # per vector: keeps profiles small and comparisons cheap on long articles
TEASER_WORDS = 40  # a text shorter than this is a teaser; the title carries the article


@dataclass(frozen=True)
class ArticleFeatures:
    headline: Vector
    body: Vector
    names: Vector
    lead_facts: tuple[Fact, ...]  # facts of the title and lead, title first: what a report leads with
    fact_keys: frozenset[str]     # every fact of the article
    text_words: int

    @property
    def terms(self) -> frozenset[str]:
        """Every term of the three vectors (what document frequencies count)."""
        return frozenset(self.headline) | frozenset(self.body) | frozenset(self.names)

    @property
    def teaser(self) -> bool:
        return self.text_words < TEASER_WORDS

    def without(self, ignored: Callable[[str], bool]) -> ArticleFeatures:
        """These features minus the words `ignored` accepts (a storyline's own query words,
        which every article of the storyline shares and so cannot tell developments apart)."""
        def keep(term: str) -> bool:
            return not any(ignored(word) for word in term.split())

        return ArticleFeatures(
            headline={t: w for t, w in self.headline.items() if keep(t)},
            body={t: w for t, w in self.body.items() if keep(t)},
            names={t: w for t, w in self.names.items() if keep(t)},
            lead_facts=tuple(f for f in self.lead_facts if keep(f.key)),
            fact_keys=frozenset(k for k in self.fact_keys if keep(k)),
            text_words=self.text_words,
        )


def article_features(title: str | None, text: str | None) -> ArticleFeatures:
    parts = sentences(title, text)
    head = [s for s in parts if s.zone is not Zone.BODY]
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
    headline = Counter()
    for sentence in head:
        headline.update(_terms(sentence.text) * (2 if sentence.zone is Zone.TITLE else 1))
    body = Counter(t for s in parts if s.zone is not Zone.TITLE for t in _terms(s.text))
    return ArticleFeatures(
        headline=_weights(headline),
        body=_weights(body),
        names=_weights(names),
        lead_facts=lead_facts,
        fact_keys=frozenset(f.key for f in all_facts),
        text_words=sum(len(words(s.text)) for s in parts if s.zone is not Zone.TITLE),
    )


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
