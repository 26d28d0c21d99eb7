"""Reopening decisions an officer (or triage) made: re-queue an item, reverse a confirmed
exclusion, undo an escalation made by mistake. Each is one transaction and new events with
who and why; nothing is deleted from any log. The transitions are workflow/reversals.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.labels import ItemStatus
from core.settings import Settings
from models.casework import apply_transition, find_case, record_change, state_of
from models.db import session_scope
from models.tables import Case, CaseEvent, IntakeRecord, Item, ReviewDecision
from pipeline.casework.cases import CaseworkError, case_view, landlord_today
from pipeline.casework.items import Outcome
from workflow import reversals
from workflow.lifecycle import CaseChange

REOPENED = "reopened"  # the review reason of a re-queued item


def _case(session: Session, ref: str) -> Case:
    case = find_case(session, ref)
    if case is None:
        raise CaseworkError(f"no case {ref}")
    return case


def reverse_refusal(settings: Settings, ref: str, officer: str, why: str) -> dict[str, Any]:
    """A confirmed exclusion was wrong: the case is an open complaint again (any refusal
    letter not yet sent should not be sent; the page says so)."""
    with session_scope(settings.resolved_database_url) as session:
        case = _case(session, ref)
        new, change = reversals.reverse_refusal(state_of(case), officer, why, landlord_today())
        apply_transition(session, case, new, change, by=officer)
        record = session.scalar(select(IntakeRecord).where(IntakeRecord.case_id == case.id,
                                                           IntakeRecord.status == "confirmed"))
        if record is not None:
            record.status = "reversed"
            record.detail = {**record.detail, "reversed_by": officer}
        session.flush()
        return case_view(case)


def undo_escalation(settings: Settings, ref: str, officer: str, why: str) -> dict[str, Any]:
    """Back to the stage before the latest escalation, as it was then."""
    with session_scope(settings.resolved_database_url) as session:
        case = _case(session, ref)
        last = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                      CaseEvent.kind == "escalated")
                              .order_by(CaseEvent.id.desc()).limit(1))
        escalated = CaseChange(last.kind, last.stage, dict(last.detail or {})) if last else None
        new, change = reversals.undo_escalation(state_of(case), escalated, officer, why)
        apply_transition(session, case, new, change, by=officer)
        session.flush()
        return case_view(case)


def reopen_item(settings: Settings, item_id: int, officer: str, why: str) -> Outcome:
    """Put a decided item (by an officer or triage) back in the queue, due today. An item that
    joined a case leaves it (logged on the case); one that opened its case alone withdraws the
    case as opened in error. What it became (a service request, an archived mail) is marked
    reopened; its decision is settled again from the queue."""
    with session_scope(settings.resolved_database_url) as session:
        item = session.scalar(select(Item).where(Item.id == item_id).with_for_update())
        if item is None:
            raise CaseworkError(f"there is no item {item_id}")
        if item.status not in (ItemStatus.STAGED, ItemStatus.IGNORED):
            raise CaseworkError(f"item {item_id} is {item.status.replace('_', ' ')}: only a "
                                "decided item can be reopened")
        why = " ".join((why or "").split())
        if not why or len(why) > 2000:
            raise CaseworkError("say why the decision is reopened (up to 2,000 characters): "
                                "it is kept with the item")
        message = _leave_case(session, item, officer, why)
        record = session.scalar(select(IntakeRecord).where(IntakeRecord.item_id == item.id))
        if record is not None and record.case_id is None:
            record.status = REOPENED
            record.detail = {**record.detail, "reopened_by": officer}
        item.status, item.review_reason = ItemStatus.NEEDS_REVIEW, REOPENED
        item.review_due = landlord_today()
        session.add(ReviewDecision(item_id=item.id, officer=officer, action="reopen",
                                   category=None, note=why))
        return Outcome(item.id, f"Item {item.id} is back in the queue{message}.")


def _leave_case(session: Session, item: Item, officer: str, why: str) -> str:
    case = item.case
    if case is None:
        return ""
    others = [other.id for other in case.items if other.id != item.id]
    if others:
        record_change(session, case, CaseChange("item_removed", case.stage, {
            "item": item.id, "why": why, "officer": officer}), item.id, by=officer)
        item.case_id = None
        return f"; it left case {case.ref}"
    new, change = reversals.opened_in_error(state_of(case), officer, why, item.id)
    apply_transition(session, case, new, change, item.id, by=officer)
    item.case_id = None
    return f"; case {case.ref}, which it opened, is withdrawn as opened in error"
