"""Officers' changes to cases and exclusions: one transaction each, through the pure lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from models.casework import (
    allocate_reference,
    apply_transition,
    create_case,
    draft_for_case,
    find_case,
    state_of,
)
from models.db import session_scope
from models.tables import Case, Classification, IntakeRecord, Item, ItemStatus, ReviewDecision
from workflow import lifecycle
from workflow.drafts import refusal_reason_text
from workflow.lifecycle import CaseChange, CaseState, RefusedTransition
from workflow.policy import BUILT_IN, Policy, PolicyError, load_policy
from workflow.staging import LANDLORD_TIMEZONE, receipt_day

Transition = Callable[[CaseState, Policy], tuple[CaseState, CaseChange]]


class CaseworkError(ValueError):
    """No such case or item, or it is not in a state for this; the message says which."""


def landlord_today() -> date:
    return datetime.now(LANDLORD_TIMEZONE).date()


def policy_for(settings: Settings, policy_id: str) -> Policy:
    """The policy a case was opened under: the configured one, or a built-in by its id."""
    configured = load_policy(settings.policy)
    if configured.id == policy_id:
        return configured
    if policy_id in BUILT_IN:
        return load_policy(policy_id)
    raise PolicyError(f"cases under policy {policy_id!r} need TRIAGE_POLICY to point at that "
                      f"policy's file (it is {settings.policy!r}, id {configured.id!r})")


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
    day = on or landlord_today()
    return change_case(settings, ref, lambda s, p: lifecycle.acknowledge(s, p, day), by=by)


def assign(settings: Settings, ref: str, officer: str) -> dict[str, Any]:
    return change_case(settings, ref, lambda s, p: lifecycle.assign(s, p, officer), by=officer)


def extend(settings: Settings, ref: str, days: int, reason: str, on: date | None,
           by: str | None) -> dict[str, Any]:
    day = on or landlord_today()
    return change_case(settings, ref, lambda s, p: lifecycle.extend(s, p, days, reason, day),
                       by=by, draft="extension", reason=reason)


def escalate(settings: Settings, ref: str, on: date | None, officer: str | None
             ) -> dict[str, Any]:
    day = on or landlord_today()
    return change_case(settings, ref,
                       lambda s, p: lifecycle.escalate(s, p, day, officer=officer),
                       by=officer, draft="stage_acknowledgement")


def close(settings: Settings, ref: str, outcome: str, remedy: str | None, on: date | None,
          by: str | None) -> dict[str, Any]:
    day = on or landlord_today()
    return change_case(settings, ref,
                       lambda s, p: lifecycle.close_case(s, p, day, outcome, remedy), by=by)


def refuse(settings: Settings, ref: str, reason: str, officer: str, note: str | None,
           on: date | None) -> dict[str, Any]:
    day = on or landlord_today()
    with session_scope(settings.resolved_database_url) as session:
        case = _case(session, ref)
        policy = policy_for(settings, case.policy)
        new, change = lifecycle.refuse(state_of(case), policy, reason, officer, day, note)
        apply_transition(session, case, new, change, by=officer)
        draft_for_case(session, case, policy, "refusal", note=note,
                       reason_text=refusal_reason_text(policy, reason))
        return case_view(case)


def _proposed_item(session: Session, item_id: int) -> tuple[Item, Classification]:
    item = session.get(Item, item_id)
    if item is None:
        raise CaseworkError(f"no item {item_id}")
    label = item.classification
    if item.status != ItemStatus.NEEDS_REVIEW or label is None or label.category != "excluded":
        raise CaseworkError(f"item {item_id} is not a proposed exclusion awaiting an officer "
                            f"(status {item.status}, category "
                            f"{label.category if label else 'none'})")
    return item, label


def confirm_exclusion(settings: Settings, item_id: int, officer: str, reason: str | None,
                      note: str | None, on: date | None = None) -> dict[str, Any]:
    """An officer confirms a proposed exclusion: the complaint is logged as refused, with the
    reason, and a refusal letter giving the right to go to the Housing Ombudsman is drafted."""
    with session_scope(settings.resolved_database_url) as session:
        item, label = _proposed_item(session, item_id)
        policy = policy_for(settings, label.policy)
        chosen = reason or label.excluded_reason or ""
        lifecycle.check_refusal(policy, chosen, officer)
        received = receipt_day(item.received_at, policy) if item.received_at else (
            on or landlord_today())
        state, opened = lifecycle.open_case(policy, allocate_reference(session, received.year),
                                            received)
        fields = item.fields
        case = create_case(session, state, opened, received_at=item.received_at or
                           datetime.now(LANDLORD_TIMEZONE), item=item,
                           name=fields.name if fields else None,
                           postcode=fields.postcode if fields else None, hazard=label.hazard)
        refused, change = lifecycle.refuse(state, policy, chosen, officer, on or landlord_today(),
                                           note)
        change = CaseChange(change.kind, change.stage,
                            {**change.detail, "proposed_reason": label.excluded_reason})
        apply_transition(session, case, refused, change, item.id, by=officer)
        draft_for_case(session, case, policy, "refusal", note=note,
                       reason_text=refusal_reason_text(policy, chosen))
        _decide(session, item, officer, "confirm_exclusion", "excluded", chosen, note, case)
        return case_view(case)


def reject_exclusion(settings: Settings, item_id: int, officer: str, note: str | None
                     ) -> dict[str, Any]:
    """An officer finds a proposed exclusion is a complaint after all: it opens a case."""
    with session_scope(settings.resolved_database_url) as session:
        item, label = _proposed_item(session, item_id)
        policy = policy_for(settings, label.policy)
        received = receipt_day(item.received_at, policy) if item.received_at else landlord_today()
        state, opened = lifecycle.open_case(policy, allocate_reference(session, received.year),
                                            received)
        fields = item.fields
        case = create_case(session, state, opened, received_at=item.received_at or
                           datetime.now(LANDLORD_TIMEZONE), item=item,
                           name=fields.name if fields else None,
                           postcode=fields.postcode if fields else None, hazard=label.hazard)
        draft_for_case(session, case, policy, "acknowledgement")
        _decide(session, item, officer, "reject_exclusion", "complaint", None, note, case)
        return case_view(case)


def _decide(session: Session, item: Item, officer: str, action: str, category: str,
            reason: str | None, note: str | None, case: Case) -> None:
    session.add(ReviewDecision(item_id=item.id, officer=officer, action=action,
                               category=category, excluded_reason=reason, note=note))
    item.status = ItemStatus.STAGED
    record = session.scalar(select(IntakeRecord).where(IntakeRecord.item_id == item.id))
    if record is not None:
        record.status = "confirmed" if action == "confirm_exclusion" else "rejected"
        record.case_id = case.id
        record.detail = {**record.detail, "decided_by": officer, "decision": action}


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


__all__ = ["CaseworkError", "PolicyError", "RefusedTransition"]
