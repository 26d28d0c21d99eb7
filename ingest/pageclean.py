"""A scanned page made fit to read: straightened, specks removed, ink black on white; and the
ink that no recognised word covers, found so it can be read again on its own.

numpy and scipy (pinned in pyproject.toml) do the work: OpenCV would add a 60 MB wheel for the
three operations used here, each a few lines over arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

from ingest.masks import block_counts, dilate, neighbours, open_line, sharpest_angle
from ingest.stamps import drop_stamps

# Skew searched, in degrees either way: scanners and post-room staff rarely do worse.
MAX_SKEW = 5.0
# Below this the page is left as it is: rotating costs sharpness for nothing.
MIN_SKEW = 0.15
_SAMPLE_POINTS = 40_000
# Pages are A4 (or Letter, near enough): the resolution is judged from the page's width.
A4_WIDTH_INCHES = 8.27


@dataclass(frozen=True)
class Box:
    """A rectangle on the page in pixels: left, top, right, bottom (exclusive)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class CleanPage:
    """The cleaned page (mode L, 0 or 255) and the turn that straightened it."""

    image: Image.Image
    skew: float


def clean_page(image: Image.Image) -> CleanPage:
    """Binarise (Otsu; a stamp's lighter ink dropped where the type is black; a bilevel
    scan, such as a fax, smoothed first), despeckle (ink with no inked neighbour) and deskew
    (projection profile) a page.

    Neighbourhoods are shifted boolean arrays: a 7x7 minimum filter costs seconds a page in
    Pillow, and a box blur most of a second, beside Tesseract's own few seconds."""
    grey = image if image.mode == "L" else image.convert("L")
    histogram = np.asarray(grey.histogram(), dtype=np.float64)
    bilevel = is_bilevel(histogram)
    if bilevel:
        grey = smooth_bilevel(grey)
        histogram = np.asarray(grey.histogram(), dtype=np.float64)
    values = np.asarray(grey)
    threshold = otsu_threshold(histogram)
    ink = values < threshold
    if bilevel:
        ink = drop_stamps(values, ink, grey.size[0] / A4_WIDTH_INCHES, by_grey=False)
    else:
        ink = drop_lighter_marks(values, ink, histogram)
    ink &= neighbours(ink) >= SPECK_NEIGHBOURS  # a speck of a pixel or two is not ink
    if not bilevel and faint_type(histogram, threshold):
        ink = drop_specks(ink, grey.size[0] / A4_WIDTH_INCHES)
    skew = estimate_skew(ink[::2, ::2])
    binary = Image.fromarray(~ink).convert("L")
    if abs(skew) >= MIN_SKEW:
        binary = binary.rotate(skew, resample=Image.Resampling.NEAREST, fillcolor=255)
    return CleanPage(binary, skew)


# A page scanned one bit a pixel (a fax, a scanner set to black and white) has its ink at
# pure black: at least this share of the darker half of its pixels is 0-5, where a greyscale
# scan has under 3%.
BILEVEL_BLACK_SHARE = 0.2
# Its smoothing (Gaussian sigma) in pixels at 300 dpi, scaled with the page's resolution.
BILEVEL_SIGMA_AT_300_DPI = 1.0


def is_bilevel(histogram: np.ndarray) -> bool:
    """True when the page was scanned one bit a pixel: its ink is pure black. Such a page has
    no greys to tell a stamp's ink from the type's by."""
    dark = histogram[:128].sum()
    return bool(dark > 0 and histogram[:6].sum() >= BILEVEL_BLACK_SHARE * dark)


def smooth_bilevel(grey: Image.Image) -> Image.Image:
    """A bilevel page blurred a little so that thresholding it again gives letters with
    smooth edges and no pinholes: a fax's jagged staircase edges and dropped pixels make
    Tesseract misread letters and digits (R5 as RS5, 6 as G)."""
    sigma = BILEVEL_SIGMA_AT_300_DPI * grey.size[0] / A4_WIDTH_INCHES / 300
    return grey.filter(ImageFilter.GaussianBlur(sigma))


def drop_lighter_marks(values: np.ndarray, ink: np.ndarray,
                       histogram: np.ndarray) -> np.ndarray:
    """The ink without a stamp's lighter ink, nor lighter marks where the type is black."""
    ink = drop_stamps(values, ink, values.shape[1] / A4_WIDTH_INCHES)
    dark, _ = three_class_thresholds(histogram)
    if dark < DARK_TEXT_BELOW and histogram[:dark].sum() >= DARK_CORE_SHARE * max(
            1, np.count_nonzero(ink)):
        # Black type with lighter marks on the page (a stamp, a coloured letterhead, a
        # highlighter): ink counts only near a dark core, so a stamp's grey lines and letters
        # drop away while the soft edges of typed letters stay.
        ink &= dilate(values < dark, 3)
    return ink


# The darker quarter of a page's ink lighter than this: the type itself is grey (a faint
# carbon copy, a light print; black type's darker quarter is far darker), and the scanner's
# dark specks stand out against it.
FAINT_INK_ABOVE = 120
# Ink in pieces smaller than this square (inches) is a speck: a full stop is twice as wide.
SPECK_SIDE = 0.012


def faint_type(histogram: np.ndarray, threshold: int) -> bool:
    """True when the darker quarter of the ink (the grey levels below `threshold`) is grey."""
    ink = np.cumsum(histogram[:threshold])
    if len(ink) == 0 or ink[-1] <= 0:
        return False
    return int(np.searchsorted(ink, ink[-1] / 4)) > FAINT_INK_ABOVE


def drop_specks(ink: np.ndarray, dpi: float) -> np.ndarray:
    """The ink without pieces smaller than a full stop. Only on faint pages: labelling a
    page's pieces costs a tenth of its reading, and there the specks are darker than the
    type, so they survive binarising by the thousand and Tesseract reads them as marks."""
    labels, _count = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    small = np.bincount(labels.ravel()) < (SPECK_SIDE * dpi) ** 2
    small[0] = False
    return ink & ~small[labels]


# An inked pixel with fewer inked neighbours (of eight) is part of a speck: a 2x2 speck's
# pixels have three; a stroke's edge pixels have five or more.
SPECK_NEIGHBOURS = 4


def otsu_threshold(histogram: np.ndarray) -> int:
    """The grey level that best splits ink from paper (Otsu's between-class variance), from
    the page's 256-bin histogram."""
    total = histogram.sum()
    levels = np.arange(256)
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * levels)
    background = total - weight
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * weight - mean * total) ** 2 / (weight * background)
    between[~np.isfinite(between)] = 0
    return int(np.argmax(between)) + 1


# The darker of the three-class thresholds below this: the page has black type.
DARK_TEXT_BELOW = 140
# ... and the darkest class is this share of the ink at least (not a few specks).
DARK_CORE_SHARE = 0.25


def three_class_thresholds(histogram: np.ndarray) -> tuple[int, int]:
    """The two grey levels that best split a page into three classes (Otsu's method with
    two thresholds): dark type, lighter marks, paper; from the 256-bin histogram."""
    share = histogram / histogram.sum()
    levels = np.arange(256, dtype=np.float64)
    weight, mean = np.cumsum(share), np.cumsum(share * levels)
    total = mean[-1]
    low, high = np.meshgrid(np.arange(256), np.arange(256), indexing="ij")
    w0, w2 = weight[low], 1 - weight[high]
    w1 = weight[high] - weight[low]
    with np.errstate(divide="ignore", invalid="ignore"):
        m0, m1 = mean[low] / w0, (mean[high] - mean[low]) / w1
        m2 = (total - mean[high]) / w2
        between = w0 * (m0 - total) ** 2 + w1 * (m1 - total) ** 2 + w2 * (m2 - total) ** 2
    between[(low >= high) | (w0 <= 0) | (w1 <= 0) | (w2 <= 0)] = -1
    between[~np.isfinite(between)] = -1
    a, b = np.unravel_index(int(np.argmax(between)), between.shape)
    return int(a) + 1, int(b) + 1


def estimate_skew(ink: np.ndarray) -> float:
    """Degrees (anticlockwise, as Pillow turns) that level the text lines: the angle whose
    row profile of ink is sharpest, coarse then fine, over a sample of ink pixels."""
    ys, xs = np.nonzero(ink)
    if len(ys) < 500:
        return 0.0
    if len(ys) > _SAMPLE_POINTS:
        pick = np.random.default_rng(0).choice(len(ys), _SAMPLE_POINTS, replace=False)
        ys, xs = ys[pick], xs[pick]
    fine = sharpest_angle(ys, xs, np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), 0.5, 0.1)
    return -round(fine, 2)


def unread_ink(image: Image.Image, words: list[Box], *, scale: int = 4) -> list[Box]:
    """Regions of text-like ink that no recognised word covers (a block the page
    segmentation skipped), in page pixels; holes, staples, rules and specks are left out."""
    values = np.asarray(image)
    height, width = values.shape
    ink = block_counts(values < 128, scale) > 0.08 * scale * scale
    small_w = ink.shape[1]
    covered = np.zeros_like(ink)
    for box in words:
        covered[max(0, box.top // scale - 2) : box.bottom // scale + 3,
                max(0, box.left // scale - 3) : box.right // scale + 4] = True
    margin = max(2, small_w // 40)  # the scanner's edges, punched holes and staples
    ink[:, :margin] = ink[:, -margin:] = ink[:margin, :] = ink[-margin:, :] = False
    # Printed rules and form boxes are ink no word covers, but they are not text.
    rules = open_line(ink, 25, axis=1) | open_line(ink, 25, axis=0)
    loose = ink & ~covered & ~dilate(rules, 1)
    merged = ndimage.maximum_filter1d(loose.view(np.uint8), 9, axis=1, mode="constant")
    merged = ndimage.maximum_filter1d(merged, 3, axis=0, mode="constant").view(bool)
    labels, _count = ndimage.label(merged)
    regions: list[Box] = []
    for index, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None:
            continue
        rows, cols = found
        h, w = rows.stop - rows.start, cols.stop - cols.start
        pixels = int(np.count_nonzero(loose[rows, cols] & (labels[rows, cols] == index)))
        line_px = 300 // scale // 10  # about a tenth of an inch: a small text line
        if h < line_px // 2 or w < 2 * line_px or pixels < 3 * line_px:
            continue
        if w < 3 * h and pixels > 0.5 * h * w:
            continue  # a solid blob (hole, blot), not letters
        box = Box(cols.start * scale, rows.start * scale, min(width, cols.stop * scale),
                  min(height, rows.stop * scale))
        if plausibly_text(values[box.top : box.bottom, box.left : box.right] < 128,
                          width / A4_WIDTH_INCHES):
            regions.append(box)
    return regions


# Text at 300 dpi: a line is at least this tall (inches), its letters fill this share of
# their line's rectangle at least, and a letter is on average at least this square in area.
# A fax streak, a band of grain or a staple fails one of them; a Tesseract run saved.
TEXT_MIN_HEIGHT = 0.07
TEXT_MIN_FILL = 0.06
TEXT_MIN_PIECE = 0.02


def plausibly_text(ink: np.ndarray, dpi: float) -> bool:
    """True when a region's ink could be text: tall enough for a line, dense enough, in
    two or more pieces of a letter's size (not grain, not one pen stroke or blot)."""
    if ink.shape[0] < TEXT_MIN_HEIGHT * dpi or ink.mean() < TEXT_MIN_FILL:
        return False
    _labels, pieces = ndimage.label(ink)
    return pieces >= 2 and np.count_nonzero(ink) / pieces >= (TEXT_MIN_PIECE * dpi) ** 2
