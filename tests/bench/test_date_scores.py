"""The news-tls date scores on hand-made timelines small enough to check by hand."""

from datetime import date

import pytest
from date_scores import Scores, averaged, date_f1, day_weights, tolerant_date_f1, top_days


def jan(*days: int) -> set[date]:
    return {date(2010, 1, day) for day in days}


def test_date_f1_counts_exact_days():
    precision, recall, f1 = date_f1(jan(1, 2, 3), jan(2, 3, 4, 5))
    assert (precision, recall) == (pytest.approx(2 / 3), 0.5)
    assert f1 == pytest.approx(4 / 7)


def test_no_output_days_score_zero_not_an_error():
    assert date_f1(set(), jan(1)) == (0.0, 0.0, 0.0)


def test_one_day_tolerance_credits_each_gold_day_once():
    # Three output days around one gold day: one hit, so two of them are false positives.
    assert tolerant_date_f1(jan(9, 10, 11), jan(10))[:2] == (pytest.approx(1 / 3), 1.0)


def test_one_day_tolerance_finds_the_best_matching():
    # Matching 11 to its nearest gold day (11) would leave 12 without one; 11->10 and 12->11 is best.
    assert tolerant_date_f1(jan(11, 12), jan(10, 11)) == (1.0, 1.0, 1.0)
    assert date_f1(jan(11, 12), jan(10, 11)).f1 == 0.5


def test_two_days_off_is_a_miss_even_with_tolerance():
    assert tolerant_date_f1(jan(12), jan(10)) == (0.0, 0.0, 0.0)


def test_top_days_ranks_by_weight_and_breaks_ties_by_the_earlier_day():
    weights = {date(2010, 1, 1): 3, date(2010, 1, 2): 5, date(2010, 1, 3): 5, date(2010, 1, 4): 1}
    assert top_days(weights, 2) == jan(2, 3)
    assert top_days(weights, 1) == jan(2)
    assert top_days(weights, 10) == jan(1, 2, 3, 4)


def test_day_weights_add_up_what_each_day_gathered():
    opened = [(date(2010, 1, 1), 4), (date(2010, 1, 2), 1), (date(2010, 1, 1), 2)]
    assert day_weights(opened) == {date(2010, 1, 1): 6, date(2010, 1, 2): 1}


def test_averaging_takes_the_f1_of_mean_precision_and_mean_recall():
    both = averaged([Scores(1.0, 0.5, 2 / 3), Scores(0.5, 1.0, 2 / 3)])
    assert (both.precision, both.recall, both.f1) == (0.75, 0.75, 0.75)
    assert both.mean_f1 == pytest.approx(2 / 3)
