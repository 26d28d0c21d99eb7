"""One item through the named stages: extract and predict (classify/assessment.py), then
decide under the policy and, for a case, its stage and deadlines.

Pure functions over plain data: reading bytes is `ingest.reading`, the database is `models/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from classify.assessment import assess_items
from classify.fields import Extraction, Landlord
from classify.model import TrainedModel
from classify.predict import Prediction
from ingest.items import IntakeItem
from workflow.adjustments import find_adjustments
from workflow.hazard_reports import HazardReport, reports_for
from workflow.plan import ItemContext, Plan, plan_for
from workflow.policy import Policy
from workflow.related import RelatedMatch
from workflow.rules import Decision, Facts, ThreadMatch, Thresholds, apply_policies
from workflow.staging import LANDLORD_TIMEZONE, CaseDraft, receipt_day

CASE_REFERENCE = re.compile(r"\bCMP-(\d{4})-(\d{5})\b", re.I)


@dataclass(frozen=True)
class TriageResult:
    item: IntakeItem
    extraction: Extraction
    prediction: Prediction
    decision: Decision
    plan: Plan
    policy: str
    thread: ThreadMatch | None = None
    # The hazard lane: a report for every hazard the item gives, whatever its category, and
    # the adjustments its writer asked for (workflow/hazard_reports.py, adjustments.py).
    hazards: tuple[HazardReport, ...] = ()
    adjustments: tuple[dict[str, Any], ...] = ()

    @property
    def case(self) -> CaseDraft | None:
        """The stage and deadlines of the case the item opens or escalates, if any."""
        return self.plan.case

    @property
    def review_due(self) -> date | None:
        """For an item sent to an officer: decide by then."""
        return self.plan.review.due if self.plan.review else None


def case_references(item: IntakeItem) -> list[str]:
    """Case references the item quotes, in the order written (subject first)."""
    found = CASE_REFERENCE.finditer(f"{item.subject}\n{item.text}")
    return list(dict.fromkeys(f"CMP-{m.group(1)}-{m.group(2)}" for m in found))


def triage_item(item: IntakeItem, *, model: TrainedModel, policy: Policy,
                thresholds: Thresholds, thread: ThreadMatch | None = None,
                landlord: Landlord | None = None) -> TriageResult:
    """Extract fields, predict, decide under the policy and, for a case, compute deadlines."""
    return triage_many([item], model=model, policy=policy, thresholds=thresholds,
                       threads=[thread], landlord=landlord)[0]


def triage_many(items: list[IntakeItem], *, model: TrainedModel, policy: Policy,
                thresholds: Thresholds, threads: list[ThreadMatch | None] | None = None,
                landlord: Landlord | None = None) -> list[TriageResult]:
    """`triage_item` over a batch: spaCy and the classifier each run once for all of them."""
    threads = threads if threads is not None else [None] * len(items)
    return [
        decide(item, extraction, prediction, policy=policy, thresholds=thresholds,
               thread=thread)
        for item, (extraction, prediction), thread in zip(
            items, assess_many(items, model=model, policy=policy, landlord=landlord,
                               min_ocr_confidence=thresholds.ocr), threads,
            strict=True)
    ]


def assess_many(items: list[IntakeItem], *, model: TrainedModel, policy: Policy,
                landlord: Landlord | None = None,
                min_ocr_confidence: float = 0.0) -> list[tuple[Extraction, Prediction]]:
    """Fields and prediction for each item: everything but the decision, which needs the
    item's thread (and so the cases committed before it); an unreadable letter (below
    `min_ocr_confidence`, or handwritten) gets no fields."""
    days = [receipt_day(item.received_at, policy) for item in items]
    return assess_items(items, days, model=model, landlord=landlord,
                        min_ocr_confidence=min_ocr_confidence)


def decide(item: IntakeItem, extraction: Extraction, prediction: Prediction, *,
           policy: Policy, thresholds: Thresholds, thread: ThreadMatch | None = None,
           replied_request: int | None = None,
           related: RelatedMatch | None = None) -> TriageResult:
    """The policy's decision on one item's facts, ending in the plan that will be written."""
    received = receipt_day(item.received_at, policy)
    facts = Facts(
        category=prediction.category,
        confidence=prediction.confidence,
        excluded_reason=prediction.excluded_reason,
        escalation=prediction.escalation,
        hazard=prediction.hazard,
        received=received,
        incident_date=extraction.incident_date,
        written_on=extraction.written_on,
        handwritten=item.handwritten,
        has_identity=bool(extraction.name or extraction.email or extraction.phone),
        automatic=item.automatic,
        ocr_confidence=item.ocr_confidence,
        thread=thread,
        postcode=extraction.postcode,
        related=related,
    )
    decision = apply_policies(facts, policy, thresholds)
    plan = plan_for(decision, policy, ItemContext.of(
        received, extraction, item.text, thread=thread, replied_request=replied_request))
    adjustments = [] if item.automatic else find_adjustments(item.text)
    hazards = reports_for(item, extraction, prediction, decision, LANDLORD_TIMEZONE,
                          adjustments)
    return TriageResult(item, extraction, prediction, decision, plan, policy.id, thread,
                        tuple(hazards), tuple(adjustments))


def contract_view(path: str, result: TriageResult) -> dict[str, object]:
    """The JSON object `triage inspect --json` prints, exactly as the contract shapes it."""
    decision = result.decision
    return {
        "path": path,
        "source": result.item.source,
        "received_at": result.item.received_at.isoformat(),
        "category": decision.category,
        "excluded_reason": decision.excluded_reason,
        "escalation": decision.escalation,
        "confidence": round(decision.confidence, 4),
        "needs_review": decision.needs_review,
        "fields": result.extraction.as_contract(),
        "hazard": decision.hazard,
        "hazards": hazard_list(result),
        "vulnerability": [cue.contract() for cue in result.prediction.vulnerability],
    }


def hazard_list(result: TriageResult) -> list[dict[str, str]]:
    """The contract's `hazards`: every hazard found, most urgent first, so that `hazard` is
    the first one's type; empty when the decision carries no hazard (mail that is `other`)."""
    if result.decision.hazard is None:
        return []
    return [h.contract() for h in result.prediction.hazards]
