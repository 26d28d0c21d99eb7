"""Fields and prediction for a batch of items: everything triage knows before the policy
decides. spaCy and the classifier each run once for the whole batch."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from classify.fields import (
    Extraction,
    ExtractionRequest,
    Landlord,
    clean_name,
    extract_fields_many,
    find_postcodes,
    normalise_postcode,
)
from classify.fields.form import FormAnswers, read_form
from classify.fields.incident import letter_date
from classify.fields.layout import LetterLayout, OwnIdentity, parse_letter
from classify.fields.letters import (
    as_spelled_most,
    block_name,
    fuller_of,
    mend_misread_i,
    only_above_the_date,
    organisation_letter,
)
from classify.fields.patterns import ocr_edges_cut
from classify.fields.people import looks_like_name, same_person
from classify.model import TrainedModel
from classify.predict import Prediction, predict_many
from classify.provenance import recipient_by_place
from ingest.items import IntakeItem


def assess_items(items: list[IntakeItem], reference_days: list[date], *, model: TrainedModel,
                 landlord: Landlord | None = None,
                 min_ocr_confidence: float = 0.0) -> list[tuple[Extraction, Prediction]]:
    """Each item's fields and prediction; `reference_days` date what "yesterday" means.

    A letter that reads as handwriting, or below `min_ocr_confidence`, yields no fields: an
    officer reads it, and nothing is guessed from what OCR made of it.
    """
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
    extractions = [fill_from_letter(extraction, layout, item, landlord) if layout else extraction
                   for extraction, layout, item in zip(extractions, layouts, items, strict=True)]
    extractions = [
        Extraction() if unreadable(item, min_ocr_confidence) else replace(
            extraction, written_on=letter_date(item.text, day) if item.source == "letter"
            else None)
        for extraction, item, day in zip(extractions, items, reference_days, strict=True)]
    predictions = predict_many(model, [(item.subject, item.text) for item in items])
    return list(zip(extractions, predictions, strict=True))


def letter_layout(item: IntakeItem, landlord: Landlord) -> LetterLayout | None:
    """A letter's parts, with the landlord's own address block marked (fields/layout.py)."""
    if item.source != "letter":
        return None
    own = OwnIdentity.of(landlord)
    # A recipient's block known only by its place (left, beside the resident's on the right)
    # is marked by its postcode as the landlord's own would be (not by its lines: a county or
    # a town may be written in the resident's block too).
    beside = recipient_by_place([(page.number, page.blocks) for page in item.pages], landlord)
    own = replace(own, postcodes=own.postcodes + tuple(
        code for block in beside for _match, code in find_postcodes(block)))
    return parse_letter(mend_misread_i(item.text), own)


def unreadable(item: IntakeItem, min_ocr_confidence: float) -> bool:
    """A letter that reads as handwriting or whose worst page is below the threshold."""
    if item.source != "letter":
        return False
    confidence = item.ocr_confidence
    return item.handwritten or (confidence is not None and confidence < min_ocr_confidence)


def fill_from_letter(extraction: Extraction, layout: LetterLayout, item: IntakeItem,
                     landlord: Landlord | None = None) -> Extraction:
    """The landlord's own form's boxes where the letter is one, then the layout's blocks."""
    form = read_form(item.text)
    if form is not None:
        extraction = fill_from_form(extraction, form)
    return fill_from_layout(extraction, layout, landlord, item.text)


def _written_name(box: str) -> str:
    """The name box as the resident wrote it, without what OCR read beside it: a box's edge
    or another box's tick ("Pauline Greenhalgh | [x] e | 4", "Temitope Clarke . 2 - eo") or
    a stamp's capitals after a name written in ordinary case ("Pauline Greenhalgh ROOK
    HOMES")."""
    name = ocr_edges_cut(re.split(r"\s[|\[]|\s[.,;:~]\s|\s+\d", box, maxsplit=1)[0])
    words = name.split()
    capitals = 0
    while capitals < len(words) and words[-1 - capitals].isupper():
        capitals += 1
    # Two or more words in capitals after two in ordinary case are not the name's (one may
    # be: "Mary Ann LEE" writes the surname as forms ask).
    if capitals >= 2 and len(words) - capitals >= 2:
        words = words[:-capitals]
    return " ".join(words)


def fill_from_form(extraction: Extraction, form: FormAnswers) -> Extraction:
    """What the resident wrote in the form's boxes, over what the rules found in the text."""
    changes: dict[str, object] = {}
    name = clean_name(_written_name(form.name)) if form.name else None
    if name:
        changes["name"] = name
    # A valid postcode in the box: OCR may add the box's edge to it ("M146JS_ —_|"); the
    # town in the address box above it is read with it. What reads as no postcode is none.
    found = find_postcodes(form.postcode, form.address or "") if form.postcode else []
    address = form.address
    if not found and address and not form.postcode:
        # The postcode box's label lost on a faint copy: its answer ran on into the address.
        found = find_postcodes(address)[:1]
        address = address[: found[0][0].start()] if found else address
    postcode = found[0][1] if found else None
    if postcode:
        changes["postcode"] = postcode
        if address:
            changes["address"] = f"{ocr_edges_cut(address).strip(' ,')}, {postcode}"
    if form.desired_outcome:
        changes["desired_outcome"] = form.desired_outcome
    if form.contact_method:
        changes["contact_method"] = form.contact_method
    if form.staff:
        changes["staff"] = tuple(n.strip() for n in re.split(r",|\band\b|&", form.staff)
                                 if n.strip() and n.strip()[0].isupper())
    return replace(extraction, **changes) if changes else extraction


# A line of an address block that begins with a house number and a street's name as
# written ("121 Wilbraham Road", "3 Moorbottom Cottages"), not a year or OCR's noise.
_HOUSE_AND_STREET = re.compile(r"^\s*\d{1,4}[A-Za-z]?,?\s+[A-Z][a-z]{2,}")


_ADDRESS_ABOVE = re.compile(r"\b(?:at|of)\s+the\s+(?:address|property|home)\s+above\b|"
                            r"\bat\s+the\s+above(?:[- ]named)?\s+(?:address|property)\b", re.I)


def _headed_by(layout: LetterLayout, person: str, landlord: Landlord) -> bool:
    """The sender's block is headed by this person's name, through OCR's specks at its
    edges ("_ Mark Thornley")."""
    if not layout.sender_block:
        return False
    head = clean_name(ocr_edges_cut(layout.sender_block[0]))
    return bool(head) and len((head or "").split()) >= 2 and same_person(head or "", person)


def _house_named(block: str, signed: str, layout: LetterLayout, text: str) -> bool:
    """The head of the sender's block is a house's name ("Bryn Awel" above "14 Heol y
    Dderwen"), not the writer's: untitled, a different name from the full one signed, and
    written nowhere else in the letter."""
    head = layout.sender_name or ""
    return (len(signed.split()) >= 2 and fuller_of(signed, block) is None
            and not re.match(r"\W*(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b", head)
            and len(re.findall(rf"\b{re.escape(block.split()[-1])}\b", text)) < 2)


def _same_home(address: str | None, block: str | None, postcode: str) -> bool:
    """The address found is the writer's own block's, not a neighbour's with the same
    postcode ("16 Plessey Row" written for the lady next door by "14 Plessey Row"): the same
    house numbers, the shared postcode aside."""
    def numbers(text: str) -> list[str]:
        return re.findall(r"\b\d{1,4}[A-Za-z]?\b", text.replace(postcode, ""))
    return not address or not block or numbers(address) == numbers(block)


def fill_from_layout(extraction: Extraction, layout: LetterLayout,
                     landlord: Landlord | None = None, text: str = "") -> Extraction:
    """The resident's name and address from the letter's layout where the rules found none;
    the name at the head of the sender's block over a signature that is not theirs or is
    written less fully; nothing at all from an organisation's letter that names no one."""
    landlord = landlord or Landlord()
    if extraction.representative is None and organisation_letter(layout, text):
        return Extraction()
    changes: dict[str, object] = {}
    name = extraction.name
    signed = clean_name(layout.signed_name) if layout.signed_name else None
    if name is None and signed and looks_like_name(signed, landlord):  # not "Accounts Team"
        name = signed
    block = block_name(layout, landlord) if extraction.representative is None else None
    if block and name and _house_named(block, name, layout, text):
        block = None
    if block:
        name = fuller_of(name, block) or block if name else block
    if name and name.isupper():  # "EILEEN FAIRCLOUGH" as a name is written
        name = name.title()
    if name:
        name = as_spelled_most(name, text)
    if name != extraction.name:
        changes["name"] = name
    # A relative who heads the block with their own name but writes that the resident lives
    # "at the address above" gives the resident's home there.
    writers_block = bool(extraction.representative) and _headed_by(
        layout, extraction.representative or "", landlord) and not _ADDRESS_ABOVE.search(text)
    if writers_block and extraction.postcode == layout.sender_postcode:
        # A son's, a neighbour's or a friend's own block at the head of the letter they write
        # for the resident: their home, not the resident's; a home next door shares its
        # postcode and is kept.
        if _same_home(extraction.address, layout.sender_address, extraction.postcode or ""):
            changes["postcode"] = changes["address"] = None
    elif extraction.postcode is None and layout.sender_postcode and not writers_block:
        changes["postcode"] = normalise_postcode(layout.sender_postcode)
        changes["address"] = layout.sender_address
    elif extraction.postcode and extraction.postcode == layout.sender_postcode:
        # The same postcode: the sender's block gives the whole address, house name and all.
        changes["address"] = layout.sender_address
    elif (extraction.representative and extraction.postcode
          and only_above_the_date(text, extraction.postcode, layout)):
        changes["postcode"] = changes["address"] = None  # the representative's letterhead
    elif (extraction.postcode is None and extraction.address is None
          and extraction.representative is None and len(layout.sender_block) >= 3
          and any(_HOUSE_AND_STREET.match(line) for line in layout.sender_block)):
        # The resident's own block with its postcode unreadable (a stamp across it, a faint
        # copy) but a house and street read: its lines are still their address, and no
        # postcode is guessed.
        changes["address"] = layout.sender_address
    return replace(extraction, **changes) if changes else extraction
