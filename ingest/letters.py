"""Scanned letters to text: the PDF's text layer when it holds real text, else Tesseract OCR."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial

from ingest.errors import QuarantineReason, UnreadableItem
from ingest.items import IntakeItem, PageText
from ingest.ocr import ocr_pages
from ingest.scanfile import MAX_IMAGE_PIXELS, OCR_DPI, ScanFile, ScanLimits

__all__ = ["MAX_IMAGE_PIXELS", "OCR_DPI", "extract_letter_text", "has_real_text", "read_pages"]

_WORD = re.compile(r"[A-Za-z]{2,}")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")


def extract_letter_text(
    raw: bytes,
    *,
    received_at: datetime | None = None,
    max_pages: int = 50,
    max_image_pixels: int = MAX_IMAGE_PIXELS,
    first_source_page: int = 1,
) -> IntakeItem:
    """Text of a scanned letter (PDF, TIFF, JPEG or PNG), page by page.

    `first_source_page` is where the letter starts in the file it was cut from (a batch
    scan), so each page knows its place in what the post room scanned.
    """
    with ScanFile(raw, ScanLimits(max_pages, max_image_pixels)) as scan:
        pages = read_pages(scan)
    pages = [replace(p, source_page=first_source_page + p.number - 1) for p in pages]
    text = "\n\n".join(page.text for page in pages if page.text.strip()).strip()
    if not has_real_text(text):
        raise UnreadableItem(QuarantineReason.NO_TEXT, "no readable text on any page")
    from_ocr = any(page.text_source == "ocr" for page in pages)
    return IntakeItem(
        source="letter",
        text=text,
        received_at=received_at or datetime.now(UTC),
        pages=tuple(pages),
        text_source="ocr" if from_ocr else "text_layer",
    )


def read_pages(scan: ScanFile) -> list[PageText]:
    """Each page's text: the text layer when the document's layer is real, else OCR.

    A layer that is empty or garbage overall (some scanners add poor OCR of their own) is
    ignored and every page is OCRed; in a document with a real layer, only pages whose own
    layer is empty (a scanned page in a typed letter) are OCRed.
    """
    layers = [scan.text_layer(index) for index in range(scan.page_count)]
    use_layer = has_real_text("\n".join(layers))
    to_ocr = [index for index, layer in enumerate(layers)
              if not use_layer or not _WORD.search(layer)]
    read = ocr_pages([partial(scan.page_image, index, OCR_DPI) for index in to_ocr]) if to_ocr \
        else []
    by_index = dict(zip(to_ocr, read, strict=True))
    pages = []
    for index, layer in enumerate(layers):
        page = by_index.get(index)
        if page is None:
            pages.append(PageText(number=index + 1, text=layer.strip()))
        else:
            pages.append(replace(page, number=index + 1))
    return pages


def has_real_text(text: str) -> bool:
    """True when text looks like language rather than an empty or garbage OCR layer."""
    words = _WORD.findall(text)
    if len(words) < 5:
        return False
    wordlike = sum(1 for word in words if _VOWEL.search(word))
    return wordlike / len(words) >= 0.6
