"""What a storyline query means: matching it against an article's title and text.

Its syntax (the grammar, the AST and the parser) is `storywatch.query_syntax`, which the
config checks each storyline's query against when it loads. Matching is case-insensitive and
on word boundaries over the title and the text: `recall*` matches `recalled` but `call` does
not match `recalled`. A word that contains punctuation (`U.S.`, `Antonov's`) is matched as the
phrase of its words; a phrase never spans two sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from storywatch.errors import QuerySyntaxError
from storywatch.query_syntax import And, Node, Not, Or, Term, cased_words, parse_syntax
from storywatch.storylines.text import Zone, sentences

__all__ = ["And", "ClauseHit", "Document", "Match", "Not", "Or", "Query", "QuerySyntaxError", "Term", "parse_query"]


# --- matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    word: str
    sentence: int
    zone: Zone
    capitalised: bool


class Document:
    """An article's words with their sentence and zone, indexed for term lookup."""

    def __init__(self, title: str | None, text: str | None):
        self.has_text = bool((text or "").strip())
        self.tokens: list[_Token] = [
            _Token(word, sentence.index, sentence.zone, capitalised)
            for sentence in sentences(title, text)
            for word, capitalised in cased_words(sentence.text)
        ]
        self.text_sentences = len({token.sentence for token in self.tokens if token.sentence > 0})
        self.positions: dict[str, list[int]] = {}
        for position, token in enumerate(self.tokens):
            self.positions.setdefault(token.word, []).append(position)
        self._found: dict[Term, list[_Token]] = {}

    def occurrences(self, term: Term) -> list[_Token]:
        """The first token of every place `term` occurs (looked up once: matching a query asks
        whether it holds, where it holds and how prominently, and a prefix scans every word)."""
        if term not in self._found:
            self._found[term] = self._find(term)
        return self._found[term]

    def _find(self, term: Term) -> list[_Token]:
        first, *rest = term.words
        if term.prefix and not rest:
            starts = sorted(p for w, ps in self.positions.items() if w.startswith(first) for p in ps)
        else:
            starts = self.positions.get(first, [])
        found = []
        for start in starts:
            end = start + len(rest)
            if end >= len(self.tokens) or self.tokens[end].sentence != self.tokens[start].sentence:
                continue
            last = len(rest) - 1
            if all(self._word_at(start + 1 + i, word, term.prefix and i == last) for i, word in enumerate(rest)):
                found.append(self.tokens[start])
        return found

    def _word_at(self, position: int, word: str, prefix: bool) -> bool:
        actual = self.tokens[position].word
        return actual.startswith(word) if prefix else actual == word


@dataclass(frozen=True)
class ClauseHit:
    """Where one positive clause (a word or phrase of the query) occurs in an article."""

    clause: str
    title: int
    lead: int
    body: int
    sentences: tuple[int, ...]  # indexes of the sentences it occurs in (0 is the title)

    def describe(self) -> str:
        where = ", ".join(f"{zone} {count}" for zone, count in
                          (("title", self.title), ("lead", self.lead), ("body", self.body)) if count)
        return f"{self.clause} ({where})"


@dataclass(frozen=True)
class Match:
    matched: bool
    hits: tuple[ClauseHit, ...]  # positive clauses that occur, in query order
    positive_clauses: int        # how many words/phrases the query asks for (outside NOT)
    faint: str | None = None     # the words the match rests on, when they occur once, in the body (see `_faint`)
    in_headline: bool = False    # the query holds on the title and lead alone

    @property
    def sentence_count(self) -> int:
        return len({index for hit in self.hits for index in hit.sentences})

    @property
    def in_title(self) -> bool:
        return any(hit.title for hit in self.hits)

    @property
    def in_lead(self) -> bool:
        return any(hit.lead for hit in self.hits)

    @property
    def text_sentence_count(self) -> int:
        """Sentences of the text (the title not counted) the positive clauses occur in."""
        return len({index for hit in self.hits for index in hit.sentences if index > 0})


@dataclass(frozen=True)
class Query:
    root: Node

    def __str__(self) -> str:
        return str(self.root)

    @cached_property
    def terms(self) -> tuple[Term, ...]:
        """The positive words and phrases (those not under an odd number of NOTs), in order."""
        found: list[Term] = []
        _collect(self.root, True, found)
        return tuple(dict.fromkeys(found))

    def match(self, title: str | None, text: str | None) -> Match:
        return self.match_document(Document(title, text))

    def match_document(self, document: Document) -> Match:
        """Match an article tokenized once for all storylines."""
        matched = _evaluate(self.root, document)
        return Match(matched, _hits(self.terms, document), len(self.terms), _faint(self.root, document) if matched else None,
                     matched and _evaluate(self.root, document, headline=True))

    def mentions(self, word: str) -> bool:
        """Whether `word` is one of this query's positive words (or falls under one of its prefixes)."""
        return any(
            word.startswith(w) if term.prefix and i == len(term.words) - 1 else word == w
            for term in self.terms
            for i, w in enumerate(term.words)
        )


def _collect(node: Node, positive: bool, found: list[Term]) -> None:
    if isinstance(node, Term):
        if positive:
            found.append(node)
    elif isinstance(node, Not):
        _collect(node.operand, not positive, found)
    else:
        for operand in node.operands:
            _collect(operand, positive, found)


def _evaluate(node: Node, document: Document, headline: bool = False) -> bool:
    """Whether the query holds on the document (`headline`: on its title and lead alone)."""
    if isinstance(node, Term):
        return any(not headline or token.zone is not Zone.BODY for token in document.occurrences(node))
    if isinstance(node, Not):
        return not _evaluate(node.operand, document, headline)
    if isinstance(node, And):
        return all(_evaluate(operand, document, headline) for operand in node.operands)
    return any(_evaluate(operand, document, headline) for operand in node.operands)


def _faint(node: Node, document: Document) -> str | None:
    """The words a match rests on when they are named only once, in the body; else None.

    A report names what its storyline is about in its title or lead, or again and again. The
    article mentions the storyline and is about something else when the clauses that make the
    query hold (every operand of an AND, the branches of an OR that hold) occur in one sentence
    of the body alone (the other exchange whose founder is compared with the accused), or when
    a name the query needs does (an AND's operand whose words the article writes as names: the
    country in "Ottawa expels a Chinese diplomat, as it did in a row with India"). A word of the
    query the article does not write as a name ("envoy", "deal") only says what happened, and a
    report may name it once. Words in a branch that does not hold (a generic `fraud` beside a
    missing `FTX`) do not lift a match."""
    places, names, faint_name = _support(node, document)
    if faint_name:
        return faint_name
    return None if not places or _prominent(places) else ", ".join(dict.fromkeys(names))


Places = set[tuple[int, Zone]]  # (sentence, zone) of each occurrence


def _support(node: Node, document: Document) -> tuple[Places, list[str], str | None]:
    """(sentence, zone) of each occurrence of the words that make a holding clause hold, those
    words, and the first operand of an AND that is a name named faintly; an exclusion adds none."""
    if isinstance(node, Term):
        tokens = document.occurrences(node)
        return {(t.sentence, t.zone) for t in tokens}, [str(node)] if tokens else [], None
    if isinstance(node, Not):
        return set(), [], None
    places: Places = set()
    names: list[str] = []
    faint_names: list[str | None] = []
    for operand in node.operands:
        if isinstance(node, Or) and not _evaluate(operand, document):
            continue
        more, named, faint_name = _support(operand, document)
        places |= more
        names += named
        if isinstance(node, And) and not faint_name and not _prominent(more) and _written_as_names(operand, document):
            faint_name = ", ".join(dict.fromkeys(named))
        faint_names.append(faint_name)
    # An AND needs every operand, so one faint name is enough; an OR holds on any branch that is not faint.
    if isinstance(node, And):
        return places, names, next((name for name in faint_names if name), None)
    return places, names, faint_names[0] if faint_names and all(faint_names) else None


def _prominent(places: Places) -> bool:
    return any(zone is not Zone.BODY for _, zone in places) or len({sentence for sentence, _ in places}) > 1


def _written_as_names(node: Node, document: Document) -> bool:
    """Every word of the clause the article uses is written with a capital wherever it occurs."""
    terms: list[Term] = []
    _collect(node, True, terms)
    tokens = [t for term in terms for t in document.occurrences(term)]
    return bool(tokens) and all(t.capitalised for t in tokens)


def _hits(terms: tuple[Term, ...], document: Document) -> tuple[ClauseHit, ...]:
    hits = []
    for term in terms:
        tokens = document.occurrences(term)
        if tokens:
            zones = [token.zone for token in tokens]
            hits.append(ClauseHit(
                clause=str(term),
                title=zones.count(Zone.TITLE),
                lead=zones.count(Zone.LEAD),
                body=zones.count(Zone.BODY),
                sentences=tuple(sorted({token.sentence for token in tokens})),
            ))
    return tuple(hits)


def parse_query(text: str) -> Query:
    """Parse query text; raises `QuerySyntaxError` naming the position and what was expected."""
    return Query(parse_syntax(text))
