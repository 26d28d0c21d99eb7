"""Dates written in letters and emails ("3 February 2026", "last March", "12/02/26") to ISO."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import dateparser

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# Explicit dates only: numeric day/month/year, "3rd of February 2026", "February 3, 2026",
# "March 2024", "last March". Vaguer phrases ("a while ago") are left for a person.
DATE_PATTERN = re.compile(
    rf"""\b(
        \d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})
      | \d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?(?:\s+\d{{4}})?
      | (?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?
      | (?:(?:last|this)\s+|early\s+|late\s+|mid[- ])?(?:{_MONTHS})\s+(?:\d{{4}})
      | (?:last|this)\s+(?:{_MONTHS})
      | (?:last|this)\s+(?:year|summer|winter|spring|autumn|christmas)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_SEASON_MONTH = {"spring": 4, "summer": 7, "autumn": 10, "winter": 1, "christmas": 12}


def parse_written_date(phrase: str, *, relative_to: date) -> date | None:
    """The date a phrase names, judged from the day the item arrived; None if it names none."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", phrase.strip(), flags=re.IGNORECASE)
    cleaned = re.sub(r"\b(of|early|late|mid)[- ]?\b", " ", cleaned, flags=re.IGNORECASE)
    season = re.fullmatch(r"\s*(last|this)\s+(\w+)\s*", cleaned, re.IGNORECASE)
    if season and season.group(2).lower() in (*_SEASON_MONTH, "year"):
        return _season_date(season.group(1).lower(), season.group(2).lower(), relative_to)
    if season:
        cleaned = season.group(2)
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


def _season_date(which: str, season: str, relative_to: date) -> date:
    if season == "year":
        return date(relative_to.year - (1 if which == "last" else 0), 1, 1)
    # "last summer", said in November, means this year's summer: the latest one begun.
    month = _SEASON_MONTH[season]
    year = relative_to.year if month <= relative_to.month else relative_to.year - 1
    return date(year, month, 1)


def find_dates(text: str, *, relative_to: date) -> list[tuple[int, date]]:
    """Every explicit date in the text with its offset, none later than the day of receipt."""
    found = []
    for match in DATE_PATTERN.finditer(text):
        parsed = parse_written_date(match.group(0), relative_to=relative_to)
        if parsed and date(1990, 1, 1) <= parsed <= relative_to:
            found.append((match.start(), parsed))
    return found
