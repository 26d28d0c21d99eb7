# ruff: noqa: F811 - the app tests' fixtures are imported, then asked for by name
"""Undo (issue 17, part 2) against a real SQLite database: re-queue a decided item, reverse a
confirmed exclusion, undo an escalation made by mistake; each a new event with who and why,
nothing deleted, and the year's figures follow."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.settings import Settings
from models.db import session_scope
from models.tables import Case, CaseEvent, IntakeRecord
from tests.test_review_app import (  # noqa: F401 - fixtures shared with the app's tests
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
from workflow.reporting import stage_records_from_events


def _post(client: TestClient, path: str, **data: str) -> str:
    response = client.post(path, data={"csrf_token": _token(client), **data})
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"]).text


def _events(settings: Settings, ref: str) -> list[CaseEvent]:
    with session_scope(settings.resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        return list(case.events)


def _counted_stages(settings: Settings, ref: str) -> list[int]:
    events = [(e.kind, e.stage, e.detail) for e in _events(settings, ref)]
    return [record.stage for record in stage_records_from_events(ref, events)]


def test_a_confirmed_exclusion_is_reversed_with_who_and_why(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["exclusion"], action="confirm_exclusion",
            excluded_reason="legal_proceedings")
    ref = _item(settings, ids["exclusion"]).case.ref
    assert _counted_stages(settings, ref) == []  # a refused complaint is not counted
    page = client.get(f"/cases/{ref}").text
    assert "Reverse the refusal" in page
    assert "ay why the refusal is reversed" in _post(client, f"/cases/{ref}/reverse-refusal",
                                                      why="  ")
    shown = _post(client, f"/cases/{ref}/reverse-refusal",
                  why="The court case is about a different flat.")
    assert "an open complaint again" in shown
    case = _item(settings, ids["exclusion"]).case
    assert (case.status, case.refused_reason) == ("open", None)
    last = _events(settings, ref)[-1]
    assert (last.kind, last.detail["reason_was"], last.detail["by"]) == (
        "refusal_reversed", "legal_proceedings", "officer1")
    assert [e.kind for e in _events(settings, ref)] == ["opened", "refused", "refusal_reversed"]
    assert _counted_stages(settings, ref) == [1]
    assert "not refused" in _post(client, f"/cases/{ref}/reverse-refusal", why="again")


def test_an_escalation_made_by_mistake_is_undone_to_the_stage_as_it_was(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["unsure"], action="accept")
    ref = _item(settings, ids["unsure"]).case.ref
    _post(client, f"/cases/{ref}/acknowledge")
    before = _item(settings, ids["unsure"]).case
    _post(client, f"/cases/{ref}/escalate")
    assert _item(settings, ids["unsure"]).case.stage == 2
    assert "back at stage 1" in _post(client, f"/cases/{ref}/undo-escalation",
                                      why="The resident asked about a repair, not stage 2.")
    after = _item(settings, ids["unsure"]).case
    for column in ("stage", "status", "stage_started", "acknowledge_by", "respond_by",
                   "acknowledged_on", "handler"):
        assert getattr(after, column) == getattr(before, column), column
    kinds = [e.kind for e in _events(settings, ref)]
    assert kinds == ["opened", "acknowledged", "escalated", "escalation_undone"]
    assert _counted_stages(settings, ref) == [1]
    assert "no escalation to undo" in _post(client, f"/cases/{ref}/undo-escalation",
                                            why="twice")


def test_a_decided_item_is_re_queued_and_decided_again(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["letter"], action="accept")  # a service request
    assert _item(settings, ids["letter"]).status == "staged"
    page = client.get(f"/items/{ids['letter']}").text
    assert "Reopen this decision" in page
    assert "say why" in _post(client, f"/items/{ids['letter']}/reopen", why="")
    shown = _post(client, f"/items/{ids['letter']}/reopen",
                  why="It is a complaint about the repair service.")
    assert "back in the queue" in shown
    item = _item(settings, ids["letter"])
    assert (item.status, item.review_reason) == ("needs_review", "reopened")
    assert f'href="/items/{ids["letter"]}' in client.get("/?reason=reopened").text
    with session_scope(settings.resolved_database_url) as session:
        record = session.scalar(select(IntakeRecord).where(
            IntakeRecord.item_id == ids["letter"]))
        assert (record.kind, record.status, record.detail["reopened_by"]) == (
            "service_request", "reopened", "officer1")
    _decide(client, ids["letter"], correct="complaint")
    assert _item(settings, ids["letter"]).case is not None
    actions = [d.action for d in _decisions(settings, ids["letter"])]
    assert actions == ["accept", "reopen", "correct"]


def test_re_queueing_the_item_that_opened_a_case_withdraws_the_case(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["soonest"], action="accept")
    ref = _item(settings, ids["soonest"]).case.ref
    shown = _post(client, f"/items/{ids['soonest']}/reopen",
                  why="Opened as a complaint by mistake: it is a compliment.")
    assert f"case {ref}, which it opened, is withdrawn as opened in error" in shown
    item = _item(settings, ids["soonest"])
    assert item.case is None and item.status == "needs_review"
    with session_scope(settings.resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        assert (case.status, case.outcome) == ("withdrawn", "opened_in_error")
    assert [e.kind for e in _events(settings, ref)] == ["opened", "opened_in_error"]
    assert _counted_stages(settings, ref) == []
