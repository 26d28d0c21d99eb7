"""Reading and writing rows: raw items in, triage results and case changes out."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingest.items import IntakeItem, RawItem
from models.casework import (
    allocate_reference,
    apply_transition,
    create_case,
    draft_for_case,
    record_change,
    save_record,
    state_of,
    store_draft,
)
from models.rawstore import sha256_of, store_raw
from models.scans import save_pages
from models.tables import (
    Case,
    Classification,
    ExtractedFields,
    IntakeRecord,
    Item,
    ItemStatus,
)
from workflow.drafts import render_draft, summarise
from workflow.lifecycle import CaseChange, RefusedTransition, add_follow_up, escalate, open_case
from workflow.officer_review import review_deadline, review_reason_of
from workflow.policy import Policy, load_policy
from workflow.records import (
    Record,
    record_archived,
    record_compliment,
    record_proposed_exclusion,
    record_service_request,
)
from workflow.rules import ThreadMatch
from workflow.staging import CaseDraft, receipt_day
from workflow.triage import TriageResult, case_references

__all__ = ["allocate_reference", "find_thread", "record_raw", "save_result", "stage_item"]


def record_raw(session: Session, raw_dir: Path, raw: RawItem) -> tuple[Item, bool]:
    """Store the bytes and an item row for them; (existing item, False) if seen before.

    The content hash is unique, so the same message or scan is never staged twice, whichever
    source or worker brought it in.
    """
    digest = sha256_of(raw.raw)
    existing = session.scalar(select(Item).where(Item.sha256 == digest))
    if existing is not None:
        return existing, False
    digest, relative = store_raw(raw_dir, raw.raw)
    item = Item(
        source=raw.source,
        source_ref=raw.source_ref,
        sha256=digest,
        raw_path=relative,
        size_bytes=len(raw.raw),
        received_at=raw.received_at,
        status=ItemStatus.PENDING,
        scan_sha256=raw.scan_sha256,
        first_page=raw.page_range[0] if raw.page_range else None,
        last_page=raw.page_range[1] if raw.page_range else None,
    )
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError:  # another worker stored the same bytes a moment ago
        existing = session.scalar(select(Item).where(Item.sha256 == digest))
        assert existing is not None
        return existing, False
    return item, True


def pending_item_ids(session: Session, limit: int | None = None) -> list[int]:
    """Items stored but not yet triaged, oldest received first so replies follow originals."""
    query = (select(Item.id).where(Item.status == ItemStatus.PENDING)
             .order_by(Item.received_at, Item.id))
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def find_thread(session: Session, item: IntakeItem) -> ThreadMatch | None:
    """The case an item belongs to: by a quoted case reference, then by Message-ID."""
    for ref in case_references(item):
        case = session.scalar(select(Case).where(Case.ref == ref))
        if case is not None:
            return ThreadMatch(case.ref, case.stage, "case reference", case.postcode)
    if item.in_reply_to:
        case = session.scalar(
            select(Case).join(Item, Item.case_id == Case.id)
            .where(Item.message_id.in_(item.in_reply_to)).limit(1)
        )
        if case is not None:
            return ThreadMatch(case.ref, case.stage, "In-Reply-To/References", case.postcode)
    return None


def mark_quarantined(item: Item, code: str, detail: str) -> None:
    item.status = ItemStatus.QUARANTINED
    item.error_code = code
    item.error = detail[:2000]
    item.attempts += 1


def save_result(session: Session, item: Item, result: TriageResult,
                policy: Policy | None = None) -> None:
    """Persist fields, the classification and the decision's case changes, in one transaction."""
    policy = policy if policy is not None and policy.id == result.policy else load_policy(
        result.policy)
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
        rule_results={"results": [asdict(r) for r in decision.results]},
        policy=result.policy,
    ))
    item.hazard = decision.hazard
    if decision.needs_review:
        item.status = ItemStatus.NEEDS_REVIEW
        item.review_due = result.review_due
        item.review_reason = review_reason_of(r.rule for r in decision.results if r.hit)
        if decision.action == "propose_exclusion":
            _save_record(session, item, result, policy, record_proposed_exclusion(
                policy, decision.excluded_reason, decision.reasons))
        return
    stage_item(session, item, result, policy)


def stage_item(session: Session, item: Item, result: TriageResult, policy: Policy) -> None:
    """Move a decided item on: the case it opens or joins, or what it is recorded as. The
    pipeline calls it for what it decides alone, the review app for an officer's decision."""
    decision = result.decision
    item.status = ItemStatus.IGNORED if decision.action == "archive" else ItemStatus.STAGED
    if decision.action == "open_case" and result.case is not None:
        _open_case(session, item, result, result.case, policy)
    elif decision.action in {"add_to_case", "escalate_case"}:
        _update_case(session, item, result, policy)
    elif decision.action == "record_service_request":
        record = record_service_request(
            policy, receipt_day(result.item.received_at, policy), decision.hazard)
        _save_record(session, item, result, policy, record)
        _draft_service_reply(session, item, result, policy, record)
    elif decision.action == "record_compliment":
        _save_record(session, item, result, policy,
                     record_compliment(policy, list(result.extraction.staff or ())))
    elif decision.action == "archive":
        _save_record(session, item, result, policy, record_archived(decision.reasons))


def _save_record(session: Session, item: Item, result: TriageResult, policy: Policy,
                 record: Record) -> None:
    received = receipt_day(result.item.received_at, policy)
    save_record(session, item, record.kind, policy.id, received, record.status, record.detail)


def _draft_service_reply(session: Session, item: Item, result: TriageResult, policy: Policy,
                         record: Record) -> None:
    context = {
        **record.detail, "received": receipt_day(result.item.received_at, policy),
        "name": result.extraction.name, "representative": result.extraction.representative,
        "summary": summarise(result.item.text),
    }
    store_draft(session, render_draft(policy, "service_request", context), item_id=item.id)


def _save_fields(session: Session, item: Item, result: TriageResult) -> None:
    values = result.extraction.as_contract()
    values["incident_date"] = result.extraction.incident_date
    row = session.get(ExtractedFields, item.id)
    if row is None:
        session.add(ExtractedFields(item_id=item.id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()


def _open_case(session: Session, item: Item, result: TriageResult, draft: CaseDraft,
               policy: Policy) -> None:
    """A complaint opens a case at stage 1, with its acknowledgement drafted."""
    ref = allocate_reference(session, draft.started.year)
    state, change = open_case(policy, ref, draft.started)
    request = _service_request_replied_to(session, result)
    if request is not None:
        # Dissatisfied with a service request: the complaint is raised, the request goes on.
        change = CaseChange(change.kind, change.stage,
                            {**change.detail, "raised_from_service_request": request.item_id})
        request.detail = {**request.detail, "complaint_raised": ref}
    case = create_case(session, state, change, received_at=result.item.received_at, item=item,
                       name=result.extraction.name, postcode=result.extraction.postcode,
                       hazard=result.decision.hazard)
    draft_for_case(session, case, policy, "acknowledgement")


def _service_request_replied_to(session: Session, result: TriageResult) -> IntakeRecord | None:
    if not result.item.in_reply_to:
        return None
    return session.scalar(
        select(IntakeRecord).join(Item, Item.id == IntakeRecord.item_id)
        .where(IntakeRecord.kind == "service_request",
               Item.message_id.in_(result.item.in_reply_to)).limit(1))


def _update_case(session: Session, item: Item, result: TriageResult, policy: Policy) -> None:
    """Attach a follow-up to its case, or move the case on a stage for an escalation."""
    if result.thread is None:
        return
    case = session.scalar(select(Case).where(Case.ref == result.thread.case_ref))
    if case is None:
        return
    item.case_id = case.id
    state = state_of(case)
    if result.decision.action == "escalate_case":
        requested = receipt_day(result.item.received_at, policy)
        try:
            new, change = escalate(state, policy, requested)
        except RefusedTransition as refused:
            # The resident's request is kept on the case; an officer answers it.
            item.status = ItemStatus.NEEDS_REVIEW
            item.review_reason = "escalation-refused"
            item.review_due = review_deadline(policy, requested, case.stage + 1)
            record_change(session, case, CaseChange("escalation_refused", case.stage, {
                "reason": str(refused), "matched_by": result.thread.matched_by}), item.id)
            return
        apply_transition(session, case, new, change, item.id)
        draft_for_case(session, case, policy, "stage_acknowledgement")
    else:
        record_change(session, case, add_follow_up(state, matched_by=result.thread.matched_by),
                      item.id)


def confirmed_labels(session: Session) -> list[dict[str, object]]:
    """Labels officers settled on in review (the latest decision per item), for retraining.

    Only a person's decision counts: unreviewed predictions are never trained on.
    """
    from models.tables import ReviewDecision

    latest = (select(ReviewDecision.item_id, func.max(ReviewDecision.id).label("last"))
              .where(ReviewDecision.category.is_not(None))
              .group_by(ReviewDecision.item_id).subquery())
    rows = session.execute(
        select(ReviewDecision, Item)
        .join(latest, ReviewDecision.id == latest.c.last)
        .join(Item, Item.id == ReviewDecision.item_id)
        .where(Item.text.is_not(None))
        .order_by(ReviewDecision.id)
    ).all()
    labels = []
    for decision, item in rows:
        classification = item.classification
        labels.append({
            "item_id": item.id,
            "source": item.source,
            "subject": item.subject or "",
            "text": item.text or "",
            "received_at": item.received_at,
            "category": decision.category,
            "excluded_reason": decision.excluded_reason,
            "hazard": decision.hazard,
            # Officers confirm the category; the escalation flag is the prediction's unless
            # the category changed, in which case only a complaint can be an escalation.
            "escalation": bool(classification and classification.escalation
                               and decision.category == "complaint"),
            "decision_id": decision.id,
        })
    return labels
