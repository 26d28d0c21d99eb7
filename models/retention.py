"""Retention in the database: which items and cases a schedule class makes due, and removing
their personal data in chunks (each its own transaction, so memory stays flat however many
are due). Deciding nothing: the classes and cut-offs come from workflow/retention.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, Integer, Select, any_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from models.tables import (
    Case,
    DataAudit,
    DraftLetter,
    ExtractedFields,
    IntakeRecord,
    Item,
    ItemPage,
    Resident,
)
from models.web_tables import AccessEntry, LoginAttempt
from workflow.retention import RetentionClass

REMOVED = "(removed under the retention schedule)"
_ENDED = ("closed", "refused", "withdrawn")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _not_held(statement: Select) -> Select:
    """Nothing of a case or resident under a legal hold is touched."""
    held_cases = select(Case.id).where(Case.legal_hold.is_(True))
    held_residents = select(Resident.id).where(Resident.legal_hold.is_(True))
    return statement.where(or_(Item.case_id.is_(None), Item.case_id.not_in(held_cases)),
                           or_(Item.resident_id.is_(None),
                               Item.resident_id.not_in(held_residents)))


def _closed_before(cutoff: date):
    return (Case.status.in_(_ENDED), Case.legal_hold.is_(False),
            or_(Case.responded_on < cutoff,
                Case.responded_on.is_(None) & (Case.updated_at < _start_of(cutoff))))


def due_items(klass: RetentionClass, today: date) -> Select:
    """The ids of items the class makes due on `today`, in id order."""
    cutoff = klass.cutoff(today)
    base = select(Item.id).where(Item.purged_at.is_(None))
    if klass.name == "closed_cases":
        statement = base.join(Case, Case.id == Item.case_id).where(*_closed_before(cutoff))
    elif klass.name in ("service_requests", "compliments"):
        kind = "service_request" if klass.name == "service_requests" else "compliment"
        statement = base.join(IntakeRecord, IntakeRecord.item_id == Item.id).where(
            IntakeRecord.kind == kind, IntakeRecord.received < cutoff,
            Item.case_id.is_(None))
    elif klass.name == "other_mail":
        statement = base.where(Item.status == "ignored", Item.received_at < _start_of(cutoff))
    else:  # quarantined_raw
        statement = base.where(Item.status == "quarantined", Item.raw_path != "",
                               Item.updated_at < _start_of(cutoff))
    return _not_held(statement).order_by(Item.id)


def due_cases(klass: RetentionClass, today: date) -> Select:
    if klass.name != "closed_cases":
        return select(Case.id).where(False)
    return select(Case.id).where(Case.purged_at.is_(None),
                                 *_closed_before(klass.cutoff(today))).order_by(Case.id)


def count(session: Session, statement: Select) -> int:
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def chunks(session: Session, statement: Select, size: int, after: int = 0
           ) -> Iterator[list[int]]:
    """Ids in chunks by keyset (never OFFSET), one short query each, from after `after`."""
    column = statement.selected_columns[0]
    while True:
        ids = list(session.scalars(statement.where(column > after).limit(size)))
        if not ids:
            return
        yield ids
        after = ids[-1]


def _among(session: Session, column, ids: list[int]):
    """`column IN ids`; on PostgreSQL as one array parameter, not a thousand."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("chunk_ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def purge_items(session: Session, ids: list[int], action: str) -> list[str]:
    """Remove the items' personal data (anonymise) or only their raw bytes (delete_raw);
    returns the raw files to delete once the transaction has committed."""
    paths = [p for p in session.scalars(select(Item.raw_path).where(
        _among(session, Item.id, ids))) if p]
    now = datetime.now(UTC)
    if action == "delete_raw":
        session.execute(update(Item).where(_among(session, Item.id, ids)).values(raw_path="")
                        .execution_options(synchronize_session=False))
        return paths
    session.execute(delete(ExtractedFields).where(_among(session, ExtractedFields.item_id, ids)))
    session.execute(delete(ItemPage).where(_among(session, ItemPage.item_id, ids)))
    session.execute(update(DraftLetter).where(_among(session, DraftLetter.item_id, ids),
                                              DraftLetter.case_id
                                              .is_(None)).values(subject=REMOVED, body=REMOVED,
                                                                 sent_to=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(Item).where(_among(session, Item.id, ids)).values(
        subject=None, text=None, raw_path="", message_id=None, resident_id=None, purged_at=now)
        .execution_options(synchronize_session=False))
    return paths


def purge_cases(session: Session, ids: list[int]) -> None:
    """A case keeps its stage, dates and outcome (the figures); the resident's name, contact
    and the letters' words go."""
    session.execute(update(Case).where(_among(session, Case.id, ids)).values(
        name=None, postcode=None, address=None, email=None, phone=None, contact_method=None,
        remedy=None, resident_id=None, purged_at=datetime.now(UTC))
        .execution_options(synchronize_session=False))
    session.execute(update(DraftLetter).where(_among(session, DraftLetter.case_id, ids)).values(
        subject=REMOVED, body=REMOVED, sent_to=None)
        .execution_options(synchronize_session=False))


def delete_raw_files(raw_dir: Path, paths: list[str]) -> None:
    for relative in paths:
        (raw_dir / relative).unlink(missing_ok=True)


def audit(session: Session, *, kind: str, record_class: str, action: str, count: int,
          dry_run: bool = False, by: str | None = None, reason: str | None = None,
          detail: dict[str, Any] | None = None) -> None:
    session.add(DataAudit(kind=kind, record_class=record_class, action=action, count=count,
                          dry_run=dry_run, by=by, reason=reason, detail=detail or {}))


_LOGS = {"access_log": AccessEntry, "login_attempts": LoginAttempt}


def count_log_entries(session: Session, klass: RetentionClass, today: date) -> int:
    """How many rows of a log class are older than its cut-off."""
    table = _LOGS[klass.name]
    return session.scalar(select(func.count()).select_from(table).where(
        table.at < _start_of(klass.cutoff(today)))) or 0


def delete_log_entries(session: Session, klass: RetentionClass, today: date) -> int:
    """Delete a log class's rows older than its cut-off, in one statement."""
    table = _LOGS[klass.name]
    done = session.execute(delete(table).where(table.at < _start_of(klass.cutoff(today))))
    return int(done.rowcount or 0)

