"""Which resident an item is about, from what it carries: email address, phone, name with
postcode, and the case reference it quotes. Pure: candidates come in, a scored match with its
evidence goes out; a confident one links itself, a doubtful one is proposed to an officer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A combined score at or above LINK links the item itself; at or above PROPOSE an officer is
# asked. Each piece of evidence is a probability-like weight, combined as independent signs.
LINK = 0.85
PROPOSE = 0.50
WEIGHTS = {"email": 0.90, "phone": 0.80, "case_reference": 0.90, "name_postcode": 0.80,
           "name_home": 0.85}
# Both named, different surnames: a shared family address or phone, or someone else's case.
NAME_CONFLICT = 0.40
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "rev", "sir", "dame", "lady", "lord", "prof"}


@dataclass(frozen=True)
class Identity:
    """Who an item (or an imported case) says it is about."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    address: str | None = None
    case_refs: tuple[str, ...] = ()  # reference keys of cases it quotes that exist
    representative: str | None = None

    def about_resident(self) -> Identity:
        """A representative's own email and phone are theirs, not the resident's."""
        if not self.representative:
            return self
        return Identity(self.name, None, None, self.postcode, self.address, self.case_refs,
                        self.representative)

    @property
    def identifiable(self) -> bool:
        """Enough to open a resident's record: an email, a phone, or a name at a postcode."""
        me = self.about_resident()
        return bool(me.email or me.phone or (me.name and me.postcode))


@dataclass(frozen=True)
class ResidentRecord:
    """A resident as candidates are compared: contact, home, and their cases' reference keys."""

    id: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    address: str | None = None
    case_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """One thing that matched, by field; values are not repeated (they are personal data)."""

    on: str
    weight: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"on": self.on, "weight": self.weight, "detail": self.detail}


@dataclass(frozen=True)
class ResidentMatch:
    resident_id: int
    score: float
    evidence: tuple[Evidence, ...] = field(default=())

    @property
    def verdict(self) -> str:
        return "linked" if self.score >= LINK else "proposed"


def normalise_email(email: str | None) -> str | None:
    return email.strip().lower() if email and "@" in email else None


def normalise_phone(phone: str | None) -> str | None:
    """Digits only, a UK +44 (or +44 (0)) as the 0 it stands for; None for fewer than 9."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:].removeprefix("0")  # "+44 (0) 7700 ..." too
    return digits if len(digits) >= 9 else None


def name_parts(name: str | None) -> tuple[str, str] | None:
    """(first name or initial, surname) in lower case, titles dropped; None without a surname."""
    if not name:
        return None
    words = [w for w in re.findall(r"[a-z][a-z'-]*", name.lower()) if w not in _TITLES]
    if not words:
        return None
    return (words[0] if len(words) > 1 else "", words[-1])


def names_agree(a: str | None, b: str | None) -> float | None:
    """1.0 the same person by name, 0.8 the same surname with one first name unknown, 0.0 for
    different people, None when either has no name to compare."""
    pa, pb = name_parts(a), name_parts(b)
    if pa is None or pb is None:
        return None
    if pa[1] != pb[1]:
        return 0.0
    first_a, first_b = pa[0], pb[0]
    if not first_a or not first_b:
        return 0.8
    if first_a == first_b or (min(len(first_a), len(first_b)) == 1
                              and first_a[0] == first_b[0]):
        return 1.0
    return 0.0


def house_number(address: str | None) -> str | None:
    """The first number in an address (the flat or house), for telling homes apart."""
    found = re.search(r"\b(\d+[a-z]?)\b", (address or "").lower())
    return found.group(1) if found else None


def home_key(postcode: str | None, address: str | None) -> str | None:
    """A home: its postcode and house (or flat) number; None without both."""
    number = house_number(address)
    return f"{postcode} {number}" if postcode and number else None


def score_candidate(identity: Identity, candidate: ResidentRecord) -> ResidentMatch:
    """The evidence that the item is about this resident, and the score it adds up to."""
    me = identity.about_resident()
    evidence: list[Evidence] = []
    if normalise_email(me.email) and normalise_email(me.email) == normalise_email(
            candidate.email):
        evidence.append(Evidence("email", WEIGHTS["email"], "same email address"))
    if normalise_phone(me.phone) and normalise_phone(me.phone) == normalise_phone(
            candidate.phone):
        evidence.append(Evidence("phone", WEIGHTS["phone"], "same phone number"))
    quoted = sorted(set(me.case_refs) & set(candidate.case_refs))
    if quoted:
        evidence.append(Evidence("case_reference", WEIGHTS["case_reference"],
                                 f"quotes their case {quoted[0]}"))
    agreement = names_agree(me.name, candidate.name)
    if agreement and me.postcode and me.postcode == candidate.postcode:
        same_home = home_key(me.postcode, me.address) is not None and (
            home_key(me.postcode, me.address) == home_key(candidate.postcode,
                                                          candidate.address))
        on = "name_home" if same_home else "name_postcode"
        evidence.append(Evidence(on, round(WEIGHTS[on] * agreement, 3),
                                 "same name at the same home" if same_home
                                 else "same name at the same postcode"))
    missing = 1.0
    for piece in evidence:
        missing *= 1.0 - piece.weight
    score = 1.0 - missing
    if agreement == 0.0 and evidence:
        score *= NAME_CONFLICT
        evidence.append(Evidence("name_conflict", -NAME_CONFLICT, "a different name"))
    return ResidentMatch(candidate.id, round(score, 4), tuple(evidence))


def match_resident(identity: Identity, candidates: list[ResidentRecord]
                   ) -> ResidentMatch | None:
    """The best-scoring candidate at or above PROPOSE, or None: a new resident, if the item
    says enough to make one (`Identity.identifiable`)."""
    scored = [score_candidate(identity, c) for c in candidates]
    scored = [s for s in scored if s.score >= PROPOSE]
    if not scored:
        return None
    return max(scored, key=lambda s: (s.score, -s.resident_id))
