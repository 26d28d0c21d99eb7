"""Fields and prediction for a batch of items: everything triage knows before the policy
decides. spaCy and the classifier each run once for the whole batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from classify.fields import (
    Extraction,
    ExtractionRequest,
    Landlord,
    clean_name,
    extract_fields_many,
    normalise_postcode,
)
from classify.fields.layout import LetterLayout, OwnIdentity, parse_letter
from classify.model import TrainedModel
from classify.predict import Prediction, predict_many
from ingest.items import IntakeItem


def assess_items(items: list[IntakeItem], reference_days: list[date], *, model: TrainedModel,
                 landlord: Landlord | None = None) -> list[tuple[Extraction, Prediction]]:
    """Each item's fields and prediction; `reference_days` date what "yesterday" means."""
    layouts = [letter_layout(item, landlord or Landlord()) for item in items]
    extractions = extract_fields_many([
        ExtractionRequest(
            layout.text_for_fields if layout else item.text,
            day,
            # A mail robot's display name ("Mail Delivery System") is nobody's name.
            sender_name=None if item.automatic else item.sender_name,
            sender_address=None if item.automatic else item.sender_address,
        )
        for item, layout, day in zip(items, layouts, reference_days, strict=True)
    ], landlord=landlord)
    extractions = [fill_from_layout(extraction, layout) if layout else extraction
                   for extraction, layout in zip(extractions, layouts, strict=True)]
    predictions = predict_many(model, [(item.subject, item.text) for item in items])
    return list(zip(extractions, predictions, strict=True))


def letter_layout(item: IntakeItem, landlord: Landlord) -> LetterLayout | None:
    """A letter's parts, with the landlord's own address block marked (fields/layout.py)."""
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
