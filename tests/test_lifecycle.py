"""Every lifecycle transition as a pure function, including the ones a policy refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow import lifecycle
from workflow.calendar import add_working_days, is_working_day
from workflow.lifecycle import CaseStatus, RefusedTransition
from workflow.policy import load_policy
from workflow.records import (
    record_archived,
    record_compliment,
    record_proposed_exclusion,
    record_service_request,
)

CODE = load_policy("code-2024")
LUMEN = load_policy("lumen")
LANCASTER = load_policy("lancaster")
RECEIVED = date(2026, 11, 2)  # a Monday


def opened(policy=CODE, officer: str | None = "ayesha"):
    state, change = lifecycle.open_case(policy, "CMP-2026-00001", RECEIVED, officer=officer)
    return state, change


def test_open_case_is_stage_one_with_its_deadlines() -> None:
    state, change = opened()
    assert (state.stage, state.status, state.handler) == (1, "open", "complaints officer")
    assert (state.acknowledge_by, state.respond_by) == (date(2026, 11, 9), date(2026, 11, 23))
    assert change.kind == "opened"
    assert change.detail["respond_by"] == "2026-11-23"


def test_an_early_acknowledgement_brings_the_response_forward() -> None:
    state, _ = opened()
    acknowledged, change = lifecycle.acknowledge(state, CODE, date(2026, 11, 4))
    # 10 working days from Wednesday 4 November, not from the last allowed day.
    assert acknowledged.respond_by == date(2026, 11, 18)
    assert change.kind == "acknowledged" and change.detail["late"] is False
    with pytest.raises(RefusedTransition, match="already acknowledged on 2026-11-04"):
        lifecycle.acknowledge(acknowledged, CODE, date(2026, 11, 5))


def test_a_late_acknowledgement_is_recorded_as_late() -> None:
    state, _ = opened()
    _, change = lifecycle.acknowledge(state, CODE, date(2026, 11, 12))
    assert change.detail["late"] is True


def test_acknowledging_before_the_stage_began_is_refused() -> None:
    state, _ = opened()
    with pytest.raises(RefusedTransition, match="before stage 1 began"):
        lifecycle.acknowledge(state, CODE, date(2026, 10, 30))


def test_a_follow_up_changes_nothing_but_is_logged() -> None:
    state, _ = opened()
    change = lifecycle.add_follow_up(state, matched_by="case reference")
    assert (change.kind, change.stage, change.detail["matched_by"]) == (
        "follow_up", 1, "case reference")


def test_extension_within_the_maximum_with_its_reason() -> None:
    state, _ = opened()
    once, change = lifecycle.extend(state, CODE, 4, "waiting for the surveyor", date(2026, 11, 20))
    assert once.respond_by == date(2026, 11, 27)
    assert change.detail["reason"] == "waiting for the surveyor"
    assert change.detail["ombudsman_contact"].startswith("Housing Ombudsman Service")
    twice, _ = lifecycle.extend(once, CODE, 6, "contractor delayed", date(2026, 11, 25))
    assert (twice.extension_days, twice.respond_by) == (10, date(2026, 12, 7))


def test_extending_beyond_the_maximum_is_refused() -> None:
    state, _ = opened()
    with pytest.raises(RefusedTransition, match="allows at most 10 at stage 1"):
        lifecycle.extend(state, CODE, 11, "a big job", date(2026, 11, 20))
    once, _ = lifecycle.extend(state, CODE, 8, "a big job", date(2026, 11, 20))
    with pytest.raises(RefusedTransition, match=r"by 3 working days \(8 already granted\)"):
        lifecycle.extend(once, CODE, 3, "still a big job", date(2026, 11, 26))
    # Lumen's procedure provides no extensions at all.
    lumen_case, _ = opened(LUMEN)
    with pytest.raises(RefusedTransition, match="lumen allows at most 0"):
        lifecycle.extend(lumen_case, LUMEN, 1, "short staffed", date(2026, 11, 3))


@pytest.mark.parametrize(("days", "reason", "message"), [
    (3, "   ", "needs the reason"),
    (0, "because", "positive number"),
])
def test_extension_needs_a_reason_and_days(days: int, reason: str, message: str) -> None:
    state, _ = opened()
    with pytest.raises(RefusedTransition, match=message):
        lifecycle.extend(state, CODE, days, reason, date(2026, 11, 20))


def test_close_records_outcome_remedy_and_timeliness() -> None:
    state, _ = opened()
    closed, change = lifecycle.close_case(state, CODE, date(2026, 11, 20), "upheld",
                                          "£150 for the delay; leak repaired")
    assert (closed.status, closed.outcome, closed.remedy) == (
        "closed", "upheld", "£150 for the delay; leak repaired")
    assert change.detail["on_time"] is True
    assert change.detail["working_days"] == 14
    with pytest.raises(RefusedTransition, match="it is closed at stage 1, not open"):
        lifecycle.extend(closed, CODE, 2, "too late", date(2026, 11, 21))
    with pytest.raises(RefusedTransition, match="unknown outcome"):
        lifecycle.close_case(state, CODE, date(2026, 11, 20), "sorted")


def test_a_late_response_is_not_on_time_but_an_extended_one_is() -> None:
    state, _ = opened()
    _, late = lifecycle.close_case(state, CODE, date(2026, 11, 24), "not_upheld")
    assert late.detail["on_time"] is False
    extended, _ = lifecycle.extend(state, CODE, 5, "specialist report", date(2026, 11, 20))
    _, in_time = lifecycle.close_case(extended, CODE, date(2026, 11, 24), "not_upheld")
    assert in_time.detail["on_time"] is True


def test_escalation_starts_stage_two_with_a_different_handler() -> None:
    state, _ = opened()
    closed, _ = lifecycle.close_case(state, CODE, date(2026, 11, 20), "not_upheld")
    stage_two, change = lifecycle.escalate(closed, CODE, date(2026, 11, 24), officer="bob")
    assert (stage_two.stage, stage_two.status, stage_two.officer) == (2, "open", "bob")
    assert stage_two.handler == "a different officer from stage 1"
    assert stage_two.earlier_officers == ("ayesha",)
    # Acknowledge within 5 WD of the request, respond within 20 WD of that.
    assert (stage_two.acknowledge_by, stage_two.respond_by) == (date(2026, 12, 1),
                                                                date(2026, 12, 31))
    assert (change.kind, change.stage, change.detail["from_stage"]) == ("escalated", 2, 1)
    assert stage_two.outcome is None and stage_two.extension_days == 0


def test_stage_two_refuses_the_stage_one_officer() -> None:
    state, _ = opened(officer="ayesha")
    with pytest.raises(RefusedTransition, match="ayesha handled an earlier stage"):
        lifecycle.escalate(state, CODE, date(2026, 11, 24), officer="ayesha")
    stage_two, _ = lifecycle.escalate(state, CODE, date(2026, 11, 24))
    with pytest.raises(RefusedTransition, match="must be handled by a different person"):
        lifecycle.assign(stage_two, CODE, "ayesha")
    assigned, change = lifecycle.assign(stage_two, CODE, "bob")
    assert assigned.officer == "bob" and change.kind == "assigned"


def test_escalating_past_the_final_stage_is_refused() -> None:
    state, _ = opened()
    stage_two, _ = lifecycle.escalate(state, CODE, date(2026, 11, 24))
    with pytest.raises(RefusedTransition, match=r"final stage.*Housing Ombudsman"):
        lifecycle.escalate(stage_two, CODE, date(2026, 12, 30))


def test_lumen_walks_through_four_stages() -> None:
    state, _ = opened(LUMEN, officer="olu")
    day = RECEIVED
    handlers = []
    for officer in ("sam", "mo", "dee"):
        state, _ = lifecycle.close_case(state, LUMEN, state.respond_by, "not_upheld")
        day = state.respond_by
        state, _ = lifecycle.escalate(state, LUMEN, day, officer=officer)
        handlers.append(state.handler)
    assert state.stage == 4
    assert handlers == ["senior officer for the service area", "manager for the service area",
                        "director for the service area"]
    assert state.earlier_officers == ("olu", "sam", "mo")
    with pytest.raises(RefusedTransition, match="final stage"):
        lifecycle.escalate(state, LUMEN, state.respond_by)


def test_escalating_a_case_closed_as_out_of_time_is_refused() -> None:
    state, _ = opened()
    refused, change = lifecycle.refuse(state, CODE, "out_of_time", "ayesha", date(2026, 11, 3),
                                       note="the repair was in 2024")
    assert (refused.status, refused.refused_reason) == ("refused", "out_of_time")
    assert change.detail["ombudsman_contact"].startswith("Housing Ombudsman")
    with pytest.raises(RefusedTransition, match=r"refused \(out_of_time\).*Ombudsman"):
        lifecycle.escalate(refused, CODE, date(2026, 11, 10))
    with pytest.raises(RefusedTransition, match="already refused"):
        lifecycle.refuse(refused, CODE, "out_of_time", "ayesha", date(2026, 11, 3))


def test_withdrawn_cases_cannot_be_escalated() -> None:
    state, _ = opened()
    withdrawn, change = lifecycle.close_case(state, CODE, date(2026, 11, 5), "withdrawn")
    assert withdrawn.status == "withdrawn" and change.detail["responded"] is False
    with pytest.raises(RefusedTransition, match="withdrew"):
        lifecycle.escalate(withdrawn, CODE, date(2026, 11, 10))


@pytest.mark.parametrize(("policy", "reason", "officer", "message"), [
    (CODE, "rent_or_charge_level", "ayesha", r"code-2024 does not allow refusing.*rent_or_charge"),
    (LUMEN, "legal_proceedings", "ayesha", "its exclusions are out_of_time"),
    (CODE, "out_of_time", " ", "confirmed by a named officer"),
])
def test_refusals_need_an_allowed_reason_and_a_person(policy, reason, officer, message) -> None:
    state, _ = opened(policy)
    with pytest.raises(RefusedTransition, match=message):
        lifecycle.refuse(state, policy, reason, officer, date(2026, 11, 3))


def test_lancaster_may_refuse_a_rent_level_complaint() -> None:
    state, _ = opened(LANCASTER)
    refused, _ = lifecycle.refuse(state, LANCASTER, "rent_or_charge_level", "kim",
                                  date(2026, 11, 3))
    assert refused.status == CaseStatus.REFUSED


def test_next_deadline_and_due_watch() -> None:
    state, _ = opened()
    assert lifecycle.next_deadline(state) == ("acknowledge", date(2026, 11, 9))
    # Due within 3 working days of Wednesday 4 November (the 9th is 3 WD on), not within 2.
    assert lifecycle.is_due(state, date(2026, 11, 4), 3, CODE.nation)
    assert not lifecycle.is_due(state, date(2026, 11, 4), 2, CODE.nation)
    # Overdue counts as due, whatever N.
    assert lifecycle.is_due(state, date(2026, 11, 16), 0, CODE.nation)
    acknowledged, _ = lifecycle.acknowledge(state, CODE, date(2026, 11, 6))
    assert lifecycle.next_deadline(acknowledged) == ("respond", date(2026, 11, 20))
    closed = replace(acknowledged, status="closed")
    assert lifecycle.next_deadline(closed) is None
    assert not lifecycle.is_due(closed, date(2026, 12, 31), 5, CODE.nation)


def test_service_request_record_has_a_next_step_and_the_right_to_complain() -> None:
    record = record_service_request(CODE, RECEIVED, None)
    assert record.kind == "service_request" and record.status == "open"
    assert "repairs team will contact you" in record.detail["next_step"]
    assert "make a complaint" in record.detail["right_to_complain"]
    assert CODE.name in record.detail["right_to_complain"]
    urgent = record_service_request(CODE, RECEIVED, "gas")
    assert "within 24 hours" in urgent.detail["next_step"]
    damp = record_service_request(CODE, RECEIVED, "damp_mould")
    assert "within 10 working days" in damp.detail["next_step"]


def test_compliment_is_recorded_against_the_staff_it_names() -> None:
    record = record_compliment(CODE, ["Tom Price", " Tom Price", "Jess Okafor"])
    assert record.detail == {"staff": ["Jess Okafor", "Tom Price"], "team_only": False}
    assert record_compliment(LUMEN, []).detail["team_only"] is True
    with pytest.raises(ValueError, match="lancaster does not record compliments"):
        record_compliment(LANCASTER, ["Tom Price"])


def test_proposed_exclusion_waits_for_an_officer_and_other_is_archived() -> None:
    proposal = record_proposed_exclusion(CODE, "rent_or_charge_level", ["proposed exclusion"])
    assert (proposal.status, proposal.detail["allowed_by_policy"]) == ("awaiting_officer", False)
    assert record_archived(["automatic mail"]).status == "archived"


ACTIONS = st.lists(st.tuples(
    st.sampled_from(["acknowledge", "extend", "close", "escalate", "assign", "refuse"]),
    st.integers(0, 25),  # working days from the stage's start, or extension days
    st.sampled_from(["ayesha", "bob", "chen"]),
), max_size=12)


@settings(max_examples=100, deadline=None)
@given(policy=st.sampled_from([CODE, LANCASTER, LUMEN]), actions=ACTIONS)
def test_any_sequence_of_changes_keeps_the_policy(policy, actions) -> None:
    """Whatever officers try, in any order, the case never breaks its policy's rules, and
    each accepted change is exactly one event."""
    state, first = lifecycle.open_case(policy, "CMP-2026-00001", RECEIVED)
    events = [first]
    for action, days, officer in actions:
        on = add_working_days(state.stage_started, days, policy.nation)
        try:
            if action == "acknowledge":
                state, change = lifecycle.acknowledge(state, policy, on)
            elif action == "extend":
                state, change = lifecycle.extend(state, policy, days, "reason", on)
            elif action == "close":
                state, change = lifecycle.close_case(state, policy, on, "not_upheld")
            elif action == "escalate":
                state, change = lifecycle.escalate(state, policy, on, officer=officer)
            elif action == "assign":
                state, change = lifecycle.assign(state, policy, officer)
            else:
                state, change = lifecycle.refuse(state, policy, "out_of_time", officer, on)
        except RefusedTransition:
            continue
        events.append(change)
        stage = policy.stage(state.stage)
        assert 1 <= state.stage <= policy.final_stage
        assert state.extension_days <= stage.max_extension_days
        assert is_working_day(state.respond_by, policy.nation)
        assert state.respond_by > state.stage_started
        if stage.independent and state.officer:
            assert state.officer not in state.earlier_officers
        assert state.handler == stage.handler
    assert events[0].kind == "opened"
    assert sum(e.kind == "escalated" for e in events) == state.stage - 1
