"""The Timeline17 bench's runs, on a hand-made timeline: through track() in a scratch DuckDB, and
through a real pass over a loopback feed. What the model decides may change; what the bench
reads back (days, article counts, the reported_on fallback) must not."""

from datetime import date, datetime, timezone

from storylines_eval import Item, tracked
from timeline17_eval import DEVELOPMENT_DAY, Timeline, fast, opened, pipeline, slices

from storywatch.config import StorylineSettings

FEVER = StorylineSettings(id="kestrel-fever", title="Kestrel fever outbreak", query="kestrel AND fever")


def noon(day: int) -> datetime:
    return datetime(2031, 3, day, 12, tzinfo=timezone.utc)


def item(key: str, day: int, title: str, *sentences: str) -> Item:
    return Item(key, title, "\n".join(sentences), "Riverside Courier", noon(day))


ITEMS = (
    item("first-case", 2, "First case of kestrel fever confirmed in Calderport",
         "Health officials in Calderport confirmed the first human case of kestrel fever on Sunday.",
         "The patient, a falconer from the harbour district, is being treated at St Aldhelm's hospital.",
         "Kestrel fever is carried by birds of prey and rarely passes between people.",
         "The city's public health director asked bird keepers to report sick animals at once."),
    item("second-case", 3, "Kestrel fever: second patient in Riverside",
         "A second patient with kestrel fever was admitted in Riverside on Monday, officials said.",
         "She had visited the Calderport falconry fair a week ago, where the first patient worked.",
         "Both patients are stable, according to the hospital's medical director.",
         "Officials have traced forty visitors of the fair and offered them tests."),
    item("fair-closed", 3, "Falconry fair closed as kestrel fever spreads",
         "Organisers closed the Calderport falconry fair on Monday after a second kestrel fever case.",
         "The fair had drawn about three thousand visitors since it opened on Friday.",
         "Refunds will be paid to exhibitors, the organisers said in a statement.",
         "Vets will examine every bird at the fair before it leaves the grounds."),
    item("cycle-route", 4, "Cycle route opens along the old railway",
         "A new cycle route along the disused Wend valley railway opened on Tuesday.",
         "The twelve-mile path links Riverside with the villages of the upper valley.",
         "Cyclists praised the smooth surface and the restored station buildings.",
         "The council plans to add benches and a cafe at the old Hollin halt."),
)
TIMELINE = Timeline("fever_courier", "Riverside Courier", FEVER, frozenset({date(2031, 3, 2), date(2031, 3, 3)}), ITEMS)


def check(result) -> None:
    assert result.matched == 3  # the cycle route is not about the outbreak
    assert sum(o.articles for o in result.opened) == 3
    days = {o.day for o in result.opened}
    assert date(2031, 3, 2) in days and days <= {date(2031, 3, 2), date(2031, 3, 3)}
    # k = 2: the baseline takes 3 March (two articles), then the 2nd over the 4th (one each, earlier).
    assert result.baseline() == (1.0, 1.0, 1.0)


def test_fast_run_reads_back_the_days_developments_opened():
    result, source = fast(TIMELINE)
    check(result)
    assert source == DEVELOPMENT_DAY


def test_pipeline_run_serves_the_timeline_as_a_feed_and_reads_the_same_back():
    result, source = pipeline(TIMELINE, 2)
    check(result)
    assert "4 articles stored" in source


def test_a_development_day_is_the_day_its_event_happened():
    with tracked(ITEMS, FEVER) as con:
        first = con.execute("SELECT development_id FROM developments ORDER BY first_seen_at LIMIT 1").fetchone()[0]
        con.execute("UPDATE internal.developments SET reported_on = DATE '2031-03-01' WHERE development_id = ?", [first])
        days = {o.day for o in opened(con, FEVER)[0]}
    assert date(2031, 3, 1) in days and date(2031, 3, 2) not in days


def test_slices_are_chronological_of_about_equal_size_and_never_split_a_day():
    waves = slices(ITEMS, 2)
    assert [[i.key for i in wave] for wave in waves] == [["first-case", "fair-closed", "second-case"], ["cycle-route"]]
