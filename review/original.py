"""The original of an item for the review page, from its stored raw bytes: an email's HTML
only after sanitising, a letter's pages and an email's attached images and PDFs drawn again
as PNG on demand (nothing else is kept, nothing is served as it was sent).

Email bodies are hostile: the HTML goes through `nh3` (ammonia) with an allow-list that has
no scripts, no event handlers, no styles, no images or other remote fetches, and only http,
https and mailto links; the page's Content-Security-Policy would block scripts anyway.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from pathlib import Path
from threading import Lock

import nh3
import pypdfium2
from PIL import Image, UnidentifiedImageError

from ingest.envelope import Envelope, attachment_bytes, envelope
from ingest.errors import UnreadableItem
from ingest.mail import parse_message
from models.rawstore import load_raw

REVIEW_DPI = 110
MAX_IMAGE_PIXELS = 60_000_000
# Tags that fetch or embed something, or restyle the page, never reach the officer's browser.
_DROPPED_TAGS = {"img", "picture", "source", "video", "audio", "track", "map", "area"}
SAFE_TAGS = set(nh3.ALLOWED_TAGS) - _DROPPED_TAGS
SAFE_ATTRIBUTES = {tag: set(attrs) - {"style", "src", "srcset", "usemap", "longdesc"}
                   for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag in SAFE_TAGS}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_html(html: str) -> str:
    """HTML that is safe to put in the page: markup kept for reading, anything active gone."""
    return nh3.clean(html, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def email_html(raw_dir: Path, raw_path: str, sha256: str) -> str | None:
    """The email's HTML body, sanitised; None for a plain-text email or unreadable bytes."""
    try:
        parsed = parse_message(load_raw(raw_dir, raw_path, sha256))
    except (UnreadableItem, OSError, ValueError):
        return None
    if not parsed.html or not parsed.html.strip():
        return None
    cleaned = sanitise_html(parsed.html).strip()
    return cleaned or None


def email_envelope(raw_dir: Path, raw_path: str, sha256: str) -> Envelope | None:
    """Sender, To, Cc and the attachments' names, types and sizes; None if unreadable."""
    try:
        return envelope(load_raw(raw_dir, raw_path, sha256))
    except (UnreadableItem, OSError, ValueError):
        return None


ATTACHMENT_MAX_SIDE = 1600


def attachment_png(raw_dir: Path, raw_path: str, sha256: str, number: int) -> bytes | None:
    """An image attachment decoded and drawn again as a fresh PNG (no metadata, nothing of
    the sent file but its pixels, at most 1600 px a side); None if it is not a readable
    image. The bytes as sent are never served."""
    try:
        found = attachment_bytes(load_raw(raw_dir, raw_path, sha256), number)
        if found is None or not found[0].is_image:
            return None
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        with Image.open(io.BytesIO(found[1])) as picture:
            picture.seek(0)
            image = picture.convert("RGB")
    except (UnreadableItem, OSError, ValueError, UnidentifiedImageError, EOFError,
            Image.DecompressionBombError):
        return None
    image.thumbnail((ATTACHMENT_MAX_SIDE, ATTACHMENT_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


# An attached PDF is shown as its first pages, drawn by the server (pdfium) and re-encoded.
ATTACHMENT_PDF_PAGES = 10


def _attached_pdf(raw: bytes, number: int) -> bytes | None:
    found = attachment_bytes(raw, number)
    if found is None or not found[0].is_pdf or not _is_pdf(found[1]):
        return None
    return found[1]


def attachment_pdf_pages(raw_dir: Path, raw_path: str, sha256: str,
                         envelope: Envelope | None) -> dict[int, int]:
    """For each attached PDF that can be read: how many pages it has (its attachment number
    to its page count); one the server cannot open is listed only, never shown."""
    if envelope is None or not any(a.is_pdf for a in envelope.attachments):
        return {}
    try:
        raw = load_raw(raw_dir, raw_path, sha256)
    except (UnreadableItem, OSError):
        return {}
    counts = {}
    for attachment in envelope.attachments:
        data = _attached_pdf(raw, attachment.number) if attachment.is_pdf else None
        if data is None:
            continue
        try:
            with _pdf(data) as pdf:
                counts[attachment.number] = len(pdf)
        except pypdfium2.PdfiumError:
            continue
    return counts


def attachment_pdf_png(raw_dir: Path, raw_path: str, sha256: str, number: int,
                       page: int) -> bytes | None:
    """Page `page` of the attached PDF `number`, drawn as a fresh PNG at most 1600 px a side
    (only its first ATTACHMENT_PDF_PAGES pages); None if there is no such page. The PDF as
    sent is never served: its scripts, forms and links do not reach the officer's browser."""
    if not 1 <= page <= ATTACHMENT_PDF_PAGES:
        return None
    try:
        data = _attached_pdf(load_raw(raw_dir, raw_path, sha256), number)
        if data is None:
            return None
        with _pdf(data) as pdf:
            if page > len(pdf):
                return None
            sheet = pdf[page - 1]
            width, height = sheet.get_size()
            scale = min(REVIEW_DPI / 72, ATTACHMENT_MAX_SIDE / max(width, height, 1.0))
            image = sheet.render(scale=scale).to_pil().convert("RGB")
            sheet.close()
    except (UnreadableItem, OSError, ValueError, pypdfium2.PdfiumError):
        return None
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


class PageImages:
    """Scanned pages as PNG, rendered from the stored bytes when an officer opens the item;
    a few recent ones are kept in memory so paging back and forth is instant."""

    def __init__(self, raw_dir: Path, max_pages: int = 50, keep: int = 32) -> None:
        self._raw_dir, self._max_pages, self._keep = raw_dir, max_pages, keep
        self._cache: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = Lock()

    def count(self, raw_path: str, sha256: str) -> int:
        try:
            raw = load_raw(self._raw_dir, raw_path, sha256)
            if _is_pdf(raw):
                with _pdf(raw) as pdf:
                    return min(len(pdf), self._max_pages)
            with Image.open(io.BytesIO(raw)) as image:
                return min(getattr(image, "n_frames", 1), self._max_pages)
        except (UnreadableItem, OSError, UnidentifiedImageError, pypdfium2.PdfiumError):
            return 0

    def png(self, raw_path: str, sha256: str, number: int) -> bytes | None:
        """Page `number` (1-based) as PNG, or None when there is no such page."""
        if number < 1 or number > self._max_pages:
            return None
        key = (sha256, number)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            png = _render(load_raw(self._raw_dir, raw_path, sha256), number)
        except (UnreadableItem, OSError, UnidentifiedImageError, pypdfium2.PdfiumError,
                Image.DecompressionBombError):
            return None
        if png is not None:
            with self._lock:
                self._cache[key] = png
                while len(self._cache) > self._keep:
                    self._cache.popitem(last=False)
        return png


def _is_pdf(raw: bytes) -> bool:
    return raw.lstrip()[:5] == b"%PDF-"


class _pdf:
    def __init__(self, raw: bytes) -> None:
        self.document = pypdfium2.PdfDocument(raw)

    def __enter__(self) -> pypdfium2.PdfDocument:
        return self.document

    def __exit__(self, *exc: object) -> None:
        self.document.close()


def _render(raw: bytes, number: int) -> bytes | None:
    if _is_pdf(raw):
        with _pdf(raw) as pdf:
            if number > len(pdf):
                return None
            page = pdf[number - 1]
            image = page.render(scale=REVIEW_DPI / 72).to_pil()
            page.close()
    else:
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        with Image.open(io.BytesIO(raw)) as frames:
            if number > getattr(frames, "n_frames", 1):
                return None
            frames.seek(number - 1)
            image = frames.convert("L")
            if image.width > 1400:  # a 300 dpi scan shown at screen size
                image = image.resize((1400, round(image.height * 1400 / image.width)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
