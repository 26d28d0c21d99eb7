"""A page scanned one bit a pixel (a fax): told from a greyscale scan, smoothed before it is
binarised again, and its sender's postcode read exactly through real Tesseract."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from ingest.ocr import PageImage, read_page, tesseract_available
from ingest.pageclean import clean_page, is_bilevel
from ingest.scanfile import OCR_DPI, ScanFile
from postroom.fonts import font
from postroom.letter import PostLetter, load_letters
from postroom.render import render_pdf

from .conftest import REPO


@cache
def letters() -> dict[str, PostLetter]:
    return {letter.id: letter for letter in load_letters(REPO / "data" / "letters")}


def _typed(ink: int, paper: int) -> Image.Image:
    page = Image.new("L", (2480, 300), paper)  # A4's width at 300 dpi
    ImageDraw.Draw(page).text((60, 120), "Heworth Green Mews YO31 7QZ", fill=ink,
                              font=font("sans", 60))
    return page


def _faxed(page: Image.Image) -> Image.Image:
    """Black and white as a fax machine gives it: a jittered threshold, dropped pixels."""
    rng = np.random.default_rng(7)
    values = np.asarray(page, dtype=np.float64)
    black = (values < rng.normal(128, 30, values.shape)) & (rng.random(values.shape) > 0.05)
    return Image.fromarray(np.where(black, 0, 255).astype(np.uint8))


def _histogram(page: Image.Image) -> np.ndarray:
    return np.asarray(page.histogram(), dtype=np.float64)


def test_a_fax_is_told_from_a_greyscale_scan() -> None:
    assert is_bilevel(_histogram(_faxed(_typed(0, 255))))
    assert not is_bilevel(_histogram(_typed(30, 236)))


def test_a_faxs_dropped_pixels_are_filled_before_it_is_read() -> None:
    # Read as it came, the letters' strokes are riddled with the pixels the fax dropped.
    typed = _typed(0, 255)
    strokes = ndimage.binary_erosion(np.asarray(typed) < 128)
    ink = np.asarray(clean_page(_faxed(typed)).image) < 128
    assert np.count_nonzero(ink[strokes]) >= 0.99 * np.count_nonzero(strokes)


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="Tesseract missing")
def test_the_senders_postcode_is_read_exactly_on_a_faxed_letter() -> None:
    # The letter's own seed draws a fax; read with its jagged edges, "YO31" comes out wrong.
    pdf = render_pdf(letters()["let-0161"], grade="fax", stamp=False)
    with ScanFile(pdf) as scan:
        page = scan.page_image(0, OCR_DPI)
    top = page.image.crop((0, 0, page.image.size[0], page.image.size[1] * 3 // 10))
    assert "YO31 7QZ" in read_page(PageImage(top, OCR_DPI)).text
