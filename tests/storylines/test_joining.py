"""The join-or-open model: fitting, which stage answers for which storyline, and the bundled weights' file."""

from __future__ import annotations

import random
from dataclasses import replace

from storywatch.storylines.joining import (
    EVENT_FEATURES,
    STORY_FEATURES,
    TITLE_EVENT_FEATURES,
    TITLE_STORY_FEATURES,
    JoinModel,
    Logistic,
    PairEvidence,
    fit,
)


def _pair(words: float, days: float) -> PairEvidence:
    return PairEvidence(title=words, lead=words, seed=words, body=words, names=words, novelty=1 - words,
                        day_gap=days, seen_gap=days, recap=False, follow_up=False)


def test_fit_learns_that_the_same_words_on_the_same_day_are_the_same_event():
    rng = random.Random(3)
    pairs = [_pair(rng.uniform(0.3, 0.9), rng.choice([0, 0, 1])) for _ in range(60)]
    pairs += [_pair(rng.uniform(0.0, 0.4), rng.choice([3, 7, 20])) for _ in range(60)]
    event = fit(pairs, EVENT_FEATURES, [True] * 60 + [False] * 60)
    assert event.weights["day_gap"] < 0 and event.weights["lead"] > 0
    assert event.probability(_pair(0.7, 0).features()) > 0.9 > 0.1 > event.probability(_pair(0.1, 14).features())


def test_a_catch_all_storyline_asks_the_story_stage_and_a_named_one_the_event_stage():
    same_day = Logistic({name: 0.0 for name in EVENT_FEATURES} | {"day_gap": -5.0}, bias=2.0)  # time alone
    words = Logistic({name: 10.0 for name in STORY_FEATURES if name != "novelty"} | {"novelty": 0.0}, bias=-5.0)
    model = JoinModel(story=words, event=same_day)
    other_story_same_day, same_story_weeks_on = _pair(0.0, 0), _pair(0.8, 30)
    assert model.probability(other_story_same_day) < 0.01 < 0.99 < model.probability(same_story_weeks_on)
    assert model.probability(other_story_same_day, story_known=True) > 0.8
    assert model.probability(same_story_weeks_on, story_known=True) < 0.01


def test_the_bundled_weights_load_and_survive_a_round_trip():
    model = JoinModel.bundled()
    assert set(model.story.weights) == set(STORY_FEATURES) and set(model.event.weights) == set(EVENT_FEATURES)
    assert set(model.story_titles.weights) == set(TITLE_STORY_FEATURES)
    assert set(model.event_titles.weights) == set(TITLE_EVENT_FEATURES)
    assert JoinModel.from_json(model.to_json(trained_on="test")) == model
    # what the weights say, read as an editor would: time apart and new words speak against a join
    assert model.event.weights["day_gap"] < 0 and model.story.weights["novelty"] < 0


def test_a_pair_of_titles_alone_is_asked_by_the_titles_stages_where_a_missing_body_is_not_unlike():
    strict_on_body = Logistic({name: 0.0 for name in STORY_FEATURES} | {"body": 10.0}, bias=-5.0)
    on_title = Logistic({name: 0.0 for name in TITLE_STORY_FEATURES} | {"title": 10.0}, bias=-5.0)
    event = Logistic({name: 0.0 for name in EVENT_FEATURES}, bias=0.0)
    headlines = replace(_pair(0.8, 0), body=0.0, titles_only=True)
    assert JoinModel(story=strict_on_body, event=event).probability(headlines) < 0.01  # no twin: body 0 counts
    model = JoinModel(story=strict_on_body, event=event, story_titles=on_title,
                      event_titles=Logistic({name: 0.0 for name in TITLE_EVENT_FEATURES}, bias=3.0))
    assert model.probability(headlines) > 0.9 and model.probability(headlines, story_known=True) > 0.9
    assert model.probability(replace(headlines, titles_only=False)) < 0.01
    assert JoinModel.from_json(model.to_json()) == model
    assert not set(TITLE_STORY_FEATURES) & {"body", "lead"}
