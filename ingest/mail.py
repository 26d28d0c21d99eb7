"""Parse one RFC 5322 message into an `IntakeItem`: mail-parser first, the stdlib as fallback."""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import Message

import mailparser

from ingest.errors import QuarantineReason, UnreadableItem
from ingest.htmltext import html_to_text
from ingest.items import IntakeItem, PageText

# mail-parser logs a warning for every content type it does not decode itself.
logging.getLogger("mailparser").setLevel(logging.ERROR)

# Header every message this product sends carries, so that our own mail coming back is dropped.
OUTBOUND_MARKER_HEADER = "X-Housing-Triage"

_HEADER_NAMES = re.compile(rb"^[!-9;-~]+:", re.MULTILINE)
_ANY_KNOWN_HEADER = ("from", "date", "subject", "message-id", "to", "content-type", "received")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def parse_message(raw: bytes, *, received_fallback: datetime | None = None,
                  attached: tuple[AttachedLetter, ...] = ()) -> IntakeItem:
    """Decode headers, body text and threading facts; unreadable input raises `UnreadableItem`.

    `attached` is the text already read from the message's PDF and image attachments (see
    `letter_attachments`); it follows the body, so a letter sent as a scan is read too.
    """
    if not raw.strip():
        raise UnreadableItem(QuarantineReason.EMPTY, "the message has no bytes")
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    present = {key.lower() for key in message}
    if not _HEADER_NAMES.search(raw[:4096]) or not present & set(_ANY_KNOWN_HEADER):
        raise UnreadableItem(QuarantineReason.NOT_AN_EMAIL, "no RFC 5322 header block found")

    plain, html = _bodies(raw, message)
    body = plain.strip() or (html_to_text(html) if html else "")
    text = "\n\n".join([body, *(f"[Attached: {letter.name}]\n{letter.text}"
                                 for letter in attached if letter.text.strip())]).strip()
    subject = _header_text(message, "Subject")
    if not text and not subject:
        raise UnreadableItem(QuarantineReason.NO_TEXT, "neither a subject nor a readable body")
    pages = _numbered_pages(attached)

    sender_name, sender_address = email.utils.parseaddr(_header_text(message, "From"))
    return IntakeItem(
        source="email",
        text=text,
        subject=subject,
        received_at=_received_at(message) or received_fallback or datetime.now(UTC),
        sender_name=sender_name or None,
        sender_address=sender_address.lower() or None,
        message_id=_first_message_id(message.get("Message-ID")),
        in_reply_to=tuple(_thread_ids(message)),
        automatic=detect_automatic_mail(message),
        html=html or None,
        attachments=tuple(_attachment_names(message)),
        pages=pages,
        text_source="body" if plain.strip() else "html" if body or not pages else (
            pages[0].text_source),
    )


@dataclass(frozen=True)
class AttachedLetter:
    """The text read from one attachment; `name` is for display only, never a path."""

    name: str
    text: str
    pages: tuple[PageText, ...] = ()


# What goes through the letter path (text layer, OCR); anything else is only listed.
LETTER_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/tiff"}
_LETTER_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MAX_LETTER_ATTACHMENTS = 5


def letter_attachments(raw: bytes) -> list[tuple[str, bytes]]:
    """(display name, bytes) of the PDF and image attachments, in order, at most five."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    found: list[tuple[str, bytes]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        ctype = part.get_content_type()
        name = _header_text_value(filename) if filename else ctype
        if ctype not in LETTER_TYPES and not (
                ctype == "application/octet-stream" and name.lower().endswith(_LETTER_SUFFIXES)):
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # a broken transfer encoding: nothing to read
            continue
        if payload:
            found.append((name, payload))
        if len(found) == MAX_LETTER_ATTACHMENTS:
            break
    return found


def _numbered_pages(attached: tuple[AttachedLetter, ...]) -> tuple[PageText, ...]:
    """Attachments' pages numbered on from one another, so each number is one page."""
    pages: list[PageText] = []
    for letter in attached:
        for page in letter.pages:
            pages.append(replace(page, number=len(pages) + 1))
    return tuple(pages)


def detect_automatic_mail(message: Message) -> str | None:
    """Why the message was sent by a machine (RFC 3834 and common practice), or None."""
    def header(name: str) -> str:
        return str(message.get(name, "")).strip().lower()

    auto_submitted = header("Auto-Submitted")
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if header("Precedence") in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {header('Precedence')}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if message.get(name) is not None:
            return f"{name} header"
    if message.get(OUTBOUND_MARKER_HEADER) is not None:
        return "our own outbound message"
    if message.get_content_type() == "multipart/report":
        return "delivery or disposition report"
    return_path = header("Return-Path")
    if return_path in {"<>", "<<>>"}:
        return "empty return path"
    sender = email.utils.parseaddr(header("From"))[1]
    if sender.startswith(("mailer-daemon@", "postmaster@")) or sender == "mailer-daemon":
        return "mailer daemon"
    if message.get("List-Unsubscribe") is not None or message.get("List-Id") is not None:
        return "mailing list"
    return None


def _bodies(raw: bytes, message: Message) -> tuple[str, str]:
    try:
        parsed = mailparser.parse_from_bytes(raw)
        return "\n\n".join(parsed.text_plain), "\n".join(parsed.text_html)
    except Exception:  # mail-parser trips over some broken multiparts; the stdlib copes.
        return _stdlib_bodies(message)


def _stdlib_bodies(message: Message) -> tuple[str, str]:
    plain: list[str] = []
    html: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_filename():
            continue
        ctype = part.get_content_type()
        if ctype not in {"text/plain", "text/html"}:
            continue
        payload = part.get_payload(decode=True) or b""
        decoded = decode_bytes(payload, part.get_content_charset())
        (plain if ctype == "text/plain" else html).append(decoded)
    return "\n\n".join(plain), "\n".join(html)


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """Decode with the declared charset; unknown or wrong labels fall back to cp1252 then latin-1.

    Mail often mislabels Windows-1252 as ISO-8859-1 (the WHATWG encoding spec treats the two
    labels as one), and an unknown label raises LookupError in the stdlib.
    """
    for candidate in (charset, "utf-8", "cp1252"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


def _header_text(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    try:
        fragments = email.header.decode_header(str(value))
    except Exception:
        return str(value).strip()
    text = "".join(
        decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
        for chunk, charset in fragments
    )
    return re.sub(r"\s+", " ", text).strip()


def _received_at(message: Message) -> datetime | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _first_message_id(value: object) -> str | None:
    if value is None:
        return None
    found = _MESSAGE_ID.search(str(value))
    # RFC 5322 caps a line at 998 characters; so does the column.
    return (found.group(0) if found else str(value).strip())[:998] or None


def _thread_ids(message: Message) -> list[str]:
    ids: list[str] = []
    for name in ("In-Reply-To", "References"):
        for found in _MESSAGE_ID.findall(str(message.get(name, ""))):
            if found not in ids:
                ids.append(found)
    return ids


def _attachment_names(message: Message) -> list[str]:
    """Attachment names for display only: they are never used as paths."""
    names = []
    for part in message.walk():
        filename = part.get_filename()
        if filename:
            names.append(_header_text_value(filename))
    return names


def _header_text_value(value: str) -> str:
    return re.sub(r"[\x00-\x1f/\\]", "_", value)[:200]
