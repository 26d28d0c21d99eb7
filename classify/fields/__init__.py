"""Extract the contract's fields from an item's text: rules where rules are better, spaCy else.

The order matters: quoted history, "Sent from my phone" lines and employers' disclaimers are
cut away first; then the writer is found (signature, "my name is", the From display name),
then whether they write for someone else, then the address around a postcode, the staff
they name, what they ask for, how to reach them and when the matter began.
"""

from __future__ import annotations

import re
from datetime import date

from classify.dates import DATE_PATTERN, DatedPhrase, find_dated_phrases
from classify.fields.addresses import address_without_postcode, postcode_and_address
from classify.fields.contacts import contact_method, phone_number, resident_email
from classify.fields.noise import is_automatic, is_business_mail, own_text
from classify.fields.patterns import (
    NAME_WORD,
    SIGN_OFF,
    start_of_body,
)
from classify.fields.people import (
    clean_name,
    closing_name,
    introduced_name,
    looks_like_name,
    name_from_sender,
    same_person,
    signed_name,
)
from classify.fields.postcodes import CANONICAL_POSTCODE, find_postcodes, normalise_postcode
from classify.fields.representatives import (
    RELATION_IN_BRACKETS,
    firm_signature,
    reads_as_representative,
    represented_person,
)
from classify.fields.staff import staff_named
from classify.fields.types import Extraction, ExtractionRequest, Landlord, PersonEntity
from classify.nlp import MAX_NER_CHARS, NER_BATCH_SIZE, load_english

__all__ = [
    "CANONICAL_POSTCODE",
    "Extraction",
    "ExtractionRequest",
    "Landlord",
    "clean_name",
    "extract_fields",
    "extract_fields_many",
    "find_postcodes",
    "normalise_postcode",
    "own_text",
]


# --- outcome, contact ---------------------------------------------------------------------
# What residents write when they ask for something, strongest first: "I want ...", "I would
# like ..." (3); "Please send ...", "Can you ...", "... should be changed" (2); a question
# about what to do, "How do I ...?" (1).
_LIKE = r"(?:like|1ike|l1ke|love|appreciate|prefer)"
_ASK_STRONG = re.compile(
    rf"\b(?:I|we|he|she|they)\s+(?:would|should|'d)\s+{_LIKE}\b|\b(?:I|we|he|she|they)'d\s+{_LIKE}\b|"
    r"(?<!\bdon't )(?<!\bdo not )(?<!\bnot )(?<!\bdo )(?<!\bdid )(?<!\bshould )"
    r"\b(?:I|we)\s+(?:also\s+|just\s+|really\s+|now\s+|"
    r"still\s+|therefore\s+|simply\s+|only\s+)?"
    r"(?:want|wish|need\s+(?:you|someone|somebody|an?\s+\w+\s+to)|expect|request|require|"
    r"demand|ask|insist|invite)\b"
    r"(?!\s+(?:him|her|them|whether|if)\b)|"
    r"\b(?:I|we)\s+(?:am|are)\s+(?:now\s+|therefore\s+|simply\s+)?(?:asking|requesting|seeking)\b|"
    r"\b(?:write|writing)\s+to\s+ask\b|\band\s+ask\s+(?:for|that|you)\b|"
    r"\b(?:and|but)\s+(?:would|should|'d)\s+(?:like|appreciate)\b|"
    r"\b(?:grateful|obliged|glad|pleased|happy)\s+if\b|"
    r"\bwhat (?:I|we) want\b|\ball (?:I|we) want\b|"
    r"\b(?:I|we)\s+(?:am|are|'m|'re)\s+(?:hoping\s+(?:that\s+)?(?:you|someone|somebody)|"
    r"asking)\b|\b(?:I|we)\s+(?:hope|trust)\s+"
    r"(?:that\s+)?(?:you|someone|somebody|this|it)\b|\bwould\s+welcome\b|"
    r"\bwould\s+it\s+be\s+possible\b|\bwould\s+be\s+(?:good|great|helpful|nice|"
    r"appreciated)\s+(?:if|to)\b|\bmy\s+request\s+is\b|"
    rf"(?-i:\b(?:[Oo]ur client|[Mm]y client|[Tt]he client|[Hh]e|[Ss]he|[Tt]hey|(?:Mr|Mrs|Ms|Miss|"
    rf"Cllr|Councillor)\.?\s+{NAME_WORD}|{NAME_WORD})\s+(?:wants|would\s+{_LIKE}|requires|needs|"
    r"asks|is asking|would ask)\b)",
    re.I,
)
_ASK = re.compile(
    r"\bplease\b|\bP1ease\b|\bkindly\b|"
    r"\b(?:can|could|would|will)\s+(?:you|someone|somebody|an?\s+\w+|the\s+\w+)\b|"
    r"\b(?:should|must|needs?\s+to)\s+be\s+(?:changed|reduced|withdrawn|rewritten|scrapped|"
    r"reviewed|removed|cancelled|refunded|replaced|fixed|repaired|stopped|dropped|lowered|"
    r"capped|reversed|overturned|looked\s+at|disciplined|reprimanded|sacked|dealt\s+with|"
    r"put\s+right|sorted|treated|investigated)\b|"
    r"\b(?:someone|somebody|you)\s+(?:needs?\s+to|should|must)\b(?!\s+have\b)|\bneed\s+someone\b|"
    r"\bescalate\b|\b(?:I|we)\s+want\b|\byou\s+(?:need|have)\s+to\b|"
    r"\bneeds?\s+(?:fixing|sorting|replacing|repairing|doing|looking\s+at|to\s+be\s+\w+ed)\b|"
    r"\bis\s+there\s+any\s+(?:chance|way)\b",
    re.I,
)
_ASK_QUESTION = re.compile(
    r"\bcan I\b|\bhow (?:do|can|should|would) (?:I|we)\b|\bwhat (?:should|do) (?:I|we) do\b|"
    r"\bdo (?:I|we) need\b|\bis (?:it|there) (?:possible|a way)\b|\bwho (?:do|should) I\b|"
    r"\bwhen will\b",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(?:please[ ,]+)?(?:sort|fix|get|send|stop|replace|repair|come|make|take|give|tell|"
    r"arrange|remove|clear|put|cancel|escalate|refund|reduce|change|treat|book|review)\b",
    re.I,
)
# Not asks for the outcome: how to reach the writer, pleasantries, and introductions.
_CONTACT_REQUEST = re.compile(
    r"(?:,?\s*(?:and\s+|or\s+|so\s+)?(?:please\s+)?(?:do\s+)?(?:call|ring|phone|telephone|e-?mail|"
    r"text|contact|write to)\s+(?:me|us)\b[^.!?]*)|"
    r"\bplease\s+(?:find|see|note|be\s+aware)\b[^.!?]*|\bif\s+(?:any|you\s+have|these)\b[^.!?]*|"
    r"\bdo\s+not\s+reply\b[^.!?]*|\bI\s+am\s+not\s+asking\b[^.!?]*?(?=\bI\s+am\s+asking|$)|"
    r"\bnot\s+asking\s+(?:you|for)\b[^.,!?]*|\bthank\s+you\s+for\s+your\b[^.!?]*|"
    r"\b(?:would|should|'d)\s+like\s+to\s+(?:complain|report|make\s+a\s+(?:formal\s+)?"
    r"complaint|say|thank|raise|register)\b(?!\s+and\s+(?:get|have|receive|see|be)\b)|"
    r"\b(?:want|wish)\s+to\s+(?:complain|report|make\s+a\s+(?:formal\s+)?complaint|raise|"
    r"register|say|let\s+you|tell|inform|thank|commend|draw)\b"
    r"(?!\s+and\s+(?:get|have|receive|see|be)\b)",
    re.I,
)


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


def _extract(text: str, person_entities: list[PersonEntity], request: ExtractionRequest,
             landlord: Landlord) -> Extraction:
    if is_automatic(text) or is_business_mail(text):
        return Extraction()
    sender_name, sender_address, received = (request.sender_name, request.sender_address,
                                             request.received)
    signer = (signed_name(text, landlord) or name_from_sender(sender_name, landlord)
              or closing_name(text, landlord))
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
    postcode, address = (None, None)
    if is_representative:
        postcode, address = postcode_and_address(text, landlord, start=named_at)
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
        desired_outcome=_desired_outcome(text),
        contact_method=contact_method(text),
        phone=phone_number(text),
        email=contact_email,
        incident_date=_incident_date(text, received),
    )




# --- desired outcome -------------------------------------------------------------------------

def _desired_outcome(text: str) -> str | None:
    """The resident's own words for what they want: the strongest run of asking sentences."""
    sentences: list[tuple[int, int, str]] = []  # (paragraph, index, sentence)
    for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        if not lines or all(SIGN_OFF.match(line) or len(line.split()) <= 4 for line in lines):
            continue
        # Letters wrap sentences across lines; a blank line still ends a paragraph.
        joined = " ".join(lines)
        for piece in re.split(r"(?<=[.!?])\s+(?=[A-Za-z0-9\"'(])", joined):
            sentences.append((number, len(sentences), piece.strip()))
    scored = []
    for paragraph, index, sentence in sentences:
        score, cue_at = _ask_score(sentence)
        if score:
            scored.append((paragraph, index, _from_clause(sentence, cue_at), score))
    if not scored:
        return None
    runs: list[list[tuple[int, int, str, int]]] = []
    for item in scored:
        if runs and runs[-1][-1][0] == item[0] and runs[-1][-1][1] == item[1] - 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    # The strongest ask; of equals, the last (letters end on what they want done).
    best = max(reversed(runs), key=lambda run: max(s for *_rest, s in run))
    top = max(s for *_rest, s in best)
    while len(best) > 1 and best[0][3] == 1 < top:
        best = best[1:]
    while len(best) > 1 and best[-1][3] == 1 < top:
        best = best[:-1]
    chosen = [sentence for _p, _i, sentence, _s in best[:2]]
    return _trim_ask(" ".join(chosen)) or None


def _ask_score(sentence: str) -> tuple[int, int]:
    """How plainly the sentence asks for something (0 to 3), and where the asking starts."""
    if len(sentence.split()) < 2 or "@" in sentence or re.search(r"\d{5} ?\d{6}", sentence):
        sentence = re.sub(r"\S+@\S+|\+?\d[\d ]{9,}\d", " ", sentence)
    cleaned = _CONTACT_REQUEST.sub(lambda m: " " * len(m.group(0)), sentence)
    if len(cleaned.split()) < 2:
        return 0, 0
    if re.search(r"\bthank(?:s| you)\b", cleaned, re.I) and not re.search(
            r"\bpass\b", cleaned, re.I):
        return 0, 0
    for score, pattern in ((3, _ASK_STRONG), (2, _ASK), (1, _ASK_QUESTION)):
        match = pattern.search(cleaned)
        if match:
            return score, match.start()
    if _IMPERATIVE.match(cleaned.strip()):
        return 2, 0
    return 0, 0


_CLAUSE_BREAK = re.compile(r"(?:,\s+but\s+|\s+but\s+|;\s+|\s+-\s+|,\s+so\s+|\s+so\s+|,\s+and\s+|"
                           r"\s+and\s+|,\s+)(?=\S)", re.I)


def _from_clause(sentence: str, cue_at: int) -> str:
    """A long sentence that gets to its ask late starts at the clause that asks."""
    if len(sentence[:cue_at].split()) < 12:
        return sentence
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, cue_at + 1) if m.end() <= cue_at]
    if not starts:
        return sentence
    start = starts[-1]
    # "..., and it should be rewritten": keep the short subject before the cue.
    return sentence[start:].strip()


def _trim_ask(span: str) -> str:
    """Drop a greeting or a phone number tacked on to the ask."""
    span = re.sub(r"^(?:hi|hello|hiya|dear [^,]+),?\s+", "", span, flags=re.I)
    span = re.sub(r",?\s*(?:or\s+|and\s+)?(?:ring|call|text|phone)\s+me\b[^.]*", "", span,
                  flags=re.I)
    return span.strip(" ,")


# --- incident date ---------------------------------------------------------------------------

_FUTURE = re.compile(
    r"\b(?:will|going|hoping to|hope to|listed|due|next|hearing|planned|plan to|"
    r"expected|scheduled|until|by the end|before the|deadline)\b",
    re.I,
)
_NOT_INCIDENT = re.compile(
    r"\b(?:date of birth|born|d\.o\.b|dob|covering|statement|aged|tenant since|"
    r"been (?:your|a) tenant|payment date|each month|every month|monthly|"
    r"issued|served|claim no|directions hearing)\b",
    re.I,
)


def _incident_date(text: str, received: date) -> date | None:
    """The earliest date the writer gives for the matter, read from the letter's own date."""
    body_start = start_of_body(text)
    base = _letter_date(text, received) or received
    candidates: list[DatedPhrase] = []
    for phrase in find_dated_phrases(text, relative_to=base):
        if phrase.start < body_start or _is_dateline(text, phrase.start):
            continue
        if phrase.precision == "year":
            continue
        sentence = _sentence_around(text, phrase.start, phrase.end)
        if _NOT_INCIDENT.search(sentence) or _quoted(text, phrase.start):
            continue
        lead = sentence[: max(0, phrase.start - _sentence_start(text, phrase.start))]
        if _FUTURE.search(lead[-60:]) and not re.search(r"\d{4}", text[phrase.start:phrase.end]):
            continue
        candidates.append(phrase)
    return min((c.day for c in candidates), default=None)


def _letter_date(text: str, received: date) -> date | None:
    """The date a letter bears on its own line, which "yesterday" in it is counted from."""
    body_start = start_of_body(text)
    for phrase in find_dated_phrases(text[: body_start or 0], relative_to=received):
        if _is_dateline(text, phrase.start) and phrase.precision == "day":
            return phrase.day
    return None


def _sentence_start(text: str, offset: int) -> int:
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)|\n", text[:offset])]
    return ends[-1] if ends else 0


def _sentence_around(text: str, start: int, end: int) -> str:
    stops = [i for i in (text.find(mark, end) for mark in (".", "!", "?", "\n")) if i != -1]
    return text[_sentence_start(text, start) : min(stops) if stops else len(text)]


def _quoted(text: str, offset: int) -> bool:
    """A date inside quotation marks is the landlord's claim being repeated, not the writer's."""
    line_start = _sentence_start(text, offset)
    before = text[line_start:offset]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _is_dateline(text: str, offset: int) -> bool:
    """A line holding only a date (and perhaps a weekday) dates the letter, not the incident."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : end if end != -1 else len(text)]
    rest = DATE_PATTERN.sub("", line)
    return not re.sub(r"(?i)\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|dated?|[\s,.:]", "",
                      rest)
