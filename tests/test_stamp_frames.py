"""A RECEIVED stamp as dark as the type (on a fax, or a dark stamp): its frame's straight
sides taken out, turned as the stamp lands, and the typed lines it crosses kept."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

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
