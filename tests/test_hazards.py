"""Hazards and vulnerability cues from the lexicons: every family found in words the lexicon
does not hold as phrases, negations, hypotheticals and faults put right left out, quoted
history never raising what the new words do not, evidence always the item's own words."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.hazards import (
    HazardFinding,
    combine,
    find_all,
    find_hazards,
    find_vulnerability,
    hazard_order,
)
from classify.lexicon import LexiconError, load_hazard_lexicon
from classify.spans import reading_ranges
from core.labels import HAZARDS

# One or more sentences for each family, phrased as residents write, not as the lexicon does.
FAMILIES = [
    ("damp_mould", "There's a serious case of black mould in her bedroom and bathroom."),
    ("damp_mould", "A damp patch on the landing is getting bigger every week."),
    ("damp_mould", "The walls in the back bedroom are soaking wet and smell musty."),
    ("gas", "I can smell gas in the kitchen near the cooker."),
    ("gas", "The boiler leaked carbon monoxide and the alarm kept going off."),
    ("gas", "Our CO alarm keeps beeping whenever the boiler is on."),
    ("electrical", "Exposed wires are left hanging where the shower should be connected."),
    ("electrical", "The socket in the kitchen sparked and there is a burning smell from it."),
    ("electrical", "My son got an electric shock from the light switch."),
    ("electrical", "The fuse box crackles and buzzes at night."),
    ("water_leak", "Water's coming out of the light in the hallway."),
    ("water_leak", "Water is pouring through the ceiling from the flat above."),
    ("water_leak", "The kitchen is flooded from a burst pipe."),
    ("no_heating", "We have had no heating or hot water since Friday."),
    ("no_heating", "The boiler packed up again and the radiators are stone cold."),
    ("no_heating", "She is so cold that she stays in bed all day under blankets."),
    ("structural", "The ceiling above the bath is bulging."),
    ("structural", "Part of the bedroom ceiling came down last night."),
    ("structural", "There is a large crack in the living room wall that keeps getting wider."),
    ("structural", "The balcony railing is loose and the balcony moves when you stand on it."),
    ("falls", "The rail came off in my hand on the stairs."),
    ("falls", "Two of the stair treads are broken and the handrail is missing."),
    ("fire_safety", "The fire door on our landing is propped open and won't shut."),
    ("fire_safety", "The smoke alarm in the hall doesn't work."),
    ("fire_safety", "The escape route on the third floor is blocked with old mattresses."),
    ("fire_safety", "We are worried about the cladding on our block."),
    ("pests_hygiene", "There are rats in the kitchen cupboards."),
    ("pests_hygiene", "Sewage is backing up through the bath plughole."),
    ("pests_hygiene", "The flat is infested with cockroaches and bedbugs."),
    ("asbestos", "The contractor drilled into the artex ceiling and I was told it has asbestos."),
]

# Said, but not there now: denied, supposed, or put right.
NOT_THERE = [
    "There is no sign of damp anywhere in the flat.",
    "The surveyor found no mould and no damp.",
    "Please service the boiler in case the boiler fails this winter.",
    "What should I do if the heating goes?",
    "The mould was treated last year and has not come back.",
    "We previously had a leak, now fixed.",
    "The leak in the bathroom was repaired in March.",
    "Please could you tell me how to report a gas leak?",
    "I would like to know how many homes had damp and mould last year.",
    "The gas bill has gone up again.",
    "The curtain rail came off in my hand.",
    "Thanks for sorting the rats last month, they have all gone now and not returned.",
]

# Still there, though a negation, condition or repair word is near.
STILL_THERE = [
    ("damp_mould", "The mould was treated last year but it has come back."),
    ("water_leak", "If you don't fix the leak I will go to the Ombudsman."),
    ("water_leak", "Nobody has looked at the leak in six weeks."),
    ("damp_mould", "If someone could come and look at the mould in the bathroom, please."),
    ("water_leak", "The leak was supposedly fixed but water is still dripping through."),
    ("no_heating", "The boiler was never repaired and we still have no heating."),
]


def types(text: str, subject: str = "") -> list[str]:
    return [h.type for h in find_hazards(subject, text)]


@pytest.mark.parametrize(("family", "text"), FAMILIES, ids=[f"{f}-{i}" for i, (f, _) in
                                                           enumerate(FAMILIES)])
def test_every_family_is_found_in_residents_words(family: str, text: str) -> None:
    assert family in types(text), (family, text, find_hazards("", text))


def test_every_hazard_type_has_a_family_and_an_urgency() -> None:
    assert set(hazard_order()) == set(HAZARDS)
    assert {family for family, _ in FAMILIES} == set(HAZARDS)
    assert hazard_order()[0] == "gas"


@pytest.mark.parametrize("text", NOT_THERE)
def test_denied_supposed_or_mended_raises_nothing(text: str) -> None:
    assert types(text) == [], (text, find_hazards("", text))


@pytest.mark.parametrize(("family", "text"), STILL_THERE)
def test_a_fault_still_there_is_found_despite_negation_or_condition(family: str,
                                                                    text: str) -> None:
    assert family in types(text), (text, find_hazards("", text))


def test_hazards_come_most_urgent_first_with_their_own_evidence() -> None:
    body = ("There is black mould in the bathroom. Last night I could smell gas in the "
            "kitchen, and water is coming through the ceiling.")
    found = find_hazards("", body)
    assert [h.type for h in found] == ["gas", "water_leak", "damp_mould"]
    assert "gas" in found[0].evidence and "mould" in found[2].evidence
    assert all(h.evidence in body for h in found)


REPLY = """Thank you, the plumber came this morning.

On Tue, 3 Mar 2026 at 09:14, Repairs <repairs@northbrook-homes.example.org> wrote:
> We are sorry to hear about the leak through your bathroom ceiling and the black mould.
> An engineer will attend on Monday.
"""
INLINE = """Hello,

> You reported a leak through the kitchen ceiling.
The leak is fixed. But there is now a smell of gas by the boiler.
"""
FORWARD = """Please see the email below from my constituent.

---------- Forwarded message ---------
From: Resident <resident@example.org>
The ceiling in the bathroom is bulging and water is dripping through the light.
"""


def test_quoted_history_in_a_reply_raises_nothing_the_new_words_do_not() -> None:
    assert types(REPLY) == []
    assert types(INLINE) == ["gas"]


def test_forwarded_words_are_read_as_the_matter() -> None:
    assert set(types(FORWARD)) >= {"structural", "water_leak"}
    outlook = ("For your attention.\n\nFrom: Mrs A Resident\nSent: 2 March 2026\n"
               "There is black mould all over the baby's bedroom wall.\n")
    assert types(outlook, subject="Re: repairs") == []  # a reply's history
    assert types(outlook, subject="FW: repairs") == ["damp_mould"]  # a forwarded matter


def test_reading_ranges_leave_out_quoted_lines() -> None:
    ranges = reading_ranges("Re: leak", INLINE)
    read = " ".join(INLINE[a:b] for part, a, b in ranges if part == "body")
    assert "You reported" not in read and "smell of gas" in read


VULNERABLE = [
    ("age", "My mother is 87 years old and lives on the ground floor."),
    ("age", "I am writing for my elderly neighbour, a pensioner."),
    ("child", "We have a newborn baby and two young children."),
    ("pregnancy", "I am 7 months pregnant."),
    ("disability", "My husband uses a wheelchair and is registered disabled."),
    ("health", "My son has asthma and the GP says the damp makes it worse."),
    ("health", "I have COPD and a heart condition and my breathing is bad."),
    ("mental_health", "This is making my anxiety and depression worse."),
    ("lives_alone", "She lives alone and has no family nearby."),
]


@pytest.mark.parametrize(("cue", "text"), VULNERABLE)
def test_vulnerability_cues_are_found_with_evidence(cue: str, text: str) -> None:
    found = find_vulnerability("", text)
    assert cue in [c.cue for c in found], found
    assert all(c.evidence in text for c in found)


def test_no_children_is_no_child_cue() -> None:
    assert "child" not in [c.cue for c in find_vulnerability("", "We have no children.")]


def test_the_models_addition_goes_in_urgency_order_and_never_twice() -> None:
    found = find_hazards("", "Water is pouring through the ceiling.")
    sentence = "The boiler has been making a strange noise."
    assert combine(found, None) == found
    assert combine(found, HazardFinding("water_leak", sentence, "model", 0.9)) == found
    added = combine(found, HazardFinding("gas", sentence, "model", 0.9))
    assert [h.type for h in added] == ["gas", "water_leak"]
    assert added[0].found_by == "model" and added[0].evidence == sentence


def test_a_lexicon_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "hazards.toml"
    bad.write_text('urgency = ["gas"]\n[[hazard]]\ntype = "gas"\n[[hazard.rule]]\n'
                   'all = [["smell"]]\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="at least two slots"):
        load_hazard_lexicon(bad)
    bad.write_text('urgency = ["gas", "fire"]\n[[hazard]]\ntype = "gas"\n[[hazard.rule]]\n'
                   'any = ["gas leak"]\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="must name each type once"):
        load_hazard_lexicon(bad)


words = st.sampled_from([
    "the", "mould", "no", "not", "gas", "leak", "if", "in case", "ceiling", "bulging", "heating",
    "fixed", "still", "rats", "wires", "exposed", "baby", "87-year-old", ",", ".", "\n",
    "> ", "On Monday Bob wrote:\n", "isn't", "water's", "coming", "through", "asthma", "🙂",
    "ﬁ", "\r\n", "   ", "-", "’", "é"])


@settings(max_examples=150, deadline=None)
@given(st.lists(words, max_size=60).map(" ".join), st.text(max_size=40))
def test_evidence_is_always_an_exact_substring(body: str, subject: str) -> None:
    hazards, cues = find_all(subject, body)
    for finding in [*hazards, *cues]:
        assert finding.evidence
        assert finding.evidence in body or finding.evidence in subject
    order = hazard_order()
    ranks = [order.index(h.type) for h in hazards]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)


NOUNS = ["mould", "damp", "rats", "mice", "asbestos", "condensation", "cockroaches"]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(NOUNS), st.sampled_from(NOUNS),
       st.sampled_from(["There is no sign of", "There is no", "There has never been any",
                        "The surveyor found no", "We have not seen any"]))
def test_a_denial_covers_every_hazard_in_its_list(first: str, second: str, cue: str) -> None:
    assert types(f"{cue} {first} or {second} in the flat.") == []
    assert types(f"{cue} {first} or {second} in the flat, but there is {second} in the loft."
                 ) != []


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FAMILIES), st.text(alphabet="abc .,\n", max_size=30),
       st.text(alphabet="xyz .,\n", max_size=30))
def test_a_family_is_found_whatever_surrounds_it(family, before: str, after: str) -> None:
    kind, sentence = family
    text = f"{before}\n\n{sentence}\n\n{after}"
    found = find_hazards("", text)
    assert kind in [h.type for h in found]
    assert all(h.evidence in text for h in found)
