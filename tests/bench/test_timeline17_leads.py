"""The lead-date measurement resolves what it counts, and does not count datelines."""

from datetime import date

from timeline17_leads import lead, mentions

THURSDAY = date(2009, 4, 30)


def days(passage: str) -> list[tuple[str, date]]:
    return [(m.kind, m.day) for m in mentions(passage, THURSDAY)]


def test_weekdays_and_relative_days_resolve_against_the_publication_day():
    assert days("Officials said on Monday that schools would shut, after cases rose yesterday.") == [
        ("weekday", date(2009, 4, 27)), ("yesterday / last night", date(2009, 4, 29))]
    assert days("The minister spoke on Thursday.") == [("weekday", THURSDAY)]


def test_month_and_day_in_either_order_with_or_without_a_year():
    assert days("Cases were first seen on March 23 and 2 April 2009.") == [
        ("month and day", date(2009, 3, 23)), ("month and day", date(2009, 4, 2))]
    assert mentions("The plan, announced on Dec. 30, is delayed.", date(2010, 1, 5))[0].day == date(2009, 12, 30)


def test_datelines_state_the_publication_time_and_are_not_counted():
    assert days("MEXICO CITY | Thu Apr 30, 2009 7:30 pm EDT MEXICO CITY (Reuters) - Schools shut.") == []
    assert days("Susan Watts | 18:00 UK time, Saturday, 25 April 2009 Experts are concerned.") == []
    assert days("Page last updated at 13:13 GMT, Wednesday, 24 August 2011 14:13 UK The organiser spoke.") == []


def test_plural_weekdays_and_bare_months_name_no_day():
    assert days("Markets close early on Fridays; the March figures are due.") == []


def test_a_title_that_is_the_texts_first_words_is_not_read_twice():
    assert lead("Schools shut on Monday …", "Schools shut on Monday in Mexico.\nMore later.\nAnd more.") == (
        "Schools shut on Monday in Mexico. More later.")
