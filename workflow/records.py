"""What an item that opens no case becomes: plain records, decided under the policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.drafts import HAZARD_TEXT
from workflow.policy import Policy

# Awaab's Law (from 27 October 2025): the investigation deadline a reported hazard starts.
EMERGENCY_HAZARDS = ("gas", "electrical", "fire_safety", "structural", "water_leak",
                     "no_heating")
# Significant hazards: investigated within 10 working days.
SIGNIFICANT_HAZARDS = ("damp_mould", "falls", "asbestos", "pests_hygiene")


@dataclass(frozen=True)
class Record:
    """An intake record: its kind, status and what an officer or the resident needs to know."""

    kind: str  # service_request | compliment | proposed_exclusion | archived
    status: str
    detail: dict[str, Any] = field(default_factory=dict)


def record_service_request(policy: Policy, received: date, hazard: str | None) -> Record:
    """A first report of a fault: recorded, with the resident's next step and right to
    complain (a complaint raised later runs alongside the request, which carries on)."""
    if hazard in EMERGENCY_HAZARDS:
        next_step = (f"you report a {HAZARD_TEXT.get(hazard, hazard)} hazard: we will "
                     "investigate it and make it safe within 24 hours. If you are in danger "
                     "now, call the emergency services.")
    elif hazard in SIGNIFICANT_HAZARDS:
        next_step = (f"we will investigate the {HAZARD_TEXT.get(hazard, hazard)} you report "
                     "within 10 working days and tell you in writing what we found and what "
                     "we will do.")
    else:
        next_step = ("our repairs team will contact you to arrange the work. Please tell us "
                     "if anything changes or the problem gets worse.")
    right_to_complain = (
        "If you are unhappy with how we deal with this request, you can make a complaint "
        f"under our complaints procedure ({policy.name}): reply saying so and we will log it, "
        "while the request itself carries on.")
    return Record("service_request", "open", {
        "next_step": next_step, "right_to_complain": right_to_complain, "hazard": hazard,
        "received": received.isoformat()})


def record_compliment(policy: Policy, staff: list[str]) -> Record:
    """A compliment, recorded against the staff it names (or the team when it names none)."""
    if not policy.records_compliments:
        raise ValueError(f"{policy.id} does not record compliments")
    named = sorted(dict.fromkeys(s.strip() for s in staff if s.strip()))
    return Record("compliment", "recorded", {"staff": named, "team_only": not named})


def record_proposed_exclusion(policy: Policy, reason: str | None, reasons: list[str]) -> Record:
    """An exclusion the rules propose: it waits for an officer, never refused automatically."""
    allowed = reason in policy.exclusions
    return Record("proposed_exclusion", "awaiting_officer", {
        "proposed_reason": reason, "allowed_by_policy": allowed, "rule_reasons": reasons})


def record_archived(reasons: list[str]) -> Record:
    """Mail that needs nothing (automatic, misdirected, or an unrecorded compliment)."""
    return Record("archived", "archived", {"reasons": reasons})
