"""Does an article belong to a storyline: the query, the in-passing rule, the score, odd input."""

from __future__ import annotations

from storywatch.storylines.matching import relevance
from storywatch.storylines.query import Document, parse_query

from .conftest import AMBASSADOR, EVER_GIVEN, GROUNDING, REFLOATING, SEEDS

QUERY = parse_query(AMBASSADOR.query)


def _relevance(query, title, text, language=None):
    return relevance(query, Document(title, text), language)
UNRELATED = "The Syrian government regained control of Idlib province after months of fighting. " * 5


def test_the_seed_articles_belong_and_the_other_storylines_do_not(corpus):
    query = parse_query(EVER_GIVEN.query)
    verdicts = {key: _relevance(query, a.title, a.text) for key, a in corpus.items()}
    assert [verdicts[key].belongs for key in SEEDS] == [True, True, True, False]
    assert verdicts[REFLOATING].score > verdicts[GROUNDING].score  # named in the headline beats named in the lead
    assert '"ever given" (title 1, lead 1)' in verdicts[REFLOATING].explanation
    # Every labelled article of the storyline belongs; a passing mention and look-alikes do not.
    labelled = {key for key, a in corpus.items() if a.storyline_id == EVER_GIVEN.id}
    assert {key for key, verdict in verdicts.items() if verdict.belongs} == labelled
    assert verdicts["eg-passing-bayview"].in_passing
    assert not verdicts["eg-d1-northgate"].belongs  # another ship aground, in another waterway


def test_one_sentence_in_an_unrelated_piece_is_a_mention_in_passing():
    text = UNRELATED + "\nNotably, Russia recalled its envoy Anatoly Antonov to Moscow for consultations.\n" + UNRELATED
    verdict = _relevance(QUERY, "Idlib falls to government forces", text)
    assert not verdict.belongs and verdict.in_passing
    assert verdict.explanation.startswith("mentioned in passing only")


def test_sentences_covering_a_share_of_the_text_make_the_subject_one_lead_sentence_does_not():
    two = UNRELATED + "\nRussia recalled its envoy Antonov.\n" + UNRELATED + "\nAnatoly Antonov flew to Moscow.\n"
    assert _relevance(QUERY, "Idlib falls", two).belongs
    lead = "Russia recalled its envoy Anatoly Antonov to Moscow.\n" + UNRELATED * 3
    verdict = _relevance(QUERY, "Idlib falls", lead)
    assert not verdict.belongs and verdict.in_passing
    assert "1 of 16 text sentences and nothing in the title" in verdict.explanation
    scattered = two + UNRELATED * 40  # the same two sentences in a piece twenty times as long
    assert not _relevance(QUERY, "Idlib falls", scattered).belongs


def test_a_match_that_rests_on_one_body_sentence_is_in_passing_whatever_else_the_query_finds():
    # Another founder's case: the query's generic words lead it, but the name that makes the
    # query hold is in one sentence of the body, in a comparison.
    query = parse_query('"Bankman-Fried" OR (FTX AND (founder OR fraud))')
    text = ("The founder of Binance pleaded guilty on Tuesday to breaking money-laundering law, and the "
            "exchange agreed to pay $4.3 billion. Prosecutors said the fraud case was not part of the deal.\n"
            "The founder will remain free on bail until sentencing in February, the judge said.\n" + UNRELATED +
            "\nUnlike Sam Bankman-Fried, he was not accused of taking customers' money.\n")
    verdict = _relevance(query, "Binance founder pleads guilty", text)
    assert not verdict.belongs and verdict.in_passing
    assert 'rests on "bankman fried", named in one sentence of the body alone' in verdict.explanation
    # Named twice, or in the lead, the same words make the subject; so does a branch with all it needs.
    assert _relevance(query, "Binance founder pleads guilty", text + "Bankman-Fried is in jail.\n").belongs
    assert _relevance(query, "Binance founder pleads guilty", "FTX collapsed.\n" + text).belongs


def test_a_name_the_query_needs_named_once_in_the_body_is_a_comparison_but_a_common_word_may_be():
    lead = ("Russia recalled its envoy to Tokyo for consultations on Monday, after a row over fishing rights "
            "in the waters off the Kuril Islands that both governments claim. The envoy flew to Moscow on "
            "Tuesday, officials said, while the embassy stays open and its staff keep working.\n" + UNRELATED)
    compared = lead + "\nDiplomats compared the move with the recall of Anatoly Antonov from Washington.\n"
    verdict = _relevance(QUERY, "Envoy to Japan recalled", compared)
    assert not verdict.belongs and "rests on antonov, named in one sentence of the body alone" in verdict.explanation
    # The storyline's own report may name what happened once ("envoy"), beside its name told twice.
    report = ("Anatoly Antonov was recalled to Moscow for consultations on Wednesday, the foreign ministry said, "
              "after Washington accused Russia of meddling in its elections and imposed new sanctions.\n"
              + UNRELATED + "\nAntonov is the Russian envoy to Washington since 2017.\n")
    assert _relevance(QUERY, "Moscow summons its man in Washington", report).belongs


def test_an_article_without_text_is_judged_on_its_title():
    verdict = _relevance(QUERY, "Moscow recalls envoy Antonov", "")
    assert verdict.belongs
    assert "no article text, judged on the title alone" in verdict.explanation


def test_a_non_english_article_is_matched_on_its_words_and_says_so():
    verdict = _relevance(QUERY, "Посол Антонов отозван в Москву", "Посла России в США Анатолия Антонова отозвали.", "ru")
    assert not verdict.belongs
    assert "article language is 'ru'" in verdict.explanation


def test_a_query_of_only_not_clauses_matches_everything_it_does_not_exclude_and_says_so():
    query = parse_query("NOT football")
    verdict = _relevance(query, "Budget approved", "Parliament approved the budget.")
    assert verdict.belongs and "matches every article it does not exclude" in verdict.explanation
    assert not _relevance(query, "Football final", "The football final was played.").belongs
