"""What field extraction takes and gives: the request, the landlord's identity, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Extraction:
    """The contract's fields for one item; None where the item does not say."""

    name: str | None = None
    representative: str | None = None
    address: str | None = None
    postcode: str | None = None
    staff: tuple[str, ...] = field(default=())
    desired_outcome: str | None = None
    contact_method: str | None = None
    phone: str | None = None
    email: str | None = None
    incident_date: date | None = None
    # The date the letter bears on its own line (not a contract field): the time limit is
    # judged from it when it is plausible (workflow/rules.py).
    written_on: date | None = None

    def as_contract(self) -> dict[str, object]:
        return {
            "name": self.name,
            "representative": self.representative,
            "address": self.address,
            "postcode": self.postcode,
            "staff": list(self.staff),
            "desired_outcome": self.desired_outcome,
            "contact_method": self.contact_method,
            "phone": self.phone,
            "email": self.email,
            "incident_date": self.incident_date.isoformat() if self.incident_date else None,
        }


@dataclass(frozen=True)
class Landlord:
    """The landlord's own identity, never to be taken for the resident's."""

    names: tuple[str, ...] = ("Northbrook",)
    email_domains: tuple[str, ...] = ("northbrook-homes.example.org",)
    postcodes: tuple[str, ...] = ("PR1 2AB",)
    # Address lines ("1 Fishergate, Preston PR1 2AB"); letters' layout parsing (layout.py)
    # drops a header block matching them before fields are extracted.
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtractionRequest:
    """One item's text and what its envelope says about the sender; `received` is the day that
    "yesterday" is counted from where the text bears no date of its own."""

    body: str
    received: date
    sender_name: str | None = None
    sender_address: str | None = None
