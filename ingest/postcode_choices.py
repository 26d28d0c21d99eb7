"""A postcode the page's reading broke by a character, read again with Tesseract's own
alternatives for each character.

Where the first choice does not fit a postcode's shape (an S where the district's digit must
be, "HUS 4ES"), the pair of words is read once more on its own with every character's
alternatives (hOCR, lstm_choice_mode=2) and the best-scored reading that fits is kept: HU9
when Tesseract's next choice for that S is a 9. The recogniser's own second guess beats a
fixed table of which character OCR takes for which (S for 5 would give HU5, another real
district). Plain functions over words and hOCR text; the run itself is the caller's.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, replace

from core.postcodes import CANONICAL_POSTCODE
from ingest.pageclean import Box
from ingest.pagelayout import Word

# Two words that may be a postcode with a character misread: an outward code opening with a
# capital and holding a digit or a digit's look-alike, an inward code of three characters
# whose last two are capitals or digits. Edge punctuation (a speck read as "_") is kept aside.
# A lower-case letter ("WR5d", a speck) is more likely a character too many than a misread
# one, and is left to the field extraction, which knows the town beside it.
_OUTWARD_LIKE = re.compile(r"[A-Z][A-Z0-9]{1,3}")
_INWARD_LIKE = re.compile(r"[0-9A-Za-z][A-Z0-9]{2}")
_EDGE = "_.,;:'\"|"
# The outward code's shapes by letters (A) and digits (9), as the Royal Mail grammar has them.
_OUTWARD_SHAPES = ("A9", "A99", "A9A", "AA9", "AA99", "AA9A")
_INWARD_SHAPE = "9AA"
# Alternatives Tesseract lists at no confidence are padding, not readings.
MIN_CHOICE_CONFIDENCE = 5.0
# Alternatives of the right kind tried per character.
_ALTERNATIVES_KEPT = 3
# Room around the pair's boxes for the reading on its own, in pixels.
CROP_MARGIN = 12

_WORD = re.compile(r"<span class='ocrx_word'[^>]*>(.*?)(?=<span class='ocrx_word'|</p>)", re.S)
_POSITION = re.compile(r"<span class='ocrx_cinfo' id='lstm_choices_[^']*'>(.*?)</span></span>",
                       re.S)
_CHOICE = re.compile(r"title='x_confs ([\d.]+)'>([^<]*)</span>")

Choices = tuple[tuple[str, float], ...]  # one character's readings, best first


@dataclass(frozen=True)
class PostcodePair:
    """Two adjacent words of a line that may be a misread postcode."""

    outward: int  # index of the outward code's word
    inward: int
    box: Box


def misread_postcodes(words: list[Word]) -> list[PostcodePair]:
    """Adjacent word pairs on one line shaped like a postcode but not one as read."""
    pairs = []
    for index, (first, second) in enumerate(itertools.pairwise(words)):
        if first.line_key != second.line_key:
            continue
        outward, inward = first.text, second.text.strip(_EDGE)
        if not (_OUTWARD_LIKE.fullmatch(outward) and _INWARD_LIKE.fullmatch(inward)):
            continue
        if not any(c.isdigit() for c in outward + inward[0]):
            continue
        if CANONICAL_POSTCODE.match(f"{outward.upper()} {inward.upper()}"):
            continue
        box = Box(min(first.box.left, second.box.left), min(first.box.top, second.box.top),
                  max(first.box.right, second.box.right),
                  max(first.box.bottom, second.box.bottom))
        pairs.append(PostcodePair(index, index + 1, box))
    return pairs


def parse_choices(hocr: str) -> list[tuple[str, list[Choices]]]:
    """Each word of an hOCR page read with lstm_choice_mode=2: its text and, per character,
    the alternatives with their confidences."""
    words = []
    for body in _WORD.findall(hocr):
        text = html.unescape(body.split("<", 1)[0]).strip()
        positions = [tuple((html.unescape(char), float(conf))
                           for conf, char in _CHOICE.findall(position))
                     for position in _POSITION.findall(body)]
        if not any(char.isalnum() for char in text):
            continue  # a speck beside the postcode, read as a word of punctuation
        # A word's leading space is listed as a character of its own.
        words.append((text, [p for p in positions if p and not p[0][0].isspace()]))
    return words


def best_postcode(outward: list[Choices], inward: list[Choices]) -> str | None:
    """The best-scored reading of the two words' characters that is a postcode: each
    character one of its alternatives, a capital where a letter must be and a digit where a
    digit must be, the whole in the Royal Mail grammar (which letters each place allows);
    None when no reading fits."""
    best: tuple[float, str] | None = None
    inward_fitting = _fitting(inward, _INWARD_SHAPE)
    if not inward_fitting:
        return None
    for shape in _OUTWARD_SHAPES:
        outward_fitting = _fitting(outward, shape)
        if not outward_fitting:
            continue
        fitting = outward_fitting + inward_fitting
        for reading in itertools.product(*fitting):
            chars = "".join(char for _conf, char in reading)
            postcode = f"{chars[:len(shape)]} {chars[len(shape):]}"
            score = sum(conf for conf, _char in reading)
            if CANONICAL_POSTCODE.match(postcode) and (best is None or score > best[0]):
                best = (score, postcode)
    return best[1] if best else None


def _fitting(positions: list[Choices], shape: str) -> list[list[tuple[float, str]]]:
    """Per character, its alternatives of the kind the shape wants there, best first (a few
    at most); empty when the lengths differ or a place has none."""
    if len(positions) != len(shape):
        return []
    fitting = []
    for choices, kind in zip(positions, shape, strict=True):
        kept = sorted(((conf, char) for char, conf in choices
                       if conf >= MIN_CHOICE_CONFIDENCE and len(char) == 1
                       and (char.isdigit() if kind == "9" else "A" <= char <= "Z")),
                      reverse=True)[:_ALTERNATIVES_KEPT]
        if not kept:
            return []
        fitting.append(kept)
    return fitting


def mended(words: list[Word], pair: PostcodePair, hocr: str) -> list[Word]:
    """The words with the pair read as the postcode its alternatives give, when the reading
    on its own found two words of the same lengths and the postcode only swaps letters for
    digits or digits for letters (its shape mended); otherwise as they were. A letter read as
    another letter ("V1" for IV1, a character lost) is not this mend's to guess."""
    read = parse_choices(hocr)
    if len(read) != 2 or any(len(positions) != len(text) for text, positions in read):
        return words
    postcode = best_postcode(read[0][1], read[1][1])
    if postcode is None:
        return words
    outward, inward = postcode.split(" ")
    old_inward = words[pair.inward].text
    core = old_inward.strip(_EDGE)
    if not _shape_mended(words[pair.outward].text + core, outward + inward):
        return words
    start = old_inward.index(core)
    result = list(words)
    result[pair.outward] = replace(words[pair.outward], text=outward)
    result[pair.inward] = replace(words[pair.inward], text=old_inward[:start] + inward
                                  + old_inward[start + len(core):])
    return result


def _shape_mended(before: str, after: str) -> bool:
    """Same length, and every character changed goes from a letter to a digit or back."""
    return len(before) == len(after) and all(
        old.upper() == new or old.isdigit() != new.isdigit()
        for old, new in zip(before, after, strict=True))
