"""The landlord's staff and contractors a writer names ("your surveyor, Mr Keith Danby"),
never the resident, their circle or outside bodies such as councillors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classify.fields.patterns import NAME_GAP, NAME_WORD, RELATIONS, TITLES
from classify.fields.people import clean_name, looks_like_name
from classify.fields.representatives import (
    HEADING_PERSON,
    ON_BEHALF,
    RELATION,
    RELATION_IN_BRACKETS,
    THIRD_PERSON,
)
from classify.fields.types import Landlord

# One or two name words: staff are named "Jamal" or "Keith Danby".
_ONE_OR_TWO = rf"{NAME_WORD}(?:{NAME_GAP}{NAME_WORD})?"
_ROLE = (
    r"(?:operatives?|engineers?|officers?|plumbers?|electricians?|surveyors?|inspectors?|"
    r"contractors?|managers?|caretakers?|advisor|adviser|workm[ae]n|technicians?|gasman|"
    r"joiners?|roofers?|fitters?|handyperson|handyman|receptionist|supervisors?|cleaners?|"
    r"gardeners?|wardens?|co-?ordinator|handler|agent|assistant|colleague|decorators?|"
    r"plasterers?|carpenters?|locksmith|lady|man|woman|chap|guy|lads?|gentleman|bloke|"
    r"member of staff|staff member|worker|scaffolders?|glaziers?|painters?|builders?|"
    r"(?:team\s+)?leader|rep|representative|person|installer|driver|chaps|men|guys|ladies)"
)
_STAFF_NAMES = (rf"(?:{TITLES}[ \t]+)?({_ONE_OR_TWO})"
                rf"(?:(?:[ \t]+and[ \t]+|,[ \t]*)(?:{TITLES}[ \t]+)?({_ONE_OR_TWO}))?")
_STAFF_PATTERNS = [
    # "your surveyor, Mr Keith Danby", "operative called Mo", "the fitter Jamal",
    # "officer at sign-up, Femi", "plumber (Craig)", "two engineers from X, Ryan and Sanjay"
    re.compile(
        rf"\b{_ROLE}(?:[ \t]+(?:at|from|in|on|for|with)[ \t]+[^,.;()\n]{{1,40}})?"
        rf"(?:[ \t]*[,:(-][ \t]*|[ \t]+(?:called|named|by the name of|-)[ \t]+|[ \t]+)"
        rf"(?:I think (?:his|her|their) name (?:was|is)[ \t]+)?{_STAFF_NAMES}"
    ),
    # "the man who came to fix her stairlift on tuesday, Kwame, was so kind"
    re.compile(rf"\b{_ROLE}[ \t]+(?:who|that)\b[^,.;\n]{{3,80}},[ \t]*{_STAFF_NAMES}"),
    # "I think her name was Bernadette"
    re.compile(rf"\b(?:his|her) name (?:was|is)[ \t]+{_STAFF_NAMES}"),
    # "Mrs Anjali Desai in your lettings team", "Gemma from lettings", "Natalie in complaints"
    re.compile(
        rf"(?:{TITLES}[ \t]+)?({_ONE_OR_TWO})[ \t]*,?[ \t]+(?:from|in|at|of|on)[ \t]+"
        r"(?:the[ \t]+|your[ \t]+|our[ \t]+)?(?:(?:[\w-]+[ \t]+){0,3}?"
        r"(?:team|department|dept|office|section|service)\b|lettings\b|repairs\b|"
        r"complaints\b|ASB\b|voids\b|allocations\b|customer services\b|call centre\b|"
        r"contact centre\b)"
    ),
    # "Colin Ashby - estate officer", "Mr Rashid, your housing officer"
    re.compile(
        rf"(?:{TITLES}[ \t]+)?({_ONE_OR_TWO})[ \t]*(?:,|-|–)[ \t]*"
        r"(?:the[ \t]+|your[ \t]+|our[ \t]+|an?[ \t]+)?"
        rf"(?:[\w-]+[ \t]+){{0,2}}?{_ROLE}\b"
    ),
    # "Gary (plasterer)", "Barry the plumber", "Kev the gas man"
    re.compile(
        rf"(?:{TITLES}[ \t]+)?(?!(?:To|From|Dear|Thanks)\b)({_ONE_OR_TWO})[ \t]*"
        rf"(?:\([ \t]*(?:the[ \t]+)?|[ \t]+the[ \t]+)"
        rf"(?:[\w-]+[ \t]+)?{_ROLE}\b"
    ),
    # "His name was on his top: Gavin."
    re.compile(rf"\b(?:his|her|their) name (?:was|is)[^.,;\n]{{0,30}}:[ \t]*{_STAFF_NAMES}"),
    # "complain about Mr Nathaniel Eze", "complaint against Bukola Adeyinka"
    re.compile(
        rf"\bcomplain(?:t|ts|ing)?[ \t]+(?:about|against|regarding)[ \t]+"
        rf"(?:your[ \t]+(?:[\w-]+[ \t]+){{0,3}}?{_ROLE}[ \t,]+)?{_STAFF_NAMES}"
    ),
    # "thanks to Mark Oduro", "pass our thanks to Joanne", "please thank Tom", "commend Ms X"
    re.compile(
        rf"\b(?:thanks?|thank you|grateful|commend|praise)[ \t]+(?:to[ \t]+)?{_STAFF_NAMES}"
    ),
    re.compile(
        rf"\bpass(?:ed)?[ \t]+(?:this|these|that|it|my thanks|our thanks|on my thanks|"
        rf"on our thanks|my gratitude)?[ \t]*(?:on[ \t]+)?to[ \t]+{_STAFF_NAMES}"
    ),
    # "signed by Ms Joanne Ritson", "the reply from Mr Rashid", "spoke to Sharon"
    re.compile(
        rf"\b(?:signed by|reply from|response from|letter from|email from|spoke (?:to|with)|"
        rf"speaking (?:to|with)|talked to|dealt with by|handled by|visit from)[ \t]+{_STAFF_NAMES}"
    ),
    # "Andy and Sam who did my bathroom", "Farah Siddiqui, who handled my complaint"
    re.compile(
        rf"{_STAFF_NAMES}[ \t]*,?[ \t]+who[ \t]+(?:came|did|fitted|fixed|installed|repaired|"
        r"sorted|visited|handled|dealt|attended|inspected|helped|rang|called|phoned|took)\b"
    ),
]
# Compiled once: staff_named runs them per sentence and per line.
_NOT_STAFF_OPENING = re.compile(
    r"\s*(?:dear|re\b|to\b|hi\b|hello\b|our client|client|constituent)", re.I)
_SALUTATION = re.compile(rf"\s*(?:Dear|Hi|Hello)[ \t]+(?:{TITLES}[ \t]+)?({_ONE_OR_TWO})")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.M)
# "Jan", "Nov" and "Sept" before or after a day or year are months, not people.
_MONTH_WORD = re.compile(r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)")
_TITLED_NAME = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss)\.?[ \t]+({_ONE_OR_TWO})")
_STAFF_CONTEXT = re.compile(
    rf"\b(?:{_ROLE}|team|staff)\b",
    re.I,
)
# A titled surname ("Mrs Patel promised to ring me") is staff on weaker evidence: residents
# rarely call their own circle "Mrs".
_TITLED_STAFF_CONTEXT = re.compile(
    rf"\b(?:{_ROLE}|team|staff|promised|rang me|called me|phoned me)\b",
    re.I,
)
_NOT_STAFF_CONTEXT = re.compile(
    rf"\b(?:[Mm]y|[Hh]is|[Hh]er|[Oo]ur|[Tt]heir)[ \t]+(?:[\w-]+[ \t]+)?(?:{RELATIONS}|dog|cat|pet|"
    rf"GP|doctor|solicitor|MP|councillor|support worker|social worker|advocate|landlord|"
    rf"boss|employer|teacher|ex|ex-husband|ex-wife|ex-partner|fianc[eé]e?|boyfriend|girlfriend)"
    rf",?[ \t]+(?:{TITLES}[ \t]+)?({_ONE_OR_TWO})"
)
_OUTSIDERS = re.compile(
    rf"\b(?:Cllr|Councillor|Dr)\.?[ \t]+({_ONE_OR_TWO})|({_ONE_OR_TWO})[ \t]+MP\b|"
    rf"\b(?:[Oo]ffice of|[Cc]aseworker (?:to|for))[ \t]+(?:{TITLES}[ \t]+)?({_ONE_OR_TWO})"
)


@dataclass(frozen=True)
class PersonEntity:
    """A PERSON entity from spaCy, where it is in the text: a staff name, when the sentence
    around it speaks of staff."""

    text: str
    start: int


def staff_named(text: str, entities: list[PersonEntity], people: set[str],
                address: str | None, landlord: Landlord) -> tuple[str, ...]:
    """Staff, contractors and officers the writer names; never the resident or their circle."""
    excluded = {n for n in people if n}
    excluded_words = {word for n in excluded for word in n.split()}
    excluded_words |= {w for part in (address or "").split(", ") for w in part.split()}
    excluded_words |= _not_staff_words(text, landlord)
    candidates: list[tuple[int, str]] = []
    for pattern in _STAFF_PATTERNS:
        for match in pattern.finditer(text):
            for group in range(1, (pattern.groups or 0) + 1):
                if match.group(group):
                    candidates.append((match.start(group), match.group(group)))
    for sentence_start, sentence in _sentences(text):
        if _NOT_STAFF_OPENING.match(sentence):
            continue
        if _TITLED_STAFF_CONTEXT.search(sentence):
            for match in _TITLED_NAME.finditer(sentence):
                candidates.append((sentence_start + match.start(1), match.group(1)))
        if not _STAFF_CONTEXT.search(sentence):
            continue
        end = sentence_start + len(sentence)
        for person in entities:
            if sentence_start <= person.start < end:
                first_line = person.text.splitlines()[0]
                candidates.append((person.start, first_line))
    found: list[str] = []
    for start, raw in sorted(candidates):
        candidate = clean_name(raw)
        if not candidate or not looks_like_name(candidate, landlord) or _is_month(
                text, start, candidate):
            continue
        words = set(candidate.split())
        if candidate in excluded or words <= excluded_words or (
                len(words) > 1 and candidate.split()[-1] in excluded_words):
            continue
        if any(candidate == f or candidate in f.split() for f in found):
            continue
        found = [f for f in found if f not in candidate.split()]
        found.append(candidate)
    return tuple(found)


def _is_month(text: str, start: int, candidate: str) -> bool:
    """A month's short name written beside a number: "6 Jan", "Nov 2025", "Sept 12th"."""
    if not _MONTH_WORD.fullmatch(candidate):
        return False
    end = start + len(candidate)
    before, after = text[max(0, start - 4) : start], text[end : end + 4]
    return bool(re.search(r"\d\W{0,2}$", before) or re.match(r"\.?\W{0,2}\d", after))


def _not_staff_words(text: str, landlord: Landlord) -> set[str]:
    """Names the text ties to the writer's circle ("my partner, Jason") or outside bodies."""
    words: set[str] = set()
    for pattern in (_NOT_STAFF_CONTEXT, _OUTSIDERS, RELATION_IN_BRACKETS, ON_BEHALF,
                    THIRD_PERSON, RELATION):
        for match in pattern.finditer(text):
            for raw in match.groups():
                name = clean_name(raw) if raw else None
                if name and looks_like_name(name, landlord):
                    words |= set(name.split())
    for match in HEADING_PERSON.finditer(text):
        name = clean_name(match.group(2))
        if name:
            words |= set(name.split())
    for line in text.splitlines():
        salutation = _SALUTATION.match(line)
        if salutation:
            words |= set(salutation.group(1).split())
    return words


def _sentences(text: str) -> list[tuple[int, str]]:
    """Sentences with their offsets; a line break ends one too (addresses, signatures)."""
    found = []
    for match in _SENTENCE.finditer(text):
        if match.group(0).strip():
            found.append((match.start(), match.group(0)))
    return found
