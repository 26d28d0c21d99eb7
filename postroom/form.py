"""The landlord's own printed complaint form, filled in: boxes, labels, ticked contact box."""

from __future__ import annotations

import random

from PIL import Image

from postroom.compose import Sheets
from postroom.letter import FormAnswers, PostLetter
from postroom.style import Style

LANDLORD_HEADER = ("Northbrook Homes", "Complaint form",
                   "Civic House, 1 Fishergate, Preston PR1 2AB  -  Tel 01632 960000")


def draw_form(letter: PostLetter, style: Style, rng: random.Random) -> list[Image.Image]:
    """The form printed in sans, answers in the writer's hand (their face) inside the boxes."""
    answers = letter.form or FormAnswers()
    sheets = Sheets(letter, style, rng)
    sheets.face = "sans"
    for index, line in enumerate(LANDLORD_HEADER):
        sheets.text(line, align="center", scale=(1.5, 1.2, 0.8)[index], strong=index < 2)
    sheets.gap(0.8)
    sheets.text("Please fill in this form in block capitals and return it to the address "
                "above.", scale=0.8)
    sheets.gap(0.6)
    hand = style.face if style.face in {"hand", "mono", "sans"} else "sans"
    for label, value, lines in (("Your name", answers.name, 1),
                                ("Your address", answers.address, 1),
                                ("Postcode", answers.postcode, 1),
                                ("Phone number", answers.phone, 1),
                                ("Email address", answers.email, 1)):
        _box(sheets, label, value, lines, hand)
    _contact(sheets, answers.contact_method)
    for label, value in (("What happened? Please tell us what went wrong and when.",
                          answers.what_happened),
                         ("What would you like us to do to put things right?",
                          answers.desired_outcome),
                         ("Staff involved (if you know their names)", answers.staff)):
        _box(sheets, label, value, 0, hand)
    sheets.room(3)
    sheets.text(f"Signed: {' ' * 30}   Date: {letter.date_text}", scale=0.9)
    sheets.gap()
    sheets.text("For office use only:   Ref ______________   Logged by ______", scale=0.75)
    return sheets.pages


def _box(sheets: Sheets, label: str, value: str, lines: int, hand: str) -> None:
    """A printed box with its label at the top left and the answer written inside."""
    sheets.room(3)
    top = sheets.y
    sheets.text(label, scale=0.75, strong=True, x=sheets.margin + sheets.dpi // 25)
    left = sheets.margin + sheets.dpi // 10
    sheets.paragraph(value or " ", x=left, right=sheets.size[0] - sheets.margin - sheets.dpi // 10,
                     face=hand)
    if lines == 0 and sheets.y - top < 4 * sheets.line:
        sheets.y = top + 4 * sheets.line  # a large box stays large when little was written
    bottom = sheets.y + sheets.line // 4
    if bottom > top:
        sheets.draw.rectangle((sheets.margin, top - sheets.line // 5,
                               sheets.size[0] - sheets.margin, bottom), outline=40,
                              width=max(2, sheets.dpi // 90))
    sheets.y = bottom + sheets.line // 2


def _contact(sheets: Sheets, method: str | None) -> None:
    """"How should we contact you?" with a box each and a tick in the chosen one."""
    sheets.room(2)
    sheets.text("How would you like us to contact you?", scale=0.8, strong=True)
    x = sheets.margin + sheets.dpi // 8
    side = int(sheets.line * 0.7)
    for option in ("Phone", "Email", "Letter"):
        y = sheets.y + sheets.line // 8
        sheets.draw.rectangle((x, y, x + side, y + side), outline=30,
                              width=max(2, sheets.dpi // 90))
        if method and method.lower() == option.lower():
            sheets.draw.line([(x + side // 6, y + side // 2), (x + side // 2, y + side),
                              (x + side + side // 3, y - side // 3)], fill=15,
                             width=max(3, sheets.dpi // 50))
        sheets.text(option, x=x + side + sheets.dpi // 12, advance=False)
        x += int(sheets.dpi * 1.6)
    sheets.gap(1.5)
