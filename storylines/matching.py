"""Does an article belong to a storyline? The query decides, aboutness vetoes, a score ranks.

An article belongs when the storyline is its subject, not when it mentions it: a market wrap
whose lead has one sentence on the bank, an earnings story, a visit elsewhere match the query
as well as the reports do. The subject shows in where the matches sit and how much of the
article they cover: a query word in the title, or matches in several sentences covering a
real share of the text. One sentence, in the lead or anywhere else, or a scatter of sentences
in a long piece about something else, is a mention in passing and is not assigned; so is a
match that rests on one sentence of the body (`Match.faint`: the words that make the query
hold, or a name it needs, named there alone). The explanation says which.
"""

from __future__ import annotations

from dataclasses import dataclass

from storywatch.storylines.query import Document, Match, Query

ZONE_STRENGTH = {"title": 1.0, "lead": 0.75, "body": 0.45}
SPREAD_SENTENCES = 4  # evidence in this many sentences or more counts as fully spread
SUBJECT_SENTENCES = 2    # without the title, the storyline is the subject of at least this many sentences…
SUBJECT_COVERAGE = 0.05  # …and of at least this share of the text's sentences


@dataclass(frozen=True)
class Relevance:
    belongs: bool
    score: float       # 0..1: where the query words occur, how widely, how many of them
    explanation: str
    in_passing: bool = False  # the query matched, but only in passing (so `belongs` is False)
    in_headline: bool = True  # the query holds on the title and lead alone (the body is not needed)


def relevance(query: Query, document: Document, language: str | None = None) -> Relevance:
    match = query.match_document(document)
    notes = _notes(document, language)
    if not match.matched:
        return Relevance(False, 0.0, _join("the query does not match", notes))
    if match.positive_clauses == 0:
        return Relevance(True, 0.5, _join("the query has only NOT clauses, so it matches every article it does not exclude", notes))
    evidence = f"matched {', '.join(hit.describe() for hit in match.hits)} in {_sentences(match.sentence_count)}"
    if match.faint:
        return Relevance(False, 0.0, _join(
            f"mentioned in passing only: {evidence}, but the match rests on {match.faint}, named in one sentence "
            f"of the body alone, so the storyline is not the article's subject", notes), in_passing=True)
    if not match.in_title:
        covered, total = match.text_sentence_count, max(document.text_sentences, 1)
        if covered < SUBJECT_SENTENCES or covered / total < SUBJECT_COVERAGE:
            return Relevance(False, 0.0, _join(
                f"mentioned in passing only: {evidence}, {covered} of {total} text sentences and nothing in "
                f"the title, so the storyline is not the article's subject", notes), in_passing=True)
    return Relevance(True, _score(match), _join(evidence, notes), in_headline=match.in_headline)


def _score(match: Match) -> float:
    zone = "title" if match.in_title else "lead" if match.in_lead else "body"
    spread = min(1.0, match.sentence_count / SPREAD_SENTENCES)
    coverage = len(match.hits) / match.positive_clauses
    return round(0.5 * ZONE_STRENGTH[zone] + 0.3 * spread + 0.2 * coverage, 3)


def _notes(document: Document, language: str | None) -> list[str]:
    notes = []
    if not document.has_text:
        notes.append("no article text, judged on the title alone")
    if language and not language.lower().startswith("en"):
        notes.append(f"article language is {language!r}: query words are matched as written, but similarity features are tuned for English")
    return notes


def _sentences(count: int) -> str:
    return "1 sentence" if count == 1 else f"{count} sentences"


def _join(first: str, notes: list[str]) -> str:
    return "; ".join([first, *notes])
