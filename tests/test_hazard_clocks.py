"""Awaab's Law clocks, every one worked by hand: emergency clocks in elapsed hours across
nights, a weekend, Christmas and both changes between GMT and BST; significant ones in
working days across a weekend, a bank holiday, Christmas and the last Sundays of October and
March (England's bank holidays, 2026: 3 and 6 April, 4 and 25 May, 25 and 28 December)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow import hazard_lifecycle as life
from workflow.hazard_clocks import clocks, next_clock, time_left
from workflow.hazard_policy import load_hazard_policy
from workflow.policy import PolicyError

LONDON = ZoneInfo("Europe/London")
LAW = load_hazard_policy("awaabs-law")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def reported(hazard: str, severity: str, aware: datetime) -> life.HazardState:
    return life.report(hazard, severity, aware, evidence="")[0]


def clock(state: life.HazardState, step: str):
    return next(c for c in clocks(state, LAW) if c.step == step)


@pytest.mark.parametrize(("aware", "due_local"), [
    # Friday evening: due Saturday evening, the weekend counts.
    (local(2026, 11, 13, 17, 45), local(2026, 11, 14, 17, 45)),
    # Christmas Eve: due on Christmas Day, a bank holiday counts.
    (local(2026, 12, 24, 16, 0), local(2026, 12, 25, 16, 0)),
    # Saturday noon BST before the clocks go back at 02:00 BST on Sunday 25 October:
    # 24 elapsed hours end at 11:00 GMT, not 12:00.
    (local(2026, 10, 24, 12, 0), local(2026, 10, 25, 11, 0)),
    # Saturday noon GMT before the clocks go forward at 01:00 GMT on Sunday 29 March:
    # 24 elapsed hours end at 13:00 BST.
    (local(2026, 3, 28, 12, 0), local(2026, 3, 29, 13, 0)),
    # A night: 23:10 on Monday is due 23:10 on Tuesday.
    (local(2026, 6, 1, 23, 10), local(2026, 6, 2, 23, 10)),
])
def test_emergency_clocks_run_in_elapsed_hours(aware: datetime, due_local: datetime) -> None:
    state = reported("gas", "emergency", aware)
    investigate = clock(state, "investigate")
    assert investigate.unit == "hours"
    assert investigate.due_at == due_local
    assert investigate.due_at.astimezone(LONDON).hour == due_local.hour
    assert investigate.due_at - aware.astimezone(UTC) == timedelta(hours=24)
    # Making safe runs from the same moment, once the hazard is known to be there.
    assert clock(state, "make_safe").due_at == due_local


def test_the_clocks_going_back_show_eleven_not_twelve() -> None:
    due = clock(reported("electrical", "emergency", local(2026, 10, 24, 12, 0)),
                "investigate").due_at
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 11, 0, tzinfo=UTC)
    assert due.astimezone(LONDON).isoformat() == "2026-10-25T11:00:00+00:00"


@pytest.mark.parametrize(("aware", "due_on"), [
    # Wednesday: Thu 1, Fri 2, (weekend), Mon 3 ... Wed 25 November is day 10.
    (local(2026, 11, 11, 9, 0), date(2026, 11, 25)),
    # Thursday before the spring bank holiday (Mon 25 May): Fri 22 is 1, Tue 26 is 2, ...
    # Fri 5 June is 10.
    (local(2026, 5, 21, 14, 0), date(2026, 6, 5)),
    # Friday 18 December: Mon 21 .. Thu 24 are 1-4; 25 and 28 December are bank holidays;
    # Tue 29 .. Thu 31 are 5-7; 1 January is one; Mon 4 .. Wed 6 January are 8-10.
    (local(2026, 12, 18, 10, 0), date(2027, 1, 6)),
    # Half past midnight BST on Tuesday 20 October is Monday 23:30 UTC: day 0 is the
    # landlord's Tuesday. Across the last Sunday of October: Wed 21 .. Fri 23 (1-3), Mon 26 ..
    # Fri 30 (4-8), Mon 2, Tue 3 November (9, 10).
    (local(2026, 10, 20, 0, 30), date(2026, 11, 3)),
    # Friday 27 March, across the last Sunday of March and Easter (3 and 6 April):
    # Mon 30, Tue 31, Wed 1, Thu 2 (1-4), Tue 7 .. Fri 10 (5-8), Mon 13, Tue 14 (9, 10).
    (local(2026, 3, 27, 16, 0), date(2026, 4, 14)),
    # Saturday: day 0 is the Saturday; Mon 16 .. Fri 20, Mon 23 .. Fri 27 November.
    (local(2026, 11, 14, 11, 0), date(2026, 11, 27)),
])
def test_significant_investigation_in_working_days(aware: datetime, due_on: date) -> None:
    investigate = clock(reported("damp_mould", "significant", aware), "investigate")
    assert investigate.unit == "working_days"
    assert investigate.due_on == due_on
    # Due by the end of the day, the landlord's time.
    assert investigate.due_at == datetime.combine(due_on + timedelta(days=1),
                                                  datetime.min.time(), tzinfo=LONDON)


def test_end_of_day_across_summer_time() -> None:
    investigate = clock(reported("damp_mould", "significant", local(2026, 3, 27, 16, 0)),
                        "investigate")
    assert investigate.due_at.astimezone(UTC) == datetime(2026, 4, 14, 23, 0, tzinfo=UTC)


def test_clocks_after_the_investigation_at_christmas() -> None:
    state = reported("damp_mould", "significant", local(2026, 12, 14, 9, 0))
    assert [c.step for c in clocks(state, LAW)] == ["investigate"]
    state, _ = life.investigate(state, local(2026, 12, 23, 10, 0), "Sam Ortiz", True)
    steps = {c.step: c for c in clocks(state, LAW)}
    # Summary in 3 working days: Thu 24 (1), Tue 29 (2), Wed 30 December (3).
    assert steps["summary"].due_on == date(2026, 12, 30)
    # Safety work and preventative work in 5: then Thu 31 (4), Mon 4 January (5).
    assert steps["make_safe"].due_on == date(2027, 1, 4)
    assert steps["preventative_work"].due_on == date(2027, 1, 4)
    assert steps["investigate"].met and steps["investigate"].on_time


def test_nothing_found_leaves_only_the_summary() -> None:
    state = reported("damp_mould", "significant", local(2026, 11, 2, 9, 0))
    state, _ = life.investigate(state, local(2026, 11, 3, 9, 0), "Sam Ortiz", False)
    assert [c.step for c in clocks(state, LAW) if not c.met] == ["summary"]


def test_a_late_investigation_is_recorded_late() -> None:
    state = reported("gas", "emergency", local(2026, 11, 13, 17, 45))
    state, _ = life.investigate(state, local(2026, 11, 14, 18, 0), "Sam Ortiz", True)
    assert clock(state, "investigate").on_time is False


@pytest.mark.parametrize(("hazard", "severity", "aware", "runs"), [
    ("damp_mould", "significant", local(2025, 10, 27, 9, 0), True),    # phase 1 day one
    ("damp_mould", "significant", local(2025, 10, 26, 9, 0), False),   # before the law
    ("gas", "emergency", local(2025, 10, 27, 9, 0), True),             # every emergency
    ("no_heating", "significant", local(2026, 10, 26, 9, 0), False),   # phase 2 not yet
    ("no_heating", "significant", local(2026, 10, 27, 9, 0), True),    # phase 2
    ("falls", "significant", local(2026, 11, 2, 9, 0), True),
    ("asbestos", "significant", local(2026, 11, 2, 9, 0), False),      # phase 3, undated
])
def test_phases(hazard: str, severity: str, aware: datetime, runs: bool) -> None:
    assert bool(clocks(reported(hazard, severity, aware), LAW)) is runs


def test_time_left_in_hours_and_working_days() -> None:
    emergency = reported("gas", "emergency", local(2026, 11, 13, 17, 45))
    due = next_clock(emergency, LAW)
    assert due is not None
    assert time_left(due, local(2026, 11, 14, 12, 15), LAW) == (5, "hours")
    assert time_left(due, local(2026, 11, 14, 18, 15), LAW) == (-1, "hours")
    assert due.overdue(local(2026, 11, 14, 18, 15))
    significant = next_clock(reported("damp_mould", "significant", local(2026, 11, 11, 9)),
                             LAW)
    assert significant is not None
    # Friday 20 November to Wednesday 25: Mon, Tue, Wed.
    assert time_left(significant, local(2026, 11, 20, 16, 0), LAW) == (3, "working days")
    assert time_left(significant, local(2026, 11, 25, 23, 0), LAW) == (0, "working days")
    assert time_left(significant, local(2026, 11, 26, 9, 0), LAW) == (-1, "working days")
    assert significant.overdue(local(2026, 11, 26, 0, 1))
    assert not significant.overdue(local(2026, 11, 25, 23, 59))


@settings(max_examples=200, deadline=None)  # timings vary on a shared machine
@given(st.datetimes(min_value=datetime(2025, 11, 1), max_value=datetime(2030, 1, 1),
                    timezones=st.just(LONDON)))
def test_emergency_clock_is_always_24_elapsed_hours(aware: datetime) -> None:
    due = clock(reported("structural", "emergency", aware), "investigate").due_at
    assert (due.astimezone(UTC) - aware.astimezone(UTC)) == timedelta(hours=24)


def test_a_stricter_landlord_standard_is_another_file(tmp_path) -> None:
    text = (LAW_FILE.read_text().replace('id = "awaabs-law"', 'id = "northbrook-hazards"')
            .replace("hours = 24\nmet_by = [\"investigated\"]",
                     "hours = 12\nmet_by = [\"investigated\"]")
            .replace("working_days = 10", "working_days = 5"))
    own = tmp_path / "ours.toml"
    own.write_text(text)
    ours = load_hazard_policy(str(own))
    state = reported("gas", "emergency", local(2026, 11, 13, 17, 45))
    assert next(c for c in clocks(state, ours) if c.step == "investigate").due_at == local(
        2026, 11, 14, 5, 45)
    damp = reported("damp_mould", "significant", local(2026, 11, 11, 9, 0))
    assert next(c for c in clocks(damp, ours)).due_on == date(2026, 11, 18)


def test_a_bad_hazard_policy_is_refused_with_the_field(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(LAW_FILE.read_text().replace("hours = 24", "hours = 24\nworking_days = 1",
                                                1))
    with pytest.raises(PolicyError, match="exactly one"):
        load_hazard_policy(str(bad))
    bad.write_text(LAW_FILE.read_text().replace('"pests_hygiene", "water_leak"]',
                                                '"pests_hygiene", "radon"]'))
    with pytest.raises(PolicyError, match="radon"):
        load_hazard_policy(str(bad))


from pathlib import Path  # noqa: E402

LAW_FILE = Path(__file__).parents[1] / "workflow" / "policies" / "awaabs-law.toml"


def test_hazard_figures_counted_by_hand() -> None:
    from workflow.hazard_reporting import hazard_figures

    now = local(2026, 12, 1, 12, 0)
    # Emergency gas, investigated after 20 hours (on time) and made safe after 30 (late).
    gas = reported("gas", "emergency", local(2026, 11, 2, 9, 0))
    gas = life.investigate(gas, local(2026, 11, 3, 5, 0), "Sam", True)[0]
    gas = life.make_safe(gas, local(2026, 11, 3, 15, 0), "Sam")[0]
    # Significant damp: aware Mon 2 Nov, investigation due Mon 16 Nov, never done: overdue.
    damp = reported("damp_mould", "significant", local(2026, 11, 2, 9, 0))
    # Significant damp: investigated Thu 26 Nov (on time, due Thu 10 Dec); its summary
    # (due Tue 1 Dec) sent Mon 30 Nov; make-safe and preventative clocks still running.
    damp2 = reported("damp_mould", "significant", local(2026, 11, 26, 9, 0))
    damp2 = life.investigate(damp2, local(2026, 11, 26, 15, 0), "Sam", True)[0]
    damp2 = life.send_summary(damp2, local(2026, 11, 30, 10, 0))[0]
    # Last year's hazard: not counted.
    old = reported("damp_mould", "significant", local(2026, 3, 2, 9, 0))
    figures = hazard_figures([gas, damp, damp2, old], LAW, (date(2026, 4, 1), date(2027, 3, 31)),
                             now)
    assert figures["received"] == 3 and figures["open"] == 3
    assert figures["by_type_and_severity"] == [
        {"type": "damp_mould", "emergency": 0, "significant": 2},
        {"type": "gas", "emergency": 1, "significant": 0}]
    rows = {(r["severity"], r["step"]): r for r in figures["timeliness"]}
    assert rows[("emergency", "investigate")]["on_time_percent"] == 100.0
    assert (rows[("emergency", "make_safe")]["late"],
            rows[("emergency", "make_safe")]["on_time_percent"]) == (1, 0.0)
    investigate = rows[("significant", "investigate")]
    assert (investigate["on_time"], investigate["overdue"], investigate["decided"],
            investigate["on_time_percent"]) == (1, 1, 2, 50.0)
    assert rows[("significant", "summary")]["on_time_percent"] == 100.0
    assert rows[("significant", "make_safe")]["running"] == 1
    assert rows[("significant", "make_safe")]["on_time_percent"] is None
