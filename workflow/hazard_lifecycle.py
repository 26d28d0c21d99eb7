"""A reported hazard's life, as pure transitions: state in, (new state, event) out.

Reported, severity confirmed (or changed, with a reason), investigated (when, by whom, found
or not), summary sent, made safe, alternative accommodation offered, preventative work
started, completed. Each transition returns the event for the hazard's append-only log; one
that makes no sense (made safe before it was investigated, a summary before the
investigation, anything after completion) raises `RefusedTransition` and changes nothing.

Nothing else closes a hazard: confirming an exclusion or recording a service request on the
item that reported it leaves the hazard open, its clocks running.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from workflow.hazard_policy import SEVERITIES
from workflow.lifecycle import RefusedTransition

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class HazardState:
    """The present of a hazard record, as plain data (timestamps timezone-aware)."""

    type: str
    severity: str                  # the officer's, once confirmed; else the proposed one
    proposed_severity: str
    aware_at: datetime
    status: str = OPEN
    severity_confirmed: bool = False
    investigated_at: datetime | None = None
    investigated_by: str | None = None
    found: bool | None = None
    summary_sent_at: datetime | None = None
    made_safe_at: datetime | None = None
    accommodation_offered_at: datetime | None = None
    preventative_started_at: datetime | None = None
    completed_at: datetime | None = None

    def event_times(self) -> dict[str, datetime | None]:
        """When each clock-stopping event happened (None: not yet)."""
        return {"investigated": self.investigated_at, "summary_sent": self.summary_sent_at,
                "made_safe": self.made_safe_at,
                "accommodation_offered": self.accommodation_offered_at,
                "preventative_started": self.preventative_started_at,
                "completed": self.completed_at}


@dataclass(frozen=True)
class HazardChange:
    """One entry for the hazard's append-only event log."""

    kind: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


def _when(at: datetime) -> str:
    return at.isoformat(timespec="minutes")


def report(hazard: str, proposed_severity: str, aware_at: datetime, *, evidence: str,
           signs: tuple[str, ...] = ()) -> tuple[HazardState, HazardChange]:
    """A hazard reported in an item: open, with the severity the text suggests."""
    if aware_at.tzinfo is None:
        raise ValueError("aware_at must be timezone-aware")
    if proposed_severity not in SEVERITIES:
        raise RefusedTransition(f"severity is one of {', '.join(SEVERITIES)}")
    state = HazardState(type=hazard, severity=proposed_severity,
                        proposed_severity=proposed_severity, aware_at=aware_at)
    return state, HazardChange("reported", aware_at, {
        "type": hazard, "proposed_severity": proposed_severity, "evidence": evidence,
        "signs": list(signs)})


def _check(state: HazardState, doing: str, at: datetime, by: str | None) -> None:
    if state.status == CLOSED:
        raise RefusedTransition(f"cannot {doing}: the hazard was completed on "
                                f"{_when(state.completed_at or state.aware_at)} and is closed")
    if at.tzinfo is None:
        raise RefusedTransition(f"cannot {doing}: give the time with its time zone")
    if at.astimezone(UTC) < state.aware_at.astimezone(UTC):
        raise RefusedTransition(f"cannot {doing} at {_when(at)}, before the landlord became "
                                f"aware of the hazard ({_when(state.aware_at)})")
    if by is not None and not by.strip():
        raise RefusedTransition(f"cannot {doing}: name the officer who did it")


def _check_after_investigation(state: HazardState, doing: str, at: datetime,
                               *, needs_found: bool) -> None:
    if state.investigated_at is None:
        raise RefusedTransition(f"cannot {doing} before the hazard is investigated: record "
                                "the investigation first")
    if at.astimezone(UTC) < state.investigated_at.astimezone(UTC):
        raise RefusedTransition(f"cannot {doing} at {_when(at)}, before the investigation "
                                f"({_when(state.investigated_at)})")
    if needs_found and state.found is False:
        raise RefusedTransition(f"cannot {doing}: the investigation found no hazard")


def confirm_severity(state: HazardState, severity: str, officer: str, reason: str,
                     at: datetime) -> tuple[HazardState, HazardChange]:
    """An officer confirms the proposed severity, or changes it; a change needs a reason."""
    _check(state, "confirm the severity", at, officer)
    if severity not in SEVERITIES:
        raise RefusedTransition(f"severity is one of {', '.join(SEVERITIES)}, not {severity!r}")
    if severity != state.severity and not reason.strip():
        raise RefusedTransition(f"changing the severity from {state.severity} to {severity} "
                                "needs a reason")
    new = replace(state, severity=severity, severity_confirmed=True)
    return new, HazardChange("severity_confirmed", at, {
        "severity": severity, "previous": state.severity, "changed": severity != state.severity,
        "reason": reason.strip() or None, "by": officer})


def investigate(state: HazardState, at: datetime, by: str, found: bool,
                note: str | None = None) -> tuple[HazardState, HazardChange]:
    """The investigation ended at `at`: who did it, and whether the hazard was found."""
    _check(state, "record the investigation", at, by)
    if state.investigated_at is not None:
        raise RefusedTransition(f"the hazard was already investigated at "
                                f"{_when(state.investigated_at)} by {state.investigated_by}")
    new = replace(state, investigated_at=at, investigated_by=by.strip(), found=found)
    return new, HazardChange("investigated", at, {
        "by": by.strip(), "found": found, "note": (note or "").strip() or None})


def send_summary(state: HazardState, at: datetime, by: str | None = None
                 ) -> tuple[HazardState, HazardChange]:
    """The written summary of the investigation's findings was sent to the resident."""
    _check(state, "record the summary", at, by)
    _check_after_investigation(state, "send the summary", at, needs_found=False)
    if state.summary_sent_at is not None:
        raise RefusedTransition(f"the summary was already sent at "
                                f"{_when(state.summary_sent_at)}")
    return (replace(state, summary_sent_at=at),
            HazardChange("summary_sent", at, {"by": by, "found": state.found}))


def _record_once(state: HazardState, at: datetime, by: str, *, field: str, kind: str,
                 recording: str, doing: str, already: str, detail: dict[str, object]
                 ) -> tuple[HazardState, HazardChange]:
    """A step after a found hazard's investigation, recorded once: its time on the state and
    its change with who did it and what they said."""
    _check(state, recording, at, by)
    _check_after_investigation(state, doing, at, needs_found=True)
    recorded = getattr(state, field)
    if recorded is not None:
        raise RefusedTransition(f"{already} at {_when(recorded)}")
    note = {key: (str(value or "")).strip() or None for key, value in detail.items()}
    return replace(state, **{field: at}), HazardChange(kind, at, {"by": by, **note})


def make_safe(state: HazardState, at: datetime, by: str, how: str | None = None
              ) -> tuple[HazardState, HazardChange]:
    """The work to make the home safe was done."""
    return _record_once(state, at, by, field="made_safe_at", kind="made_safe",
                        recording="record the home made safe", doing="make the home safe",
                        already="the home was already made safe", detail={"how": how})


def offer_accommodation(state: HazardState, at: datetime, by: str, where: str | None = None
                        ) -> tuple[HazardState, HazardChange]:
    """Suitable alternative accommodation was offered while the home cannot be made safe."""
    return _record_once(state, at, by, field="accommodation_offered_at",
                        kind="accommodation_offered",
                        recording="record accommodation offered",
                        doing="offer alternative accommodation",
                        already="alternative accommodation was already offered",
                        detail={"where": where})


def start_preventative(state: HazardState, at: datetime, by: str, what: str | None = None
                       ) -> tuple[HazardState, HazardChange]:
    """Further work to stop the hazard coming back was started (or steps taken to start it)."""
    return _record_once(state, at, by, field="preventative_started_at",
                        kind="preventative_started",
                        recording="record preventative work started",
                        doing="start preventative work",
                        already="preventative work was already started", detail={"what": what})


def complete(state: HazardState, at: datetime, by: str, note: str | None = None
             ) -> tuple[HazardState, HazardChange]:
    """The hazard is dealt with and the record closes: investigated, the resident told in
    writing, and, where it was found, the home made safe."""
    _check(state, "complete the hazard", at, by)
    _check_after_investigation(state, "complete the hazard", at, needs_found=False)
    if state.summary_sent_at is None:
        raise RefusedTransition("cannot complete the hazard before the resident is sent the "
                                "written summary of the investigation")
    if state.found and state.made_safe_at is None:
        raise RefusedTransition("cannot complete the hazard: it was found and the home has not "
                                "been recorded as made safe")
    return (replace(state, status=CLOSED, completed_at=at),
            HazardChange("completed", at, {"by": by, "found": state.found,
                                           "note": (note or "").strip() or None}))


TRANSITIONS = {
    "confirm_severity": confirm_severity, "investigate": investigate,
    "send_summary": send_summary, "make_safe": make_safe,
    "offer_accommodation": offer_accommodation, "start_preventative": start_preventative,
    "complete": complete,
}
