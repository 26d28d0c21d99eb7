"""The year's hazard figures, over plain hazard states and the hazard policy: hazards
received by type and severity, and for each clock (investigation within 24 hours or 10
working days, the written summary, making safe, preventative work) how many were done on
time out of those whose outcome is known (done, or past due)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from workflow.hazard_clocks import clocks
from workflow.hazard_lifecycle import HazardState
from workflow.hazard_policy import HazardPolicy

STEPS = ("investigate", "summary", "make_safe", "preventative_work")


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def hazard_figures(states: list[HazardState], policy: HazardPolicy, period: tuple[date, date],
                   now: datetime) -> dict[str, Any]:
    """Figures for hazards the landlord became aware of within `period` (inclusive)."""
    zone = policy.zone
    chosen = [s for s in states
              if period[0] <= s.aware_at.astimezone(zone).date() <= period[1]]
    by_type: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    timeliness: dict[tuple[str, str], Counter[str]] = {}
    for state in chosen:
        by_type[state.type] += 1
        by_severity[state.severity] += 1
        for clock in clocks(state, policy):
            tally = timeliness.setdefault((state.severity, clock.step), Counter())
            if clock.met:
                tally["done"] += 1
                tally["on_time"] += bool(clock.on_time)
            elif clock.overdue(now):
                tally["overdue"] += 1
            else:
                tally["running"] += 1
    rows = []
    for severity in ("emergency", "significant"):
        for step in STEPS:
            tally = timeliness.get((severity, step))
            if tally is None:
                continue
            decided = tally["done"] + tally["overdue"]
            rule = next(c for c in policy.clock_rules(severity) if c.step == step)
            rows.append({"severity": severity, "step": step,
                         "limit": (f"{rule.hours} hours" if rule.hours is not None
                                   else f"{rule.working_days} working days"),
                         "decided": decided, "on_time": tally["on_time"],
                         "late": tally["done"] - tally["on_time"], "overdue": tally["overdue"],
                         "running": tally["running"],
                         "on_time_percent": _percent(tally["on_time"], decided)})
    return {"policy": policy.id, "from": period[0].isoformat(), "to": period[1].isoformat(),
            "received": len(chosen), "by_type": dict(sorted(by_type.items())),
            "by_severity": dict(sorted(by_severity.items())),
            "by_type_and_severity": _by_type_and_severity(chosen),
            "open": sum(s.status == "open" for s in chosen), "timeliness": rows}


def _by_type_and_severity(states: list[HazardState]) -> list[dict[str, Any]]:
    table: dict[str, Counter[str]] = {}
    for state in states:
        table.setdefault(state.type, Counter())[state.severity] += 1
    return [{"type": kind, "emergency": counts["emergency"],
             "significant": counts["significant"]} for kind, counts in sorted(table.items())]
