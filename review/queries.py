"""What the review pages show, read into plain dicts so templates never touch a live session.

The queue and the cases list are paged in SQL (hazard first, then the nearest deadline, then
the least confident) so they stay fast with hundreds of thousands of rows.
"""

from __future__ import annotations

from datetime import date, datetime
from math import ceil
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.labels import CATEGORIES, EXCLUDED_REASONS, HAZARDS
from models.casework import state_of
from models.db import session_scope
from models.tables import (
    Case,
    Classification,
    DraftLetter,
    ExtractedFields,
    Item,
    ItemStatus,
    ReportSetting,
    ReviewDecision,
    User,
)
from review.queue_order import QueueFilter, latest_of, page_ids, queue_select, queue_slice
from workflow.calendar import add_working_days
from workflow.lifecycle import next_deadline
from workflow.officer_review import REVIEW_REASONS
from workflow.staging import LANDLORD_TIMEZONE

PAGE_SIZE = 50
COUNT_LIMIT = 5000
DEFAULT_DUE_SOON_DAYS = 3
FIELD_LABELS = (
    ("name", "Name"), ("representative", "Representative"), ("address", "Address"),
    ("postcode", "Postcode"), ("staff", "Staff named"), ("desired_outcome", "Desired outcome"),
    ("contact_method", "Contact method"), ("phone", "Phone"), ("email", "Email"),
    ("incident_date", "Incident date"), ("written_on", "Letter's date"),
)


def local_time(value: datetime | None) -> str:
    """Officers work in UK time, whatever the database stores."""
    return value.astimezone(LANDLORD_TIMEZONE).strftime("%Y-%m-%d %H:%M") if value else ""


def landlord_today() -> date:
    return datetime.now(LANDLORD_TIMEZONE).date()


def label_of(code: str | None) -> str:
    return (code or "").replace("_", " ")


def queue_page(url: str, filters: QueueFilter, page: int = 1,
               page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of the items awaiting an officer, with the total and what to filter by: the
    page's ids in the queue's order first, then what the page shows about those few."""
    today, page = landlord_today(), max(page, 1)
    with session_scope(url) as session:
        counts = _counts(session)  # the whole queue's count is the unfiltered total
        total, ids = queue_slice(session, filters, (page - 1) * page_size, page_size,
                                 None if filters.query_string() else counts["review"])
        pages = max(1, ceil(total / page_size))
        if page > pages:  # past the end: the last page
            page = pages
            total, ids = queue_slice(session, filters, (page - 1) * page_size, page_size,
                                     total)
        shown = (select(Item.id, Item.received_at, Item.source, Item.subject, Item.hazard,
                        Item.review_due, Item.review_reason, Classification.category,
                        Classification.excluded_reason, Classification.confidence,
                        ExtractedFields.name, ExtractedFields.postcode)
                 .outerjoin(Classification, and_(Classification.item_id == Item.id,
                                                 Classification.id == latest_of(Classification.id)))
                 .outerjoin(ExtractedFields, ExtractedFields.item_id == Item.id)
                 .where(Item.id.in_(ids)))
        found = {row.id: row for row in session.execute(shown)} if ids else {}
        rows = []
        for item_id in ids:
            row = found[item_id]
            rows.append({
                "id": row.id, "received": local_time(row.received_at),
                "source": row.source, "subject": row.subject or "",
                "category": row.category or "", "excluded_reason": row.excluded_reason,
                "confidence": f"{row.confidence:.2f}" if row.confidence is not None else "",
                "hazard": row.hazard, "name": row.name, "postcode": row.postcode,
                "due": row.review_due.isoformat() if row.review_due else "",
                "overdue": bool(row.review_due and row.review_due < today),
                "due_today": row.review_due == today,
                "reason": REVIEW_REASONS.get(row.review_reason or "", "other"),
            })
    return {"rows": rows, "total": total, "page": page, "pages": pages, "counts": counts,
            "filters": filters, "query": filters.query_string()}


def next_in_queue(url: str, after: list[int], filters: QueueFilter) -> int | None:
    """The decided item's old neighbour if it still waits (an officer works down the queue),
    else the queue's first."""
    with session_scope(url) as session:
        for candidate in after:
            waiting = queue_select([Item.id], filters).where(Item.id == candidate)
            if session.scalar(waiting) is not None:
                return candidate
        first = page_ids(session, filters, 0, 1)
    return first[0] if first else None


def quarantined_rows(url: str) -> list[dict[str, Any]]:
    query = (select(Item).where(Item.status == ItemStatus.QUARANTINED)
             .order_by(Item.received_at.asc().nulls_last(), Item.id))
    with session_scope(url) as session:
        return [
            {"id": item.id, "received": local_time(item.received_at), "source": item.source,
             "subject": item.subject or "", "error_code": item.error_code or "",
             "error": item.error or "", "attempts": item.attempts,
             "size": item.size_bytes, "source_ref": item.source_ref}
            for item in session.scalars(query)
        ]


def _counts(session: Session) -> dict[str, int]:
    counts = {status: count for status, count in session.execute(
        select(Item.status, func.count())
        .where(Item.status.in_([ItemStatus.NEEDS_REVIEW, ItemStatus.QUARANTINED]))
        .group_by(Item.status))}
    return {"review": counts.get(ItemStatus.NEEDS_REVIEW, 0),
            "quarantined": counts.get(ItemStatus.QUARANTINED, 0)}


def item_detail(url: str, item_id: int) -> dict[str, Any] | None:
    # The one-to-one rows come in the item's own query; the lists in one query each.
    options = [selectinload(Item.classifications), joinedload(Item.fields),
               joinedload(Item.case), selectinload(Item.pages)]
    today = landlord_today()
    with session_scope(url) as session:
        item = session.get(Item, item_id, options=options)
        if item is None:
            return None
        letters = session.scalars(select(DraftLetter).where(DraftLetter.item_id == item_id,
                                                            DraftLetter.case_id.is_(None))
                                  .order_by(DraftLetter.id)).all()
        decisions = session.scalars(select(ReviewDecision)
                                    .where(ReviewDecision.item_id == item_id)
                                    .order_by(ReviewDecision.id)).all()
        return {
            "id": item.id, "source": item.source, "source_ref": item.source_ref,
            "raw_path": item.raw_path, "sha256": item.sha256,
            "received": local_time(item.received_at), "subject": item.subject or "",
            "status": item.status, "text": item.text or "", "text_source": item.text_source,
            "ocr_confidence": (f"{item.ocr_confidence:.0%}"
                               if item.ocr_confidence is not None else None),
            "error_code": item.error_code, "error": item.error,
            "hazard": item.hazard, "waiting": item.status == ItemStatus.NEEDS_REVIEW,
            "review_due": item.review_due.isoformat() if item.review_due else "",
            "review_overdue": bool(item.review_due and item.review_due < today),
            "review_reason": REVIEW_REASONS.get(item.review_reason or "", ""),
            "fields": _fields(item.fields),
            "classification": _classification(item.classification),
            "case": _case(item.case, today) if item.case else None,
            "pages": [{"number": p.number, "source_page": p.source_page, "text": p.text,
                       "text_source": p.text_source, "rotation": p.rotation, "blocks": p.blocks,
                       "confidence": (f"{p.ocr_confidence:.0%}"
                                      if p.ocr_confidence is not None else None)}
                      for p in item.pages],
            "page_range": ((item.first_page, item.last_page)
                           if item.first_page and item.last_page else None),
            "letters": [{"kind": label_of(d.kind), "subject": d.subject, "body": d.body,
                         "created": local_time(d.created_at),
                         "sent": local_time(d.sent_at) if d.sent_at else ""} for d in letters],
            "decisions": [{"at": local_time(d.decided_at), "officer": d.officer,
                           "action": label_of(d.action), "category": d.category,
                           "excluded_reason": d.excluded_reason, "hazard": d.hazard,
                           "note": d.note, "changes": (d.detail or {}).get("changes", {})}
                          for d in decisions],
        }


def _fields(fields: ExtractedFields | None) -> list[dict[str, str]]:
    shown = []
    for attribute, label in FIELD_LABELS:
        value = getattr(fields, attribute) if fields is not None else None
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, date):
            value = value.isoformat()
        shown.append({"name": attribute, "label": label,
                      "value": "" if value is None else str(value)})
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
        "hazards": _pairs((label.rule_results or {}).get("hazards"), "type"),
        "vulnerability": _pairs((label.rule_results or {}).get("vulnerability"), "cue"),
        "explanation": _explanation(label),
    }


def _pairs(stored: object, key: str) -> list[dict[str, str]]:
    """Hazards ({"type", "evidence"}) or vulnerability cues ({"cue", "evidence"}) as triage
    stored them; items triaged before they were kept have none."""
    if not isinstance(stored, list):
        return []
    return [{"name": str(entry.get(key, "")), "evidence": str(entry.get("evidence", ""))}
            for entry in stored if isinstance(entry, dict)]


def _explanation(label: Classification) -> list[dict[str, str]]:
    """The phrases that weighed most for the category, kept with the classification."""
    phrases = (label.rule_results or {}).get("explanation") or []
    return [{"phrase": str(p["phrase"]), "shown": f"{float(p['weight']):+.2f}"}
            for p in phrases
            if isinstance(p, dict) and "phrase" in p and isinstance(p.get("weight"), int | float)]


def _case(row: Case, today: date, soon: date | None = None) -> dict[str, Any]:
    """A case with its flags: a passed reply date, or a passed unacknowledged one, is overdue;
    a reply (or acknowledgement) due by `soon` is due soon."""
    is_open = row.status == "open"
    acknowledged = row.acknowledged_on is not None
    ack_overdue = bool(is_open and row.acknowledge_by and row.acknowledge_by < today
                       and not acknowledged)
    respond_overdue = is_open and row.respond_by < today
    overdue = ack_overdue or respond_overdue
    ack_soon = bool(is_open and soon and row.acknowledge_by and not acknowledged
                    and today <= row.acknowledge_by <= soon)
    respond_soon = bool(is_open and soon and today <= row.respond_by <= soon)
    return {
        "id": row.id, "ref": row.ref, "policy": row.policy, "stage": row.stage,
        "status": row.status, "handler": row.handler or "", "hazard": row.hazard,
        "received": local_time(row.received_at), "started": row.stage_started.isoformat(),
        "acknowledge_by": row.acknowledge_by.isoformat() if row.acknowledge_by else "",
        "respond_by": row.respond_by.isoformat(), "name": row.name, "postcode": row.postcode,
        "acknowledged": acknowledged,
        "acknowledged_on": row.acknowledged_on.isoformat() if row.acknowledged_on else "",
        "officer": row.officer or "", "extension_days": row.extension_days or 0,
        "refused_reason": row.refused_reason, "outcome": row.outcome, "remedy": row.remedy,
        "responded_on": row.responded_on.isoformat() if row.responded_on else "",
        "ack_overdue": ack_overdue, "respond_overdue": respond_overdue, "overdue": overdue,
        "ack_soon": ack_soon, "respond_soon": respond_soon,
        "due_soon": not overdue and (ack_soon or respond_soon),
    }


def due_soon_days(url: str, policy: str) -> int:
    with session_scope(url) as session:
        setting = session.get(ReportSetting, policy)
        return setting.due_soon_days if setting is not None else DEFAULT_DUE_SOON_DAYS


CASE_STATUSES = ("open", "all", "closed")
CASE_DUES = ("", "overdue", "soon")


def cases_page(url: str, *, status: str = "open", due: str = "", ref: str = "",
               page: int = 1, soon_days: int = DEFAULT_DUE_SOON_DAYS,
               nation: str = "england-wales",
               page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of cases, soonest reply first; filter by status, overdue or due soon, and a
    reference or postcode."""
    status = status if status in CASE_STATUSES else "open"
    due = due if due in CASE_DUES else ""
    today = landlord_today()
    soon = add_working_days(today, soon_days, nation)
    not_acknowledged = Case.acknowledged_on.is_(None)
    conditions = []
    if status == "open" or due:
        conditions.append(Case.status == "open")
    elif status == "closed":
        conditions.append(Case.status != "open")
    if due == "overdue":
        conditions.append(or_(Case.respond_by < today,
                              and_(Case.acknowledge_by < today, not_acknowledged)))
    elif due == "soon":
        conditions.append(Case.respond_by >= today)
        # Each alternative is a range of one index (migration 0013), read as a bitmap OR.
        conditions.append(or_(and_(Case.respond_by >= today, Case.respond_by <= soon),
                              and_(Case.acknowledge_by >= today, Case.acknowledge_by <= soon,
                                   not_acknowledged, Case.status == "open")))
        conditions.append(or_(Case.acknowledge_by.is_(None), Case.acknowledge_by >= today,
                              ~not_acknowledged))
    ref = ref.strip().upper()[:20]
    if ref:
        conditions.append(or_(Case.ref == ref, Case.postcode == ref))
    with session_scope(url) as session:
        # Counted up to a bound: "5,000 or more" is all an officer needs, and counting every
        # one of 100,000 cases on each page would cost more than the page itself.
        counted = select(Case.id).where(*conditions).limit(COUNT_LIMIT + 1).subquery()
        total = session.scalar(select(func.count()).select_from(counted)) or 0
        more = total > COUNT_LIMIT
        total = min(total, COUNT_LIMIT)
        pages = max(1, ceil(total / page_size))
        page = max(page, 1) if more else min(max(page, 1), pages)
        # The page's ids from the (status, respond_by, id) index alone, then those rows: a
        # deep page skips index entries, not whole rows.
        ids = list(session.scalars(select(Case.id).where(*conditions)
                                   .order_by(Case.respond_by, Case.id)
                                   .offset((page - 1) * page_size).limit(page_size)))
        rows = {row.id: row for row in session.scalars(select(Case).where(Case.id.in_(ids)))}
        cases = [_case(rows[case_id], today, soon) for case_id in ids]
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in (("status", status), ("due", due), ("ref", ref)) if v})
    if more and len(ids) == page_size:
        pages = max(pages, page + 1)
    return {"cases": cases, "total": total, "more": more, "page": page, "pages": pages,
            "status": status,
            "due": due, "ref": ref, "query": query, "soon_days": soon_days,
            "soon": soon.isoformat()}


# Event details the timeline leaves out: bookkeeping, and a letter's whole old and new text.
HIDDEN_DETAIL = frozenset({"recorded_at", "ombudsman_contact", "old_body", "new_body",
                           "previous_state"})


def case_detail(url: str, ref: str, soon_days: int = DEFAULT_DUE_SOON_DAYS,
                nation: str = "england-wales") -> dict[str, Any] | None:
    today = landlord_today()
    with session_scope(url) as session:
        row = session.scalar(select(Case).where(Case.ref == ref.strip().upper())
                             .options(selectinload(Case.events), selectinload(Case.items),
                                      selectinload(Case.drafts)))
        if row is None:
            return None
        detail = _case(row, today, add_working_days(today, soon_days, nation))
        upcoming = next_deadline(state_of(row))
        detail["next_step"] = ({"step": upcoming[0], "due": upcoming[1].isoformat()}
                               if upcoming else None)
        detail["events"] = [
            {"at": local_time(event.at), "kind": label_of(event.kind), "stage": event.stage,
             "item_id": event.item_id,
             "detail": [(label_of(k), _show(v)) for k, v in (event.detail or {}).items()
                        if v is not None and k not in HIDDEN_DETAIL]}
            for event in row.events]
        detail["items"] = [
            {"id": item.id, "received": local_time(item.received_at), "source": item.source,
             "subject": item.subject or "", "status": label_of(item.status)}
            for item in row.items]
        detail["drafts"] = _drafts(row)
        return detail


def _drafts(row: Case) -> list[dict[str, Any]]:
    """The letters drafted for the case, oldest first."""
    drafts = row.drafts
    return [{"id": d.id, "kind": label_of(d.kind), "stage": d.stage, "subject": d.subject,
             "body": d.body, "created": local_time(d.created_at),
             "sent": local_time(d.sent_at) if d.sent_at else "",
             "sent_to": d.sent_to or ""} for d in drafts]


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{label_of(k)}: {_show(v)}" for k, v in value.items())
    return label_of(str(value)) if isinstance(value, str) and "_" in value and " " not in value \
        else str(value)


def open_case_refs(url: str, postcode: str | None, limit: int = 20) -> list[dict[str, str]]:
    """Open cases an item might belong to: at its postcode first, then the most recent."""
    with session_scope(url) as session:
        query = select(Case.ref, Case.name, Case.postcode, Case.stage).where(
            Case.status == "open")
        rows = []
        if postcode:
            rows = session.execute(query.where(Case.postcode == postcode)
                                   .order_by(Case.id.desc()).limit(limit)).all()
        if len(rows) < limit:
            seen = {r.ref for r in rows}
            rows += [r for r in session.execute(query.order_by(Case.id.desc()).limit(limit))
                     if r.ref not in seen][: limit - len(rows)]
    return [{"ref": r.ref, "label": (f"{r.ref} — {r.name or 'no name'}, "
                                     f"{r.postcode or 'no postcode'} (stage {r.stage})")}
            for r in rows]


def users(url: str) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        return [{"username": u.username, "role": u.role, "active": u.active,
                 "created": local_time(u.created_at)}
                for u in session.scalars(select(User).order_by(User.username))]


def report_settings(url: str, policies: list[str]) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        stored = {s.policy: s for s in session.scalars(select(ReportSetting))}
    return [{"policy": policy,
             "homes": stored[policy].homes if policy in stored else None,
             "due_soon_days": (stored[policy].due_soon_days if policy in stored
                               else DEFAULT_DUE_SOON_DAYS),
             "updated_by": stored[policy].updated_by if policy in stored else None,
             "updated": local_time(stored[policy].updated_at) if policy in stored else ""}
            for policy in policies]


CHOICES = {"categories": CATEGORIES, "hazards": HAZARDS, "reasons": EXCLUDED_REASONS,
           "review_reasons": REVIEW_REASONS}
