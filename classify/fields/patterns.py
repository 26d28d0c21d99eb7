"""Regular expressions more than one extractor needs: how names are written, how a letter
signs off and is dated, an employer's disclaimer and where the writer's own words begin."""

from __future__ import annotations

import re

# --- names ---------------------------------------------------------------------------------
TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Cllr|Councillor|Sir|Dame|Rev|Prof)\.?"
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f"
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f"
# A capitalised word with at least one lower-case letter ("McAllister", "O'Connor",
# "Osei-Bonsu", "Szymańska"); words in capitals ("NOT", "ASAP") are not names.
NAME_WORD = (rf"(?!I['’])[{_UPPER}][{_LOWER}{_UPPER}'’-]*[{_LOWER}][{_LOWER}'’-]*"
             rf"(?:-[{_UPPER}][{_LOWER}]+)?")
NAME_GAP = r"[ \t]+"
# The small words between the parts of some names ("Luciana Ferreira da Silva", "Ludwig van
# Beethoven", "Ahmad bin Ismail"), written in lower case.
NAME_PARTICLE = (r"(?:da|de|del|della|der|den|di|do|dos|das|du|la|le|van|von|ter|ten|bin|binti|"
                 r"bint|ibn|al|el|ap)")
FULL_NAME = rf"{NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{0,3}}"
# Who the writer may be writing for, or about.
RELATIONS = (
    r"(?:ward\s+)?(?:constituent|resident|client|mother|father|mum|mom|dad|nan|nana|gran|granny|"
    r"grandmother|grandfather|grandad|grandma|husband|wife|partner|son|daughter|brother|sister|"
    r"aunt|auntie|uncle|neighbour|neighbor|tenant|service\s+user|patient|friend|father-in-law|"
    r"mother-in-law|carer|cousin|niece|nephew|stepson|stepdaughter|stepmother|stepfather|"
    r"elderly\s+(?:mother|father|neighbour|parent)|parents?)"
)

# --- a letter's or an email's parts ----------------------------------------------------------
# After a sign-off: its punctuation, then whatever else the line holds (often the signed name).
_SIGNED_REST = r"\b[,.!]*\s*(?P<rest>.*)$"
# A sign-off as emails and typed letters write it, casual ones ("Cheers", "Ta") included.
SIGN_OFF = re.compile(
    r"^\s*(?:yours(?:\s+(?:sincerely|faithfully|truly|respectfully|sincerly|faithfuly|"
    r"faithfu[l1]{2}y|sincere[l1]y|ever|aye))?|(?:sincerely|faithfully|truly|respectfully)\s+yours|"
    r"thanks\s+(?:and|&)\s+regards|(?:many\s+)?thanks\s+in\s+advance|kind\s+regards?|"
    r"(?:with\s+)?(?:very\s+)?(?:kind|warm)(?:est)?\s+regards|(?:with\s+)?best\s+(?:regards|wishes)|"
    r"regards|many\s+thanks|thanks(?:\s+(?:again|very\s+much|so\s+much))?|"
    r"thank\s+you(?:\s+(?:very|so)\s+much)?|best|cheers|ta|obrigad[ao]|gracias|"
    r"with\s+(?:thanks|respect|best\s+wishes)|respectfully|sincerely|all\s+the\s+best|love|"
    # Welsh: "Yn gywir" (faithfully), "Yn ddiffuant" (sincerely), "Gyda diolch" (with thanks),
    # "Cofion (cynnes|gorau)" (regards).
    r"yn\s+gywir|yn\s+ddiffuant|gyda\s+diolch|cofion(?:\s+(?:cynnes|gorau))?)"
    + _SIGNED_REST,
    re.I,
)
# A letter's closing, where layout.py ends the body: formal closings only, spelt with the
# letters OCR confuses (0/o, 1/l/i, v/y). Not SIGN_OFF: the two accept different lines.
LETTER_CLOSING = re.compile(
    r"^\s*(?:y[o0]u[rn]s?\s+(?:s[i1l]nc[e3]r[e3][l1i][yv]|fa[i1l]thfu[l1i][l1i]?[yv]|"
    r"tru[l1i][yv]|[e3]v[e3]r|in\s+trust|fraternally|in\s+solidarity)|"
    r"(?:with\s+)?(?:k[i1l]nd(?:est)?|best|warm(?:est)?)\s+"
    r"(?:regards|wishes)|regards|many\s+thanks|thank\s+you|with\s+thanks|in\s+solidarity|"
    r"s[i1l]nc[e3]r[e3][l1i][yv]|yn\s+gywir|yn\s+ddiffuant|gyda\s+diolch)"
    + _SIGNED_REST,
    re.I,
)
WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# A letter's date on a line of its own, day, month and year: "Monday, 3rd of November 2026",
# "3/11/2026" (incident.py's date-line test reads classify.dates' wider DATE_PATTERN).
DATE_LINE = re.compile(
    rf"^\W*(?:{WEEKDAY},?\s+)?(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}|"
    rf"{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
    rf"\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}})\W*$",
    re.I,
)
# An employer's footer paragraph: never the writer's words or address.
DISCLAIMER = re.compile(
    r"^\s*(?:disclaimer\b|confidentiality\s+(?:notice|statement)|important:? this|"
    r"this (?:e-?mail|message|communication)(?:\s+and\s+any\s+(?:files|attachments)[^.]{0,60})?"
    r"\s+(?:is|are|may\s+be|contains?)\s+(?:strictly\s+)?(?:confidential|intended|private|privileged)|"
    r"the information (?:contained )?in this (?:e-?mail|message)|"
    r"if you (?:are not the intended|have received this (?:e-?mail|message) in error)|"
    r"registered (?:office|in england|charity|company)|[\w&,. ]{2,60} is a registered|"
    r"please consider the environment|any views or opinions)",
    re.I,
)


def start_of_body(text: str) -> int:
    """Where the writer starts to write: the salutation, past any letterhead (0 if none)."""
    salutation = re.search(r"^\s*(?:dear|to whom|to\s+\w+|hi|hello|good\s+\w+)\b", text,
                           re.I | re.M)
    return salutation.start() if salutation else 0


def ocr_edges_cut(line: str) -> str:
    """A short line without the specks OCR leaves at its edges: ". Jack Pemberton — ; se"
    is "Jack Pemberton", "_ HX3 6QU" is "HX3 6QU"."""
    line = re.sub(r"^(?:[^\w(\[]|_)+", "", line.strip())
    line = re.split(r"\s+[—–_|~=]+(?:\s|$)", line)[0]
    return re.sub(r"(?:[^\w).]|_)+$", "", line).strip()


def address_pieces(parts: list[str]) -> list[str]:
    """An address's lines split at their commas, each without OCR's specks at its edges and
    with OCR's "Fiat 14" read as "Flat 14"; empty pieces dropped."""
    pieces = [ocr_edges_cut(piece) for part in parts for piece in part.split(",")]
    return [re.sub(r"^Fiat(?=\s+\d)", "Flat", piece) for piece in pieces if piece]


def house_number_joined(pieces: list[str]) -> list[str]:
    """A house number wrapped from its street ("22" then "Pitcoudie Gardens") joined to it."""
    if len(pieces) > 1 and re.fullmatch(r"\d{1,4}[A-Za-z]?", pieces[0]):
        return [f"{pieces[0]} {pieces[1]}", *pieces[2:]]
    return pieces


def fold_text(text: str) -> str:
    """Text reduced to its lower-case letters and digits, for comparing what OCR or a
    setting wrote with spacing, case and punctuation of its own ("PR1 2AB" is "pr12ab")."""
    return re.sub(r"[^a-z0-9]", "", text.lower())
