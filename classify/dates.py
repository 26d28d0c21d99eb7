"""Dates written in letters and emails ("3 February 2026", "last March", "on Tuesday") to ISO.

Every phrase is read relative to a base day (the day the item arrived, or the date its letter
bears): "yesterday", "last Thursday" and "the 3rd" mean nothing without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import dateparser

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# Month names as a month, not a verb or a modal: "May" and "March" only when capitalised.
_MONTH_NAME = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|"
    "JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER"
)
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)"
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2,
                 "a few": 3, "couple of": 2}
# Explicit dates: numeric day/month/year, "3rd of February 2026", "February 3, 2026",
# "March 2024", "the July of 2024", "last March". Vaguer phrases ("a while ago") are left
# for a person.
DATE_PATTERN = re.compile(
    rf"""\b(
        (?:19|20)\d{{2}}-\d{{2}}-\d{{2}}
      | \d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})
      | (?:(?:{_WEEKDAYS})\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?
        (?:\s+\d{{4}})?
      | (?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?
      | (?:(?:last|this)\s+|early\s+|late\s+|mid[- ])?(?:{_MONTHS})\s+(?:of\s+)?(?:\d{{4}})
      | (?:last|this)\s+(?:{_MONTHS})
      | (?:last|this)\s+(?:year|summer|winter|spring|autumn|christmas)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# Phrases that name a day only against the base day: weekdays, "yesterday", "the 3rd",
# "two weeks ago", and a month named without a year after "in", "since", "early" ...
RELATIVE_PATTERN = re.compile(
    rf"""(?P<phrase>
        \b(?P<day_word>yesterday|today|tonight|this\s+(?:morning|afternoon|evening)|
           (?:has|have|had|'s|'ve)?\s*just\s+(?:went|gone|started|split|burst|broke|broken|
           stopped|blown|blew|collapsed|fallen|fell|come|noticed|happened|flooded|cracked)|
           last\s+night|earlier\s+today|just\s+now|(?:mins?|minutes|hours?)\s+ago)\b
      | \b(?P<ago>(?:\d{{1,2}}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|
           (?:a\s+)?couple\s+of|a\s+few)\s+(?P<unit>days?|weeks?|months?|fortnights?)\s+ago)\b
      | \b(?P<holiday>(?i:christmas\s+eve|christmas\s+day|boxing\s+day|new\s+year'?s\s+(?:eve|day)|
           (?<=since\s)christmas|(?<=over\s)christmas|(?<=at\s)christmas|(?<=before\s)christmas|
           (?<=since\s)the\s+new\s+year))\b
      | \b(?P<month_ref>last\s+month|this\s+month)\b
      | \b(?P<listed_day>\d{{1,2}})(?:st|nd|rd|th)?(?=\s*(?:,|and|&|or)\s*\d{{1,2}}(?:st|nd|rd|th)?
           \s+(?:of\s+)?(?P<listed_month>{_MONTH_NAME})\b(?!\s+\d{{4}}))
      | (?<![\w-])(?P<weekday_lead>(?:on|last|this\s+past|since|came|from)\s+)?
           (?P<weekday>(?i:{_WEEKDAYS}))(?!s\b|\s+\d)(?![\w])
      | \b(?P<ordinal_lead>on|since|from|(?i:{_WEEKDAYS}))\s+(?:the\s+)?(?P<ordinal>{_ORDINAL})
           (?P<ordinal_tail>\s+of\s+this\s+month)?(?!\s+(?:of\s+)?(?i:{_MONTHS})\b)
           (?!\s+(?:floor|storey|time|step|stair|flat|house|door|landing|bus|row|place)\b)
           (?!\s*(?:,|and|&|or)\s*\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?i:{_MONTHS})\b)
      | \b(?P<bare_month_lead>(?i:in|since|from|during|until|around|about|early|late|mid|
           (?:the\s+)?(?:start|beginning|middle|end)\s+of|in\s+(?:early|late|mid))[-\s]+)
           (?P<bare_month>{_MONTH_NAME})(?![\w])(?!\s+\d)
    )""",
    re.VERBOSE,
)
_SEASON_MONTH = {"spring": 4, "summer": 7, "autumn": 10, "winter": 1, "christmas": 12}


@dataclass(frozen=True)
class DatedPhrase:
    """A date the text names, where it is, and how precisely it names it."""

    start: int
    end: int
    day: date
    precision: str  # "day", "month", "season" or "year"


def parse_written_date(phrase: str, *, relative_to: date) -> date | None:
    """The date a phrase names, judged from the day the item arrived; None if it names none."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", phrase.strip(), flags=re.IGNORECASE)
    cleaned = re.sub(rf"^(?:{_WEEKDAYS})\s+", "", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"\b(of|early|late|mid)[- ]?\b", " ", cleaned, flags=re.IGNORECASE)
    season = re.fullmatch(r"\s*(last|this)\s+(\w+)\s*", cleaned, re.IGNORECASE)
    if season and season.group(2).lower() in (*_SEASON_MONTH, "year"):
        return _season_date(season.group(1).lower(), season.group(2).lower(), relative_to)
    if season:
        cleaned = season.group(2)
    yearless_day = re.fullmatch(
        rf"\s*(\d{{1,2}})\s+({_MONTHS})\.?,?\s*|\s*({_MONTHS})\.?\s+(\d{{1,2}}),?\s*",
        cleaned, re.IGNORECASE)
    if yearless_day:
        return _yearless_day(yearless_day, relative_to)
    base = datetime.combine(relative_to, time(12))
    parsed = dateparser.parse(
        cleaned,
        languages=["en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": base,
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["month"],
        },
    )
    if parsed is None:
        return None
    found = parsed.date()
    if season and season.group(1).lower() == "last" and found >= relative_to.replace(day=1):
        found = found.replace(year=found.year - 1)
    return found


def _yearless_day(match: re.Match[str], relative_to: date) -> date | None:
    """"9 December" said in November is this year's, still to come; said in January, last year's."""
    day_text, month_text = (match.group(1), match.group(2)) if match.group(1) else (
        match.group(4), match.group(3))
    month = _month_number(month_text)
    try:
        found = date(relative_to.year, month, int(day_text))
    except ValueError:
        return None
    if found > relative_to and (found - relative_to).days > 183:
        try:
            found = found.replace(year=found.year - 1)
        except ValueError:
            return None
    return found


def _month_number(name: str) -> int:
    return next(number for number, full in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"], 1) if full.startswith(name.lower()[:3]))


def _season_date(which: str, season: str, relative_to: date) -> date:
    if season == "year":
        return date(relative_to.year - (1 if which == "last" else 0), 1, 1)
    # "last summer", said in November, means this year's summer: the latest one begun.
    month = _SEASON_MONTH[season]
    year = relative_to.year if month <= relative_to.month else relative_to.year - 1
    return date(year, month, 1)


def _precision(phrase: str) -> str:
    if re.search(r"\b(?:year)\b", phrase, re.I):
        return "year"
    if re.search(r"\b(?:summer|winter|spring|autumn|christmas)\b", phrase, re.I):
        return "season"
    if re.search(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]"
                 rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d)", phrase, re.I):
        return "day"
    return "month"


def relative_day(match: re.Match[str], relative_to: date) -> tuple[date, str] | None:
    """The day a RELATIVE_PATTERN match names, with its precision."""
    word = match.group("day_word")
    if word:
        word = re.sub(r"\s+", " ", word.lower())
        if word in ("yesterday", "last night"):
            return relative_to - timedelta(days=1), "day"
        return relative_to, "day"
    if match.group("ago"):
        count_text = re.sub(r"\s+", " ", match.group("ago").lower()).rsplit(" ", 2)[0]
        count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS.get(count_text, 1)
        unit = match.group("unit").lower()
        if unit.startswith("fortnight"):
            return relative_to - timedelta(days=14 * count), "day"
        days = count * (1 if unit.startswith("day") else 7 if unit.startswith("week") else 30)
        precision = "day" if unit.startswith(("day", "week")) else "month"
        return relative_to - timedelta(days=days), precision
    if match.group("holiday"):
        name = re.sub(r"\s+", " ", match.group("holiday").lower())
        month, day_number = ((1, 1) if "new year" in name and not name.endswith("eve") else
                             (12, 31) if name.endswith("eve") and "new" in name else
                             (12, 24) if name.endswith("eve") else (12, 26) if "boxing" in name
                             else (12, 25))
        found = date(relative_to.year, month, day_number)
        if found > relative_to:
            found = found.replace(year=found.year - 1)
        return found, "day"
    if match.group("month_ref"):
        if match.group("month_ref").lower().startswith("this"):
            return relative_to.replace(day=1), "month"
        first = relative_to.replace(day=1) - timedelta(days=1)
        return first.replace(day=1), "month"
    if match.group("weekday"):
        wanted = _WEEKDAYS.split("|").index(match.group("weekday").lower())
        lead = (match.group("weekday_lead") or "").strip().lower()
        # "its monday now", said on a Monday, is today; "last Monday" is a week ago.
        back = (relative_to.weekday() - wanted) % 7 or (7 if lead == "last" else 0)
        return relative_to - timedelta(days=back), "day"
    if match.group("listed_day"):
        month = _month_number(match.group("listed_month"))
        year = relative_to.year if month <= relative_to.month else relative_to.year - 1
        try:
            return date(year, month, int(match.group("listed_day"))), "day"
        except ValueError:
            return None
    if match.group("ordinal"):
        day_number = int(re.sub(r"\D", "", match.group("ordinal")))
        month_start = relative_to.replace(day=1)
        if day_number > relative_to.day and match.group("ordinal_tail"):
            return None
        if day_number > relative_to.day:  # "on the 28th", said on the 3rd: last month's
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        try:
            return month_start.replace(day=day_number), "day"
        except ValueError:
            return None
    if match.group("bare_month"):
        month = _month_number(match.group("bare_month"))
        year = relative_to.year if month <= relative_to.month else relative_to.year - 1
        lead = match.group("bare_month_lead").lower()
        day_number = 15 if re.search(r"mid|middle", lead) else 1
        return date(year, month, day_number), "month"
    return None


def find_dated_phrases(text: str, *, relative_to: date) -> list[DatedPhrase]:
    """Every date the text names, explicit or relative, none later than the base day."""
    found: list[DatedPhrase] = []
    taken: list[tuple[int, int]] = []
    for match in DATE_PATTERN.finditer(text):
        parsed = parse_written_date(match.group(0), relative_to=relative_to)
        taken.append(match.span())
        if parsed and date(1990, 1, 1) <= parsed <= relative_to:
            found.append(DatedPhrase(match.start(), match.end(), parsed,
                                     _precision(match.group(0))))
    for match in RELATIVE_PATTERN.finditer(text):
        start, end = match.span()
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        if match.group("weekday") and re.search(
                r"\b(?:a|the|every|each|next|by|before|until|till|this\s+coming)\s+$",
                text[max(0, start - 20) : start], re.IGNORECASE):
            continue  # "on a Saturday", "by Friday": no day that has happened
        resolved = relative_day(match, relative_to)
        if resolved and date(1990, 1, 1) <= resolved[0] <= relative_to:
            found.append(DatedPhrase(start, end, resolved[0], resolved[1]))
    return sorted(found, key=lambda phrase: phrase.start)


def find_dates(text: str, *, relative_to: date) -> list[tuple[int, date]]:
    """Every explicit date in the text with its offset, none later than the day of receipt."""
    found = []
    for match in DATE_PATTERN.finditer(text):
        parsed = parse_written_date(match.group(0), relative_to=relative_to)
        if parsed and date(1990, 1, 1) <= parsed <= relative_to:
            found.append((match.start(), parsed))
    return found
