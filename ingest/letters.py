"""Scanned letters to text: the PDF's text layer when it holds real text, else Tesseract OCR."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pdfplumber
import pypdfium2
from PIL import Image, UnidentifiedImageError

from ingest.errors import QuarantineReason, UnreadableItem
from ingest.items import IntakeItem, PageText
from ingest.ocr import ocr_pages

OCR_DPI = 300
# Pillow refuses images past this many pixels: a page at 300 dpi is ~9 million.
MAX_IMAGE_PIXELS = 60_000_000
_WORD = re.compile(r"[A-Za-z]{2,}")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")


def extract_letter_text(
    raw: bytes, *, received_at: datetime | None = None, max_pages: int = 50
) -> IntakeItem:
    """Text of a scanned letter (PDF, TIFF, JPEG or PNG), page by page."""
    if not raw:
        raise UnreadableItem(QuarantineReason.EMPTY, "the file has no bytes")
    if raw.lstrip()[:5] == b"%PDF-":
        pages = _pdf_pages(raw, max_pages=max_pages)
    else:
        pages = ocr_pages(_image_frames(raw, max_pages=max_pages))
    text = "\n\n".join(page.text for page in pages).strip()
    if not has_real_text(text):
        raise UnreadableItem(QuarantineReason.NO_TEXT, "no readable text on any page")
    from_ocr = any(page.ocr_confidence is not None for page in pages)
    return IntakeItem(
        source="letter",
        text=text,
        received_at=received_at or datetime.now(UTC),
        pages=tuple(pages),
        text_source="ocr" if from_ocr else "text_layer",
    )


def has_real_text(text: str) -> bool:
    """True when text looks like language rather than an empty or garbage OCR layer."""
    words = _WORD.findall(text)
    if len(words) < 5:
        return False
    wordlike = sum(1 for word in words if _VOWEL.search(word))
    return wordlike / len(words) >= 0.6


def _pdf_pages(raw: bytes, *, max_pages: int) -> list[PageText]:
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            if len(pdf.pages) > max_pages:
                raise UnreadableItem(
                    QuarantineReason.TOO_MANY_PAGES,
                    f"{len(pdf.pages)} pages; the limit is {max_pages}",
                )
            layer = [(page.extract_text() or "") for page in pdf.pages]
    except UnreadableItem:
        raise
    except Exception as exc:
        raise _pdf_error(exc) from exc
    if has_real_text("\n".join(layer)):
        return [PageText(number=i + 1, text=text) for i, text in enumerate(layer)]
    return ocr_pages(_render_pdf(raw))


def _pdf_error(exc: Exception) -> UnreadableItem:
    # pdfminer wraps its own errors (PDFPasswordIncorrect) in the exception's args.
    described = f"{type(exc).__name__}: {exc}" if str(exc) else repr(exc)
    if "password" in repr(exc).lower() or "encrypt" in repr(exc).lower():
        return UnreadableItem(QuarantineReason.ENCRYPTED_PDF, "the PDF is encrypted")
    return UnreadableItem(QuarantineReason.CORRUPT_PDF, f"the PDF cannot be read ({described})")


def _render_pdf(raw: bytes) -> list[Image.Image]:
    try:
        document = pypdfium2.PdfDocument(raw)
    except pypdfium2.PdfiumError as exc:
        raise _pdf_error(exc) from exc
    try:
        return [page.render(scale=OCR_DPI / 72).to_pil().convert("L") for page in document]
    finally:
        document.close()


def _image_frames(raw: bytes, *, max_pages: int) -> list[Image.Image]:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(raw))
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            if index >= max_pages:
                raise UnreadableItem(
                    QuarantineReason.TOO_MANY_PAGES, f"more than {max_pages} pages"
                )
            image.seek(index)
            frames.append(image.convert("L"))
        return frames
    except Image.DecompressionBombError as exc:
        raise UnreadableItem(QuarantineReason.IMAGE_TOO_LARGE, str(exc)) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise UnreadableItem(
            QuarantineReason.UNSUPPORTED_TYPE, "neither a PDF nor an image Pillow can read"
        ) from exc
