"""Who an item is about and whether it concerns a case already open, found before the item is
decided (a related open case holds it for an officer), and written with its result."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from classify.fields import Extraction
from ingest.items import IntakeItem
from models.residents import (
    create_resident,
    open_matters,
    propose_case_link,
    record_match,
    resident_candidates,
    window_start,
)
from models.tables import Item
from workflow.references import quoted_reference_keys
from workflow.related import RelatedMatch, RelatedQuery, load_matters, related_case
from workflow.residents import Identity, ResidentMatch, home_key, match_resident
from workflow.rules import Decision

NEW_RESIDENT = [{"on": "new", "weight": 1.0,
                 "detail": "no resident matched: a new record from this item"}]


@dataclass(frozen=True)
class Residency:
    identity: Identity
    match: ResidentMatch | None
    related: RelatedMatch | None


def identity_of(item: IntakeItem, extraction: Extraction) -> Identity:
    return Identity(name=extraction.name, email=extraction.email, phone=extraction.phone,
                    postcode=extraction.postcode, address=extraction.address,
                    case_refs=tuple(quoted_reference_keys(item.subject, item.text)),
                    representative=extraction.representative)


def assess_residency(session: Session, item: IntakeItem, extraction: Extraction,
                     received) -> Residency:
    """The resident the item most likely concerns, and an open case it may be about."""
    identity = identity_of(item, extraction)
    match = match_resident(identity, resident_candidates(session, identity))
    config = load_matters()
    me = identity.about_resident()
    residents = frozenset([match.resident_id]) if match else frozenset()
    matters = open_matters(session, residents, me.postcode,
                           window_start(received, config.window_days))
    query = RelatedQuery(residents, home_key(me.postcode, me.address), me.postcode, received,
                         "\n".join(filter(None, [item.subject, item.text])))
    return Residency(identity, match, related_case(query, matters))


def record_residency(session: Session, item: Item, residency: Residency,
                     decision: Decision) -> None:
    """Link the item to its resident (or propose one, or make a new record), and keep the
    proposal that it concerns an open case when that held it for an officer."""
    session.flush()
    match = residency.match
    if match is not None:
        record_match(session, item, match.resident_id, match.score,
                     [e.as_dict() for e in match.evidence], match.verdict)
    elif residency.identity.identifiable:
        resident = create_resident(session, residency.identity)
        record_match(session, item, resident.id, 1.0, NEW_RESIDENT, "linked")
    held_as_related = any(r.rule == "related-open-case" and r.hit for r in decision.results)
    if residency.related is not None and held_as_related:
        propose_case_link(session, item, residency.related)
