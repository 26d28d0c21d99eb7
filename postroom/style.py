"""How one letter looks and how badly it was scanned: chosen from a seed, or given."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields, replace

from postroom.letter import PostLetter

GRADES = ("office", "fax", "carbon")


@dataclass(frozen=True)
class Style:
    """Every choice the renderer makes for a letter; tests override single fields."""

    face: str = "serif"
    size_pt: float = 11.5
    dpi: int = 200
    sender_align: str = "flush_right"     # or "block_right": left-aligned, at the right
    recipient_beside: bool = False        # the recipient's block level with the sender's
    heading_first: bool = False           # "Re: ..." above the salutation
    indent_paragraphs: bool = False       # indented paragraphs without blank lines
    letterhead_align: str = "center"      # or "left", "right"
    page2_header: str = "Page 2"          # a format: {n}, {name}, {date}
    stamp: bool = False
    stamp_place: str = "corner"          # "corner" (above the text at the top), "sender"
                                          # (across the sender's block) or "body"
    holes: bool = False
    staple: bool = False
    grade: str = "office"                 # office, fax (1-bit) or carbon (faint copy)
    skew: float = 0.0
    blur: float = 0.6
    speckle: float = 0.002
    jpeg_quality: int = 60
    paper: int = 238
    ink: int = 30


STAMP_PLACES = ("corner", "sender", "body")


def _stamp_place(draw: float) -> str:
    """Where a stamp lands, from one uniform draw: the corner, the sender's block, the body."""
    return STAMP_PLACES[min(2, int(draw * 3))]


def choose_style(letter: PostLetter, seed: int, **overrides: object) -> Style:
    """A style for the letter from its seed; any field may be given instead."""
    rng = random.Random(seed)
    resident = letter.letterhead is None
    face = rng.choice(("serif", "serif", "sans", "sans", "dejavu-serif", "dejavu-sans", "mono"))
    if resident and letter.kind == "letter" and rng.random() < 0.05:
        face = "hand"
    grade = rng.choices(GRADES, weights=(70, 18, 12))[0]
    style = Style(
        face=face,
        size_pt=round(rng.uniform(10.5, 12.5), 1) if face != "hand" else 15.0,
        sender_align=rng.choice(("flush_right", "block_right")),
        recipient_beside=rng.random() < 0.35,
        heading_first=rng.random() < 0.4,
        indent_paragraphs=rng.random() < 0.15,
        letterhead_align=rng.choice(("center", "center", "left", "right")),
        page2_header=rng.choice(("Page 2", "- {n} -", "{name} - page {n}", "{n}",
                                 "Page {n} of {n}", "{date} (page {n})")),
        stamp=rng.random() < 0.35,
        stamp_place=_stamp_place(rng.random()),
        holes=rng.random() < 0.25,
        staple=rng.random() < 0.2,
        grade=grade,
        skew=round(rng.uniform(-2.5, 2.5), 2),
        blur=round(rng.uniform(0.3, 1.0), 2),
        speckle=round(rng.uniform(0.0005, 0.004), 4),
        jpeg_quality=rng.randint(30, 75),
        paper=rng.randint(225, 246),
        ink=rng.randint(15, 55),
    )
    known = {f.name for f in fields(Style)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown style fields: {sorted(unknown)}")
    return replace(style, **overrides)  # type: ignore[arg-type]
