"""Officers' changes to cases: one transaction each, through the pure lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.settings import Settings
from models.casework import (
    apply_transition,
    draft_for_case,
    find_case,
    state_of,
)
from models.db import session_scope
from models.tables import Case
from workflow import lifecycle
from workflow.drafts import refusal_reason_text
from workflow.lifecycle import CaseChange, CaseState
from workflow.officer_review import DecisionError
from workflow.policy import BUILT_IN, Policy, PolicyError, load_policy
from workflow.staging import LANDLORD_TIMEZONE

Transition = Callable[[CaseState, Policy], tuple[CaseState, CaseChange]]


# No such case or item, or it is not in a state for this: one error for every officer action,
# whichever page or command asked (the message tells the officer why).
CaseworkError = DecisionError


class PolicyNotConfigured(PolicyError, DecisionError):
    """The case or item is under a policy this installation is not set up with."""


def landlord_today() -> date:
    """Today in the landlord's time zone: the one clock every officer action uses."""
    return datetime.now(LANDLORD_TIMEZONE).date()


def happened_on(day: date | None, doing: str) -> date:
    """The day something already happened: today unless given, and never a future day (an
    acknowledgement dated next June would silently move a deadline)."""
    today = landlord_today()
    if day is None:
        return today
    if day > today:
        raise CaseworkError(f"cannot {doing} on {day.isoformat()}: that is after today "
                            f"({today.isoformat()}, UK time); give the day it happened")
    return day


def policy_for(settings: Settings, policy_id: str) -> Policy:
    """The policy a case or item was handled under: the configured one, or a built-in."""
    configured = load_policy(settings.policy)
    if configured.id == policy_id:
        return configured
    if policy_id in BUILT_IN:
        return load_policy(policy_id)
    raise PolicyNotConfigured(
        f"cases under policy {policy_id!r} need TRIAGE_POLICY to point at that policy's file "
        f"(it is {settings.policy!r}, id {configured.id!r})")


def _case(session: Session, ref: str) -> Case:
    case = find_case(session, ref)
    if case is None:
        raise CaseworkError(f"no case {ref}")
    return case


def change_case(settings: Settings, ref: str, transition: Transition, *, by: str | None = None,
                draft: str | None = None, **draft_extra: Any) -> dict[str, Any]:
    """Apply one lifecycle transition to a stored case, log it, and draft its letter if any."""
    with session_scope(settings.resolved_database_url) as session:
        case = _case(session, ref)
        policy = policy_for(settings, case.policy)
        new, change = transition(state_of(case), policy)
        apply_transition(session, case, new, change, by=by)
        if draft:
            extra = {key: change.detail.get(key, value) for key, value in draft_extra.items()}
            draft_for_case(session, case, policy, draft, **extra)
        session.flush()
        return case_view(case)


def acknowledge(settings: Settings, ref: str, on: date | None, by: str | None
                ) -> dict[str, Any]:
    day = happened_on(on, "record an acknowledgement")
    return change_case(settings, ref, lambda s, p: lifecycle.acknowledge(s, p, day), by=by)


def assign(settings: Settings, ref: str, officer: str, by: str | None = None
           ) -> dict[str, Any]:
    """Name the officer handling the case's stage (`by`: who assigned it, the officer
    themself unless given)."""
    return change_case(settings, ref, lambda s, p: lifecycle.assign(s, p, officer),
                       by=by or officer)


def extend(settings: Settings, ref: str, days: int, reason: str, on: date | None,
           by: str | None) -> dict[str, Any]:
    day = happened_on(on, "record an extension")
    return change_case(settings, ref, lambda s, p: lifecycle.extend(s, p, days, reason, day),
                       by=by, draft="extension", reason=reason)


def escalate(settings: Settings, ref: str, on: date | None, officer: str | None
             ) -> dict[str, Any]:
    day = happened_on(on, "record an escalation request")
    return change_case(settings, ref,
                       lambda s, p: lifecycle.escalate(s, p, day, officer=officer),
                       by=officer, draft="stage_acknowledgement")


def close(settings: Settings, ref: str, outcome: str, remedy: str | None, on: date | None,
          by: str | None) -> dict[str, Any]:
    day = happened_on(on, "record a response")
    return change_case(settings, ref,
                       lambda s, p: lifecycle.close_case(s, p, day, outcome, remedy), by=by)


def refuse(settings: Settings, ref: str, reason: str, officer: str, note: str | None,
           on: date | None) -> dict[str, Any]:
    day = happened_on(on, "record a refusal")
    with session_scope(settings.resolved_database_url) as session:
        case = _case(session, ref)
        policy = policy_for(settings, case.policy)
        new, change = lifecycle.refuse(state_of(case), policy, reason, officer, day, note)
        apply_transition(session, case, new, change, by=officer)
        draft_for_case(session, case, policy, "refusal", note=note,
                       reason_text=refusal_reason_text(policy, reason))
        return case_view(case)


def case_view(case: Case) -> dict[str, Any]:
    """A case with its log and drafts, for `triage case show` and after each change."""
    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    state = state_of(case)
    upcoming = lifecycle.next_deadline(state)
    return {
        "ref": case.ref, "policy": case.policy, "stage": case.stage, "status": case.status,
        "handler": case.handler, "officer": case.officer, "received": iso(state.received),
        "stage_started": iso(case.stage_started), "acknowledge_by": iso(case.acknowledge_by),
        "acknowledged_on": iso(case.acknowledged_on), "respond_by": iso(case.respond_by),
        "extension_days": case.extension_days, "responded_on": iso(case.responded_on),
        "outcome": case.outcome, "remedy": case.remedy, "refused_reason": case.refused_reason,
        "next_step": {"step": upcoming[0], "due": upcoming[1].isoformat()} if upcoming else None,
        "events": [{"at": event.at.isoformat(timespec="seconds"), "kind": event.kind,
                    "stage": event.stage, "item_id": event.item_id, "detail": event.detail}
                   for event in case.events],
        "drafts": [{"id": d.id, "kind": d.kind, "stage": d.stage, "subject": d.subject,
                    "body": d.body, "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                    "sent_to": d.sent_to} for d in case.drafts],
    }


def show(settings: Settings, ref: str) -> dict[str, Any]:
    with session_scope(settings.resolved_database_url) as session:
        return case_view(_case(session, ref))
