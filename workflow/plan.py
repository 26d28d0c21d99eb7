"""What a decision on an item comes to, as one plan that persistence applies as it is given.

The rules (workflow/rules.py) or an officer (workflow/officer_review.py) choose an action;
`plan_for` turns it into everything that will be written: the case to open with its deadlines,
the case to add to or escalate with its new state, the record of what the item became, the
review it waits for, the letter to draft. Deadlines are computed here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from classify.fields import Extraction
from core.labels import Action, ItemStatus
from workflow.drafts import Draft, refusal_reason_text, render_draft, summarise
from workflow.lifecycle import (
    CaseChange,
    CaseState,
    RefusedTransition,
    add_follow_up,
    escalate,
    opened_case,
    refuse,
)
from workflow.officer_review import review_deadline, review_reason_of
from workflow.policy import Policy
from workflow.records import (
    Record,
    record_archived,
    record_compliment,
    record_proposed_exclusion,
    record_service_request,
)
from workflow.rules import Decision, ThreadMatch
from workflow.staging import CaseDraft, stage_case


@dataclass(frozen=True)
class ReviewHold:
    """The item waits for an officer: why, and by when they must decide."""

    reason: str
    due: date | None


@dataclass(frozen=True)
class OfficerRefusal:
    """An officer's confirmed exclusion: the complaint is logged, then refused."""

    reason: str
    officer: str
    on: date
    note: str | None
    proposed_reason: str | None


@dataclass(frozen=True)
class CaseOpening:
    """A case to open at the draft's stage and deadlines, once it has a reference."""

    draft: CaseDraft
    letter: str  # acknowledgement, or refusal when `refusal` is set
    raised_from_request: int | None = None  # the service request the resident replied to
    refusal: OfficerRefusal | None = None
    letter_context: dict[str, Any] = field(default_factory=dict)  # what the letter adds
    # A later stage opened for a case this system does not hold: its reference, as quoted.
    earlier_ref: str | None = None

    def transitions(self, ref: str, policy: Policy) -> list[tuple[CaseState, CaseChange]]:
        """The new case's states in order: opened, then refused if the officer refused it."""
        state, change = opened_case(self.draft, ref)
        if self.raised_from_request is not None:
            change = CaseChange(change.kind, change.stage, {
                **change.detail, "raised_from_service_request": self.raised_from_request})
        if self.earlier_ref is not None:
            change = CaseChange(change.kind, change.stage, {
                **change.detail, "earlier_ref": self.earlier_ref})
        steps = [(state, change)]
        if self.refusal is not None:
            r = self.refusal
            refused, refusal = refuse(state, policy, r.reason, r.officer, r.on, r.note)
            steps.append((refused, CaseChange(refusal.kind, refusal.stage, {
                **refusal.detail, "proposed_reason": r.proposed_reason})))
        return steps


@dataclass(frozen=True)
class CaseUpdate:
    """A change to an existing case: a follow-up, an escalation, or a refused escalation."""

    case_ref: str
    change: CaseChange
    new_state: CaseState | None = None  # written for an escalation; None leaves the case as is
    letter: str | None = None


@dataclass(frozen=True)
class Plan:
    """Everything one decision writes; `models.plans.apply_plan` applies it."""

    action: str
    status: str  # the item's status afterwards
    received: date  # day 0 of the item under the policy
    review: ReviewHold | None = None
    opening: CaseOpening | None = None
    update: CaseUpdate | None = None
    record: Record | None = None
    reply: Draft | None = None  # a letter drafted for an item without a case

    @property
    def case(self) -> CaseDraft | None:
        """The stage and deadlines of the case this plan opens or escalates, if any."""
        if self.opening is not None:
            return self.opening.draft
        state = self.update.new_state if self.update else None
        if state is None:
            return None
        return CaseDraft(state.policy, state.stage, state.handler, state.stage_started,
                         state.acknowledge_by, state.respond_by)


@dataclass(frozen=True)
class ItemContext:
    """What the plan needs to know about the item beyond the decision."""

    received: date
    thread: ThreadMatch | None = None
    replied_request: int | None = None  # item id of a service request this replies to
    name: str | None = None
    representative: str | None = None
    text: str | None = None
    staff: tuple[str, ...] = ()
    # The date a letter bears (None for email): the complaint was made then when plausible.
    written_on: date | None = None

    @classmethod
    def of(cls, received: date, extraction: Extraction, text: str | None, *,
           thread: ThreadMatch | None = None,
           replied_request: int | None = None) -> ItemContext:
        """The context of an item from its extracted fields, however they were obtained."""
        return cls(received, thread, replied_request, name=extraction.name,
                   representative=extraction.representative, text=text,
                   staff=tuple(extraction.staff or ()), written_on=extraction.written_on)


def plan_for(decision: Decision, policy: Policy, context: ItemContext, *,
             refusal: OfficerRefusal | None = None) -> Plan:
    """The plan for a decided item: held for review, or moved on by its action."""
    if decision.needs_review:
        return _held(decision, policy, context)
    action = decision.action
    if action == Action.OPEN_CASE:
        return Plan(action, ItemStatus.STAGED, context.received, opening=CaseOpening(
            stage_case(policy, 1, context.received), "acknowledgement",
            raised_from_request=context.replied_request))
    if action == Action.REFUSE_COMPLAINT:
        if refusal is None:
            raise ValueError("refusing a complaint needs the officer's refusal")
        return Plan(action, ItemStatus.STAGED, context.received, opening=CaseOpening(
            stage_case(policy, 1, context.received), "refusal", refusal=refusal,
            letter_context={"note": refusal.note,
                            "reason_text": refusal_reason_text(policy, refusal.reason)}))
    if action in {Action.ADD_TO_CASE, Action.ESCALATE_CASE}:
        return _case_update(decision, policy, context)
    return _recorded(decision, policy, context)


def _held(decision: Decision, policy: Policy, context: ItemContext) -> Plan:
    thread = context.thread
    escalating = decision.escalation and thread is not None
    stage = thread.stage + 1 if escalating and thread is not None else 1
    hold = ReviewHold(review_reason_of(r.rule for r in decision.results if r.hit),
                      review_deadline(policy, context.received, stage))
    record = None
    if decision.action == Action.PROPOSE_EXCLUSION:
        record = record_proposed_exclusion(policy, decision.excluded_reason, decision.reasons)
    return Plan(decision.action, ItemStatus.NEEDS_REVIEW, context.received, review=hold,
                record=record)


def _case_update(decision: Decision, policy: Policy, context: ItemContext) -> Plan:
    thread = context.thread
    if thread is None or thread.state is None:
        raise ValueError(f"{decision.action} needs the state of the case the item belongs to")
    if decision.action == Action.ADD_TO_CASE:
        return Plan(decision.action, ItemStatus.STAGED, context.received, update=CaseUpdate(
            thread.case_ref, add_follow_up(thread.state, matched_by=thread.matched_by)))
    try:
        new, change = escalate(thread.state, policy, context.received)
    except RefusedTransition as refused:
        # The resident's request is kept on the case; an officer answers it.
        hold = ReviewHold("escalation-refused",
                          review_deadline(policy, context.received, thread.stage + 1))
        change = CaseChange("escalation_refused", thread.stage, {
            "reason": str(refused), "matched_by": thread.matched_by})
        return Plan(decision.action, ItemStatus.NEEDS_REVIEW, context.received, review=hold,
                    update=CaseUpdate(thread.case_ref, change))
    return Plan(decision.action, ItemStatus.STAGED, context.received, update=CaseUpdate(
        thread.case_ref, change, new, "stage_acknowledgement"))


def _recorded(decision: Decision, policy: Policy, context: ItemContext) -> Plan:
    action = decision.action
    if action == Action.RECORD_SERVICE_REQUEST:
        record = record_service_request(policy, context.received, decision.hazard)
        return Plan(action, ItemStatus.STAGED, context.received, record=record,
                    reply=render_draft(policy, "service_request",
                                       _reply_context(record, context)))
    if action == Action.RECORD_COMPLIMENT:
        return Plan(action, ItemStatus.STAGED, context.received,
                    record=record_compliment(policy, list(context.staff)))
    if action == Action.ARCHIVE:
        return Plan(action, ItemStatus.IGNORED, context.received,
                    record=record_archived(decision.reasons))
    return Plan(action, ItemStatus.STAGED, context.received)


def _reply_context(record: Record, context: ItemContext) -> dict[str, Any]:
    return {**record.detail, "received": context.received, "name": context.name,
            "representative": context.representative, "summary": summarise(context.text)}
