"""How often an article's lead says which day it reports, on Timeline17's development folders.

Run: .venv/bin/python bench/timeline17_leads.py

A measurement for designing the reported-day resolver, not the resolver: plain regular
expressions over the title and the first two sentences of each article the Timeline17 bench
scores (those inside their gold timeline's span). Datelines ("Thu Apr 30, 2009 7:30 pm EDT",
"Page last updated at 13:13 GMT, Wednesday, 24 August 2011") state the publication time and are
counted apart. Past-tense reading is assumed: "on Monday" is the latest Monday on or before the
publication day, and a lead with future cues ("will", "next", "tomorrow") is counted as such.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from timeline17_eval import dev_folder, load

LEAD_SENTENCES = 2
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
MONTH = r"(?P<month>" + "|".join(MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?:,? (?P<year>(?:19|20)\d\d))?"
NUMBER = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}

# The expressions that name one day, by kind.
PATTERNS = (
    ("weekday", re.compile(r"\b(?P<weekday>" + "|".join(WEEKDAYS) + r")(?!s)\b")),
    ("yesterday / last night", re.compile(r"\b(?:[Yy]esterday|last night)\b")),
    ("today / tonight / this morning",
     re.compile(r"\b(?:[Tt]oday|[Tt]onight|this (?:morning|afternoon|evening)|earlier today)\b")),
    ("month and day", re.compile(rf"\b{MONTH} {DAY}\b{YEAR}")),
    ("month and day", re.compile(rf"\b{DAY} {MONTH}{YEAR}\b")),
    ("N days ago", re.compile(r"\b(?P<count>\d+|one|two|three|four|five|six|seven|a) days? ago\b")),
)
COARSE = re.compile(r"\b(?:(?:last|this|earlier this|next) (?:week|month)|(?:at|over|this|last) the weekend"
                    r"|(?:this|last) weekend)\b")
DATELINE = re.compile(
    r"(?:Page last updated at [^A-Z]*[A-Z][a-z]+day,? \d{1,2} [A-Z][a-z]+ \d{4}"
    r"|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]* ,?\s?(?:[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})"
    r"[ ,]*\d{1,2}[:.]\d\d(?: ?[ap]m)?(?: [A-Z]{2,4})?"
    r"|\d{1,2}[:.]\d\d(?: ?[AaPp][Mm])?(?: [A-Z]{2,4})?(?: time)?,? [A-Z][a-z]+day,? \d{1,2} [A-Z][a-z]+ \d{4})"
)
FUTURE = re.compile(r"\b(?:will|next|tomorrow|is due|are due|is expected to|are expected to)\b")


@dataclass(frozen=True)
class Mention:
    kind: str
    day: date


def lead(title: str, text: str) -> str:
    """The title and the first sentences; most Timeline17 titles are the text's first words, not added twice."""
    title = title.removesuffix("…").strip()
    sentences = text.splitlines()[:LEAD_SENTENCES]
    return " ".join(sentences if text.startswith(title) else [title, *sentences])


def mentions(passage: str, published: date) -> list[Mention]:
    """The day-naming expressions of a passage, datelines removed, resolved against its publication day."""
    passage = DATELINE.sub(" ", passage)
    found = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(passage):
            day = resolve(kind, match, published)
            if day is not None:
                found.append((match.start(), Mention(kind, day)))
    return [mention for _, mention in sorted(found, key=lambda pair: pair[0])]


def resolve(kind: str, match: re.Match, published: date) -> date | None:
    if kind == "weekday":
        return published - timedelta(days=(published.weekday() - WEEKDAYS.index(match["weekday"])) % 7)
    if kind == "yesterday / last night":
        return published - timedelta(days=1)
    if kind == "today / tonight / this morning":
        return published
    if kind == "N days ago":
        count = match["count"]
        return published - timedelta(days=int(count) if count.isdigit() else NUMBER[count])
    month = next(n for n, name in enumerate(MONTHS, start=1) if name.startswith(match["month"].rstrip(".")[:3]))
    try:
        day = date(int(match["year"] or published.year), month, int(match["day"]))
    except ValueError:
        return None
    # "December 30" in a January article is last year's.
    return day.replace(year=day.year - 1) if not match["year"] and day > published + timedelta(days=31) else day


def main() -> int:
    folder = dev_folder("timeline17 leads")
    if folder is None:
        return 0
    timelines = load(folder)
    totals: Counter = Counter()
    print(f"{'timeline':<21} {'arts':>4} {'dateline':>8} {'day-naming':>10} {'!=pub':>6} {'future':>6} {'coarse':>6}"
          f" | resolved-in-gold vs pub-in-gold (where they differ)")
    for timeline in timelines:
        counts: Counter = Counter()
        for item in timeline.items:
            published = item.published_at.date()
            passage = lead(item.title, item.text)
            found = mentions(passage, published)
            counts["articles"] += 1
            counts["dateline"] += bool(DATELINE.search(passage))
            counts["coarse"] += bool(COARSE.search(passage))
            if not found:
                continue
            counts["day-naming"] += 1
            counts["future"] += bool(FUTURE.search(passage))
            for kind in {m.kind for m in found}:
                counts[f"kind: {kind}"] += 1
            first = found[0].day
            gap = (published - first).days
            counts[f"gap: {'0' if gap == 0 else '1' if gap == 1 else '2-7' if 2 <= gap <= 7 else '>7' if gap > 7 else '<0'}"] += 1
            if first != published:
                counts["differs"] += 1
                counts["differs, resolved in gold"] += first in timeline.gold
                counts["differs, published in gold"] += published in timeline.gold
        totals += counts
        print(_row(timeline.name, counts))
    print(_row("all", totals))
    n = totals["day-naming"]
    print("among leads that name a day, the kinds (an article may have several): " + ", ".join(
        f"{key.removeprefix('kind: ')} {totals[key] / n:.0%}" for key in sorted(totals) if key.startswith("kind: ")))
    print("publication day minus the first named day: " + ", ".join(
        f"{gap} days {totals['gap: ' + gap] / n:.0%}" for gap in ("0", "1", "2-7", ">7", "<0")))
    return 0


def _row(name: str, counts: Counter) -> str:
    n = counts["articles"]
    return (f"{name:<21} {n:>4} {counts['dateline'] / n:>8.0%} {counts['day-naming'] / n:>10.0%} "
            f"{counts['differs'] / n:>6.0%} {counts['future'] / n:>6.0%} {counts['coarse'] / n:>6.0%} | "
            f"{counts['differs, resolved in gold']}/{counts['differs']} vs {counts['differs, published in gold']}/{counts['differs']}")


if __name__ == "__main__":
    sys.exit(main())
