"""Hazard rows in and out of the hazard lifecycle's plain states; every change appended to
the hazard's event log. Writes what it is given: the reports come from workflow/."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.hazard_tables import HazardEvent, HazardRecord
from models.tables import Item
from workflow import hazard_lifecycle as life
from workflow.hazard_lifecycle import HazardChange, HazardState
from workflow.hazard_reports import HazardReport, priority

# The columns that hold a hazard's present, named as the lifecycle's state names them.
_STATE_COLUMNS = ("severity", "severity_confirmed", "status", "investigated_at",
                  "investigated_by", "found", "summary_sent_at", "made_safe_at",
                  "accommodation_offered_at", "preventative_started_at", "completed_at")


def state_of(row: HazardRecord) -> HazardState:
    return HazardState(
        type=row.type, severity=row.severity, proposed_severity=row.proposed_severity,
        aware_at=row.aware_at, status=row.status, severity_confirmed=row.severity_confirmed,
        investigated_at=row.investigated_at, investigated_by=row.investigated_by,
        found=row.found, summary_sent_at=row.summary_sent_at, made_safe_at=row.made_safe_at,
        accommodation_offered_at=row.accommodation_offered_at,
        preventative_started_at=row.preventative_started_at, completed_at=row.completed_at)


def record_change(session: Session, row: HazardRecord, change: HazardChange,
                  by: str | None = None) -> HazardEvent:
    """Append the change to the hazard's log (the table refuses edits and deletes)."""
    event = HazardEvent(hazard=row, at=change.at, kind=change.kind,
                        by=by or change.detail.get("by"), detail=change.detail)
    session.add(event)
    return event


def apply_change(session: Session, row: HazardRecord, state: HazardState,
                 change: HazardChange, by: str | None = None) -> HazardEvent:
    for column in _STATE_COLUMNS:
        setattr(row, column, getattr(state, column))
    row.priority = priority(state.severity, bool(row.vulnerability))
    return record_change(session, row, change, by)


def save_hazards(session: Session, item: Item, reports: tuple[HazardReport, ...] | list,
                 by: str | None = None) -> list[HazardRecord]:
    """A record for each reported hazard the item does not already have (a re-triage or an
    officer's mark adds what is new and never reopens or duplicates one)."""
    have = set(session.scalars(select(HazardRecord.type)
                               .where(HazardRecord.item_id == item.id)))
    added = []
    for report in reports:
        if report.type in have:
            continue
        state, change = life.report(report.type, report.proposal.severity, report.aware_at,
                                    evidence=report.evidence, signs=report.proposal.signs)
        row = HazardRecord(
            item_id=item.id, type=report.type, evidence=report.evidence,
            address=report.address, postcode=report.postcode,
            proposed_severity=state.proposed_severity, severity=state.severity,
            severity_confirmed=False, status=state.status, aware_at=state.aware_at,
            signs=[{"sign": sign, "evidence": words} for sign, words
                   in zip(report.proposal.signs, report.proposal.evidence, strict=True)],
            vulnerability=list(report.vulnerability), adjustments=list(report.adjustments),
            priority=report.priority)
        session.add(row)
        session.flush()
        record_change(session, row, change, by)
        have.add(report.type)
        added.append(row)
    return added
