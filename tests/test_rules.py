"""The decision chain: each rule on its own facts, and the engine's record of every verdict."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from workflow.policy import load_policy
from workflow.rules import CHAIN, Facts, ThreadMatch, Thresholds, apply_policies

CODE = load_policy("code-2024")
LUMEN = load_policy("lumen")
SURE_COMPLAINT = Facts(category="complaint", confidence=0.95, excluded_reason=None,
                       escalation=False, hazard=None, received=date(2026, 11, 2),
                       incident_date=date(2026, 10, 1), has_identity=True)


def decide(facts: Facts, policy=CODE):
    return apply_policies(facts, policy, Thresholds())


def test_confident_complaint_opens_a_case_without_review() -> None:
    decision = decide(SURE_COMPLAINT)
    assert (decision.action, decision.needs_review) == ("open_case", False)
    assert [r.rule for r in decision.results] == [name for name, _ in CHAIN]


def test_automatic_mail_is_archived_whatever_the_model_thought() -> None:
    decision = decide(replace(SURE_COMPLAINT, automatic="Auto-Submitted: auto-replied"))
    assert (decision.category, decision.action, decision.needs_review) == ("other", "archive",
                                                                          False)


@pytest.mark.parametrize(
    ("policy", "incident", "category"),
    [(CODE, date(2025, 10, 1), "excluded"), (CODE, date(2026, 1, 5), "complaint"),
     (LUMEN, date(2026, 7, 1), "excluded"), (LUMEN, date(2026, 9, 1), "complaint")],
)
def test_out_of_time_follows_the_policy_limit(policy, incident: date, category: str) -> None:
    decision = decide(replace(SURE_COMPLAINT, incident_date=incident), policy)
    assert decision.category == category
    if category == "excluded":
        assert decision.excluded_reason == "out_of_time"
        assert decision.needs_review  # every exclusion is confirmed by an officer


def test_exclusion_the_policy_does_not_list_is_flagged() -> None:
    decision = decide(replace(SURE_COMPLAINT, category="excluded",
                              excluded_reason="rent_or_charge_level"))
    assert decision.needs_review
    assert any("does not list rent_or_charge_level" in reason for reason in decision.reasons)


def test_low_confidence_goes_to_review_as_a_suggestion() -> None:
    decision = decide(replace(SURE_COMPLAINT, confidence=0.6))
    assert decision.needs_review
    assert any("a suggestion" in reason for reason in decision.reasons)


def test_anonymous_complaint_is_routed_to_a_person() -> None:
    assert decide(replace(SURE_COMPLAINT, has_identity=False)).needs_review


def test_hazard_is_flagged_but_not_on_automatic_mail() -> None:
    assert decide(replace(SURE_COMPLAINT, hazard="gas")).hazard == "gas"
    assert decide(replace(SURE_COMPLAINT, hazard="gas", automatic="bounce")).hazard is None


def test_escalation_on_an_existing_case_moves_it_on() -> None:
    thread = ThreadMatch("CMP-2026-00003", 1, "case reference")
    decision = decide(replace(SURE_COMPLAINT, escalation=True, thread=thread))
    assert decision.action == "escalate_case"
    follow_up = decide(replace(SURE_COMPLAINT, thread=thread))
    assert follow_up.action == "add_to_case"


def test_escalation_past_the_last_stage_is_a_follow_up() -> None:
    thread = ThreadMatch("CMP-2026-00003", 2, "In-Reply-To/References")
    assert decide(replace(SURE_COMPLAINT, escalation=True, thread=thread)).action == "add_to_case"


def test_compliments_are_archived_where_the_policy_does_not_record_them() -> None:
    compliment = replace(SURE_COMPLAINT, category="compliment")
    assert decide(compliment).action == "record_compliment"
    assert decide(compliment, load_policy("lancaster")).action == "archive"


def test_a_quoted_reference_to_a_case_at_another_postcode_waits_for_an_officer() -> None:
    thread = ThreadMatch("CMP-2026-00003", 1, "case reference", postcode="BB2 6LN")
    elsewhere = decide(replace(SURE_COMPLAINT, escalation=True, thread=thread,
                               postcode="FY7 6QP"))
    assert elsewhere.needs_review
    assert elsewhere.action == "hold_for_review"
    assert "CMP-2026-00003" in " ".join(elsewhere.reasons)
    same_home = decide(replace(SURE_COMPLAINT, escalation=True, thread=thread,
                               postcode="BB2 6LN"))
    assert same_home.action == "escalate_case"
    # A reply found by Message-ID is the same conversation, wherever the writer now lives.
    by_message_id = ThreadMatch("CMP-2026-00003", 1, "In-Reply-To/References", "BB2 6LN")
    assert decide(replace(SURE_COMPLAINT, thread=by_message_id,
                          postcode="FY7 6QP")).action == "add_to_case"


def test_an_escalation_with_no_case_to_match_waits_for_an_officer() -> None:
    decision = decide(replace(SURE_COMPLAINT, escalation=True))
    assert decision.needs_review
    assert decision.category == "complaint"
