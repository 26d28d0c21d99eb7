"""The plain data an item carries from ingestion into classification."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Source = Literal["email", "letter"]


@dataclass(frozen=True)
class RawItem:
    """Bytes exactly as they arrived, and where from; nothing parsed yet."""

    source: Source
    raw: bytes
    source_ref: str
    received_at: datetime | None = None
    # A scanned file's own digest and, for a letter cut out of a batch scan, its page range
    # in that file; None for email and for a file that is one letter.
    scan_sha256: str | None = None
    page_range: tuple[int, int] | None = None


@dataclass(frozen=True)
class TextBlock:
    """A block of a page as OCR rebuilt it: its lines, its side of the page ("left", "right"
    or "full"), its mean word confidence (0-1) and its box (left, top, right, bottom) in the
    pixels of the page as read."""

    text: str
    side: str
    confidence: float | None
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class PageText:
    """One page of a letter: its text and, when it came from OCR, Tesseract's mean confidence.

    `rotation` is the clockwise turn (degrees) OSD applied to read it; `source_page` the page's
    number in the scanned file, which differs from `number` for a letter cut out of a batch.
    """

    number: int
    text: str
    ocr_confidence: float | None = None
    rotation: int = 0
    text_source: Literal["text_layer", "ocr"] = "text_layer"
    source_page: int | None = None
    blocks: tuple[TextBlock, ...] = ()
    handwritten: bool = False


@dataclass(frozen=True)
class IntakeItem:
    """One email or letter reduced to what triage needs: text, sender, dates and threading."""

    source: Source
    text: str
    received_at: datetime
    subject: str = ""
    sender_name: str | None = None
    sender_address: str | None = None
    message_id: str | None = None
    in_reply_to: tuple[str, ...] = ()
    automatic: str | None = None
    html: str | None = None
    attachments: tuple[str, ...] = ()
    pages: tuple[PageText, ...] = field(default=())
    text_source: Literal["body", "html", "text_layer", "ocr"] = "body"

    @property
    def ocr_confidence(self) -> float | None:
        """The lowest page confidence: one unreadable page is enough to need a person."""
        scores = [p.ocr_confidence for p in self.pages if p.ocr_confidence is not None]
        return min(scores) if scores else None

    @property
    def handwritten(self) -> bool:
        """A page of it reads as handwriting: an officer reads it, no field is guessed."""
        return any(page.handwritten for page in self.pages)
