"""The parts of a letter as residents write them (address blocks, date, salutation, body,
closing, signed name), so that fields come from the resident's block and never the landlord's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classify.fields.patterns import (
    DATE_LINE,
    LETTER_CLOSING,
    NAME_PARTICLE,
    address_pieces,
    fold_text,
    house_number_joined,
    ocr_edges_cut,
)
from classify.fields.postcodes import find_postcodes
from classify.fields.types import Landlord

_SALUTATION = re.compile(
    r"^\s*(?:dear\b|to\s+whom\s+it\s+may\s+concern|to\s+[A-Z][\w ]{1,40},\s*$|"
    r"(?:hello|hi|good\s+(?:morning|afternoon))\b)",
    re.I,
)
_NAME = re.compile(r"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Rev)\.?\s+)?[A-Z][a-zA-Z'’.-]*"
                   rf"(?:\s+(?:{NAME_PARTICLE}\s+)?[A-Z][a-zA-Z'’.-]*){{0,3}}$")
_STREETISH = re.compile(
    r"\d|\b(?:road|street|lane|close|avenue|court|house|flat|drive|way|place|gardens|terrace|"
    r"crescent|walk|row|square|grove|mews|park|hill|view|bank|rise|estate|cottages?)\b",
    re.I,
)


# A representative's or an organisation's letterhead (an MP's, a councillor's, a firm's, an
# advice service's, a council's, a surgery's, a company's PO box): its address is theirs,
# never the resident's.
LETTERHEAD = re.compile(
    r"\b(?:MP|M\.P\.|Member of Parliament|House of Commons|Constituency|Councillor|Cllr|"
    r"Ward|Solicitors?|LLP|Law|Legal|Advice|Citizens|Advocacy|Association|Chambers|"
    r"Members'? Services|Town Hall|Civic Centre|P\.?\s?O\.? Box|Ltd|Limited|plc|Council|"
    r"Social (?:Care|Services|Work)|NHS|Surgery|Medical Centre|Health Centre|charity)\b")


@dataclass(frozen=True)
class LetterLayout:
    """Where each part of the letter is; lines are as written, empty tuples where absent."""

    sender_block: tuple[str, ...] = ()
    recipient_block: tuple[str, ...] = ()
    date_line: str | None = None
    salutation: str | None = None
    body: str = ""
    closing: str | None = None
    signed_name: str | None = None
    text_for_fields: str = ""
    # The line under the signed name, where a writer for an organisation gives their role
    # ("Business Development Manager", "Coordinator, Homes Not Mould Coalition").
    signed_role: str | None = None

    @property
    def sender_postcode(self) -> str | None:
        for index, line in enumerate(self.sender_block):
            found = find_postcodes(line, "\n".join(self.sender_block[:index]))
            if found:
                return found[0][1]
        return None

    @property
    def sender_name(self) -> str | None:
        """A name written above the address in the resident's block ("Mrs Edna Holt")."""
        if not self.sender_block:
            return None
        line = self.sender_block[0].strip(" ,.")
        if _STREETISH.search(line) or find_postcodes(line) or not _NAME.match(line):
            return None
        return line

    @property
    def sender_address(self) -> str | None:
        """The resident's address as one line: the block from its first street line."""
        pieces: list[str] = []
        for index, line in enumerate(self.sender_block):
            found = find_postcodes(line, "\n".join(self.sender_block[:index]))
            if found:  # the postcode as Royal Mail writes it, a piece of its own, and last
                match, code = found[-1]
                pieces.extend([*line[: match.start()].split(","), code])
                break
            else:
                pieces.extend(line.split(","))
        pieces = address_pieces(pieces)
        while len(pieces) > 1 and _names_a_person(pieces[0]):
            pieces.pop(0)  # "Re: Miss Chloe Sumner", "Kevin Doyle." above the address
        pieces = house_number_joined(pieces)
        return ", ".join(pieces) if pieces else None


def _names_a_person(piece: str) -> bool:
    """A piece of a block above the address: a heading ("Re: ..."), a titled name, or a name
    of two words or more that is no street's; a one-word town is kept."""
    # A date of birth or a note in brackets is no street ("Re: Ms Leanne McGlashan (DOB
    # 22/07/1996)").
    piece = re.sub(r"\([^)]*\)", "", piece).strip()
    if re.match(r"^\W*(?:[A-Za-z ]{1,20}:\s*)?\d?\W*(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z]",
                piece) and not _STREETISH.search(re.sub(r"\d", "", piece)):
        return True  # "4 Mr Stanley Bairstow": a speck OCR read as a digit before a name
    if _STREETISH.search(piece):
        return False
    return (":" in piece or bool(re.match(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b", piece))
            or len(piece.split()) >= 2)


@dataclass(frozen=True)
class OwnIdentity:
    """The landlord's own name(s), postcodes and address lines, as settings give them."""

    names: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    @classmethod
    def of(cls, landlord: Landlord) -> OwnIdentity:
        """The landlord's settings as the letter's layout reads them: whole names only, since
        single words ("Lancaster" of "Lancaster City Council") would mark a resident's town
        too; they count only when nothing longer is set."""
        names = tuple(n for n in landlord.names if " " in n.strip()) or landlord.names
        return cls(names=names, postcodes=landlord.postcodes, addresses=landlord.addresses)

    def marks(self, line: str) -> bool:
        """True when a line names the landlord or one of its addresses."""
        folded = fold_text(line)
        if not folded:
            return False
        if any(fold_text(name) and fold_text(name) in folded for name in self.names):
            return True
        for _match, code in find_postcodes(line):
            if any(fold_text(code) == fold_text(p) for p in self.postcodes):
                return True
        for address in self.addresses:
            for part in re.split(r"[,\n]", address):
                part_folded = fold_text(part)
                if len(part_folded) >= 6 and part_folded == folded:
                    return True
        return False


def parse_letter(text: str, own: OwnIdentity | None = None) -> LetterLayout:
    """The letter's parts; a text that is not laid out as a letter gives mostly empty parts.

    A letter's header usually holds the resident's address block (often top right, which OCR
    reads as a block of its own) and sometimes the landlord's address as the recipient; the
    landlord's own name, postcodes and address lines (`own`, from settings) mark the recipient
    block, so it is never taken for the resident's.
    """
    own = own or OwnIdentity()
    lines = text.splitlines()
    salutation_at = next((i for i, line in enumerate(lines[:60]) if _SALUTATION.match(line)),
                         None)
    header_end = salutation_at if salutation_at is not None else _prose_start(lines)
    blocks = _split_before_recipient(_blocks(lines[:header_end]), lines, own)
    date_line = None
    sender: list[str] = []
    recipient: list[str] = []
    recipient_lines: set[int] = set()
    for number, block in enumerate(blocks):
        texts = [lines[i] for i in block]
        for index in block:
            if date_line is None and DATE_LINE.match(lines[index].strip()):
                date_line = lines[index].strip()
        address_lines = [i for i in block if not DATE_LINE.match(lines[i].strip())]
        if not address_lines:
            continue
        if any(_recipient_line(lines[i], own) for i in address_lines) or (
                _ADDRESSED_TO.match(lines[address_lines[0]].strip())
                and any(find_postcodes(lines[i]) for i in address_lines)):
            recipient = recipient or [lines[i].strip() for i in address_lines]
            recipient_lines.update(address_lines)
        elif not sender and _looks_like_address(texts) and not any(
                LETTERHEAD.search(line) for line in texts):
            sender = [lines[i].strip() for i in address_lines]
            # A name OCR read as a block of its own, just above the address ("Mrs Edna Holt").
            above = [lines[i].strip() for i in blocks[number - 1]] if number else []
            if len(above) == 1 and _lone_name(above[0], own):
                sender.insert(0, above[0])
            elif not any(_HOUSE_OR_FLAT.match(line) for line in sender):
                sender = _cut_off_part(blocks[number - 1] if number else [], lines, own,
                                       below=False) + sender
            if not any(find_postcodes(line) for line in sender):
                sender += _cut_off_part(blocks[number + 1] if number + 1 < len(blocks)
                                        else [], lines, own, below=True)
    closing_at, closing, signed, role = _closing(lines, own)
    body_start = (salutation_at + 1) if salutation_at is not None else header_end
    body_end = closing_at if closing_at is not None else len(lines)
    kept = [line for i, line in enumerate(lines) if i not in recipient_lines]
    return LetterLayout(
        sender_block=tuple(sender),
        recipient_block=tuple(recipient),
        date_line=date_line,
        salutation=lines[salutation_at].strip() if salutation_at is not None else None,
        body="\n".join(lines[body_start:body_end]).strip(),
        closing=closing,
        signed_name=signed,
        signed_role=role,
        text_for_fields="\n".join(kept) if recipient_lines else text,
    )


# A line of an address block that opens with the house or flat ("27 Larch Grove", "Flat 2").
_HOUSE_OR_FLAT = re.compile(r"^\W*(?:\d{1,4}[A-Za-z]?\b|(?:Flat|Apartment|Unit)\s+\d)", re.I)
# What no line of a resident's own address block holds: a reference, an email, a phone.
_NOT_AN_ADDRESS_LINE = re.compile(r":|@|\d{5,}|\d{3,}\s\d{3,}")
_SHORT_LINE_WORDS = 6


def _cut_off_part(block: list[int], lines: list[str], own: OwnIdentity, *,
                  below: bool) -> list[str]:
    """The rest of a sender's block cut off by a blank line where a stamp across it was
    dropped: above a block that holds no house or street ("27 Larch Grove", a gap, "Preston /
    PR2 1QT"), or below one that holds no postcode ("41 Kirkstone Avenue", a gap, "FY1 6BX").
    Taken only as short address lines (holding a house above, ending in a postcode below)
    with no date, reference, phone, email, letterhead or the landlord's own lines, one blank
    line away."""
    texts = [lines[i].strip() for i in block]
    if not block or len(texts) > 4:
        return []
    gap = block[0] - 1 if below else block[-1] + 1
    beside = block[0] - 2 if below else block[-1] + 2
    if not (0 <= beside < len(lines)) or lines[gap].strip() or not lines[beside].strip():
        return []
    shaped = find_postcodes(texts[-1]) if below else any(_HOUSE_OR_FLAT.match(t) for t in texts)
    if not shaped:
        return []
    for text in texts:
        if (len(text.split()) > _SHORT_LINE_WORDS or _NOT_AN_ADDRESS_LINE.search(text)
                or DATE_LINE.match(text) or LETTERHEAD.search(text) or own.marks(text)):
            return []
    return texts


def _lone_name(line: str, own: OwnIdentity) -> bool:
    """A line that is only a person's name: two to four words, or a title and a name."""
    words = line.strip(" ,.").split()
    titled = bool(re.match(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s", line))
    return (bool(_NAME.match(line.strip(" ,."))) and (titled or 2 <= len(words) <= 4)
            and not _STREETISH.search(line) and not DATE_LINE.match(line)
            and not LETTERHEAD.search(line) and not own.marks(line))


def _prose_start(lines: list[str]) -> int:
    """Without a salutation, the header ends at the first long line of running prose."""
    for index, line in enumerate(lines[:40]):
        if len(line.split()) >= 9:
            return index
    return min(len(lines), 12)


def _blocks(lines: list[str]) -> list[list[int]]:
    """Runs of non-empty lines (indices), as OCR and typists separate them by blank lines."""
    blocks: list[list[int]] = []
    current: list[int] = []
    for index, line in enumerate(lines):
        if line.strip():
            current.append(index)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


# A line of an address block is short; a longer line naming the landlord is a heading
# ("Ogden v Northbrook Homes - Claim No. L7MA0931 - 12 Wellington Row,").
_ADDRESS_LINE_WORDS = 7


# A block that opens with the post or team a letter is addressed to ("Complaints Team",
# "The Housing Manager", "Repairs and Adaptations", "The Chair of the Board") is the
# recipient's, whatever landlord it names: a letter to a trading name or an office the
# settings do not list still keeps its own address out of the resident's.
_ADDRESSED_TO = re.compile(
    r"^[^\d\n]{0,50}?\b(?:Team|Department|Dept\.?|Section|Manager|Officer|Director|Executive|"
    r"Board|Adaptations|Transfers)\s*$|^(?:Complaints|Repairs|Lettings|Customer|Income|"
    r"Leasehold|Legal|Housing)\b[^\d\n]*$"
    # Or with the housing organisation's own name ("Tyne Riverside Homes", "Foyle & Faughan
    # Housing Association", "Eden District Council"): no resident's block opens with one.
    r"|^[^\d\n]{2,60}?\b(?:Homes|Housing(?:\s+(?:Association|Trust|Group|Society|"
    r"Co-?operative|Partnership))?|(?:City|Borough|District|County)?\s*Council)\W*$",
    re.I)


def _recipient_line(line: str, own: OwnIdentity) -> bool:
    """A line of the landlord's own address block: it names the landlord or one of its
    addresses, and is as short as an address block's line."""
    return len(line.split()) <= _ADDRESS_LINE_WORDS and own.marks(line)


def _split_before_recipient(blocks: list[list[int]], lines: list[str],
                            own: OwnIdentity) -> list[list[int]]:
    """Blocks cut after a line that ends in a postcode not the landlord's when the landlord's
    block follows with no blank line between (a faint copy, a typist who left none): the
    resident's block and the landlord's read as one, and would be dropped as one."""
    split: list[list[int]] = []
    for block in blocks:
        current: list[int] = []
        for position, index in enumerate(block):
            current.append(index)
            rest = block[position + 1 :]
            if rest and _ends_in_foreign_postcode(lines[index], own) and any(
                    _recipient_line(lines[later], own) for later in rest):
                split.append(current)
                current = []
        if current:
            split.append(current)
    return split


def _ends_in_foreign_postcode(line: str, own: OwnIdentity) -> bool:
    found = find_postcodes(line)
    return bool(found) and not own.marks(line) and not line[found[-1][0].end():].strip(
        " ,.;:_-|")


def _looks_like_address(lines: list[str]) -> bool:
    with_postcode = any(find_postcodes(line) for line in lines)
    streetish = sum(1 for line in lines if _STREETISH.search(line))
    return with_postcode or (len(lines) >= 2 and streetish >= 1)


def _closing(lines: list[str], own: OwnIdentity
             ) -> tuple[int | None, str | None, str | None, str | None]:
    """The last sign-off line, the name signed under it (or on the same line) and the line
    under that name."""
    for index in range(len(lines) - 1, max(-1, len(lines) - 25), -1):
        match = LETTER_CLOSING.match(lines[index])
        if not match:
            continue
        candidates = [match.group("rest")] + [line for line in lines[index + 1 : index + 5]]
        for offset, candidate in enumerate(candidates):
            name = re.split(r"[,(|]| - |\s[—–_|~=]", ocr_edges_cut(candidate))[0].strip(" .")
            # One word in capitals ("INV", "WW") is OCR's reading of a scrawled signature.
            scrawl = len(name.split()) == 1 and name.isupper()
            if name and _NAME.match(name) and not scrawl and not own.marks(name):
                after = [line.strip() for line in lines[index + offset + 1 : index + offset + 3]
                         if line.strip()]
                role = ocr_edges_cut(after[0]) if after else None
                return index, lines[index].strip(), name, role or None
        return index, lines[index].strip(), None, None
    return None, None, None, None

