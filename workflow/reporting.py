"""The annual complaints performance figures, over plain records of stages, refusals and items.

Tenant Satisfaction Measures: CH01 is stage 1 and stage 2 complaints received per 1,000 homes;
CH02 the percentage of stage 1 and stage 2 responses sent within the policy's timescales, an
extension within the policy's maximum counting as on time (the lifecycle refuses any other).
The reporting year runs from 1 April. Refused complaints are reported by reason, not counted
as complaints received.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple


@dataclass(frozen=True)
class StageRecord:
    """One stage of one case: when it began and, if sent, its response."""

    ref: str
    stage: int
    started: date
    respond_by: date | None = None  # the deadline the response was measured against
    responded_on: date | None = None
    working_days: int | None = None  # from the stage's start to the response
    extension_days: int = 0


class RefusalRecord(NamedTuple):
    """A refused complaint, for the year's count of refusals by reason."""

    ref: str
    received: date
    reason: str


class ItemVolume(NamedTuple):
    """One item received, for the year's volumes by category. Automatic mail (auto-replies,
    bounces, bulk mail) is counted apart: it is no resident's correspondence."""

    received: date
    category: str
    automatic: bool = False


# What a manager reads on the chart and in the table instead of the stored words.
CATEGORY_LABELS = {"complaint": "Complaints", "service_request": "Service requests",
                   "excluded": "Excluded (refused or proposed)", "compliment": "Compliments",
                   "other": "Other correspondence"}


def plain_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Compliment:
    received: date
    staff: tuple[str, ...]  # empty: the compliment names no one (the team)


def reporting_year(year: int) -> tuple[date, date]:
    """The year from 1 April `year` to 31 March the year after, inclusive."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def _within(day: date | None, period: tuple[date, date]) -> bool:
    return day is not None and period[0] <= day <= period[1]


def _months(period: tuple[date, date], today: date | None = None) -> list[str]:
    """The year's months, up to and including today's (a month not begun has no figures)."""
    start = period[0]
    months = [(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1)
              for i in range(12)]
    if today is not None:
        months = [(y, m) for y, m in months if (y, m) <= (today.year, today.month)]
    return [f"{y}-{m:02d}" for y, m in months]


def report_title(year: int, landlord: str, homes: int | None) -> str:
    """`Northbrook Homes: complaints performance 2026/27 (1 April 2026 to 31 March 2027),
    12,000 homes`."""
    who = f"{landlord}: c" if landlord else "C"
    where = f"{homes:,} homes" if homes else "homes managed not given"
    return (f"{who}omplaints performance {year}/{(year + 1) % 100:02d} "
            f"(1 April {year} to 31 March {year + 1}), {where}")


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def build_report(year: int, stages: list[StageRecord], refusals: list[RefusalRecord],
                 items: list[ItemVolume], homes: int | None = None, policy: str = "",
                 compliments: list[Compliment] | None = None, *, today: date | None = None,
                 landlord: str = "") -> dict[str, Any]:
    """Every figure of the year's report, as plain JSON-ready data; months only up to
    `today`'s, and residents' items apart from automatic mail."""
    period = reporting_year(year)
    numbers = sorted({1, 2} | {record.stage for record in stages})
    stage_rows = []
    for number in numbers:
        of_stage = [r for r in stages if r.stage == number]
        received = sum(1 for r in of_stage if _within(r.started, period))
        responses = [r for r in of_stage if _within(r.responded_on, period)]
        on_time = [r for r in responses
                   if r.respond_by is not None and r.responded_on <= r.respond_by]
        extended_on_time = [r for r in on_time if r.extension_days]
        stage_rows.append({
            "stage": number,
            "received": received,
            "per_1000_homes": round(received * 1000 / homes, 2) if homes else None,
            "responses": len(responses),
            "on_time": len(on_time),
            "on_time_with_extension": len(extended_on_time),
            "on_time_percent": (round(100 * len(on_time) / len(responses), 1)
                                if responses else None),
            "median_working_days_to_respond": _median(
                [r.working_days for r in responses if r.working_days is not None]),
        })
    by_stage = {row["stage"]: row for row in stage_rows}
    in_year = [item for item in items if _within(item.received, period)]
    residents = [item for item in in_year if not item.automatic]
    months = _months(period, today)
    by_month = {month: Counter() for month in months}
    automatic_by_month = Counter(f"{i.received.year}-{i.received.month:02d}"
                                 for i in in_year if i.automatic)
    for item in residents:
        month = f"{item.received.year}-{item.received.month:02d}"
        if month in by_month:
            by_month[month][item.category] += 1
    categories = Counter(item.category for item in residents)
    refused = Counter(r.reason for r in refusals if _within(r.received, period))
    praised = [c for c in compliments or [] if _within(c.received, period)]
    by_staff = Counter(name for c in praised for name in c.staff)
    return {
        "year": year,
        "title": report_title(year, landlord, homes),
        "landlord": landlord,
        "policy": policy,
        "from": period[0].isoformat(),
        "to": period[1].isoformat(),
        "homes": homes,
        "ch01": {f"stage_{n}": by_stage[n]["per_1000_homes"] for n in (1, 2)},
        "ch02": {f"stage_{n}": by_stage[n]["on_time_percent"] for n in (1, 2)},
        "stages": stage_rows,
        "refused_by_reason": dict(sorted(refused.items())),
        "refused_total": sum(refused.values()),
        "volumes_by_category": dict(sorted(categories.items())),
        "volumes_by_month": [{"month": month, **dict(sorted(by_month[month].items()))}
                             for month in months],
        "automatic_mail": len(in_year) - len(residents),
        "automatic_by_month": [{"month": month, "count": automatic_by_month[month]}
                               for month in months],
        "median_working_days_to_respond": {
            f"stage_{row['stage']}": row["median_working_days_to_respond"] for row in stage_rows},
        "compliments": len(praised),
        "compliments_by_staff": dict(sorted(by_staff.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def stage_records_from_events(ref: str, events: list[tuple[str, int, dict[str, Any]]]
                               ) -> list[StageRecord]:
    """A case's stages from its event log: (kind, stage, detail) in the order recorded."""
    records: dict[int, StageRecord] = {}
    refused: dict[int, StageRecord] = {}
    for kind, stage, detail in events:
        if kind in ("opened", "escalated"):
            started = detail.get("requested") or detail.get("started")
            if started:
                records[stage] = StageRecord(ref, stage, date.fromisoformat(started))
        elif kind == "refused" and stage in records:
            refused[stage] = records.pop(stage)  # a refused complaint was never received
        elif kind == "refusal_reversed" and stage in refused:
            records[stage] = refused.pop(stage)  # ...unless the refusal was a mistake
        elif kind in ("escalation_undone", "opened_in_error"):
            records.pop(stage, None)  # a stage begun by mistake is not counted
        elif kind == "closed" and detail.get("responded") and stage in records:
            opened = records[stage]
            records[stage] = StageRecord(
                ref, stage, opened.started,
                respond_by=date.fromisoformat(detail["respond_by"]),
                responded_on=date.fromisoformat(detail["on"]),
                working_days=detail.get("working_days"),
                extension_days=int(detail.get("extension_days") or 0))
    return [records[n] for n in sorted(records)]
