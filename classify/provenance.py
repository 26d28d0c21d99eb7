"""Which block of a scanned letter each extracted field came from, and how well OCR read it.

Pure: the field values and the pages' OCR blocks (ingest.items.TextBlock) in, a note per
field out, for the item page ("postcode: the sender's block, page 1, read at 0.91"). A block's
role is named from its place: page 1's blocks above the body, beside each other, are the
sender's and the recipient's (the recipient's is the one holding the landlord's own name or
address; without one, the right-hand block is the sender's, as UK letters put it); the
blocks at the very top that name an MP, a firm or an advice service are a representative's
letterhead; a block holding a printed label of the landlord's form is a form box; the last
short block is the signature; the rest is body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from classify.fields.form import form_labels
from classify.fields.layout import LETTERHEAD, OwnIdentity
from classify.fields.patterns import fold_text
from classify.fields.postcodes import find_postcodes
from classify.fields.types import Landlord
from ingest.items import TextBlock

SENDER, RECIPIENT, SIGNATURE, BODY, FORM_BOX, DATE_LINE, LETTERHEAD_BLOCK = (
    "sender's block", "recipient's block", "signature", "body", "form box", "date line",
    "representative's letterhead")
# Where a value is in several blocks, the first of these is where it was written on purpose.
_PREFERENCE = (FORM_BOX, SENDER, SIGNATURE, DATE_LINE, BODY, RECIPIENT, LETTERHEAD_BLOCK)
_DATE = re.compile(r"^\W*\d{0,2}\w{0,2}\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                   r"[a-z]*\.?\s*\d{0,2}\w{0,2},?\s*\d{2,4}\W*$|^\W*\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\W*$",
                   re.I)
# Fields matched whole (folded to letters and digits): short codes OCR spaces oddly.
_EXACT = frozenset({"postcode", "phone", "email"})
# A signature: at most this many lines and words.
_SIGNATURE_LINES, _SIGNATURE_WORDS = 4, 12
# At least this share of a value's words in a block for a name, address or sentence.
_MIN_OVERLAP = 0.6


@dataclass(frozen=True)
class Provenance:
    """Where a field's value was found: the page, the block's index on it, its role and its
    OCR confidence (0-1, None when the block has none)."""

    page: int
    block: int
    role: str
    confidence: float | None

    def describe(self) -> str:
        read = f", read at {self.confidence:.2f}" if self.confidence is not None else ""
        return f"the {self.role}, page {self.page}{read}"


Pages = Sequence[tuple[int, Sequence[TextBlock]]]


def _words(text: str) -> list[str]:
    return [w for w in (fold_text(part) for part in text.split()) if w]


def _is_form_box(block: TextBlock) -> bool:
    folded = fold_text(block.text)
    return any(len(fold_text(label)) >= 6 and fold_text(label) in folded
               for labels in form_labels().values() for label in labels)


def _header(blocks: Sequence[TextBlock]) -> tuple[list[int], list[int]]:
    """Indexes of page 1's blocks set to one side above the body (the first full-width block
    of more than one line), top first: the address blocks (two lines or more), then the date
    lines on their own."""
    body_top = min((b.box[1] for b in blocks if b.side == "full" and b.text.count("\n") >= 1),
                   default=None)
    above = [i for i, b in enumerate(blocks)
             if b.side in {"left", "right"} and (body_top is None or b.box[1] < body_top)]
    return ([i for i in above if blocks[i].text.strip().count("\n") >= 1],
            [i for i in above if _DATE.match(blocks[i].text.strip())])


def _letterheads(blocks: Sequence[TextBlock]) -> list[int]:
    """Page 1's blocks above the first address or body block that name an MP, a councillor,
    a firm or an advice service: a representative's printed heading, whichever side."""
    heads = []
    for index, block in enumerate(blocks):
        if not LETTERHEAD.search(block.text) or _address_like(block.text):
            break
        heads.append(index)
    return heads


def _address_like(text: str) -> bool:
    """A block that is a resident's address block rather than a heading: a house number or
    flat opens one of its lines."""
    return any(re.match(r"\s*(?:\d+[A-Za-z]?\s|Flat\b|Apartment\b)", line)
               for line in text.splitlines())


def _header_roles(blocks: Sequence[TextBlock], own: OwnIdentity) -> dict[int, str]:
    heads = _letterheads(blocks)
    header, dates = _header(blocks)
    header = [i for i in header if i not in heads]
    landlords = [i for i in header if any(own.marks(line) for line in blocks[i].text.splitlines())]
    roles: dict[int, str] = {}
    for i in header:
        if landlords:
            roles[i] = RECIPIENT if i in landlords else SENDER
        else:
            others = {blocks[j].side for j in header if j != i}
            roles[i] = RECIPIENT if blocks[i].side == "left" and "right" in others else SENDER
    return {**roles, **dict.fromkeys(dates, DATE_LINE), **dict.fromkeys(heads, LETTERHEAD_BLOCK)}


def recipient_by_place(pages: Pages, landlord: Landlord) -> tuple[str, ...]:
    """Page 1's header blocks that are the recipient's by their place alone: set left beside
    a right-hand block, when no header block names the landlord. A letter to a landlord the
    settings do not name ("Torbay Coast Housing / Customer Hub / ... TQ12 4PB" left, the
    resident's block right) still keeps the recipient's address out of the resident's."""
    if not pages:
        return ()
    own = OwnIdentity.of(landlord)
    blocks = pages[0][1]
    roles = _header_roles(blocks, own)
    # Only beside a right-hand block that is an address (it holds a postcode): specks or a
    # date on the right leave two left-hand blocks, the resident's among them, unknown.
    if not any(blocks[index].side == "right" and find_postcodes(blocks[index].text)
               for index, role in roles.items() if role == SENDER):
        return ()
    return tuple(blocks[index].text for index, role in roles.items()
                 if role == RECIPIENT
                 and not any(own.marks(line) for line in blocks[index].text.splitlines()))


def block_roles(pages: Pages, landlord: Landlord) -> dict[tuple[int, int], str]:
    """Each block's role, keyed by (page number, index of the block on its page)."""
    own = OwnIdentity.of(landlord)
    roles: dict[tuple[int, int], str] = {}
    for position, (number, blocks) in enumerate(pages):
        header = _header_roles(blocks, own) if position == 0 else {}
        for index, block in enumerate(blocks):
            roles[(number, index)] = FORM_BOX if _is_form_box(block) else header.get(index, BODY)
    for number, blocks in reversed(pages):
        if not blocks:
            continue
        index = len(blocks) - 1
        last = blocks[index]
        short = (last.text.count("\n") < _SIGNATURE_LINES
                 and len(last.text.split()) <= _SIGNATURE_WORDS)
        if short and roles[(number, index)] == BODY:
            roles[(number, index)] = SIGNATURE
        break
    return roles


def _score(field: str, value: str, block: TextBlock) -> float:
    """How well the block holds the value: 1 when it holds it whole, else the share of the
    value's words in it (names, addresses and sentences only)."""
    folded, text = fold_text(value), fold_text(block.text)
    if not folded:
        return 0.0
    if folded in text:
        return 1.0
    if field in _EXACT:
        return 0.0
    wanted, present = _words(value), set(_words(block.text))
    return sum(word in present for word in wanted) / len(wanted) if wanted else 0.0


def find_provenance(values: Mapping[str, object], pages: Pages,
                    landlord: Landlord) -> dict[str, Provenance]:
    """The block each field's value came from: the block holding it whole or best (at least
    `_MIN_OVERLAP` of its words), the sender's block before the body before the recipient's on
    a tie. A value found nowhere (a date written in words, a field an officer typed) has none.
    """
    roles = block_roles(pages, landlord)
    found: dict[str, Provenance] = {}
    for field, raw in values.items():
        parts = [str(v) for v in raw] if isinstance(raw, list | tuple) else [str(raw or "")]
        value = ", ".join(p for p in parts if p.strip())
        if not fold_text(value):
            continue
        best: tuple[float, int, Provenance] | None = None
        for number, blocks in pages:
            for index, block in enumerate(blocks):
                score = _score(field, value, block)
                if score < _MIN_OVERLAP:
                    continue
                role = roles[(number, index)]
                key = (score, -_PREFERENCE.index(role))
                if best is None or key > best[:2]:
                    best = (*key, Provenance(number, index, role, block.confidence))
        if best is not None:
            found[field] = best[2]
    return found
