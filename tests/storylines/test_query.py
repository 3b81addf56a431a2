"""The query language: parsing, error messages, and matching on word boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storywatch.config import parse_settings
from storywatch.errors import ConfigError
from storywatch.storylines.query import And, Not, Or, QuerySyntaxError, Term, parse_query

VOCABULARY = ["alpha", "beta", "gamma", "delta", "and", "or", "not", "é2"]

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789éж", min_size=1, max_size=8)
terms = st.builds(Term, st.lists(words, min_size=1, max_size=3).map(tuple), st.booleans())
small_terms = st.builds(Term, st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=2).map(tuple), st.booleans())


def trees(leaves: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            children.map(Not),
            st.lists(children, min_size=2, max_size=3).map(tuple).map(And),
            st.lists(children, min_size=2, max_size=3).map(tuple).map(Or),
        ),
        max_leaves=8,
    )


@given(trees(terms))
def test_writing_a_query_back_parses_to_the_same_tree(tree):
    assert parse_query(str(tree)).root == tree


@given(st.lists(st.sampled_from(list('ab *()"é-') + [" AND ", " OR ", "NOT ", "AND", "\t"]), max_size=15).map("".join))
@settings(max_examples=300)
def test_any_text_parses_or_fails_with_a_position_inside_it(text):
    try:
        parse_query(text)
    except QuerySyntaxError as error:
        assert 1 <= error.position <= len(text) + 1
        assert str(error).startswith(f"position {error.position}: expected ")


def _oracle(node, tokens: list[str]) -> bool:
    """Reference semantics over a flat token list (one sentence)."""
    if isinstance(node, Term):
        n = len(node.words)
        for start in range(len(tokens) - n + 1):
            window = tokens[start:start + n]
            exact = window[:-1] == list(node.words[:-1])
            last = window[-1].startswith(node.words[-1]) if node.prefix else window[-1] == node.words[-1]
            if exact and last:
                return True
        return False
    if isinstance(node, Not):
        return not _oracle(node.operand, tokens)
    results = [_oracle(operand, tokens) for operand in node.operands]
    return all(results) if isinstance(node, And) else any(results)


@given(trees(small_terms), st.lists(st.sampled_from(VOCABULARY + ["alphabet", "gam"]), max_size=8))
def test_matching_agrees_with_the_reference_semantics_in_any_case(tree, tokens):
    query = parse_query(str(tree))
    text = " ".join(tokens)
    assert query.match(None, text).matched == _oracle(tree, tokens)
    assert query.match(None, text.upper()).matched == _oracle(tree, tokens)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", 'position 1: expected a word, phrase or "(" at the start, found the end of the query'),
        ("Antonov AND (ambassador OR", 'position 27: expected a word, phrase or "(" after OR, found the end of the query'),
        ("Antonov AND AND envoy", 'position 13: expected a word, phrase or "(" after AND, found "AND"'),
        ("(Antonov OR envoy", 'position 18: expected ")" to close the "(" at position 1, found the end of the query'),
        ("Antonov) envoy", 'position 8: expected AND, OR or the end of the query, found ")" without a matching "("'),
        ('"recalled to Moscow', "position 20: expected a closing quote for the phrase at position 1"),
        ("re*call", 'position 3: expected "*" only at the end of a word'),
        ("envoy AND *", 'position 11: expected letters or digits before "*"'),
    ],
)
def test_a_query_that_does_not_parse_says_where_and_what_was_expected(query, message):
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(query)
    assert str(raised.value) == message


def test_a_bad_query_in_the_config_names_the_storyline_line_and_position():
    config = (
        "feeds:\n  - name: Wire\n    url: https://example.org/rss.xml\n"
        "storylines:\n  - id: ambassador-recall\n    title: Recall\n    query: 'Antonov AND (envoy OR'\n"
    )
    with pytest.raises(ConfigError) as raised:
        parse_settings(config, {})
    message = str(raised.value)
    assert "line 7" in message and "storylines[0].query" in message
    assert "position 22: expected a word" in message


def test_words_match_on_word_boundaries_and_prefixes_only_with_a_star():
    text = "Moscow recalled its envoy for consultations."
    assert not parse_query("call").match(None, text).matched
    assert parse_query("recall*").match(None, text).matched
    assert not parse_query("recall").match(None, text).matched
    assert parse_query("ENVOY").match(None, text).matched


def test_adjacent_terms_are_joined_by_and_and_lower_case_operators_are_words():
    assert parse_query("Antonov envoy").root == And((Term(("antonov",)), Term(("envoy",))))
    assert parse_query("war and peace").root == And((Term(("war",)), Term(("and",)), Term(("peace",))))


def test_phrases_and_punctuated_words_match_consecutive_words_within_one_sentence():
    assert parse_query('"U.S. envoy"').root == Term(("u", "s", "envoy"))
    assert parse_query("U.S.").root == Term(("u", "s"))
    assert parse_query('"recalled its envoy"').match(None, "Russia recalled its envoy.").matched
    assert not parse_query('"envoy Antonov"').match(None, "He met the envoy. Antonov left.").matched
    assert parse_query("Antonov's").match(None, "It was Antonov's decision").matched


def test_a_match_says_which_clauses_occur_in_title_lead_and_body():
    lead = "Anatoly Antonov arrived in Moscow on Sunday. " * 9  # 63 words: the lead is about 60
    body = "Later the envoy met officials in Moscow."
    match = parse_query("Antonov AND (ambassador OR envoy) AND NOT nato").match("Ambassador returns", lead + "\n" + body)
    hits = {hit.clause: hit for hit in match.hits}
    assert match.matched and set(hits) == {"antonov", "ambassador", "envoy"}  # NOT clauses are not evidence
    assert (hits["ambassador"].title, hits["antonov"].lead, hits["envoy"].body) == (1, 9, 1)
    assert match.in_title and match.sentence_count == 11


def test_a_match_says_whether_the_query_holds_on_the_title_and_lead_alone():
    lead = "Anatoly Antonov arrived in Moscow on Sunday. " * 9  # 63 words: the lead is about 60
    body = "Later the envoy met officials in Moscow."
    query = parse_query("Antonov AND (ambassador OR envoy)")
    assert query.match("Ambassador returns", lead + "\n" + body).in_headline
    needs_body = query.match("Arrival in Moscow", lead + "\n" + body)
    assert needs_body.matched and not needs_body.in_headline  # "envoy" only in the body
    assert not query.match("Ambassador returns", "Nothing to report.").in_headline  # no match at all
