"""Fields in the forms outside writers use: forwards with the new words at the bottom,
professionals writing about a titled resident, tradespeople named in passing, phone shorthand."""

from __future__ import annotations

from datetime import date

import pytest

from classify.fields import extract_fields
from classify.text import split_quoted

RECEIVED = date(2026, 11, 5)

FORWARD_BELOW = """---------- Forwarded message ---------
From: Northbrook Homes Repairs <repairs@example.org>
Date: 2 October 2026
Subject: Job 55120

Your appointment with our operative Stuart Bell is on 6 October, AM.

------

Nobody came on the 6th and nobody rang. I want the job rebooked for a Saturday.

Oksana Lewandowska
"""


def test_a_forward_with_the_new_words_at_the_bottom_reads_them_as_the_writers() -> None:
    own, quoted = split_quoted(FORWARD_BELOW)
    assert own.startswith("Nobody came on the 6th")
    assert "Stuart Bell" in quoted
    fields = extract_fields(FORWARD_BELOW, received=RECEIVED)
    assert fields.name == "Oksana Lewandowska"
    assert fields.desired_outcome == "I want the job rebooked for a Saturday."


def test_a_forward_without_a_separator_keeps_the_whole_text() -> None:
    body = "-----Original Message-----\nFrom: a@example.org\nSent: 1 May 2026\n\nThe gate is off."
    own, quoted = split_quoted(body)
    assert own == ""
    assert "The gate is off." in quoted


@pytest.mark.parametrize(("body", "name", "representative"), [
    ("Hello,\n\nI'm the health visitor for the family at 4 Alder Row, Chorley PR7 1AA "
     "(tenant Ms Roisin Quayle). The boiler has failed and there is a baby of three weeks.\n\n"
     "Could an engineer attend today.\n\nMegan Tarrant\nHealth Visitor\n",
     "Roisin Quayle", "Megan Tarrant"),
    ("Dear Northbrook Homes,\n\nSir Alan Pike MP has been contacted by his constituent "
     "Mr Desmond Achebe of 9 Fell View, Preston PR2 6TT, about a ceiling that is bulging.\n\n"
     "Yours sincerely,\n\nLaura Kent\nCaseworker\n",
     "Desmond Achebe", "Laura Kent"),
])
def test_a_professional_writes_about_a_titled_resident(body: str, name: str,
                                                       representative: str) -> None:
    fields = extract_fields(body, received=RECEIVED)
    assert (fields.name, fields.representative) == (name, representative)


def test_an_officer_named_by_a_representative_is_not_the_resident() -> None:
    body = ("Hello,\n\nRaised with me at my surgery: her housing officer, Mrs Jean Platt, has not "
            "answered Mrs Hilda Marsh of 3 Oak Street, Preston PR1 4EE since June.\n\n"
            "Cllr Tom Reyes\n")
    fields = extract_fields(body, received=RECEIVED)
    assert fields.name == "Hilda Marsh"
    assert "Jean Platt" in fields.staff


@pytest.mark.parametrize(("body", "staff"), [
    ("The job is done.\n- Declan (plasterer): tidy and quick\n- Imogen (electrician): "
     "explained the fuse board\nThanks, Rob Vance", {"Declan", "Imogen"}),
    ("To Stan the joiner, thank you for the new door.\nFrom Elsie Wray", {"Stan"}),
    ("I rang on 6 Jan and again on Nov 3 about the damp and heard nothing.\nPaula Dyer", set()),
    ("When the engineer came he left the wires out.\nVic Hale", set()),
])
def test_staff_named_in_passing(body: str, staff: set[str]) -> None:
    assert set(extract_fields(body, received=RECEIVED).staff) == staff


@pytest.mark.parametrize(("body", "asked"), [
    ("lift broke again 3rd time this month pls send sum1 asap\nDev", "pls send sum1 asap"),
    ("Window in the back room won't shut.\n\nWant the window looked at today.\n\nJ. Ames",
     "Want the window looked at today."),
    ("the service charge went up £9 can it be brought back down\nmo", "can it be brought back"),
])
def test_clipped_and_shorthand_asks_are_desired_outcomes(body: str, asked: str) -> None:
    outcome = extract_fields(body, received=RECEIVED).desired_outcome
    assert outcome is not None and asked in outcome


def test_a_name_typed_at_the_end_without_a_sign_off() -> None:
    body = ("Back door lock snapped, can't lock up tonight.\n\n"
            "14 Mill Brow. Dean Ashworth. 07700 900441")
    assert extract_fields(body, received=RECEIVED).name == "Dean Ashworth"
