"""Reading and writing rows: raw items in, triage results and case changes out."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingest.items import IntakeItem, RawItem
from models.rawstore import sha256_of, store_raw
from models.tables import (
    Case,
    CaseEvent,
    CaseSequence,
    Classification,
    ExtractedFields,
    Item,
    ItemStatus,
)
from triage.pipeline import TriageResult, case_references
from workflow.review import review_reason_of
from workflow.rules import ThreadMatch
from workflow.staging import CaseDraft, case_reference


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


def save_result(session: Session, item: Item, result: TriageResult) -> None:
    """Persist fields, the classification and the decision's case changes, in one transaction."""
    parsed, decision = result.item, result.decision
    item.received_at = parsed.received_at
    item.message_id = parsed.message_id
    item.subject = parsed.subject or None
    item.text = parsed.text
    item.text_source = parsed.text_source
    item.ocr_confidence = parsed.ocr_confidence
    item.error_code = item.error = None
    item.attempts += 1
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
        return
    stage_item(session, item, result)


def stage_item(session: Session, item: Item, result: TriageResult) -> None:
    """Move a decided item on: the case it opens or joins, or what it is recorded as. The
    pipeline calls it for what it decides alone, the review app for an officer's decision."""
    decision = result.decision
    item.status = ItemStatus.IGNORED if decision.action == "archive" else ItemStatus.STAGED
    if decision.action == "open_case" and result.case is not None:
        _open_case(session, item, result, result.case)
    elif decision.action in {"add_to_case", "escalate_case"}:
        _update_case(session, item, result)


def _save_fields(session: Session, item: Item, result: TriageResult) -> None:
    values = result.extraction.as_contract()
    values["incident_date"] = result.extraction.incident_date
    row = session.get(ExtractedFields, item.id)
    if row is None:
        session.add(ExtractedFields(item_id=item.id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)


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


def _open_case(session: Session, item: Item, result: TriageResult, draft: CaseDraft) -> None:
    received = result.item.received_at
    case = Case(
        ref=allocate_reference(session, draft.started.year),
        policy=draft.policy,
        stage=draft.stage,
        status="open",
        handler=draft.handler,
        received_at=received,
        stage_started=draft.started,
        acknowledge_by=draft.acknowledge_by,
        respond_by=draft.respond_by,
        hazard=result.decision.hazard,
        name=result.extraction.name,
        postcode=result.extraction.postcode,
    )
    session.add(case)
    session.flush()
    item.case_id = case.id
    session.add(CaseEvent(case_id=case.id, item_id=item.id, kind="opened", stage=draft.stage,
                          detail=_deadline_detail(draft)))


def _update_case(session: Session, item: Item, result: TriageResult) -> None:
    """Attach a follow-up to its case, or move the case on a stage for an escalation."""
    if result.thread is None:
        return
    case = session.scalar(select(Case).where(Case.ref == result.thread.case_ref))
    if case is None:
        return
    item.case_id = case.id
    if result.decision.action == "escalate_case" and result.case is not None:
        draft = result.case
        case.stage = draft.stage
        case.handler = draft.handler
        case.stage_started = draft.started
        case.acknowledge_by = draft.acknowledge_by
        case.respond_by = draft.respond_by
        case.status = "open"
        session.add(CaseEvent(case_id=case.id, item_id=item.id, kind="escalated",
                              stage=draft.stage, detail=_deadline_detail(draft)))
    else:
        session.add(CaseEvent(case_id=case.id, item_id=item.id, kind="follow_up",
                              stage=case.stage,
                              detail={"matched_by": result.thread.matched_by}))


def _deadline_detail(draft: CaseDraft) -> dict[str, object]:
    return {
        "handler": draft.handler,
        "started": draft.started.isoformat(),
        "acknowledge_by": draft.acknowledge_by.isoformat() if draft.acknowledge_by else None,
        "respond_by": draft.respond_by.isoformat(),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
