"""Imported cases written as they are given: one row and one `imported` event each, in bulk,
and the year's reference counter moved past any of our own references the file holds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from models.tables import Case, CaseEvent, CaseSequence, Resident
from workflow.case_import import ImportedCase
from workflow.residents import ResidentRecord
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


def insert_imported(session: Session, cases: list[ImportedCase], file_sha256: str
                    ) -> list[int]:
    """Write the cases and their first events; returns the new cases' ids, in order."""
    now = datetime.now(UTC)
    written: list[int] = []
    for start in range(0, len(cases), _CHUNK):
        chunk = cases[start:start + _CHUNK]
        # Core's executemany, ids read back by reference: the ORM's bulk insert splits rows
        # by which values are empty, and SQLite would return ids in order only row by row.
        session.execute(insert(Case.__table__), [_case_values(case, now) for case in chunk])
        by_ref = dict(session.execute(select(Case.ref, Case.id).where(
            Case.ref.in_([case.state.ref for case in chunk]))).all())
        ids = [by_ref[case.state.ref] for case in chunk]
        session.execute(insert(CaseEvent.__table__), [  # Core: one executemany, no RETURNING
            _event_values(case_id, case, file_sha256, now)
            for case_id, case in zip(ids, chunk, strict=True)])
        written += ids
    _advance_sequences(session, [case.state.ref for case in cases])
    return written


def residents_sharing(session: Session, emails: set[str], phones: set[str],
                      postcodes: set[str]) -> list[ResidentRecord]:
    """Residents (not merged away) with any of these emails, phones or postcodes."""
    found: dict[int, Resident] = {}
    for column, values in ((Resident.email, emails), (Resident.phone, phones),
                           (Resident.postcode, postcodes)):
        ordered = sorted(values)
        for start in range(0, len(ordered), _LOOKUP_CHUNK):
            for row in session.scalars(select(Resident).where(
                    column.in_(ordered[start:start + _LOOKUP_CHUNK]),
                    Resident.merged_into_id.is_(None))):
                found[row.id] = row
    return [ResidentRecord(r.id, r.name, r.email, r.phone, r.postcode, r.address)
            for r in found.values()]


def insert_residents(session: Session, records: list[ResidentRecord]) -> list[int]:
    """New residents' rows, in order; returns their ids."""
    now = datetime.now(UTC)
    ids: list[int] = []
    for start in range(0, len(records), _CHUNK):
        chunk = records[start:start + _CHUNK]
        # Matched back by their values (two new records alike in all of them would have
        # matched each other), not by order, which SQLite would give only row by row.
        by_values: dict[tuple[object, ...], list[int]] = {}
        for row in session.execute(insert(Resident.__table__).returning(
                Resident.id, Resident.name, Resident.email, Resident.phone, Resident.postcode,
                Resident.address), [
                {"name": r.name, "email": r.email, "phone": r.phone, "postcode": r.postcode,
                 "address": r.address, "created_at": now, "updated_at": now} for r in chunk]):
            by_values.setdefault(tuple(row[1:]), []).append(row[0])
        ids += [by_values[(r.name, r.email, r.phone, r.postcode, r.address)].pop()
                for r in chunk]
    return ids


def set_case_residents(session: Session, pairs: list[tuple[int, int]]) -> None:
    """(case id, resident id) pairs written by primary key, in bulk."""
    for start in range(0, len(pairs), _CHUNK):
        session.execute(
            update(Case.__table__).where(Case.__table__.c.id == bindparam("case_id"))
            .values(resident_id=bindparam("resident")),
            [{"case_id": case_id, "resident": resident_id}
             for case_id, resident_id in pairs[start:start + _CHUNK]])


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
