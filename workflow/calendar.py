"""UK working days: Monday to Friday less the bank holidays of the landlord's nation."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# The `holidays` package's subdivision for each nation a policy may name.
NATIONS = {
    "england-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    subdivision = NATIONS[nation]
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(nation, day.year)


def add_working_days(start: date, days: int, nation: str) -> date:
    """The date `days` working days after `start`, the day of receipt counting as day 0."""
    if nation not in NATIONS:
        raise ValueError(f"unknown nation {nation!r}; expected one of {sorted(NATIONS)}")
    if days < 0:
        raise ValueError("a deadline cannot be a negative number of working days")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, nation):
            remaining -= 1
    return current


def next_working_day(day: date, nation: str) -> date:
    """The first working day after `day`."""
    return add_working_days(day, 1, nation)


def working_days_between(start: date, end: date, nation: str) -> int:
    """How many working days after `start` `end` falls (negative when `end` is earlier)."""
    step = 1 if end >= start else -1
    count, current = 0, start
    while current != end:
        current += timedelta(days=step)
        if is_working_day(current, nation):
            count += step
    return count
