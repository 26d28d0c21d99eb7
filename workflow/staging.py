"""Stage a complaint under a policy: its stage, handler and working-day deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from workflow.calendar import is_working_day, next_working_day
from workflow.policy import Policy

LANDLORD_TIMEZONE = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class CaseDraft:
    """A case's stage and deadlines, before it has a reference or a row."""

    policy: str
    stage: int
    handler: str
    started: date
    acknowledge_by: date | None
    respond_by: date


def received_day(received_at: datetime) -> date:
    """The landlord's calendar day on which an item arrived (UK local time, not UTC)."""
    return received_at.astimezone(LANDLORD_TIMEZONE).date()


def receipt_day(received_at: datetime, policy: Policy) -> date:
    """Day 0 of a complaint's deadlines under the policy's after-hours cut-off, if it has one.

    With a cut-off, mail that arrives at or after it, or on a weekend or bank holiday, counts
    as received on the next working day; without one, the UK calendar day of arrival is day 0.
    """
    local = received_at.astimezone(LANDLORD_TIMEZONE)
    day = local.date()
    cutoff = policy.after_hours_cutoff
    if cutoff is None:
        return day
    if not is_working_day(day, policy.nation) or local.time() >= cutoff:
        return next_working_day(day, policy.nation)
    return day


def stage_case(policy: Policy, stage: int, started: date,
               received: date | None = None) -> CaseDraft:
    """Deadlines for a case entering `stage` on `started` (receipt, or the resident's request)."""
    acknowledge_by, respond_by = policy.stage_deadlines(stage, started, received)
    return CaseDraft(
        policy=policy.id,
        stage=stage,
        handler=policy.stage(stage).handler,
        started=started,
        acknowledge_by=acknowledge_by,
        respond_by=respond_by,
    )


def case_reference(year: int, sequence: int) -> str:
    return f"CMP-{year}-{sequence:05d}"
