"""Which block of a scanned letter each field came from (classify/provenance.py): plain
functions over OCR blocks, examples and properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from classify.fields.types import Landlord
from classify.provenance import (
    BODY,
    DATE_LINE,
    FORM_BOX,
    LETTERHEAD_BLOCK,
    RECIPIENT,
    SENDER,
    SIGNATURE,
    block_roles,
    find_provenance,
    recipient_by_place,
)
from ingest.items import TextBlock

LANDLORD = Landlord(names=("Northbrook Homes", "Northbrook"), postcodes=("PR1 2AB",),
                    addresses=("Civic House, 1 Fishergate, Preston PR1 2AB",))
SENDER_BLOCK = TextBlock("Mrs E. Holt\n27 Larch Grove\nAshton-on-Ribble\nPreston\nPR2 1QT",
                         "right", 0.91, (1779, 184, 2170, 462))
DATE_BLOCK = TextBlock("12th January 2026", "right", 0.96, (1785, 535, 2202, 580))
LANDLORDS_BLOCK = TextBlock("Complaints Team\nNorthbrook Homes\nCivic House\n1 Fishergate\n"
                            "Preston\nPR1 2AB", "left", 0.94, (282, 651, 718, 980))
SALUTATION = TextBlock("Dear Sir or Madam,", "left", 0.96, (282, 1061, 730, 1102))
BODY_BLOCK = TextBlock("The mould has spread across the ceiling.\nI should like the mould\n"
                       "treated and the window replaced.", "full", 0.88, (280, 1247, 2197, 1533))
SIGNED = TextBlock("Yours faithfully,\nEdna Holt (Mrs)", "left", 0.72, (279, 1478, 646, 1717))
LETTER = [(1, [SENDER_BLOCK, DATE_BLOCK, LANDLORDS_BLOCK, SALUTATION, BODY_BLOCK]),
          (2, [TextBlock("Page 2", "right", 0.95, (1175, 185, 1307, 225)),
               TextBlock("I do not use e-mail.\nPlease write to me.", "full", 0.9,
                         (280, 319, 2172, 544)), SIGNED])]


def test_each_block_is_named_from_its_place_and_the_landlords_address() -> None:
    roles = block_roles(LETTER, LANDLORD)
    assert [roles[(1, i)] for i in range(5)] == [SENDER, DATE_LINE, RECIPIENT, BODY, BODY]
    assert [roles[(2, i)] for i in range(3)] == [BODY, BODY, SIGNATURE]


def test_the_landlords_block_is_the_recipients_on_whichever_side_it_stands() -> None:
    left_sender = TextBlock(SENDER_BLOCK.text, "left", 0.9, (280, 184, 700, 462))
    right_landlord = TextBlock(LANDLORDS_BLOCK.text, "right", 0.9, (1700, 184, 2170, 500))
    roles = block_roles([(1, [left_sender, right_landlord, BODY_BLOCK])], LANDLORD)
    assert (roles[(1, 0)], roles[(1, 1)]) == (SENDER, RECIPIENT)
    # No landlord's address at all: the right-hand block is the sender's, as UK letters put it.
    other = TextBlock("Mr A. Jones\nTown Hall\nLancaster", "left", 0.9, (280, 184, 700, 462))
    roles = block_roles([(1, [SENDER_BLOCK, other, BODY_BLOCK])], LANDLORD)
    assert (roles[(1, 0)], roles[(1, 1)]) == (SENDER, RECIPIENT)


def test_a_recipient_known_only_by_its_place_is_given_for_a_landlord_not_configured() -> None:
    other = TextBlock("Kestrel Vale Homes\nCustomer Hub\nUnit 3, Weir Business Park\n"
                      "Totnes\nTQ9 5XN", "left", 0.9, (310, 420, 800, 700))
    assert recipient_by_place([(1, [SENDER_BLOCK, other, BODY_BLOCK])], LANDLORD) == (
        other.text,)
    # The configured landlord's block is the recipient's by its address, not by its place.
    assert recipient_by_place(LETTER, LANDLORD) == ()
    # A left block with nothing on the right is no one's recipient by place; nor beside specks
    # OCR read on the right, where the resident's own block may be one of the left ones.
    assert recipient_by_place([(1, [other, BODY_BLOCK])], LANDLORD) == ()
    specks = TextBlock("3\n5", "right", 0.4, (2000, 700, 2040, 800))
    left_sender = TextBlock(SENDER_BLOCK.text, "left", 0.9, (280, 184, 700, 462))
    assert recipient_by_place([(1, [left_sender, other, specks, BODY_BLOCK])], LANDLORD) == ()
    assert recipient_by_place([], LANDLORD) == ()


def test_each_field_is_traced_to_its_block_with_the_blocks_confidence() -> None:
    found = find_provenance({
        "postcode": "PR2 1QT", "address": "27 Larch Grove, Ashton-on-Ribble, Preston, PR2 1QT",
        "name": "Edna Holt", "desired_outcome": "the mould treated and the window replaced",
        "email": "", "phone": None, "staff": []}, LETTER, LANDLORD)
    assert found["postcode"].describe() == "the sender's block, page 1, read at 0.91"
    assert (found["address"].role, found["address"].block) == (SENDER, 0)
    assert (found["name"].role, found["name"].page, found["name"].confidence) == (
        SIGNATURE, 2, 0.72)
    assert found["desired_outcome"].role == BODY
    assert set(found) == {"postcode", "address", "name", "desired_outcome"}


def test_a_representatives_letterhead_is_named_as_theirs() -> None:
    """An MP's heading is neither the sender's block of a resident nor the body: a phone or
    postcode taken from it shows the officer whose it is."""
    heading = TextBlock("Rachel Amberley MP\nMember of Parliament for Wyre and Ribble Vale\n"
                        "Constituency office: 12 Market Place, Garstang PR3 1ZA\n"
                        "Tel 01632 960210", "right", 0.93, (900, 120, 2200, 420))
    subject = TextBlock("Re: Mrs Janice Whittle, 5 Wyre View Cottages, Hambleton FY6 9BT",
                        "full", 0.9, (280, 1150, 2190, 1200))
    pages = [(1, [heading, LANDLORDS_BLOCK, SALUTATION, subject, BODY_BLOCK])]
    roles = block_roles(pages, LANDLORD)
    assert [roles[(1, i)] for i in range(5)] == [LETTERHEAD_BLOCK, RECIPIENT, BODY, BODY, BODY]
    found = find_provenance({"phone": "01632 960210", "postcode": "FY6 9BT"}, pages, LANDLORD)
    assert found["phone"].describe() == "the representative's letterhead, page 1, read at 0.93"
    assert found["postcode"].role == BODY
    # A resident's own block at the top is never a letterhead, whatever its street is called.
    resident = TextBlock("Mrs E. Holt\n4 Chambers Street\nPreston\nPR2 1QT", "right", 0.9,
                         (1779, 184, 2170, 462))
    assert block_roles([(1, [resident, LANDLORDS_BLOCK, BODY_BLOCK])], LANDLORD)[(1, 0)] == SENDER


def test_the_landlords_own_postcode_is_traced_to_the_recipients_block() -> None:
    """A postcode wrongly taken from the landlord's address says so on the page."""
    assert find_provenance({"postcode": "PR1 2AB"}, LETTER, LANDLORD)["postcode"].role == RECIPIENT


def test_a_block_with_the_forms_printed_labels_is_a_form_box() -> None:
    box = TextBlock("Your name\nAmy Lee\nYour address\n4 Mill Lane, Leyland", "full", 0.8,
                    (100, 400, 2000, 700))
    found = find_provenance({"name": "Amy Lee"}, [(1, [box])], LANDLORD)
    assert found["name"].role == FORM_BOX


_WORD = st.text("abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=9)


@settings(max_examples=60, deadline=None)
@given(value=st.lists(_WORD, min_size=1, max_size=4, unique=True),
       filler=st.lists(_WORD, min_size=3, max_size=8), target=st.integers(0, 3),
       upper=st.booleans(), extra_space=st.booleans(),
       confidence=st.floats(0, 1, allow_nan=False))
def test_a_value_is_found_in_its_block_whatever_its_case_and_spacing(
        value, filler, target, upper, extra_space, confidence) -> None:
    filler = [w for w in filler if w not in value] or ["qqqq"]
    written = ("  " if extra_space else " ").join(value)
    written = written.upper() if upper else written
    blocks = []
    for index in range(4):
        words = [*filler, written] if index == target else filler
        blocks.append(TextBlock(" ".join(words) + "\nmore text here", "full",
                                confidence if index == target else 0.5,
                                (0, 100 * index, 2000, 100 * index + 90)))
    found = find_provenance({"desired_outcome": " ".join(value)}, [(1, blocks)], LANDLORD)
    assert found["desired_outcome"].block == target
    assert found["desired_outcome"].confidence == confidence
    # A value no block holds is traced nowhere, never guessed.
    assert find_provenance({"desired_outcome": "9" + "".join(value)}, [(1, blocks)],
                           LANDLORD) == {}
