# ruff: noqa: F811 - the app tests' fixtures are imported, then asked for by name
"""The review app's security against a real SQLite database (issue 17, part 8): sessions kept
on the server and revoked, log-in throttled and recorded, the access log, and errors as the
app's own pages with the security headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from core.settings import Settings
from models.db import get_engine, session_scope
from models.tables import Item, ReviewDecision
from models.web_tables import AccessEntry, LoginAttempt, WebSession
from pipeline.security import locked_until
from tests.review_fixtures import PASSWORD, csrf_of
from tests.test_review_app import (  # noqa: F401 - fixtures shared with the app's tests
    _logged_in,
    _login,
    _token,
    client,
    ids,
    seeded,
    settings,
)

HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options",
           "referrer-policy")


def _new_client(client: TestClient) -> TestClient:
    return TestClient(client.app, follow_redirects=False)


def test_the_cookie_is_a_random_token_kept_only_as_its_hash(client: TestClient,
                                                            settings: Settings) -> None:
    _logged_in(client)
    token = client.cookies.get("triage_session")
    assert token and "officer1" not in token and "." not in token and len(token) >= 40
    with session_scope(settings.resolved_database_url) as session:
        rows = list(session.scalars(select(WebSession)))
        assert [row.username for row in rows] == ["officer1"]
        assert token not in {row.token_hash for row in rows}  # only its SHA-256 is stored


def test_a_copied_cookie_is_refused_after_log_out(client: TestClient, settings: Settings,
                                                  ids: dict[str, int]) -> None:
    page = _logged_in(client).get(f"/items/{ids['unsure']}").text
    copied = _new_client(client)
    copied.cookies.set("triage_session", client.cookies.get("triage_session"))
    assert copied.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_of(page)}).status_code == 303
    assert copied.get("/").status_code == 303
    posted = copied.post(f"/items/{ids['unsure']}/hazard",
                         data={"csrf_token": csrf_of(page), "hazard": "damp_mould"})
    assert posted.status_code == 303 and posted.headers["location"] == "/login"
    with session_scope(settings.resolved_database_url) as session:
        assert session.get(Item, ids["unsure"]).hazard is None
        assert session.scalars(select(ReviewDecision).where(
            ReviewDecision.item_id == ids["unsure"])).first() is None


def test_a_reset_or_switch_off_ends_every_session_for_good(client: TestClient) -> None:
    officer = _logged_in(_new_client(client))
    boss = _logged_in(client, "boss")
    token = _token(boss, "/admin/users")
    boss.post("/admin/users/officer1", data={"csrf_token": token, "password": "reset it now"})
    assert officer.get("/").status_code == 303  # the reset ended it
    officer = _new_client(client)
    assert _login(officer, "officer1", "reset it now").status_code == 303
    old_cookie = officer.cookies.get("triage_session")
    boss.post("/admin/users/officer1", data={"csrf_token": token, "active": "no"})
    boss.post("/admin/users/officer1", data={"csrf_token": token, "active": "yes"})
    revived = _new_client(client)
    revived.cookies.set("triage_session", old_cookie)
    assert revived.get("/").status_code == 303  # switching back on revives nothing
    assert boss.get("/").status_code == 200


def test_changing_ones_password_ends_the_other_sessions(client: TestClient) -> None:
    elsewhere = _logged_in(_new_client(client))
    _logged_in(client)
    token = _token(client, "/account")
    wrong = client.post("/account/password", data={"csrf_token": token, "current": "nope",
                                                   "new": "a brand new one",
                                                   "again": "a brand new one"})
    assert "current password is wrong" in client.get(wrong.headers["location"]).text
    changed = client.post("/account/password", data={
        "csrf_token": token, "current": PASSWORD, "new": "a brand new one",
        "again": "a brand new one"})
    assert changed.status_code == 303
    assert "Password changed" in client.get("/account").text  # this browser stays in
    assert elsewhere.get("/").status_code == 303
    assert _login(_new_client(client), "officer1", "a brand new one").status_code == 303


def test_log_in_is_locked_after_repeated_failures_and_every_attempt_is_kept(
        client: TestClient, settings: Settings) -> None:
    for _ in range(settings.login_failures_per_account):
        assert _login(client, password="guess again").status_code == 401
    locked = _login(client)  # the right password, during the lock-out
    assert locked.status_code == 429 and "locked until" in locked.text
    assert client.get("/").status_code == 303
    assert _login(_new_client(client), "boss").status_code == 303  # another account is fine
    with session_scope(settings.resolved_database_url) as session:
        outcomes = [row.outcome for row in session.scalars(
            select(LoginAttempt).where(LoginAttempt.username == "officer1")
            .order_by(LoginAttempt.id))]
    assert outcomes == ["wrong"] * settings.login_failures_per_account + ["locked"]
    boss = _logged_in(client.__class__(client.app, follow_redirects=False), "boss")
    page = boss.get("/admin/access").text
    assert page.count("locked out") == 1 and page.count("wrong password or name") == 5


def test_log_in_is_locked_per_address_across_accounts(settings: Settings) -> None:
    from review.app import create_app

    strict = settings.model_copy(update={"login_failures_per_address": 3})
    client = TestClient(create_app(strict), follow_redirects=False)
    for name in ("anna", "ben", "carl"):  # three names, one address
        assert _login(client, name, "guess").status_code == 401
    assert _login(client).status_code == 429


def test_lock_out_arithmetic() -> None:
    start, window, lockout = datetime(2026, 1, 5, 9, tzinfo=UTC), timedelta(minutes=15), \
        timedelta(minutes=15)
    spaced = [start + timedelta(minutes=10 * n) for n in range(6)]  # never 5 within 15 min
    assert locked_until(spaced, 5, window, lockout) is None
    burst = [start + timedelta(seconds=n) for n in range(5)]
    assert locked_until(burst, 5, window, lockout) == burst[-1] + lockout
    assert locked_until(burst[:4], 5, window, lockout) is None


def test_the_access_log_records_views_and_changes_for_managers(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    client.get(f"/items/{ids['hazard']}")
    client.get("/cases/cmp-2025-00001")
    client.post(f"/items/{ids['hazard']}/hazard",
                data={"csrf_token": _token(client), "hazard": "damp_mould"})
    client.get(f"/items/{ids['letter']}/pages/1.png")  # part of viewing the item
    client.get("/items/999999")  # nothing there, nothing logged
    assert client.get("/admin/access").status_code == 403
    with session_scope(settings.resolved_database_url) as session:
        rows = [(r.username, r.action, r.target_kind, r.target) for r in
                session.scalars(select(AccessEntry).order_by(AccessEntry.id))]
    assert rows == [("officer1", "viewed", "item", str(ids["hazard"])),
                    ("officer1", "viewed", "case", "CMP-2025-00001"),
                    ("officer1", "changed", "item", str(ids["hazard"]))]
    boss = _logged_in(_new_client(client), "boss")
    page = boss.get("/admin/access", params={"target": "CMP-2025-00001"}).text
    assert "case CMP-2025-00001" in page and f"item {ids['hazard']}" not in page


@pytest.mark.parametrize("path", ["/items/9223372036854775808", "/items/" + "9" * 40,
                                  "/items/abc", "/items/0", "/items/-1",
                                  "/items/9223372036854775807",
                                  "/quarantine/99999999999999999999/retry",
                                  "/items/3/pages/99999999999999999999.png"])
def test_ids_out_of_range_are_the_apps_404(client: TestClient, path: str) -> None:
    _logged_in(client)
    response = client.post(path, data={"csrf_token": _token(client)}) \
        if path.endswith("retry") else client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.text and "<!doctype html>" in response.text
    assert all(name in response.headers for name in HEADERS)


def test_a_value_the_app_cannot_use_is_its_own_400_page(client: TestClient) -> None:
    _logged_in(client)
    for path in ("/?page=abc", "/?page=99999999999999999999", "/cases?page=-4"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "cannot use: page" in response.text and "detail" not in response.text
        assert all(name in response.headers for name in HEADERS)


def test_a_server_fault_is_the_apps_500_page_with_the_headers(
        client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    _logged_in(client)
    engine = get_engine(settings.resolved_database_url)
    with engine.begin() as connection:  # a real fault: the queue's table is gone
        connection.execute(text("ALTER TABLE items RENAME TO items_gone"))
    try:
        response = client.get("/")
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE items_gone RENAME TO items"))
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "Traceback" not in response.text
    assert all(name in response.headers for name in HEADERS)
    assert "unhandled error on GET /" in caplog.text
