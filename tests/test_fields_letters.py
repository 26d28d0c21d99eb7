"""Letters as OCR reads them: postcodes with OCR's positional slips, names with OCR's specks,
and the rules that take a letter's own layout for the resident's fields."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from classify.assessment import fill_from_form, fill_from_letter, letter_layout
from classify.fields import CANONICAL_POSTCODE, Extraction, Landlord, extract_fields, find_postcodes
from classify.fields.contacts import contact_method
from classify.fields.form import read_form
from classify.fields.layout import parse_letter
from classify.fields.letters import as_spelled_most, fuller_of, mend_misread_i
from classify.fields.outcome import desired_outcome
from classify.fields.people import clean_name
from classify.fields.postcodes import AREAS_FILE, PostcodeAreasError, load_postcode_areas
from ingest.items import IntakeItem, PageText, TextBlock

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
    written = f"{outward} {digit}{letters}"
    # With no digit left as printed it reads as a word in capitals ("HIGSON"): not sought.
    assume(re.search(r"\d", written))
    line = f"{before}{written}{after}"
    text = f"Mrs Edna Holt\n14 Ribble Close\n{line}\n\n12 May 2026\n\nDear Sir,"
    assert [found for _match, found in find_postcodes(text)] == [canonical]


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Leyland PR2 10T", "PR2 1QT"), ("Preston PRI 2AB", "PR1 2AB"),
     ("Birmingham B12 90L", "B12 9QL"), ("OL8 20S", "OL8 2QS"), ("Mi 6LT", "M1 6LT"),
     ("Ml 6LT oe", "M1 6LT"), ("Huddersfield HDS 8TL", "HD5 8TL"),
     ("Fleetwood FY7 6)W", "FY7 6JW"), ("Lancaster LA! 4HT", "LA1 4HT"),
     ("Carlisle CA2 6jQ", "CA2 6JQ"), ("- TS3_ 7QE", "TS3 7QE")],
)
def test_ocr_slips_in_an_address_lines_postcode(line: str, expected: str) -> None:
    assert [found for _match, found in find_postcodes(f"3 Chapel Walk\n{line}\n")] == [expected]


@pytest.mark.parametrize(
    ("block", "expected"),
    [("Ramsbottom Road\nBury bi9 5qp", "BL9 5QP"),  # B19 or BL9: Bury is in BL
     ("Birmingham bi9 5qp", "B19 5QP"),  # the same slip beside Birmingham
     ("Handsworth, Birmingham b18 2rt", "B18 2RT"),  # the town keeps the cheapest reading
     ("Halifax\nHXS BQT", "HX5 8QT"),  # no digit as printed, but the town names the area
     ("Worcester\nWRD3 4NP", "WR3 4NP"),  # a letter OCR added to the outward code
     ("Luton\nLU2 7HOQ", "LU2 7HQ"),  # ... and to the inward code
     ("Leicester\nLE5 GQA", "LE5 6QA"), ("Preston PR2 4Q3", "PR2 4QJ"),
     ("Scarborough\nYO11 3£Q", "YO11 3EQ"),
     ("Carmarthen\nSA31 3P\\V", "SA31 3PW"),  # a W read as two strokes
     ("Sunderland\nSR4 9OLT", "SR4 9LT"),  # the writer's space says where the halves part
     # A heading's whole address before the postcode, with a letter OCR put in it.
     ("Re: Mr Kenneth Appleyard, 22 Middlesex Road, Brinnington, Stockport SKS 8EW",
      "SK5 8EW"),
     ("Mr Tariq Nasser, 2F1, 17 Wardlaw Place, Gorgie, Edinburgh EH1i1 1UN", "EH11 1UN"),
     ("Easton, Bristol\n| BSS @QX", "BS5 0QX"),  # a 0 read as "@"
     ("Elton Fold Court\nBury b18 2rt |", "BL8 2RT"),  # in lower case a 1 is an l's twin
     ("Scholes\nWigan WK1 3Q5", "WN1 3QS"),  # one of the area's letters read as another
     ("Battenhall Rise\nWorcester\nWR5d 2DE", "WR5 2DE"),  # a speck read as a letter
     ("Sandal Court, Wakefield\nWF2 GAR - lasting power of attorney", "WF2 6AR")],
)
def test_the_town_beside_a_misread_postcode_names_its_area(block: str, expected: str) -> None:
    assert [found for _match, found in find_postcodes(f"14 Mill Lane\n{block}\n")] == [expected]


@pytest.mark.parametrize(
    "block",
    ["HXS BQT", "By the river\nWRD3 4NP", "By the station\nLU2 7HOQ",  # no town, no repair
     "Carlisle\nJU1 2QG", "Leeds QX4 1AB",  # areas that do not exist
     "Flat 2, M1A 2BX",  # a district ending in a letter is central London's alone
     "By the canal\nWK1 3Q5", "By the river\nWR5d 2DE"],  # no town: no letter swapped or
    # dropped
)
def test_no_area_is_guessed_and_none_invented(block: str) -> None:
    assert find_postcodes(f"14 Mill Lane\n{block}\n") == []


def test_the_forms_postcode_box_is_read_with_the_town_in_its_address_box() -> None:
    # OCR added a letter to the inward code; the address box above names Chorley (PR).
    answers = read_form("Your name\nEILEEN FAIRCLOUGH\n\nYour address\n9 Weldbank Fold, "
                        "Chorley\n\nPostcode\nPR7 3NOQ\n\nPhone number\n")
    assert answers is not None
    assert fill_from_form(Extraction(), answers).postcode == "PR7 3NQ"
    # A box that reads as no postcode gives none, not its garbled letters.
    garbled = read_form("Your name\nEILEEN FAIRCLOUGH\n\nYour address\n9 Weldbank Fold\n\n"
                        "Postcode\nPR73 NOQ\n\nPhone number\n")
    assert garbled is not None
    assert fill_from_form(Extraction(), garbled).postcode is None


def test_the_writers_own_block_is_not_the_residents_home() -> None:
    # A daughter writes for her mother from her own address; the mother's postcode in the
    # heading is unreadable, so no postcode is known, and the daughter's is not given instead.
    text = ("_ Priya Lakhani\n7 Orchard Rise\nLoughborough\nLE11 3TU\n\n3 March 2026\n\n"
            f"{_INSIDE_ADDRESS}\nDear Sir or Madam,\n\nRe: Mrs Kamala Lakhani, 31 Spinney Road, "
            "Leicester LE5 $$@1\n\nI am writing on behalf of my mother, Mrs Kamala Lakhani, "
            "whose bathroom extractor fan has not worked since January. I would like an "
            "electrician sent.\n\nYours faithfully,\n\nPriya Lakhani\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.representative) == ("Kamala Lakhani", "Priya Lakhani")
    assert fields.postcode is None
    assert "Orchard Rise" not in (fields.address or "")


@pytest.mark.parametrize(
    ("content", "message"),
    [("[areas]\nPR = [\"Preston\"]\nQQ = [\"Nowhere\"]\n", "areas.QQ: not the letters"),
     ("[areas]\nPR = \"Preston\"\n", "areas.PR: must be a list"),
     ("[towns]\nPR = [\"Preston\"]\n", "needs an [areas] table"),
     ("[areas\n", "cannot be read as TOML")],
)
def test_a_postcode_areas_file_that_does_not_fit_is_refused_by_name(
        tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "postcode_areas.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PostcodeAreasError, match=re.escape(message)):
        load_postcode_areas(path)


def test_the_shipped_postcode_areas_file_fits() -> None:
    areas = load_postcode_areas(AREAS_FILE)
    assert {"PR", "M", "BL", "EC"} <= set(areas) and "preston" in areas["PR"]


@pytest.mark.parametrize(
    ("heading", "address"),
    [("Our client: Mrs Rita Gorman - 18 Heys Lane, Darwen,\nBlackburn BB3 1AZ - "
      "letter before claim", "18 Heys Lane, Darwen, Blackburn, BB3 1AZ"),
     ("Gorman v Northbrook Homes - Claim No. K3BB1190 - Flat 2, 18 Heys Lane,\n"
      "Darwen BB3 1AZ", "Flat 2, 18 Heys Lane, Darwen, BB3 1AZ")],
)
def test_a_headings_address_starts_at_the_house_after_its_dash(heading: str,
                                                                address: str) -> None:
    text = (f"{_INSIDE_ADDRESS}\n2 May 2026\n\nDear Sirs,\n\n{heading}\n\nWe act for Mrs Rita "
            "Gorman, your tenant, about the damp in her home. She wants it repaired.\n\n"
            "Yours faithfully,\n\nMoss Lane Law LLP\n")
    assert _letter_fields(text).address == address


def test_a_senders_address_ends_at_its_postcode() -> None:
    # A heading read into the sender's block runs on after the postcode on a wrapped line.
    text = ("Ms Tina Walsh, 4 Cotton Street, Bolton BL1 2HX - request\nfor a review of the "
            f"decision —\n\n{_INSIDE_ADDRESS}\nDear Sir or Madam,\n\nPlease review the "
            "decision on my transfer.\n\nYours faithfully,\n\nTina Walsh\n")
    assert _letter_fields(text).address == "4 Cotton Street, Bolton, BL1 2HX"


@pytest.mark.parametrize(
    ("name", "text", "mended"),
    [("Frank Thomley", "Re: Mr Frank Thomley\nMr Thornley rang. Mr Thornley was upset.",
      "Frank Thornley"),  # "rn" read as "m" once, right twice
     ("Elsie Barraciough", "Elsie Barraciough\nMrs Barraclough and Mrs Barraclough",
      "Elsie Barraclough"),
     ("Stuart Melior", "Stuart Melior\nMr Mellor, Mr Mellor", "Stuart Mellor"),
     ("Tarig Hanif", "Tarig Hanif\nMr Tariq Hanif", "Tarig Hanif"),  # one each: kept
     ("Eileen Fairclough", "EILEEN FAIRCLOUGH\nEILEEN FAIRCLOUGH", "Eileen Fairclough"),
     ("Tina Patel", "Tina Patel\nLina from lettings. Lina said no.", "Tina Patel"),
     ("Sean McKay", "Sean Mckay\nMr McKay, Mr McKay", "Sean McKay")],
)
def test_a_name_is_given_as_the_letter_spells_it_most(name: str, text: str,
                                                      mended: str) -> None:
    assert as_spelled_most(name, text) == mended


@settings(deadline=None)
@given(st.from_regex(r"[A-Z][a-z]{1,8} [A-Z][a-z]{1,10}", fullmatch=True))
def test_a_name_written_once_is_kept_as_written(name: str) -> None:
    assert as_spelled_most(name, f"Dear Sir,\nYours faithfully,\n{name}\n") == name


def test_a_faint_forms_labels_are_found_after_ocrs_specks() -> None:
    # A carbon copy: specks before the labels, the postcode and phone labels lost, so their
    # answers run on into the address box.
    text = ("Northbrook Homes\nComplaint form\n\noo . Your name\n‘KIERAN O' NEILL.\n"
            "; Your address.\nFlat 2, 58 Holly Walk, Pennywell, Sunderland\n“SR49LT\n"
            "| 07700 900614 »\n\nWhat happened? Please tell us what went wrong and when.\n"
            "I smelt gas in the kitchen.\n")
    answers = read_form(text)
    assert answers is not None and answers.name == "‘KIERAN O' NEILL."
    fields = fill_from_form(Extraction(), answers)
    assert fields.name == "KIERAN O'NEILL"  # title case is given later, with the layout
    assert (fields.postcode, fields.address) == (
        "SR4 9LT", "Flat 2, 58 Holly Walk, Pennywell, Sunderland, SR4 9LT")


@pytest.mark.parametrize(
    ("text", "asked"),
    [("The roof has leaked since March.\n\nSo I'm asking for this to go to stage 2, and for "
      "the mould to be treated.\n\nYours,\nAl", "So I'm asking for this to go to stage 2, and "
      "for the mould to be treated."),
     ("1. The neighbours play music all night.\n\n2. Qutcome wanted: a noise monitor fitted in "
      "my flat, and an action plan within 10 working days.\n\nJ. Bell", "Qutcome wanted: a "
      "noise monitor fitted in my flat, and an action plan within 10 working days."),
     ("The charge went up and it does not come near. : i want the charge reduced to what it "
      "costs.\n\nMo", "i want the charge reduced to what it costs."),
     ("The socket sparks when used. Request an electrician attends to replace it. 48 hours’ "
      "notice by email please.\n\nC. Bell", "Request an electrician attends to replace it."),
     ("The boiler has failed and we have no hot water.\n1 ask that the boiler be replaced by "
      "Friday.\n\nE. Pugh", "I ask that the boiler be replaced by Friday."),
     ("Back door wont shut.\n\nCan someone come.\n\nR. Hale", "Can someone come."),
     ("With due respect I wish to bring to your kind notice that rain enters my loft. Kindly "
      "send the roofer at the earliest.\n\nD. Rai", "Kindly send the roofer at the earliest."),
     ("The tiles are loose. I humbly request that a roofer be sent.\n\nD. Rai",
      "I humbly request that a roofer be sent."),
     ("Water comes through the wall. I would ask that a surveyor attends this month. I hope "
      "this makes sense.\n\nP. Ames", "I would ask that a surveyor attends this month."),
     ("Mice in kitchen. Is possible to send pest control this week?\n\nAna",
      "Is possible to send pest control this week?"),
     # A run-in heading that asks, a list inside a sentence, dialect and a passed-on thanks.
     ("Background: she lives alone.\n\nWhat our client is asking for: an engineer to attend "
      "within 24 hours.\n\nJ. Ferr", "What our client is asking for: an engineer to attend "
      "within 24 hours."),
     ("Actions requested prior to d/c: (1) the handrail re-fixed; (2) a key safe fitted.\n\n"
      "G. Lind", "Actions requested prior to d/c: (1) the handrail re-fixed; (2) a key safe "
      "fitted."),
     ("The drain is blocked again. What I want is simple: 1. someone senior to come, 2. my "
      "wages paid.\n\nT. Rook", "What I want is simple: 1. someone senior to come, 2. my "
      "wages paid."),
     ("The heater's knackered. Aa want somebody here this week that can fettle it.\n\nJack",
      "Aa want somebody here this week that can fettle it."),
     ("The flag's up by the back step. Could ye send a man to lay it back doon.\n\nJack",
      "Could ye send a man to lay it back doon."),
     ("The officer Anna was very kind. Please give her my thanks.\n\nGraca",
      "Please give her my thanks."),
     ("The Board refused my appeal. I urge the Board to reconsider the decision.\n\nA. Reid",
      "I urge the Board to reconsider the decision."),
     ("The step is broken. My constituent asks that the steps be rebuilt before winter.\n\n"
      "K. Lowe", "My constituent asks that the steps be rebuilt before winter."),
     # OCR's slips: an apostrophe for a space, f or "I]" for I; a thanks to be passed on.
     ("Rain comes in.\n\nShe would'like the roof repaired before the storms.\n\nE. Pugh",
      "She would like the roof repaired before the storms."),
     ("It doesn't come near.\n~ f want the charge reduced to what it costs.\n\nM. Bran",
      "I want the charge reduced to what it costs."),
     ("He said it rudely.\n\nI] humbly request that an apology be given to my wife.\n\nD. Rai",
      "I humbly request that an apology be given to my wife."),
     ("Lynne was lovely. I should be glad if my thanks could be passed to her.\n\nH. Till",
      "I should be glad if my thanks could be passed to her.")],
)
def test_asks_in_a_letters_own_ways(text: str, asked: str) -> None:
    # A numbered heading, a clipped request, OCR's "1" for "I" and its specks before a
    # sentence; how to give notice is not the ask.
    assert desired_outcome(mend_misread_i(text)) == asked


def test_how_to_write_to_the_resident_is_not_their_wish() -> None:
    text = ("Dear Sir,\n\nMy neighbour's roof leaks. She would like the roof repaired before the "
            "winter. Please write to her at Hafod, with a copy to me.\n\nYours,\nE. Pugh\n")
    assert desired_outcome(text, for_someone=True) == (
        "She would like the roof repaired before the winter.")


@pytest.mark.parametrize(
    ("block", "signed", "name"),
    [("Ms Luciana Ferreira da Silva\n45b Balaam Street\nPlaistow\nLondon\nE13 8AQ", "",
      "Luciana Ferreira da Silva"),  # a particle in the name
     ("Miss Niamh O' Hare\nFlat 9\n88 Linacre Road\nBootle\nL20 5DJ", "Niamh O' Hare",
      "Niamh O'Hare")],  # an apostrophe OCR read apart from the name
)
def test_a_name_as_ocr_reads_it_heads_the_senders_block(block: str, signed: str,
                                                        name: str) -> None:
    text = (f"{block}\n\n{_INSIDE_ADDRESS}\nDear Sir,\n\nThe kitchen tap is leaking. Can you "
            f"send a plumber please?\n\nThank you,\n\n{signed}\n")
    assert _letter_fields(text).name == name


def test_initials_signed_give_way_to_the_names_written_in_the_block() -> None:
    text = ("Mr Dil Bahadur Gurung\nHimal Cottage\n8 Pinewood Row\nAldershot\nGU12 4RS\n\n"
            f"{_INSIDE_ADDRESS}\nRespected Sir/Madam,\n\nRain water is entering my loft. Kindly "
            "send the roofer at the earliest.\n\nYour obedient tenant,\n\nD.B. Gurung\n")
    assert _letter_fields(text).name == "Dil Bahadur Gurung"
    assert fuller_of("D.B. Gurung", "Dil Bahadur Gurung") == "Dil Bahadur Gurung"
    assert fuller_of("Kevin Doyle", "K. Doyle") == "Kevin Doyle"


def test_a_resident_named_in_full_in_a_heading_is_taken_with_the_home_there() -> None:
    # The advice worker writes "Miss Rees" in the body; the heading gives her whole name and
    # her home, under the service's own address.
    text = ("Usk Valley Housing Advice\nUnit 4, Dock Street Chambers, Newport NP20 1EA\n\n"
            f"23 October 2026\n\n{_INSIDE_ADDRESS}\nRequest for review - Miss Tiffany Rees, "
            "19 Alway Parade, Alway,\nNewport NP19 9JT\n\nDear Sir or Madam,\n\nWe are helping "
            "Miss Rees, who received your notice on 14 October. Miss Rees wishes to request a "
            "review of that decision.\n\nKind regards,\n\nCarys Beddoe\nVolunteer Adviser\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.representative) == ("Tiffany Rees", "Carys Beddoe")
    assert fields.postcode == "NP19 9JT"


@pytest.mark.parametrize(
    "heading",
    ["Kirklees Council\nAdult Social Care - North Team\nCivic Centre 3, Market Street, "
     "Huddersfield HD1 2EY",
     "Moorside Medical Centre\nNHS Calderdale\n2 Moor End Road, Halifax HX2 0RU"],
)
def test_a_councils_or_surgerys_letterhead_is_not_the_residents_block(heading: str) -> None:
    text = (f"{heading}\n\n19 January 2026\n\n{_INSIDE_ADDRESS}\nDear Sir or Madam,\n\nI "
            "am writing about my client Mr Ken Appleby, whose stair rail is loose.\n\nYours "
            "sincerely,\n\nAnita Shah\nSocial Worker\n")
    fields = _letter_fields(text)
    assert fields.postcode is None and fields.address is None


def test_a_postcode_with_a_letter_read_twice_beside_its_town() -> None:
    assert [code for _m, code in find_postcodes("88 Linacre Road\nBootle\nL20 5DjJ\n")] == [
        "L20 5DJ"]


def test_asked_to_write_wrapped_over_two_lines_is_still_a_representative() -> None:
    text = (f"{_INSIDE_ADDRESS}\n17 April 2026\n\nDear Complaints Team,\n\nMr Stefan Dragomir, "
            "4 Maesglas Crescent, Maesglas, Newport NP20 3PE\n\nI am a volunteer at the advice "
            "centre and Mr Dragomir has asked me to\nwrite for him. The lights in his kitchen "
            "flicker. Mr Dragomir would like an electrician to check the wiring.\n\nKind "
            "regards,\n\nCarys Beddoe\nVolunteer Adviser\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.representative) == ("Stefan Dragomir", "Carys Beddoe")
    # A neighbour named across a line break is no sign of a representative.
    own = ("Mrs Dot Pickles\n2 Albert Terrace\nHalifax\nHX3 6QU\n\nDear Sir,\n\nThe gutter "
           "leaks and my\nneighbour Brenda says I must write. Please send someone.\n\n"
           "Yours faithfully,\n\nDot Pickles\n")
    assert _letter_fields(own).name == "Dot Pickles"


def test_a_relative_named_by_a_short_name_is_the_titled_resident_of_the_heading() -> None:
    # The daughter's own block heads the letter; her dad is "Des" in the body and named in
    # full, with his home, in the heading.
    text = ("Jade Whitmore\n3a Marsh Hill Parade\nErdington\nBirmingham\nB23 7HY\n\n"
            f"{_INSIDE_ADDRESS}\nMy dad - Mr Desmond Whitmore, 16 Witton Lodge Walk, Perry "
            "Common, Birmingham\nB23 5TZ\n\nHiya,\n\ni'm writing for my dad Des as he's not "
            "great with letters. Can someone sort him a cooker?\n\nThanks,\nJade\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode) == ("Desmond Whitmore", "B23 5TZ")


def test_a_sign_off_after_ocrs_specks_still_closes_the_letter() -> None:
    # "ta" (thanks) read before the town in the block must not sign the letter.
    text = ("Miss Niamh O'Hare\nFlat 9\nta ‘Bootle =\nL20 5DJ\n\n"
            f"{_INSIDE_ADDRESS}\nDear Sir or Madam,\n\nPlease could a replacement window "
            "restrictor be fitted.\n\n: ‘Yours faithfully\n| Niamh O'Hare\n")
    assert _letter_fields(text).name == "Niamh O'Hare"
    assert clean_name("Priya Nair-wWhitfield") == "Priya Nair-Whitfield"


def test_the_town_above_a_senders_postcode_is_read_with_it() -> None:
    text = ("Mrs J. Ackroyd\n3 Moor Cottages\nHuddersfield\nHDS BTL\n\n8 July 2026\n\n"
            f"{_INSIDE_ADDRESS}\nDear Sir or Madam,\n\nThe new kitchen is lovely and I want to "
            "thank the fitters.\n\nYours faithfully,\n\nJoyce Ackroyd\n")
    fields = _letter_fields(text)
    assert (fields.postcode, fields.address) == ("HD5 8TL", "3 Moor Cottages, Huddersfield, "
                                                            "HD5 8TL")


def test_a_postcode_split_where_a_long_line_was_wrapped_is_one_postcode() -> None:
    text = ("Re: Mr Derek Danson, Flat 12, Mariners Court, Dock Street, Fleetwood FY7\n"
            "6JW\n\nDear Chief Executive,\n")
    assert [found for _match, found in find_postcodes(text)] == ["FY7 6JW"]
    # A number ending one line and a word opening the next are no postcode.
    assert find_postcodes("We have lived here since 2019\n4th floor, no lift.\n") == []


@pytest.mark.parametrize(
    "text",
    ["IS 2ND", "THIS IS 2ND", "I was | 2ND", "BRANDON HIGSON", "Mrs Joan LEIGHTON",
     "We paid the bill on ref B12 900", "I waited for the PR2 10T", "Your ref: AB12 300"],
)
def test_slips_are_read_only_where_an_address_line_ends(text: str) -> None:
    assert find_postcodes(text) == []


# --- the resident of a letter, from its layout ------------------------------------------------

_LANDLORD = Landlord(names=("Northbrook Homes", "Northbrook"), postcodes=("PR1 2AB",),
                     addresses=("Complaints Team, 1 Fishergate, Preston PR1 2AB",))
_RECEIVED = date(2026, 6, 1)
_INSIDE_ADDRESS = "Complaints Team\nNorthbrook Homes\nCivic House\n1 Fishergate\nPreston\nPRI 2AB\n"


def _letter_fields(text: str) -> Extraction:
    """A letter's fields as triage gives them: the rules over the layout's text, then the layout."""
    item = IntakeItem(source="letter", text=text, received_at=datetime(2026, 6, 1, tzinfo=UTC))
    layout = letter_layout(item, _LANDLORD)
    assert layout is not None
    found = extract_fields(layout.text_for_fields, received=_RECEIVED, landlord=_LANDLORD)
    return fill_from_letter(found, layout, item, _LANDLORD)


def test_a_signature_written_less_fully_gives_way_to_the_sender_blocks_name() -> None:
    text = ("Kevin Doyle.\n17 Utting Close\nWalton, Liverpool L4 6TW\n\n16/2/26\n\n"
            "To Northbrook,\n\nBack door lock has snapped, key just spins. Need someone asap "
            "please.\n\nCheers\n\nKev Doyle\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode) == ("Kevin Doyle", "L4 6TW")


def test_a_scrawl_read_as_a_word_is_not_the_residents_name() -> None:
    text = (f"Ms Ifeoma Nwosu\nFlat 14, Cossall House\nConsort Road\nLondon\nSE15 2PH\n\n"
            f"{_INSIDE_ADDRESS}\n2 March 2026\n\nDear Complaints Team,\n\nI am writing to make a "
            "formal complaint about the leak from the flat above, which has come through my "
            "bathroom ceiling every evening since December.\n\nYours faithfully,\n\nSry\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode) == ("Ifeoma Nwosu", "SE15 2PH")


def test_a_signed_name_among_ocr_specks_is_read() -> None:
    text = ("2 Albert Terrace\nHalifax\n_ HX3 6QU\n23rd of March 2026 —\n\nDear Sirs,\n"
            "just a short note to say thank you to the young man Ryan who came about my leak "
            "and my kitchen light.\n~ Yours sincerely,\nDorothy: Pickles (Mrs)\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode) == ("Dorothy Pickles", "HX3 6QU")
    assert fields.address is not None and "_" not in fields.address


@pytest.mark.parametrize(
    ("signature", "opening"),
    [("Kind regards,\n\nINV\nLee Sutcliffe\nBusiness Development Manager",
      "Is damp costing you tenants? 20% off damp-proofing surveys this month"),
     ("Best wishes,\n\nBrian Heap\nSecretary",
      "The Annual General Meeting of the Moorfield Estate association will be held on 15 "
      "October at 7pm"),
     ("Yours sincerely,\n\nDr Naomi Fairweather\nCoordinator, Homes Not Mould Coalition",
      "We would love Northbrook Homes to sign our pledge on damp and mould"),
     ("Yours in trust,\n\nGary Holt\nBranch Secretary",
      "Our members on the caretaking team ask for a lone-working procedure")],
)
def test_an_organisations_letter_names_no_resident(signature: str, opening: str) -> None:
    text = (f"Apex House\nUnit 12, Red Scar Business Park\nLongridge Road\nPreston\nPR2 5NQ\n\n"
            f"{_INSIDE_ADDRESS}\n2nd February 2026\n\nDear Property Manager,\n\n{opening}. "
            f"Please call our team on 01632 860744 to find out more.\n\n{signature}\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode, fields.address, fields.phone) == (None,) * 4


def test_a_reporters_letter_names_no_resident() -> None:
    # Signed over a post of several words joined by "and".
    text = ("Lancashire Evening Courier\nNews desk, 8 Fleet Street\nPreston\nPR1 2UQ\n\n"
            f"{_INSIDE_ADDRESS}\n9 June 2026\n\nDear Sir or Madam,\n\nUnder the Freedom of "
            "Information Act I ask for the number of disrepair claims settled in 2025.\n\n"
            "Yours faithfully,\n\nTom Ashworth\nCrime and Courts Correspondent\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode, fields.address) == (None,) * 3


def test_a_companys_po_box_is_no_residents_address() -> None:
    text = ("Northern Energy Supply Ltd\nBilling Centre\nPO Box 4410\nLeeds\nLS98 1AB\n\n"
            f"{_INSIDE_ADDRESS}\n4 May 2026\n\nDear Occupier,\n\nWe are writing about the "
            "gas supply to the empty property you manage.\n\nYours faithfully,\n\n"
            "Metering Services\n")
    fields = _letter_fields(text)
    assert (fields.postcode, fields.address) == (None, None)


def test_an_open_letter_names_no_resident() -> None:
    text = ("A. J. Whitworth MBE\nMoorside House\n7 Heaton Grange Drive\nBolton\nBL1 5QE\n\n"
            "3rd August 2026\n\nDear Minister,\n\nOpen letter: funding for the repair of post-war "
            "council housing\n\nI write as a former chairman of housing to urge the Government "
            "to establish a fund for structural repair.\n\nYours sincerely,\n\nAlan Whitworth\n")
    assert _letter_fields(text).name is None


@pytest.mark.parametrize(
    ("subject", "resident", "postcode"),
    [("Re: Mr Derek and Mrs Pauline Danson, Flat 12, Mariners Court, Fleetwood FY7 6JW",
      "Derek Danson", "FY7 6JW"),
     ("Ms Karen Duckworth, 29 Brownedge Close, Bamber Bridge, Preston PR5 6QN - review",
      "Karen Duckworth", "PR5 6QN")],
)
def test_a_representatives_subject_line_names_the_resident_and_their_home(
        subject: str, resident: str, postcode: str) -> None:
    text = ("Ribble Vale Community Advice\nUnit 4, Guildhall Arcade, Preston PR1 1HR\n"
            f"Advice line 01632 960330\n\n24 August 2026\n\n{_INSIDE_ADDRESS}\n"
            f"Dear Sir or Madam,\n\n{subject}\n\nWe are helping our client with a complaint "
            "about the windows, which let in water whenever it rains.\n\nYours faithfully,\n\n"
            "Kerry Whiteside\nHousing Adviser\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.representative, fields.postcode) == (
        resident, "Kerry Whiteside", postcode)


def test_we_are_helping_names_the_resident() -> None:
    text = ("Dear Sir or Madam,\n\nWe are helping Mrs Bernice Agyeman, who has asked us to "
            "complain on her behalf about how her rent account has been handled.\n\n"
            "Yours faithfully,\n\nKerry Whiteside\nHousing Adviser\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.representative) == ("Bernice Agyeman", "Kerry Whiteside")


@pytest.mark.parametrize(
    ("one", "other", "fuller"),
    [("Kev Doyle", "Kevin Doyle", "Kevin Doyle"), ("A. Okafor", "Amara Okafor", "Amara Okafor"),
     ("Stuart Mellor", "S. Mellor", "Stuart Mellor"), ("Ann Lee", "Tom Price", None)],
)
def test_the_fuller_form_of_the_same_surname(one: str, other: str, fuller: str | None) -> None:
    assert fuller_of(one, other) == fuller


@pytest.mark.parametrize(
    ("ocr", "mended"),
    [("| would like an apology, and | would like to know", "I would like an apology, and I "
      "would like to know"), ("! rang on 28 April. {know it", "I rang on 28 April. {know it"),
     ("j have been a pain. |'m sure", "I have been a pain. I'm sure"),
     ("| the table | tackling damp", "| the table | tackling damp"),
     ("see item 1 reported", "see item 1 reported")],
)
def test_ocrs_misreadings_of_the_word_i_are_mended(ocr: str, mended: str) -> None:
    assert mend_misread_i(ocr) == mended


def test_a_letter_whose_is_were_misread_still_gives_its_ask() -> None:
    text = ("Ms Beverley Crane\n41 Kirkstone Avenue\nBlackpool\nFY1 6BX\n\n5 May 2026\n\n"
            f"{_INSIDE_ADDRESS}\nDear Northbrook Homes,\n\n{{rang your repairs line on 28 April "
            "about my bathroom tap. The call handler laughed when ! gave my name.\n\n"
            "| am sure | have been a pain. But | should not be a joke in your office. | would "
            "like an apology, and | would like my record corrected.\n\nYours sincerely,\n\n"
            "Beverley Crane —\n")
    fields = _letter_fields(text)
    assert fields.name == "Beverley Crane"
    assert fields.desired_outcome == ("I would like an apology, and I would like my record "
                                      "corrected.")


@pytest.mark.parametrize(
    "courtesy",
    ["We should be grateful if you would let us know if this is acceptable.",
     "Please treat this as a formal complaint.",
     "We would be grateful if you would acknowledge this complaint and respond in accordance "
     "with the timescales in your policy."],
)
def test_a_request_about_handling_the_letter_is_not_the_ask(courtesy: str) -> None:
    text = ("Dear Sir or Madam,\n\nWe act for Mr Dariusz Zielinski, who is in arrears of about "
            "£380 after a change in his benefit.\n\nMr Zielinski would like to agree an "
            f"affordable repayment plan for his arrears. {courtesy}\n\nYours faithfully,\n\n"
            "Kerry Whiteside\n")
    found = extract_fields(text, received=_RECEIVED, landlord=_LANDLORD).desired_outcome
    assert found is not None and found.startswith("Mr Zielinski would like to agree")
    # Alone, it is still what the letter asks.
    alone = f"Dear Sir or Madam,\n\nThe roof leaks again. {courtesy}\n\nYours faithfully,\n\nAnn\n"
    assert extract_fields(alone, received=_RECEIVED).desired_outcome is not None


@pytest.mark.parametrize(
    "how_to_answer",
    ["I should be grateful if you would reply by letter to the address above.",
     "No phone calls after 8 at night please.",
     "My number is 01632 960318 if you would like to ring.",
     "He would like you to telephone him on 07700 900277 rather than write.",
     "I would prefer all contact by email, please, as I cannot take calls at work.",
     "For anything detailed please contact the centre and we will arrange an interpreter.",
     "I am not good in speaking English on telephone, so please reply me by post.",
     "Please send your response to me by email at j.bairstow@example.org.",
     "If I do not answer, please send text message.",
     "We should be grateful if all communications about these matters were directed to us.",
     "He would prefer that the documents are sent by post to this office.",
     "He would prefer not to be contacted by phone.",
     "Give us a bell or drop me an email and we'll sort it."],
)
def test_how_to_answer_the_letter_is_not_the_ask(how_to_answer: str) -> None:
    text = ("Dear Sir,\n\nThe gutter over my back door has come away in the wind. Can you send "
            f"a joiner to fix it back on properly. {how_to_answer}\n\nYours faithfully,\n\n"
            "Stanley Bairstow\n")
    found = extract_fields(text, received=_RECEIVED, landlord=_LANDLORD).desired_outcome
    assert found == "Can you send a joiner to fix it back on properly."


def test_the_sender_blocks_whole_address_is_taken_house_name_and_all() -> None:
    text = ("D. F. Huxley FCA (retd)\nOrchard View\n17 Battenhall Rise\nWorcester\nWR5 2DE\n\n"
            f"20 April 2026\n\n{_INSIDE_ADDRESS}\nDear Sir or Madam\n\nMy late mother's final "
            "account charged rent four weeks beyond the return of the keys. I request a refund "
            "of the four weeks' rent.\n\nYours faithfully\n\nDerek Huxley\n")
    fields = _letter_fields(text)
    assert fields.address == "Orchard View, 17 Battenhall Rise, Worcester, WR5 2DE"
    assert fields.name == "Derek Huxley"


@pytest.mark.parametrize(
    ("block", "address"),
    [("Kevin Doyle.\n17 Utting Close\nWalton, Liverpool L4 6TW",
      "17 Utting Close, Walton, Liverpool, L4 6TW"),
     ("Ms Ifeoma Nwosu\nFiat 14, Cossall House\nConsort Road\nLondon\nSE15 2PH",
      "Flat 14, Cossall House, Consort Road, London, SE15 2PH"),
     ("Halifax\n_ HX3 6QU", "Halifax, HX3 6QU")],
)
def test_a_sender_blocks_address_without_names_or_specks(block: str, address: str) -> None:
    layout = parse_letter(f"{block}\n\n3 May 2026\n\nDear Sir,\n\nThe roof leaks.\n")
    assert layout.sender_address == address


def test_the_landlords_number_on_its_own_forms_header_is_not_the_residents() -> None:
    text = ("Northbrook Homes - Complaint form\nCivic House, 1 Fishergate, Preston PR1 2AB - Tel "
            "01632 960000\n\nName: Ann Lowe\nWhat went wrong: the boiler is broken again.\n"
            "Phone: 07700 900248\n")
    assert extract_fields(text, received=_RECEIVED, landlord=_LANDLORD).phone == "07700 900248"
    alone = text.replace("Phone: 07700 900248\n", "")
    assert extract_fields(alone, received=_RECEIVED, landlord=_LANDLORD).phone is None


def test_a_representatives_letterhead_number_is_not_the_residents() -> None:
    text = ("Ribble Vale Community Advice\nUnit 4, Guildhall Arcade, Preston PR1 1HR\n"
            "Advice line 01632 960330 | advice@example.org\n\n26 May 2026\n\n"
            "Dear Sir or Madam,\n\nWe act for Mr "
            "Dariusz Zielinski, who would like to agree a repayment plan for his arrears.\n\n"
            "Yours faithfully,\n\nKerry Whiteside\nHousing Adviser\n")
    fields = extract_fields(text, received=_RECEIVED, landlord=_LANDLORD)
    assert (fields.name, fields.phone, fields.email) == ("Dariusz Zielinski", None, None)
    called = text.replace("arrears.", "arrears. He can be reached on 07700 900512.")
    assert extract_fields(called, received=_RECEIVED, landlord=_LANDLORD).phone == "07700 900512"


@pytest.mark.parametrize(
    ("boxes", "method"),
    [("How would you like us to contact you?\nWA Phone\n[] Email\n\n[_] Letter\n", "phone"),
     ("(J Letter\n\nHow would you like us to contact you?\nfd Phone\nCJ Email\n", "phone"),
     ("How would you like us to contact you?\n{_] Phone\n{_] Letter\nEmail\n", "email"),
     ("How would you like us to contact you?\n[] Phone\n[_] Email\n[] Letter\n", None),
     ("How would you like us to contact you?\nX Phone\nX Email\n[] Letter\n", None),
     # The boxes as OCR measured them on the page (ingest/checkboxes.py).
     ("How would you like us to contact you?\n[x] Phone\n[ ] Email\n\n[ ] Letter\n", "phone"),
     ("[_} [ ] Letter\n\nHow would you like us to contact you?\n[ ] Email\n[x] E-mail\n",
      "email"),
     ("How would you like us to contact you?\n[ ] Phone\n[ ] Email\n[ ] Letter\n", None),
     ("How would you like us to contact you?\n[x] Phone\n[x] Email\n[ ] Letter\n", None)],
)
def test_the_one_ticked_box_on_the_landlords_form(boxes: str, method: str | None) -> None:
    form = ("Northbrook Homes\nComplaint form\n\nYour name\nAisha Begum\n\nPostcode\nB12 90L\n\n"
            f"Phone number\n07700 900205\n\n{boxes}\nWhat happened?\nBoth lifts broken.\n")
    answers = read_form(form)
    assert answers is not None and answers.contact_method == method


@pytest.mark.parametrize(
    ("sentence", "method"),
    [("Email is still best: helen.marchant@example.org.", "email"),
     ("Email remains my preferred method of contact.", "email"),
     ("Can you send an electrician. Best number 07700 900964, text is fine.", "phone"),
     ("I would ask that somebody telephones me before writing.", "phone")],
)
def test_how_a_letter_asks_to_be_answered(sentence: str, method: str) -> None:
    assert contact_method(f"The lock is broken. {sentence}") == method


@pytest.mark.parametrize(
    ("body", "day"),
    [("I have had no heating in January. The boiler stopped working on Friday 16th January.",
      date(2026, 1, 16)),
     ("Since December a patch of mould has grown. On 8 December 2025 water began coming "
      "through my ceiling.", date(2025, 12, 8)),
     ("The fence blew down in November. I rang about it on 3 December.", date(2025, 11, 1))],
)
def test_a_day_given_in_the_month_named_is_the_incidents_day(body: str, day: date) -> None:
    text = f"Dear Sir,\n\n{body}\n\nYours faithfully,\n\nAnn Lowe\n"
    assert extract_fields(text, received=date(2026, 2, 2)).incident_date == day


def test_a_clipped_ask_and_a_one_read_for_i_are_still_asks() -> None:
    clipped = ("Hi,\n\nReported the sparking socket on 18 Feb. Nobody came twice.\n\n"
               "Need it fixed this week and want to know why nobody turned up twice.\n\n"
               "Thanks\n\nJack Pemberton\n")
    assert extract_fields(clipped, received=_RECEIVED).desired_outcome == (
        "Need it fixed this week and want to know why nobody turned up twice.")
    assert mend_misread_i("we pay for it. 1 would like a treatment") == (
        "we pay for it. I would like a treatment")
    assert mend_misread_i("at 1 am, item 1 reported") == "at 1 am, item 1 reported"


def test_a_writer_signing_over_a_post_about_their_own_home_is_the_resident() -> None:
    text = ("Maureen Ashworth\n12 Clough Street\nBurnley\nBB12 6PL\n\n3 March 2026\n\n"
            f"{_INSIDE_ADDRESS}\nDear Sir or Madam,\n\nThe damp in my bedroom has come back "
            "for the third winter running and I would like a survey.\n\nYours faithfully,\n\n"
            "Maureen Ashworth\nChair, Moorfield Estate Tenants' Association\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode) == ("Maureen Ashworth", "BB12 6PL")


def test_a_name_in_capitals_is_given_in_title_case() -> None:
    text = ("TERRY WOLSTENHOLME\n71 Smallthorne Bank\nStoke-on-Trent ST6 1QR\n\n30/3/26\n\n"
            "GOT YOUR LETTER ABOUT THE RENT GOING UP AGAIN. KNOCK IT BACK DOWN.\n\n"
            "T WOLSTENHOLME\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode) == ("Terry Wolstenholme", "ST6 1QR")


def test_a_representatives_office_is_never_the_residents_address() -> None:
    text = ("Office of Sir Malcolm Pryce MP\nMember of Parliament for Tyne Riverside\n"
            "Constituency Office, 4 Swinburne Street, Gateshead NE8 1AX\n\n19 January 2026\n\n"
            f"{_INSIDE_ADDRESS}\nDear Sir or Madam,\n\nConstituent: Ms Kerry-Ann Blythe, Flat 41, "
            "Redheugh House\n\nSir Malcolm has been contacted by his constituent Ms Kerry-Ann "
            "Blythe about rats in the chute room. She would like the chute cleared.\n\n"
            "Yours faithfully,\n\nHannah Iqbal\nCaseworker\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.representative) == ("Kerry-Ann Blythe", "Hannah Iqbal")
    assert (fields.postcode, fields.address) == (None, None)


@pytest.mark.parametrize(
    ("text", "name"),
    [("Name: Sandra Bairstow\nFlat 3, Peel Court\n\nThe lift has been broken a week. Please "
      "fix it.\n\nYours sincerely,\n\nS. Bairstow\n", "Sandra Bairstow"),
     ("Dear Sir,\n\nMy husband and I (Helen M Entwistle) have had no hot water since Monday. "
      "Please send someone.\n\nRegards,\nH. Entwistle\n", "Helen Entwistle"),
     ("Dear Sir,\n\nMr Bairstow next door has the same leak. Please send someone.\n\n"
      "Yours sincerely,\n\nS. Bairstow\n", "S. Bairstow"),
     # The first name signed above the initialled one, and a first name with OCR's speck.
     ("hiya\n\nthe mould is back behind the cot, i want it took to stage 2\n\nKieran\n\n"
      "K. O'Neill\n", "Kieran O'Neill"),
     ("Michael! Brannigan\n37 Ingot Street\n\nDear Sir,\n\nThe roof leaks again. Please "
      "send a roofer.\n\nYours sincerely,\n\nM. Brannigan\n", "Michael Brannigan"),
     # A town on the line above a surname is not a first name.
     ("Sunderland\nBairstow Court\n\nDear Sir,\n\nThe lift is broken. Please fix it.\n\n"
      "Yours sincerely,\n\nS. Bairstow\n", "S. Bairstow")],
)
def test_an_initial_signed_is_the_name_written_in_full_elsewhere(text: str, name: str) -> None:
    assert extract_fields(text, received=_RECEIVED).name == name


def test_a_writer_telling_of_an_automatic_reply_is_not_one() -> None:
    told = ("I finally emailed repairs on 10 June and got an automatic reply saying they'd "
            "respond in 5 working days.\n\nI would like someone to call me to book the repair.\n\n"
            "Lorna Gedling (Mrs)\n07700 900498\n")
    fields = extract_fields(told, received=_RECEIVED)
    assert (fields.name, fields.phone) == ("Lorna Gedling", "07700 900498")
    robot = "Automatic reply: I am out of the office until Monday.\n\nLorna Gedling\n07700 900498\n"
    assert extract_fields(robot, received=_RECEIVED).name is None


def test_from_a_representative_the_residents_own_wish_is_the_outcome() -> None:
    text = ("Dear Sir or Madam,\n\nWe act for Mr Alan Liddle, who is 78 and on a fixed income. "
            "He would like the level of the increase to be reconsidered for pensioners.\n\n"
            "I should be grateful if you could send us an explanation of how the increase has "
            "been calculated.\n\nYours faithfully,\n\nKerry Whiteside\nHousing Adviser\n")
    found = extract_fields(text, received=_RECEIVED).desired_outcome
    assert found == "He would like the level of the increase to be reconsidered for pensioners."
    # Read as nobody's representative, the last of the equal asks stands.
    assert (desired_outcome(text) or "").startswith("I should be grateful if you could send")


def test_a_name_read_as_a_block_of_its_own_heads_the_sender_block() -> None:
    text = ("Mrs Edna Holt\n\n22 Larch Grove\nSkerton\nLancaster LA1 2PN\n\n14 May 2026\n\n"
            f"{_INSIDE_ADDRESS}\nDear Sir,\n\nThe roof leaks into the back bedroom again. Please "
            "send a roofer.\n\nYours faithfully,\n\nE. Holt\n")
    layout = parse_letter(text)
    assert layout.sender_name == "Mrs Edna Holt"
    assert layout.sender_address == "22 Larch Grove, Skerton, Lancaster, LA1 2PN"
    assert _letter_fields(text).name == "Edna Holt"


def test_a_team_signing_a_statement_is_no_residents_name() -> None:
    text = (f"{_INSIDE_ADDRESS}\n2 March 2026\n\nRent statement\n\nDear Tenant,\n\nYour rent "
            "account is shown below for the quarter. The balance is brought forward.\n\n"
            "Yours sincerely,\n\nCustomer Accounts Team\n")
    assert _letter_fields(text).name is None


def test_a_senders_block_whose_postcode_is_unreadable_still_gives_the_address() -> None:
    text = ("Ms A. Okafor\nFlat 9\nAshgrove House\n121 Wilbraham Road\nManchester Mt4 GS\n\n"
            f"23 February 2026\n\n{_INSIDE_ADDRESS}\nDear Sir or Madam,\n\nThe heating in my "
            "flat has not worked since January and I want it repaired.\n\nYours faithfully,\n\n"
            "Adaeze Okafor\n")
    fields = _letter_fields(text)
    assert fields.postcode is None  # never guessed
    assert fields.address is not None and fields.address.startswith("Flat 9, Ashgrove House, "
                                                                    "121 Wilbraham Road")
    # OCR's noise where the block was (a stamp read as letters) is no address.
    noise = text.replace("Flat 9\nAshgrove House\n121 Wilbraham Road\nManchester Mt4 GS",
                         "2026\nOMES\nwo a")
    assert _letter_fields(noise).address is None


@pytest.mark.parametrize(
    ("box", "name"),
    [("Pauline Greenhalgh | [x] e | 4", "Pauline Greenhalgh"),  # a tick box read beside it
     ("Pauline Greenhalgh ROOK HOMES", "Pauline Greenhalgh"),  # a stamp's capitals after it
     ("Mary Ann LEE", "Mary Ann LEE"),  # the surname in capitals, as forms ask
     ("Gordon McKay", "Gordon McKay"),
     ("Temitope Olaniyan-Clarke . 2 - eo", "Temitope Olaniyan-Clarke"),  # the box's specks
     ("Mrs J. Okafor", "J. Okafor")],
)
def test_the_forms_name_box_without_what_ocr_read_beside_it(box: str, name: str) -> None:
    form = ("Northbrook Homes\nComplaint form\n\nYour name\n" + box + "\n\nPostcode\nB12 9QL\n\n"
            "What happened?\nBoth lifts broken.\n")
    answers = read_form(form)
    assert answers is not None
    assert fill_from_form(Extraction(), answers).name == name


_ADVOCACY_HEAD = ("Fen Valley Advocacy\nThe Old Maltings, 4 Maltings Yard, Sleaford NG34 7RA\n"
                  "Tel 01632 960356\n\n14 January 2026\n\nComplaints Team\nNorthbrook Homes\n"
                  "Civic House\n1 Fishergate\nPreston\nPR1 2AB\n\n")


@pytest.mark.parametrize(
    ("heading", "body", "signature", "resident", "postcode"),
    [  # an untitled name before a home, named again in the letter
     ("Jordan Pilling - 27 Linnet Close, Hartsholme, Lincoln LN6 0QS",
      "My name is Rachael. I am Jordan's advocate. He asked me to write this for him.\n\n"
      "Jordan wants an electrician to make the kitchen socket safe.",
      "Rachael Odling\nIndependent Advocate", "Jordan Pilling", "LN6 0QS"),
     # a topic before a titled name and home
     ("A thank you! - Mrs Maureen Rigg, 11 Abbot's Staith, Selby YO8 8AB",
      "Maureen rang me on Sunday to say how well she had been looked after.",
      "Denise Scaife\nCllr, Selby Abbey", "Maureen Rigg", "YO8 8AB"),
     ("Urgent repair - Mrs Jadwiga Nowak, Flat 12, Mitchley Point, Adams Road,\n"
      "Tottenham, London N17 6HW",
      "Mrs Nowak has asked us to report this repair to you for her. Water comes through the "
      "ceiling. Please send a plumber.", "Ewa Grabowska\nAdvice worker", "Jadwiga Nowak",
      "N17 6HW")],
)
def test_a_subject_line_naming_the_resident_and_their_home_is_theirs(
        heading: str, body: str, signature: str, resident: str, postcode: str) -> None:
    text = (f"{_ADVOCACY_HEAD}Dear Sir or Madam,\n\n{heading}\n\n{body}\n\nYours sincerely,"
            f"\n\n{signature}\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode) == (resident, postcode)
    assert fields.representative == signature.splitlines()[0]


def test_a_house_name_before_a_home_is_not_a_person() -> None:
    text = ("Bryn Awel, 14 Heol y Dderwen, Johnstown, Carmarthen SA31 3PW\n\n3 May 2026\n\n"
            "Dear Sir,\n\nMy mother's gutter is hanging off. Please send someone to fix it.\n\n"
            "Yours faithfully,\n\nEmrys Pugh\n")
    assert _letter_fields(text).name == "Emrys Pugh"


@pytest.mark.parametrize(("written", "name"), [("Sammy Mcllwaine", "Sammy McIlwaine"),
                                               ("Ann Mclntyre", "Ann McIntyre"),
                                               ("Rory Maclean", "Rory Maclean"),
                                               ("Priya Nair- Whitfield", "Priya Nair-Whitfield")])
def test_ocr_slips_inside_a_name_are_mended(written: str, name: str) -> None:
    assert clean_name(written) == name


def test_a_heading_wrapped_before_its_town_gives_the_whole_address() -> None:
    text = (f"{_ADVOCACY_HEAD}Dear Sir or Madam,\n\nRe: Mrs Rosemary Spall-Denny, Keeper's "
            "Cottage, Wenhaston Road, Blythburgh,\nHalesworth, Suffolk IP19 9LT\n\nMy "
            "constituent asks that the steps be rebuilt with a handrail.\n\nYours faithfully,"
            "\n\nImogen Salt\nCaseworker\n")
    fields = _letter_fields(text)
    assert fields.name == "Rosemary Spall-Denny"
    assert fields.address == ("Keeper's Cottage, Wenhaston Road, Blythburgh, Halesworth, "
                              "Suffolk, IP19 9LT")


def test_a_heading_with_dates_of_birth_and_a_wrapped_house_number() -> None:
    text = ("Caskie Medical Practice\nCaskie Road, Glenrothes KY6 2NT\n\n08/09/2026\n\n"
            "The Housing Manager\nNorthbrook Homes\nCivic House\n1 Fishergate\nPreston\n"
            "PR1 2AB\n\nRe: Ms Leanne McGlashan (DOB 22/07/1996) and Ruaridh McGlashan (DOB "
            "02/05/2023), 22\nPitcoudie Gardens, Glenrothes KY7 6RW\n\nTo whom it may concern,"
            "\n\nMs McGlashan has asked me to write in support of her request for action on "
            "damp.\n\nKind regards,\n\nDr A. Rajan\nGeneral Practitioner\n")
    assert _letter_fields(text).address == "22 Pitcoudie Gardens, Glenrothes, KY7 6RW"


@pytest.mark.parametrize(("written", "mended"),
                         [("Our client: Mr lwan Morgan", "Our client: Mr Iwan Morgan"),
                          ("Ms lsobel Reid", "Ms Isobel Reid"),
                          ("Mr Llewelyn Jones", "Mr Llewelyn Jones"),  # an l-name's own l
                          ("Mrs lola Brown", "Mrs lola Brown"),  # Lola or Iola: left
                          ("She would'like it", "She would like it"),
                          ("I would've liked it", "I would've liked it")])
def test_ocr_slips_mended_across_a_letters_text(written: str, mended: str) -> None:
    assert mend_misread_i(written) == mended


def test_a_heading_label_after_another_languages() -> None:
    text = (f"{_ADVOCACY_HEAD}Annwyl Syr / Dear Sir,\n\nLLYTHYR HAWLIO / LETTER OF CLAIM - Ein "
            "cleient / Our client: Mr Iwan Llewelyn Morgan, 14 Maes Gwylanod, Holyhead LL65 "
            "2TQ\n\nWe act for our client. The roof leaks.\n\nYours faithfully,\n\nSian Rees\n"
            "Solicitor\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.postcode) == ("Iwan Llewelyn Morgan", "LL65 2TQ")


def test_a_dollar_read_for_the_first_s_of_a_postcode() -> None:
    assert [code for _m, code in find_postcodes("Canvey Island\n$S8 9HU\n")] == ["SS8 9HU"]


def test_a_neighbour_writing_from_next_door_gives_the_residents_home_not_theirs() -> None:
    text = ("Jack Straughan\n14 Plessey Row\nBedlington\nNE22 5HQ\n\n2/10/26\n\nComplaints Team\n"
            "Northbrook Homes\nCivic House\n1 Fishergate\nPreston\nPR1 2AB\n\nDear Sir or "
            "Madam,\n\nMrs Ivy Tindle, 16 Plessey Row, Bedlington NE22 5HQ\n\nThis is aboot the "
            "old lady next door. She is 91 and she asked us to put pen to paper. The flag at her "
            "back door has sunk. Could ye send a man to lay it level.\n\nYours faithfully,\n\n"
            "Jack Straughan (next door)\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.representative) == ("Ivy Tindle", "Jack Straughan")
    assert (fields.postcode, fields.address) == ("NE22 5HQ", "16 Plessey Row, Bedlington, NE22 5HQ")


def test_a_house_name_heading_the_block_gives_way_to_the_name_signed() -> None:
    text = ("Bryn Awel\n14 Heol y Dderwen\nJohnstown\nCarmarthen\nSA31 3PW\n\n8fed Mehefin 2026\n\n"
            "Annwyl Gyfeillion / Dear friends,\n\nA short note of thanks. Mr Rhodri Bevan came on "
            "Thursday to fit the grab rail. Would you please pass on our thanks to him.\n\n"
            "Gyda diolch,\n\nEmrys Pugh-Jenkins\n")
    assert _letter_fields(text).name == "Emrys Pugh-Jenkins"


@pytest.mark.parametrize("closing",
                         ["Yn gywir,", "Yn ddiffuant,", "Gyda diolch,", "Cofion cynnes,"])
def test_welsh_closings_sign_off(closing: str) -> None:
    text = (f"Dear Sir,\n\nThe gutter is down. Please send someone.\n\n{closing}\n\nSian Rees\n"
            "5 Heol Fawr\n")
    assert extract_fields(text, received=_RECEIVED).name == "Sian Rees"


def test_a_recipient_beside_the_residents_block_is_not_the_residents_address() -> None:
    # A letter to a landlord the settings do not name, by a name that does not say it houses
    # anyone, its block set left beside the resident's; OCR cut the resident's block in two
    # around it.
    blocks = (
        TextBlock("Shannon Pascoe\nFlat 5\n8 Gullet Lane", "right", 0.9, (1800, 220, 2170, 400)),
        TextBlock("Kestrel Vale Group\nUnit 3, Weir Business Park\nTotnes\nTQ9 5XN", "left",
                  0.9, (310, 420, 800, 700)),
        TextBlock("Paignton\nTQ4 6BN\n07700 900123", "right", 0.9, (1770, 480, 2200, 700)),
        TextBlock("hiya", "left", 0.9, (314, 900, 392, 945)),
        TextBlock("the gate post has snapped in the wind and the gate wont shut, can someone\n"
                  "come and fix it please", "full", 0.9, (313, 990, 2140, 1100)),
    )
    text = "\n\n".join(block.text for block in blocks) + "\n\nta\n\nShannon\n"
    item = IntakeItem(source="letter", text=text, received_at=datetime(2026, 6, 1, tzinfo=UTC),
                      pages=(PageText(1, text, 0.9, text_source="ocr", blocks=blocks),))
    layout = letter_layout(item, _LANDLORD)
    assert layout is not None
    assert _letter_fields(text).postcode == "TQ9 5XN"  # the text alone: the place is unknown
    found = fill_from_letter(extract_fields(layout.text_for_fields, received=_RECEIVED,
                                            landlord=_LANDLORD), layout, item, _LANDLORD)
    assert found.postcode == "TQ4 6BN"


def test_a_block_opening_with_a_housing_organisations_name_is_the_recipients() -> None:
    # Written in capitals to a landlord the settings do not name; the resident's address is
    # only in the body, after "I live at".
    text = ("KESTREL VALE HOMES\nCUSTOMER SERVICES\nWEIR HOUSE\nMILL ROAD\nTOTNES\nTQ9 5XN\n\n"
            "3-6-2026\n\nTO WHO IT MAY CONCERN\n\nMY NAME IS DORIS PENGELLY AND I LIVE AT FLAT "
            "4, CLIFF VIEW,\nHARBOUR ROAD, PAIGNTON, TQ4 6BN. THE BACK DOOR WILL NOT LOCK AND "
            "NOBODY HAS COME.\n\nD PENGELLY\n")
    fields = _letter_fields(text)
    assert fields.postcode == "TQ4 6BN"
    assert fields.address == "FLAT 4, CLIFF VIEW, HARBOUR ROAD, PAIGNTON, TQ4 6BN"


@pytest.mark.parametrize("first_line", ["Riverside Homes", "Foyle & Faughan Housing Association",
                                        "Eden District Council", "Tyne Housing Trust"])
def test_a_housing_organisations_name_opens_a_recipients_block(first_line: str) -> None:
    layout = parse_letter(f"{first_line}\nHousing Services\n3 Quay Street\nDerry\nBT48 7ER\n\n"
                          "Dear Sir,\n\nThe door is rotten.\n")
    assert layout.recipient_block[0] == first_line and not layout.sender_block


@pytest.mark.parametrize(("text", "expected"), [
    ("Bestwood Park Drive, Nottingham NGS SFL - Request to escalate", ["NG5 5FL"]),
    ("Clifton, Bristol BSI 4QX", ["BS1 4QX"]),
    # No town naming the area beside it: a word in capitals, not a postcode.
    ("THE NGS SFL REPORT", []),
    ("Leeds NGS SFL", []),
])
def test_a_district_digit_read_as_a_letter_beside_the_areas_town(text: str,
                                                                  expected: list[str]) -> None:
    assert [code for _match, code in find_postcodes(text)] == expected


def test_a_space_ocr_put_inside_the_outward_code_is_closed() -> None:
    found = find_postcodes("Plot 7, Lingwell Lane Site, Outwood, Wakefield WF 1 3RT - electric")
    assert [(match.group(0).strip(), code) for match, code in found] == [("WF1 3RT", "WF1 3RT")]
    # Not where the letters are no postcode area.
    assert find_postcodes("PLOT 7 2 3RD") == []


def test_a_relative_heading_the_block_for_a_resident_at_the_address_above() -> None:
    text = ("Joanne Lam (on behalf of Mr Kwok-Wah Lam)\nFlat 14, Bowes Court\nElswick Road\n"
            f"Newcastle upon Tyne\nNE4 6JH\n\n{_INSIDE_ADDRESS}\n9 February 2026\n\nDear "
            "Sir/Madam,\n\nI am writing on behalf of my father, Mr Kwok-Wah Lam, who is your "
            "tenant at the address above. Water has been coming through his kitchen ceiling "
            "since December.\n\nYours faithfully,\n\nJoanne Lam\n")
    fields = _letter_fields(text)
    assert (fields.name, fields.representative) == ("Kwok-Wah Lam", "Joanne Lam")
    assert fields.postcode == "NE4 6JH"
    # Without the words, the block headed by the writer is the writer's own home.
    other = text.replace(", who is your tenant at the address above", "")
    assert _letter_fields(other).postcode is None
