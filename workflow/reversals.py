"""Reversing an officer's decision on a case, as pure transitions: each is a new event with
who and why (the log is never edited), and the case's present goes back to what it was.

- `reverse_refusal`: a confirmed exclusion was wrong; the case is an open complaint again.
- `undo_escalation`: the case was escalated by mistake; the earlier stage's present, kept in
  the escalation's event, is restored.
- `opened_in_error`: the case should never have been opened (its item is re-queued); it is
  withdrawn, and the year's figures leave it out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from core.labels import CaseStatus
from workflow.lifecycle import STAGE_FIELDS, CaseChange, CaseState, RefusedTransition

OPENED_IN_ERROR = "opened_in_error"


def _reason(why: str, doing: str) -> str:
    why = " ".join((why or "").split())
    if not why:
        raise RefusedTransition(f"say why the {doing} is reversed: it is kept in the case's log")
    if len(why) > 2000:
        raise RefusedTransition("the reason is longer than 2,000 characters")
    return why


def reverse_refusal(state: CaseState, officer: str, why: str, on: date
                    ) -> tuple[CaseState, CaseChange]:
    if state.status != CaseStatus.REFUSED:
        raise RefusedTransition(f"{state.ref} is {state.status}, not refused: there is no "
                                "refusal to reverse")
    why = _reason(why, "refusal")
    return (replace(state, status=CaseStatus.OPEN, refused_reason=None),
            CaseChange("refusal_reversed", state.stage, {
                "reason_was": state.refused_reason, "why": why, "officer": officer,
                "on": on.isoformat()}))


def _restored(state: CaseState, previous: dict[str, Any]) -> CaseState:
    values: dict[str, Any] = {}
    for name in STAGE_FIELDS:
        value = previous.get(name)
        if name in {"stage_started", "acknowledge_by", "respond_by", "acknowledged_on",
                    "responded_on"}:
            value = date.fromisoformat(value) if value else None
        elif name == "earlier_officers":
            value = tuple(value or ())
        values[name] = value
    if values["stage_started"] is None or values["respond_by"] is None:
        raise RefusedTransition(f"the escalation of {state.ref} kept no earlier stage to "
                                "restore")
    values["extension_days"] = int(values["extension_days"] or 0)
    return replace(state, **values)


def undo_escalation(state: CaseState, escalated: CaseChange | None, officer: str, why: str
                    ) -> tuple[CaseState, CaseChange]:
    """Back to the stage before the latest escalation, as it was then."""
    if escalated is None or escalated.kind != "escalated" or escalated.stage != state.stage:
        raise RefusedTransition(f"{state.ref} was not escalated to its present stage "
                                f"({state.stage}): there is no escalation to undo")
    previous = escalated.detail.get("previous_state")
    if not isinstance(previous, dict):
        raise RefusedTransition(f"the escalation of {state.ref} was recorded before undo was "
                                "possible: escalate or close the case instead")
    if state.status == CaseStatus.REFUSED:
        raise RefusedTransition(f"{state.ref} was refused at stage {state.stage}: reverse the "
                                "refusal first")
    why = _reason(why, "escalation")
    restored = _restored(state, previous)
    return restored, CaseChange("escalation_undone", state.stage, {
        "back_to_stage": restored.stage, "status": restored.status, "why": why,
        "officer": officer, "respond_by": restored.respond_by.isoformat()})


def opened_in_error(state: CaseState, officer: str, why: str, item_id: int
                    ) -> tuple[CaseState, CaseChange]:
    """The case's only item is re-queued: the case is withdrawn, never counted."""
    why = _reason(why, "decision that opened the case")
    return (replace(state, status=CaseStatus.WITHDRAWN, outcome=OPENED_IN_ERROR),
            CaseChange(OPENED_IN_ERROR, state.stage, {
                "item": item_id, "status_was": state.status, "why": why,
                "officer": officer}))
