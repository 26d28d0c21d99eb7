"""Printed tick boxes on a form: the square just before a label, and whether it was ticked.

A box is found by its outline (two upright sides and a top and bottom edge the length of its
side) in the space left of a well-read word with no other word in it; it is ticked when ink
crosses its inside. The label's word is then written "[x] Phone" or "[ ] Email", so the
page's text says which printed box was ticked (Tesseract reads an empty box as "[]" or
"(_]" and a ticked one as nothing or a stray letter; those reads are dropped).
"""

from __future__ import annotations

from statistics import median

import numpy as np
from PIL import Image

from ingest.pageclean import Box
from ingest.pagelayout import Word

# A label Tesseract read this well (0-100) is text; a box read as a word reads below the other.
LABEL_MIN_CONFIDENCE = 80.0
BOX_READ_BELOW = 70.0
# The box's side against the label's height, and how far left of the label it may stand.
SIDE_OF_HEIGHT = (0.8, 2.0)
REACH_INCHES = 0.4
EDGE_SHARE = 0.7  # an edge is inked along this share of the box's side at least
TICK_MIN_FILL = 0.05  # the inside of a ticked box holds this share of ink at least


def mark_ticks(image: Image.Image, words: list[Word], dpi: float) -> list[Word]:
    """The words with each boxed label marked ticked or not, and the box's own reads gone."""
    ink = np.asarray(image) < 128
    marked: list[Word] = []
    boxes: list[Box] = []
    reach = int(REACH_INCHES * dpi)
    for index, word in enumerate(words):
        found = None
        before = words[index - 1] if index else None
        follows_text = (before is not None and before.line_key == word.line_key
                        and before.confidence >= LABEL_MIN_CONFIDENCE
                        and word.box.left - before.box.right < reach)
        if (not follows_text and word.confidence >= LABEL_MIN_CONFIDENCE
                and word.text[:1].isalpha()):
            found = _box_before(ink, word, words, dpi)
        if found is None:
            marked.append(word)
            continue
        box, ticked = found
        boxes.append(box)
        left = Box(box.left, min(box.top, word.box.top), word.box.right,
                   max(box.bottom, word.box.bottom))
        marked.append(Word(f"[{'x' if ticked else ' '}] {word.text}", left, word.confidence,
                           word.line_key))
    return [w for w in marked
            if not (w.confidence < BOX_READ_BELOW and any(_inside(w.box, b) for b in boxes))]


def _inside(inner: Box, outer: Box) -> bool:
    x, y = (inner.left + inner.right) // 2, (inner.top + inner.bottom) // 2
    return outer.left - 4 <= x <= outer.right + 4 and outer.top - 4 <= y <= outer.bottom + 4


def _box_before(ink: np.ndarray, word: Word, words: list[Word],
                dpi: float) -> tuple[Box, bool] | None:
    """The box left of the word, and whether it is ticked; None when there is no box."""
    # The line's typical word height: a tick reaching up into the label's box makes it taller.
    height = int(median(w.box.height for w in words if w.line_key == word.line_key
                        and w.confidence >= LABEL_MIN_CONFIDENCE))
    middle = (word.box.top + word.box.bottom) // 2
    window = Box(max(0, word.box.left - int(REACH_INCHES * dpi)), max(0, middle - height),
                 max(0, word.box.left - 2), min(ink.shape[0], middle + height))
    if window.width < height:
        return None
    area = ink[window.top : window.bottom, window.left : window.right]
    columns = np.nonzero(area.sum(axis=0) >= SIDE_OF_HEIGHT[0] * height * EDGE_SHARE)[0]
    if len(columns) < 2:
        return None
    right = int(columns[-1])
    for left in (int(c) for c in columns[::-1]):
        side = right - left
        if side < SIDE_OF_HEIGHT[0] * height:
            continue
        if side > SIDE_OF_HEIGHT[1] * height:
            break
        rows = np.nonzero(area[:, left : right + 1].sum(axis=1) >= EDGE_SHARE * side)[0]
        if len(rows) < 2 or not 0.75 * side <= rows[-1] - rows[0] <= 1.33 * side:
            continue
        top, bottom = int(rows[0]), int(rows[-1])
        if not _standing_alone(area, top, bottom, left, right):
            continue
        rim = max(2, side // 6)
        inside = area[top + rim : bottom - rim, left + rim : right - rim]
        ticked = inside.size > 0 and float(inside.mean()) >= TICK_MIN_FILL
        if any(w is not word and w.confidence >= LABEL_MIN_CONFIDENCE
               and _overlap(w.box, window) for w in words):
            return None  # the outline is part of other text, not a printed box
        return Box(window.left + left, window.top + top, window.left + right + 1,
                   window.top + bottom + 1), ticked
    return None


def _standing_alone(area: np.ndarray, top: int, bottom: int, left: int, right: int) -> bool:
    """True when the outline is a box on its own: both sides inked from top to bottom, and
    no ink just left of it or just below it (a form's frame or a ruled line runs on; a tick
    leaves only up and to the right)."""
    side = right - left
    sides = area[top : bottom + 1, [left, right]].sum(axis=0)
    if sides.min() < EDGE_SHARE * (bottom - top):
        sides = np.maximum(sides, area[top : bottom + 1, [left + 1, right - 1]].sum(axis=0))
        if sides.min() < EDGE_SHARE * (bottom - top):
            return False
    gap = max(3, side // 3)
    beside = area[top : bottom + 1, max(0, left - gap) : max(0, left - 2)]
    below = area[bottom + 3 : bottom + gap, left : right + 1]
    return all(part.size == 0 or float(part.mean()) < 0.1 for part in (beside, below))


def _overlap(a: Box, b: Box) -> bool:
    return a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom
