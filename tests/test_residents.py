"""Residents as records: matching items to them (pure), linking through the pipeline's own
steps, officers' link, unlink, merge and split, and a resident's history (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from classify.fields import Extraction
from models.db import session_scope
from models.tables import Case, CaseLink, Item, Resident, ResidentMatch
from pipeline import casework
from pipeline.case_import import import_cases
from pipeline.casework import residents
from tests.conftest import REPO
from tests.residency_support import email_item, stage_item
from workflow.officer_review import OfficerChoice
from workflow.residents import (
    Identity,
    ResidentRecord,
    match_resident,
    names_agree,
    normalise_phone,
)

EXAMPLE = REPO / "data" / "examples" / "open-cases.csv"
TODAY = date(2026, 11, 20)
JOAN = ResidentRecord(1, "Mrs Joan Whitfield", "joan.w@example.org", "07700900417", "PR1 3LT",
                      "Flat 3, Calder House", ("HC20260412",))
ANOTHER = ResidentRecord(2, "Mr Tom Okafor", "tom@example.com", None, "PR1 3LT", "Flat 9")


@pytest.mark.parametrize(("identity", "verdict", "on"), [
    (Identity(email="Joan.W@example.org"), "linked", {"email"}),
    (Identity(phone="+44 7700 900417"), "proposed", {"phone"}),
    (Identity(name="Joan Whitfield", postcode="PR1 3LT"), "proposed", {"name_postcode"}),
    (Identity(name="J Whitfield", postcode="PR1 3LT", address="Flat 3 Calder House",
              phone="07700 900417"), "linked", {"name_home", "phone"}),
    (Identity(name="Joan Whitfield", case_refs=("HC20260412",)), "linked", {"case_reference"}),
    # An MP's own email and phone are not the resident's: only the name at the postcode counts.
    (Identity(name="Joan Whitfield", postcode="PR1 3LT", email="tom@example.com",
              representative="Sarah Jones MP"), "proposed", {"name_postcode"}),
    (Identity(name="Joan Whitfield", postcode="LA1 4HQ"), None, set()),
    # A shared family email with another name is not enough to link.
    (Identity(name="Kevin Whitfield", email="joan.w@example.org"), None, set()),
])
def test_matching_scores_each_kind_of_evidence(identity, verdict, on) -> None:
    match = match_resident(identity, [JOAN, ANOTHER])
    if verdict is None:
        assert match is None
        return
    assert match is not None and match.resident_id == 1 and match.verdict == verdict
    assert {e.on for e in match.evidence} == on


@given(st.from_regex(r"\A7[0-9]{9}\Z"))
def test_a_uk_mobile_is_one_number_however_written(number) -> None:
    forms = [f"0{number}", f"+44{number}", f"+44 (0) {number[:4]} {number[4:]}",
             f"0{number[:4]}-{number[4:]}"]
    assert len({normalise_phone(f) for f in forms}) == 1


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("Mrs Joan Whitfield", "joan whitfield", 1.0), ("J. Whitfield", "Joan Whitfield", 1.0),
    ("Whitfield", "Mrs Joan Whitfield", 0.8), ("Joan Whitfield", "John Whitfield", 0.0),
    ("Joan Whitfield", "Joan Smith", 0.0), (None, "Joan", None),
])
def test_names_agree(a, b, expected) -> None:
    assert names_agree(a, b) == expected


ANN = Extraction(name="Ann Smith", email="ann.smith@example.org", postcode="PR2 4XT",
                 address="14 Ribble Street, Preston")
LEAK = ("The leak from the bathroom ceiling has come back and water is dripping onto the "
        "landing. It was reported in October. I want the leak fixed.")


def matches(settings, item_id: int) -> list[ResidentMatch]:
    with session_scope(settings.resolved_database_url) as session:
        return list(session.scalars(select(ResidentMatch).where(
            ResidentMatch.item_id == item_id).order_by(ResidentMatch.id)))


def resident_of(settings, item_id: int) -> int | None:
    with session_scope(settings.resolved_database_url) as session:
        return session.get(Item, item_id).resident_id


def test_items_link_to_one_resident_and_doubtful_ones_wait(database_settings) -> None:
    first = stage_item(database_settings, email_item(LEAK, day=2), ANN)
    (made,) = matches(database_settings, first)
    assert made.status == "linked" and made.evidence[0]["on"] == "new"
    ann = resident_of(database_settings, first)
    # The same email address: linked by itself, to the same resident, with the evidence.
    second = stage_item(database_settings, email_item("My kitchen door is hanging off.", day=3),
                        ANN, "service_request")
    assert resident_of(database_settings, second) == ann
    assert [e["on"] for e in matches(database_settings, second)[0].evidence] == [
        "email", "name_home"]
    # A letter with the name at the postcode but no email: only proposed.
    letter = stage_item(database_settings, email_item("Please repair my gate.", day=4),
                        Extraction(name="Ann Smith", postcode="PR2 4XT"), "service_request")
    assert resident_of(database_settings, letter) is None
    assert [m.status for m in matches(database_settings, letter)] == ["proposed"]
    assert residents.proposals(database_settings)[0]["item_id"] == letter
    view = residents.link(database_settings, letter, ann, "amina")
    assert [i["id"] for i in view["items"]] == [letter, second, first]  # newest first
    assert [m.status for m in matches(database_settings, letter)] == ["proposed", "linked"]
    assert view["cases"][0]["ref"] == "CMP-2026-00001" and len(view["letters"]) >= 1


def test_officers_unlink_merge_and_split(database_settings) -> None:
    a = stage_item(database_settings, email_item(LEAK, day=2), ANN)
    b = stage_item(database_settings, email_item("Our fence blew down.", day=3),
                   Extraction(name="A. Smith", phone="07700 900999"), "service_request")
    ann, other = resident_of(database_settings, a), resident_of(database_settings, b)
    assert ann != other
    merged = residents.merge(database_settings, ann, other, "amina")
    assert {i["id"] for i in merged["items"]} == {a, b} and merged["merged"] == [other]
    with session_scope(database_settings.resolved_database_url) as session:
        kept = session.get(Resident, ann)
        assert kept.phone == "07700900999"  # filled from the merged record
    split = residents.split(database_settings, ann, [b], "amina")
    assert [i["id"] for i in split["items"]] == [b] and split["id"] not in (ann, other)
    residents.unlink(database_settings, a, "amina")
    assert resident_of(database_settings, a) is None
    with pytest.raises(casework.CaseworkError):
        residents.unlink(database_settings, a, "amina")


def test_a_second_complaint_about_the_same_matter_opens_no_case(database_settings) -> None:
    first = stage_item(database_settings, email_item(LEAK, day=2), ANN)
    again = stage_item(database_settings, email_item(
        "Still no one has fixed the leak in my bathroom ceiling, water drips on the landing.",
        day=16, subject="Leak again"), ANN)
    other_matter = stage_item(database_settings, email_item(
        "The neighbour's dog barks all night and the noise is unbearable.", day=17), ANN)
    with session_scope(database_settings.resolved_database_url) as session:
        held = session.get(Item, again)
        assert (held.status, held.review_reason, held.case_id) == (
            "needs_review", "related-open-case", None)
        (link,) = session.scalars(select(CaseLink).where(CaseLink.item_id == again))
        assert link.status == "proposed" and {e["on"] for e in link.evidence} >= {
            "same_resident", "text"}
        assert session.get(Item, other_matter).case_id is not None  # a different matter
        refs = sorted(session.scalars(select(Case.ref)))
    assert refs == ["CMP-2026-00001", "CMP-2026-00002"]
    view = residents.item_residency_of(database_settings, again)
    assert view["case_link"]["ref"] == "CMP-2026-00001"
    assert {m.get("ref") for m in view["other_matters"]} >= {"CMP-2026-00001"}
    outcome = casework.decide(database_settings, again, "amina", OfficerChoice(
        action="attach", case_ref="CMP-2026-00001"))
    assert outcome.case_ref == "CMP-2026-00001"
    with session_scope(database_settings.resolved_database_url) as session:
        (link,) = session.scalars(select(CaseLink).where(CaseLink.item_id == again))
        assert (link.status, link.decided_by) == ("confirmed", "amina")
    assert first


def test_imported_cases_get_residents_and_mail_finds_them(database_settings) -> None:
    import_cases(database_settings, EXAMPLE, TODAY)
    with session_scope(database_settings.resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.ref == "HC/2026/0412"))
        resident_id = case.resident_id
        assert resident_id is not None
        assert session.get(Resident, resident_id).email == "joan.whitfield@example.org"
    item = stage_item(database_settings, email_item(
        "My new boiler makes a banging noise.", day=19),
        Extraction(name="Joan Whitfield", email="joan.whitfield@example.org"),
        "service_request")
    assert resident_of(database_settings, item) == resident_id
    view = residents.show(database_settings, resident_id)
    assert [c["ref"] for c in view["cases"]] == ["HC/2026/0412"]
