"""A rubber stamp on a scanned page ("RECEIVED 12 DEC 2026" in a frame) found by its shape,
and its ink taken out where the typed text under it is darker than the stamp's ink.

A stamp's frame is one connected line around an area an inch or two across, holding little
ink: nothing typed has that shape (a form's printed boxes span the page's width, a paragraph
is dense). Inside the frame the stamp's ink has its own grey (red or blue ink scans lighter
than black type); where the type is clearly darker, only ink near the type's dark core is
kept, so the sender's lines under the stamp read as they were typed. Where the two inks are
as dark as each other (a fax, a dark stamp) only the frame is taken out: its sides are the
only long straight strokes there, and left in they make Tesseract take the lines they cross
for a picture or read them as letters (I, l, |) beside the sender's.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ingest.masks import block_counts, dilate, open_line, sharpest_angle

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


def drop_stamps(values: np.ndarray, ink: np.ndarray, dpi: float, *,
                by_grey: bool = True) -> np.ndarray:
    """The ink with each found stamp's lighter ink taken out, or its frame where its ink is
    as dark as the type's or the page has no greys (`by_grey` False: a bilevel scan); a new
    array when changed."""
    frames = stamp_frames(ink, dpi)
    if not frames:
        return ink
    if not by_grey:
        return _drop_frames(ink, frames, dpi, gap=SIDE_GAP)
    outside = ink.copy()
    for rows, cols, _mask in frames:
        outside[rows, cols] = False
    typed = values[outside]
    if typed.size == 0:
        return ink
    type_core = float(np.percentile(typed, 10))
    out = ink.copy()
    dark_frames = []
    for rows, cols, mask in frames:
        region, grey = out[rows, cols], values[rows, cols]
        line = _frame_band(mask) & region
        if not line.any():
            continue
        stamp_core = float(np.percentile(grey[line], 20))
        if stamp_core - type_core < STAMP_LIGHTER_BY:
            dark_frames.append((rows, cols, mask))
            continue
        # Type under or beside the stamp is darker than the stamp's darkest; the stamp's own
        # line and letters are not (their edges go where no type is near).
        core = grey < stamp_core - STAMP_MARGIN
        # The frame's sides go too where they run through type (kept above as near its
        # core, they would strike the letters through); the type's own dark ink stays.
        sides = frame_sides(region, frame_turn(mask), dpi, keep_crossed=False)
        out[rows, cols] = region & dilate(core, 2) & ~(sides & ~core)
    return _drop_frames(out, dark_frames, dpi) if dark_frames else out


# A frame's sides, in inches: its top and bottom run at least this long, its ends this tall
# (a stamp is 1 to 3 inches wide, 0.4 to 1.8 tall; typed letters are a sixth of an inch).
FRAME_SIDE = 0.5
FRAME_END = 0.3
# The frame's turn is searched this far either way, in degrees (stamps land askew).
FRAME_MAX_TURN = 12.0


def _drop_frames(ink: np.ndarray, frames: list[tuple[slice, slice, np.ndarray]],
                 dpi: float, *, gap: int = 0) -> np.ndarray:
    """The ink without the long straight strokes of each frame (its sides), turned as the
    frame is: what the frame crosses (the sender's lines) stays."""
    out = ink.copy()
    for rows, cols, mask in frames:
        region = out[rows, cols]
        out[rows, cols] = region & ~frame_sides(region, frame_turn(mask), dpi, gap=gap)
    return out


def frame_turn(mask: np.ndarray) -> float:
    """Degrees the frame is turned (as scipy's rotate turns): the angle at which its rows of
    ink are sharpest (its top and bottom sides each fall into one row), over a sample."""
    ys, xs = np.nonzero(mask[::_SCALE, ::_SCALE])
    if len(ys) < 10:
        return 0.0
    return -sharpest_angle(ys, xs, np.arange(-FRAME_MAX_TURN, FRAME_MAX_TURN + 0.01, 1.0),
                           1.0, 0.25)


# Gaps a frame's side may have on a bilevel scan and still be one stroke (a fax's dropped
# pixels), in pixels; none on a greyscale scan, where bridged gaps would join a serif type's
# feet into a long stroke.
SIDE_GAP = 6


def _long_runs(mask: np.ndarray, length: int, axis: int, gap: int) -> np.ndarray:
    """Where the mask runs at least `length` along the axis, across gaps of `gap` pixels."""
    bridged = ndimage.maximum_filter1d(mask.view(np.uint8), gap + 1, axis=axis,
                                       mode="constant").view(bool)
    return open_line(bridged, length, axis)


def frame_sides(region: np.ndarray, turn: float, dpi: float, *, gap: int = 0,
                keep_crossed: bool = True) -> np.ndarray:
    """The region's straight strokes as long as a frame's sides (and their edges), found
    once the region is turned square to the frame, less (`keep_crossed`) where a typed
    letter's stroke crosses them (ink just across the side on both of its edges), turned
    back."""
    square = ndimage.rotate(region.view(np.uint8), turn, order=0, reshape=True).view(bool)
    across = int(CROSSING * dpi)
    along_rows = dilate(square & _long_runs(square, int(FRAME_SIDE * dpi), 1, gap), 2) & square
    along_cols = dilate(square & _long_runs(square, int(FRAME_END * dpi), 0, gap), 2) & square
    rest = square & ~(along_rows | along_cols)
    crossed = ((along_rows & _closed(rest, across, axis=0))
               | (along_cols & _closed(rest, across, axis=1)))
    sides = (along_rows | along_cols) & ~crossed if keep_crossed else along_rows | along_cols
    back = ndimage.rotate(sides.view(np.uint8), -turn, order=0, reshape=True).view(bool)
    top, left = (back.shape[0] - region.shape[0]) // 2, (back.shape[1] - region.shape[1]) // 2
    return back[top : top + region.shape[0], left : left + region.shape[1]]


# A letter's stroke crossing a frame's side shows on both of its edges within this (inches:
# the side's width, its blur and a little more).
CROSSING = 0.06


def _closed(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The mask with gaps shorter than `length` along the axis filled (a closing)."""
    grown = ndimage.maximum_filter1d(mask.view(np.uint8), length, axis=axis, mode="constant")
    return ndimage.minimum_filter1d(grown, length, axis=axis, mode="constant").view(bool)
