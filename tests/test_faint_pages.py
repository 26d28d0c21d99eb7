"""A faint copy (grey type, a carbon or a light print) whose scanner's dark specks stand out
against its type: the specks taken out, the type's full stops and the dots of its i's kept."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

from ingest.pageclean import clean_page
from postroom.fonts import font

TEXT = "Flat 3, Ivy St. Wigan WN1 3QS. I did it."


def _faint(*, specks: bool) -> Image.Image:
    """Grey type on grey paper at 300 dpi, blurred, with or without a scanner's dark specks."""
    page = Image.new("L", (2480, 500), 220)
    draw = ImageDraw.Draw(page)
    for row in range(3):
        draw.text((200, 80 + 110 * row), TEXT, fill=125, font=font("serif", 56))
    page = page.filter(ImageFilter.GaussianBlur(1.2))
    if not specks:
        return page
    values = np.asarray(page).copy()
    rng = np.random.default_rng(3)
    ys, xs = rng.integers(0, 497, 600), rng.integers(0, 2477, 600)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            values[ys + dy, xs + dx] = 70  # a 3 by 3 speck, as a 200 dpi one scales up
    return Image.fromarray(values)


def _pieces(ink: np.ndarray) -> int:
    return ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))[1]


def test_a_faint_pages_dark_specks_are_taken_out_and_its_full_stops_kept() -> None:
    clean = np.asarray(clean_page(_faint(specks=False)).image) < 128
    specked = np.asarray(clean_page(_faint(specks=True)).image) < 128
    # As many pieces of ink as the type alone gives (its letters, full stops and i's dots),
    # give or take a speck that landed on a letter.
    assert abs(_pieces(specked) - _pieces(clean)) <= 0.05 * _pieces(clean)
