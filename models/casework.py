"""Case rows in and out of the lifecycle's plain states; every change also appended as an event."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.tables import (
    Case,
    CaseEvent,
    CaseSequence,
    DraftLetter,
    ExtractedFields,
    IntakeRecord,
    Item,
)
from workflow.adjustments import as_large_print, contact_method, large_print
from workflow.drafts import Draft, render_draft, summarise
from workflow.lifecycle import CaseChange, CaseState
from workflow.policy import Policy
from workflow.references import reference_key
from workflow.staging import case_reference


def state_of(case: Case) -> CaseState:
    """The row's present as the lifecycle's plain state."""
    return CaseState(
        ref=case.ref, policy=case.policy, stage=case.stage, status=case.status,
        received=case.received_on or _received_day(case),
        stage_started=case.stage_started, handler=case.handler or "",
        acknowledge_by=case.acknowledge_by, respond_by=case.respond_by, officer=case.officer,
        acknowledged_on=case.acknowledged_on, extension_days=case.extension_days or 0,
        responded_on=case.responded_on, outcome=case.outcome, remedy=case.remedy,
        refused_reason=case.refused_reason, earlier_officers=tuple(case.earlier_officers or ()),
    )


def _received_day(case: Case) -> date:
    # Cases opened before migration 0002 recorded no receipt day: stage 1 began on it.
    if case.stage == 1:
        return case.stage_started
    from workflow.staging import received_day

    return received_day(case.received_at)


# The columns that hold a case's present, named as the lifecycle's state names them.
_STATE_COLUMNS = ("stage", "status", "handler", "stage_started", "acknowledge_by", "respond_by",
                  "officer", "acknowledged_on", "extension_days", "responded_on", "outcome",
                  "remedy", "refused_reason")


def _write(case: Case, state: CaseState) -> None:
    for column in _STATE_COLUMNS:
        setattr(case, column, getattr(state, column))
    case.earlier_officers = list(state.earlier_officers)


def record_change(session: Session, case: Case, change: CaseChange,
                  item_id: int | None = None, by: str | None = None) -> CaseEvent:
    """Append the change to the case's log (never edited: the table refuses it)."""
    detail = {**change.detail, "recorded_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if by:
        detail["by"] = by
    # Set through the relationship, so the case's loaded log sees it without a reload.
    event = CaseEvent(case=case, item_id=item_id, kind=change.kind, stage=change.stage,
                      detail=detail)
    session.add(event)
    return event


def apply_transition(session: Session, case: Case, state: CaseState, change: CaseChange,
                     item_id: int | None = None, by: str | None = None) -> CaseEvent:
    _write(case, state)
    return record_change(session, case, change, item_id, by)


def allocate_reference(session: Session, year: int) -> str:
    """The next case reference for the year; atomic on SQLite and PostgreSQL alike."""
    if session.get(CaseSequence, year) is None:
        try:
            with session.begin_nested():
                session.execute(insert(CaseSequence).values(year=year, last_number=0))
        except IntegrityError:
            pass
    number = session.execute(
        update(CaseSequence).where(CaseSequence.year == year)
        .values(last_number=CaseSequence.last_number + 1)
        .returning(CaseSequence.last_number)
    ).scalar_one()
    session.expire_all()
    return case_reference(year, number)


def create_case(session: Session, state: CaseState, change: CaseChange, *,
                received_at: datetime, item: Item | None, name: str | None,
                postcode: str | None, hazard: str | None) -> Case:
    """The row for a newly opened case, its first event, and its item linked to it."""
    case = Case(ref=state.ref, ref_key=reference_key(state.ref), policy=state.policy,
                stage=state.stage, status=state.status,
                handler=state.handler, received_at=received_at,
                stage_started=state.stage_started, acknowledge_by=state.acknowledge_by,
                respond_by=state.respond_by, hazard=hazard, name=name, postcode=postcode,
                extension_days=0, earlier_officers=[])
    _write(case, state)
    if item is not None:
        case.items.append(item)
    session.add(case)
    session.flush()
    case.received_on = state.received
    record_change(session, case, change, item.id if item is not None else None)
    return case


def case_letter_context(case: Case, policy: Policy, **extra: Any) -> dict[str, Any]:
    """What the templates may use about a case: its deadlines and the first item's words."""
    first = case.items[0] if case.items else None
    fields = first.fields if first is not None else None
    state = state_of(case)
    stage = policy.stage(case.stage)
    return {
        "ref": case.ref, "stage": case.stage, "stage_name": stage.name,
        "handler": case.handler or stage.handler, "received": state.received,
        "stage_started": case.stage_started, "acknowledge_by": case.acknowledge_by,
        "respond_by": case.respond_by, "final_stage": case.stage == policy.final_stage,
        "name": case.name, "representative": fields.representative if fields else None,
        "summary": summarise(first.text if first is not None else None),
        "desired_outcome": fields.desired_outcome if fields else None,
        "hazard": case.hazard, "note": None, **extra,
    }


def store_draft(session: Session, draft: Draft, *, case: Case | None = None,
                item_id: int | None = None, stage: int | None = None,
                hazard_id: int | None = None, large: bool = False) -> DraftLetter:
    """Keep a drafted letter, honouring the adjustments its writer asked for: the
    large-print variant, and the contact method asked for (`large`: already rendered so)."""
    adjustments = _adjustments(session, case, item_id)
    body = draft.body
    wants_large = large_print(adjustments)
    if wants_large and not large:
        body = as_large_print(draft.subject, draft.body)
    row = DraftLetter(case=case, item_id=item_id, kind=draft.kind, stage=stage,
                      subject=draft.subject, body=body, large_print=wants_large or large,
                      send_by=contact_method(adjustments, None), hazard_id=hazard_id)
    session.add(row)
    return row


def _adjustments(session: Session, case: Case | None, item_id: int | None
                 ) -> list[dict[str, Any]]:
    """The adjustments asked for in the item a letter answers (for a case, any of its
    items: a resident who asked once for large print is not asked again)."""
    ids = [item_id] if item_id is not None else []
    if case is not None and case.id is not None:
        ids += [i for i in session.scalars(select(Item.id).where(Item.case_id == case.id))]
    if not ids:
        return []
    found: list[dict[str, Any]] = []
    for stored in session.scalars(select(ExtractedFields.adjustments)
                                  .where(ExtractedFields.item_id.in_(ids))):
        found.extend(stored or [])
    return found


def draft_for_case(session: Session, case: Case, policy: Policy, kind: str,
                   **extra: Any) -> DraftLetter:
    draft = render_draft(policy, kind, case_letter_context(case, policy, **extra))
    return store_draft(session, draft, case=case, stage=case.stage)


def find_case(session: Session, ref: str) -> Case | None:
    return session.scalar(select(Case).where(Case.ref == ref.strip().upper()))


def save_record(session: Session, item: Item, kind: str, policy: str, received: date,
                status: str, detail: dict[str, Any]) -> IntakeRecord:
    """One record per item of what it became; a re-triage replaces the earlier one."""
    record = session.scalar(select(IntakeRecord).where(IntakeRecord.item_id == item.id))
    if record is None:
        record = IntakeRecord(item_id=item.id)
        session.add(record)
    record.kind, record.policy, record.received = kind, policy, received
    record.status, record.detail = status, detail
    return record
