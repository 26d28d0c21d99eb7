"""An officer's review, as plain functions: why an item waits, by when, and what a decision on
it settles. The web app and the pipeline share these; the database is not touched here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.labels import CATEGORIES, HAZARDS
from workflow.policy import Policy
from workflow.rules import Decision, RuleResult, choose_action

# The rules that send an item to an officer, in the chain's order, with what they mean to one.
REVIEW_REASONS: dict[str, str] = {
    "proposed-exclusion": "proposed exclusion",
    "anonymous-complaint": "anonymous complaint",
    "low-ocr-confidence": "letter hard to read",
    "low-confidence": "model unsure",
    "thread-mismatch": "case reference at another address",
    "related-open-case": "same matter as an open case",
    "unknown-case-escalation": "escalation of an unknown case",
    "escalation-refused": "escalation the policy refuses",
    "reopened": "decision reopened",
}
OTHER_REASON = "other"

# Keys 1-5 on the item page choose these, in this order.
KEYED_CATEGORIES: tuple[str, ...] = CATEGORIES

ACTIONS = ("accept", "correct", "confirm_exclusion", "refuse_exclusion", "attach",
           "open_stage", "new_complaint")
# A case reference as residents quote them: ours (CMP-2025-00412) or an earlier system's.
_REFERENCE = re.compile(r"\b[A-Z]{2,5}[-/]?\d{2,4}[-/]\d{3,6}\b")
UNKNOWN_ESCALATION = (
    "the resident asks to escalate a case we do not hold, so it is not opened at stage 1 "
    "unasked: attach the item to the earlier case (escalating it), open a stage 2 case "
    "noting the earlier reference, or say it is not an escalation")


class DecisionError(ValueError):
    """The decision cannot be made as asked; the message tells the officer why."""


def quoted_references(text: str | None, limit: int = 5) -> list[str]:
    """Case references the item quotes, first seen first (what an officer looks for)."""
    found = dict.fromkeys(match.upper() for match in _REFERENCE.findall(text or ""))
    return list(found)[:limit]


def review_reason_of(hit_rules: Iterable[str]) -> str:
    """The first rule that sent the item to review (a proposed exclusion before low confidence,
    as the chain runs), so the queue can be filtered by it."""
    hits = set(hit_rules)
    for rule in REVIEW_REASONS:
        if rule in hits:
            return rule
    return OTHER_REASON


def review_deadline(policy: Policy, received: date, stage: int = 1) -> date:
    """The day an officer must have decided by: the stage's acknowledgement deadline (its reply
    deadline when the stage has none), counted from receipt, as if the item were a complaint."""
    stage = min(max(stage, 1), len(policy.stages))
    acknowledge_by, respond_by = policy.stage_deadlines(stage, received)
    return acknowledge_by or respond_by


@dataclass(frozen=True)
class Prior:
    """What triage had said about the item, as far as a decision needs it."""

    category: str
    excluded_reason: str | None
    hazard: str | None
    escalation: bool
    confidence: float


@dataclass(frozen=True)
class OfficerChoice:
    """What the officer asked for on the item page."""

    action: str
    category: str | None = None
    excluded_reason: str | None = None
    hazard: str | None = None
    case_ref: str | None = None
    escalate: bool = False
    note: str | None = None
    earlier_ref: str | None = None  # open_stage: the earlier case's reference, noted


def settle(choice: OfficerChoice, prior: Prior, policy: Policy, officer: str) -> Decision:
    """The decision the officer's choice amounts to, with the action the pipeline takes next.

    Accepting keeps the prediction; correcting picks a category (an exclusion needs one of the
    policy's reasons); confirming an exclusion refuses the complaint, refusing one makes it a
    complaint; attaching adds it to (or escalates) an existing case.
    """
    if choice.action not in ACTIONS:
        raise DecisionError(f"unknown action {choice.action!r}")
    category = {"accept": prior.category, "correct": choice.category,
                "confirm_exclusion": "excluded", "refuse_exclusion": "complaint",
                "attach": "complaint", "open_stage": "complaint",
                "new_complaint": "complaint"}[choice.action]
    if category not in CATEGORIES:
        raise DecisionError(f"choose a category: one of {', '.join(CATEGORIES)}")
    if choice.action in {"confirm_exclusion", "refuse_exclusion"} and prior.category != "excluded":
        raise DecisionError("this item is not a proposed exclusion")
    if prior.escalation and category == "complaint" and choice.action in {"accept", "correct"}:
        raise DecisionError(UNKNOWN_ESCALATION)
    reason = None
    if category == "excluded":
        reason = choice.excluded_reason or prior.excluded_reason
        if not reason:
            raise DecisionError("an exclusion needs its reason")
        if reason not in policy.exclusions:
            raise DecisionError(f"{policy.name} does not allow {reason.replace('_', ' ')} as a "
                                f"reason to refuse a complaint; allowed: "
                                f"{', '.join(policy.exclusions) or 'none'}")
    hazard = choice.hazard if choice.hazard is not None else prior.hazard
    if hazard is not None and hazard not in HAZARDS:
        raise DecisionError(f"unknown hazard {hazard!r}")
    escalation = category == "complaint" and {
        "attach": choice.escalate, "open_stage": True, "new_complaint": False,
    }.get(choice.action, prior.escalation)
    if choice.action == "attach":
        if not choice.case_ref:
            raise DecisionError("give the reference of the case to attach the item to")
        action = "escalate_case" if choice.escalate else "add_to_case"
    elif choice.action == "open_stage":
        if not (choice.earlier_ref or "").strip():
            raise DecisionError("give the earlier case's reference, as the resident quotes it")
        action = "open_case"
    elif category == "excluded":
        action = "refuse_complaint"
    else:
        decided = Decision(category=category, excluded_reason=None, escalation=escalation,
                           hazard=hazard, confidence=1.0)
        chosen = choose_action(None, decided, policy, None)  # type: ignore[arg-type]
        action = str(chosen[1]["action"]) if chosen else "archive"
    verdict = {"accept": "accepted the prediction", "correct": f"chose {category}",
               "confirm_exclusion": f"confirmed the exclusion ({reason})",
               "refuse_exclusion": "refused the exclusion: a complaint",
               "attach": f"attached it to {choice.case_ref}",
               "open_stage": f"opened the next stage of {choice.earlier_ref}, a case not held",
               "new_complaint": "found it is no escalation: a new complaint"}[choice.action]
    return Decision(
        category=category, excluded_reason=reason, escalation=escalation, hazard=hazard,
        confidence=1.0, needs_review=False, final=True, action=action,
        results=(RuleResult("officer", True, f"{officer} {verdict}"),),
    )
