"""Scoring a system's timeline days against a gold timeline, as news-tls does (Gholipour Ghalandari & Ifrim, ACL 2020).

Pure functions over dates, so the protocol is tested on hand-made examples apart from the data.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from statistics import fmean
from typing import NamedTuple


class Scores(NamedTuple):
    precision: float
    recall: float
    f1: float


def prf(precision: float, recall: float) -> Scores:
    return Scores(precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def date_f1(predicted: Collection[date], gold: Collection[date]) -> Scores:
    """Exact-day Date-F1 of a set of output days."""
    hits = len(set(predicted) & set(gold))
    return prf(hits / len(predicted) if predicted else 0.0, hits / len(gold) if gold else 0.0)


def tolerant_date_f1(predicted: Collection[date], gold: Collection[date], days: int = 1) -> Scores:
    """Date-F1 where an output day within `days` of a gold day counts, each gold day credited once.

    One-to-one, so three output days around one gold day are one hit, not three. Greedy in day
    order is an optimal matching here: every output day's window has the same width.
    """
    unmatched = sorted(set(gold))
    hits = 0
    for day in sorted(set(predicted)):
        match = next((g for g in unmatched if abs((g - day).days) <= days), None)
        if match is not None:
            unmatched.remove(match)
            hits += 1
    return prf(hits / len(predicted) if predicted else 0.0, hits / len(gold) if gold else 0.0)


def top_days(weights: Mapping[date, float], k: int) -> set[date]:
    """The k days of highest weight; ties go to the earlier day (an online system saw it first)."""
    return set(sorted(weights, key=lambda day: (-weights[day], day))[:k])


def day_weights(days: Iterable[tuple[date, float]]) -> dict[date, float]:
    """Sum the weights given to each day (e.g. the articles each development opened that day gathered)."""
    totals: dict[date, float] = {}
    for day, weight in days:
        totals[day] = totals.get(day, 0.0) + weight
    return totals


class Averaged(NamedTuple):
    precision: float    # mean over timelines
    recall: float       # mean over timelines
    f1: float           # news-tls: the F1 of the mean precision and the mean recall
    mean_f1: float      # the mean of the per-timeline F1s, for comparison


def averaged(scores: Sequence[Scores]) -> Averaged:
    precision, recall = fmean(s.precision for s in scores), fmean(s.recall for s in scores)
    return Averaged(precision, recall, prf(precision, recall).f1, fmean(s.f1 for s in scores))
