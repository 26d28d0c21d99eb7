"""One item through the named stages: read, extract, predict, apply policies, stage.

Pure functions over plain data; the database and Prefect live in `models/` and `flows/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from classify.fields import Extraction, Landlord, extract_fields
from classify.model import TrainedModel
from classify.predict import Prediction, predict_category
from ingest.items import IntakeItem, RawItem
from ingest.letters import extract_letter_text
from ingest.mail import parse_message
from workflow.policy import Policy
from workflow.review import review_deadline
from workflow.rules import Decision, Facts, ThreadMatch, Thresholds, apply_policies
from workflow.staging import CaseDraft, receipt_day, stage_case

CASE_REFERENCE = re.compile(r"\bCMP-(\d{4})-(\d{5})\b", re.I)


@dataclass(frozen=True)
class TriageResult:
    item: IntakeItem
    extraction: Extraction
    prediction: Prediction
    decision: Decision
    case: CaseDraft | None
    policy: str
    thread: ThreadMatch | None = None
    review_due: date | None = None  # for an item sent to an officer: decide by then


def read_item(raw: RawItem, *, max_pdf_pages: int = 50) -> IntakeItem:
    """Bytes to text: an email is parsed, a letter is read from its text layer or by OCR."""
    if raw.source == "email":
        return parse_message(raw.raw, received_fallback=raw.received_at)
    return extract_letter_text(raw.raw, received_at=raw.received_at, max_pages=max_pdf_pages)


def case_references(item: IntakeItem) -> list[str]:
    """Case references the item quotes, in the order written (subject first)."""
    found = CASE_REFERENCE.finditer(f"{item.subject}\n{item.text}")
    return list(dict.fromkeys(f"CMP-{m.group(1)}-{m.group(2)}" for m in found))


def triage_item(
    item: IntakeItem,
    *,
    model: TrainedModel,
    policy: Policy,
    thresholds: Thresholds,
    thread: ThreadMatch | None = None,
    landlord: Landlord | None = None,
) -> TriageResult:
    """Extract fields, predict, decide under the policy and, for a case, compute deadlines."""
    received = receipt_day(item.received_at, policy)
    extraction = extract_fields(
        item.text,
        received=received,
        # A mail robot's display name ("Mail Delivery System") is nobody's name.
        sender_name=None if item.automatic else item.sender_name,
        sender_address=None if item.automatic else item.sender_address,
        landlord=landlord,
    )
    prediction = predict_category(model, item.subject, item.text)
    facts = Facts(
        category=prediction.category,
        confidence=prediction.confidence,
        excluded_reason=prediction.excluded_reason,
        escalation=prediction.escalation,
        hazard=prediction.hazard,
        received=received,
        incident_date=extraction.incident_date,
        has_identity=bool(extraction.name or extraction.email or extraction.phone),
        automatic=item.automatic,
        ocr_confidence=item.ocr_confidence,
        thread=thread,
        postcode=extraction.postcode,
    )
    decision = apply_policies(facts, policy, thresholds)
    case = None
    if decision.action == "open_case":
        case = stage_case(policy, 1, received)
    elif decision.action == "escalate_case" and thread is not None:
        case = stage_case(policy, thread.stage + 1, received)
    review_due = None
    if decision.needs_review:
        escalating = decision.escalation and thread is not None
        review_due = review_deadline(policy, received, thread.stage + 1 if escalating else 1)
    return TriageResult(item, extraction, prediction, decision, case, policy.id, thread,
                        review_due)


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
    }
