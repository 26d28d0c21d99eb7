"""What the review pages show, read into plain dicts so templates never touch a live session."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from models.db import session_scope
from models.tables import Case, Classification, ExtractedFields, Item, ItemStatus
from workflow.staging import LANDLORD_TIMEZONE

FIELD_LABELS = (
    ("name", "Name"), ("representative", "Representative"), ("address", "Address"),
    ("postcode", "Postcode"), ("staff", "Staff named"), ("desired_outcome", "Desired outcome"),
    ("contact_method", "Contact method"), ("phone", "Phone"), ("email", "Email"),
    ("incident_date", "Incident date"),
)


def local_time(value: datetime | None) -> str:
    """Officers work in UK time, whatever the database stores."""
    return value.astimezone(LANDLORD_TIMEZONE).strftime("%Y-%m-%d %H:%M") if value else ""


def landlord_today() -> date:
    return datetime.now(LANDLORD_TIMEZONE).date()


def _latest_classification():
    return (select(Classification.item_id, func.max(Classification.id).label("cid"))
            .group_by(Classification.item_id).subquery())


def queue_rows(url: str, category: str | None = None) -> list[dict[str, Any]]:
    """Items awaiting review: hazards first, then oldest received, then least confident."""
    latest = _latest_classification()
    query = (
        select(Item, Classification, ExtractedFields)
        .outerjoin(latest, latest.c.item_id == Item.id)
        .outerjoin(Classification, Classification.id == latest.c.cid)
        .outerjoin(ExtractedFields, ExtractedFields.item_id == Item.id)
        .where(Item.status == ItemStatus.NEEDS_REVIEW)
        .order_by(case((Classification.hazard.is_(None), 1), else_=0),
                  Item.received_at.asc().nulls_last(),
                  Classification.confidence.asc().nulls_last(), Item.id)
    )
    if category:
        query = query.where(Classification.category == category)
    with session_scope(url) as session:
        return [
            {
                "id": item.id,
                "received": local_time(item.received_at),
                "source": item.source,
                "subject": item.subject or "",
                "category": label.category if label else "",
                "excluded_reason": label.excluded_reason if label else None,
                "confidence": f"{label.confidence:.2f}" if label else "",
                "hazard": label.hazard if label else None,
                "name": fields.name if fields else None,
                "postcode": fields.postcode if fields else None,
            }
            for item, label, fields in session.execute(query)
        ]


def quarantined_rows(url: str) -> list[dict[str, Any]]:
    query = (select(Item).where(Item.status == ItemStatus.QUARANTINED)
             .order_by(Item.received_at.asc().nulls_last(), Item.id))
    with session_scope(url) as session:
        return [
            {"id": item.id, "received": local_time(item.received_at), "source": item.source,
             "subject": item.subject or "", "error_code": item.error_code or "",
             "error": item.error or ""}
            for item in session.scalars(query)
        ]


def categories(url: str) -> list[str]:
    with session_scope(url) as session:
        query = select(Classification.category).distinct().order_by(Classification.category)
        return list(session.scalars(query))


def item_detail(url: str, item_id: int) -> dict[str, Any] | None:
    options = [selectinload(Item.classifications), selectinload(Item.fields),
               selectinload(Item.case), selectinload(Item.pages)]
    with session_scope(url) as session:
        item = session.get(Item, item_id, options=options)
        if item is None:
            return None
        return {
            "id": item.id, "source": item.source, "source_ref": item.source_ref,
            "received": local_time(item.received_at), "subject": item.subject or "",
            "status": item.status, "text": item.text or "", "text_source": item.text_source,
            "error_code": item.error_code, "error": item.error,
            "fields": _fields(item.fields),
            "classification": _classification(item.classification),
            "case": _case(item.case, landlord_today()) if item.case else None,
            "pages": [{"number": p.number, "source_page": p.source_page, "text": p.text,
                       "text_source": p.text_source, "rotation": p.rotation,
                       "confidence": (f"{p.ocr_confidence:.0%}"
                                      if p.ocr_confidence is not None else None)}
                      for p in item.pages],
            "page_range": ((item.first_page, item.last_page)
                           if item.first_page and item.last_page else None),
        }


def _fields(fields: ExtractedFields | None) -> list[tuple[str, str]]:
    if fields is None:
        return []
    shown = []
    for attribute, label in FIELD_LABELS:
        value = getattr(fields, attribute)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        shown.append((label, "" if value is None else str(value)))
    return shown


def _classification(label: Classification | None) -> dict[str, Any] | None:
    if label is None:
        return None
    probabilities = sorted(((str(k), float(v)) for k, v in (label.probabilities or {}).items()
                            if isinstance(v, int | float)), key=lambda kv: -kv[1])
    results = (label.rule_results or {}).get("results") or []
    return {
        "category": label.category, "excluded_reason": label.excluded_reason,
        "escalation": label.escalation, "hazard": label.hazard,
        "confidence": f"{label.confidence:.2f}", "needs_review": label.needs_review,
        "action": label.action, "policy": label.policy, "model_version": label.model_version,
        "created": local_time(label.created_at),
        "probabilities": [{"name": k, "value": v, "percent": f"{v:.0%}"}
                          for k, v in probabilities],
        "rules": [{"rule": r.get("rule", ""), "hit": bool(r.get("hit")),
                   "reason": r.get("reason", "")} for r in results if isinstance(r, dict)],
    }


def _case(row: Case, today: date) -> dict[str, Any]:
    """A case with its overdue flags: a passed reply date, or a passed unacknowledged one."""
    is_open = row.status == "open"
    acknowledged = any(event.kind == "acknowledged" for event in row.events)
    ack_overdue = bool(is_open and row.acknowledge_by and row.acknowledge_by < today
                       and not acknowledged)
    respond_overdue = is_open and row.respond_by < today
    return {
        "ref": row.ref, "policy": row.policy, "stage": row.stage, "status": row.status,
        "acknowledge_by": row.acknowledge_by.isoformat() if row.acknowledge_by else "",
        "respond_by": row.respond_by.isoformat(), "name": row.name, "postcode": row.postcode,
        "ack_overdue": ack_overdue, "respond_overdue": respond_overdue,
        "overdue": ack_overdue or respond_overdue,
    }


def case_rows(url: str) -> list[dict[str, Any]]:
    """Every case, soonest reply date first."""
    today = landlord_today()
    query = select(Case).options(selectinload(Case.events)).order_by(Case.respond_by, Case.id)
    with session_scope(url) as session:
        return [_case(row, today) for row in session.scalars(query)]


def case_detail(url: str, ref: str) -> dict[str, Any] | None:
    """One case with its event log and drafted letters (the templates escape all of it)."""
    from models.casework import find_case
    from triage.casework import case_view

    with session_scope(url) as session:
        row = find_case(session, ref)
        return case_view(row) if row is not None else None
