"""The storyline query language's syntax: its words, its AST and the parser.

Grammar (operators are upper-case; lower-case `and`/`or`/`not` are ordinary words):

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := not_expr (["AND"] not_expr)*     -- adjacent terms are joined by AND
    not_expr := "NOT" not_expr | atom
    atom     := WORD | WORD* | "a phrase" | "a phrase*" | "(" or_expr ")"

It sits beside the config because the config parses each storyline's query when it loads, so
a bad query fails there naming its position; what a query means (matching articles) is
`storywatch.storylines.query`. The AST is small and immutable, and `str(node)` writes it back
as query text that parses to an equal AST. A word is a run of letters and digits, casefolded
(`Antonov's` is `antonov` + `s`, `U.S.` is `u` + `s`); storyline tracking splits text into the
same words, so a query word and a feature term always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storywatch.errors import QuerySyntaxError

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The casefolded words of `text`, in order."""
    return [word.casefold() for word in _WORD.findall(text)]


def cased_words(text: str) -> list[tuple[str, bool]]:
    """`words(text)`, each with whether it was written with a capital (a name, unless it opens a sentence)."""
    return [(word.casefold(), word[0].isupper()) for word in _WORD.findall(text)]


# --- the AST -----------------------------------------------------------------------------

OPERATORS = ("AND", "OR", "NOT")


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


def parse_syntax(text: str) -> Node:
    """Parse query text to its AST; raises `QuerySyntaxError` naming the position and what was expected."""
    return _Parser(_lex(text)).parse()


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
