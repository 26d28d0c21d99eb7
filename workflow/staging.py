"""Stage a complaint under a policy: its stage, handler and working-day deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

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


def stage_case(policy: Policy, stage: int, started: date) -> CaseDraft:
    """Deadlines for a case entering `stage` on `started` (receipt, or the resident's request)."""
    acknowledge_by, respond_by = policy.stage_deadlines(stage, started)
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
