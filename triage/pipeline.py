"""One item through the named stages: read, extract, predict, apply policies, stage.

Pure functions over plain data; the database and Prefect live in `models/` and `flows/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from classify.fields import (
    Extraction,
    ExtractionRequest,
    Landlord,
    clean_name,
    extract_fields_many,
    normalise_postcode,
)
from classify.model import TrainedModel
from classify.predict import Prediction, predict_many
from ingest.errors import UnreadableItem
from ingest.items import IntakeItem, RawItem
from ingest.layout import LetterLayout, OwnIdentity, parse_letter
from ingest.letters import extract_letter_text
from ingest.mail import AttachedLetter, letter_attachments, parse_message
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


def read_item(raw: RawItem, *, max_pdf_pages: int = 50,
              max_image_pixels: int = 60_000_000) -> IntakeItem:
    """Bytes to text: an email is parsed, a letter is read from its text layer or by OCR."""
    if raw.source == "email":
        attached = tuple(_read_attachment(name, data, max_pdf_pages, max_image_pixels)
                         for name, data in letter_attachments(raw.raw))
        return parse_message(raw.raw, received_fallback=raw.received_at, attached=attached)
    first_page = raw.page_range[0] if raw.page_range else 1
    return extract_letter_text(raw.raw, received_at=raw.received_at, max_pages=max_pdf_pages,
                               max_image_pixels=max_image_pixels, first_source_page=first_page)


def _read_attachment(name: str, data: bytes, max_pages: int,
                     max_image_pixels: int) -> AttachedLetter:
    """An attached letter's text; one that cannot be read is named in the text, not fatal."""
    try:
        letter = extract_letter_text(data, max_pages=max_pages,
                                     max_image_pixels=max_image_pixels)
    except UnreadableItem as exc:
        return AttachedLetter(name, f"(this attachment could not be read: {exc.reason.value})")
    return AttachedLetter(name, letter.text, letter.pages)


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
    return triage_many([item], model=model, policy=policy, thresholds=thresholds,
                       threads=[thread], landlord=landlord)[0]


def triage_many(
    items: list[IntakeItem],
    *,
    model: TrainedModel,
    policy: Policy,
    thresholds: Thresholds,
    threads: list[ThreadMatch | None] | None = None,
    landlord: Landlord | None = None,
) -> list[TriageResult]:
    """`triage_item` over a batch: spaCy and the classifier each run once for all of them."""
    threads = threads if threads is not None else [None] * len(items)
    return [
        decide(item, extraction, prediction, policy=policy, thresholds=thresholds,
               thread=thread)
        for item, (extraction, prediction), thread in zip(
            items, assess_many(items, model=model, policy=policy, landlord=landlord), threads,
            strict=True)
    ]


def assess_many(items: list[IntakeItem], *, model: TrainedModel, policy: Policy,
                landlord: Landlord | None = None) -> list[tuple[Extraction, Prediction]]:
    """Fields and prediction for each item: everything but the decision, which needs the
    item's thread (and so the cases committed before it)."""
    layouts = [letter_layout(item, landlord or Landlord()) for item in items]
    extractions = extract_fields_many([
        ExtractionRequest(
            layout.text_for_fields if layout else item.text,
            receipt_day(item.received_at, policy),
            # A mail robot's display name ("Mail Delivery System") is nobody's name.
            sender_name=None if item.automatic else item.sender_name,
            sender_address=None if item.automatic else item.sender_address,
        )
        for item, layout in zip(items, layouts, strict=True)
    ], landlord=landlord)
    extractions = [fill_from_layout(extraction, layout) if layout else extraction
                   for extraction, layout in zip(extractions, layouts, strict=True)]
    predictions = predict_many(model, [(item.subject, item.text) for item in items])
    return list(zip(extractions, predictions, strict=True))


def decide(
    item: IntakeItem,
    extraction: Extraction,
    prediction: Prediction,
    *,
    policy: Policy,
    thresholds: Thresholds,
    thread: ThreadMatch | None = None,
) -> TriageResult:
    """The policy's decision on one item's facts and, for a case, its stage and deadlines."""
    received = receipt_day(item.received_at, policy)
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


def letter_layout(item: IntakeItem, landlord: Landlord) -> LetterLayout | None:
    """A letter's parts, with the landlord's own address block marked (ingest/layout.py)."""
    if item.source != "letter":
        return None
    # Whole names mark the landlord's block; single words ("Lancaster" of "Lancaster City
    # Council") would mark a resident's town too, so they count only when nothing longer is set.
    names = tuple(n for n in landlord.names if " " in n.strip()) or landlord.names
    own = OwnIdentity(names=names, postcodes=landlord.postcodes, addresses=landlord.addresses)
    return parse_letter(item.text, own)


def fill_from_layout(extraction: Extraction, layout: LetterLayout) -> Extraction:
    """The resident's name and address from the letter's layout where the rules found none."""
    changes: dict[str, object] = {}
    if extraction.name is None and layout.signed_name:
        changes["name"] = clean_name(layout.signed_name)
    if extraction.postcode is None and layout.sender_postcode:
        changes["postcode"] = normalise_postcode(layout.sender_postcode)
        changes["address"] = layout.sender_address
    return replace(extraction, **changes) if changes else extraction


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
