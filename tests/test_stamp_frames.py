"""A RECEIVED stamp's frame: as dark as the type (on a fax, or a dark stamp), its straight
sides taken out, turned as the stamp lands, and the typed lines it crosses kept; lighter
than the type, its sides never left striking the letters through."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

from ingest.masks import dilate
from ingest.pageclean import clean_page
from postroom.fonts import font

LINES = ("14 Larch Grove", "Ashton-on-Ribble", "Preston PR2 1QT")


def _page(*, stamped: bool, turn: float, fax: bool) -> Image.Image:
    """The sender's block in black at 300 dpi, with or without a black stamp's frame across
    it turned by `turn` degrees; black and white as a fax gives it, or grey as a scan."""
    ink, paper = (0, 255) if fax else (30, 236)
    page = Image.new("L", (2480, 900), paper)
    draw = ImageDraw.Draw(page)
    for row, text in enumerate(LINES):
        draw.text((1350, 250 + 90 * row), text, fill=ink, font=font("sans", 60))
    for row in range(2):
        draw.text((250, 650 + 90 * row), "I am writing about the damp in the back bedroom.",
                  fill=ink, font=font("sans", 60))
    if stamped:
        mark = Image.new("L", (690, 300), 0)
        ImageDraw.Draw(mark).rounded_rectangle((4, 4, 685, 295), radius=24, outline=255,
                                               width=7)
        mark = mark.rotate(turn, expand=True, resample=Image.Resampling.NEAREST)
        page.paste(ink, (1250, 180), mark)
    return page


def _ink(page: Image.Image) -> np.ndarray:
    return np.asarray(clean_page(page).image) < 128


@pytest.mark.parametrize("fax", [True, False])
@pytest.mark.parametrize("turn", [-8.0, 0.0, 5.0])
def test_a_dark_stamps_frame_is_taken_out_and_the_type_it_crosses_kept(turn: float,
                                                                       fax: bool) -> None:
    plain = _ink(_page(stamped=False, turn=turn, fax=fax))
    stamped = _ink(_page(stamped=True, turn=turn, fax=fax))
    # What the frame added: at most a few corners' worth of its ink is left ...
    frame = (np.asarray(_page(stamped=True, turn=turn, fax=fax)) < 128) & ~plain
    left = stamped & ~plain
    assert np.count_nonzero(left) < 0.15 * np.count_nonzero(frame)
    # ... and the typed lines keep nearly all their ink.
    assert np.count_nonzero(stamped & plain) >= 0.97 * np.count_nonzero(plain)


STAMP_INK = 110  # lighter than the type, as red ink scans in grey
FRAME = (820, 60, 1280, 262)  # at 200 dpi: its bottom side runs through the postcode


def _scanned(*, stamped: bool) -> Image.Image:
    """The sender's block in dark type on grey paper, with or without a lighter stamp's
    frame whose bottom side runs through the last line; blurred as a scanner does."""
    page = Image.new("L", (1654, 600), 236)  # A4's width at 200 dpi
    draw = ImageDraw.Draw(page)
    for row, text in enumerate(LINES):
        draw.text((900, 120 + 60 * row), text, fill=35, font=font("sans", 40))
    draw.text((160, 420), "I am writing about the damp in my bedroom.", fill=35,
              font=font("sans", 40))
    layer = Image.new("L", page.size, 255)
    if stamped:
        ImageDraw.Draw(layer).rounded_rectangle(FRAME, radius=16, outline=STAMP_INK, width=5)
    return Image.fromarray((np.asarray(page, dtype=np.uint16) * np.asarray(layer) // 255)
                           .astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.0))


def test_a_lighter_stamps_frame_does_not_strike_through_the_type_it_crosses() -> None:
    typed = _ink(_scanned(stamped=False))
    stamped = _ink(_scanned(stamped=True))
    left, bottom, right = FRAME[0], FRAME[3], FRAME[2]
    # Where the frame's bottom side crosses the postcode's line, nothing is left of it
    # beyond the letters' own ink (kept near the letters, it would strike them through).
    band = (slice(bottom - 8, bottom + 3), slice(left + 30, right - 30))
    struck = stamped[band] & ~dilate(typed, 2)[band]
    assert np.count_nonzero(struck) < 20
    # The postcode's letters are still whole: as many pieces of ink as without the stamp.
    line = (slice(bottom - 35, bottom + 35), slice(left + 60, right))
    assert ndimage.label(stamped[line])[1] == ndimage.label(typed[line])[1]
