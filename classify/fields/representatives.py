"""Whom the writer writes for: the resident a councillor, solicitor, carer or relative names,
and the cues that say the writer is not the resident."""

from __future__ import annotations

import re

from classify.fields.patterns import FULL_NAME, NAME_GAP, NAME_WORD, RELATIONS, TITLES
from classify.fields.people import clean_name, looks_like_name
from classify.fields.types import Landlord

ON_BEHALF = re.compile(
    rf"\b(?:on behalf of|behalf of|representing|writing for|emailing for|writing about|"
    rf"I support|working with|we act for|I act for|acting for|(?:are|am|'m|'re) helping)\s+"
    rf"(?:(?:my|our)\s+{RELATIONS},?\s+)?"
    rf"(?:{TITLES}\s+)?({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{1,3}})"
)
RELATION = re.compile(
    rf"\b(?:[Mm]y|[Oo]ur)\s+{RELATIONS}[,:]?\s+(?:{TITLES}\s+)?"
    rf"({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{0,3}})"
)
THIRD_PERSON = re.compile(
    rf"\b(?:(?:her|his) name is|in particular|[Oo]ne resident,?)\s+(?:{TITLES}\s+)?"
    rf"({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{0,3}})"
    rf"|(?:{TITLES}\s+)({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{1,3}}),?\s+(?:one of your tenants|"
    rf"(?:is\s+)?your tenant|a tenant of yours|who is your tenant)"
    rf"|(?i:\b(?:we|I) act for)\s+(?:{TITLES}\s+)?({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{1,3}})"
)
# "the stair rail ... for Mr Harold Nkemelu at 12 Peel Street": a titled name the writer acts
# for, believed only when the text also reads as written on someone's behalf.
_FOR_TITLED = re.compile(
    rf"\b(?:for|about|regarding|concerning)\s+(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+"
    rf"({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{1,3}})(?!['’]s)\b"
)
# A heading's label may follow another language's ("Ein cleient / Our client: Mr ...").
HEADING_PERSON = re.compile(
    rf"(?:^[ \t]*|[/|][ \t]*)(?:Re|RE|Our client|Client|Constituent|Resident|Tenant|Patient|"
    rf"Service user|Your tenant|Name)[ \t]*:[ \t]*(?:(?:My|my)\s+{RELATIONS},?\s+)?"
    rf"(?:({TITLES})[ \t]+)?"
    rf"({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{1,3}})",
    re.M,
)
_REPRESENTING = re.compile(
    r"\b(?:on behalf of|on (?:his|her|their) behalf|my constituent|(?:my|our) client|"
    r"I am writing for|we are instructed|writing for my|emailing for my|I act for|we act for|"
    r"acting for|advocate\b|caseworker|support worker|social worker|discharge|"
    r"occupational therapist|with (?:his|her|their) (?:consent|agreement|permission)|"
    r"(?:has|have) asked (?:me|us) to (?:write|contact|email|send|report|raise|pass)|"
    r"asked (?:me|us) to (?:send|write|email|put pen)|"
    r"(?:her|his) name is|one of your tenants|your tenant at|I support|working with|"
    r"came to my surgery|son-in-law|daughter-in-law|power of attorney|in particular|"
    r"one resident|(?:are|am|'m|'re) helping (?:Mr|Mrs|Ms|Miss|Mx)\b|"
    r"(?:contacted|approached) by (?:my|a|one of my|the above) (?:ward )?(?:resident|constituent)|"
    r"(?:my|our) (?:mother|father|mum|dad|nan|gran|grandmother|grandfather|elderly|neighbour)\b|"
    r"\bconstituent\b|\b(?:a|our|the) patient\b|the family (?:at|in|of)\b|"
    r"(?:reported|said|told|mentioned|explained) (?:this |it )?to me\b|"
    r"asked me to (?:report|contact|let you know|pass|raise|chase)|"
    r"supporting (?:your tenant|the family|him|her|them|Mr|Mrs|Ms|Miss)\b|health visitor|"
    r"scheme manager|\bIDVA\b|(?:raised|brought) (?:this )?with me)",
    re.I,
)
RELATION_IN_BRACKETS = re.compile(
    rf"({FULL_NAME})[ \t]*\((?:her|his|their|my)?[ \t]*(?:grand)?(?:daughter|son|niece|nephew|"
    rf"sister|brother|neighbour|carer|wife|husband|partner|friend|child|granddaughter|"
    rf"grandson|son-in-law|daughter-in-law|next door)\)"
)
_FIRM = re.compile(r"\b(?:LLP|Solicitors|Solicitor|& Co\b|Law\b|Legal\b|Advice\b|Chambers\b)")


# The first titled name in a text written for someone else: "her constituent Mrs Noreen Bibby",
# "(tenant: Ms Stacey Barker)", "We have a patient, Mrs Winifred Clegg". Believed only when the
# text reads as a representative's, and never a name an officer's or tradesman's role sits by.
_TITLED_PERSON = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{0,2}})(?!['’]s)\b"
)
_ROLE = (r"officer|surveyor|engineer|operative|manager|plumber|electrician|contractor|colleague|"
         r"inspector|technician|fitter|joiner|caseworker|adviser|advisor|worker|MP|councillor|"
         r"solicitor|lead|coordinator|director|team")
_ROLE_BEFORE = re.compile(rf"(?:\b(?:{_ROLE})|\b(?:dear|attn|attention|cc|to|from))[ \t,:]*$", re.I)
_ROLE_AFTER = re.compile(rf"^[ \t]*[,(-]?[ \t]*(?:(?:the|your|our|a|from)[ \t]+)?"
                         rf"(?:\w+[ \t]+)?(?:{_ROLE})\b", re.I)


def first_titled_person(text: str, landlord: Landlord) -> tuple[str | None, int]:
    """The first "Mrs Noreen Bibby" in the text whose neighbours do not name a role."""
    for match in _TITLED_PERSON.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        after = text[match.end() : match.end() + 40]
        name = clean_name(match.group(1))
        if (name and looks_like_name(name, landlord) and not _ROLE_BEFORE.search(before)
                and not _ROLE_AFTER.search(after)):
            return name, match.start()
    return None, 0


def reads_as_representative(text: str) -> bool:
    """The text says it is written for someone else ("on behalf of", "my client", ...); the
    plainest of these also across a letter's line breaks ("has asked me to" / "write")."""
    return bool(_REPRESENTING.search(text) or _ELECTED_MEMBER.search(text)
                or _REPRESENTING_PLAINLY.search(re.sub(r"\s+", " ", text)))


# A councillor's or an MP's own letter: their title opens a line (the letterhead, the
# signature), where a resident's letter names them only in passing.
_ELECTED_MEMBER = re.compile(r"^[ \t]*(?:Cllr\.?|Councillor)[ \t,]+[A-Z]|\bMember of Parliament\b",
                             re.M)


# What says outright that someone else wrote, even wrapped over two lines.
_REPRESENTING_PLAINLY = re.compile(
    r"\b(?:(?:has|have) asked (?:me|us) to (?:write|contact|email|send)|on (?:his|her|their) "
    r"behalf|on behalf of|I am writing for|we act for|I act for)\b", re.I)


def firm_signature(text: str) -> str | None:
    """A letter signed by a firm ("Okoro & Brandt LLP") has the firm as the representative."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines[-3:]):
        if _FIRM.search(line) and len(line.split()) <= 6 and not re.search(r"\d|@", line):
            return line.strip(" ,.")
    return None


# "Re: Mr Derek and Mrs Pauline Danson, Flat 12 ...": a couple in a heading; the first named.
_HEADING_COUPLE = re.compile(
    rf"^[ \t]*(?:Re|RE|Our clients?|Clients?|Constituents?|Residents?|Tenants?)[ \t]*:[ \t]*"
    rf"(?:{TITLES}[ \t]+)?({NAME_WORD})[ \t]+(?:and|&)[ \t]+(?:{TITLES}[ \t]+)?"
    rf"{NAME_WORD}[ \t]+({NAME_WORD})\b",
    re.M,
)

# A letter's subject line naming a person and their home: "Ms Karen Duckworth, 29 Brownedge
# Close, Bamber Bridge, Preston PR5 6QN - request for review".
_TITLED_ADDRESS_LINE = re.compile(
    rf"^[ \t]*(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{1,3}}),[ \t]*"
    rf"(?:Flat|Fiat|Apartment|\d)",
    re.M,
)


# A subject line with a topic before the person ("Urgent repair - Mrs Jadwiga Sobieraj-Zajac,
# Flat 12, ...", "A thank you! - Mrs ...", "Re: Hungate House, Low Street - Ms Chidinma
# Ezeani-Bell (Flat 14)"), or an untitled name before a home ("Jordan Birtwhistle - 27
# Whitethroat Close, ..."): believed only when the name's first word is written again in the
# letter ("Jordan's advocate"), as a house's name ("Bryn Awel, 14 Heol y Dderwen") is not.
_TOPIC_THEN_TITLED = re.compile(
    rf"^[ \t]*[^\n]{{2,60}}?[ \t][-–][ \t]+(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+"
    rf"({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{1,3}})[ \t]*(?:,|\(|[ \t][-–])",
    re.M,
)
_UNTITLED_ADDRESS_LINE = re.compile(
    rf"^[ \t]*({NAME_WORD}(?:{NAME_GAP}{NAME_WORD}){{1,3}})[ \t]*(?:,|[ \t][-–])[ \t]*"
    rf"(?:Flat|Fiat|Apartment|\d)[^\n]*,",
    re.M,
)


def _named_again(name: str, text: str, at: int) -> bool:
    """The name's first word written again away from its own line ("Jordan", "Sunita's")."""
    line_end = text.find("\n", at)
    rest = text[:at] + text[line_end if line_end >= 0 else len(text) :]
    return bool(re.search(rf"\b{re.escape(name.split()[0])}(?:['’]s)?\b", rest))


def represented_person(text: str, landlord: Landlord) -> tuple[str | None, int, bool]:
    """The person a representative writes for, where the text names them, and how surely."""
    couple = _HEADING_COUPLE.search(text)
    if couple and looks_like_name(f"{couple.group(1)} {couple.group(2)}", landlord):
        return f"{couple.group(1)} {couple.group(2)}", couple.start(), True
    for pattern in (_TITLED_ADDRESS_LINE, _TOPIC_THEN_TITLED, _UNTITLED_ADDRESS_LINE):
        for match in pattern.finditer(text):
            name = clean_name(match.group(1))
            if name and looks_like_name(name, landlord) and (
                    pattern is not _UNTITLED_ADDRESS_LINE
                    or _named_again(name, text, match.start())):
                return name, match.start(), False
    for match in HEADING_PERSON.finditer(text):
        name = clean_name(match.group(2))
        if name and looks_like_name(name, landlord) and (
                match.group(1) or len(name.split()) >= 2):
            return name, match.start(), True
    for pattern, strong in ((ON_BEHALF, True), (THIRD_PERSON, True), (RELATION, False),
                            (_FOR_TITLED, False)):
        for match in pattern.finditer(text):
            raw = next(g for g in match.groups() if g)
            name = clean_name(raw)
            if name and looks_like_name(name, landlord):
                return name, match.start(), strong
    if reads_as_representative(text):
        name, at = first_titled_person(text, landlord)
        if name:
            return name, at, False
    return None, 0, False
