"""A RECEIVED stamp across the sender's block, and long lines wrapped as a typist's would be:
the renderer's layout, the stamp taken out of a page, and the sender's lines read under a
stamp through real Tesseract."""

from __future__ import annotations

import random
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from ingest.ocr import read_page, tesseract_available
from ingest.pageclean import clean_page, plausibly_text
from ingest.scanfile import OCR_DPI, ScanFile
from postroom.compose import draw_letter
from postroom.fonts import font
from postroom.letter import PostLetter, load_letters
from postroom.render import letter_seed, render_letter, render_pdf
from postroom.style import choose_style

from .conftest import REPO


@cache
def letters() -> dict[str, PostLetter]:
    return {letter.id: letter for letter in load_letters(REPO / "data" / "letters")}


@pytest.mark.parametrize("letter_id", ["let-0191", "let-0184"])
def test_a_line_longer_than_the_measure_is_wrapped_not_cut_at_the_edge(letter_id: str) -> None:
    # Both letters have a bold heading wider than the page; margins are 0.85 inch or more.
    letter = letters()[letter_id]
    seed = letter_seed(letter)
    pages = draw_letter(letter, choose_style(letter, seed), random.Random(seed + 1))
    ink = np.asarray(pages[0]) < 128
    dpi = pages[0].size[0] / 8.27
    assert not ink[:, -int(dpi * 0.8):].any()
    assert ink[:, : pages[0].size[0] // 2].any()


STAMP_INK = 110  # as dark as red ink scans in grey: Otsu's three classes put it with the type
FRAME = (820, 90, 1280, 300)


def _page(*, stamped: bool) -> Image.Image:
    """Dark typed lines on grey paper (the sender's block and a line of the body), with or
    without a lighter stamp's frame and letters across the sender's lines; blurred as a
    scanner does."""
    page = Image.new("L", (1654, 600), 236)  # A4's width at 200 dpi
    draw = ImageDraw.Draw(page)
    for row, text in enumerate(("14 Larch Grove", "Ashton-on-Ribble", "Preston PR2 1QT")):
        draw.text((900, 120 + 60 * row), text, fill=35, font=font("sans", 40))
    draw.text((160, 420), "I am writing about the damp in my bedroom.", fill=35,
              font=font("sans", 40))
    layer = Image.new("L", page.size, 255)
    if stamped:
        stamp = ImageDraw.Draw(layer)
        stamp.rounded_rectangle(FRAME, radius=16, outline=STAMP_INK, width=5)
        stamp.text((880, 150), "RECEIVED", fill=STAMP_INK, font=font("sans-bold", 44))
    return Image.fromarray((np.asarray(page, dtype=np.uint16) * np.asarray(layer) // 255)
                           .astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.2))


def test_a_stamp_lighter_than_the_type_is_taken_out_and_the_type_kept() -> None:
    left, top, right, bottom = FRAME
    clean = np.asarray(clean_page(_page(stamped=True)).image) < 128
    # The frame's bottom line and its right side (no type near them) are gone ...
    assert not clean[bottom - 6 : bottom + 4, left + 20 : right - 20].any()
    assert not clean[top + 20 : bottom - 20, right - 6 : right + 4].any()
    # ... and within the frame there is about as much ink as the unstamped type gives
    # (the stamp's letters would add half as much again).
    unstamped = np.asarray(clean_page(_page(stamped=False)).image) < 128
    window = (slice(top, bottom), slice(left, right))
    kept, typed = np.count_nonzero(clean[window]), np.count_nonzero(unstamped[window])
    assert 0.85 * typed <= kept <= 1.15 * typed


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="Tesseract missing")
def test_the_senders_postcode_is_read_under_a_received_stamp() -> None:
    # The letter's own seed draws a stamp dark enough to survive plain binarising.
    letter = letters()["let-0209"]
    pdf = render_pdf(letter, stamp=True, stamp_place="sender", holes=False, staple=False)
    with ScanFile(pdf) as scan:
        text = read_page(scan.page_image(0, OCR_DPI)).text
    # Read plainly, the stamp's letters swallow the box number and the postcode.
    assert "PO Box 2210" in text
    assert "BD98" in text


def test_only_ink_that_could_be_text_is_read_again() -> None:
    """A line of type is re-read; a fax streak, a band of grain and one pen stroke are not
    (each would cost a Tesseract run for nothing)."""
    dpi = 300
    line = Image.new("L", (700, 70), 255)
    ImageDraw.Draw(line).text((10, 10), "1 Fishergate", fill=0, font=font("serif", 48))
    left, top, right, bottom = ImageOps.invert(line).getbbox()  # the region fits its ink
    assert plausibly_text(np.asarray(line)[top - 4 : bottom + 4, left - 4 : right + 4] < 128, dpi)
    rng = np.random.default_rng(3)
    grain = rng.random((100, 2400)) < 0.01  # a fax streak's scattered dots
    assert not plausibly_text(grain, dpi)
    thin = np.zeros((16, 400), dtype=bool)
    thin[6:9, :] = True  # a line the height of no text
    assert not plausibly_text(thin, dpi)
    stroke = Image.new("L", (400, 120), 255)
    ImageDraw.Draw(stroke).line([(10, 100), (120, 15), (200, 90), (390, 20)], fill=0, width=6)
    assert not plausibly_text(np.asarray(stroke) < 128, dpi)


@pytest.mark.parametrize(("place", "rows"), [("sender", (0.4, 2.4)), ("body", (2.9, 5.6))])
def test_the_stamp_lands_where_its_style_says(place: str, rows: tuple[float, float]) -> None:
    letter = letters()["let-0001"]  # the resident's block top right, no letterhead
    plain = dict(holes=False, staple=False, grade="office", skew=0.0)
    stamped, style = render_letter(letter, stamp=True, stamp_place=place, **plain)
    clean, _ = render_letter(letter, stamp=False, **plain)
    changed = np.abs(np.asarray(stamped[0], dtype=np.int16)
                     - np.asarray(clean[0], dtype=np.int16)) > 40
    ys, xs = np.nonzero(changed)
    assert len(ys) > 1000
    top, bottom = ys.min() / style.dpi, ys.max() / style.dpi
    assert rows[0] <= top and bottom <= rows[1]
    assert xs.min() > stamped[0].size[0] / 2  # at the right, where the sender's block is
