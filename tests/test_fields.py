"""Field extraction, table-driven, and the date reading behind incident dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classify.dates import find_dates, parse_written_date
from classify.fields import extract_fields, normalise_postcode
from classify.text import split_quoted

RECEIVED = date(2026, 11, 5)

LETTER = """14 Ribble Close
Ashton
Preston PR2 4XT

3 November 2026

Dear Sir or Madam,

I reported a leak on 3 February 2026 and your operative Daniel Hughes never came back.
Mrs Patel promised to ring me. I would like an apology and the leak fixed this week.
Please call me on 01632 960123.

Yours sincerely,

Margaret O'Connor
"""

COUNCILLOR = """Dear Northbrook Homes,

I am writing on behalf of my constituent, Mr John Smith of 5 Elm Road, Lancaster LA1 3QZ.
He has had black mould in the bedroom since last March and nobody has inspected it.
He would prefer a reply in writing.

Kind regards,
Cllr Jane Doe
"""

PHONE_NOTE = "boiler gone again!! 3rd time this month. ring me 07700 900123\nSent from my iPhone"


def test_formal_letter() -> None:
    fields = extract_fields(LETTER, received=RECEIVED).as_contract()
    assert fields == {
        "name": "Margaret O'Connor",
        "representative": None,
        "address": "14 Ribble Close, Ashton, Preston, PR2 4XT",
        "postcode": "PR2 4XT",
        "staff": ["Daniel Hughes", "Patel"],
        "desired_outcome": "I would like an apology and the leak fixed this week.",
        "contact_method": "phone",
        "phone": "01632 960123",
        "email": None,
        "incident_date": "2026-02-03",
    }


def test_representative_writes_for_a_constituent() -> None:
    fields = extract_fields(COUNCILLOR, received=RECEIVED, sender_name="Jane Doe",
                            sender_address="jane.doe@example.org")
    assert (fields.name, fields.representative) == ("John Smith", "Jane Doe")
    assert fields.postcode == "LA1 3QZ"
    assert fields.address == "5 Elm Road, Lancaster, LA1 3QZ"
    assert fields.email is None  # the councillor's address is not the resident's
    assert fields.contact_method == "letter"
    assert fields.incident_date == date(2026, 3, 1)


def test_phone_one_liner_takes_the_sender() -> None:
    fields = extract_fields(PHONE_NOTE, received=RECEIVED, sender_name="Kyle Brown",
                            sender_address="Kyle.Brown@Example.org")
    assert fields.name == "Kyle Brown"
    assert fields.email == "kyle.brown@example.org"
    assert fields.phone == "07700 900123"
    assert fields.contact_method == "phone"
    assert fields.staff == ()


def test_landlord_postcode_and_address_are_never_the_residents() -> None:
    text = "Northbrook Homes, PO Box 100, Preston PR1 2AB\n\nDear Sir,\nThe lift is broken.\n"
    assert extract_fields(text, received=RECEIVED).postcode is None


def test_outlook_style_sender_name_is_turned_round() -> None:
    fields = extract_fields("The gate is broken.", received=RECEIVED,
                            sender_name="O'Connor, Margaret")
    assert fields.name == "Margaret O'Connor"


def test_quoted_history_is_not_the_writers_words() -> None:
    body = ("Still not fixed.\n\nOn 1 Nov 2026, Northbrook Homes wrote:\n> Dear Ann,\n"
            "> our surveyor Peter Lang will visit.\n")
    own, quoted = split_quoted(body)
    assert own == "Still not fixed."
    assert "Peter Lang" in quoted
    assert "Peter Lang" not in extract_fields(body, received=RECEIVED).staff


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("3 February 2026", date(2026, 2, 3)), ("3rd of February", date(2026, 2, 3)),
     ("12/02/2026", date(2026, 2, 12)), ("March 2024", date(2024, 3, 1)),
     ("last March", date(2026, 3, 1)), ("last summer", date(2026, 7, 1)),
     ("last year", date(2025, 1, 1)), ("February 3, 2026", date(2026, 2, 3))],
)
def test_written_dates(phrase: str, expected: date) -> None:
    assert parse_written_date(phrase, relative_to=RECEIVED) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=RECEIVED))
def test_any_past_date_written_out_is_found(day: date) -> None:
    text = f"It happened on {day.day} {day:%B} {day.year} and again later."
    assert find_dates(text, relative_to=RECEIVED) == [(15, day)]


@given(st.dates(min_value=RECEIVED.replace(day=6), max_value=date(2030, 1, 1)))
def test_dates_after_receipt_are_ignored(day: date) -> None:
    assert find_dates(f"on {day:%d/%m/%Y}", relative_to=RECEIVED) == []


@given(st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}", fullmatch=True))
def test_postcodes_normalise_to_upper_case_single_space(raw: str) -> None:
    normal = normalise_postcode(raw.lower())
    assert normal == normal.upper()
    assert normal.count(" ") == 1 and len(normal.split(" ")[1]) == 3


@pytest.mark.parametrize(
    ("body", "name", "address"),
    [
        ("Text me on 07700 900871. Grace Mbeki, Flat 8 Harbour View, Fleetwood FY7 8JL",
         "Grace Mbeki", "Flat 8 Harbour View, Fleetwood, FY7 8JL"),
        ("The lock is broken, first time I write.\n\nGeoffrey Lund\n27 Sandpiper Way\nMorecambe\n"
         "LA4 6RT\n01632 960441", "Geoffrey Lund", "27 Sandpiper Way, Morecambe, LA4 6RT"),
        ("Is it safe? can someone check it. 09 Pendle Rise BB12 8AQ", None,
         "09 Pendle Rise, BB12 8AQ"),
        ("The policy is wrong and he should be reported for it.\n\nDale", "Dale", None),
    ],
)
def test_names_and_addresses_signed_without_a_sign_off(body: str, name: str | None,
                                                       address: str | None) -> None:
    fields = extract_fields(body, received=RECEIVED)
    assert fields.name == name
    assert fields.address == address
    assert name is None or name not in fields.staff


def test_a_heading_names_the_resident_an_advocate_writes_for() -> None:
    body = ("Re: Mrs Sheila Ramsbottom, 12 Fern Bank, Colne BB8 9LR\n\nI am Mrs Ramsbottom's "
            "advocate. Your supervisor Mr Lyons promised an inspection.\n\nYours sincerely\n\n"
            "David Penrose, Independent Advocate")
    fields = extract_fields(body, received=RECEIVED)
    assert (fields.name, fields.representative) == ("Sheila Ramsbottom", "David Penrose")
    assert fields.staff == ("Lyons",)
    assert fields.postcode == "BB8 9LR"
