"""When the matter began: the earliest date the writer gives for it, read against the date
the letter bears, and never the letter's own date, a birthday or a hearing to come."""

from __future__ import annotations

import re
from datetime import date

from classify.dates import DATE_PATTERN, DatedPhrase, find_dated_phrases
from classify.fields.patterns import WEEKDAY, start_of_body

_FUTURE = re.compile(
    r"\b(?:will|going|hoping to|hope to|listed|due|next|hearing|planned|plan to|"
    r"expected|scheduled|until|by the end|before the|deadline)\b",
    re.I,
)
_NOT_INCIDENT = re.compile(
    r"\b(?:date of birth|born|d\.o\.b|dob|covering|statement|aged|tenant since|"
    r"been (?:your|a) tenant|payment date|each month|every month|monthly|"
    r"issued|served|claim no|directions hearing)\b",
    re.I,
)


def incident_date(text: str, received: date) -> date | None:
    """The earliest date the writer gives for the matter, read from the letter's own date."""
    body_start = start_of_body(text)
    base = letter_date(text, received) or received
    candidates: list[DatedPhrase] = []
    for phrase in find_dated_phrases(text, relative_to=base):
        if phrase.start < body_start or _is_dateline(text, phrase.start):
            continue
        if phrase.precision == "year":
            continue
        sentence = _sentence_around(text, phrase.start, phrase.end)
        if _NOT_INCIDENT.search(sentence) or _quoted(text, phrase.start):
            continue
        lead = sentence[: max(0, phrase.start - _sentence_start(text, phrase.start))]
        if _FUTURE.search(lead[-60:]) and not re.search(r"\d{4}", text[phrase.start:phrase.end]):
            continue
        candidates.append(phrase)
    # "In January ... on 16 January": the day given is the month's more precise telling.
    months_with_a_day = {(c.day.year, c.day.month) for c in candidates if c.precision == "day"}
    candidates = [c for c in candidates if c.precision != "month"
                  or (c.day.year, c.day.month) not in months_with_a_day]
    return min((c.day for c in candidates), default=None)


def letter_date(text: str, received: date) -> date | None:
    """The date a letter bears on its own line, which "yesterday" in it is counted from."""
    body_start = start_of_body(text)
    for phrase in find_dated_phrases(text[: body_start or 0], relative_to=received):
        if _is_dateline(text, phrase.start) and phrase.precision == "day":
            return phrase.day
    return None


def _sentence_start(text: str, offset: int) -> int:
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)|\n", text[:offset])]
    return ends[-1] if ends else 0


def _sentence_around(text: str, start: int, end: int) -> str:
    stops = [i for i in (text.find(mark, end) for mark in (".", "!", "?", "\n")) if i != -1]
    return text[_sentence_start(text, start) : min(stops) if stops else len(text)]


def _quoted(text: str, offset: int) -> bool:
    """A date inside quotation marks is the landlord's claim being repeated, not the writer's."""
    line_start = _sentence_start(text, offset)
    before = text[line_start:offset]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _is_dateline(text: str, offset: int) -> bool:
    """A line holding only a date (and perhaps a weekday) dates the letter, not the incident."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : end if end != -1 else len(text)]
    rest = DATE_PATTERN.sub("", line)
    return not re.sub(rf"(?i)\b{WEEKDAY}\b|dated?|[\s,.:]", "", rest)
