"""Each shipped policy's deadlines: worked examples across Easter, Christmas and substitute bank
holidays (counted by hand), property tests, and the after-hours cut-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.calendar import is_working_day
from workflow.policy import BUILT_IN, load_policy
from workflow.staging import LANDLORD_TIMEZONE, receipt_day

POLICIES = {name: load_policy(name) for name in BUILT_IN}
CODE_2024 = Path(__file__).parents[1] / "workflow" / "policies" / "code-2024.toml"

# (acknowledge_by, respond_by) per stage, when each step takes its last allowed day.
WORKED_EXAMPLES = [
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April; then the early May bank
    # holiday (4 May) and the spring bank holiday (25 May).
    ("code-2024", date(2026, 4, 1), [("2026-04-10", "2026-04-24"), ("2026-05-01", "2026-06-02")]),
    ("lancaster", date(2026, 4, 1), [("2026-04-10", "2026-04-17"), ("2026-04-24", "2026-05-26")]),
    ("lumen", date(2026, 4, 1), [(None, "2026-04-10"), (None, "2026-04-17"),
                                 (None, "2026-05-11"), (None, "2026-06-09")]),
    # Christmas 2026: Boxing Day is a Saturday, so its substitute is Monday 28 December;
    # New Year's Day is Friday 1 January 2027.
    ("code-2024", date(2026, 12, 23), [("2027-01-04", "2027-01-18"),
                                       ("2027-01-25", "2027-02-22")]),
    ("lancaster", date(2026, 12, 23), [("2027-01-04", "2027-01-11"),
                                       ("2027-01-18", "2027-02-15")]),
    ("lumen", date(2026, 12, 23), [(None, "2027-01-04"), (None, "2027-01-11"),
                                   (None, "2027-02-01"), (None, "2027-03-01")]),
    # Christmas 2027 falls at the weekend: substitutes Monday 27 and Tuesday 28 December, and
    # Monday 3 January 2028 for New Year's Day (a Saturday).
    ("code-2024", date(2027, 12, 24), [("2028-01-05", "2028-01-19"),
                                       ("2028-01-26", "2028-02-23")]),
    ("lancaster", date(2027, 12, 24), [("2028-01-05", "2028-01-12"),
                                       ("2028-01-19", "2028-02-16")]),
    ("lumen", date(2027, 12, 24), [(None, "2028-01-05"), (None, "2028-01-12"),
                                   (None, "2028-02-02"), (None, "2028-03-01")]),
]


@pytest.mark.parametrize(("policy", "received", "expected"), WORKED_EXAMPLES)
def test_worked_examples(policy: str, received: date, expected: list) -> None:
    table = POLICIES[policy].deadline_table(received)
    assert [(row["acknowledge_by"], row["respond_by"]) for row in table] == expected


def test_new_year_worked_example_in_both_nations(tmp_path: Path) -> None:
    # Received Wednesday 31 December 2025: acknowledge by Thursday 8 January 2026 under
    # England and Wales holidays, by Friday 9 January under Scotland's (2 January is one).
    assert POLICIES["code-2024"].acknowledge_by(1, date(2025, 12, 31)) == date(2026, 1, 8)
    scottish = tmp_path / "scottish.toml"
    scottish.write_text(CODE_2024.read_text().replace('nation = "england-wales"',
                                                      'nation = "scotland"'))
    assert load_policy(str(scottish)).acknowledge_by(1, date(2025, 12, 31)) == date(2026, 1, 9)


def test_scottish_substitute_for_the_second_of_january(tmp_path: Path) -> None:
    # 2 January 2027 is a Saturday: Scotland's substitute is Monday 4 January.
    scottish = tmp_path / "scottish.toml"
    scottish.write_text(CODE_2024.read_text().replace('nation = "england-wales"',
                                                      'nation = "scotland"'))
    policy = load_policy(str(scottish))
    assert policy.acknowledge_by(1, date(2026, 12, 23)) == date(2027, 1, 5)
    assert POLICIES["code-2024"].acknowledge_by(1, date(2026, 12, 23)) == date(2027, 1, 4)


received_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
policy_names = st.sampled_from(BUILT_IN)


def _all_deadlines(policy: str, received: date) -> list[date]:
    table = POLICIES[policy].deadline_table(received)
    return [date.fromisoformat(row[key]) for row in table
            for key in ("acknowledge_by", "respond_by") if row[key]]


@settings(max_examples=150, deadline=None)
@given(policy=policy_names, received=received_days)
def test_every_deadline_is_a_working_day_after_receipt(policy: str, received: date) -> None:
    nation = POLICIES[policy].nation
    deadlines = _all_deadlines(policy, received)
    assert deadlines
    for deadline in deadlines:
        assert is_working_day(deadline, nation)
        assert deadline > received  # never before receipt, never on day 0 itself
    # Each stage's response follows its acknowledgement; each stage follows the one before.
    assert deadlines == sorted(deadlines)


@settings(max_examples=150, deadline=None)
@given(policy=policy_names, first=received_days, days_later=st.integers(0, 40))
def test_deadlines_are_monotonic_in_the_receipt_date(policy: str, first: date,
                                                     days_later: int) -> None:
    later = date.fromordinal(first.toordinal() + days_later)
    for earlier_deadline, later_deadline in zip(_all_deadlines(policy, first),
                                                _all_deadlines(policy, later), strict=True):
        assert earlier_deadline <= later_deadline


def test_after_hours_cut_off_moves_day_zero(tmp_path: Path) -> None:
    own = tmp_path / "cutoff.toml"
    own.write_text(CODE_2024.read_text().replace('# after_hours_cutoff = "17:00"',
                                                 'after_hours_cutoff = "17:00"'))
    policy = load_policy(str(own))
    # 16:59 and 17:00 UK time on Wednesday 2 December 2026 (GMT, so UTC is the same).
    assert receipt_day(datetime(2026, 12, 2, 16, 59, tzinfo=UTC), policy) == date(2026, 12, 2)
    assert receipt_day(datetime(2026, 12, 2, 17, 0, tzinfo=UTC), policy) == date(2026, 12, 3)
    # British Summer Time: 16:30 UTC is 17:30 in London.
    assert receipt_day(datetime(2026, 6, 3, 16, 30, tzinfo=UTC), policy) == date(2026, 6, 4)
    # Friday evening and Saturday both count from Monday; Christmas Eve evening from the 29th.
    assert receipt_day(datetime(2026, 12, 4, 18, 0, tzinfo=UTC), policy) == date(2026, 12, 7)
    assert receipt_day(datetime(2026, 12, 5, 9, 0, tzinfo=UTC), policy) == date(2026, 12, 7)
    assert receipt_day(datetime(2026, 12, 24, 17, 30, tzinfo=UTC), policy) == date(2026, 12, 29)
    # Without a cut-off (the shipped policies) the calendar day of arrival is day 0.
    evening = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    assert receipt_day(evening, POLICIES["code-2024"]) == date(2026, 12, 4)
    # Just after midnight in London is still the previous UTC day in summer.
    assert receipt_day(datetime(2026, 6, 2, 23, 30, tzinfo=UTC),
                       POLICIES["code-2024"]) == date(2026, 6, 3)


@settings(max_examples=150, deadline=None)
@given(moment=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31),
                           timezones=st.just(UTC)))
def test_with_a_cut_off_day_zero_is_a_working_day_on_or_after_arrival(moment: datetime
                                                                     ) -> None:
    policy = load_policy("code-2024").model_copy(update={"after_hours_cutoff": time(17, 0)})
    day = receipt_day(moment, policy)
    local = moment.astimezone(LANDLORD_TIMEZONE)
    assert is_working_day(day, policy.nation)
    assert day >= local.date()
    if is_working_day(local.date(), policy.nation) and local.time() < time(17, 0):
        assert day == local.date()
    else:
        assert day > local.date()
