"""Who sent an email and to whom, and what it carries, for the officer's view of the whole
item: the sender's address and display name, To and Cc, and each attachment with its type
and size (its bytes only on request, for the review app to re-encode, never to serve).
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import re
from dataclasses import dataclass
from email.message import Message

MAX_ADDRESSES, MAX_ATTACHMENTS = 50, 50
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff", "image/bmp")


@dataclass(frozen=True)
class Attachment:
    number: int  # 1-based, in the message's order
    name: str
    content_type: str
    size: int

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf" or self.name.lower().endswith(".pdf")


@dataclass(frozen=True)
class Envelope:
    sender_name: str
    sender_address: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    attachments: tuple[Attachment, ...]


def _text(value: object) -> str:
    """A header's text, decoded, with control characters taken out."""
    if value is None:
        return ""
    try:
        decoded = str(email.header.make_header(email.header.decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError):
        decoded = str(value)
    return re.sub(r"[\x00-\x1f\x7f]", " ", decoded).strip()[:1000]


def _addresses(message: Message, name: str) -> tuple[str, ...]:
    pairs = email.utils.getaddresses([_text(v) for v in message.get_all(name) or []])
    shown = [f"{n} <{a}>" if n else a for n, a in pairs if a or n]
    return tuple(shown[:MAX_ADDRESSES])


def _parts(message: Message) -> list[tuple[Attachment, Message]]:
    found: list[tuple[Attachment, Message]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = (part.get("Content-Disposition") or "").lower()
        if (not filename and "attachment" not in disposition
                and part.get_content_maintype() != "image"):
            continue  # a body part, not an attachment
        payload = part.get_payload(decode=True) or b""
        name = re.sub(r"[\x00-\x1f/\\]", "_", _text(filename))[:200] if filename else ""
        found.append((Attachment(len(found) + 1, name or f"attachment {len(found) + 1}",
                                 part.get_content_type(), len(payload)), part))
        if len(found) == MAX_ATTACHMENTS:
            break
    return found


def envelope(raw: bytes) -> Envelope:
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    name, address = email.utils.parseaddr(_text(message.get("From")))
    return Envelope(name, address.lower(), _addresses(message, "To"), _addresses(message, "Cc"),
                    tuple(attachment for attachment, _ in _parts(message)))


def attachment_bytes(raw: bytes, number: int) -> tuple[Attachment, bytes] | None:
    """The attachment `number` and its decoded bytes, or None when there is no such one."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    for attachment, part in _parts(message):
        if attachment.number == number:
            return attachment, part.get_payload(decode=True) or b""
    return None
