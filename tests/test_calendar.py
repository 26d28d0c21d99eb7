"""Working days under each nation's bank holidays, with the day of receipt as day 0."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.calendar import NATIONS, add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("nation", "expected"),
    [("england-wales", date(2026, 1, 8)), ("scotland", date(2026, 1, 9))],
)
def test_new_year_worked_example(nation: str, expected: date) -> None:
    # Received Wednesday 31 December 2025: five working days to acknowledge.
    assert add_working_days(date(2025, 12, 31), 5, nation) == expected


def test_easter_skips_good_friday_and_easter_monday_in_england() -> None:
    # Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April are holidays.
    assert add_working_days(date(2026, 4, 2), 1, "england-wales") == date(2026, 4, 7)
    # Scotland has Good Friday but not Easter Monday.
    assert add_working_days(date(2026, 4, 2), 1, "scotland") == date(2026, 4, 6)


def test_northern_ireland_has_st_patricks_day() -> None:
    assert not is_working_day(date(2026, 3, 17), "northern-ireland")
    assert is_working_day(date(2026, 3, 17), "england-wales")


def test_received_at_the_weekend_counts_from_the_weekend() -> None:
    assert add_working_days(date(2026, 11, 21), 1, "england-wales") == date(2026, 11, 23)


def test_unknown_nation_and_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown nation"):
        add_working_days(date(2026, 1, 1), 5, "wales-only")
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 1), -1, "scotland")


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@given(start=days, count=st.integers(min_value=1, max_value=60),
       nation=st.sampled_from(sorted(NATIONS)))
def test_deadline_is_a_working_day_exactly_count_days_on(start: date, count: int,
                                                         nation: str) -> None:
    deadline = add_working_days(start, count, nation)
    assert is_working_day(deadline, nation)
    assert deadline > start
    assert working_days_between(start, deadline, nation) == count
    # No earlier day would do: the day before the deadline is short of the count.
    assert working_days_between(start, deadline - timedelta(days=1), nation) == count - 1


@given(start=days, a=st.integers(0, 30), b=st.integers(0, 30),
       nation=st.sampled_from(sorted(NATIONS)))
def test_adding_working_days_composes(start: date, a: int, b: int, nation: str) -> None:
    first = add_working_days(start, a, nation)
    if a and b:
        assert add_working_days(first, b, nation) == add_working_days(start, a + b, nation)
    assert add_working_days(start, a, nation) <= add_working_days(start, a + b, nation)
