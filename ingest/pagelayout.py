"""A page rebuilt from Tesseract's word boxes: lines cut where a wide gap shows two columns
side by side (the resident's block top right beside the landlord's top left), then joined
into blocks by position, each with its side of the page and its own confidence.

Plain functions over Tesseract's TSV text: no image and no process here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from statistics import median

from ingest.pageclean import Box


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    confidence: float  # 0-100, as Tesseract gives it
    line_key: tuple[int, int, int]


@dataclass(frozen=True)
class Block:
    """Lines that belong together on the page, where they stand and how well they read."""

    lines: tuple[str, ...]
    box: Box
    side: str  # "left", "right" or "full"
    confidence: float | None  # 0-1, mean over the block's words

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def parse_words(tsv: str, *, dx: int = 0, dy: int = 0, key_offset: int = 0) -> list[Word]:
    """The words of Tesseract's TSV (level 5 rows with text), moved by (dx, dy)."""
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top = int(row["left"]) + dx, int(row["top"]) + dy
        box = Box(left, top, left + int(row["width"]), top + int(row["height"]))
        key = (int(row["block_num"]) + key_offset, int(row["par_num"]), int(row["line_num"]))
        words.append(Word(text, box, float(row.get("conf") or -1), key))
    return words


@dataclass(frozen=True)
class _Segment:
    words: tuple[Word, ...]
    box: Box

    @property
    def paragraph(self) -> tuple[int, int]:
        return self.words[0].line_key[:2]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _segments(words: list[Word]) -> list[_Segment]:
    """Tesseract's lines, each cut where the gap between two words is a column's gap."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    heights = [w.box.height for w in words] or [30]
    column_gap = 4 * median(heights)
    segments: list[_Segment] = []
    for line in lines.values():
        line.sort(key=lambda w: w.box.left)
        current = [line[0]]
        for word in line[1:]:
            if word.box.left - current[-1].box.right > column_gap:
                segments.append(_segment(current))
                current = []
            current.append(word)
        segments.append(_segment(current))
    return segments


def _segment(words: list[Word]) -> _Segment:
    return _Segment(tuple(words), Box(min(w.box.left for w in words),
                                      min(w.box.top for w in words),
                                      max(w.box.right for w in words),
                                      max(w.box.bottom for w in words)))


def _side(box: Box, page_width: int) -> str:
    if box.left > 0.42 * page_width:
        return "right"
    if box.right < 0.58 * page_width:
        return "left"
    return "full"


# A short line whose every word reads below this is a pen stroke (a signature, a tick, a
# stamp's rim) that Tesseract turned into letters, not writing.
SCRIBBLE_BELOW = 50.0


def _scribble(segment: _Segment) -> bool:
    """A short line of weakly read words without a digit (a postcode or a date has one)."""
    return (len(segment.words) <= 3 and not any(c.isdigit() for c in segment.text)
            and all(w.confidence < SCRIBBLE_BELOW for w in segment.words))


def build_blocks(words: list[Word], page_width: int) -> list[Block]:
    """Blocks in reading order: segments joined when one follows the other closely down the
    page on the same side; blocks ordered by their top (the right one first when two begin
    level, as the sender's block is read before the recipient's). Scribbles are left out."""
    segments = sorted((s for s in _segments(words) if not _scribble(s)),
                      key=lambda s: (s.box.top, s.box.left))
    if not segments:
        return []
    line_height = median(s.box.height for s in segments)
    open_blocks: list[list[_Segment]] = []
    for segment in segments:
        side = _side(segment.box, page_width)
        home = None
        for block in reversed(open_blocks):
            last = block[-1]
            gap = segment.box.top - last.box.bottom
            if gap > 1.1 * line_height:
                continue
            if side == "full" and segment.paragraph != last.paragraph and gap > 0.5 * line_height:
                continue  # running prose keeps Tesseract's paragraphs
            if _side(last.box, page_width) == side or _overlaps(last.box, segment.box):
                home = block
                break
        if home is None:
            open_blocks.append([segment])
        else:
            home.append(segment)
    blocks = [_block(block, page_width) for block in open_blocks]
    return sorted(blocks, key=lambda b: (b.box.top // max(1, int(line_height * 2)),
                                         b.side != "right", b.box.top))


def _overlaps(a: Box, b: Box) -> bool:
    return min(a.right, b.right) - max(a.left, b.left) > 0.5 * min(a.width, b.width)


def _block(segments: list[_Segment], page_width: int) -> Block:
    box = Box(min(s.box.left for s in segments), min(s.box.top for s in segments),
              max(s.box.right for s in segments), max(s.box.bottom for s in segments))
    confidences = [w.confidence for s in segments for w in s.words if w.confidence >= 0]
    mean = round(sum(confidences) / len(confidences) / 100, 3) if confidences else None
    return Block(tuple(s.text for s in segments), box, _side(box, page_width), mean)


def page_text(blocks: list[Block]) -> str:
    """The page as text: each block's lines, a blank line between blocks."""
    return "\n\n".join(block.text for block in blocks if block.lines)


def mean_confidence(words: list[Word]) -> float | None:
    """Mean word confidence, 0-1; None for a page without words."""
    scores = [w.confidence for w in words if w.confidence >= 0]
    return round(sum(scores) / len(scores) / 100, 3) if scores else None
