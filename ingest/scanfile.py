"""A scanned file's pages, whatever the format (PDF, multi-page TIFF, JPEG, PNG), within limits.

Reading, batch splitting and the review page's page images all open scans through here, so
the limits (page count, pixels per page: a decompression bomb is a small file that inflates
into billions of pixels) are checked before any page is decoded, in one place.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from dataclasses import dataclass
from typing import Literal

import pdfplumber
import pypdfium2
import pypdfium2.raw
from PIL import Image, ImageOps, UnidentifiedImageError

from ingest.errors import QuarantineReason, UnreadableItem
from ingest.ocr import PageImage

OCR_DPI = 300
# A letter page at 300 dpi is ~9 million pixels; A3 at 300 dpi ~17 million.
MAX_IMAGE_PIXELS = 60_000_000
MAX_PAGES = 50
# Pillow's own bomb guard stays on as a second line (it raises at twice this).
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# Resolutions an image may claim in its metadata and be believed (phones write 72).
_PLAUSIBLE_DPI = range(100, 1201)
# PDFium is not thread-safe (not even across documents): every call into it holds this lock.
# Rendering is a tenth of a page's OCR time, so pages still OCR in parallel.
PDFIUM_LOCK = threading.RLock()


@dataclass(frozen=True)
class ScanLimits:
    max_pages: int = MAX_PAGES
    max_image_pixels: int = MAX_IMAGE_PIXELS


def is_pdf(raw: bytes) -> bool:
    return raw.lstrip()[:5] == b"%PDF-"


class ScanFile:
    """An open scan; use as a context manager. Pages are numbered from 0 here."""

    kind: Literal["pdf", "image"]
    page_count: int

    def __init__(self, raw: bytes, limits: ScanLimits | None = None) -> None:
        if not raw:
            raise UnreadableItem(QuarantineReason.EMPTY, "the file has no bytes")
        self.raw = raw
        self.limits = limits or ScanLimits()
        self._pdf: pypdfium2.PdfDocument | None = None
        self._image: Image.Image | None = None
        # Pages are prepared in parallel threads; a multi-page image has one read position.
        self._image_lock = threading.Lock()
        self._layer: list[str] | None = None
        if is_pdf(raw):
            self.kind = "pdf"
            self._open_pdf()
        else:
            self.kind = "image"
            self._open_image()

    def __enter__(self) -> ScanFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pdf is not None:
            with PDFIUM_LOCK:
                self._pdf.close()
            self._pdf = None
        if self._image is not None:
            self._image.close()
            self._image = None

    def _check_page_count(self, count: int) -> None:
        if count > self.limits.max_pages:
            raise UnreadableItem(QuarantineReason.TOO_MANY_PAGES,
                                 f"{count} pages; the limit is {self.limits.max_pages}")
        if count == 0:
            raise UnreadableItem(QuarantineReason.NO_TEXT, "the file has no pages")

    def _check_pixels(self, width: float, height: float, page: int) -> None:
        pixels = int(width) * int(height)
        if pixels > self.limits.max_image_pixels:
            raise UnreadableItem(
                QuarantineReason.IMAGE_TOO_LARGE,
                f"page {page + 1} is {int(width)}x{int(height)} pixels; the limit is "
                f"{self.limits.max_image_pixels} pixels a page",
            )

    # -- PDF ---------------------------------------------------------------------------
    def _open_pdf(self) -> None:
        with PDFIUM_LOCK:
            try:
                self._pdf = pypdfium2.PdfDocument(self.raw)
            except pypdfium2.PdfiumError as exc:
                raise pdf_error(exc) from exc
            self.page_count = len(self._pdf)
            self._check_page_count(self.page_count)
            scale = OCR_DPI / 72
            for index in range(self.page_count):
                width, height = self._pdf.get_page_size(index)
                self._check_pixels(width * scale, height * scale, index)
                # An embedded image is decoded whole to render the page, whatever its size on
                # the page: a bomb can hide in a normal-sized page.
                page = self._pdf[index]
                try:
                    for image in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,),
                                                  max_depth=4):
                        self._check_pixels(*image.get_px_size(), index)
                finally:
                    page.close()

    def text_layer(self, index: int) -> str:
        """The page's text layer as pdfplumber reads it ("" for an image or no layer)."""
        if self.kind != "pdf":
            return ""
        if self._layer is None:
            try:
                with pdfplumber.open(io.BytesIO(self.raw)) as pdf:
                    self._layer = [(page.extract_text() or "") for page in pdf.pages]
            except Exception as exc:
                raise pdf_error(exc) from exc
        return self._layer[index] if index < len(self._layer) else ""

    # -- images ------------------------------------------------------------------------
    def _open_image(self) -> None:
        # Pillow's guard must not be stricter than the configured limit (it raises at twice).
        if (Image.MAX_IMAGE_PIXELS or 0) < self.limits.max_image_pixels:
            Image.MAX_IMAGE_PIXELS = self.limits.max_image_pixels
        try:
            self._image = Image.open(io.BytesIO(self.raw))
            self.page_count = getattr(self._image, "n_frames", 1)
            self._check_page_count(self.page_count)
            for index in range(self.page_count):
                self._image.seek(index)
                self._check_pixels(*self._image.size, index)
            self._image.seek(0)
        except UnreadableItem:
            raise
        except Image.DecompressionBombError as exc:
            raise UnreadableItem(QuarantineReason.IMAGE_TOO_LARGE, str(exc)) from exc
        except (UnidentifiedImageError, OSError, ValueError, EOFError) as exc:
            raise UnreadableItem(
                QuarantineReason.UNSUPPORTED_TYPE, "neither a PDF nor an image Pillow can read"
            ) from exc

    def _frame(self, index: int) -> tuple[Image.Image, int | None]:
        assert self._image is not None
        try:
            with self._image_lock:
                self._image.seek(index)
                dpi_info = self._image.info.get("dpi")
                frame = self._image.copy()
            frame = ImageOps.exif_transpose(frame).convert("L")
        except Image.DecompressionBombError as exc:
            raise UnreadableItem(QuarantineReason.IMAGE_TOO_LARGE, str(exc)) from exc
        except (OSError, ValueError, EOFError) as exc:
            raise UnreadableItem(QuarantineReason.UNSUPPORTED_TYPE,
                                 f"page {index + 1} of the image cannot be decoded: {exc}") from exc
        dpi = None
        if dpi_info:
            claimed = round(float(dpi_info[0]))
            dpi = claimed if claimed in _PLAUSIBLE_DPI else None
        return frame, dpi

    # -- both --------------------------------------------------------------------------
    def page_image(self, index: int, dpi: int = OCR_DPI, *, exact: bool = False) -> PageImage:
        """The page in greyscale: a PDF page rendered at `dpi`; an image frame at its own
        resolution, or reduced when a lower `dpi` is asked for (thumbnails, blank checks).

        A PDF page that is nothing but one upright scanned image covering it (what scanners
        write) is not rendered: its image is decoded and scaled to `dpi`, which gives the same
        pixels (within a grey level) for about half the work; `exact` renders regardless.
        """
        if self.kind == "pdf":
            assert self._pdf is not None
            with PDFIUM_LOCK:
                try:
                    page = self._pdf[index]
                    try:
                        image = None if exact else _scanned_image(page, dpi)
                        if image is None:
                            bitmap = page.render(scale=dpi / 72, grayscale=True)
                            image = bitmap.to_pil().convert("L")
                    finally:
                        page.close()
                except pypdfium2.PdfiumError as exc:
                    raise pdf_error(exc) from exc
            return PageImage(image, dpi)
        frame, native = self._frame(index)
        if dpi < OCR_DPI:
            factor = max(1, round((native or OCR_DPI) / dpi))
            return PageImage(frame.reduce(factor) if factor > 1 else frame,
                             (native or OCR_DPI) // factor)
        return PageImage(frame, native)

    def cut(self, indices: list[int]) -> bytes:
        """A new file of the same kind holding only these pages, in order (a batch's letter)."""
        if self.kind == "pdf":
            assert self._pdf is not None
            with PDFIUM_LOCK:
                part = pypdfium2.PdfDocument.new()
                try:
                    part.import_pages(self._pdf, indices)
                    buffer = io.BytesIO()
                    part.save(buffer)
                finally:
                    part.close()
            return _fixed_pdf_id(buffer.getvalue(), self.raw, indices)
        assert self._image is not None
        frames = []
        for index in indices:
            self._image.seek(index)
            frames.append(self._image.copy())
        dpi = self._image.info.get("dpi")
        buffer = io.BytesIO()
        compression = "group4" if frames[0].mode == "1" else "tiff_lzw"
        options = {"dpi": dpi} if dpi else {}
        frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:],
                       compression=compression, **options)
        return buffer.getvalue()


# Colour spaces whose decoded samples are the page as printed (no palette, no separations).
_PLAIN_COLOURSPACES = {pypdfium2.raw.FPDF_COLORSPACE_DEVICEGRAY,
                       pypdfium2.raw.FPDF_COLORSPACE_DEVICERGB}


def _scanned_image(page: pypdfium2.PdfPage, dpi: int) -> Image.Image | None:
    """The page's one image scaled to `dpi`, when the page is exactly a scan: one upright
    8-bit grey or RGB image filling the unrotated page and nothing else; else None."""
    if page.get_rotation() != 0:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pypdfium2.raw.FPDF_PAGEOBJ_IMAGE:
        return None
    scan = objects[0]
    width, height = page.get_size()
    matrix = scan.get_matrix()
    upright = matrix.b == 0 and matrix.c == 0 and matrix.a > 0 and matrix.d > 0
    fills = (abs(matrix.e) < 1 and abs(matrix.f) < 1 and abs(matrix.a - width) < 1
             and abs(matrix.d - height) < 1)
    metadata = scan.get_metadata()
    if not (upright and fills and metadata.colorspace in _PLAIN_COLOURSPACES
            and metadata.bits_per_pixel in (8, 24)):
        return None
    image = scan.get_bitmap(render=False).to_pil().convert("L")
    target = (max(1, round(width * dpi / 72)), max(1, round(height * dpi / 72)))
    if image.size == target:
        return image
    return image.resize(target, Image.Resampling.BILINEAR)


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})([^)]*)")
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")


def _fixed_pdf_id(cut: bytes, source: bytes, indices: list[int]) -> bytes:
    """PDFium stamps every saved file with a random /ID and the time; an ID derived from the
    source and the pages, and a fixed date (same lengths, so no offset moves), make the same
    cut of the same scan the same bytes, so the same content hash, whichever worker made it."""
    cut = _PDF_DATE.sub(lambda m: m.group(1) + b"20000101000000" + b"+00'00'"
                        if len(m.group(3)) == 7 else m.group(0), cut)
    matches = list(_PDF_ID.finditer(cut))
    if not matches:
        return cut
    last = matches[-1]
    seed = hashlib.sha256(source).hexdigest() + ",".join(map(str, indices))
    fixed = hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest().upper().encode()
    replacement = b"/ID[<" + fixed + b"><" + fixed + b">]"
    if len(replacement) != last.end() - last.start():
        return cut
    return cut[: last.start()] + replacement + cut[last.end() :]


def pdf_error(exc: Exception) -> UnreadableItem:
    """A clear reason for a PDF that will not open: encrypted (needs a password) or corrupt."""
    described = f"{type(exc).__name__}: {exc}" if str(exc) else repr(exc)
    if "password" in repr(exc).lower() or "encrypt" in repr(exc).lower():
        return UnreadableItem(QuarantineReason.ENCRYPTED_PDF,
                              "the PDF is encrypted and needs a password to open")
    return UnreadableItem(QuarantineReason.CORRUPT_PDF, f"the PDF cannot be read ({described})")
