"""Batch scans: one file holding several letters, separated by blank sheets, becomes several.

The post room feeds a pile of letters through the scanner with a blank sheet between them;
each run of pages between blank sheets is one letter, cut into a file of its own so it is
stored, hashed, triaged and retried like any other scan, and knows its page range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import ImageFilter

from ingest.errors import UnreadableItem
from ingest.scanfile import ScanFile, ScanLimits

# Blank checks run on pages reduced to about 100 dpi (~800 pixels across A4).
BLANK_CHECK_DPI = 100
# A page is blank when fewer than this share of its pixels are ink after a 3x3 median
# filter (which removes scanner speckle). Two words of 11 pt type are about 0.0002.
BLANK_INK_FRACTION = 0.00005
# Ink is this much darker than the page's paper tone (its median grey).
INK_CONTRAST = 80
# The scanner's shadowed edges are not ink.
EDGE_MARGIN = 0.04


@dataclass(frozen=True)
class LetterPart:
    """One letter in a scanned file: its pages (1-based, inclusive) and its own bytes.

    `page_range` is None when the file is one letter (its bytes are the file's own).
    """

    raw: bytes
    page_range: tuple[int, int] | None = None


def split_letters(raw: bytes, limits: ScanLimits | None = None) -> list[LetterPart]:
    """The letters in a scanned file; a file that cannot be opened stays one part, so
    reading it quarantines it with the precise reason."""
    try:
        with ScanFile(raw, limits) as scan:
            blanks = [is_blank_page(scan, index) for index in range(scan.page_count)]
            groups = letter_page_groups(blanks)
            if len(groups) <= 1:
                return [LetterPart(raw)]
            return [LetterPart(scan.cut(group), (group[0] + 1, group[-1] + 1))
                    for group in groups]
    except UnreadableItem:
        return [LetterPart(raw)]


def letter_page_groups(blanks: list[bool]) -> list[list[int]]:
    """Runs of non-blank pages (0-based indices); any number of blank sheets separates two."""
    groups: list[list[int]] = []
    current: list[int] = []
    for index, blank in enumerate(blanks):
        if blank:
            if current:
                groups.append(current)
            current = []
        else:
            current.append(index)
    if current:
        groups.append(current)
    return groups


def is_blank_page(scan: ScanFile, index: int) -> bool:
    """No text layer and (almost) no ink: a separator sheet."""
    if any(ch.isalnum() for ch in scan.text_layer(index)):
        return False
    image = scan.page_image(index, dpi=BLANK_CHECK_DPI).image
    return ink_fraction(image) < BLANK_INK_FRACTION


def ink_fraction(image) -> float:
    """Share of the page (edges excluded) darker than its paper by INK_CONTRAST."""
    width, height = image.size
    margin_x, margin_y = int(width * EDGE_MARGIN), int(height * EDGE_MARGIN)
    inner = image.crop((margin_x, margin_y, width - margin_x, height - margin_y))
    pixels = np.asarray(inner.filter(ImageFilter.MedianFilter(3)))
    if pixels.size == 0:
        return 0.0
    paper = float(np.median(pixels))
    return float((pixels < paper - INK_CONTRAST).mean())
