"""Items in and out: raw bytes stored once, the case an item belongs to, quarantine, and the
labels officers confirmed. Triage results are written by models/plans.py."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.labels import ItemStatus
from ingest.items import IntakeItem, RawItem
from models.casework import state_of
from models.rawstore import sha256_of, store_raw
from models.tables import Case, IntakeRecord, Item
from workflow.references import quoted_reference_keys
from workflow.rules import ThreadMatch

__all__ = ["find_replied_request", "find_thread", "mark_quarantined", "record_raw"]


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


def find_thread(session: Session, item: IntakeItem) -> ThreadMatch | None:
    """The case an item belongs to: by a quoted case reference, then by Message-ID."""
    keys = quoted_reference_keys(item.subject, item.text)
    if keys:
        found = {case.ref_key: case for case in session.scalars(
            select(Case).where(Case.ref_key.in_(keys)))}
        for key in keys:  # the first quoted, as written (subject first)
            case = found.get(key)
            if case is not None:
                return ThreadMatch(case.ref, case.stage, "case reference", case.postcode,
                                   state_of(case))
    if item.in_reply_to:
        case = session.scalar(
            select(Case).join(Item, Item.case_id == Case.id)
            .where(Item.message_id.in_(item.in_reply_to)).limit(1)
        )
        if case is not None:
            return ThreadMatch(case.ref, case.stage, "In-Reply-To/References", case.postcode,
                               state_of(case))
    return None


def mark_quarantined(item: Item, code: str, detail: str) -> None:
    item.status = ItemStatus.QUARANTINED
    item.error_code = code
    item.error = detail[:2000]
    item.attempts += 1


def find_replied_request(session: Session, item: IntakeItem) -> int | None:
    """The service request (its item id) this message replies to, if any: a resident unhappy
    with a request raises a complaint while the request goes on."""
    if not item.in_reply_to:
        return None
    return session.scalar(
        select(IntakeRecord.item_id).join(Item, Item.id == IntakeRecord.item_id)
        .where(IntakeRecord.kind == "service_request",
               Item.message_id.in_(item.in_reply_to)).limit(1))


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
