"""How to reach the resident: their email address, their phone number and the way they ask
to be contacted."""

from __future__ import annotations

import re

import phonenumbers

from classify.fields.patterns import start_of_body
from classify.fields.postcodes import find_postcodes
from classify.fields.types import Landlord

EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?\d{2,4}|\(?0\d{2,4}\)?)[\s-]?\d{3,4}[\s-]?\d{3,4}\b"
)
# How the writer asks to be answered, tried in this order.
_CONTACT_METHODS = [
    ("email", re.compile(r"\b(?:e-?mail me|(?<!confirmed )(?<!told )(?<!informed )(?<!sent )"
                         r"(?<!received )by e-?mail|reply by e-?mail|prefer e-?mail|"
                         r"to this e-?mail(?: address)?|"
                         r"e-?mail (?:is|ts|remains|would be) (?:still |also |my |the )?"
                         r"(?:best|better|easiest|preferred)|"
                         r"(?:preferred|best) (?:method|means|way) of contact(?: is)?:? e-?mail|"
                         r"(?:please\s+)?e-?mail (?:rather than|not|instead of)|"
                         r"email me back|contact me (?:by|via|on) (?:e-?mail|this address)|"
                         r"confirm[^.]{0,30} by e-?mail|"
                         r"(?:reply|respond|write back) (?:to me )?(?:by|via) e-?mail|"
                         r"e-?mail,? which I (?:would )?prefer)", re.I)),
    ("phone", re.compile(r"\b(?:call|ring|phone|telephone|text)\s+me\b|\bby (?:phone|telephone)\b|"
                         r"\bprefer (?:a )?(?:call|phone)|\bcontacted by (?:phone|telephone)|"
                         r"\bplease telephone\b|\bring me\b|\breached on\b|"
                         r"\btelephones? me\b|\bbest (?:phone )?number\b|\btext is fine\b|"
                         r"(?:phone|telephone|mobile) (?:is|would be) (?:best|easiest|preferred)",
                         re.I)),
    ("letter", re.compile(r"\b(?:write to me|(?<!told )(?<!informed )(?<!sent )(?<!received )"
                          r"(?<!confirmed )by (?:letter|post)|reply in writing|"
                          r"(?:contact|reply to) me in writing|prefer[^.]{0,20}in writing|"
                          r"do not (?:have|use) (?:an )?e-?mail|"
                          r"don't (?:have|use) (?:e-?mail|a computer)|"
                          r"doesn't (?:have|do) e-?mails?|reply in writing)", re.I)),
    ("in_person", re.compile(r"\b(?:visit me|come (?:round|to see me)|in person|home visit)",
                             re.I)),
]


def contact_method(text: str) -> str | None:
    """"email", "phone", "letter" or "in_person", where the writer asks for one."""
    return next((method for method, pattern in _CONTACT_METHODS if pattern.search(text)), None)


def resident_email(
    text: str, sender_address: str | None, landlord: Landlord, is_representative: bool
) -> str | None:
    """The first address in the text that is not the landlord's (nor, from a representative,
    their own or their letterhead's); else the sender's, when the resident writes."""
    def ours(address: str) -> bool:
        return address.split("@")[-1] in landlord.email_domains

    start = start_of_body(text) if is_representative else 0
    in_text = [m.group(0).lower() for m in EMAIL.finditer(text, start)
               if not ours(m.group(0).lower())]
    for address in in_text:
        if not is_representative or address != (sender_address or "").lower():
            return address
    if sender_address and not ours(sender_address) and not is_representative:
        return sender_address.lower()
    return None


def phone_number(text: str, landlord: Landlord | None = None,
                 is_representative: bool = False) -> str | None:
    """The first UK number in the writer's words, past any letterhead's switchboard line;
    never one on a line with the landlord's own postcode, and from a representative never
    their letterhead's (a firm's or an MP's office's number is not the resident's)."""
    body_start = start_of_body(text)
    numbers = [(m.start, m.raw_string) for m in phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)]
    # A UK number has ten or eleven digits with its trunk 0 (or +44): not a year or a price.
    numbers = [(start, raw) for start, raw in numbers
               if re.fullmatch(r"(?:\+?44|0)\d{9,10}", re.sub(r"[\s()-]", "", raw))
               and not re.search(r"[./]", raw) and not _on_landlords_line(text, start, landlord)]
    if not numbers:
        fallback = PHONE.search(text)
        if fallback is None or _on_landlords_line(text, fallback.start(), landlord) or (
                is_representative and fallback.start() < body_start):
            return None
        return fallback.group(0).strip()
    after = [raw for start, raw in numbers if start >= body_start]
    if is_representative:
        return after[0].strip() if after else None
    return (after or [raw for _start, raw in numbers])[0].strip()


def _on_landlords_line(text: str, at: int, landlord: Landlord | None) -> bool:
    """The number sits on a line that gives the landlord's own postcode ("Civic House, 1
    Fishergate, Preston PR1 2AB - Tel 01632 960000")."""
    if landlord is None:
        return False
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start : end if end >= 0 else len(text)]
    return any(code in landlord.postcodes for _match, code in find_postcodes(line))
