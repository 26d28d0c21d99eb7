"""The hazard lifecycle: every transition, and every refused one changing nothing; the
severity a report's words suggest; the adjustments a writer asks for."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflow import hazard_lifecycle as life
from workflow.adjustments import contact_method, find_adjustments, large_print
from workflow.hazard_severity import propose_severity
from workflow.lifecycle import RefusedTransition

LONDON = ZoneInfo("Europe/London")
AWARE = datetime(2026, 11, 13, 17, 45, tzinfo=LONDON)


def at(hours: float) -> datetime:
    return AWARE + timedelta(hours=hours)


def new() -> life.HazardState:
    state, change = life.report("damp_mould", "significant", AWARE, evidence="black mould")
    assert change.kind == "reported" and change.detail["evidence"] == "black mould"
    return state


def test_the_whole_life_of_a_found_hazard() -> None:
    state = new()
    kinds = []
    for step in (lambda s: life.confirm_severity(s, "significant", "Ana", "", at(1)),
                 lambda s: life.investigate(s, at(20), "Sam Ortiz", True, "mould in bedroom"),
                 lambda s: life.send_summary(s, at(30), "Ana"),
                 lambda s: life.offer_accommodation(s, at(31), "Ana", "hotel"),
                 lambda s: life.make_safe(s, at(40), "Sam Ortiz", "treated and dried"),
                 lambda s: life.start_preventative(s, at(50), "Sam Ortiz", "extractor fan"),
                 lambda s: life.complete(s, at(60), "Ana")):
        state, change = step(state)
        kinds.append(change.kind)
    assert kinds == ["severity_confirmed", "investigated", "summary_sent",
                     "accommodation_offered", "made_safe", "preventative_started", "completed"]
    assert state.status == life.CLOSED and state.completed_at == at(60)
    assert state.severity_confirmed and state.found is True


def test_nothing_found_completes_after_the_summary() -> None:
    state, _ = life.investigate(new(), at(2), "Sam Ortiz", False)
    with pytest.raises(RefusedTransition, match="found no hazard"):
        life.make_safe(state, at(3), "Sam Ortiz")
    with pytest.raises(RefusedTransition, match="summary"):
        life.complete(state, at(3), "Ana")
    state, _ = life.send_summary(state, at(3))
    state, change = life.complete(state, at(4), "Ana")
    assert state.status == life.CLOSED and change.detail["found"] is False


def test_changing_the_severity_needs_a_reason() -> None:
    state = new()
    with pytest.raises(RefusedTransition, match="needs a reason"):
        life.confirm_severity(state, "emergency", "Ana", "  ", at(1))
    state, change = life.confirm_severity(state, "emergency", "Ana",
                                          "baby in the home, mould on the cot", at(1))
    assert state.severity == "emergency" and state.proposed_severity == "significant"
    assert change.detail == {"severity": "emergency", "previous": "significant",
                             "changed": True, "reason": "baby in the home, mould on the cot",
                             "by": "Ana"}
    with pytest.raises(RefusedTransition, match="severity is one of"):
        life.confirm_severity(state, "minor", "Ana", "x", at(2))


INVESTIGATED = life.investigate(new(), at(5), "Sam Ortiz", True)[0]
SUMMARISED = life.send_summary(INVESTIGATED, at(6))[0]
SAFE = life.make_safe(SUMMARISED, at(7), "Sam Ortiz")[0]
DONE = life.complete(SAFE, at(8), "Ana")[0]


@pytest.mark.parametrize(("state", "step", "reason"), [
    (new(), lambda s: life.make_safe(s, at(1), "Sam"), "before the hazard is investigated"),
    (new(), lambda s: life.send_summary(s, at(1)), "before the hazard is investigated"),
    (new(), lambda s: life.offer_accommodation(s, at(1), "Sam"), "before the hazard is inv"),
    (new(), lambda s: life.start_preventative(s, at(1), "Sam"), "before the hazard is inv"),
    (new(), lambda s: life.complete(s, at(1), "Sam"), "before the hazard is investigated"),
    (new(), lambda s: life.investigate(s, at(-1), "Sam", True), "before the landlord became"),
    (new(), lambda s: life.investigate(s, at(1), "  ", True), "name the officer"),
    (new(), lambda s: life.investigate(s, at(1).replace(tzinfo=None), "Sam", True),
     "time zone"),
    (INVESTIGATED, lambda s: life.investigate(s, at(6), "Sam", True), "already investigated"),
    (INVESTIGATED, lambda s: life.make_safe(s, at(4), "Sam"), "before the investigation"),
    (INVESTIGATED, lambda s: life.complete(s, at(9), "Ana"), "written summary"),
    (SUMMARISED, lambda s: life.send_summary(s, at(7)), "already sent"),
    (SUMMARISED, lambda s: life.complete(s, at(9), "Ana"), "not been recorded as made safe"),
    (SAFE, lambda s: life.make_safe(s, at(9), "Sam"), "already made safe"),
    (life.offer_accommodation(SAFE, at(8), "Ana")[0],
     lambda s: life.offer_accommodation(s, at(9), "Ana"), "already offered"),
    (life.start_preventative(SAFE, at(8), "Ana")[0],
     lambda s: life.start_preventative(s, at(9), "Ana"), "already started"),
    (DONE, lambda s: life.complete(s, at(9), "Ana"), "closed"),
    (DONE, lambda s: life.confirm_severity(s, "emergency", "Ana", "x", at(9)), "closed"),
    (DONE, lambda s: life.make_safe(s, at(9), "Ana"), "closed"),
])
def test_refused_transitions_change_nothing(state, step, reason) -> None:
    before = replace(state)
    with pytest.raises(RefusedTransition, match=reason):
        step(state)
    assert state == before


@pytest.mark.parametrize(("hazard", "text", "day", "severity"), [
    ("gas", "I can smell gas in the kitchen every morning.", date(2026, 6, 1), "emergency"),
    ("gas", "The carbon monoxide alarm keeps going off.", date(2026, 6, 1), "emergency"),
    ("gas", "There is no smell of gas but the hob clicks.", date(2026, 6, 1), "significant"),
    ("electrical", "There are live wires hanging out of the wall.", date(2026, 6, 1),
     "emergency"),
    ("water_leak", "Water is pouring through the light fitting in the hall.",
     date(2026, 6, 1), "emergency"),
    ("structural", "The bathroom ceiling is coming down after the leak.", date(2026, 6, 1),
     "emergency"),
    ("no_heating", "The boiler is broken and we have a 3 month old baby.", date(2026, 12, 1),
     "emergency"),
    ("no_heating", "The boiler is broken and we have a 3 month old baby.", date(2026, 7, 1),
     "significant"),
    ("no_heating", "The boiler is broken again, third time this month.", date(2026, 12, 1),
     "significant"),
    ("no_heating", "Mr Greaves, who is 87 and lives alone, has been without heating for a "
     "fortnight.", date(2026, 11, 10), "emergency"),
    ("no_heating", "No heating since October and I have 2 young children.", date(2026, 12, 5),
     "emergency"),
    ("no_heating", "No heating; the flat number is 87 on the door.", date(2026, 12, 5),
     "significant"),
    ("damp_mould", "Black mould all over the bedroom walls.", date(2026, 12, 1),
     "significant"),
])
def test_proposed_severity(hazard: str, text: str, day: date, severity: str) -> None:
    assert propose_severity(hazard, text, day).severity == severity


def test_vulnerability_cues_count_as_a_household() -> None:
    text = "The heating has stopped working and it is freezing."
    assert propose_severity("no_heating", text, date(2026, 12, 1)).severity == "significant"
    proposal = propose_severity("no_heating", text, date(2026, 12, 1),
                                cues=[{"cue": "age", "evidence": "my mum is 91"}])
    assert proposal.severity == "emergency" and "my mum is 91" in proposal.evidence[0]


def test_adjustments_asked_for() -> None:
    text = ("Please send any letters in large print, my eyesight is poor. I would prefer a "
            "phone call. If I am out please speak to my daughter, Karen Hughes. My husband "
            "needs an interpreter in Polish.")
    found = {a["adjustment"]: a for a in find_adjustments(text)}
    assert set(found) == {"large_print", "phone", "named_contact", "interpreter"}
    assert found["named_contact"]["detail"] == "Karen Hughes"
    assert found["interpreter"]["detail"] == "Polish"
    assert large_print(list(found.values()))
    assert contact_method(list(found.values()), "email") == "phone"
    assert find_adjustments("I don't need large print, thanks.") == []
    assert [a["adjustment"] for a in find_adjustments("I am deaf and use BSL.")] == ["bsl"]


def test_the_summary_letter_honours_adjustments() -> None:
    from workflow.hazard_letters import render_summary
    from workflow.hazard_policy import load_hazard_policy

    policy = load_hazard_policy("awaabs-law")
    context = {"hazard": "damp_mould", "address": "14 Mill Lane", "postcode": "PR2 4XT",
               "name": "Joan Bell", "representative": None, "aware_at": date(2026, 12, 18),
               "investigated_at": date(2027, 1, 4), "found": True,
               "findings": "Mould behind the wardrobe.", "make_safe_by": date(2027, 1, 11),
               "preventative_by": date(2027, 1, 11), "made_safe_at": None}
    draft, large = render_summary(policy, context, [
        {"adjustment": "interpreter", "detail": "Polish"},
        {"adjustment": "named_contact", "detail": "Karen Hughes"}])
    assert not large and draft.kind == "hazard_summary"
    assert "damp and mould hazard" in draft.subject
    assert "make your home safe by Monday 11 January 2027" in draft.body
    assert "interpreter in Polish" in draft.body and "speak to Karen Hughes" in draft.body
    found_nothing, _ = render_summary(policy, {**context, "found": False}, [])
    assert "we did not find a hazard" in found_nothing.body
    assert "make your home safe" not in found_nothing.body
    printed, large = render_summary(policy, context, [{"adjustment": "large_print"}])
    assert large and printed.body.startswith("LARGE PRINT")
    assert max(len(line) for line in printed.body.splitlines()) <= 60
