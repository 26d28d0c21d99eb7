"""Residents in the casework service: a resident's history, and an officer's link, unlink,
merge and split, one transaction each, each kept as a match row saying who decided."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.settings import Settings
from models.db import session_scope
from models.residents import create_resident, current, record_match
from models.tables import Case, CaseLink, DraftLetter, Item, Resident, ResidentMatch
from pipeline.casework.cases import CaseworkError
from workflow.residents import Identity


def _resident(session: Session, resident_id: int) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise CaseworkError(f"there is no resident {resident_id}")
    return resident


def _item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise CaseworkError(f"there is no item {item_id}")
    return item


def _officer(officer: str) -> str:
    if not officer.strip():
        raise CaseworkError("name the officer making the change")
    return officer.strip()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def resident_view(session: Session, resident_id: int) -> dict[str, Any]:
    """Everything held about a resident, newest first: contacts (items), cases, letters,
    and the records merged into this one."""
    resident = current(session, _resident(session, resident_id))
    ids = [resident.id, *session.scalars(select(Resident.id).where(
        Resident.merged_into_id == resident.id))]
    items = session.scalars(select(Item).where(Item.resident_id.in_(ids))
                            .order_by(Item.received_at.desc(), Item.id.desc())).all()
    cases = session.scalars(select(Case).where(Case.resident_id.in_(ids))
                            .order_by(Case.received_at.desc(), Case.id.desc())).all()
    case_ids, item_ids = [c.id for c in cases], [i.id for i in items]
    letters = session.scalars(select(DraftLetter).where(
        DraftLetter.case_id.in_(case_ids) | DraftLetter.item_id.in_(item_ids))
        .order_by(DraftLetter.created_at.desc(), DraftLetter.id.desc())).all()
    proposed = session.scalars(select(ResidentMatch).where(
        ResidentMatch.resident_id.in_(ids), ResidentMatch.status == "proposed")).all()
    return {
        "id": resident.id, "name": resident.name, "email": resident.email,
        "phone": resident.phone, "postcode": resident.postcode, "address": resident.address,
        "merged": [i for i in ids if i != resident.id],
        "items": [{"id": i.id, "source": i.source, "received_at": _iso(i.received_at),
                   "subject": i.subject, "status": i.status,
                   "category": i.classification.category if i.classification else None,
                   "case_ref": i.case.ref if i.case else None} for i in items],
        "cases": [{"ref": c.ref, "stage": c.stage, "status": c.status,
                   "received_on": _iso(c.received_on), "respond_by": _iso(c.respond_by),
                   "hazard": c.hazard} for c in cases],
        "letters": [{"id": d.id, "kind": d.kind, "subject": d.subject,
                     "created_at": _iso(d.created_at), "sent_at": _iso(d.sent_at),
                     "case_ref": d.case.ref if d.case else None} for d in letters],
        "proposed_items": [{"item_id": m.item_id, "score": m.score, "evidence": m.evidence}
                           for m in proposed],
    }


def show(settings: Settings, resident_id: int) -> dict[str, Any]:
    with session_scope(settings.resolved_database_url) as session:
        return resident_view(session, resident_id)


def item_residency(session: Session, item_id: int) -> dict[str, Any]:
    """The item's resident (or the proposed one, with its evidence), that resident's other
    open matters, and any open case the item was proposed as being about."""
    item = _item(session, item_id)
    latest = session.scalar(select(ResidentMatch).where(ResidentMatch.item_id == item_id)
                            .order_by(ResidentMatch.id.desc()).limit(1))
    resident_id = item.resident_id or (latest.resident_id if latest is not None
                                       and latest.status == "proposed" else None)
    others: list[dict[str, Any]] = []
    if resident_id is not None:
        cases = session.scalars(select(Case).where(
            Case.resident_id == resident_id, Case.status == "open",
            Case.id != (item.case_id or 0)).order_by(Case.respond_by)).all()
        waiting = session.scalars(select(Item).where(
            Item.resident_id == resident_id, Item.id != item.id,
            Item.status == "needs_review")).all()
        others = ([{"kind": "case", "ref": c.ref, "stage": c.stage,
                    "respond_by": _iso(c.respond_by)} for c in cases]
                  + [{"kind": "item", "id": i.id, "subject": i.subject} for i in waiting])
    link = session.scalar(select(CaseLink).where(CaseLink.item_id == item_id)
                          .order_by(CaseLink.id.desc()).limit(1))
    resident = session.get(Resident, resident_id) if resident_id else None
    return {
        "resident": {"id": resident.id, "name": resident.name} if resident else None,
        "status": "linked" if item.resident_id else (latest.status if latest else None),
        "score": latest.score if latest else None,
        "evidence": latest.evidence if latest else [],
        "other_matters": others,
        "case_link": ({"ref": session.get(Case, link.case_id).ref, "score": link.score,
                       "evidence": link.evidence, "status": link.status}
                      if link is not None else None),
    }


def item_residency_of(settings: Settings, item_id: int) -> dict[str, Any]:
    with session_scope(settings.resolved_database_url) as session:
        return item_residency(session, item_id)


def link(settings: Settings, item_id: int, resident_id: int, officer: str) -> dict[str, Any]:
    """An officer links an item to a resident (confirming a proposal, or choosing another)."""
    with session_scope(settings.resolved_database_url) as session:
        item = _item(session, item_id)
        resident = current(session, _resident(session, resident_id))
        _close_proposals(session, item_id, resident.id)
        record_match(session, item, resident.id, 1.0,
                     [{"on": "officer", "weight": 1.0, "detail": "linked by an officer"}],
                     "linked", _officer(officer))
        if item.case_id is not None:
            session.execute(update(Case).where(Case.id == item.case_id)
                            .values(resident_id=resident.id))
        return resident_view(session, resident.id)


def unlink(settings: Settings, item_id: int, officer: str) -> dict[str, Any]:
    """An officer says the item is not its resident's; the item keeps no resident."""
    with session_scope(settings.resolved_database_url) as session:
        item = _item(session, item_id)
        if item.resident_id is None:
            raise CaseworkError(f"item {item_id} is linked to no resident")
        was = item.resident_id
        _close_proposals(session, item_id, None)
        record_match(session, item, was, 0.0, [{"on": "officer", "weight": 0.0,
                                                "detail": "unlinked by an officer"}],
                     "unlinked", _officer(officer))
        item.resident_id = None
        return {"item_id": item_id, "unlinked_from": was}


def _close_proposals(session: Session, item_id: int, chosen: int | None) -> None:
    now = datetime.now(UTC)
    for match in session.scalars(select(ResidentMatch).where(
            ResidentMatch.item_id == item_id, ResidentMatch.status == "proposed")):
        if match.resident_id != chosen:
            match.status, match.decided_at = "rejected", now


def merge(settings: Settings, keep_id: int, other_id: int, officer: str) -> dict[str, Any]:
    """Two records are one resident: the other's items and cases move to the kept one, whose
    missing contact details the other fills; the other stays, pointing at the kept one."""
    with session_scope(settings.resolved_database_url) as session:
        keep = current(session, _resident(session, keep_id))
        other = current(session, _resident(session, other_id))
        if keep.id == other.id:
            raise CaseworkError(f"residents {keep_id} and {other_id} are already one")
        by = _officer(officer)
        for item in session.scalars(select(Item).where(Item.resident_id == other.id)):
            record_match(session, item, keep.id, 1.0, [{
                "on": "merge", "weight": 1.0, "detail": f"resident {other.id} merged into "
                f"{keep.id}"}], "linked", by)
        session.execute(update(Case).where(Case.resident_id == other.id)
                        .values(resident_id=keep.id))
        for column in ("name", "email", "phone", "postcode", "address", "home_id"):
            if getattr(keep, column) is None:
                setattr(keep, column, getattr(other, column))
        other.merged_into_id = keep.id
        session.flush()
        return resident_view(session, keep.id)


def split(settings: Settings, resident_id: int, item_ids: list[int], officer: str
          ) -> dict[str, Any]:
    """Some of a resident's items are someone else's: a new record from the first of them,
    those items (and their cases) moved to it."""
    with session_scope(settings.resolved_database_url) as session:
        resident = current(session, _resident(session, resident_id))
        items = [_item(session, i) for i in item_ids]
        if not items or any(i.resident_id != resident.id for i in items):
            raise CaseworkError(f"give items that belong to resident {resident.id}")
        first = items[0].fields
        new = create_resident(session, Identity(
            name=first.name if first else None, email=first.email if first else None,
            phone=first.phone if first else None, postcode=first.postcode if first else None,
            address=first.address if first else None,
            representative=first.representative if first else None))
        by = _officer(officer)
        for item in items:
            record_match(session, item, new.id, 1.0, [{
                "on": "split", "weight": 1.0, "detail": f"split from resident {resident.id}"}],
                "linked", by)
            if item.case_id is not None:
                session.execute(update(Case).where(Case.id == item.case_id)
                                .values(resident_id=new.id))
        return resident_view(session, new.id)


def proposals(settings: Settings) -> list[dict[str, Any]]:
    """Items whose resident is only proposed, waiting for an officer to link or reject it."""
    with session_scope(settings.resolved_database_url) as session:
        rows = session.scalars(select(ResidentMatch).where(ResidentMatch.status == "proposed")
                               .order_by(ResidentMatch.id)).all()
        return [{"item_id": m.item_id, "resident_id": m.resident_id, "score": m.score,
                 "evidence": m.evidence} for m in rows]


def linking_summary(settings: Settings) -> dict[str, Any]:
    """Counts for the demo: residents, items linked or proposed, and the items held as about
    an open case (item id, case reference, score)."""
    from sqlalchemy import func

    with session_scope(settings.resolved_database_url) as session:
        residents = session.scalar(select(func.count()).select_from(Resident).where(
            Resident.merged_into_id.is_(None)))
        linked = session.scalar(select(func.count()).select_from(Item).where(
            Item.resident_id.is_not(None)))
        proposed = session.scalar(select(func.count()).select_from(ResidentMatch).where(
            ResidentMatch.status == "proposed"))
        links = session.execute(select(CaseLink.item_id, Case.ref, CaseLink.score)
                                .join(Case, Case.id == CaseLink.case_id)
                                .where(CaseLink.status == "proposed")
                                .order_by(CaseLink.item_id)).all()
        return {"residents": residents, "linked_items": linked, "proposed_residents": proposed,
                "same_matter": [{"item_id": i, "case_ref": r, "score": s} for i, r, s in links]}
