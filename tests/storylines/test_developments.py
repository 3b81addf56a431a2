"""Grouping a storyline's articles into developments, on the labelled corpus articles (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from storywatch.storylines.developments import DevelopmentIndex, absorb, open_development, why_new
from storywatch.storylines.entities import facts, stem
from storywatch.storylines.features import article_features
from storywatch.storylines.model import TermStats
from storywatch.storylines.tracker import bundled_model
from storywatch.storylines.query import parse_query
from storywatch.storylines.text import sentences

from .conftest import EVER_GIVEN, GROUNDING, IMPOUNDING, REFLOATING

QUERY = parse_query(EVER_GIVEN.query)


def _features(article):
    return article_features(article.title, article.text, article.published_at).without(QUERY.mentions)


def _index(corpus) -> DevelopmentIndex:
    return DevelopmentIndex([], _stats(corpus), bundled_model())


def _stats(corpus) -> TermStats:
    df: dict[str, int] = {}
    for article in corpus.values():
        for term in article_features(article.title, article.text, article.published_at).terms:
            df[term] = df.get(term, 0) + 1
    return TermStats(len(corpus), df)


def _place_in_order(corpus, keys):
    index = _index(corpus)
    placements = {}
    for key in keys:
        article = corpus[key]
        features = _features(article)
        placement = index.place(features, article.published_at)
        placements[key] = placement
        if placement.joins is None:
            index.put(open_development(f"dev-{key}", article.title, features, article.published_at))
        else:
            index.put(absorb(placement.joins, features, article.published_at))
    return placements


def test_grounding_refloating_and_impounding_are_three_developments(corpus):
    placements = _place_in_order(corpus, [GROUNDING, REFLOATING, IMPOUNDING])
    assert all(p.joins is None for p in placements.values())
    assert placements[GROUNDING].nearest is None
    assert placements[REFLOATING].nearest.development_id == f"dev-{GROUNDING}"
    assert placements[IMPOUNDING].nearest.development_id == f"dev-{REFLOATING}"  # the refloating is closer


def test_a_rehash_days_later_joins_the_development_it_repeats(corpus):
    article = corpus[REFLOATING]
    index = _index(corpus)
    index.put(open_development(f"dev-{REFLOATING}", article.title, _features(article), article.published_at))
    rehash = corpus["eg3-frontier-rehash"]  # "Six days in the sand": a look-back a week on, in its own words
    features = _features(rehash)
    assert features.retold and features.reported.lag_days == 7  # "A week ago the Ever Given slid off…"
    placement = index.place(features, rehash.published_at)
    assert placement.joins is not None and placement.joins.development_id == f"dev-{REFLOATING}"


@pytest.mark.parametrize("title, lead, ongoing", [
    ("Carriers weigh Cape detour as Suez jam holds", "The canal stayed closed for a fourth day on Friday.", True),
    ("Fuel traders brace as Colonial outage drags on", "The pipeline's main lines stayed shut on Friday.", True),
    ("Stocks slide", "Shares fell for a third straight day on Friday.", True),
    ("Regulators shut Silicon Valley Bank", "California regulators closed the bank on Friday.", False),
    ("Container ship runs aground", "The ship ran aground on Friday, a day after the storm.", False),
    ("Work starts on the new terminal", "The port broke ground on Friday on a second terminal.", False),
])
def test_a_lead_that_counts_the_days_of_a_known_state_reads_as_a_follow_up(title, lead, ongoing):
    """"Closed for a fourth day" names today for an event already reported: its day gap says little, as a
    recap's does, but it is not old news retold, so it is not put in a development whatever its words."""
    features = article_features(title, lead, datetime(2021, 3, 26, 12, tzinfo=timezone.utc))
    assert features.ongoing is ongoing
    assert features.follow_up is ongoing
    assert not features.retold  # none of them is a look-back or names a day long past


def test_a_new_development_says_what_happened_against_the_nearest_and_which_facts_are_new(corpus):
    placement = _place_in_order(corpus, [GROUNDING, REFLOATING, IMPOUNDING])[IMPOUNDING]
    impounding = corpus[IMPOUNDING]
    sentence = why_new(placement, impounding.title, _features(impounding).reported.day)
    assert sentence == ("New since 'Ever Given refloated, Suez Canal reopens after six-day blockage' (29 Mar 2021): "
                        "Egypt impounds Ever Given, seeks $916 million in compensation (13 Apr 2021).")
    assert 0 < placement.distance <= 1
    new = {fact.key for fact in placement.new_facts}
    assert {"$916 million", "april 13"} <= new  # the claim and the day of the seizure
    assert not {"ever given", "suez"} & new  # the storyline's own words are never news


def test_a_teaser_is_placed_on_its_title_and_lead_without_a_body_penalty(corpus):
    article = corpus[REFLOATING]
    index = _index(corpus)
    index.put(open_development(f"dev-{REFLOATING}", article.title, _features(article), article.published_at))
    teaser = article_features(article.title, "", article.published_at).without(QUERY.mentions)
    assert teaser.teaser and not teaser.body
    assert index.place(teaser, article.published_at).joins is not None


def test_facts_are_names_numbers_dates_and_event_words():
    parts = sentences("Envoy recalled", "On March 20, Russia recalled Anatoly Antonov after 46 sanctions worth $5 billion.")
    found = {(f.kind, f.key) for f in facts(parts, frozenset())}
    assert {("date", "march 20"), ("name", "anatoly antonov"), ("number", "46"), ("number", "$5 billion"),
            ("event", "recall"), ("name", "russia")} <= found
    assert stem("recalled") == stem("recalls") == stem("recalling") == "recall"


def test_a_recap_in_a_catch_all_storyline_joins_only_its_own_story(corpus):
    """With no story named, the nearest development may be another story: a recap joins it only
    when the story stage says it is the same story, where a named storyline takes it on trust."""
    article = corpus[REFLOATING]
    features = article_features(article.title, article.text, article.published_at)
    other = article_features(
        "Explainer: why container freight rates doubled",
        "Freight rates for a container from Shanghai to Rotterdam have doubled since January, "
        "as carriers cut capacity and ports in Asia clear a backlog. Shipping lines say rates stay high.",
        article.published_at + timedelta(days=10),
    )
    rehash = corpus["eg3-frontier-rehash"]
    assert other.retold
    for story_known, joins_other in ((False, False), (True, True)):
        index = DevelopmentIndex([], _stats(corpus), bundled_model(), story_known=story_known)
        index.put(open_development(f"dev-{REFLOATING}", article.title, features, article.published_at))
        placement = index.place(other, article.published_at + timedelta(days=10))
        assert placement.nearest is not None and (placement.joins is not None) is joins_other
        same_story = article_features(rehash.title, rehash.text, rehash.published_at)
        assert index.place(same_story, rehash.published_at).joins is not None


def test_a_headline_alone_is_compared_on_what_a_title_says(corpus):
    """No body on one side: the pair is marked for the titles stages, which do not read a
    missing body as a different story."""
    article = corpus[REFLOATING]
    index = _index(corpus)
    full = article_features(article.title, article.text, article.published_at)
    headline = article_features(article.title, "", article.published_at)
    index.put(open_development("dev-full", article.title, full, article.published_at))
    index.put(open_development("dev-headline", article.title, headline, article.published_at))
    evidence = {p.development_id: index.evidence(full, p, article.published_at) for p in index.profiles.values()}
    assert not evidence["dev-full"].titles_only and evidence["dev-headline"].titles_only
    assert index.evidence(headline, index.profiles["dev-full"], article.published_at).titles_only


def test_a_follow_up_with_news_of_its_own_opens_where_a_recap_would_be_put_in(corpus):
    """"For a second week" says today is not the event's day, not that nothing happened: the
    words decide. A recap with the same words is old news and joins the storyline's development."""
    article = corpus[REFLOATING]
    index = _index(corpus)
    index.put(open_development(f"dev-{REFLOATING}", article.title, _features(article), article.published_at))
    lead = ("Freight rates for a container from Shanghai to Rotterdam doubled for a second week, "
            "as carriers cut capacity and ports in Asia clear a backlog. Shipping lines say rates stay high.")
    later = article.published_at + timedelta(days=10)
    follow_up = article_features("Container freight rates double again", lead, later).without(QUERY.mentions)
    recap = article_features("Explainer: why container freight rates doubled", lead, later).without(QUERY.mentions)
    assert follow_up.follow_up and not follow_up.retold and recap.retold
    assert index.place(follow_up, later).joins is None
    assert index.place(recap, later).joins is not None
