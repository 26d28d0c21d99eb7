"""Imported cases written as they are given: one row and one `imported` event each, in bulk,
and the year's reference counter moved past any of our own references the file holds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from models.tables import Case, CaseEvent, CaseSequence
from workflow.case_import import ImportedCase
from workflow.staging import LANDLORD_TIMEZONE

_OWN_REFERENCE = re.compile(r"^CMP-(\d{4})-(\d{5})$")
_CHUNK = 500
_LOOKUP_CHUNK = 5000  # keys per query: PostgreSQL hashes a long IN list, one pass a chunk


@dataclass(frozen=True)
class HeldCase:
    """A case already in the database under a key the file also uses."""

    ref: str
    ref_key: str
    import_hash: str | None


def held_cases(session: Session, keys: list[str]) -> dict[str, HeldCase]:
    """The cases already held under any of these reference keys, by key."""
    held: dict[str, HeldCase] = {}
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        rows = session.execute(select(Case.ref, Case.ref_key, Case.import_hash)
                               .where(Case.ref_key.in_(keys[start:start + _LOOKUP_CHUNK])))
        held.update({row.ref_key: HeldCase(row.ref, row.ref_key, row.import_hash)
                     for row in rows})
    return held


def insert_imported(session: Session, cases: list[ImportedCase], file_sha256: str) -> int:
    """Write the cases and their first events; returns how many were written."""
    now = datetime.now(UTC)
    for start in range(0, len(cases), _CHUNK):
        chunk = cases[start:start + _CHUNK]
        ids = session.execute(insert(Case).returning(Case.id, sort_by_parameter_order=True),
                              [_case_values(case, now) for case in chunk]).scalars().all()
        session.execute(insert(CaseEvent), [
            _event_values(case_id, case, file_sha256, now)
            for case_id, case in zip(ids, chunk, strict=True)])
    _advance_sequences(session, [case.state.ref for case in cases])
    return len(cases)


def _case_values(case: ImportedCase, now: datetime) -> dict[str, object]:
    s = case.state
    received_at = datetime.combine(s.received, time(), LANDLORD_TIMEZONE).astimezone(UTC)
    return {
        "ref": s.ref, "ref_key": case.ref_key, "policy": s.policy, "stage": s.stage,
        "status": s.status, "handler": s.handler, "received_at": received_at,
        "received_on": s.received, "stage_started": s.stage_started,
        "acknowledge_by": s.acknowledge_by, "respond_by": s.respond_by, "officer": s.officer,
        "acknowledged_on": s.acknowledged_on, "extension_days": 0,
        "responded_on": s.responded_on, "outcome": s.outcome, "earlier_officers": [],
        "name": case.name, "postcode": case.postcode, "address": case.address,
        "email": case.email, "phone": case.phone, "contact_method": case.contact_method,
        "import_hash": case.row_hash, "created_at": now, "updated_at": now,
    }


def _event_values(case_id: int, case: ImportedCase, file_sha256: str, now: datetime
                  ) -> dict[str, object]:
    change = case.change(file_sha256)
    detail = {**change.detail, "recorded_at": now.isoformat(timespec="seconds")}
    return {"case_id": case_id, "item_id": None, "at": now, "kind": change.kind,
            "stage": change.stage, "detail": detail}


def _advance_sequences(session: Session, refs: list[str]) -> None:
    """An imported CMP-YYYY-NNNNN must never be issued again by `allocate_reference`."""
    highest: dict[int, int] = {}
    for ref in refs:
        match = _OWN_REFERENCE.match(ref)
        if match:
            year, number = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, 0), number)
    for year, number in highest.items():
        row = session.get(CaseSequence, year)
        if row is None:
            session.add(CaseSequence(year=year, last_number=number))
        else:
            session.execute(update(CaseSequence).where(CaseSequence.year == year,
                                                       CaseSequence.last_number < number)
                            .values(last_number=number))
    session.flush()
