"""Extract the contract's fields from an item's text: rules where rules are better, spaCy else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from classify.dates import DATE_PATTERN, find_dates
from classify.nlp import MAX_NER_CHARS, NER_BATCH_SIZE, load_english
from classify.text import split_quoted

POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b", re.I)
EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?\d{2,4}|\(?0\d{2,4}\)?)[\s-]?\d{3,4}[\s-]?\d{3,4}\b"
)
TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Cllr|Councillor|Sir|Dame|Rev|Prof)\.?"
_TITLE_PREFIX = re.compile(rf"^(?:{TITLES}\s+)+", re.I)
NAME_WORD = r"[A-Z][a-zA-Z'’-]+"
_FULL_NAME = rf"{NAME_WORD}(?:\s+{NAME_WORD}){{0,3}}"
_SIGN_OFF = re.compile(
    r"^\s*(?:yours\s+(?:sincerely|faithfully|truly)|(?:with\s+)?(?:very\s+)?kind(?:est)?\s+regards|"
    r"(?:with\s+)?best\s+(?:regards|wishes)|"
    r"regards|many\s+thanks|thanks(?:\s+again)?|thank\s+you|best\s+wishes|best|cheers|"
    r"warm\s+regards|with\s+thanks|sincerely)\b[,.!]*\s*(.*)$",
    re.I,
)
_MY_NAME = re.compile(
    rf"\b(?:my name is|I am|I'm|this is)\s+(?:{TITLES}\s+)?({_FULL_NAME})(?!['’]s)\b"
)
_ON_BEHALF = re.compile(
    rf"\b(?:on behalf of|for|behalf of|representing)\s+(?:my\s+\w+,?\s+)?(?:{TITLES}\s+)?"
    rf"({NAME_WORD}(?:\s+{NAME_WORD}){{1,3}})"
)
_RELATION = re.compile(
    rf"\b(?:[Mm]y|[Oo]ur)\s+(?:ward\s+)?(?:constituent|resident|client|mother|father|mum|mom|dad|nan|gran|grandmother|grandfather|"
    rf"husband|wife|partner|son|daughter|brother|sister|aunt|uncle|neighbour|tenant|service user)"
    rf"[,:]?\s+(?:{TITLES}\s+)?({NAME_WORD}(?:\s+{NAME_WORD}){{0,3}})"
)
_HEADING_PERSON = re.compile(
    rf"^\s*(?:Re|Our client|Client|Resident|Tenant)\s*:\s*(?:{TITLES}\s+)?"
    rf"({NAME_WORD}(?:\s+{NAME_WORD}){{1,3}})",
    re.M,
)
_REPRESENTING = re.compile(
    r"\b(?:on behalf of|on (?:his|her|their) behalf|my constituent|(?:my|our) client|"
    r"I am writing for|we are instructed|"
    r"writing for my|I act for|we act for|acting for|advocate\b|caseworker|"
    r"(?:contacted|approached) by (?:my|a|one of my) (?:ward )?(?:resident|constituent)|"
    r"(?:my|our) (?:mother|father|mum|dad|nan|gran|grandmother|grandfather|elderly)\b)",
    re.I,
)
_STAFF_CUE = re.compile(
    rf"\b(?:operative|engineer|officer|plumber|electrician|surveyor|inspector|contractor|"
    rf"manager|caretaker|advisor|adviser|workman|technician|gasman|joiner|roofer|agent|"
    rf"colleague|lady|man|chap|guy|named|called)\s+(?:{TITLES}\s+)?({NAME_WORD}(?:\s+{NAME_WORD})?)"
)
_TITLED_NAME = re.compile(rf"\b{TITLES}\s+({NAME_WORD}(?:\s+{NAME_WORD})?)")
_DESIRED = re.compile(
    r"(?:^|(?<=[.!?\n]))\s*([^.!?\n]*\b(?:I would like|I'd like|I want|I would want|we would like|"
    r"we want|I expect|I am asking|I'm asking|I ask that|I would ask|I request|I am requesting|"
    r"I would appreciate|I would be grateful if|please can you|please could you|can you please|"
    r"could you please|(?:our client|he|she|they) (?:requires|wants|would like)|"
    r"what I want|I am seeking|I seek|I need you to|all I want)\b[^.!?\n]*[.!?]?)",
    re.I,
)
_CONTACT = [
    ("phone", re.compile(r"\b(?:call|ring|phone|telephone)\s+me\b|\bby (?:phone|telephone)\b|"
                         r"\bprefer (?:a )?(?:call|phone)", re.I)),
    ("email", re.compile(r"\b(?:e-?mail me|by e-?mail|reply by e-?mail|prefer e-?mail|"
                         r"contact me (?:by|via|on) (?:e-?mail|this address))", re.I)),
    ("letter", re.compile(r"\b(?:write to me|by (?:letter|post)|in writing|reply in writing|"
                          r"do not have (?:an )?e-?mail|don't (?:have|use) (?:e-?mail|a computer))",
                          re.I)),
    ("in_person", re.compile(r"\b(?:visit me|come (?:round|to see me)|in person|home visit)",
                             re.I)),
]
_NOT_NAMES = {
    "Northbrook", "Homes", "Housing", "Council", "Services", "Team", "Dear", "Sir", "Madam",
    "Regards", "Thanks", "Complaints", "Customer", "Repairs", "Stage", "Ombudsman", "Monday",
    "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Sent", "Ref", "Re",
    "Subject", "Tenant", "Resident", "Flat", "Road", "Street", "Lane", "Close", "Avenue",
    "Officer", "Manager", "Yours", "Kind", "Best", "Many", "The", "Hi", "Hello", "Please",
}


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
    # Address lines ("1 Fishergate, Preston PR1 2AB"); letters' layout parsing (ingest/layout)
    # drops a header block matching them before fields are extracted.
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtractionRequest:
    """One item's text and what its envelope says about the sender."""

    body: str
    received: date
    sender_name: str | None = None
    sender_address: str | None = None


def own_text(body: str) -> str:
    """The writer's own words: quoted history below a reply is someone else's."""
    own, _quoted = split_quoted(body)
    return own or body


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
        _extract(text, [ent.text for ent in doc.ents if ent.label_ == "PERSON"], request,
                 landlord or Landlord())
        for text, doc, request in zip(texts, docs, requests, strict=True)
    ]


def _extract(text: str, person_entities: list[str], request: ExtractionRequest,
             landlord: Landlord) -> Extraction:
    sender_name, sender_address, received = (request.sender_name, request.sender_address,
                                             request.received)
    people = [clean_name(entity) for entity in person_entities]
    people = [p for p in people if p and _looks_like_name(p, landlord)]

    signer = (_signer(text, landlord) or _name_from_sender(sender_name, landlord)
              or _closing_name(text, landlord))
    represented, named_at = _represented_person(text, landlord)
    is_representative = bool(_REPRESENTING.search(text)) and represented is not None
    if is_representative:
        name, representative = represented, signer
    else:
        named = _MY_NAME.search(text)
        if named and re.search(r"['’]s$", named.group(1)):
            named = None  # "I am Mrs Ramsbottom's advocate" names someone else
        name = clean_name(named.group(1)) if named else signer
        if name and not _looks_like_name(name, landlord):
            name = signer
        representative = None
    # A representative's own address block comes first: the resident's follows their name.
    postcode, address = (None, None)
    if is_representative:
        postcode, address = _address(text, landlord, start=named_at)
    if postcode is None:
        postcode, address = _address(text, landlord)
    not_staff = {name, representative, signer, *(address or "").split(", ")}
    contact_email = _resident_email(text, sender_address, landlord, is_representative)
    phone = PHONE.search(text)
    return Extraction(
        name=name,
        representative=representative if representative != name else None,
        address=address,
        postcode=postcode,
        staff=_staff(text, people, not_staff, landlord),
        desired_outcome=_desired_outcome(text),
        contact_method=next((m for m, pattern in _CONTACT if pattern.search(text)), None),
        phone=phone.group(0).strip() if phone else None,
        email=contact_email,
        incident_date=_incident_date(text, received),
    )


def clean_name(raw: str) -> str | None:
    """A person's name as written, without title, trailing punctuation or line breaks."""
    name = re.sub(r"\s+", " ", raw).strip(" ,.;:-'\"")
    name = _TITLE_PREFIX.sub("", name).strip()
    name = re.sub(r"['’]s$", "", name)
    return name or None


def normalise_postcode(raw: str) -> str:
    compact = re.sub(r"\s+", "", raw).upper()
    return f"{compact[:-3]} {compact[-3:]}"


def _looks_like_name(candidate: str, landlord: Landlord) -> bool:
    words = candidate.split()
    if not words or len(words) > 4 or any(ch.isdigit() for ch in candidate):
        return False
    banned = _NOT_NAMES | set(landlord.names)
    return not any(word in banned for word in words) and words[0][0].isupper()


def _signer(text: str, landlord: Landlord) -> str | None:
    """The name under the last sign-off ("Yours sincerely", "Kind regards", ...)."""
    lines = [line.strip() for line in text.splitlines()]
    for index in range(len(lines) - 1, -1, -1):
        match = _SIGN_OFF.match(lines[index])
        if not match:
            continue
        candidates = [match.group(1)] + [line for line in lines[index + 1 : index + 4] if line]
        for candidate in candidates:
            name = clean_name(re.split(r"[,(|]| - ", candidate)[0]) if candidate else None
            if name and _looks_like_name(name, landlord) and re.fullmatch(_FULL_NAME, name):
                return name
        return None
    return None


def _closing_name(text: str, landlord: Landlord) -> str | None:
    """A name signed at the very end without a sign-off: "...this week. Grace Mbeki, Flat 8 ..."."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    candidates: list[tuple[str, bool]] = []
    for line in reversed(lines[-6:]):
        segment = re.split(r"(?<=[.!?])\s+", line)[-1]
        sign_off = _SIGN_OFF.match(segment)
        if sign_off:
            segment = sign_off.group(1)
        head = re.split(r"[,(|]| - |\s+(?:\d|Flat\b)", segment)[0]
        name = clean_name(head)
        if name and re.fullmatch(_FULL_NAME, name) and _looks_like_name(name, landlord):
            candidates.append((name, segment.strip(" .,") == name))
    # A full name anywhere near the end; one word ("Dale") only alone on the last line,
    # since a town in an address block is one capitalised word too.
    full = [name for name, _alone in candidates if len(name.split()) >= 2]
    if full:
        return full[0]
    if candidates and candidates[0][1] and lines[-1].strip(" .,").endswith(candidates[0][0]):
        return candidates[0][0]
    return None


def _name_from_sender(sender_name: str | None, landlord: Landlord) -> str | None:
    if not sender_name or "@" in sender_name:
        return None
    name = sender_name.strip('"')
    if "," in name:  # "O'Connor, Margaret" as Outlook writes it
        last, first = (part.strip() for part in name.split(",", 1))
        name = f"{first} {last}"
    name = clean_name(name)
    return name if name and _looks_like_name(name, landlord) else None


def _represented_person(text: str, landlord: Landlord) -> tuple[str | None, int]:
    """The person a representative writes for, and where the text names them."""
    for pattern in (_HEADING_PERSON, _RELATION, _ON_BEHALF):
        for match in pattern.finditer(text):
            name = clean_name(match.group(1))
            if name and _looks_like_name(name, landlord):
                return name, match.start()
    return None, 0


def _address(text: str, landlord: Landlord, start: int = 0) -> tuple[str | None, str | None]:
    lines = text.splitlines()
    first_line = text.count("\n", 0, start)
    for index, line in enumerate(lines):
        if index < first_line:
            continue
        for match in POSTCODE.finditer(line):
            postcode = normalise_postcode(match.group(0))
            if postcode in landlord.postcodes:
                continue
            return postcode, _address_around(lines, index, match, postcode)
    return None, None


_INLINE_ADDRESS = re.compile(r"(?:\bat|\baddress(?: is)?:?|\blive at|\bof|:)\s+(\d[^\n]*)$", re.I)
_STREET = re.compile(r"\d|\b(?:Road|Street|Lane|Close|Avenue|Court|House|Flat|Drive|Way|Place|"
                     r"Gardens|Terrace|Crescent|Walk|Row|Square|Grove|Mews|Park|Hill|View)\b")


def _address_around(lines: list[str], index: int, match: re.Match[str], postcode: str) -> str:
    """The address ending at a postcode: written inline in a sentence, or as a block of lines."""
    before = lines[index][: match.start()].strip(" ,")
    # "...check it. 09 Pendle Rise, BB12 8AQ": the address starts after the last sentence.
    before = re.split(r"(?<=[.!?])(?<!\bSt\.)(?<!\bNo\.)\s+", before)[-1]
    context = " ".join([*(line.strip() for line in lines[max(0, index - 2) : index]), before])
    inline = _INLINE_ADDRESS.search(context)
    if inline:
        parts = [inline.group(1)]
    elif re.match(r"^\d", before) or "," in before:
        parts = [before]
    else:
        parts = [before] if before else []
        for back in range(index - 1, max(-1, index - 5), -1):
            previous = lines[back].strip(" ,")
            if not previous or _SIGN_OFF.match(previous) or previous.lower().startswith("dear"):
                break
            if not _STREET.search(previous) and back < index - 2:
                break
            parts.insert(0, previous)
        while parts and not re.search(r"\d", parts[0]) and len(parts) > 2:
            parts.pop(0)  # a name line above the address block
    pieces = [p.strip() for part in parts for p in part.split(",") if p.strip()]
    # "Our client: Mrs Begum, 28 Deepdale Road": the address starts at the house or flat.
    starts = [i for i, piece in enumerate(pieces) if re.match(r"(?:\d|Flat\b|Apartment\b)", piece)]
    if starts:
        pieces = pieces[starts[0] :]
    return ", ".join([*pieces, postcode])


def _resident_email(
    text: str, sender_address: str | None, landlord: Landlord, is_representative: bool
) -> str | None:
    def ours(address: str) -> bool:
        return address.split("@")[-1] in landlord.email_domains

    in_text = [e.lower() for e in EMAIL.findall(text) if not ours(e.lower())]
    for address in in_text:
        if not is_representative or address != (sender_address or "").lower():
            return address
    if sender_address and not ours(sender_address) and not is_representative:
        return sender_address.lower()
    return None


def _staff(
    text: str, people: list[str], not_staff: set[str | None], landlord: Landlord
) -> tuple[str, ...]:
    excluded = {n for n in not_staff if n}
    excluded_words = {word for n in excluded for word in n.split()}
    found: list[str] = []
    cue_names = [clean_name(m.group(1)) for m in _STAFF_CUE.finditer(text)]
    titled = [clean_name(m.group(1)) for m in _TITLED_NAME.finditer(text)]
    for candidate in [*cue_names, *titled, *people]:
        if not candidate or not _looks_like_name(candidate, landlord):
            continue
        if candidate in excluded or set(candidate.split()) <= excluded_words:
            continue
        if any(candidate == f or candidate in f.split() for f in found):
            continue
        found = [f for f in found if f not in candidate.split()]
        found.append(candidate)
    return tuple(found)


def _desired_outcome(text: str) -> str | None:
    # Letters wrap sentences across lines; a blank line still ends a paragraph.
    flowed = re.sub(r"(?<!\n)\n(?!\n)", " ", text)
    spans = [re.sub(r"\s+", " ", m.group(1)).strip() for m in _DESIRED.finditer(flowed)]
    spans = [s for s in spans if len(s.split()) >= 3]
    return " ".join(spans[:2]) if spans else None


def _incident_date(text: str, received: date) -> date | None:
    """The earliest date the writer mentions, skipping the letter's own date line."""
    body_start = 0
    salutation = re.search(r"^\s*(?:dear|to whom|to\s+\w+|hi|hello)\b", text, re.I | re.M)
    if salutation:
        body_start = salutation.start()
    dates = [found for offset, found in find_dates(text, relative_to=received)
             if offset >= body_start and not _is_dateline(text, offset)]
    return min(dates) if dates else None


def _is_dateline(text: str, offset: int) -> bool:
    """A line holding only a date (and perhaps a weekday) dates the letter, not the incident."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : end if end != -1 else len(text)]
    rest = DATE_PATTERN.sub("", line)
    return not re.sub(r"(?i)\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|dated?|[\s,.:]", "",
                      rest)
