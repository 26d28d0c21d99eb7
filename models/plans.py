"""A triage result written as it is given: the item's reading, fields and classification,
then its plan (workflow/plan.py): the case opened or changed, the record, the letter drafted.

Nothing here chooses what happens; the plan already says it, deadlines included."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.labels import ItemStatus
from models.casework import (
    allocate_reference,
    apply_transition,
    create_case,
    draft_for_case,
    record_change,
    save_record,
    store_draft,
)
from models.hazards import save_hazards
from models.scans import save_pages
from models.tables import Case, Classification, ExtractedFields, IntakeRecord, Item
from workflow.plan import CaseOpening, CaseUpdate
from workflow.policy import Policy
from workflow.triage import TriageResult, hazard_list


def save_result(session: Session, item: Item, result: TriageResult, policy: Policy) -> None:
    """Persist the reading, fields and classification, then apply the plan, in one transaction."""
    save_reading(session, item, result)
    apply_plan(session, item, result, policy)
    # Whatever the category: a hazard reported in a service request, a proposed exclusion or
    # a compliment with a grumble is recorded with its own clocks.
    save_hazards(session, item, result.hazards)


def save_reading(session: Session, item: Item, result: TriageResult) -> None:
    """What triage read and predicted: the item's text, its fields and its classification."""
    parsed, decision = result.item, result.decision
    item.received_at = parsed.received_at
    item.message_id = parsed.message_id
    item.subject = parsed.subject or None
    item.text = parsed.text
    item.text_source = parsed.text_source
    item.ocr_confidence = parsed.ocr_confidence
    item.error_code = item.error = None
    item.attempts += 1
    save_pages(session, item, parsed.pages)
    _save_fields(session, item, result)
    session.add(Classification(
        item_id=item.id,
        category=decision.category,
        excluded_reason=decision.excluded_reason,
        escalation=decision.escalation,
        hazard=decision.hazard,
        confidence=decision.confidence,
        probabilities=result.prediction.probabilities,
        model_version=result.prediction.model_version,
        needs_review=decision.needs_review,
        action=decision.action,
        # The hazards with their evidence, the vulnerability cues and the phrases that weighed
        # most for the category ride with the rules' verdicts in this JSON column: no schema
        # change for what only the item page reads.
        rule_results={"results": [r._asdict() for r in decision.results],
                      "hazards": hazard_list(result),
                      "vulnerability": [c.contract() for c in result.prediction.vulnerability],
                      "explanation": [p.as_dict() for p in result.prediction.explanation]},
        policy=result.policy,
    ))


def _save_fields(session: Session, item: Item, result: TriageResult) -> None:
    values = result.extraction.as_contract()
    values["incident_date"] = result.extraction.incident_date
    values["written_on"] = result.extraction.written_on
    values["adjustments"] = list(result.adjustments)
    row = session.get(ExtractedFields, item.id)
    if row is None:
        session.add(ExtractedFields(item_id=item.id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()


def apply_plan(session: Session, item: Item, result: TriageResult, policy: Policy) -> None:
    """Write what the plan says: status, review, record, case and letters."""
    plan = result.plan
    item.hazard = result.decision.hazard
    item.status = ItemStatus(plan.status)
    if plan.review is not None:
        item.review_due = plan.review.due
        item.review_reason = plan.review.reason
    if plan.record is not None:
        save_record(session, item, plan.record.kind, policy.id, plan.received,
                    plan.record.status, plan.record.detail)
    if plan.reply is not None:
        store_draft(session, plan.reply, item_id=item.id)
    if plan.opening is not None:
        _open_case(session, item, result, plan.opening, policy)
    if plan.update is not None:
        _update_case(session, item, plan.update, policy)


def _open_case(session: Session, item: Item, result: TriageResult, opening: CaseOpening,
               policy: Policy) -> None:
    """A new case with its reference, its first events and its letter drafted."""
    ref = allocate_reference(session, opening.draft.started.year)
    steps = opening.transitions(ref, policy)
    (state, change), later = steps[0], steps[1:]
    fields = result.extraction
    case = create_case(session, state, change, received_at=result.item.received_at, item=item,
                       name=fields.name, postcode=fields.postcode, hazard=result.decision.hazard)
    case.resident_id = item.resident_id  # an officer's decision on a linked item
    by = opening.refusal.officer if opening.refusal else None
    for new, next_change in later:
        apply_transition(session, case, new, next_change, item.id, by=by)
    if opening.raised_from_request is not None:
        request = session.scalar(select(IntakeRecord).where(
            IntakeRecord.item_id == opening.raised_from_request))
        if request is not None:
            request.detail = {**request.detail, "complaint_raised": ref}
    draft_for_case(session, case, policy, opening.letter, **opening.letter_context)


def _update_case(session: Session, item: Item, update: CaseUpdate, policy: Policy) -> None:
    """The item joins its case; an escalation writes the case's new state and drafts its
    stage acknowledgement."""
    case = session.scalar(select(Case).where(Case.ref == update.case_ref))
    if case is None:
        return
    item.case_id = case.id
    if case.resident_id is None:
        case.resident_id = item.resident_id
    if update.new_state is None:
        record_change(session, case, update.change, item.id)
        return
    apply_transition(session, case, update.new_state, update.change, item.id)
    if update.letter:
        draft_for_case(session, case, policy, update.letter)
