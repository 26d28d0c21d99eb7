"""The resident's address: the lines or the sentence ending at their postcode, or a house and
street in the signature when no postcode is given."""

from __future__ import annotations

import re

from classify.dates import DATE_PATTERN
from classify.fields.patterns import (
    DISCLAIMER,
    NAME_WORD,
    SIGN_OFF,
    address_pieces,
    house_number_joined,
)
from classify.fields.postcodes import find_postcodes
from classify.fields.types import Landlord


def postcode_and_address(text: str, landlord: Landlord,
                         start: int = 0) -> tuple[str | None, str | None]:
    """The first postcode from `start` on that is neither the landlord's nor an office's, and
    the address that ends at it."""
    lines = text.splitlines()
    first_line = text.count("\n", 0, start)
    for index, line in enumerate(lines):
        if index < first_line or DISCLAIMER.match(line):
            continue
        for match, postcode in _postcodes_from(lines, index):
            if postcode in landlord.postcodes or _is_officialdom(line, lines, index):
                continue
            return postcode, _address_around(lines, index, match, postcode)
    return None, None


def _postcodes_from(lines: list[str], index: int) -> list[tuple[re.Match[str], str]]:
    """The postcodes starting on a line, one split where a long line was wrapped included
    ("... Allenton, Derby DE24" then "9QB" starting the next line)."""
    line = lines[index]
    above = "\n".join(lines[max(0, index - 2) : index])  # the town, written above
    if index + 1 >= len(lines):
        return find_postcodes(line, above)
    joined = f"{line}\n{lines[index + 1]}"
    return [(match, code) for match, code in find_postcodes(joined, above)
            if match.start() < len(line)]


def _is_officialdom(line: str, lines: list[str], index: int) -> bool:
    """Parliament's, a firm's or a council's own address is not the resident's."""
    around = " ".join(lines[max(0, index - 2) : index + 1])
    return bool(re.search(r"House of Commons|Town Hall|Civic Centre|Solicitors|\bLLP\b|"
                          r"Registered office|PO Box", around, re.I)) and not re.search(
        r"\b(?:Flat|Apartment)\b", line, re.I)


_INLINE_ADDRESS = re.compile(r"(?:\bat|\baddress(?: is)?:?|\blive at|\bof|:)\s+(\d[^\n]*)$", re.I)
_STREET = re.compile(r"\d|\b(?:Road|Street|Lane|Close|Avenue|Court|House|Flat|Drive|Way|Place|"
                     r"Gardens|Terrace|Crescent|Walk|Row|Square|Grove|Mews|Park|Hill|View)\b")
_ADDRESS_START = re.compile(
    r"(?<![\w-])(?:(?:flat|apartment|room|unit|no\.?)\s*\d+[a-z]?\b|\d+[a-z]?\b(?=,?\s+[A-Za-z]))",
    re.I,
)
_SENTENCE_WORDS = re.compile(
    r"\b(?:at|in|and|is|am|are|was|the|to|from|on|with|for|my|our|we|i|i'm|it|of|who|lives?|"
    r"living|moved|been|has|have|since)\b"
)


def _street_start(before: str) -> str:
    """Where an address starts in a sentence: the first house or flat number with no prose after."""
    for match in _ADDRESS_START.finditer(before):
        rest = before[match.start():]
        if not _SENTENCE_WORDS.search(rest):
            return rest
    return before


def _address_around(lines: list[str], index: int, match: re.Match[str], postcode: str) -> str:
    """The address ending at a postcode: written inline in a sentence, or as a block of lines."""
    before = lines[index][: match.start()].strip(" ,")
    # "...check it. 09 Pendle Rise, BB12 8AQ": the address starts after the last sentence.
    before = re.split(r"(?<=[.!?])(?<!\bSt\.)(?<!\bNo\.)\s+", before)[-1]
    context = " ".join([*(line.strip() for line in lines[max(0, index - 2) : index]), before])
    inline = _INLINE_ADDRESS.search(context)
    street = _street_start(before)
    if street != before or (before and _ADDRESS_START.match(before)):
        parts = [street]
    elif inline:
        parts = [inline.group(1)]
    elif re.match(r"^\d", before) or "," in before:
        parts = [before]
        # A heading wrapped before its town ("Re: Mrs Rosemary Spall-Denny, Keeper's Cottage,
        # Wenhaston Road, Blythburgh," then "Halesworth, Suffolk IP19 9LT"): the line above
        # ends in a comma and belongs to it.
        for back in range(index - 1, max(-1, index - 3), -1):
            if not re.search(r",\s*(?:\d{1,4}[A-Za-z]?)?$", lines[back].rstrip()):
                break  # nor does a line that ends in the house's number (", 22")
            parts.insert(0, lines[back].strip())
    else:
        parts = [before] if before else []
        for back in range(index - 1, max(-1, index - 5), -1):
            previous = lines[back].strip(" ,")
            if (not previous or SIGN_OFF.match(previous) or previous.lower().startswith("dear")
                    or DATE_PATTERN.fullmatch(previous)):
                break
            if not _STREET.search(previous) and back < index - 2:
                break
            parts.insert(0, previous)
        while parts and not re.search(r"\d", parts[0]) and len(parts) > 2:
            parts.pop(0)  # a name line above the address block
    # Each piece without OCR's specks ("_ HX3", "| _ 22 Birkett Street", "—").
    pieces = address_pieces(parts)
    # "Our client: Mrs Begum, 28 Deepdale Road": the address starts at the house or flat.
    # "Our client: Mr Lloyd Bennett - 56 Claremont Grove": from the house after a dash.
    # "Re: Mrs Rosemary Spall-Denny, Keeper's Cottage, ...": a heading's titled name first.
    while len(pieces) > 2 and _TITLED_NAME_PIECE.match(pieces[0]):
        pieces = pieces[1:]
    for index, piece in enumerate(pieces):
        if re.match(r"(?:\d|Flat\b|Apartment\b|Room\b|Unit\b)", piece, re.I):
            pieces = pieces[index:]
            break
        house = _HOUSE_AFTER_DASH.search(piece) or _LIVES_AT.search(piece)
        if house:
            pieces = [house.group(1), *pieces[index + 1 :]]
            break
    pieces = house_number_joined([_mend_house_number(piece) for piece in pieces])
    return ", ".join([*pieces, postcode])


_TITLED_NAME_PIECE = re.compile(
    rf"^(?:[A-Za-z ]{{1,20}}:\s*)?(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+{NAME_WORD}"
    rf"(?:\s+{NAME_WORD}){{0,3}}$")
# "MY NAME IS RONALD CHARLTON AND I LIVE AT FLAT 11, SWAN COURT": from the flat or house.
_LIVES_AT = re.compile(r"\b(?:live|lives|living|reside|resides|residing)\s+at\s+"
                       r"((?:Flat|Apartment|Room|Unit)\s+\d+\w*\b.*|\d{1,4}[A-Za-z]?\s+[A-Za-z].*)$",
                       re.I)
_HOUSE_AFTER_DASH = re.compile(
    r"(?:\s[-–—]+\s+|:\s+)((?:Flat|Apartment)\s+\d+\w*\b.*|\d{1,4}[A-Za-z]?\s+[A-Z][a-z].*)$")


def _mend_house_number(piece: str) -> str:
    """"1O Church Walk": OCR read a zero in the house number as the letter O."""
    return re.sub(r"^(\d*)[Oo](\d*)\b(?=\s)", lambda m: f"{m.group(1)}0{m.group(2)}"
                  if m.group(1) or m.group(2) else m.group(0), piece)


_ADDRESS_NO_POSTCODE = re.compile(
    rf"(?:^|,[ \t]*|\b(?:I live at|I'm at|I am at|my address is|I'm in|I am in)[ \t]+)"
    rf"((?:(?:[Ff]lat|Apartment|Room|Unit)[ \t]+\d+[A-Za-z]?,?[ \t]+)?\d*[A-Za-z]?,?[ \t]*"
    rf"(?:{NAME_WORD}[ \t]+){{0,2}}(?:Road|Street|Lane|Close|Avenue|Court|House|Drive|Way|Place|"
    r"Gardens|Terrace|Crescent|Walk|Row|Square|Grove|Mews|Heights|Tower|View|Rise|Buildings))\b",
    re.M,
)


def address_without_postcode(text: str) -> str | None:
    """A house and street given without a postcode, in the signature lines at the end."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines[-3:]):
        for match in _ADDRESS_NO_POSTCODE.finditer(line):
            found = match.group(1).strip(" ,")
            if re.search(r"\d", found):
                pieces = [p.strip() for p in found.split(",") if p.strip()]
                return ", ".join(pieces)
    return None
