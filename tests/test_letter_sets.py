"""The letter sets kept beside the development set (data/letters-heldout/, data/letters-fresh/,
data/letters-third/, data/letters-fourth/):
whole and well formed, so `triage evaluate` can score them; and the letters' report naming the
folder it scored. No OCR here: reading the sets is the evaluation's work, not the tests'."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from classify.fields.postcodes import CANONICAL_POSTCODE, postcode_areas
from pipeline.letter_evaluation import print_letter_evaluation, write_letter_report
from postroom.letter import load_letters

from .conftest import REPO


@pytest.mark.parametrize(("folder", "count"), [("letters-heldout", 48), ("letters-fresh", 48),
                                               ("letters-third", 72), ("letters-fourth", 72)])
def test_a_kept_letter_set_is_whole_and_its_postcodes_real(folder: str, count: int) -> None:
    letters = load_letters(REPO / "data" / folder)
    assert len(letters) == count
    assert len({letter.id for letter in letters}) == count
    for letter in letters:
        assert letter.labels.get("category") and letter.labels.get("writer")
        postcode = (letter.labels.get("fields") or {}).get("postcode")
        if postcode:
            assert CANONICAL_POSTCODE.match(postcode), (letter.id, postcode)
            assert re.match(r"[A-Z]+", postcode).group(0) in postcode_areas()  # type: ignore[union-attr]


def test_the_letters_report_names_the_folder_it_scored(tmp_path: Path) -> None:
    report = {"folder": "letters-heldout", "letters": 2, "typed_letters": 2,
              "quarantined_unreadable": 0, "macro_f1": 1.0, "accuracy": 1.0,
              "fields": {"name": 1.0}, "landlord_address_taken": 0,
              "handwritten": {"letters": 0, "sent_to_review_unreadable": 0,
                              "with_a_field_guessed": 0},
              "targets": {"name": {"target": 0.9, "measured": 1.0, "met": True}}}
    written = write_letter_report(report, tmp_path).read_text(encoding="utf-8")
    assert written.startswith("# Letters (letters-heldout/): 2 rendered scans")
    shown = io.StringIO()
    print_letter_evaluation(report, Console(file=shown, width=120))
    assert "Letters (letters-heldout/): 2 letters rendered as scans" in shown.getvalue()
