"""Letters as OCR reads them: postcodes with OCR's positional slips, names with OCR's specks,
and the rules that take a letter's own layout for the resident's fields."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from classify.fields import CANONICAL_POSTCODE, find_postcodes

_DIGIT_AS_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
# What OCR prints for an inward code's letter: Q as 0 or O, S as 5, B as 8, Z as 2.
_LETTER_AS_DIGIT = {"Q": ["0", "O"], "S": ["5"], "B": ["8"], "Z": ["2"]}
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@st.composite
def long_outward_postcodes(draw: st.DrawFn) -> tuple[str, int]:
    """A valid postcode whose area has two letters ("PR2 1QT"), and its district digit's index."""
    area = draw(st.sampled_from(["PR", "BB", "OL", "LA", "WN", "SE", "NE", "HX", "FY", "BL"]))
    district = str(draw(st.integers(0, 99)))
    inward = str(draw(st.integers(0, 9))) + "".join(
        draw(st.sampled_from(_INWARD_LETTERS)) for _ in range(2))
    return f"{area}{district} {inward}", 2


@settings(deadline=None, max_examples=200)
@given(long_outward_postcodes(), st.booleans(), st.booleans(), st.data(),
       st.sampled_from(["Preston ", "Ashton-on-Ribble, Preston ", "", "_ ", "Walton, "]),
       st.sampled_from(["", " —", " |", " oe"]))
def test_an_address_lines_postcode_is_read_through_positional_slips(
        drawn: tuple[str, int], slip_district: bool, slip_inward_digit: bool,
        data: st.DataObject, before: str, after: str) -> None:
    canonical, district = drawn
    assert CANONICAL_POSTCODE.match(canonical)
    outward, inward = canonical.split(" ")
    if slip_district:  # "PR1" printed "PRI": a letter where the district's digit is
        digit = outward[district]
        outward = outward[:district] + _DIGIT_AS_LETTER.get(digit, digit) + outward[district + 1:]
    assume(outward == canonical.split(" ")[0]
           or not CANONICAL_POSTCODE.match(f"{outward} {canonical.split(' ')[1]}"))
    digit = inward[0]
    if slip_inward_digit:
        digit = {"0": "O", "1": "I", "5": "S"}.get(digit, digit)
    letters = "".join(data.draw(st.sampled_from([ch, *_LETTER_AS_DIGIT.get(ch, [])]))
                      for ch in inward[1:])
    line = f"{before}{outward} {digit}{letters}{after}"
    text = f"Mrs Edna Holt\n14 Ribble Close\n{line}\n\n12 May 2026\n\nDear Sir,"
    assert [found for _match, found in find_postcodes(text)] == [canonical]


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Leyland PR2 10T", "PR2 1QT"), ("Preston PRI 2AB", "PR1 2AB"),
     ("Birmingham B12 90L", "B12 9QL"), ("OL8 20S", "OL8 2QS"), ("Mi 6LT", "M1 6LT"),
     ("Ml 6LT oe", "M1 6LT"), ("Huddersfield HDS 8TL", "HD5 8TL"),
     ("Fleetwood FY7 6)W", "FY7 6JW")],
)
def test_ocr_slips_in_an_address_lines_postcode(line: str, expected: str) -> None:
    assert [found for _match, found in find_postcodes(f"3 Chapel Walk\n{line}\n")] == [expected]


@pytest.mark.parametrize(
    "text",
    ["IS 2ND", "THIS IS 2ND", "We paid the bill on ref B12 900", "I waited for the PR2 10T",
     "Your ref: AB12 300"],
)
def test_slips_are_read_only_where_an_address_line_ends(text: str) -> None:
    assert find_postcodes(text) == []
