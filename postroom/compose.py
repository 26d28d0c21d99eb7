"""A letter's parts laid out on clean A4 pages as the writer typed them (before scanning)."""

from __future__ import annotations

import random
from collections.abc import Callable

from PIL import Image, ImageDraw

from postroom.fonts import Font, bold, font
from postroom.letter import PostLetter
from postroom.style import Style

A4_INCHES = (8.27, 11.69)


class Sheets:
    """Pages being typed, with a cursor; a line past the bottom margin starts a new page."""

    def __init__(self, letter: PostLetter, style: Style, rng: random.Random) -> None:
        self.letter, self.style, self.rng = letter, style, rng
        self.dpi = style.dpi
        self.size = (int(A4_INCHES[0] * self.dpi), int(A4_INCHES[1] * self.dpi))
        self.margin = int(self.dpi * rng.uniform(0.85, 1.05))
        self.top = int(self.dpi * rng.uniform(0.55, 0.8))
        self.bottom = self.size[1] - int(self.dpi * 0.9)
        self.px = max(10, int(style.size_pt * self.dpi / 72))
        self.line = int(self.px * (1.32 if style.face != "hand" else 1.45))
        self.face = style.face
        self.pages: list[Image.Image] = []
        self.y = 0
        self.new_page()

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.pages[-1])

    def font(self, *, scale: float = 1.0, strong: bool = False, face: str | None = None) -> Font:
        chosen = face or self.face
        return font(bold(chosen) if strong else chosen, max(8, int(self.px * scale)))

    def new_page(self) -> None:
        self.pages.append(Image.new("L", self.size, 255))
        self.y = self.top
        number = len(self.pages)
        if number > 1:
            header = self.style.page2_header.format(
                n=number, name=self.letter.signature or self.letter.sender_name_line or "",
                date=self.letter.date_text).strip(" -()") or f"Page {number}"
            if self.style.page2_header.startswith("- "):
                header = f"- {number} -"
            self.text(header, align="center", scale=0.9)
            self.gap(1.5)

    def width(self, text: str, fnt: Font) -> int:
        return int(self.draw.textlength(text, font=fnt))

    def room(self, lines: int = 1) -> None:
        if self.y + lines * self.line > self.bottom:
            self.new_page()

    def text(self, text: str, *, x: int | None = None, align: str = "left", scale: float = 1.0,
             strong: bool = False, face: str | None = None, advance: bool = True) -> int:
        """One line at the cursor; returns the x it started at. A line wider than the room
        left to the right margin is wrapped at spaces, as a word processor would."""
        self.room()
        fnt = self.font(scale=scale, strong=strong, face=face)
        wide = self.width(text, fnt)
        room = self.size[0] - self.margin - (self.margin if x is None else x)
        if wide > room and " " in text.strip():
            parts = wrap(text, room, lambda trial: self.width(trial, fnt))
            if len(parts) > 1:
                starts = [self.text(part, x=x, align=align, scale=scale, strong=strong,
                                    face=face, advance=advance or index < len(parts) - 1)
                          for index, part in enumerate(parts)]
                return min(starts)
        if x is None:
            x = {"left": self.margin, "right": self.size[0] - self.margin - wide,
                 "center": (self.size[0] - wide) // 2}[align]
        if (face or self.face) == "hand":
            self._handwrite(x, text, fnt)
        else:
            self.draw.text((x, self.y), text, fill=0, font=fnt)
        if advance:
            self.y += int(self.line * scale)
        return x

    def _handwrite(self, x: int, text: str, fnt: Font) -> None:
        """Letter by letter, each a little off the line, leaning and sized as a hand does."""
        drift = 0.0
        for char in text:
            wide = self.width(char, fnt)
            drift = max(-0.25, min(0.25, drift + self.rng.uniform(-0.06, 0.06)))
            glyph = Image.new("L", (wide + 20, int(self.px * 1.6)), 0)
            ImageDraw.Draw(glyph).text((10, 2), char, fill=255, font=fnt)
            glyph = glyph.rotate(self.rng.uniform(-14, 14), resample=Image.Resampling.BILINEAR)
            y = int(self.y + drift * self.px + self.rng.uniform(-0.12, 0.12) * self.px)
            self.pages[-1].paste(0, (x - 10, y), glyph)
            x += int(wide * self.rng.uniform(0.82, 1.12))

    def gap(self, lines: float = 1.0) -> None:
        self.y += int(self.line * lines)

    def paragraph(self, text: str, *, indent: int = 0, x: int | None = None,
                  right: int | None = None, face: str | None = None, scale: float = 1.0) -> None:
        """Text wrapped to the measure by its real width, the first line indented."""
        fnt = self.font(face=face, scale=scale)
        left = self.margin if x is None else x
        limit = (right or self.size[0] - self.margin) - left
        line, first = "", True
        for word in text.split():
            trial = f"{line} {word}".strip()
            if self.width(trial, fnt) + (indent if first else 0) > limit and line:
                self.text(line, x=left + (indent if first else 0), face=face, scale=scale)
                line, first = word, False
            else:
                line = trial
        if line:
            self.text(line, x=left + (indent if first else 0), face=face, scale=scale)


def wrap(text: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    """Text cut at spaces into lines no wider than limit (a single too-long word stays whole)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and measure(trial) > limit:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def draw_letter(letter: PostLetter, style: Style, rng: random.Random) -> list[Image.Image]:
    """The typed letter: letterhead, address blocks, date, refs, body, sign-off."""
    sheets = Sheets(letter, style, rng)
    if letter.letterhead:
        _letterhead(sheets, letter.letterhead.lines, style.letterhead_align)
    _header(sheets, letter, style)
    for label, value in letter.refs:
        sheets.text(f"{label}: {value}")
    if letter.refs:
        sheets.gap()
    if letter.heading and style.heading_first:
        sheets.text(letter.heading, strong=True)
        sheets.gap()
    sheets.text(letter.salutation)
    sheets.gap(0.6)
    if letter.heading and not style.heading_first:
        sheets.text(letter.heading, strong=True)
        sheets.gap(0.6)
    indent = int(sheets.dpi * 0.4) if style.indent_paragraphs else 0
    for paragraph in letter.body:
        sheets.room(2)
        sheets.paragraph(paragraph, indent=indent)
        if not style.indent_paragraphs:
            sheets.gap(0.6)
    _sign_off(sheets, letter)
    return sheets.pages


def _letterhead(sheets: Sheets, lines: tuple[str, ...], align: str) -> None:
    for index, line in enumerate(lines):
        sheets.text(line, align=align, scale=1.35 if index == 0 else 0.85, strong=index == 0,
                    face="sans" if sheets.face == "hand" else None)
    y = sheets.y + sheets.line // 3
    sheets.draw.line((sheets.margin, y, sheets.size[0] - sheets.margin, y), fill=60,
                     width=max(1, sheets.dpi // 100))
    sheets.gap(1.3)


def _block(sheets: Sheets, lines: list[str], side: str, align: str, top: int) -> tuple[int, int]:
    """Draw lines as a block at the side; returns (left x, bottom y)."""
    fnt = sheets.font()
    if side == "right":  # a block at the right keeps to the right part of the page
        limit = int(0.6 * (sheets.size[0] - 2 * sheets.margin))
        lines = [part for line in lines
                 for part in (wrap(line, limit, lambda t: sheets.width(t, fnt)) or [line])]
    widest = max((sheets.width(line, fnt) for line in lines), default=0)
    right_edge = sheets.size[0] - sheets.margin
    sheets.y = top
    starts = [sheets.margin]
    for line in lines:
        if side == "right" and align == "flush_right":
            starts.append(sheets.text(line, align="right"))
        elif side == "right":
            starts.append(sheets.text(line, x=right_edge - widest))
        else:
            sheets.text(line)
    return min(starts[1:] or starts), sheets.y


def _header(sheets: Sheets, letter: PostLetter, style: Style) -> None:
    """Sender's block, date and recipient's block, on the letter's side of the page."""
    sender = ([letter.sender_name_line] if letter.sender_name_line else []) + \
        list(letter.sender_lines)
    top = sheets.y
    if letter.sender_side == "right":
        date_under = letter.date_side == "under_sender" and letter.date_text
        lines = [*sender, "", letter.date_text] if date_under else sender
        lines = lines if any(lines) else []
        _, bottom = _block(sheets, lines, "right", style.sender_align, top)
        start = top + 3 * sheets.line if style.recipient_beside else bottom + sheets.line
        sheets.y = start
        for line in letter.recipient:
            sheets.text(line)
        sheets.y = max(sheets.y, bottom) + sheets.line
        if not date_under and letter.date_text:
            sheets.text(letter.date_text)
            sheets.gap()
    else:
        for line in sender:
            sheets.text(line)
        sheets.gap()
        if letter.date_text:
            sheets.text(letter.date_text)
            sheets.gap()
        for line in letter.recipient:
            sheets.text(line)
        sheets.gap()


def _sign_off(sheets: Sheets, letter: PostLetter) -> None:
    sheets.room(5)
    sheets.gap(0.4)
    sheets.text(letter.closing)
    sheets.gap(0.2)
    _scribble(sheets)
    for line in (letter.signature, letter.signature_title):
        if line:
            sheets.text(line)


def _scribble(sheets: Sheets) -> None:
    """A signature: a quick looping pen stroke that reads as no text."""
    rng = sheets.rng
    height = int(sheets.line * 1.6)
    sheets.room(2)
    x, base = sheets.margin + rng.randint(0, sheets.dpi // 4), sheets.y + height // 2
    points = []
    for step in range(rng.randint(18, 30)):
        x += rng.randint(sheets.dpi // 40, sheets.dpi // 12)
        points.append((x, base + int(rng.uniform(-0.45, 0.45) * height) + step % 3))
    sheets.draw.line(points, fill=20, width=max(2, sheets.dpi // 70), joint="curve")
    sheets.y += height + sheets.line // 3
