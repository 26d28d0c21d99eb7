# ruff: noqa: F811 - the app tests' fixtures are imported, then asked for by name
"""Sharing the queue (issue 17, part 5) against a real SQLite database: opening an item holds
it, another officer sees who holds it and cannot decide it until the hold lapses or they take
it over; items assigned in bulk; the same exclusion confirmed on a selection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from core.settings import Settings
from models.db import session_scope
from models.web_tables import ItemClaim
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


def _other(client: TestClient, username: str = "boss") -> TestClient:
    return _logged_in(TestClient(client.app, follow_redirects=False), username)


def test_the_second_officer_sees_who_holds_an_item_and_cannot_decide_it(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    item_id = ids["unsure"]
    _logged_in(client)
    assert "You hold this item" in client.get(f"/items/{item_id}").text
    boss = _other(client)
    page = boss.get(f"/items/{item_id}").text
    assert "officer1 is working on this item" in page and "Take it over" in page
    assert ">officer1</td>" in boss.get("/").text  # the queue shows who holds it
    refused = _decide(boss, item_id, action="accept")
    assert "officer1 holds item" in boss.get(refused.headers["location"]).text
    assert _item(settings, item_id).status == "needs_review"
    with session_scope(settings.resolved_database_url) as session:  # the hold lapses
        session.get(ItemClaim, item_id).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert "You hold this item" in boss.get(f"/items/{item_id}").text
    refused = _decide(client, item_id, action="accept")
    assert "boss holds item" in client.get(refused.headers["location"]).text
    client.post(f"/items/{item_id}/claim", data={"csrf_token": _token(client)})
    _decide(client, item_id, action="accept")
    assert _item(settings, item_id).status == "staged"
    assert [d.officer for d in _decisions(settings, item_id)] == ["officer1"]
    with session_scope(settings.resolved_database_url) as session:
        assert session.get(ItemClaim, item_id) is None  # decided: nobody holds it


def test_items_are_assigned_and_exclusions_confirmed_in_bulk(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    boss = _other(client)
    token = _token(boss)
    assigned = boss.post("/items/bulk", data={"csrf_token": token, "action": "assign",
                                              "assignee": "officer1",
                                              "ids": [str(ids["unsure"]), str(ids["html"])]})
    assert "2 items assigned to officer1" in boss.get(assigned.headers["location"]).text
    _logged_in(client)
    assert "You hold this item" in client.get(f"/items/{ids['html']}").text
    assert "assigned by boss" in boss.get(f"/items/{ids['html']}").text
    confirmed = client.post("/items/bulk", data={
        "csrf_token": _token(client), "action": "confirm_exclusion",
        "reason": "legal_proceedings", "ids": [str(ids["exclusion"]), str(ids["unsure"])]})
    shown = client.get(confirmed.headers["location"]).text
    assert "1 exclusion confirmed" in shown and f"item {ids['unsure']}" in shown
    assert _item(settings, ids["exclusion"]).case.status == "refused"
    assert _item(settings, ids["unsure"]).status == "needs_review"  # not an exclusion
    nobody = boss.post("/items/bulk", data={"csrf_token": token, "action": "assign",
                                            "assignee": "mallory", "ids": [str(ids["html"])]})
    assert "no active officer" in boss.get(nobody.headers["location"]).text
