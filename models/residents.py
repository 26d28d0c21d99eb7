"""Residents, homes and their links to items and cases, in and out of the database; deciding
nothing (the matching is workflow/residents.py, the choice of what to write its caller's)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.tables import Case, CaseLink, Home, Item, Resident, ResidentMatch
from workflow.related import OpenMatter, RelatedMatch
from workflow.residents import (
    Identity,
    ResidentRecord,
    home_key,
    normalise_email,
    normalise_phone,
)

_CANDIDATES = 200


def current(session: Session, resident: Resident) -> Resident:
    """The record a merged resident became (merges may chain)."""
    seen = {resident.id}
    while resident.merged_into_id is not None:
        target = session.get(Resident, resident.merged_into_id)
        if target is None or target.id in seen:
            break
        seen.add(target.id)
        resident = target
    return resident


def resident_candidates(session: Session, identity: Identity) -> list[ResidentRecord]:
    """Residents who share an email, phone or postcode with the item, or whose case it quotes."""
    me = identity.about_resident()
    conditions = []
    if normalise_email(me.email):
        conditions.append(Resident.email == normalise_email(me.email))
    if normalise_phone(me.phone):
        conditions.append(Resident.phone == normalise_phone(me.phone))
    if me.postcode:
        conditions.append(Resident.postcode == me.postcode)
    if me.case_refs:
        conditions.append(Resident.id.in_(select(Case.resident_id).where(
            Case.ref_key.in_(me.case_refs), Case.resident_id.is_not(None))))
    if not conditions:
        return []
    rows = session.scalars(select(Resident).where(or_(*conditions),
                                                  Resident.merged_into_id.is_(None))
                           .order_by(Resident.id).limit(_CANDIDATES)).all()
    refs: dict[int, list[str]] = {}
    for resident_id, key in session.execute(
            select(Case.resident_id, Case.ref_key)
            .where(Case.resident_id.in_([r.id for r in rows]))):
        refs.setdefault(resident_id, []).append(key or "")
    return [ResidentRecord(r.id, r.name, r.email, r.phone, r.postcode, r.address,
                           tuple(refs.get(r.id, ()))) for r in rows]


def home_for(session: Session, postcode: str | None, address: str | None) -> Home | None:
    key = home_key(postcode, address)
    if key is None or postcode is None:
        return None
    home = session.scalar(select(Home).where(Home.key == key))
    if home is None:
        home = Home(key=key, postcode=postcode, address=address)
        session.add(home)
        session.flush()
    return home


def create_resident(session: Session, identity: Identity) -> Resident:
    """A new resident's record from what the item or imported case says of them."""
    me = identity.about_resident()
    home = home_for(session, me.postcode, me.address)
    resident = Resident(name=me.name, email=normalise_email(me.email),
                        phone=normalise_phone(me.phone), postcode=me.postcode,
                        address=me.address, home_id=home.id if home else None)
    session.add(resident)
    session.flush()
    return resident


def record_match(session: Session, item: Item, resident_id: int, score: float,
                 evidence: list[dict[str, object]], status: str,
                 decided_by: str | None = None) -> ResidentMatch:
    """Keep why the item is (or may be) this resident's; a link also sets the item's resident
    and that of its case, if the case has none yet."""
    now = datetime.now(UTC)
    row = ResidentMatch(item_id=item.id, resident_id=resident_id, score=score,
                        evidence=evidence, status=status, decided_by=decided_by,
                        decided_at=now if decided_by else None)
    session.add(row)
    if status == "linked":
        item.resident_id = resident_id
        if item.case_id is not None:
            case = session.get(Case, item.case_id)
            if case is not None and case.resident_id is None:
                case.resident_id = resident_id
    return row


def open_matters(session: Session, resident_ids: frozenset[int], postcode: str | None,
                 since: date) -> list[OpenMatter]:
    """Open cases of these residents or at this postcode, received since `since`."""
    conditions = []
    if resident_ids:
        conditions.append(Case.resident_id.in_(resident_ids))
    if postcode:
        conditions.append(Case.postcode == postcode)
    if not conditions:
        return []
    cases = session.scalars(select(Case).where(or_(*conditions), Case.status == "open",
                                               Case.received_on >= since)
                            .order_by(Case.id.desc()).limit(_CANDIDATES)).all()
    matters = []
    for case in cases:
        first = case.items[0] if case.items else None
        fields = first.fields if first is not None else None
        address = case.address or (fields.address if fields else None)
        text = "\n".join(filter(None, [first.subject, first.text])) if first else ""
        matters.append(OpenMatter(case.ref, case.resident_id, home_key(case.postcode, address),
                                  case.postcode, case.received_on or case.stage_started, text))
    return matters


def window_start(received: date, window_days: int) -> date:
    return received - timedelta(days=window_days)


def propose_case_link(session: Session, item: Item, related: RelatedMatch) -> CaseLink | None:
    case = session.scalar(select(Case).where(Case.ref == related.case_ref))
    if case is None:
        return None
    link = CaseLink(item_id=item.id, case_id=case.id, score=related.score,
                    evidence=[e.as_dict() for e in related.evidence], status="proposed")
    session.add(link)
    return link


def settle_case_links(session: Session, item: Item, officer: str) -> None:
    """An officer's decision settles the item's proposed case link: attached to that case it
    is confirmed; otherwise the officer has said it is a separate matter."""
    session.flush()
    now = datetime.now(UTC)
    for link in session.scalars(select(CaseLink).where(CaseLink.item_id == item.id,
                                                       CaseLink.status == "proposed")):
        link.status = "confirmed" if link.case_id == item.case_id else "separate"
        link.decided_by, link.decided_at = officer, now
