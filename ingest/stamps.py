"""A rubber stamp on a scanned page ("RECEIVED 12 DEC 2026" in a frame) found by its shape,
and its ink taken out where the typed text under it is darker than the stamp's ink.

A stamp's frame is one connected line around an area an inch or two across, holding little
ink: nothing typed has that shape (a form's printed boxes span the page's width, a paragraph
is dense). Inside the frame the stamp's ink has its own grey (red or blue ink scans lighter
than black type); where the type is clearly darker, only ink near the type's dark core is
kept, so the sender's lines under the stamp read as they were typed. Where the two inks are
as dark as each other (a fax, a faint carbon copy) the page is left as it is.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ingest.masks import block_counts, dilate

_SCALE = 4  # the page is searched at a quarter of its resolution: a stamp is large
# A stamp's frame, in inches: as wide and as tall as post-room stamps come (turned a little).
FRAME_WIDTH = (1.0, 3.2)
FRAME_HEIGHT = (0.4, 1.8)
FRAME_MAX_FILL = 0.35  # a frame holds little ink; a block of text is denser
# The stamp's ink must be this much lighter than the type's for the two to be told apart.
STAMP_LIGHTER_BY = 25
# Kept as type: ink this much darker than the stamp's own line at its darkest.
STAMP_MARGIN = 12


def stamp_frames(ink: np.ndarray, dpi: float) -> list[tuple[slice, slice, np.ndarray]]:
    """Each stamp-shaped component of the ink: its rows, columns (page pixels) and its mask
    over that rectangle."""
    small = block_counts(ink, _SCALE) > 0
    labels, _count = ndimage.label(small)
    inch = dpi / _SCALE
    found = []
    for index, place in enumerate(ndimage.find_objects(labels), start=1):
        if place is None:
            continue
        rows, cols = place
        tall, wide = (rows.stop - rows.start) / inch, (cols.stop - cols.start) / inch
        if not (FRAME_WIDTH[0] <= wide <= FRAME_WIDTH[1]
                and FRAME_HEIGHT[0] <= tall <= FRAME_HEIGHT[1]):
            continue
        mask = labels[place] == index
        if mask.mean() > FRAME_MAX_FILL:
            continue
        full = np.kron(mask, np.ones((_SCALE, _SCALE), dtype=bool))
        found.append((slice(rows.start * _SCALE, rows.stop * _SCALE),
                      slice(cols.start * _SCALE, cols.stop * _SCALE), full))
    return found


def _frame_band(mask: np.ndarray) -> np.ndarray:
    """The part of a frame's mask near its rectangle's edges: the frame's line itself."""
    band = max(2, int(min(mask.shape) * 0.12))
    edge = np.zeros_like(mask)
    edge[:band], edge[-band:], edge[:, :band], edge[:, -band:] = True, True, True, True
    return mask & edge


def drop_stamps(values: np.ndarray, ink: np.ndarray, dpi: float) -> np.ndarray:
    """The ink with each found stamp's lighter ink taken out (a new array when changed)."""
    frames = stamp_frames(ink, dpi)
    if not frames:
        return ink
    outside = ink.copy()
    for rows, cols, _mask in frames:
        outside[rows, cols] = False
    typed = values[outside]
    if typed.size == 0:
        return ink
    type_core = float(np.percentile(typed, 10))
    out = ink.copy()
    for rows, cols, mask in frames:
        region, grey = out[rows, cols], values[rows, cols]
        line = _frame_band(mask) & region
        if not line.any():
            continue
        stamp_core = float(np.percentile(grey[line], 20))
        if stamp_core - type_core < STAMP_LIGHTER_BY:
            continue
        # Type under or beside the stamp is darker than the stamp's darkest; the stamp's own
        # line and letters are not (their edges go where no type is near).
        core = grey < stamp_core - STAMP_MARGIN
        out[rows, cols] = region & dilate(core, 2)
    return out

