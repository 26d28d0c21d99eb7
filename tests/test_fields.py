"""Field extraction, table-driven, and the date reading behind incident dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from classify.dates import find_dated_phrases, find_dates, parse_written_date
from classify.fields import (
    CANONICAL_POSTCODE,
    Extraction,
    clean_name,
    extract_fields,
    find_postcodes,
    normalise_postcode,
)
from classify.fields.postcodes import postcode_areas
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


def test_a_postcode_wrapped_onto_the_next_line_is_the_residents() -> None:
    # A long "Re:" line wrapped between the outward and inward codes; the writer's own block
    # above it is not the resident's home.
    text = ("Mark Thornley\n22 Kestrel Court\nBristol\nBS16 3QA\n\nDear Sir/Madam,\n\n"
            "Re: Mr Frank Thornley, 14 Osmaston Park Close, Allenton, Derby DE24\n9QB\n\n"
            "My father rang your contact centre and was spoken to rudely. I would like an "
            "apology to my father.\n\nYours faithfully,\nMark Thornley\n")
    found = extract_fields(text, received=RECEIVED)
    assert found.name == "Frank Thornley"
    assert found.postcode == "DE24 9QB"
    assert found.address == "14 Osmaston Park Close, Allenton, Derby, DE24 9QB"


@pytest.mark.parametrize(("raw", "name"), [("Eilidh O’Rourke", "Eilidh O'Rourke"),
                                           ("Niamh O' Hare", "Niamh O'Hare")])
def test_a_names_apostrophe_is_written_one_way(raw: str, name: str) -> None:
    assert clean_name(raw) == name


def test_a_companys_name_signed_is_no_ones_name() -> None:
    text = ("Dear Sir,\n\nPower will be off on 3 May for works.\n\nYours faithfully,\n\n"
            "Pennine Power Networks\n")
    assert extract_fields(text, received=RECEIVED).name is None


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


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(st.dates(min_value=date(2000, 1, 1), max_value=RECEIVED))
def test_any_past_date_written_out_is_found(day: date) -> None:
    text = f"It happened on {day.day} {day:%B} {day.year} and again later."
    assert find_dates(text, relative_to=RECEIVED) == [(15, day)]


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(st.dates(min_value=date(2000, 1, 1), max_value=RECEIVED))
def test_a_month_of_a_year_is_found_however_it_is_put(day: date) -> None:
    # "it was the July of 2024, the week before our Siobhan's wedding"
    month = day.replace(day=1)
    for written in (f"{day:%B} {day.year}", f"the {day:%B} of {day.year}"):
        found = [d for _at, d in find_dates(f"It was {written}, I think.", relative_to=RECEIVED)]
        assert found == [month], written


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(st.dates(min_value=RECEIVED.replace(day=6), max_value=date(2030, 1, 1)))
def test_dates_after_receipt_are_ignored(day: date) -> None:
    assert find_dates(f"on {day:%d/%m/%Y}", relative_to=RECEIVED) == []


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
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


# --- postcodes: the full grammar, any case or spacing, OCR slips, never inside a token -------

_AREAS = sorted(postcode_areas())
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_DIGIT_SLIPS = {"0": "O", "1": "I", "5": "S"}


@st.composite
def postcodes(draw: st.DrawFn) -> tuple[str, int]:
    """A valid postcode in a real area, in canonical form, and the index of its district's
    first digit."""
    area = draw(st.sampled_from(_AREAS))
    lettered = area in {"E", "EC", "N", "NW", "SE", "SW", "W", "WC"}  # "SW1A": London's
    form = draw(st.sampled_from(["9", "99", "9A"] if lettered else ["9", "99"]))
    digit = st.sampled_from("0123456789")
    if form == "9":
        outward = area + draw(digit)
    elif form == "99":
        outward = area + draw(digit) + draw(digit)
    else:
        outward = area + draw(digit) + draw(st.sampled_from(
            "ABCDEFGHJKPSTUW" if len(area) == 1 else "ABEHMNPRVWXY"))
    inward = draw(digit) + "".join(draw(st.sampled_from(_INWARD_LETTERS)) for _ in range(2))
    return f"{outward} {inward}", len(area)


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(postcodes(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_any_postcode_in_any_case_spacing_or_slip_reads_back_canonical(
        drawn: tuple[str, int], lower: bool, spaced: bool, slip_district: bool,
        slip_inward: bool) -> None:
    canonical, district = drawn
    assert CANONICAL_POSTCODE.match(canonical)
    outward, inward = canonical.split(" ")
    if slip_district:  # OCR reads the district's digit as a letter: "SW1A" as "SWIA"
        slip = _DIGIT_SLIPS.get(outward[district], outward[district])
        if not re.search(r"\d", outward[:district] + outward[district + 1 :]):
            # With no other digit left a capital slip reads as a word ("IS 2ND"); what OCR
            # prints then, and what is still recognisable, is a lower-case l or o.
            slip = {"0": "o", "1": "l"}.get(outward[district], outward[district])
        outward = outward[:district] + slip + outward[district + 1 :]
    if slip_inward:  # ... or the inward code's digit: "0AA" as "OAA"
        inward = _DIGIT_SLIPS.get(inward[0], inward[0]) + inward[1:]
    # A slip that spells another valid postcode ("A00" read as "AO0") cannot be undone.
    real_inward = canonical.split(" ")[1]
    assume(outward.upper() == canonical.split(" ")[0]
           or not CANONICAL_POSTCODE.match(f"{outward.upper()} {real_inward}"))
    written = outward + (" " if spaced else "") + inward
    written = written.lower() if lower else written
    if lower and not re.search(r"\d", outward):
        return  # "swia oaa" is a word pair in lower case: nobody types a postcode so
    assert normalise_postcode(written) == canonical
    text = f"14 Ribble Close\nAshton\nPreston {written}\n\nDear Sir,"
    assert [found for _match, found in find_postcodes(text)] == [canonical]


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(postcodes(), st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=3,
                            max_size=6), st.text(alphabet="ABCXYZ0123456789", min_size=1,
                                                 max_size=4))
def test_a_postcode_glued_into_a_longer_token_is_never_read(
        drawn: tuple[str, int], prefix: str, suffix: str) -> None:
    canonical = drawn[0].replace(" ", "")
    for token in (prefix + canonical, canonical + suffix):
        # Only the whole token is ever read (it may itself be a postcode): never a part of it.
        spans = [match.span() for match, _found in find_postcodes(f"ref {token} and")]
        assert spans in ([], [(4, 4 + len(token))])


@pytest.mark.parametrize(
    ("written", "expected"),
    [("pr2 4xt", "PR2 4XT"), ("PR24XT", "PR2 4XT"), ("LAl 3QZ", "LA1 3QZ"),
     ("SW1A OAA", "SW1A 0AA"), ("S016 4GH", "SO16 4GH"), ("BB12 8AQ", "BB12 8AQ")],
)
def test_postcode_forms(written: str, expected: str) -> None:
    assert [found for _match, found in find_postcodes(f"Town {written}")] == [expected]


@pytest.mark.parametrize("text", ["THIS IS 2ND TIME", "this is 2nd time", "Flat 5B",
                                  "ref ABC12DEF", "the 3rd floor"])
def test_words_and_references_are_not_postcodes(text: str) -> None:
    assert find_postcodes(text) == []


# --- names ----------------------------------------------------------------------------

_TITLE_FORMS = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Cllr", "Councillor", "Rev", "Mr.",
                "Mrs.", "Dr."]
_NAME_PARTS = st.from_regex(r"[A-Z][a-z]{1,9}(?:-[A-Z][a-z]{1,8})?", fullmatch=True).filter(
    # A part that is itself a title ("Dr", "Rev") leaves only titles: clean_name says None.
    lambda part: part.lower() not in {"mr", "mrs", "ms", "miss", "mx", "dr", "cllr", "sir",
                                      "dame", "rev", "prof", "madam", "madame", "councillor"})


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(st.lists(st.sampled_from(_TITLE_FORMS), min_size=1, max_size=2),
       st.lists(_NAME_PARTS, min_size=1, max_size=3))
def test_clean_name_strips_titles(titles: list[str], parts: list[str]) -> None:
    name = " ".join(parts)
    assert clean_name(f"{' '.join(titles)} {name}") == name
    assert clean_name(f"{name} ({titles[0].rstrip('.')})") == name


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(st.lists(st.sampled_from([*_TITLE_FORMS, "(Mrs)", "&", "Madam"]), min_size=1,
                max_size=4), st.sampled_from(["", ",", ".", " "]))
def test_clean_name_never_returns_titles_alone(titles: list[str], tail: str) -> None:
    assert clean_name(" ".join(titles) + tail) is None


@pytest.mark.parametrize(
    ("body", "name"),
    [("The gate is broken.\n\nYours faithfully,\n\n(Miss) Hilda Rayner\nFlat 2, Quayside Court",
      "Hilda Rayner"),
     ("Please send the form.\n\nMany thanks\n\nAnil and Priti Varsani", "Anil Varsani"),
     ("heating fixed within 3 hours. brilliant thank you\n\nBilal\n\nSent from my iPhone",
      "Bilal"),
     ("i want it sorted proper this time\n\ntiffany hughes 19 meadow road grays rm17 5tp",
      "Tiffany Hughes"),
     ("I am NOT in arrears and I want it stopped.\n\nFatuma Ali\nfatuma.ali@example.com",
      "Fatuma Ali"),
     ("Thanks\nNadia Szymańska\n07700 900271", "Nadia Szymańska"),
     ("The rule should be withdrawn. S. Clarke", "S. Clarke")],
)
def test_writer_names(body: str, name: str) -> None:
    assert extract_fields(body, received=RECEIVED).name == name


@pytest.mark.parametrize(
    ("body", "name", "representative"),
    [("hi my nan asked me to send this. her name is Edna Blackwood, 5 Holly Bank, Scunthorpe "
      "DN16 3LA. thanks from Kayla (her granddaughter)", "Edna Blackwood", "Kayla"),
     ("Dear Sirs\n\nOur client: Ms Teresa Flanagan\nProperty: 6 Gainsborough Road, Ipswich "
      "IP4 2UR\n\nPlease treat this as a complaint.\n\nYours faithfully\n\nOkoro & Brandt LLP",
      "Teresa Flanagan", "Okoro & Brandt LLP"),
     ("Cllr Margaret Osei\nTown Hall\n\nDear Housing Manager,\n\nRe: Mr Dennis Langstaff, "
      "9 Bassleton Walk, Thornaby TS17 0JR\n\nMr Langstaff came to my surgery.\n\n"
      "Yours sincerely,\n\nCllr Margaret Osei", "Dennis Langstaff", "Margaret Osei"),
     ("Dear Sirs, we act for Mr Oluwaseun Adebanjo of 5 Poplar Grove, Reading RG2 7HT.\n\n"
      "Yours faithfully,\n\nPatel Hennessy Solicitors", "Oluwaseun Adebanjo",
      "Patel Hennessy Solicitors")],
)
def test_representatives(body: str, name: str, representative: str) -> None:
    fields = extract_fields(body, received=RECEIVED)
    assert (fields.name, fields.representative) == (name, representative)
    assert name not in fields.staff and representative not in fields.staff


# --- staff ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "staff"),
    [("I rang and the lady on the phone, Sharon, said it was booked.", ("Sharon",)),
     ("The operative Gary from the contractor left a mess.", ("Gary",)),
     ("Your surveyor, Mr Keith Danby, inspected on 4 November.", ("Keith Danby",)),
     ("I want to complain about Mrs Anjali Desai in your lettings team.", ("Anjali Desai",)),
     ("Thank you to the two engineers from Warmfield Heating, Ryan and Sanjay.",
      ("Ryan", "Sanjay")),
     ("The call handler, I think her name was Bernadette, was calm.", ("Bernadette",)),
     ("Please pass our thanks to Joanne in your team.", ("Joanne",)),
     ("I asked for my partner, Jason, to be added to the tenancy.", ()),
     ("Councillor Devi asked me to pass on her thanks, Cllr Rekha Devi was pleased.", ()),
     ("I applied to keep my assistance dog, Bramble, and the officer refused.", ()),
     ("Access can be arranged through his daughter, Mrs Lorraine Beck.", ())],
)
def test_staff_named(sentence: str, staff: tuple[str, ...]) -> None:
    body = f"Dear Sir,\n\n{sentence}\n\nYours faithfully,\n\nMargaret O'Connor"
    assert extract_fields(body, received=RECEIVED).staff == staff


# --- desired outcome ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "outcome"),
    [("I am still not happy and would like it reviewed. Nobody visited.\n\nI want a visit and "
      "a date.\n\nLorna", "I want a visit and a date."),
     ("The house is fine and I have no complaint about repairs, but the rent is now too high "
      "and I ask you to reconsider the amount.", "I ask you to reconsider the amount."),
     ("I should like to report a stain on the ceiling. Please could a plumber be sent.",
      "Please could a plumber be sent."),
     ("Do I need to ring someone else? Please send someone urgently.",
      "Please send someone urgently."),
     ("The rent went up. Please call me on 07700 900123.", None)],
)
def test_desired_outcome(body: str, outcome: str | None) -> None:
    assert extract_fields(body, received=RECEIVED).desired_outcome == outcome


# --- incident dates ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "incident"),
    [("The engineer came on Tuesday and left.", date(2026, 11, 3)),  # RECEIVED is a Thursday
     ("The pipe burst yesterday.", date(2026, 11, 4)),
     ("Since April the lift has been broken.", date(2026, 4, 1)),
     ("Water came through again on 19th and 23rd February.", date(2026, 2, 19)),
     ("The hearing is on 9 December.", None),
     ('Your letter says it was "resolved on 12 February". It leaked on 20 February.',
      date(2026, 2, 20)),
     ("The flat was on the 9th floor.", None),
     ("Her date of birth is 14/03/1948.", None)],
)
def test_incident_dates(body: str, incident: date | None) -> None:
    assert extract_fields(body, received=RECEIVED).incident_date == incident


def test_a_letters_yesterday_counts_from_the_date_it_bears() -> None:
    body = ("14 Ribble Close\nPreston PR2 4XT\n\n2 November 2026\n\nDear Sir,\n\n"
            "The ceiling fell in yesterday.\n\nYours faithfully,\n\nMargaret O'Connor")
    assert extract_fields(body, received=RECEIVED).incident_date == date(2026, 11, 1)


_WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2030, 12, 31)),
       st.integers(min_value=0, max_value=6), st.sampled_from(["on", "last", "since"]))
def test_a_weekday_is_the_latest_one_not_after_the_base_day(
        base: date, weekday: int, lead: str) -> None:
    (phrase,) = find_dated_phrases(f"it broke {lead} {_WEEKDAY_NAMES[weekday]} night",
                                   relative_to=base)
    assert phrase.day.weekday() == weekday
    back = (base - phrase.day).days
    assert (1 <= back <= 7) if lead == "last" else (0 <= back <= 6)


@settings(deadline=None)  # timings vary on a shared machine (and dateparser loads lazily)
@given(st.dates(min_value=date(2001, 7, 1), max_value=date(2030, 12, 31)),
       st.integers(min_value=0, max_value=180), st.booleans())
def test_a_day_written_without_its_year_is_read_back(base: date, back: int,
                                                     ordinal: bool) -> None:
    day = base - timedelta(days=back)
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day.day,
                                                                                      "th")
    written = f"{day.day}{suffix if ordinal else ''} of {day:%B}" if ordinal else (
        f"{day.day} {day:%B}")
    assert [p.day for p in find_dated_phrases(f"it happened on {written}.",
                                               relative_to=base)] == [day]


@settings(max_examples=40, deadline=None)  # each example runs spaCy and dateparser
@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2030, 12, 31)),
       st.lists(st.sampled_from(["yesterday", "last night", "on Friday", "last month",
                                 "two weeks ago", "since March", "in early June",
                                 "on the 3rd", "3 days ago", "this morning"]), min_size=1,
                max_size=4),
       st.lists(st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 1, 1)),
                max_size=3))
def test_an_incident_date_is_never_after_the_day_received(
        received: date, phrases: list[str], written: list[date]) -> None:
    body = ". ".join([f"It got worse {p}" for p in phrases]
                     + [f"Something on {d.day} {d:%B %Y}" for d in written]) + "."
    found = extract_fields(body, received=received).incident_date
    assert found is None or found <= received


def test_automatic_replies_carry_no_fields() -> None:
    body = ("Thank you for your email. I am out of the office until 2 June.\n\n"
            "Darren Whitlock\nRepairs Manager\n07700 900111")
    assert extract_fields(body, received=RECEIVED) == Extraction()


def test_an_employers_disclaimer_and_address_are_not_the_residents() -> None:
    body = ("The boiler has failed again. Please send an engineer.\n\nKind regards,\n"
            "Sunita Mahal\n\nThis email and any attachments are confidential and intended "
            "solely for the addressee.\n\nRegistered office: 1 Canal Street, Leeds LS1 4AB")
    fields = extract_fields(body, received=RECEIVED)
    assert (fields.name, fields.postcode, fields.address) == ("Sunita Mahal", None, None)


def test_a_letterheads_switchboard_is_not_the_residents_phone() -> None:
    body = ("Bridgefield Advice Centre\nAdvice Line 01632 960904\n\nDear Sir/Madam\n\n"
            "Client: Ms Esther Mukasa, 3 Waverley Terrace, Hebburn NE31 1RH\n\n"
            "She can be contacted on 07700 900381 since 2025.\n\nYours faithfully\n\n"
            "Rory Mulvaney")
    fields = extract_fields(body, received=RECEIVED)
    assert fields.phone == "07700 900381"
    assert (fields.name, fields.representative) == ("Esther Mukasa", "Rory Mulvaney")


def test_a_suppliers_pitch_names_no_resident() -> None:
    body = ("Hi there,\n\nCould we book 30 minutes on Teams next week to show you our damp "
            "sensors?\n\nBest,\nPriyanka Lal\nBusiness Development Manager, SenseWell Ltd\n"
            "priyanka.lal@example.com")
    assert extract_fields(body, received=RECEIVED) == Extraction()


@pytest.mark.parametrize(("text", "name"), [
    ("MY NAME IS RONALD CHARLTON AND I LIVE AT FLAT 11, SWAN COURT, WALLSEND NE28 8RT. THE "
     "CHARGE IS TOO HIGH.\n\nYOURS FAITHFULLY\n\nR. CHARLTON", "Ronald Charlton"),
    ("MY NAME IS MRS JEAN O'HARE, FLAT 2, AND THE LIFT IS BROKEN AGAIN.", "Jean O'Hare"),
    # Capitals that name no one: the words run on past where a name would end.
    ("MY NAME IS DOWN ON THE LIST FOR A TRANSFER AND NOTHING HAPPENS.", None),
])
def test_a_name_given_in_capitals_is_the_writers(text: str, name: str | None) -> None:
    assert extract_fields(text, received=RECEIVED).name == name
