"""Text as storyline tracking sees it: words, sentences and the title / lead / body zones.

A word is what the query language says it is (`storywatch.query_syntax.words`: a run of
letters and digits, casefolded), so the query matcher and the clustering features always
agree on what a word is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from storywatch.query_syntax import words

# A sentence ends at . ! ? … followed by space and a capital (not a digit: "Mar. 30", "No. 5"),
# or at a line break (paragraphs, headlines and sign-offs are their own "sentences").
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z])|\s*\n\s*")
LEAD_WORDS = 60  # the lead is the opening sentences of the text up to about this many words


class Zone(str, Enum):
    TITLE = "title"
    LEAD = "lead"
    BODY = "body"


@dataclass(frozen=True)
class Sentence:
    index: int  # 0 is the title; the text's sentences count from 1
    zone: Zone
    text: str


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def sentences(title: str | None, text: str | None) -> tuple[Sentence, ...]:
    """Title, lead and body sentences of an article.

    Many pages repeat the headline as the first line of the text; that copy is dropped so
    it does not count twice or push the real lead out.
    """
    title = (title or "").strip()
    parts = split_sentences(text or "")
    if parts and title and words(parts[0]) == words(title):
        parts = parts[1:]
    found = [Sentence(0, Zone.TITLE, title)] if title else []
    lead_words = 0
    for index, part in enumerate(parts, start=1):
        zone = Zone.LEAD if lead_words < LEAD_WORDS else Zone.BODY
        lead_words += len(words(part))
        found.append(Sentence(index, zone, part))
    return tuple(found)
