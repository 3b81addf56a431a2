"""The storyline query language: parse once at config time, then match articles.

Grammar (operators are upper-case; lower-case `and`/`or`/`not` are ordinary words):

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := not_expr (["AND"] not_expr)*     -- adjacent terms are joined by AND
    not_expr := "NOT" not_expr | atom
    atom     := WORD | WORD* | "a phrase" | "a phrase*" | "(" or_expr ")"

Matching is case-insensitive and on word boundaries over the title and the text: `recall*`
matches `recalled` but `call` does not match `recalled`. A word that contains punctuation
(`U.S.`, `Antonov's`) is matched as the phrase of its words; a phrase never spans two
sentences. The AST is small and immutable, and `str(node)` writes it back as query text
that parses to an equal AST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from storywatch.errors import QuerySyntaxError
from storywatch.storylines.text import Zone, sentences, words

OPERATORS = ("AND", "OR", "NOT")


# --- the AST -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word or a phrase of consecutive words; `prefix` makes the last word a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    def __str__(self) -> str:
        star = "*" if self.prefix else ""
        if len(self.words) == 1:
            return self.words[0] + star
        return '"' + " ".join(self.words) + star + '"'


@dataclass(frozen=True)
class Not:
    operand: Node

    def __str__(self) -> str:
        return f"NOT {_operand(self.operand)}"


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]  # two or more

    def __str__(self) -> str:
        return " AND ".join(_operand(operand) for operand in self.operands)


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]  # two or more

    def __str__(self) -> str:
        return " OR ".join(_operand(operand) for operand in self.operands)


Node = Term | Not | And | Or


def _operand(node: Node) -> str:
    return f"({node})" if isinstance(node, (And, Or)) else str(node)


# --- matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    word: str
    sentence: int
    zone: Zone


class Document:
    """An article's words with their sentence and zone, indexed for term lookup."""

    def __init__(self, title: str | None, text: str | None):
        self.has_text = bool((text or "").strip())
        self.tokens: list[_Token] = [
            _Token(word, sentence.index, sentence.zone)
            for sentence in sentences(title, text)
            for word in words(sentence.text)
        ]
        self.text_sentences = len({token.sentence for token in self.tokens if token.sentence > 0})
        self.positions: dict[str, list[int]] = {}
        for position, token in enumerate(self.tokens):
            self.positions.setdefault(token.word, []).append(position)

    def occurrences(self, term: Term) -> list[_Token]:
        """The first token of every place `term` occurs."""
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
        return Match(_evaluate(self.root, document), _hits(self.terms, document), len(self.terms))

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


def _evaluate(node: Node, document: Document) -> bool:
    if isinstance(node, Term):
        return bool(document.occurrences(node))
    if isinstance(node, Not):
        return not _evaluate(node.operand, document)
    if isinstance(node, And):
        return all(_evaluate(operand, document) for operand in node.operands)
    return any(_evaluate(operand, document) for operand in node.operands)


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


# --- parsing -----------------------------------------------------------------------------

_LEXEME = re.compile(r'\s*(?:(?P<paren>[()])|(?P<phrase>"[^"]*"?)|(?P<bare>[^\s()"]+))')
_OPERAND = 'a word, phrase or "("'


@dataclass(frozen=True)
class _Lexeme:
    kind: str       # "(", ")", "AND", "OR", "NOT", "term", "end"
    position: int   # 1-based
    term: Term | None = None

    def describe(self) -> str:
        return "the end of the query" if self.kind == "end" else f'"{self.kind}"' if self.term is None else f'"{self.term}"'


def parse_query(text: str) -> Query:
    """Parse query text; raises `QuerySyntaxError` naming the position and what was expected."""
    return Query(_Parser(_lex(text)).parse())


def _lex(text: str) -> list[_Lexeme]:
    lexemes = []
    position = 0
    while True:
        match = _LEXEME.match(text, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        start = (match.start("paren") if match.group("paren") else
                 match.start("phrase") if match.group("phrase") else match.start("bare")) + 1
        if match.group("paren"):
            lexemes.append(_Lexeme(match.group("paren"), start))
        elif match.group("phrase"):
            lexemes.append(_Lexeme("term", start, _phrase(match.group("phrase"), start)))
        elif match.group("bare") in OPERATORS:
            lexemes.append(_Lexeme(match.group("bare"), start))
        else:
            lexemes.append(_Lexeme("term", start, _term(match.group("bare"), start)))
    lexemes.append(_Lexeme("end", len(text) + 1))
    return lexemes


def _phrase(quoted: str, position: int) -> Term:
    if len(quoted) < 2 or not quoted.endswith('"'):
        raise QuerySyntaxError(position + len(quoted), f'expected a closing quote for the phrase at position {position}')
    return _term(quoted[1:-1], position + 1, phrase=True)


def _term(raw: str, position: int, phrase: bool = False) -> Term:
    body = raw.rstrip()
    prefix = body.endswith("*")
    body = body.rstrip("*")
    star = body.find("*")
    if star >= 0:
        raise QuerySyntaxError(position + star, 'expected "*" only at the end of a word')
    found = tuple(words(body))
    if not found:
        what = "words inside the quotes" if phrase else 'letters or digits before "*"' if prefix else "letters or digits"
        raise QuerySyntaxError(position, f"expected {what}")
    return Term(found, prefix)


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]):
        self.lexemes = lexemes
        self.index = 0

    @property
    def next(self) -> _Lexeme:
        return self.lexemes[self.index]

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def parse(self) -> Node:
        root = self.or_expr("at the start")
        if self.next.kind != "end":
            raise QuerySyntaxError(self.next.position, f'expected AND, OR or the end of the query, found {self.next.describe()} without a matching "("')
        return root

    def or_expr(self, context: str) -> Node:
        operands = [self.and_expr(context)]
        while self.next.kind == "OR":
            self.take()
            operands.append(self.and_expr("after OR"))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self, context: str) -> Node:
        operands = [self.not_expr(context)]
        while self.next.kind in ("AND", "NOT", "term", "("):
            context = "after AND" if self.take_if("AND") else f"after {operands[-1]}"
            operands.append(self.not_expr(context))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def take_if(self, kind: str) -> bool:
        if self.next.kind == kind:
            self.take()
            return True
        return False

    def not_expr(self, context: str) -> Node:
        if self.take_if("NOT"):
            return Not(self.not_expr("after NOT"))
        return self.atom(context)

    def atom(self, context: str) -> Node:
        lexeme = self.take()
        if lexeme.kind == "term":
            assert lexeme.term is not None
            return lexeme.term
        if lexeme.kind == "(":
            inner = self.or_expr('after "("')
            if not self.take_if(")"):
                raise QuerySyntaxError(self.next.position, f'expected ")" to close the "(" at position {lexeme.position}, found {self.next.describe()}')
            return inner
        raise QuerySyntaxError(lexeme.position, f"expected {_OPERAND} {context}, found {lexeme.describe()}")
