"""What a letter's own layout says about its resident: the name at the head of the sender's
block, and whether the letter is an organisation's (a circular, an open letter, an offer of
services) that speaks for no resident at all."""

from __future__ import annotations

import re

from classify.fields.layout import LetterLayout
from classify.fields.patterns import ocr_edges_cut
from classify.fields.people import clean_name, looks_like_name
from classify.fields.postcodes import find_postcodes
from classify.fields.types import Landlord

# The line under a signed name that gives the signer's post in an organisation.
_ROLE_LINE = re.compile(
    r"^(?:(?:[A-Z][\w'’&-]*|and|of|for)[ \t]+){0,4}(?:Manager|Secretary|Co-?ordinator|"
    r"Director|Officer|Chair(?:man|person|woman)?|Treasurer|Clerk|Administrator|Executive|"
    r"Organi[sz]er|Editor|President|Vicar|Minister|Member of Parliament|Partner|Founder|"
    r"Trustee|Reporter|Journalist|Correspondent)\b"
)
# A letter that says it is written to many, or to the public.
_CIRCULAR = re.compile(
    r"\bopen letter\b|\b(?:this|the) (?:notice|letter|invitation|update|newsletter) is being "
    r"sent to\b|\bsent to all (?:the )?(?:residents|organisations|partners|members)\b",
    re.I,
)


# The writer's own home: someone who signs over a post but writes about where they live
# (a tenants' association's chair about their own flat) is a resident.
_OWN_HOME = re.compile(
    r"\b(?:my|our) (?:home|flat|house|bungalow|maisonette|tenancy|rent|kitchen|bathroom|"
    r"bedroom|boiler|heating|ceiling|windows?|garden)\b|\bI live\b",
    re.I,
)


def organisation_letter(layout: LetterLayout, text: str) -> bool:
    """An organisation's letter that names no resident: signed by someone over their post
    ("Lee Sutcliffe / Business Development Manager") and not about their own home, or a
    circular or open letter."""
    role = layout.signed_role or ""
    signed_for_an_organisation = bool(_ROLE_LINE.match(role)) and not _OWN_HOME.search(text)
    return signed_for_an_organisation or bool(_CIRCULAR.search(text))


def block_name(layout: LetterLayout, landlord: Landlord) -> str | None:
    """The person named at the head of the sender's block ("Ms Ifeoma Nwosu", "Kevin Doyle.",
    "MRS EILEEN FAIRCLOUGH" in title case), where it is a person's name."""
    if not layout.sender_name:
        return None
    raw = ocr_edges_cut(layout.sender_name)
    name = clean_name(raw.title() if raw.isupper() else raw)
    if not name or len(name.split()) < 2 or not looks_like_name(name, landlord):
        return None
    return name


def fuller_of(one: str, other: str) -> str | None:
    """Of two forms of the same surname ("Kev Doyle", "Kevin Doyle"; "A. Okafor", "Amara
    Okafor"), the one written out more fully; None when the surnames differ."""
    if _folded(one.split()[-1]) != _folded(other.split()[-1]):
        return None
    # The letters of the given names: "D.B." (2) is less full than "Dil Bahadur" (10).
    given_one = sum(ch.isalpha() for word in one.split()[:-1] for ch in word)
    given_other = sum(ch.isalpha() for word in other.split()[:-1] for ch in word)
    if len(one.split()) == 1 or given_other > given_one:
        return other
    return one


def _folded(word: str) -> str:
    return re.sub(r"[^a-z]", "", word.lower())


# What follows "I" in a letter; OCR prints a typed capital I as "|", "!", "{", "[", "j" or
# "1" ("| would like", "! rang", "{ know"), which no rule reads as the writer.
_AFTER_I = (
    r"am|was|have|had|would|should|will|shall|can|could|must|may|might|do|did|want|wanted|"
    r"wish|need|hope|think|thought|know|knew|feel|felt|believe|understand|expect|trust|"
    r"ask|request|require|accept|agree|disagree|appreciate|enclose|write|wrote|rang|went|"
    r"came|took|gave|got|paid|pay|sat|said|told|saw|spoke|lost|bought|made|read|keep|live|"
    r"look|work|regard|mention|cannot|also|still|just|now|then|really|never|honestly|"
    r"therefore|[a-z]+ed"
)
_MISREAD_I = re.compile(
    rf"(?<![^\s(\"“‘'])(?:[|!{{}}\[\]jf](?=(?:['’](?:m|ve|d|ll)\b|\s+(?:{_AFTER_I})\b))"
    # "I" with a speck OCR read beside it ("I] humbly request", "I| want").
    rf"|(?<![^\s(\"“‘'])I[|!\]](?=\s+(?:humbly\s+|really\s+|just\s+|also\s+)?(?:{_AFTER_I})\b)"
    # A "1" only before a modal verb ("1 would like"): "item 1 reported" is a number.
    r"|1(?=\s+(?:would|should)\s+(?:like|be|ask|prefer)\b)"
    # A "1" or a "t" opening a line before a verb only "I" takes ("1 ask that", "t ask").
    r"|(?<![^\n])[1t](?=\s+(?:ask|want|wish|request|enclose|am|hope|expect)\b))")


# A name's capital I read as a lower-case l after a title ("Mr lwan Morgan", "Ms lsobel
# Reid"): before a consonant no l-name has ("Llewelyn" and "Lyn" keep theirs; "lan" and
# "lona" could be either and are left).
_MISREAD_NAME_I = re.compile(
    r"\b((?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+)l(?=[b-df-hj-km-np-tv-xz][a-z])")


# OCR's apostrophe for the space after a modal verb ("She would'like").
_MODAL_APOSTROPHE = re.compile(r"\b(would|should|could)['’](?!ve\b)(?=[a-z]{2,})")


def mend_misread_i(text: str) -> str:
    """A letter's text with OCR's misreadings of the word "I", of a name's capital I after a
    title and of the space after a modal verb put right."""
    text = _MODAL_APOSTROPHE.sub(r"\1 ", text)
    return _MISREAD_NAME_I.sub(r"\1I", _MISREAD_I.sub("I", text))


def only_above_the_date(text: str, postcode: str, layout: LetterLayout) -> bool:
    """The postcode is written only above the letter's date line: in a representative's
    letter that is their letterhead, their office's address and not the resident's."""
    if not layout.date_line or layout.date_line not in text:
        return False
    dated_at = text.index(layout.date_line)
    places = [match.start() for match, code in find_postcodes(text) if code == postcode]
    return bool(places) and all(at < dated_at for at in places)


# OCR's confusions within a word: "rn" read as "m" ("Thomley"), "cl" as "ci" or "d"
# ("Barraciough"), "l" as "i", "1", "|" or "!" ("Melior"). Words alike under them are one
# word as written.
_CONFUSIONS = ((re.compile(r"rn"), "m"), (re.compile(r"c[il1|!]|cl"), "d"),
               (re.compile(r"[il1|!]"), "l"))


def _skeleton(word: str) -> str:
    folded = word.lower()
    for pattern, same in _CONFUSIONS:
        folded = pattern.sub(same, folded)
    return folded


def as_spelled_most(name: str, text: str) -> str:
    """The name with each word as the letter spells it most often: OCR misreads a name in
    one place ("Frank Thomley" in the heading) and reads it right in others ("Mr Thornley"
    twice in the body). A word spelled no more often otherwise is kept as it is."""
    counts: dict[str, dict[str, int]] = {}
    written: dict[str, str] = {}  # a spelling, folded to lower case, as first written
    for word in re.findall(r"\b[A-Z][\w'’|!-]+", text):
        spellings = counts.setdefault(_skeleton(word), {})
        spellings[word.lower()] = spellings.get(word.lower(), 0) + 1
        written.setdefault(word.lower(), word)
    mended = []
    for word in name.split():
        spellings = counts.get(_skeleton(word), {})
        best = max(spellings, key=lambda w: spellings[w], default=word.lower())
        better = spellings.get(best, 0) > spellings.get(word.lower(), 0)
        spelled = written.get(best, word)
        mended.append((spelled.title() if spelled.isupper() else spelled) if better else word)
    return " ".join(mended)
