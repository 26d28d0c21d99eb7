"""Boolean masks over a page, fast: running maxima and minima along rows and columns
(scipy's van Herk filters, the same cost whatever the size) and strided slices added, in
place of shifted copies and reductions over reshaped arrays."""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def neighbours(mask: np.ndarray) -> np.ndarray:
    """How many of each pixel's eight neighbours are set (slices of the padded mask added:
    no shifted copies)."""
    padded = np.pad(mask, 1).view(np.uint8)
    height, width = mask.shape
    count = np.zeros(mask.shape, dtype=np.uint8)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if dy != 1 or dx != 1:
                count += padded[dy : dy + height, dx : dx + width]
    return count


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """True where the mask is true within `radius` pixels (a square): the mask OR-ed with
    itself moved along the rows, then down the columns (on a page, boolean ORs of views beat
    scipy's running maximum fourfold)."""
    rows = mask.copy()
    for step in range(1, radius + 1):
        rows[:, step:] |= mask[:, :-step]
        rows[:, :-step] |= mask[:, step:]
    out = rows.copy()
    for step in range(1, radius + 1):
        out[step:] |= rows[:-step]
        out[:-step] |= rows[step:]
    return out


def open_line(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The mask's runs at least `length` long along the axis (an opening by a line)."""
    eroded = ndimage.minimum_filter1d(mask.view(np.uint8), length, axis=axis, mode="constant")
    return ndimage.maximum_filter1d(eroded, length, axis=axis, mode="constant").view(bool)


def block_counts(mask: np.ndarray, scale: int) -> np.ndarray:
    """How many pixels are set in each scale x scale block (the edges past a whole block are
    dropped): strided slices added, far cheaper than a reduction over a reshaped array."""
    height, width = (mask.shape[0] // scale) * scale, (mask.shape[1] // scale) * scale
    cells = mask[:height, :width].view(np.uint8)
    rows = cells[0::scale].copy()
    for offset in range(1, scale):
        rows += cells[offset::scale]
    out = rows[:, 0::scale].copy()
    for offset in range(1, scale):
        out += rows[:, offset::scale]
    return out


def sharpest_angle(ys: np.ndarray, xs: np.ndarray, coarse: np.ndarray, fine_half: float,
                   fine_step: float) -> float:
    """The angle (degrees) at which the points' row profile is sharpest: lines of type, or a
    stamp frame's sides, each fall into one row there. Tried over `coarse`, then within
    `fine_half` of the best in steps of `fine_step`."""
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)

    def sharpness(angle: float) -> float:
        radians = np.deg2rad(angle)
        rows = ys * np.cos(radians) + xs * np.sin(radians)
        counts = np.bincount((rows - rows.min()).astype(np.int64))
        return float(np.dot(counts, counts))

    best = max(coarse, key=sharpness)
    return float(max(np.arange(best - fine_half, best + fine_half + 0.01, fine_step),
                     key=sharpness))
