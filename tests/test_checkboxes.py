"""The landlord's form's tick boxes read through real Tesseract: the ticked box's label is
written "[x] Email", the others "[ ] Phone"; a letter without boxes gets no marks."""

from __future__ import annotations

import re

import pytest

from ingest.ocr import read_page, tesseract_available
from ingest.scanfile import OCR_DPI, ScanFile
from postroom.letter import load_letters
from postroom.render import render_pdf

from .conftest import REPO

pytestmark = [pytest.mark.ocr,
              pytest.mark.skipif(not tesseract_available(), reason="Tesseract missing")]


def _page_text(letter_id: str) -> str:
    letter = next(x for x in load_letters(REPO / "data" / "letters") if x.id == letter_id)
    with ScanFile(render_pdf(letter)) as scan:
        return read_page(scan.page_image(0, OCR_DPI)).text


def test_the_ticked_contact_box_is_written_into_the_forms_text() -> None:
    text = _page_text("let-0029")  # the resident ticked Email
    assert "[x] Email" in text
    assert "[ ] Phone" in text and "[ ] Letter" in text
    assert "(_]" not in text  # Tesseract's read of an empty box is dropped
    from classify.fields.form import read_form

    answers = read_form(text)
    assert answers is not None and answers.contact_method == "email"


def test_a_letter_without_boxes_gets_no_tick_marks() -> None:
    text = _page_text("let-0001")
    assert not re.search(r"\[[x ]\] ", text)
