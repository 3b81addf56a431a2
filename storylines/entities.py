"""Facts an article states: names, numbers, dates and event words — light, dependency-free.

No NER model: a name is a run of capitalised words (a sentence's first word only counts when
the article never uses it in lower case), numbers keep their unit, dates are month/weekday
phrases and years, event words come from a short list of news verbs and nouns. Good enough
to say "this report brings Washington, March 30 and *return*" — not to type entities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from storywatch.storylines.text import Sentence, Zone

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each even few for from further
had has have having he her here hers herself him himself his how however i if in into is it its
itself just last least like made make many may me might more most much must my myself new news
no nor not now of off on once one only or other our ours ourselves out over own per said same say
says she should since so some still such than that the their theirs them themselves then there
these they this those through to too two under until up upon us very via was we were what when
where which while who whom whose why will with within without would year years yet you your yours
yourself yourselves told according mr mrs ms dr percent time week day days people image photo
""".split())

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CALENDAR_WORDS = frozenset(_MONTHS + _WEEKDAYS) | {m[:3] for m in _MONTHS} | {"sept"}  # dates, not names
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?"
    rf"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:19|20)\d{{2}})\b"
)
_NUMBER = re.compile(
    r"[$€£]?\b\d+(?:[.,]\d+)*(?:\s?(?:%|percent|per cent|million|billion|trillion|bn|mn|km|MW|GW|GWh|MWh|tons?|tonnes?)\b)?"
)
_NAME_WORD = re.compile(r"[^\W\d_][\w’'&.-]*")
_POSSESSIVE = re.compile(r"['’]s$")
_CONNECTORS = frozenset({"of", "de", "del", "van", "von", "der", "al", "bin", "la", "le", "du"})

# Words that say something happened; they make a report a development, not a comment.
EVENT_WORDS = """
accuse acquire agree aid announce appoint approve arrest arrive attack ban block boycott buy call
cancel charge close collapse concede condemn confirm convict cut deal declare delay deny deport die
dismiss elect end expel explode extradite fire fine freeze halt hit impose indict injure invade invest
jail kill launch leave lose merge murder negotiate open order oust plan pledge postpone protest quit
raise recall reject release resign retire return rule sanction seize sell settle shoot sign strike sue
summon surrender suspend threaten veto visit vote walk war warn win withdraw
""".split()

@dataclass(frozen=True)
class Fact:
    kind: str   # "name", "number", "date" or "event"
    text: str   # as written, for people
    key: str    # normalised, for comparing articles

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: `recalled`, `recalls`, `recalling` → `recall`; `arrives` → `arriv`."""
    for suffix in ("ing", "ied", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


EVENT_STEMS = frozenset(stem(word) for word in EVENT_WORDS)


def facts(parts: Iterable[Sentence], lowercase_words: frozenset[str]) -> tuple[Fact, ...]:
    """The facts of the given sentences, in order of appearance, each key once.

    `lowercase_words` are the words the whole article uses in lower case: a capitalised
    sentence opener that also occurs among them ("Despite", "Officials") is not a name.
    """
    found: dict[str, Fact] = {}
    for sentence in parts:
        for fact in _sentence_facts(sentence, lowercase_words):
            found.setdefault(fact.key, fact)
    return tuple(found.values())


def _sentence_facts(sentence: Sentence, lowercase_words: frozenset[str]) -> list[Fact]:
    text = sentence.text
    found: list[Fact] = []
    dates = list(_DATE.finditer(text))
    taken = [(m.start(), m.end()) for m in dates]
    found += [Fact("date", m.group(0), _key(m.group(0))) for m in dates]
    for m in _NUMBER.finditer(text):
        if not any(start <= m.start() < end for start, end in taken) and len(m.group(0).strip("$€£")) > 1:
            found.append(Fact("number", m.group(0), _key(m.group(0).replace(",", ""))))
    found += _names(text, sentence.zone is Zone.TITLE, lowercase_words)
    for m in _NAME_WORD.finditer(text):
        word = m.group(0).casefold()
        if word not in STOPWORDS and stem(word) in EVENT_STEMS:
            found.append(Fact("event", word, stem(word)))
    return found


def _names(text: str, is_title: bool, lowercase_words: frozenset[str]) -> list[Fact]:
    """Runs of capitalised words. A title capitalises every word and a sentence its first,
    so there a word counts only if the article never writes it in lower case."""
    names: list[Fact] = []
    run: list[re.Match] = []
    tokens = list(_NAME_WORD.finditer(text))
    for index, token in enumerate(tokens):
        word = token.group(0)
        lower = _POSSESSIVE.sub("", word.casefold())
        capitalised = word[0].isupper() and lower not in _CALENDAR_WORDS
        opener = index == 0 or is_title
        joined = bool(run) and not text[run[-1].end(): token.start()].strip()  # only spaces between
        if run and not joined:
            names += _name(text, run)
            run = []
        if capitalised and not (opener and (lower in STOPWORDS or lower in lowercase_words)):
            run.append(token)
        elif run and lower in _CONNECTORS and index + 1 < len(tokens) and tokens[index + 1].group(0)[0].isupper():
            run.append(token)
        else:
            names += _name(text, run)
            run = []
    return names + _name(text, run)


def _name(text: str, run: list[re.Match]) -> list[Fact]:
    while run and run[-1].group(0).casefold() in _CONNECTORS:
        run = run[:-1]
    if not run:
        return []
    written = _POSSESSIVE.sub("", text[run[0].start(): run[-1].end()]).strip(".’'")
    return [Fact("name", written, _key(written))]


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split())
