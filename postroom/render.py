"""A letter to scanned pages and an image-only PDF: `render_letter`, `render_pdf`.

`python -m postroom.render LETTERS_DIR OUT_DIR [ID...]` writes OUT_DIR/<id>.pdf for each letter
(a handful for looking at; the tests and `triage evaluate` render in memory).
"""

from __future__ import annotations

import io
import random
import sys
import zlib
from pathlib import Path

from PIL import Image

from postroom import marks
from postroom.compose import draw_letter
from postroom.degrade import scan
from postroom.form import draw_form
from postroom.letter import PostLetter, load_letters
from postroom.style import Style, choose_style


def letter_seed(letter: PostLetter) -> int:
    """The letter's own seed: the same letter always renders to the same bytes."""
    return zlib.crc32(letter.id.encode("utf-8"))


def render_letter(letter: PostLetter, *, seed: int | None = None,
                  **overrides: object) -> tuple[list[Image.Image], Style]:
    """The letter's scanned pages (greyscale) and the style they were drawn in."""
    seed = letter_seed(letter) if seed is None else seed
    style = choose_style(letter, seed, **overrides)
    rng = random.Random(seed + 1)
    clean = (draw_form if letter.kind == "complaint_form" else draw_letter)(letter, style, rng)
    for index, page in enumerate(clean):
        if style.stamp and index == 0:
            marks.stamp(page, letter.received_at, rng, place=style.stamp_place,
                        side=_sender_side(letter))
        if style.holes:
            marks.punch_holes(page, rng)
        if style.staple and index == 0:
            marks.staple(page, rng)
    return [scan(page, style, seed + index) for index, page in enumerate(clean)], style


def _sender_side(letter: PostLetter) -> str:
    """Where the sender's own lines stand at the top: a letterhead's side, else the block's."""
    if letter.kind == "complaint_form" or letter.letterhead:
        return "center"
    return letter.sender_side


def render_pdf(letter: PostLetter, *, seed: int | None = None, **overrides: object) -> bytes:
    """An image-only PDF of the scanned letter (no text layer), the same bytes for a seed."""
    pages, style = render_letter(letter, seed=seed, **overrides)
    return pages_pdf(pages, style.dpi)


def pages_pdf(pages: list[Image.Image], dpi: int) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi,
                  creationDate="D:20260101000000Z", modDate="D:20260101000000Z",
                  producer="housing-triage postroom")
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        raise SystemExit("usage: python -m postroom.render LETTERS_DIR OUT_DIR [ID...]")
    source, target = Path(args[0]), Path(args[1])
    wanted = set(args[2:])
    target.mkdir(parents=True, exist_ok=True)
    for letter in load_letters(source):
        if wanted and letter.id not in wanted:
            continue
        (target / f"{letter.id}.pdf").write_bytes(render_pdf(letter))
        print(target / f"{letter.id}.pdf")


if __name__ == "__main__":
    main()
