"""The hazard lane's service: open hazards with their clocks, and officers' changes to a
hazard through the pure lifecycle, one transaction each, for the command line, the web app
and the deadline watch alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from models.casework import store_draft
from models.db import session_scope
from models.hazard_tables import HazardRecord
from models.hazards import apply_change, state_of
from models.tables import Case, ExtractedFields, Item
from workflow import hazard_lifecycle as life
from workflow.hazard_clocks import clocks, time_left
from workflow.hazard_letters import render_summary
from workflow.hazard_policy import HazardPolicy, load_hazard_policy
from workflow.officer_review import DecisionError

HazardError = DecisionError


def hazard_policy(settings: Settings) -> HazardPolicy:
    return load_hazard_policy(settings.hazard_policy)


def now_utc() -> datetime:
    return datetime.now(UTC)


def hazard_view(row: HazardRecord, policy: HazardPolicy, now: datetime,
                case_ref: str | None = None, *, events: bool = True) -> dict[str, Any]:
    """A hazard with its clocks and the time left on the next one (hours for an hours clock,
    working days otherwise), vulnerability first as the officer sees it."""
    state = state_of(row)
    zone = policy.zone
    running = clocks(state, policy)
    upcoming = min((c for c in running if not c.met), key=lambda c: c.due_at, default=None)
    left, unit = time_left(upcoming, now, policy) if upcoming else (None, None)
    phase = policy.phase_for(row.type, row.severity, row.aware_at.astimezone(zone).date())
    pending = policy.pending_phase(row.type, row.severity)
    investigate = next((c for c in running if c.step == "investigate"), None)
    return {
        "id": row.id, "item_id": row.item_id, "case_ref": case_ref,
        "vulnerability": list(row.vulnerability or []), "type": row.type,
        "severity": row.severity, "proposed_severity": row.proposed_severity,
        "confirmed": row.severity_confirmed, "severity_confirmed": row.severity_confirmed,
        "priority": row.priority,
        # The contract's: a date-time for an hours clock, a date for a working-day one.
        "investigate_by": (None if investigate is None else investigate.due_on.isoformat()
                           if investigate.due_on else
                           investigate.due_at.astimezone(zone).isoformat(timespec="minutes")),
        "status": row.status, "evidence": row.evidence, "signs": list(row.signs or []),
        "address": row.address, "postcode": row.postcode,
        "adjustments": list(row.adjustments or []),
        "aware_at": row.aware_at.astimezone(zone).isoformat(timespec="minutes"),
        "phase": phase.name if phase else None,
        "not_yet_in_force": None if phase else (pending.name if pending else "not listed"),
        "next_step": upcoming.step if upcoming else None,
        "due_at": upcoming.due_at.astimezone(zone).isoformat(timespec="minutes")
        if upcoming else None,
        "due_text": _due_text(upcoming, zone), "time_left": left, "time_left_unit": unit,
        "overdue": bool(upcoming and upcoming.overdue(now)),
        "clocks": [c.as_dict(now, zone) for c in running],
        "events": [{"at": e.at.astimezone(zone).isoformat(timespec="minutes"), "kind": e.kind,
                    "by": e.by, "detail": e.detail} for e in row.events] if events else [],
    }


def _due_text(clock, zone) -> str | None:
    """`Sat 5 Dec 03:41` for an hours clock; `Fri 18 Dec` (by the end of it) for a
    working-day one."""
    if clock is None:
        return None
    if clock.due_on is not None:
        return f"{clock.due_on:%a} {clock.due_on.day} {clock.due_on:%b %Y}"
    local = clock.due_at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


def time_left_text(view: dict[str, Any]) -> str:
    """`5h left`, `2h overdue`, `3 working days left`: what the lane and `triage hazards`
    both show."""
    if view["time_left"] is None:
        return "no clock running" if view["status"] == "open" else "closed"
    amount, unit = view["time_left"], view["time_left_unit"]
    if unit == "hours":
        return f"{-amount}h overdue" if view["overdue"] else f"{amount}h left"
    days = abs(amount)
    noun = "working day" if days == 1 else "working days"
    if view["overdue"]:
        return f"{days} {noun} overdue" if days else "overdue"
    return "due today" if amount == 0 else f"{amount} {noun} left"


def _sort_key(view: dict[str, Any]) -> tuple:
    """Overdue first, then priority (emergency, vulnerable household, the rest), then the
    nearest due instant; hazards with no clock running last."""
    due = view["due_at"] or "9999"
    return (not view["overdue"], view["priority"], view["due_at"] is None,
            datetime.fromisoformat(due).astimezone(UTC).isoformat() if view["due_at"] else due)


def open_hazards(settings: Settings, *, due_hours: float | None = None,
                 now: datetime | None = None) -> list[dict[str, Any]]:
    """Open hazards, most pressing first; with `due_hours`, those whose next clock falls due
    within that many hours (or is overdue)."""
    policy, now = hazard_policy(settings), now or now_utc()
    with session_scope(settings.resolved_database_url) as session:
        return select_open(session, policy, now, due_hours)


def select_open(session: Session, policy: HazardPolicy, now: datetime,
                due_hours: float | None = None) -> list[dict[str, Any]]:
    """Open hazards with their clocks (their logs are on each hazard's own page)."""
    rows = session.execute(select(HazardRecord, Case.ref)
                           .join(Item, Item.id == HazardRecord.item_id)
                           .outerjoin(Case, Case.id == Item.case_id)
                           .where(HazardRecord.status == life.OPEN)).all()
    views = []
    for row, case_ref in rows:
        view = hazard_view(row, policy, now, case_ref, events=False)
        if due_hours is not None:
            if view["due_at"] is None:
                continue
            due = datetime.fromisoformat(view["due_at"])
            if (due - now).total_seconds() > due_hours * 3600:
                continue
        views.append(view)
    return sorted(views, key=_sort_key)


def show(settings: Settings, hazard_id: int, now: datetime | None = None) -> dict[str, Any]:
    policy = hazard_policy(settings)
    with session_scope(settings.resolved_database_url) as session:
        row = _hazard(session, hazard_id)
        case = row.item.case
        return hazard_view(row, policy, now or now_utc(), case.ref if case else None)


def _hazard(session: Session, hazard_id: int) -> HazardRecord:
    row = session.scalar(select(HazardRecord).where(HazardRecord.id == hazard_id)
                         .with_for_update())
    if row is None:
        raise HazardError(f"there is no hazard {hazard_id}")
    return row


def happened_at(at: datetime | None, doing: str) -> datetime:
    """When something already happened: now unless given, never in the future."""
    now = now_utc()
    if at is None:
        return now
    if at.tzinfo is None:
        raise HazardError(f"cannot {doing}: give the time with its time zone")
    if at > now:
        raise HazardError(f"cannot {doing} at {at.isoformat(timespec='minutes')}: that is "
                          "in the future; give the time it happened")
    return at


def change(settings: Settings, hazard_id: int, step: str, *, at: datetime | None = None,
           by: str, **values: Any) -> dict[str, Any]:
    """Apply one lifecycle transition to a stored hazard and log it; an investigation drafts
    the written summary for the resident. A refused transition changes nothing."""
    if step not in life.TRANSITIONS:
        raise HazardError(f"unknown step {step!r}; one of {', '.join(life.TRANSITIONS)}")
    when = happened_at(at, step.replace("_", " "))
    policy = hazard_policy(settings)
    with session_scope(settings.resolved_database_url) as session:
        row = _hazard(session, hazard_id)
        transition = life.TRANSITIONS[step]
        if step == "confirm_severity":
            new, event = transition(state_of(row), values["severity"], by,
                                    values.get("reason") or "", when)
        elif step == "send_summary":
            new, event = transition(state_of(row), when, by)
        else:
            extra = {k: v for k, v in values.items() if v is not None}
            new, event = transition(state_of(row), when, by, **extra)
        apply_change(session, row, new, event, by)
        if step == "investigate":
            draft_summary(session, row, policy, values.get("note"))
        session.flush()
        case = row.item.case
        return hazard_view(row, policy, now_utc(), case.ref if case else None)


def draft_summary(session: Session, row: HazardRecord, policy: HazardPolicy,
                  findings: str | None) -> None:
    """The written summary of the investigation, drafted for an officer to check and send."""
    state = state_of(row)
    zone = policy.zone
    by_step = {c.step: c for c in clocks(state, policy)}
    fields = session.get(ExtractedFields, row.item_id)
    adjustments = list(row.adjustments or (fields.adjustments if fields else None) or [])

    def day(step: str):
        clock = by_step.get(step)
        return clock.due_on or clock.due_at.astimezone(zone).date() if clock else None

    context = {
        "hazard": row.type, "address": row.address, "postcode": row.postcode,
        "name": fields.name if fields else None,
        "representative": fields.representative if fields else None,
        "aware_at": row.aware_at.astimezone(zone).date(),
        "investigated_at": state.investigated_at.astimezone(zone).date()
        if state.investigated_at else None,
        "found": bool(state.found), "findings": (findings or "").strip() or None,
        "make_safe_by": day("make_safe"), "preventative_by": day("preventative_work"),
        "made_safe_at": state.made_safe_at.astimezone(zone).date()
        if state.made_safe_at else None,
    }
    draft, large = render_summary(policy, context, adjustments)
    store_draft(session, draft, item_id=row.item_id, hazard_id=row.id, large=large)


@dataclass(frozen=True)
class HazardCounts:
    """What the watch records: counts only, never a name, address, postcode or reference."""

    within_hours: int
    at: str
    open: int
    emergency: int
    unconfirmed: int
    overdue: int
    overdue_emergency: int
    due: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def hazard_counts(settings: Settings, within_hours: int, now: datetime | None = None
                  ) -> HazardCounts:
    """Open hazards, the emergencies among them, those whose next clock has passed, and
    those falling due within `within_hours` hours."""
    now = now or now_utc()
    views = open_hazards(settings, now=now)
    overdue = [v for v in views if v["overdue"]]
    due = [v for v in views if not v["overdue"] and v["due_at"] and
           (datetime.fromisoformat(v["due_at"]) - now).total_seconds() <= within_hours * 3600]
    return HazardCounts(
        within_hours=within_hours, at=now.isoformat(timespec="minutes"), open=len(views),
        emergency=sum(v["severity"] == "emergency" for v in views),
        unconfirmed=sum(not v["confirmed"] for v in views), overdue=len(overdue),
        overdue_emergency=sum(v["severity"] == "emergency" for v in overdue), due=len(due))
