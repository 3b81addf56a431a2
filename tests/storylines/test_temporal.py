"""The day a report names, resolved against its publication as news is written."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from storywatch.storylines.temporal import reported_day

WEDNESDAY = datetime(2021, 3, 24, 21, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("lead, day", [
    ("The ship ran aground on Tuesday morning.", date(2021, 3, 23)),         # the latest Tuesday
    ("Oil jumped on Wednesday as the canal stayed shut.", date(2021, 3, 24)),  # the same weekday is today
    ("Salvage crews worked through the night, officials said yesterday.", date(2021, 3, 23)),
    ("SUEZ, Egypt, March 23 (Wire) - The ship ran aground.", date(2021, 3, 23)),  # a dateline
    ("On 23 March 2021 the ship ran aground.", date(2021, 3, 23)),
    ("A week ago the ship slid off the bank.", date(2021, 3, 17)),
    ("Two weeks ago regulators seized the bank.", date(2021, 3, 10)),
    ("Eleven days ago the ship slid off the bank.", date(2021, 3, 13)),      # every count word, as "after" reads them
    ("Last Wednesday the ship ran aground.", date(2021, 3, 17)),             # "last" never means today
    ("On December 30 the ship left Rotterdam.", date(2020, 12, 30)),          # a yearless date long after: last year
])
def test_expressions_in_the_lead_resolve_to_the_day_they_name(lead, day):
    found = reported_day([lead], WEDNESDAY)
    assert found.day == day and found.from_text
    assert found.lag_days == (WEDNESDAY.date() - day).days


def test_the_latest_named_day_wins_and_background_dates_do_not():
    lead = "Two weeks after the ship was freed on March 9, Egypt impounded it on Tuesday."
    assert reported_day([lead], WEDNESDAY).day == date(2021, 3, 23)


def test_the_first_sentence_that_names_a_day_tells_the_event_and_later_reactions_do_not():
    title = "Canal reopens, but the bill for shippers is only starting"
    lead = ["The canal authority reopened the waterway on Monday after six days.",
            "Freight rates rose on Wednesday as insurers counted the cost."]
    found = reported_day([title, *lead], WEDNESDAY)
    assert found.day == date(2021, 3, 22) and found.evidence == "Monday"


def test_a_span_of_time_is_background_and_a_later_sentence_names_the_day():
    lead = ["An inquiry will examine the dam after engineers found cracks in its spillway last month.",
            "The minister announced the inquiry on Sunday evening."]
    assert reported_day(lead, WEDNESDAY).day == date(2021, 3, 21)


def test_the_time_since_an_event_dates_that_event_as_background():
    # A look-back opens with it, and names no day of its own: it retells the event it counts from.
    look_back = reported_day(["Two weeks after the judge revoked his bail, his detention is read two ways."], WEDNESDAY)
    assert look_back.day == date(2021, 3, 10) and look_back.lag_days == 14
    assert reported_day(["Ten days after the blowout, investigators know much of what happened."],
                        WEDNESDAY).day == date(2021, 3, 14)
    # News names its own day beside it, and that day wins whichever comes first.
    news = "A day after his arrest, regulators charged him on Wednesday."
    assert reported_day([news], WEDNESDAY).day == date(2021, 3, 24)
    assert reported_day(["He was extradited, a day after his arrest.", "He appeared in court on Tuesday."],
                        WEDNESDAY).day == date(2021, 3, 23)


@pytest.mark.parametrize("lead", [
    "Talks will resume on Friday.",                 # a weekday that is a plan
    "The court is due to rule next Monday.",
    "The hearing is set for March 30.",             # a date soon after publication is a plan
    "The canal authority gave no timetable.",       # nothing to resolve
    "Officials said February 30 was the deadline.",  # no such day
])
def test_plans_and_leads_without_a_day_report_the_publication_day(lead):
    found = reported_day([lead], WEDNESDAY)
    assert found.day == WEDNESDAY.date() and not found.from_text and found.lag_days == 0
