"""The renderer of real post, page cleaning and page rebuilding, the landlord's form and the
letter's date for the time limit: plain functions, no Tesseract."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from classify.fields.form import read_form
from ingest.pageclean import Box, clean_page, estimate_skew, otsu_threshold
from ingest.pagelayout import Word, build_blocks, page_text
from postroom.letter import letter_from_dict, load_letters
from postroom.render import render_pdf
from workflow.policy import load_policy
from workflow.rules import Facts, Thresholds, apply_policies

from .conftest import REPO


def test_the_same_letter_renders_to_the_same_bytes() -> None:
    letter = load_letters(REPO / "data" / "letters")[0]
    assert render_pdf(letter) == render_pdf(letter)
    assert render_pdf(letter, seed=1) != render_pdf(letter, seed=2)


def test_the_letters_development_set_is_complete() -> None:
    letters = load_letters(REPO / "data" / "letters")
    assert len({letter.id for letter in letters}) == len(letters)
    for letter in letters:
        assert letter.labels.get("category"), letter.id
        assert "fields" in letter.labels, letter.id


def test_unknown_style_fields_are_refused() -> None:
    letter = letter_from_dict({"id": "x", "body": ["Hello there."]})
    with pytest.raises(ValueError, match="unknown style"):
        render_pdf(letter, colour="red")


@settings(max_examples=15, deadline=None)
@given(st.floats(min_value=-4.0, max_value=4.0))
def test_skew_is_measured_within_a_few_tenths_of_a_degree(angle: float) -> None:
    page = Image.new("L", (800, 600), 255)
    draw = ImageDraw.Draw(page)
    for row in range(60, 560, 28):
        draw.rectangle((60, row, 740, row + 10), fill=0)
    turned = page.rotate(angle, fillcolor=255)
    ink = np.asarray(turned) < 128
    assert estimate_skew(ink) == pytest.approx(-angle, abs=0.25)


def test_otsu_splits_ink_from_paper_and_cleaning_removes_specks() -> None:
    values = np.full((200, 200), 230, dtype=np.uint8)
    values[50:60, 20:180] = 30
    values[120, 100] = 20  # a speck
    histogram = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    assert 30 < otsu_threshold(histogram) <= 230
    clean = np.asarray(clean_page(Image.fromarray(values)).image)
    assert clean[55, 100] == 0 and clean[120, 100] == 255


def _word(text: str, left: int, top: int, key: tuple[int, int, int], conf: float = 95.0,
          width: int = 120) -> Word:
    return Word(text, Box(left, top, left + width, top + 30), conf, key)


def test_two_columns_on_one_tesseract_line_become_two_blocks() -> None:
    # Tesseract read the landlord's block (left) and the resident's (right) as shared lines.
    words = [
        _word("Complaints", 100, 100, (1, 1, 1)), _word("Team", 230, 100, (1, 1, 1)),
        _word("22", 1500, 100, (1, 1, 1), width=40), _word("Larch", 1550, 100, (1, 1, 1)),
        _word("Northbrook", 100, 140, (1, 1, 2)), _word("Lancaster", 1500, 140, (1, 1, 2)),
        _word("LA1", 1650, 140, (1, 1, 2), width=60), _word("2PN", 1720, 140, (1, 1, 2)),
        _word("Vw", 100, 400, (2, 1, 1), conf=31.0, width=40),  # a signature's scrawl
    ]
    blocks = build_blocks(words, page_width=2400)
    assert [b.side for b in blocks] == ["right", "left"]
    assert blocks[0].text == "22 Larch\nLancaster LA1 2PN"
    assert page_text(blocks) == "22 Larch\nLancaster LA1 2PN\n\nComplaints Team\nNorthbrook"


FORM_TEXT = """Northbrook Homes
Complaint form

Your name
Amy Lee
Your addres
4 Mill Lane, Leyland
Postcode
PR25 1AA
What would you like us to do to put things right?
Fix the gutter before winter.
Staff involved (if you know their names)
Signed: Date: 1/2/2026"""


def test_the_landlords_form_is_read_by_its_printed_labels() -> None:
    form = read_form(FORM_TEXT)
    assert form is not None
    assert (form.name, form.address, form.postcode) == ("Amy Lee", "4 Mill Lane, Leyland",
                                                        "PR25 1AA")
    assert form.desired_outcome == "Fix the gutter before winter."
    assert form.staff is None
    assert read_form("Dear Sir,\nYour name is on the list.\nYours faithfully") is None


def _facts(**changes) -> Facts:
    base = dict(category="complaint", confidence=0.95, excluded_reason=None, escalation=False,
                hazard=None, received=date(2027, 2, 1), incident_date=date(2026, 1, 20),
                has_identity=True)
    return Facts(**{**base, **changes})


def test_the_letters_own_date_counts_for_the_time_limit() -> None:
    policy = load_policy("code-2024")  # twelve months
    late = apply_policies(_facts(), policy, Thresholds())
    assert late.excluded_reason == "out_of_time"
    written = apply_policies(_facts(written_on=date(2026, 12, 18)), policy, Thresholds())
    assert written.excluded_reason is None and written.category == "complaint"
    assert not any(r.hit and r.rule == "out-of-time" for r in written.results)
    # A date after receipt, or long before it, is a misreading: receipt counts.
    for implausible in (date(2027, 3, 1), date(2026, 6, 1)):
        decision = apply_policies(_facts(written_on=implausible), policy, Thresholds())
        assert decision.excluded_reason == "out_of_time"


def test_handwriting_goes_to_an_officer_with_the_reason() -> None:
    decision = apply_policies(_facts(handwritten=True, ocr_confidence=0.72),
                              load_policy("code-2024"), Thresholds())
    assert decision.needs_review
    assert any("handwritten or unreadable: read by an officer" in r for r in decision.reasons)


def test_a_letters_own_date_is_read_from_its_date_line() -> None:
    from classify.fields.incident import letter_date

    text = ("27 Larch Grove\nPreston\nPR2 1QT\n\n9th December 2026\n\nDear Sir or Madam,\n\n"
            "The boiler failed on 1st December and nobody came.\n\nYours faithfully,\n")
    assert letter_date(text, date(2027, 1, 12)) == date(2026, 12, 9)
