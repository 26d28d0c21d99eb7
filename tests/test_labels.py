"""The labelled data against the Complaint Handling Code 2024's definition of legal
proceedings: only a claim issued (filed) at court excludes a complaint; a letter before
action, a solicitor's letter of claim under a pre-action protocol, or a threat to go to court
is a complaint (or whatever else it is), never `legal_proceedings`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from classify.dataset import Example, load_examples

REPO = Path(__file__).resolve().parents[1]
PRE_ACTION = re.compile(r"letter (?:of claim|before (?:action|claim))|pre-action protocol|"
                        r"will (?:take|see) (?:you|this|it) (?:to|in) court|legal action",
                        re.IGNORECASE)
NOT_ISSUED = re.compile(
    r"\b(?:no|not|yet to be|have not|has not|haven't|hasn't)\b[^.]{0,40}?\b"
    r"(?:issued|commenced|started|filed)\b|\bno (?:court )?(?:proceedings|claim)\b|"
    r"not a letter of claim|\b(?:would|will|may|might|intend to|going to)\b[^.]{0,30}?\b"
    r"(?:issue|court|legal action)",
    re.IGNORECASE)
AT_COURT = re.compile(
    r"court|tribunal|claim (?:no\b|number|ref)|hearing|judge|proceedings|claim form|"
    r"money claim online|\bissued\b|possession order|injunction", re.IGNORECASE)


def _labelled() -> list[Example]:
    folders = [REPO / "data" / name for name in ("training", "dev", "outside")]
    return [e for folder in folders if any(folder.glob("*.jsonl"))
            for e in load_examples(folder)]


@pytest.fixture(scope="module")
def labelled() -> list[Example]:
    return _labelled()


def test_a_letter_before_action_is_never_legal_proceedings(labelled: list[Example]) -> None:
    wrong = [e.id for e in labelled
             if e.excluded_reason == "legal_proceedings"
             and PRE_ACTION.search(e.body) and NOT_ISSUED.search(e.body)
             and not re.search(r"\bclaim (?:no\b|number)|\bissued (?:in|at|by) the\b|"
                               r"hearing (?:is|was) (?:listed|fixed|on)", e.body, re.I)]
    assert wrong == []


def test_legal_proceedings_always_name_a_claim_at_court(labelled: list[Example]) -> None:
    wrong = [e.id for e in labelled if e.excluded_reason == "legal_proceedings"
             and not AT_COURT.search(e.subject + "\n" + e.body.replace("0", "o").replace(
                 "1", "l"))]  # OCR-damaged letters write c0urt and c1aim
    assert wrong == []


def test_solicitors_letters_of_claim_in_the_training_set_are_complaints(
        labelled: list[Example]) -> None:
    letters = [e for e in labelled if e.id.startswith("tr-")
               and re.search(r"letter of claim", e.subject + e.body, re.I)
               and NOT_ISSUED.search(e.body)]
    assert len(letters) >= 10  # the training set teaches the boundary with many of them
    assert {e.category for e in letters} == {"complaint"}
