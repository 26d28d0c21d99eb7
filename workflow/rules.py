"""The decision chain: small named rules over plain facts, applied in order by one engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from workflow.lifecycle import CaseState
from workflow.policy import Policy
from workflow.related import RelatedMatch


@dataclass(frozen=True)
class ThreadMatch:
    """An existing case the item belongs to, found by reference or by Message-ID."""

    case_ref: str
    stage: int
    matched_by: str
    postcode: str | None = None  # the case's, to notice a reference quoted by someone else
    state: CaseState | None = None  # the case as it stands, for a follow-up or an escalation


@dataclass(frozen=True, kw_only=True)
class Facts:
    """Everything the rules look at, computed beforehand; the rules touch no I/O."""

    # What the model predicted.
    category: str
    confidence: float
    excluded_reason: str | None
    escalation: bool
    hazard: str | None
    # What the item says of itself: when, about when, who, how it came.
    received: date
    incident_date: date | None
    has_identity: bool
    # The date a letter bears (None for email, or a letter without one).
    written_on: date | None = None
    handwritten: bool = False
    postcode: str | None = None
    automatic: str | None = None  # why it is automatic mail, if it is
    ocr_confidence: float | None = None
    # The case it belongs to, if one was found.
    thread: ThreadMatch | None = None
    # An open case it seems to be about (same resident or home, similar words), if any.
    related: RelatedMatch | None = None


class RuleResult(NamedTuple):
    """One rule's verdict on the item, stored with the decision."""

    rule: str
    hit: bool
    reason: str


@dataclass(frozen=True)
class Decision:
    """What happens to the item, and every rule's verdict on the way there."""

    category: str
    excluded_reason: str | None
    escalation: bool
    hazard: str | None
    confidence: float
    needs_review: bool = False
    final: bool = False
    action: str = ""
    results: tuple[RuleResult, ...] = field(default=())

    @property
    def reasons(self) -> list[str]:
        return [r.reason for r in self.results if r.hit]


@dataclass(frozen=True)
class Thresholds:
    auto: float = 0.80
    suggest: float = 0.45
    ocr: float = 0.60


Rule = Callable[[Facts, Decision, Policy, Thresholds], tuple[str, dict[str, object]] | None]


def automatic_mail(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """Auto-replies, bounces and bulk mail are never staged or answered."""
    if facts.automatic:
        return f"automatic mail ({facts.automatic})", {
            "category": "other", "excluded_reason": None, "escalation": False,
            "confidence": 1.0, "final": True,
        }
    return None


def complaint_made_on(received: date, written_on: date | None, policy: Policy
                      ) -> tuple[date, str]:
    """The day the complaint was made: the letter's own date when plausible (not after
    receipt, at most the policy's `letter_date_max_age_days` before it), else receipt.
    (Acknowledgement and response deadlines still run from receipt: workflow/staging.py.)"""
    earliest = received - timedelta(days=policy.letter_date_max_age_days)
    if written_on is not None and earliest <= written_on <= received:
        return written_on, f"the letter's date ({written_on.isoformat()})"
    return received, "receipt"


def out_of_time(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """A complaint about something older than the policy's time limit is a proposed exclusion."""
    if d.category not in {"complaint", "excluded"} or facts.incident_date is None or d.escalation:
        return None
    made, made_word = complaint_made_on(facts.received, facts.written_on, p)
    limit = made - relativedelta(months=p.time_limit_months)
    if facts.incident_date < limit:
        return (f"incident on {facts.incident_date.isoformat()} is more than "
                f"{p.time_limit_months} months before {made_word}"), {
            "category": "excluded", "excluded_reason": "out_of_time"}
    if d.excluded_reason == "out_of_time":
        return "incident is within the time limit: a complaint", {
            "category": "complaint", "excluded_reason": None}
    return None


def time_limit_verdict(received: date, written_on: date | None, incident_date: date | None,
                       policy: Policy) -> RuleResult | None:
    """The out-of-time rule's verdict on a stored item's dates, judged as triage judges them
    (from the letter's own date when plausible), for an officer's decision or the item page
    after the fields were corrected; None when the item gives no incident date."""
    if incident_date is None:
        return None
    facts = Facts(category="complaint", confidence=1.0, excluded_reason=None, escalation=False,
                  hazard=None, received=received, incident_date=incident_date,
                  has_identity=True, written_on=written_on)
    decision = Decision(category="complaint", excluded_reason=None, escalation=False,
                        hazard=None, confidence=1.0)
    outcome = out_of_time(facts, decision, policy, Thresholds())
    if outcome is not None:
        return RuleResult("out-of-time", True, outcome[0])
    _made, made_word = complaint_made_on(received, written_on, policy)
    return RuleResult("out-of-time", False,
                      f"incident on {incident_date.isoformat()} is within "
                      f"{policy.time_limit_months} months of {made_word}")


def proposed_exclusion(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """Every exclusion is confirmed by an officer: the Code forbids blanket exclusions."""
    if d.category != "excluded":
        return None
    allowed = d.excluded_reason in p.exclusions
    note = "" if allowed else f"; {p.id} does not list {d.excluded_reason} as an exclusion"
    return f"proposed exclusion ({d.excluded_reason}) needs an officer{note}", {
        "needs_review": True}


def urgent_hazard(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """Hazards (Awaab's Law) are flagged so they are never left waiting, whatever the category."""
    if facts.hazard and d.category != "other":
        return f"reports a {facts.hazard} hazard", {"hazard": facts.hazard}
    return None


def anonymous_complaint(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """A complaint with no name or contact goes to a person, never auto-rejected."""
    if d.category == "complaint" and not facts.has_identity and p.anonymous == "route_to_officer":
        return "anonymous complaint: routed to an officer", {"needs_review": True}
    return None


UNREADABLE = "handwritten or unreadable: read by an officer"


def low_ocr_confidence(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """A letter in handwriting, or one Tesseract could barely read, is read by an officer
    (and no field was guessed from it)."""
    if facts.handwritten:
        return f"{UNREADABLE} (reads as handwriting)", {"needs_review": True}
    if facts.ocr_confidence is not None and facts.ocr_confidence < t.ocr:
        return (f"{UNREADABLE} (OCR confidence {facts.ocr_confidence:.2f} below "
                f"{t.ocr:.2f})"), {"needs_review": True}
    return None


def low_confidence(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """Below the automatic threshold the prediction is only a suggestion for an officer."""
    if d.confidence < t.auto:
        kind = "a suggestion" if d.confidence >= t.suggest else "too unsure to suggest"
        return f"confidence {d.confidence:.2f} below {t.auto:.2f}: {kind}", {"needs_review": True}
    return None


def thread_mismatch(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """A quoted case reference whose case is at another postcode is a typo or someone else's."""
    thread = facts.thread
    if (thread is None or thread.matched_by != "case reference" or not thread.postcode
            or not facts.postcode or thread.postcode == facts.postcode):
        return None
    return (f"quotes {thread.case_ref}, but that case is at {thread.postcode} and this item at "
            f"{facts.postcode}: an officer decides which case it belongs to",
            {"needs_review": True, "action": "hold_for_review", "final": True})


def unknown_case_escalation(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """Asking to escalate a case this system does not hold (older, or by post) needs a person."""
    if not d.escalation or facts.thread is not None:
        return None
    return ("asks to escalate a complaint that no case here matches: an officer finds the "
            "earlier complaint", {"needs_review": True})


def existing_case(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """A reply on an open case is added to it; an escalation request moves it on a stage."""
    if facts.thread is None or d.category == "other":
        return None
    if d.escalation and facts.thread.stage < len(p.stages):
        return (f"escalation of {facts.thread.case_ref} (matched by {facts.thread.matched_by})",
                {"action": "escalate_case", "category": "complaint", "excluded_reason": None})
    return (f"follow-up on {facts.thread.case_ref} (matched by {facts.thread.matched_by})",
            {"action": "add_to_case"})


def related_open_case(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """A complaint that seems to be about a case already open (the same resident or home,
    similar words, lately) opens no second case until an officer attaches it or says it is
    separate."""
    related = facts.related
    if related is None or facts.thread is not None or d.category != "complaint" or d.action:
        return None
    said = "; ".join(e.detail for e in related.evidence)
    return (f"seems to be about open case {related.case_ref} (score {related.score:.2f}: "
            f"{said}): an officer attaches it or opens a separate case", {"needs_review": True})


_ACTION_BY_CATEGORY = {
    "complaint": "open_case",
    "service_request": "record_service_request",
    "excluded": "propose_exclusion",
    "compliment": "record_compliment",
    "other": "archive",
}


def choose_action(facts: Facts, d: Decision, p: Policy, t: Thresholds):
    """The category's own next step, when no earlier rule chose one."""
    if d.action:
        return None
    action = _ACTION_BY_CATEGORY[d.category]
    if action == "record_compliment" and not p.records_compliments:
        action = "archive"
    return f"{d.category}: {action.replace('_', ' ')}", {"action": action}


# The chain, in order. Names are stable: they are stored with each decision.
CHAIN: tuple[tuple[str, Rule], ...] = (
    ("automatic-mail", automatic_mail),
    ("out-of-time", out_of_time),
    ("proposed-exclusion", proposed_exclusion),
    ("urgent-hazard", urgent_hazard),
    ("anonymous-complaint", anonymous_complaint),
    ("low-ocr-confidence", low_ocr_confidence),
    ("low-confidence", low_confidence),
    ("thread-mismatch", thread_mismatch),
    ("unknown-case-escalation", unknown_case_escalation),
    ("existing-case", existing_case),
    ("related-open-case", related_open_case),
    ("choose-action", choose_action),
)


def apply_policies(facts: Facts, policy: Policy, thresholds: Thresholds) -> Decision:
    """Run the chain; a rule marked final ends it (after the action is chosen)."""
    decision = Decision(
        category=facts.category,
        excluded_reason=facts.excluded_reason,
        escalation=facts.escalation and facts.category == "complaint",
        hazard=None,
        confidence=facts.confidence,
    )
    results: list[RuleResult] = []
    for name, rule in CHAIN:
        if decision.final and name != "choose-action":
            continue
        outcome = rule(facts, decision, policy, thresholds)
        if outcome is None:
            results.append(RuleResult(name, False, ""))
            continue
        reason, changes = outcome
        decision = replace(decision, **changes)
        results.append(RuleResult(name, True, reason))
    return replace(decision, results=tuple(results))
