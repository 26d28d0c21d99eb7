"""Bytes to text: an email is parsed, a letter is read from its text layer or by OCR."""

from __future__ import annotations

from ingest.errors import UnreadableItem
from ingest.items import IntakeItem, RawItem
from ingest.letters import extract_letter_text
from ingest.mail import AttachedLetter, letter_attachments, parse_message


def read_item(raw: RawItem, *, max_pdf_pages: int = 50,
              max_image_pixels: int = 60_000_000) -> IntakeItem:
    """An item's text, whichever way it came in; an unreadable one raises `UnreadableItem`."""
    if raw.source == "email":
        attached = tuple(_read_attachment(name, data, max_pdf_pages, max_image_pixels)
                         for name, data in letter_attachments(raw.raw))
        return parse_message(raw.raw, received_fallback=raw.received_at, attached=attached)
    first_page = raw.page_range[0] if raw.page_range else 1
    return extract_letter_text(raw.raw, received_at=raw.received_at, max_pages=max_pdf_pages,
                               max_image_pixels=max_image_pixels, first_source_page=first_page)


def _read_attachment(name: str, data: bytes, max_pages: int,
                     max_image_pixels: int) -> AttachedLetter:
    """An attached letter's text; one that cannot be read is named in the text, not fatal."""
    try:
        letter = extract_letter_text(data, max_pages=max_pages,
                                     max_image_pixels=max_image_pixels)
    except UnreadableItem as exc:
        return AttachedLetter(name, f"(this attachment could not be read: {exc.reason.value})")
    return AttachedLetter(name, letter.text, letter.pages)
