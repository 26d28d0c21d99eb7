"""What is not the writer's own words: quoted history, phone footers and disclaimers, and the
auto-replies and sales mail that carry no resident's details at all."""

from __future__ import annotations

import re

from classify.fields.patterns import DISCLAIMER
from classify.text import split_quoted

_SENT_FROM = re.compile(r"^\s*(?:Sent from (?:my )?\S.*|Get Outlook for \S+.*)$", re.I | re.M)


def own_text(body: str) -> str:
    """The writer's own words: no quoted history, phone footers or employers' disclaimers."""
    own, _quoted = split_quoted(body)
    text = _SENT_FROM.sub("", own or body)
    paragraphs = re.split(r"\n[ \t]*\n", text)
    kept = [p for p in paragraphs if not DISCLAIMER.match(p)]
    return "\n\n".join(kept).strip() or text.strip()


_AUTOMATIC = re.compile(
    r"\b(?:out of (?:the )?office|automatic reply|auto-?reply|automated (?:message|response|reply)|"
    r"do not reply to this (?:e-?mail|message)|replies to this address are not monitored|"
    r"delivery (?:has )?failed|could(?:n't| not) be delivered|undeliverable|mailbox (?:is )?full|"
    r"unsubscribe|you are receiving this|has not been forwarded|away from my desk|"
    r"(?:on|away on) (?:annual|maternity|paternity|sick|study) leave until|"
    r"(?:respond|reply) (?:to your (?:e-?mail|message) )?(?:on|upon) my return)",
    re.I,
)


# "I ... got an automatic reply saying ...": a writer telling of a reply they had is no robot.
_TOLD_OF = re.compile(r"\b(?:got|get|received|receive|had|have|sent me|just)\s+(?:an?\s+|the\s+)?"
                      r"(?:\w+\s+)?$", re.I)


def is_automatic(text: str) -> bool:
    """Out-of-office, delivery reports and bulletins: nobody's complaint, no fields to take."""
    return any(not _TOLD_OF.search(text[max(0, m.start() - 30) : m.start()])
               for m in _AUTOMATIC.finditer(text))


_BUSINESS_SIGNATURE = re.compile(
    r"\b(?:Ltd|Limited|plc|Inc|Business Development|Sales|Marketing|Account (?:Manager|"
    r"Executive)|Managing Director|Chief Executive|Recruitment|Partnerships?|SEO|"
    r"Conference Committee|Events? Team|Accounts (?:Dept|Department|Team))\b"
)
_HOME_CONTEXT = re.compile(
    r"\b(?:my|our) (?:home|flat|house|bungalow|property|tenancy|rent|landlord|neighbours?|"
    r"kitchen|bathroom|bedroom|boiler|heating|repair|complaint)\b|\bI live\b|\bI rent\b|"
    r"\b(?:your|a) tenant\b|\bresidents?\b|\btenants'? (?:association|group)\b",
    re.I,
)


def is_business_mail(text: str) -> bool:
    """A supplier's pitch or invoice, signed by a company, about nobody's home."""
    tail = "\n".join(text.splitlines()[-4:])
    return bool(_BUSINESS_SIGNATURE.search(tail)) and not _HOME_CONTEXT.search(text)
