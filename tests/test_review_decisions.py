# ruff: noqa: F811 - the app tests' fixtures are imported, then asked for by name
"""Decisions that cannot misfire (issue 17, part 3), against a real SQLite database: an
escalation of a case we do not hold is never opened at stage 1 unasked, the exclusion form
offers only the policy's reasons, and a field edit keeps the old and new values."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from core.settings import Settings
from tests.review_fixtures import add_waiting_item
from tests.test_review_app import (  # noqa: F401 - fixtures shared with the app's tests
    BASE,
    TODAY,
    _decide,
    _decisions,
    _item,
    _logged_in,
    _token,
    client,
    ids,
    seeded,
    settings,
)


def _escalation(settings: Settings) -> int:
    item_id = add_waiting_item(
        settings, subject="Stage 2 please", category="complaint", confidence=0.9,
        text="I am not happy with your stage 1 reply to complaint CMP-2025-00412 and ask for "
             "it to go to stage 2.", received=BASE, review_due=TODAY + timedelta(days=3),
        reason="unknown-case-escalation", name="Pat Earlier", postcode="LA2 2PP")
    from models.db import session_scope
    from models.tables import Item

    with session_scope(settings.resolved_database_url) as session:
        session.get(Item, item_id).classifications[-1].escalation = True
    return item_id


def test_an_unknown_escalation_is_never_opened_at_stage_one_unasked(
        client: TestClient, settings: Settings) -> None:
    item_id = _escalation(settings)
    _logged_in(client)
    page = client.get(f"/items/{item_id}").text
    assert "Escalation of a case we do not hold" in page and "quotes CMP-2025-00412" in page
    assert 'value="CMP-2025-00412"' in page and 'value="accept"' not in page
    for data in ({"action": "accept"}, {"correct": "complaint"}):
        refused = _decide(client, item_id, **data)
        assert "do not hold" in client.get(refused.headers["location"]).text
    assert _item(settings, item_id).status == "needs_review"
    held = _decide(client, item_id, action="open_stage", earlier_ref="CMP-2025-00001")
    assert "is held here: attach the item" in client.get(held.headers["location"]).text
    opened = _decide(client, item_id, action="open_stage", earlier_ref=" cmp-2025-00412 ")
    assert "opened at stage 2, noting the earlier reference" in client.get(
        opened.headers["location"]).text
    item = _item(settings, item_id)
    assert (item.case.stage, item.status) == (2, "staged")
    from models.db import session_scope
    from models.tables import DraftLetter

    with session_scope(settings.resolved_database_url) as session:
        drafts = list(session.query(DraftLetter).filter_by(case_id=item.case.id))
    assert [d.kind for d in drafts] == ["stage_acknowledgement"]
    assert "earlier complaint's reference, CMP-2025-00412, is noted" in drafts[0].body
    assert "Stage 1" not in drafts[0].body
    opened_event = item.case.events[0]
    assert (opened_event.kind, opened_event.stage, opened_event.detail["earlier_ref"]) == (
        "opened", 2, "CMP-2025-00412")


def test_not_an_escalation_opens_stage_one_when_the_officer_says_so(
        client: TestClient, settings: Settings) -> None:
    item_id = _escalation(settings)
    _logged_in(client)
    _decide(client, item_id, action="new_complaint")
    item = _item(settings, item_id)
    assert item.case.stage == 1 and item.status == "staged"
    assert _decisions(settings, item_id)[-1].action == "new_complaint"


def test_the_exclusion_form_lists_only_the_policys_reasons_and_says_when_one_is_not(
        client: TestClient, settings: Settings) -> None:
    item_id = add_waiting_item(
        settings, subject="Rent", category="excluded", excluded_reason="policy_disagreement",
        text="I disagree with the rent policy.", confidence=0.7, received=BASE,
        reason="proposed-exclusion")
    _logged_in(client)
    page = client.get(f"/items/{item_id}").text
    assert "policy disagreement is not a reason code-2024 lists" in page
    listed = {"out_of_time", "legal_proceedings", "already_considered"}
    assert set(re.findall(r'name="excluded_reason" value="([a-z_]+)"', page)) == listed
    assert " checked>" not in page.split('id="excluded_reason"')[1].split("</fieldset>")[0]


def test_a_field_edit_keeps_the_old_and_new_values(client: TestClient, settings: Settings,
                                                   ids: dict[str, int]) -> None:
    _logged_in(client)
    token = _token(client, f"/items/{ids['hazard']}")
    client.post(f"/items/{ids['hazard']}/fields", data={
        "csrf_token": token, "name": "Carol Hazzard", "postcode": "la1 3cc",
        "incident_date": "2026-02-20"})
    [decision] = _decisions(settings, ids["hazard"])
    assert decision.detail == {"changes": {
        "name": {"old": "Carol Hazard", "new": "Carol Hazzard"},
        "incident_date": {"old": None, "new": "2026-02-20"}}}  # the postcode did not change
    page = client.get(f"/items/{ids['hazard']}").text
    assert "name: Carol Hazard → Carol Hazzard" in page


LETTER = """Northbrook Homes
Complaints Team
4 Mill Lane
PR1 4AB
12 March 2026

Dear Sir or Madam,

I am writing to complain about the boiler in my flat. It has been broken for three weeks and
engineers have visited three times without fixing it. My children are cold. I have had to buy
heaters which cost me money. I want a refund for the electricity and the boiler replaced.

Yours faithfully,
Dana Resident
07700 900123"""


def test_an_acknowledgement_summarises_in_a_few_sentences_never_the_whole_text() -> None:
    from workflow.drafts import summarise

    assert summarise(LETTER) == (
        "I am writing to complain about the boiler in my flat. It has been broken for three "
        "weeks and engineers have visited three times without fixing it. My children are "
        "cold.")
    assert summarise("The lift is broken") == "The lift is broken"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
               max_size=3000))
def test_a_summary_is_short_whatever_the_text(text: str) -> None:
    from workflow.drafts import summarise

    summary = summarise(text)
    assert len(summary) <= 402
    assert len(re.findall(r"[.!?]\s+(?=[\"'(A-Z0-9])", summary)) <= 2  # three sentences at most
