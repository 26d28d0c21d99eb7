"""The same-matter proposal (pure): who, what and when, and its precision and recall on the
labelled pair set in data/pairs/ (targets 0.95 and 0.85)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import REPO
from workflow.related import OpenMatter, RelatedQuery, load_matters, related_case, similarity
from workflow.related_eval import evaluate_pairs

PAIRS = REPO / "data" / "pairs" / "related-pairs.jsonl"
CASE = OpenMatter("CMP-2026-00004", 7, "BB2 6LN 2", "BB2 6LN", date(2026, 11, 5),
                  "Black mould in my daughter's bedroom, the damp is making her cough.")


def query(text: str, *, residents=frozenset({7}), home="BB2 6LN 2", postcode="BB2 6LN",
          received=date(2026, 11, 19)) -> RelatedQuery:
    return RelatedQuery(frozenset(residents), home, postcode, received, text)


@pytest.mark.parametrize(("new", "proposed"), [
    (query("The mould in my daughter's bedroom is worse and the damp smells."), True),
    (query("The mould and damp in the bedroom", residents=(), home="BB2 6LN 2"), True),
    (query("The mould and damp in the bedroom", residents=(), home="BB2 6LN 9"), False),
    (query("The lift has been broken for a week."), False),
    (query("Black mould in the bedroom again.", received=date(2027, 6, 1)), False),
    (query("Black mould in my daughter's bedroom.", residents=(), home=None,
           postcode="LA1 1AA"), False),
])
def test_who_what_and_when_decide_a_proposal(new, proposed) -> None:
    found = related_case(new, [CASE])
    assert (found is not None) == proposed
    if found is not None:
        assert found.case_ref == "CMP-2026-00004"
        assert {e.on for e in found.evidence} >= {"text", "window"}


def test_topics_count_more_than_shared_words() -> None:
    config = load_matters()
    alike, shared = similarity("water dripping through the ceiling", "a leak from upstairs",
                               config)
    assert shared == {"leak"} and alike >= 0.6


def test_precision_and_recall_on_the_pair_set_meet_the_targets() -> None:
    figures = evaluate_pairs(PAIRS)
    assert figures["pairs"] >= 60
    assert figures["precision"] >= 0.95 and figures["recall"] >= 0.85, figures["wrong"]
