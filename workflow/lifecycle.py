"""A case's life under its policy, as pure transitions: state in, (new state, event) out.

Every transition returns the event that records it, so the append-only log is the history of
the case and the row only its present. A transition the policy does not allow raises
`RefusedTransition` with a reason an officer can act on; nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from core.labels import CaseStatus
from workflow.calendar import working_days_between
from workflow.policy import Policy
from workflow.staging import CaseDraft, stage_case


class RefusedTransition(ValueError):
    """The policy does not allow this change to this case; the message says why."""


# Outcomes a stage response records; `withdrawn` closes a case with no response sent.
OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "resolved", "withdrawn")


@dataclass(frozen=True)
class CaseState:
    """The present of a case: what the row holds, as plain data."""

    ref: str
    policy: str
    stage: int
    status: str
    received: date
    stage_started: date
    handler: str
    acknowledge_by: date | None
    respond_by: date
    officer: str | None = None
    acknowledged_on: date | None = None
    extension_days: int = 0
    responded_on: date | None = None
    outcome: str | None = None
    remedy: str | None = None
    refused_reason: str | None = None
    # Officers who handled earlier stages: a later, independent stage needs someone else.
    earlier_officers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseChange:
    """One entry for the case's append-only event log."""

    kind: str
    stage: int
    detail: dict[str, Any] = field(default_factory=dict)


# The columns of a stage's present that an escalation replaces: kept in its event, so an
# escalation made by mistake can be undone exactly (workflow/reversals.py).
STAGE_FIELDS = ("stage", "status", "handler", "stage_started", "acknowledge_by", "respond_by",
                "officer", "acknowledged_on", "extension_days", "responded_on", "outcome",
                "remedy", "earlier_officers")


def snapshot(state: CaseState) -> dict[str, Any]:
    """The stage's present as plain JSON data."""
    values = {name: getattr(state, name) for name in STAGE_FIELDS}
    return {name: (value.isoformat() if isinstance(value, date) else
                   list(value) if isinstance(value, tuple) else value)
            for name, value in values.items()}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _deadlines(state: CaseState) -> dict[str, Any]:
    return {"handler": state.handler, "started": state.stage_started.isoformat(),
            "acknowledge_by": _iso(state.acknowledge_by),
            "respond_by": state.respond_by.isoformat()}


def open_case(policy: Policy, ref: str, received: date, *, officer: str | None = None
              ) -> tuple[CaseState, CaseChange]:
    """A complaint opens a case at stage 1 with the deadlines counted from its receipt."""
    return opened_case(stage_case(policy, 1, received), ref, officer=officer)


def opened_case(draft: CaseDraft, ref: str, *, officer: str | None = None
                ) -> tuple[CaseState, CaseChange]:
    """The case a draft opens once it has a reference, with the draft's own deadlines."""
    state = CaseState(ref=ref, policy=draft.policy, stage=draft.stage, status=CaseStatus.OPEN,
                      received=draft.started, stage_started=draft.started,
                      handler=draft.handler, acknowledge_by=draft.acknowledge_by,
                      respond_by=draft.respond_by, officer=officer)
    return state, CaseChange("opened", draft.stage, {**_deadlines(state), "officer": officer})


def add_follow_up(state: CaseState, *, matched_by: str) -> CaseChange:
    """A further message from the resident on the case; the case itself does not change."""
    return CaseChange("follow_up", state.stage, {"matched_by": matched_by,
                                                  "status": state.status})


def _require_open(state: CaseState, doing: str) -> None:
    if state.status != CaseStatus.OPEN:
        raise RefusedTransition(f"cannot {doing} {state.ref}: it is {state.status} at stage "
                                f"{state.stage}, not open")


def _check_independent(policy: Policy, state: CaseState, stage: int, officer: str | None,
                       earlier: tuple[str, ...]) -> None:
    if officer and policy.stage(stage).independent and officer in earlier:
        raise RefusedTransition(
            f"{officer} handled an earlier stage of {state.ref}; {policy.id} stage {stage} "
            f"must be handled by a different person ({policy.stage(stage).handler})")


def assign(state: CaseState, policy: Policy, officer: str) -> tuple[CaseState, CaseChange]:
    """Name the officer handling the current stage."""
    if not officer.strip():
        raise RefusedTransition("name the officer to assign")
    if state.status in (CaseStatus.REFUSED, CaseStatus.WITHDRAWN):
        raise RefusedTransition(f"cannot assign {state.ref}: it is {state.status}")
    _check_independent(policy, state, state.stage, officer, state.earlier_officers)
    return (replace(state, officer=officer),
            CaseChange("assigned", state.stage, {"officer": officer, "previous": state.officer}))


def acknowledge(state: CaseState, policy: Policy, on: date) -> tuple[CaseState, CaseChange]:
    """The stage was acknowledged on `on`; a response counted from it is re-dated."""
    _require_open(state, "acknowledge")
    if state.acknowledged_on is not None:
        raise RefusedTransition(f"{state.ref} stage {state.stage} was already acknowledged on "
                                f"{state.acknowledged_on.isoformat()}")
    if on < state.stage_started:
        raise RefusedTransition(f"cannot acknowledge {state.ref} on {on.isoformat()}, before "
                                f"stage {state.stage} began ({state.stage_started.isoformat()})")
    respond_by = policy.respond_by(state.stage, state.stage_started, received=state.received,
                                   acknowledged=on, extension_days=state.extension_days)
    late = state.acknowledge_by is not None and on > state.acknowledge_by
    new = replace(state, acknowledged_on=on, respond_by=respond_by)
    return new, CaseChange("acknowledged", state.stage, {
        "on": on.isoformat(), "acknowledge_by": _iso(state.acknowledge_by), "late": late,
        "respond_by": respond_by.isoformat()})


def extend(state: CaseState, policy: Policy, days: int, reason: str, on: date
           ) -> tuple[CaseState, CaseChange]:
    """More time to respond, with the reason the resident is given, within the stage's maximum."""
    _require_open(state, "extend")
    if days <= 0:
        raise RefusedTransition("an extension is a positive number of working days")
    if not reason.strip():
        raise RefusedTransition(f"an extension of {state.ref} needs the reason the resident "
                                "is given")
    allowed = policy.stage(state.stage).max_extension_days
    total = state.extension_days + days
    if total > allowed:
        already = f" ({state.extension_days} already granted)" if state.extension_days else ""
        raise RefusedTransition(
            f"cannot extend {state.ref} by {days} working days{already}: {policy.id} allows "
            f"at most {allowed} at stage {state.stage}")
    respond_by = policy.respond_by(state.stage, state.stage_started, received=state.received,
                                   acknowledged=state.acknowledged_on, extension_days=total)
    new = replace(state, extension_days=total, respond_by=respond_by)
    return new, CaseChange("extended", state.stage, {
        "days": days, "total_days": total, "max_days": allowed, "reason": reason.strip(),
        "on": on.isoformat(), "previous_respond_by": state.respond_by.isoformat(),
        "respond_by": respond_by.isoformat(), "ombudsman_contact": policy.ombudsman_contact})


def close_case(state: CaseState, policy: Policy, on: date, outcome: str,
               remedy: str | None = None) -> tuple[CaseState, CaseChange]:
    """The stage's response was sent on `on` with its outcome and any remedy offered."""
    _require_open(state, "close")
    if outcome not in OUTCOMES:
        raise RefusedTransition(f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
    if on < state.stage_started:
        raise RefusedTransition(f"cannot close {state.ref} on {on.isoformat()}, before stage "
                                f"{state.stage} began ({state.stage_started.isoformat()})")
    responded = outcome != "withdrawn"
    status = CaseStatus.CLOSED if responded else CaseStatus.WITHDRAWN
    new = replace(state, status=status, responded_on=on if responded else None,
                  outcome=outcome, remedy=(remedy or "").strip() or None)
    return new, CaseChange("closed", state.stage, {
        "on": on.isoformat(), "outcome": outcome, "remedy": new.remedy,
        "responded": responded, "respond_by": state.respond_by.isoformat(),
        "extension_days": state.extension_days, "on_time": responded and on <= state.respond_by,
        "working_days": working_days_between(state.stage_started, on, policy.nation),
        "final_stage": state.stage == policy.final_stage})


def escalate(state: CaseState, policy: Policy, requested: date, *, officer: str | None = None
             ) -> tuple[CaseState, CaseChange]:
    """The resident asked for the next stage on `requested`: new deadlines, another handler."""
    if state.status == CaseStatus.REFUSED:
        raise RefusedTransition(
            f"cannot escalate {state.ref}: it was refused ({state.refused_reason}); the "
            "resident may take the refusal to the Housing Ombudsman instead")
    if state.status == CaseStatus.WITHDRAWN:
        raise RefusedTransition(f"cannot escalate {state.ref}: the resident withdrew it")
    if state.stage >= policy.final_stage:
        raise RefusedTransition(
            f"cannot escalate {state.ref}: stage {state.stage} is {policy.id}'s final stage; "
            f"the resident may refer it to the Housing Ombudsman ({policy.ombudsman_contact})")
    if requested < state.stage_started:
        raise RefusedTransition(f"an escalation of {state.ref} cannot be requested on "
                                f"{requested.isoformat()}, before stage {state.stage} began")
    stage = state.stage + 1
    earlier = (*state.earlier_officers, *([state.officer] if state.officer else []))
    _check_independent(policy, state, stage, officer, earlier)
    acknowledge_by, respond_by = policy.stage_deadlines(stage, requested, state.received)
    new = replace(state, stage=stage, status=CaseStatus.OPEN, stage_started=requested,
                  handler=policy.stage(stage).handler, acknowledge_by=acknowledge_by,
                  respond_by=respond_by, officer=officer, acknowledged_on=None,
                  extension_days=0, responded_on=None, outcome=None, remedy=None,
                  earlier_officers=earlier)
    return new, CaseChange("escalated", stage, {
        **_deadlines(new), "from_stage": state.stage, "previous_status": state.status,
        "officer": officer, "requested": requested.isoformat(),
        "previous_state": snapshot(state)})


def refuse(state: CaseState, policy: Policy, reason: str, officer: str, on: date,
           note: str | None = None) -> tuple[CaseState, CaseChange]:
    """An officer refuses the complaint for a reason the policy allows, recorded with the case."""
    if state.status == CaseStatus.REFUSED:
        raise RefusedTransition(f"{state.ref} was already refused ({state.refused_reason})")
    check_refusal(policy, reason, officer)
    new = replace(state, status=CaseStatus.REFUSED, refused_reason=reason)
    return new, CaseChange("refused", state.stage, {
        "reason": reason, "officer": officer, "on": on.isoformat(), "note": note,
        "ombudsman_contact": policy.ombudsman_contact})


def check_refusal(policy: Policy, reason: str, officer: str) -> None:
    """A refusal needs a person and a reason the policy lists: no blanket exclusions."""
    if not officer.strip():
        raise RefusedTransition("a refusal is confirmed by a named officer")
    if reason not in policy.exclusions:
        raise RefusedTransition(
            f"{policy.id} does not allow refusing a complaint for {reason!r}; its exclusions "
            f"are {', '.join(policy.exclusions) or 'none'}")


def next_deadline(state: CaseState) -> tuple[str, date] | None:
    """The step due next on an open case: its acknowledgement, else its response."""
    if state.status != CaseStatus.OPEN:
        return None
    if state.acknowledge_by is not None and state.acknowledged_on is None:
        return "acknowledge", state.acknowledge_by
    return "respond", state.respond_by


def is_due(state: CaseState, today: date, within: int, nation: str) -> bool:
    """Due within `within` working days of today, or already overdue."""
    upcoming = next_deadline(state)
    if upcoming is None:
        return False
    return working_days_between(today, upcoming[1], nation) <= within


def due_standing(state: CaseState, today: date, within: int, nation: str) -> str | None:
    """`overdue` once the next deadline has passed, `due` within `within` working days of
    today, else None: the deadline watch's two counts, split as `is_due` does not."""
    upcoming = next_deadline(state)
    if upcoming is None:
        return None
    if upcoming[1] < today:
        return "overdue"
    return "due" if working_days_between(today, upcoming[1], nation) <= within else None
