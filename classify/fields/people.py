"""Who wrote: a person's name as written, the name under a sign-off, after "my name is" or
in the From line, never a word of the landlord's or of a street."""

from __future__ import annotations

import re

from classify.fields.patterns import (
    FULL_NAME,
    NAME_PARTICLE,
    NAME_WORD,
    SIGN_OFF,
    TITLES,
    ocr_edges_cut,
)
from classify.fields.types import Landlord

_TITLE_WORDS = {"mr", "mrs", "ms", "miss", "mx", "dr", "cllr", "councillor", "sir", "dame",
                "rev", "prof", "madam", "madame"}
_TITLE_PREFIX = re.compile(rf"^(?:(?:{TITLES}|&|and)\s+)+", re.I)
_MY_NAME = re.compile(
    rf"\b(?:[Mm]y name(?: is|'s)?|I am|I'm|[Tt]his is)[ \t]+(?:{TITLES}[ \t]+)?({FULL_NAME})"
    r"(?!['’]s)\b"
)
_CAPITAL_NAME_WORD = r"(?!(?:AND|I|WHO|FROM|OF|AT|IN|THE)\b)[A-Z][A-Z'’-]+"
_MY_NAME_IN_CAPITALS = re.compile(
    rf"\bMY NAME IS[ \t]+(?:(?:MR|MRS|MS|MISS|DR)\.?[ \t]+)?({_CAPITAL_NAME_WORD}"
    rf"(?:[ \t]+{_CAPITAL_NAME_WORD}){{1,2}})\b"
    # The name ends the sentence or the clause: "MY NAME IS DOWN ON THE LIST" names no one.
    r"(?=[ \t]*(?:[,.;:(]|$|(?:AND|WHO|I|OF|FROM|AT)\b))", re.M)
_VOWELISH = re.compile(r"[aeiouyAEIOUY]|[^\x00-\x7f]")
_NOT_NAMES = {
    "Northbrook", "Homes", "Housing", "Council", "Services", "Service", "Team", "Dear", "Sir",
    "Madam", "Regards", "Thanks", "Complaints", "Complaint", "Customer", "Repairs", "Stage",
    "Ombudsman", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Sent", "Ref", "Re", "Subject", "Tenant", "Resident", "Flat", "Road", "Street", "Lane",
    "Close", "Avenue", "Officer", "Manager", "Yours", "Kind", "Best", "Many", "The", "Hi",
    "Hello", "Please", "Desk", "Committee", "Dept", "Department", "Centre", "Center", "Office",
    "Support", "Help", "Ltd", "Limited", "Group", "Association", "Trust", "Heating", "Property",
    "Properties", "Contracting", "Contractors", "Plumbing", "Electrical", "Court", "House",
    "Tower", "Wharf", "Unit", "Estate", "Way", "Drive", "Gardens", "Terrace", "Crescent",
    "Solicitor", "Solicitors", "Caseworker", "Worker", "Advocate", "Coordinator", "Adviser",
    "Advisor", "Therapist", "Director", "Tel", "Telephone", "Email", "Mobile", "Phone", "Your",
    "My", "Our", "Ward", "Member", "Hospital", "Dad", "Mum", "Mam", "Nan", "Gran", "Grandad",
    "Ta", "Cheers", "Morning", "Afternoon", "Evening", "Good", "Diolch", "Salaan", "Kindly",
    "Sincerely", "Faithfully", "Law", "Legal", "Advice", "Block", "Scheme", "Lodge", "Hostel",
    "Park", "Green", "Hill", "View", "Rise", "Row", "Walk", "Mews", "Place", "Square", "Grove",
    "Christmas", "Easter", "Universal", "Credit", "Benefit", "Allowance", "Attendance",
    "Policy", "Programme", "Board", "Dzień", "Dobry", "Obrigada",
    "January", "February", "March", "April", "June", "July", "August", "September",
    "October", "November", "December", "May", "Urgent", "Admin", "Accounts", "Payroll",
    "Independent", "Senior", "Head", "Chair", "Secretary", "Partner",
    "Networks", "Network", "Energy", "Electricity", "Utilities", "Plc", "Surgery", "Practice",
    "Charity", "Agency", "Authority", "Borough", "Metropolitan",
    # Words that open a sentence ("When the engineer came", "Yesterday the plumber"): never names.
    "When", "Yesterday", "Today", "Tomorrow", "Could", "Would", "Should", "Then", "After",
    "Before", "Since", "If", "And", "But", "So", "Also", "Finally", "Now", "Last", "Next", "Once",
    "While", "Because", "Eventually", "Later", "Apparently", "Unfortunately", "Luckily", "Sadly",
    "Claimant", "Defendant", "Closure", "Visitor", "Nurse", "Health",
}


def clean_name(raw: str) -> str | None:
    """A person's name as written, without title, trailing punctuation or line breaks."""
    name = re.sub(rf"\({TITLES}\)", " ", raw, flags=re.I)
    name = re.sub(r"\s+", " ", name).strip(" ,.;:-'\"()")
    name = _TITLE_PREFIX.sub("", name).strip(" ,.;:-'\"()")
    name = re.sub(r"['’]s$", "", name).replace("’", "'")  # OCR's curly "O’Rourke"
    # OCR's space after a hyphen ("Nair- Whitfield") and doubled letter after it
    # ("Nair-wWhitfield").
    name = re.sub(r"(?<=[a-z])- (?=[A-Z][a-z])", "-", name)
    name = re.sub(r"(?<=-)([a-z])(?=([A-Z]))",
                  lambda m: "" if m.group(1) == m.group(2).lower() else m.group(1), name)
    name = re.sub(r"\b(O|D|Mc|Mac)['’]\s+(?=[A-Z])", r"\1'", name)  # OCR's "O' Hare"
    # OCR reads the capital I of "McIlwaine" or "McIntyre" as an l: before a consonant it
    # cannot be one ("Mcllwaine", "Mclntyre"; "Maclean" stays).
    name = re.sub(r"\b(Mc|Mac)l(?=[b-df-hj-np-tv-z])", r"\1I", name)
    if not name or all(word.lower().strip(".()") in {*_TITLE_WORDS, "&", "and"}
                       for word in name.split()):
        return None
    return name


def introduced_name(text: str) -> str | None:
    """The name the writer gives themself: "my name is ...", "I am ...", "this is ...", in
    capitals too ("MY NAME IS RONALD CHARLTON AND I LIVE AT ...")."""
    named = _MY_NAME.search(text)
    if named:
        return clean_name(named.group(1))
    shouted = _MY_NAME_IN_CAPITALS.search(text)
    return clean_name(shouted.group(1).title()) if shouted else None


def looks_like_name(candidate: str, landlord: Landlord) -> bool:
    """One to four capitalised words, none a title, a street word or the landlord's name."""
    words = [word for word in candidate.split() if not re.fullmatch(NAME_PARTICLE, word)]
    if not words or len(words) > 4 or any(ch.isdigit() for ch in candidate):
        return False
    banned = _NOT_NAMES | set(landlord.names)
    if any(word.strip(".,'’") in banned for word in words):
        return False
    # Every name word of two letters or more has a vowel: "Vw" or "Wn Tva" is a signature's
    # scrawl as OCR reads it, not a name.
    if any(len(word.strip(".")) >= 2 and not _VOWELISH.search(word) for word in words):
        return False
    return bool(re.fullmatch(rf"{NAME_WORD}(?: (?:{NAME_PARTICLE} )*{NAME_WORD})*", candidate))


def same_person(one: str, other: str) -> bool:
    """The same surname, and the same first name or only one name given."""
    return one == other or (one.split()[-1] == other.split()[-1] and (
        one.split()[0] == other.split()[0] or len(one.split()) == 1 or len(other.split()) == 1))


def _couple(name: str) -> str:
    """"Anil and Priti Varsani" signs for two: the first named, with the shared surname."""
    match = re.fullmatch(rf"({NAME_WORD}) (?:and|&) {NAME_WORD} ({NAME_WORD})", name)
    return f"{match.group(1)} {match.group(2)}" if match else name


def _name_in_line(line: str, landlord: Landlord) -> str | None:
    # OCR's specks at the edges, and a colon read between a typed name's words ("Dorothy:
    # Pickles (Mrs)").
    line = re.sub(r"(?<=[a-z])[:;](?= [A-Z][a-z])", "", ocr_edges_cut(line))
    line = re.sub(r"^\((?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\)\s*", "", line.strip(), flags=re.I)
    line = re.sub(rf"^(?:{TITLES}\s+)+", "", line)
    initial = re.fullmatch(rf"((?:[A-Z]\.?[ \t]?){{1,2}}[ \t]?{NAME_WORD})[\s,.]*", line)
    if initial:  # "S. Clarke", "Mrs J R Haworth"
        return initial.group(1)
    capitals = re.fullmatch(r"([A-Z][A-Z'’-]+(?:[ \t]+[A-Z][A-Z'’-]+){1,2})[\s,.]*", line)
    if capitals:  # "DARREN BOOTH" in an angry email, or a letter's typed signature
        titled = capitals.group(1).title()
        if looks_like_name(titled, landlord):
            return titled
    head = re.split(r"[,(|]| - |\s+(?:\d|Flat\b|Tel\b|tel\b|Mob)", line)[0]
    name = clean_name(_couple(re.sub(r"\s+", " ", head.strip())))
    if name and looks_like_name(name, landlord) and re.fullmatch(FULL_NAME, name):
        return name
    return None


def signed_name(text: str, landlord: Landlord) -> str | None:
    """The name under the last sign-off ("Yours sincerely", "Kind regards", ...)."""
    # OCR's specks before a sign-off (": ‘Yours faithfully") are not part of it.
    lines = [re.sub(r"^[^\w(]+", "", line.strip()) for line in text.splitlines()]
    for index in range(len(lines) - 1, -1, -1):
        match = SIGN_OFF.match(lines[index])
        if not match:
            continue
        candidates = [match.group("rest")] + [line for line in lines[index + 1 : index + 4] if line]
        for candidate in candidates:
            name = _name_in_line(candidate, landlord) if candidate else None
            if name:
                return name
        return None
    return None


def closing_name(text: str, landlord: Landlord) -> str | None:
    """A name signed at the very end without a sign-off: "...this week. Grace Mbeki, Flat 8 ..."."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    candidates: list[tuple[str, bool]] = []
    for line in reversed(lines[-6:]):
        segment = re.split(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+", line)[-1]
        sign_off = SIGN_OFF.match(segment)
        if sign_off:
            segment = sign_off.group("rest")
        name = _name_in_line(segment, landlord)
        if name:
            bare = re.sub(r"[\s,.]*(?:\+?\d[\d ]{8,}\d)?[\s,.]*$", "", segment).strip(" .,")
            candidates.append((name, bare == name))
    # A full name anywhere near the end; one word ("Dale") only alone at the end of the last
    # line (a phone number may follow), since a town in an address block is one word too.
    full = [name for name, _alone in candidates if len(name.split()) >= 2]
    if full:
        return full[0]
    if candidates and candidates[0][1]:
        last = re.sub(r"[\s,.]*(?:tel\.?:?\s*)?\+?\d[\d ]{8,}\d[\s,.]*$", "", lines[-1])
        if last.strip(" .,").endswith(candidates[0][0]):
            return candidates[0][0]
    return _lower_case_signature(lines[-1]) if lines else None


def _lower_case_signature(line: str) -> str | None:
    """"tiffany hughes 19 meadow road grays": a name typed in lower case, then an address."""
    match = re.fullmatch(r"([a-z][a-z'’-]+ [a-z][a-z'’-]+)[ ,]+\d+[a-z]?\s+[a-z].*", line)
    return match.group(1).title() if match else None


def name_from_sender(sender_name: str | None, landlord: Landlord) -> str | None:
    """The From line's display name, where it is a person's."""
    if not sender_name or "@" in sender_name:
        return None
    name = sender_name.strip('"')
    if "," in name:  # "O'Connor, Margaret" as Outlook writes it
        last, first = (part.strip() for part in name.split(",", 1))
        name = f"{first} {last}"
    name = clean_name(name)
    return name if name and looks_like_name(name, landlord) else None


def written_in_full(name: str | None, text: str) -> str | None:
    """"S. Bairstow" signed where the text also writes "Sandra Bairstow" (a sender's block, a
    "Name:" line, the body): the fullest form of the same surname with the same initial."""
    if not name:
        return name
    if len(name.split()) == 1:
        # "Miss Rees" where a heading gives "Miss Tiffany Rees"; "my dad Des" where it gives
        # "Mr Desmond Whitmore".
        titled = re.search(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+([A-Z][a-z'’-]+)[ \t]+"
                           rf"{re.escape(name)}\b", text)
        if titled:
            return f"{titled.group(1)} {name}"
        given = re.search(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+({re.escape(name)}[a-z'’-]*)"
                          r"[ \t]+([A-Z][a-z'’-]+)\b", text)
        return f"{given.group(1)} {given.group(2)}" if given else name
    initials = re.fullmatch(r"((?:[A-Z]\.?){1,3})", name.split()[0])
    if len(name.split()) != 2 or not initials:
        return name
    letters, surname = re.sub(r"\.", "", initials.group(1)), name.split()[-1]
    # The first name may end in OCR's speck ("Michael! Brannigan"), or stand signed on the
    # line above the initialled name ("Kieran" over "K. O'Neill").
    signed_above = rf"[ \t]*\n(?:[ \t]*\n)?[ \t]*{re.escape(initials.group(1))}[ \t]*"
    if len(letters) == 1:
        pattern = (rf"\b({letters}[a-z][a-z'’-]+)(?:[!|]?[ \t]+(?:[A-Z]\.?[ \t]+)?"
                   rf"|{signed_above})")
    else:  # "D.B. Gurung" where the block gives "Dil Bahadur Gurung"
        pattern = r"\b(" + r"[ \t]+".join(f"{ch}[a-z][a-z'’-]+" for ch in letters) + (
            r")[!|]?[ \t]+")
    full = re.search(pattern + rf"{re.escape(surname)}\b", text)
    return f"{full.group(1)} {surname}" if full else name
