"""Extract the contract's fields from an item's text: rules where rules are better, spaCy else.
The steps run here in order; each field's own module knows how that field is written."""

from __future__ import annotations

import re
from datetime import date

from classify.fields.addresses import address_without_postcode, postcode_and_address
from classify.fields.contacts import contact_method, phone_number, resident_email
from classify.fields.incident import incident_date
from classify.fields.noise import is_automatic, is_business_mail, own_text
from classify.fields.outcome import desired_outcome
from classify.fields.people import (
    clean_name,
    closing_name,
    introduced_name,
    looks_like_name,
    name_from_sender,
    same_person,
    signed_name,
    written_in_full,
)
from classify.fields.representatives import (
    RELATION_IN_BRACKETS,
    firm_signature,
    reads_as_representative,
    represented_person,
)
from classify.fields.staff import PersonEntity, staff_named
from classify.fields.types import Extraction, ExtractionRequest, Landlord
from classify.nlp import MAX_NER_CHARS, NER_BATCH_SIZE, load_english


def extract_fields(
    body: str,
    *,
    received: date,
    sender_name: str | None = None,
    sender_address: str | None = None,
    landlord: Landlord | None = None,
) -> Extraction:
    """The resident's details, the staff named, the outcome sought and the incident date."""
    request = ExtractionRequest(body, received, sender_name, sender_address)
    return extract_fields_many([request], landlord=landlord)[0]


def extract_fields_many(requests: list[ExtractionRequest],
                        landlord: Landlord | None = None) -> list[Extraction]:
    """Fields for many items, with spaCy's NER run over them in batches (`nlp.pipe`)."""
    texts = [own_text(r.body) for r in requests]
    docs = load_english().pipe((t[:MAX_NER_CHARS] for t in texts), batch_size=NER_BATCH_SIZE)
    return [
        _extract(text, [PersonEntity(ent.text, ent.start_char) for ent in doc.ents
                        if ent.label_ == "PERSON"], request, landlord or Landlord())
        for text, doc, request in zip(texts, docs, requests, strict=True)
    ]


def _named_at_the_end(text: str, entities: list[PersonEntity],
                      landlord: Landlord) -> str | None:
    """A person spaCy finds in the last two lines, where a writer puts their name without a
    sign-off ("22 Peel Street. Lee Brindle. 07700 900219"); spaCy misses some names."""
    tail_start = len(text.rstrip()) - len("\n".join(text.rstrip().splitlines()[-2:]))
    for entity in reversed(entities):
        if entity.start < tail_start:
            break
        name = clean_name(entity.text.splitlines()[0])
        if name and len(name.split()) >= 2 and looks_like_name(name, landlord):
            return name
    return None


def _first_titled_mention(text: str, name: str | None, writer: str | None, named_at: int) -> int:
    """Where the resident is first named with a title ("Request for review - Miss Tiffany Rees,
    19 Alway Parade" above "We are helping Miss Rees"), if before where they were found: their
    address follows their name there. The writer's own name is never the resident's."""
    if not name:
        return named_at
    surname = re.escape(name.split()[-1])
    for match in re.finditer(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+((?:[A-Z][\w'’-]+[ \t]+)"
                             rf"{{0,2}}{surname})\b", text[:named_at]):
        mentioned = clean_name(match.group(1)) or ""
        if not (writer and mentioned and same_person(mentioned, writer)):
            return match.start()
    return named_at


def _extract(text: str, person_entities: list[PersonEntity], request: ExtractionRequest,
             landlord: Landlord) -> Extraction:
    """One item's fields from the writer's own words (quoted history, "Sent from my phone"
    lines and disclaimers already cut away). The order matters: the writer is found first
    (signature, "my name is", the From display name), then whether they write for someone
    else, then the address around a postcode, the staff they name, what they ask for, how to
    reach them and when the matter began."""
    if is_automatic(text) or is_business_mail(text):
        return Extraction()
    sender_name, sender_address, received = (request.sender_name, request.sender_address,
                                             request.received)
    signer = (signed_name(text, landlord) or name_from_sender(sender_name, landlord)
              or closing_name(text, landlord) or _named_at_the_end(text, person_entities,
                                                                  landlord))
    represented, named_at, strong = represented_person(text, landlord)
    bracketed = RELATION_IN_BRACKETS.search(text)
    writer = signer
    if bracketed and (clean_name(bracketed.group(1)) or "") not in (represented or ""):
        writer = clean_name(bracketed.group(1)) or signer
    if represented and writer and same_person(represented, writer):
        represented = None
    is_representative = represented is not None and (
        strong or reads_as_representative(text) or bracketed is not None)
    if is_representative:
        name, representative = represented, writer or firm_signature(text)
    else:
        name = introduced_name(text)
        if not name or not looks_like_name(name, landlord):
            name = signer
        representative = None
    # A representative's own address block comes first: the resident's follows their name.
    # The name as written in full before the home is sought: "my dad Des" is the "Mr Desmond
    # Whitmore" a heading names, with his address after it.
    name = written_in_full(name, text)
    postcode, address = (None, None)
    if is_representative:
        start = _first_titled_mention(text, name, writer, named_at)
        postcode, address = postcode_and_address(text, landlord, start=start)
    if postcode is None:
        postcode, address = postcode_and_address(text, landlord)
    if address is None:
        address = address_without_postcode(text)
    people = {p for p in (name, representative, signer, writer) if p}
    contact_email = resident_email(text, sender_address, landlord, is_representative)
    return Extraction(
        name=name,
        representative=representative if representative != name else None,
        address=address,
        postcode=postcode,
        staff=staff_named(text, person_entities, people, address, landlord),
        desired_outcome=desired_outcome(text, for_someone=is_representative),
        contact_method=contact_method(text),
        phone=phone_number(text, landlord, is_representative),
        email=contact_email,
        incident_date=incident_date(text, received),
    )
