"""A hazard's clocks under its policy: when each step is due, whether it was met, time left.

Two kinds, as the policy file gives them: clocks in hours run in elapsed time (24 hours after
mail arrived at 11:30 on a Saturday is 11:30 on Sunday; across the last Sunday of October,
when the clocks go back, 24 hours after 12:00 BST on the Saturday is 11:00 GMT on the Sunday);
clocks in working days count Monday to Friday less the nation's bank holidays from the day
the clock starts (day 0), and are due by the end of their last day, landlord's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from workflow.calendar import add_working_days, working_days_between
from workflow.hazard_lifecycle import HazardState
from workflow.hazard_policy import ClockRule, HazardPolicy


@dataclass(frozen=True)
class Clock:
    """One step's deadline for one hazard. `due_at` is the instant it falls due (for a
    working-day clock, the end of `due_on` in the landlord's time zone); instants in UTC."""

    step: str
    unit: str                       # "hours" or "working_days"
    length: int
    started_at: datetime
    due_at: datetime
    due_on: date | None             # working-day clocks: the last working day
    met_at: datetime | None

    @property
    def met(self) -> bool:
        return self.met_at is not None

    @property
    def on_time(self) -> bool | None:
        return None if self.met_at is None else self.met_at <= self.due_at

    def overdue(self, now: datetime) -> bool:
        return self.met_at is None and now > self.due_at

    def hours_left(self, now: datetime) -> float:
        return (self.due_at - now).total_seconds() / 3600

    def as_dict(self, now: datetime, zone) -> dict[str, object]:
        return {"step": self.step, "unit": self.unit, "length": self.length,
                "started_at": self.started_at.astimezone(zone).isoformat(timespec="minutes"),
                "due_at": self.due_at.astimezone(zone).isoformat(timespec="minutes"),
                "due_on": self.due_on.isoformat() if self.due_on else None,
                "met_at": (self.met_at.astimezone(zone).isoformat(timespec="minutes")
                           if self.met_at else None),
                "on_time": self.on_time, "overdue": self.overdue(now)}


def end_of_day(day: date, policy: HazardPolicy) -> datetime:
    """The first instant after `day` in the policy's time zone (a day's deadline ends then)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=policy.zone).astimezone(UTC)


def due(rule: ClockRule, started_at: datetime, policy: HazardPolicy
        ) -> tuple[datetime, date | None]:
    """When a clock started at `started_at` falls due: elapsed hours, or working days."""
    if rule.hours is not None:
        # Arithmetic in UTC: Python adds to an aware datetime on its wall clock, which jumps
        # an hour twice a year; the law's 24 hours are elapsed ones.
        due_utc = started_at.astimezone(UTC) + timedelta(hours=rule.hours)
        return due_utc, None
    assert rule.working_days is not None
    day = started_at.astimezone(policy.zone).date()
    last = add_working_days(day, rule.working_days, policy.nation)
    return end_of_day(last, policy), last


def clocks(state: HazardState, policy: HazardPolicy) -> list[Clock]:
    """The hazard's clocks that apply now: those of its severity in force on the day the
    landlord became aware, whose start has happened (a clock counted from the investigation
    starts when it ends), skipping steps the investigation made moot (nothing found)."""
    aware_day = state.aware_at.astimezone(policy.zone).date()
    if policy.phase_for(state.type, state.severity, aware_day) is None:
        return []
    times = state.event_times()
    found: list[Clock] = []
    for rule in policy.clock_rules(state.severity):
        started = state.aware_at if rule.start == "aware" else state.investigated_at
        if started is None or (rule.needs_found and state.found is False):
            continue
        due_at, due_on = due(rule, started, policy)
        met = [times[kind] for kind in rule.met_by if times.get(kind) is not None]
        unit = "hours" if rule.hours is not None else "working_days"
        # Kept in UTC: Python compares and subtracts datetimes sharing one zone on their wall
        # clocks, which is wrong in the hour the clocks go back.
        met_at = min(m.astimezone(UTC) for m in met if m is not None) if met else None
        found.append(Clock(rule.step, unit, rule.hours or rule.working_days or 0,
                           started.astimezone(UTC), due_at, due_on, met_at))
    return found


def next_clock(state: HazardState, policy: HazardPolicy) -> Clock | None:
    """The unmet clock falling due first (None: nothing running)."""
    running = [clock for clock in clocks(state, policy) if not clock.met]
    return min(running, key=lambda clock: clock.due_at) if running else None


def time_left(clock: Clock, now: datetime, policy: HazardPolicy) -> tuple[int, str]:
    """(amount, unit) for the lane and `triage hazards`: whole hours for an hours clock
    (negative once overdue, rounded towards overdue), working days for the rest (0 on the
    last day, negative working days past it)."""
    if clock.unit == "hours":
        seconds = (clock.due_at - now).total_seconds()
        return int(seconds // 3600), "hours"
    assert clock.due_on is not None
    today = now.astimezone(policy.zone).date()
    return working_days_between(today, clock.due_on, policy.nation), "working days"
