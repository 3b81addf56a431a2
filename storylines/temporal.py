"""The day an article reports: temporal expressions of its title and lead, resolved against its publication.

Reports of one event cluster around the day it happened, and that day is written in the
lead ("on Sunday", "March 23", "yesterday", a dateline), not in the publication time: a
report published after midnight, a brief and the full story the next morning all name the
same day, and a look-back published weeks later names the old one ("a week ago", "On April
13, Egypt impounded…"). So the reported day is the anchor of a development, and the gap
between it and the publication says whether an article is news or a recap.

Resolution follows how news is written: a bare weekday is the most recent such day on or
before publication ("on Tuesday" in a Wednesday story is yesterday); a month and day without
a year is the latest such date not after publication; a date after publication is a plan,
not the event, and is ignored.

Which day is the report's follows the inverted pyramid: the first sentence (title, then lead)
that names a day tells the event (a span such as "last month" or "a year ago" is background,
used only when no sentence names a day), and the sentences after it add reactions and background
("…approved the jets on Wednesday. Alaska said on Thursday the grounding cost it $150m" reports
Wednesday). Within that sentence the latest day wins: a new development's lead names its own
day and often an older one for background ("recalled last week, Antonov arrived on Sunday"),
and a recap names only old ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {name: number for number, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "few": 3}
PLAN_HORIZON_DAYS = 90  # a yearless date up to this far after publication is a plan, not last year's
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}
# "Last week", "a month ago" name a span, not a day: they date an event only when no sentence names a day.
_PERIOD_UNITS = frozenset({"week", "fortnight", "month", "year"})

_COUNT = "|".join([r"\d+", *(re.escape(word) for word in _NUMBERS)])  # "3", "three", "a few": how many units
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_EXPRESSIONS = re.compile(
    "|".join([
        rf"(?P<md>\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d{{2}}))?)",
        rf"(?P<dm>\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH.replace('month', 'month2')}(?:,?\s+(?P<year2>(?:19|20)\d{{2}}))?)",
        r"(?P<weekday>\b(?:(?P<last>last|this|next)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
        r"(?P<relative>\b(?P<yesterday>yesterday)|\b(?P<today>today|tonight|this (?:morning|afternoon|evening))\b|\b(?P<lastnight>last night|overnight)\b)",
        rf"(?P<ago>\b(?P<count>{_COUNT})\s+(?P<unit>day|week|fortnight|month|year)s?\s+ago\b)",
        r"(?P<lastunit>\blast\s+(?P<unit2>week|month|year)\b)",
        rf"(?P<after>\b(?P<count3>{_COUNT})\s+(?P<unit3>day|week|fortnight|month|year)s?\s+(?:after|since|on from)\b)",
    ]),
    re.IGNORECASE,
)
# Words before a weekday that make it a plan ("will meet on Thursday", "due on Monday").
_FUTURE = re.compile(r"\b(?:will|would|shall|is due|are due|due to|scheduled|expected to|plans? to|set to|next)\b[^.;]{0,40}$",
                     re.IGNORECASE)


@dataclass(frozen=True)
class ReportedDay:
    day: date
    evidence: str   # the expression as written ("on Sunday" → "Sunday"); empty: the publication day
    lag_days: int   # publication day minus reported day: 0-1 for news, more for a recap

    @property
    def from_text(self) -> bool:
        return bool(self.evidence)


def reported_day(parts: list[str], published: datetime) -> ReportedDay:
    """The day the given title and lead sentences report, resolved against `published`: the latest
    day named in the first of them that names one.

    Without any resolvable expression it is the publication day (and `evidence` is empty).
    """
    today = published.date()
    periods: list[tuple[date, str]] = []
    for text in parts:
        days, spans = [], []
        for match in _EXPRESSIONS.finditer(text):
            day = _resolve(match, text, today)
            if day is not None:
                (spans if _is_period(match) else days).append((day, match.group(0)))
        if days:
            return _reported(max(days), today)
        periods += spans
    return _reported(max(periods), today) if periods else ReportedDay(today, "", 0)


def _reported(found: tuple[date, str], today: date) -> ReportedDay:
    day, evidence = found
    return ReportedDay(day, evidence, (today - day).days)


def _is_period(match: re.Match) -> bool:
    """"last month", "two years ago", "ten days after the blowout": a span of time, told as
    background, not the day of an event. "N days after X" dates X, the event a sentence is
    measured from, never its own: a look-back opens with it ("Two weeks after the judge jailed
    him, ...") and news adds it to a day it names ("on Tuesday, a day after his arrest")."""
    unit = (match.group("unit") or match.group("unit2") or "").lower()
    return unit in _PERIOD_UNITS or bool(match.group("after"))


def _resolve(match: re.Match, text: str, today: date) -> date | None:
    """The day one expression names, or None when it names a future day or none at all."""
    groups = match.groupdict()
    if groups["md"] or groups["dm"]:
        month = _MONTHS[(groups["month"] or groups["month2"]).lower().rstrip(".")]
        day_number = int(groups["day"] or groups["day2"])
        year = groups["year"] or groups["year2"]
        return _calendar_day(int(year) if year else None, month, day_number, today)
    if groups["weekday"]:
        if (groups["last"] or "").lower() == "next" or _FUTURE.search(text[: match.start()]):
            return None
        back = (today.weekday() - _WEEKDAYS[groups["wd"].lower()]) % 7
        if (groups["last"] or "").lower() == "last" and back == 0:
            back = 7
        return today - timedelta(days=back)
    if groups["yesterday"]:
        return today - timedelta(days=1)
    if groups["today"]:
        return today
    if groups["lastnight"]:
        return today - timedelta(days=1)
    if groups["ago"]:
        return today - _span(groups["count"], groups["unit"])
    if groups["after"]:
        return today - _span(groups["count3"], groups["unit3"])
    if groups["lastunit"]:
        return today - timedelta(days=_UNIT_DAYS[groups["unit2"].lower()])
    return None


def _span(count: str, unit: str) -> timedelta:
    """"two weeks", "10 days", "a month" as a length of time."""
    number = int(count) if count.isdigit() else _NUMBERS[count.lower()]
    return timedelta(days=number * _UNIT_DAYS[unit.lower()])


def _calendar_day(year: int | None, month: int, day: int, today: date) -> date | None:
    try:
        if year is not None:
            found = date(year, month, day)
            return found if found <= today else None
        found = date(today.year, month, day)
        if found <= today:
            return found
        # Soon after publication: a plan ("talks on March 30"); long after: last year's date.
        return None if (found - today).days <= PLAN_HORIZON_DAYS else date(today.year - 1, month, day)
    except ValueError:  # "February 30", or a number that is not a day of the month
        return None
