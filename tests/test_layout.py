"""Letter layout and batch page grouping: plain functions over text and page flags."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from classify.assessment import fill_from_layout, letter_layout
from classify.fields import Landlord
from classify.fields.layout import OwnIdentity, parse_letter
from ingest.items import IntakeItem, PageText
from ingest.splitting import letter_page_groups
from workflow.policy import load_policy
from workflow.rules import Thresholds

OWN = OwnIdentity(names=("Northbrook Homes",), postcodes=("PR1 2AB",),
                  addresses=("Complaints Team, 1 Fishergate, Preston PR1 2AB",))

# As Tesseract gives a letter whose address block is top right: the block comes out as a
# paragraph of its own, here after the landlord's inside address on the left.
OCR_LETTER = """Northbrook Homes
Complaints Team
1 Fishergate
Preston PR1 2AB

22 Larch Grove
Skerton
Lancaster LA1 2PN

14 September 2026

Dear Sir or Madam,

I am writing to complain about the leak in my bathroom ceiling, which I first
reported in June. Nobody has come back to finish the job.

Yours faithfu1ly,

Edna Whitworth
"""


def test_the_residents_block_is_found_and_the_landlords_is_not_taken() -> None:
    layout = parse_letter(OCR_LETTER, OWN)
    assert layout.sender_block == ("22 Larch Grove", "Skerton", "Lancaster LA1 2PN")
    assert layout.recipient_block[0] == "Northbrook Homes"
    assert layout.sender_postcode == "LA1 2PN"
    assert layout.sender_address == "22 Larch Grove, Skerton, Lancaster, LA1 2PN"
    assert layout.date_line == "14 September 2026"
    assert layout.salutation == "Dear Sir or Madam,"
    assert layout.body.startswith("I am writing") and layout.body.endswith("finish the job.")
    assert layout.closing == "Yours faithfu1ly,"  # OCR's "1" for "l" is still a closing
    assert layout.signed_name == "Edna Whitworth"
    assert "Fishergate" not in layout.text_for_fields
    assert "Larch Grove" in layout.text_for_fields


def test_a_letter_without_the_landlords_block_keeps_every_line() -> None:
    text = OCR_LETTER.split("\n\n", 1)[1]
    layout = parse_letter(text, OWN)
    assert layout.recipient_block == ()
    assert layout.text_for_fields == text


def test_a_landlord_address_without_its_postcode_configured_is_still_refused() -> None:
    own = OwnIdentity(names=(), postcodes=(), addresses=("1 Fishergate, Preston PR1 2AB",))
    layout = parse_letter(OCR_LETTER.replace("Northbrook Homes\n", ""), own)
    assert layout.sender_postcode == "LA1 2PN"
    assert "1 Fishergate" in layout.recipient_block


def test_a_residents_block_run_into_the_landlords_is_cut_from_it() -> None:
    # A faint copy read with no blank line between the two blocks: the resident's lines were
    # dropped with the landlord's.
    text = ("G.R. Tennant\n14 Bowerham Road\nLancaster\nLA1 4HT\n20 April 2026\n"
            "The Housing Manager\nNorthbrook Homes\n1 Fishergate\nPreston\nPR1 2AB\n\n"
            "Dear Sir or Madam,\n\nThe hallway floor was torn by your fitters.\n")
    layout = parse_letter(text, OWN)
    assert layout.sender_postcode == "LA1 4HT"
    assert layout.sender_address == "14 Bowerham Road, Lancaster, LA1 4HT"
    assert "Northbrook Homes" in layout.recipient_block
    assert "Bowerham Road" in layout.text_for_fields
    assert "Fishergate" not in layout.text_for_fields


def test_a_heading_that_names_the_landlord_is_not_its_address_block() -> None:
    # A solicitor's heading names both parties and the resident's home under the landlord's
    # block: it is kept for the fields, not dropped with the landlord's address.
    text = ("Northbrook Homes\n1 Fishergate\nPreston\nPR1 2AB\n\n"
            "Ogden v Northbrook Homes - Claim No. L7MA0931 - 12 Wellington Row,\n"
            "Openshaw, Manchester M11 1BY\n\nDear Sirs,\n\nWe refer to the above claim.\n")
    layout = parse_letter(text, OWN)
    assert layout.recipient_block == ("Northbrook Homes", "1 Fishergate", "Preston", "PR1 2AB")
    assert "Manchester M11 1BY" in layout.text_for_fields


def test_a_senders_block_cut_in_two_by_a_dropped_stamp_is_one_block() -> None:
    # The stamp across the block was cleaned away and left a blank line in the middle.
    after = "\n\n10 Feb 2026\n\nNorthbrook Homes\n1 Fishergate\nPreston\nPR1 2AB\n\nDear Sir,\n"
    street_then_postcode = "Ms Rosa Caddick\n41 Kirkstone Avenue\n\nFY1 6BX" + after
    assert parse_letter(street_then_postcode, OWN).sender_address == (
        "41 Kirkstone Avenue, FY1 6BX")
    street_then_town = "Mrs Ada Pike\n27 Larch Grove\n\nPreston\nPR2 1QT" + after
    assert parse_letter(street_then_town, OWN).sender_address == (
        "27 Larch Grove, Preston, PR2 1QT")
    # A reference or a phone above the block is not its missing part.
    reference = "Your ref: 40 119\n\nPreston\nPR2 1QT" + after
    assert parse_letter(reference, OWN).sender_address == "Preston, PR2 1QT"


def test_the_pipeline_takes_the_residents_address_from_the_layout(trained_model) -> None:
    from workflow.triage import triage_item

    landlord = Landlord(names=("Northbrook Homes", "Northbrook"), postcodes=("PR1 2AB",),
                        addresses=("Complaints Team, 1 Fishergate, Preston PR1 2AB",))
    item = IntakeItem(source="letter", text=OCR_LETTER,
                      received_at=datetime(2026, 9, 20, tzinfo=UTC),
                      pages=(PageText(1, OCR_LETTER, 0.91, text_source="ocr"),),
                      text_source="ocr")
    result = triage_item(item, model=trained_model, policy=load_policy("code-2024"),
                         thresholds=Thresholds(), landlord=landlord)
    assert result.extraction.postcode == "LA1 2PN"
    assert result.extraction.name == "Edna Whitworth"
    assert "Fishergate" not in (result.extraction.address or "")


def test_layout_fills_only_what_the_rules_left_empty() -> None:
    from classify.fields import Extraction

    layout = letter_layout(IntakeItem(source="letter", text=OCR_LETTER,
                                      received_at=datetime.now(UTC)), Landlord())
    assert layout is not None
    filled = fill_from_layout(Extraction(), layout)
    assert (filled.name, filled.postcode) == ("Edna Whitworth", "LA1 2PN")
    kept = fill_from_layout(Extraction(name="Edna W", postcode="LA1 2PN",
                                       incident_date=date(2026, 6, 1)), layout)
    assert kept.name == "Edna W"


@given(st.lists(st.booleans(), max_size=40))
def test_page_groups_partition_the_non_blank_pages_in_order(blanks: list[bool]) -> None:
    groups = letter_page_groups(blanks)
    flat = [index for group in groups for index in group]
    assert flat == [index for index, blank in enumerate(blanks) if not blank]
    for group in groups:
        assert group == list(range(group[0], group[-1] + 1))  # contiguous
    for before, after in pairwise(groups):
        assert any(blanks[before[-1] + 1 : after[0]])  # a blank sheet between every two


def test_a_block_addressed_to_a_team_is_the_recipients_whatever_landlord_it_names() -> None:
    """A letter to a trading name or office the settings do not list: the block that opens
    with the post it is addressed to is still not the resident's."""
    text = ("Craigard\n9 Ferntower Place\nCrieff\nPerthshire\nPH7 3DL\n\nThe Chair of the Board\n"
            "Strathearn Housing Association\nEarn House\n40 High Street\nAuchterarder\nPH3 1DF\n\n"
            "3rd June 2026\n\nDear Madam Chair,\n\nI urge the Board to reconsider.\n\n"
            "Yours faithfully,\n\nAlasdair Reid\n")
    layout = parse_letter(text, OwnIdentity(names=("Northbrook Homes",)))
    assert layout.recipient_block[0] == "The Chair of the Board"
    assert layout.sender_postcode == "PH7 3DL"
    assert "PH3 1DF" not in layout.text_for_fields
