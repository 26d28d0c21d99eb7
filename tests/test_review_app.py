"""The review web app against a real SQLite database: log-in, roles, CSRF, the pages, and each
officer decision moving its item on through the pipeline's staging."""

from __future__ import annotations

import re
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.settings import Settings
from models.db import migrate, session_scope
from models.tables import (
    Case,
    CaseEvent,
    DraftLetter,
    ExtractedFields,
    IntakeRecord,
    Item,
    ReportSetting,
    ReviewDecision,
    User,
)
from pipeline.users import add_user
from tests.review_fixtures import (
    HOSTILE,
    HOSTILE_HTML,
    PASSWORD,
    add_case,
    add_waiting_item,
    csrf_of,
    email_bytes,
)

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date.today()


def _seed(settings: Settings) -> dict[str, int]:
    ids = {
        # Least confident, but no hazard and a later deadline.
        "unsure": add_waiting_item(settings, subject="Repairs late", category="complaint",
                                   text="The boiler is broken and nobody came.",
                                   confidence=0.35, received=BASE,
                                   review_due=TODAY + timedelta(days=5)),
        "hazard": add_waiting_item(settings, subject="Mould everywhere", category="complaint",
                                   text="Black mould in the bedroom.", confidence=0.70,
                                   received=BASE + timedelta(days=1), hazard="damp_mould",
                                   review_due=TODAY + timedelta(days=9), name="Carol Hazard",
                                   postcode="LA1 3CC"),
        "soonest": add_waiting_item(settings, subject=f"Hi {HOSTILE}", category="complaint",
                                    text=f"Please read {HOSTILE} now", confidence=0.60,
                                    received=BASE + timedelta(days=2),
                                    review_due=TODAY + timedelta(days=1)),
        "letter": add_waiting_item(settings, subject="", category="service_request",
                                   text="Please fix the gate.", confidence=0.55,
                                   received=BASE, source="letter", raw=_pdf_bytes(),
                                   review_due=TODAY + timedelta(days=5),
                                   reason="low-ocr-confidence"),
        "exclusion": add_waiting_item(settings, subject="Court case", category="excluded",
                                      excluded_reason="legal_proceedings",
                                      text="My solicitor has issued proceedings.",
                                      confidence=0.66, received=BASE,
                                      review_due=TODAY + timedelta(days=6),
                                      reason="proposed-exclusion"),
        "html": add_waiting_item(settings, subject="Photos", category="complaint",
                                 text="Dear housing team, the damp is back.", confidence=0.5,
                                 received=BASE, review_due=TODAY + timedelta(days=8),
                                 raw=email_bytes("Photos", "the damp is back", HOSTILE_HTML)),
    }
    ids["quarantined"] = add_waiting_item(settings, subject="Broken scan", category="other",
                                          text="", confidence=0.1, received=BASE,
                                          status="quarantined")
    with session_scope(settings.resolved_database_url) as session:
        broken = session.get(Item, ids["quarantined"])
        broken.error_code, broken.error = "pdf_unreadable", "the PDF has no pages"
    add_case(settings, "CMP-2025-00001", respond_by=TODAY - timedelta(days=5),
             acknowledge_by=TODAY - timedelta(days=15), name="Ann Overdue", postcode="LA1 1AA")
    add_case(settings, "CMP-2025-00002", respond_by=TODAY + timedelta(days=30),
             acknowledge_by=None, name="Bob Current", postcode="LA1 2BB")
    add_case(settings, "CMP-2025-00003", respond_by=TODAY + timedelta(days=1),
             acknowledge_by=None, name="Cy Soon", postcode="LA1 3CC")
    return ids


def _pdf_bytes() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number in (1, 2):
        pdf.drawString(72, 720, f"Page {number}: please fix the gate at 4 Mill Lane.")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Migrated, with users and items, once; each test gets a copy of it."""
    from models.db import get_engine

    data_dir = tmp_path_factory.mktemp("seeded") / "var"
    configured = Settings(data_dir=data_dir, _env_file=None)
    migrate(configured.resolved_database_url)
    add_user(configured, "officer1", "officer", PASSWORD)
    add_user(configured, "boss", "manager", PASSWORD)
    ids = _seed(configured)
    engine = get_engine(configured.resolved_database_url)
    raw = engine.raw_connection()  # autocommit: a checkpoint cannot run inside a transaction
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    engine.dispose()
    return data_dir, ids


@pytest.fixture
def settings(seeded: tuple[Path, dict[str, int]], tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    import shutil

    monkeypatch.delenv("TRIAGE_SECRET_KEY", raising=False)
    data_dir = tmp_path / "var"
    shutil.copytree(seeded[0], data_dir)
    return Settings(data_dir=data_dir, _env_file=None)


@pytest.fixture
def ids(seeded: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return seeded[1]


@pytest.fixture
def client(settings: Settings, ids: dict[str, int]) -> TestClient:
    from review.app import create_app

    return TestClient(create_app(settings), follow_redirects=False)


def _login(client: TestClient, username: str = "officer1", password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def _logged_in(client: TestClient, username: str = "officer1") -> TestClient:
    response = _login(client, username)
    assert response.status_code == 303 and response.headers["location"] == "/"
    return client


def _token(client: TestClient, path: str = "/") -> str:
    return csrf_of(client.get(path).text)


def _decide(client: TestClient, item_id: int, **data: str):
    return client.post(f"/items/{item_id}/decision",
                       data={"csrf_token": _token(client, f"/items/{item_id}"), **data})


def _decisions(settings: Settings, item_id: int) -> list[ReviewDecision]:
    with session_scope(settings.resolved_database_url) as session:
        return list(session.scalars(select(ReviewDecision)
                                    .where(ReviewDecision.item_id == item_id)
                                    .order_by(ReviewDecision.id)))


def _drafts(settings: Settings, case_id: int) -> list[DraftLetter]:
    with session_scope(settings.resolved_database_url) as session:
        return list(session.scalars(select(DraftLetter).where(DraftLetter.case_id == case_id)
                                    .order_by(DraftLetter.id)))


def _item(settings: Settings, item_id: int) -> Item:
    with session_scope(settings.resolved_database_url) as session:
        item = session.get(Item, item_id)
        assert item is not None
        if item.case is not None:
            item.case.events  # noqa: B018 - loaded for the test to read
        return item


# --- sessions, CSRF and roles ---------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/cases", "/cases/CMP-2025-00001", "/items/1",
                                  "/items/4/pages/1.png", "/quarantine", "/performance",
                                  "/admin/users", "/admin/reports", "/nowhere"])
def test_pages_redirect_to_login_without_a_session(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_posts_without_a_session_go_to_login_and_change_nothing(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    response = client.post(f"/items/{ids['unsure']}/decision", data={"action": "accept"})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert _decisions(settings, ids["unsure"]) == []


def test_login_page_and_static_files_are_public(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label for="username">' in page.text and '<label for="password">' in page.text
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/review.js").status_code == 200


def test_wrong_password_gives_no_session(client: TestClient) -> None:
    response = _login(client, password="not the password")
    assert response.status_code == 401
    assert "username or password is wrong" in response.text
    assert client.get("/").status_code == 303


def test_login_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    assert client.post("/login", data={"username": "officer1",
                                       "password": PASSWORD}).status_code == 403
    assert client.post("/login", data={"username": "officer1", "password": PASSWORD,
                                       "csrf_token": "forged"}).status_code == 403
    assert client.get("/").status_code == 303


def test_decision_without_csrf_token_is_refused(client: TestClient, settings: Settings,
                                                ids: dict[str, int]) -> None:
    _logged_in(client)
    for data in ({"action": "accept"}, {"action": "accept", "csrf_token": "forged"}):
        response = client.post(f"/items/{ids['unsure']}/decision", data=data)
        assert response.status_code == 403
        assert "security token" in response.text
    assert _decisions(settings, ids["unsure"]) == []
    assert _item(settings, ids["unsure"]).status == "needs_review"


def test_session_cookie_flags(client: TestClient) -> None:
    cookie = _login(client).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http here


def test_session_cookie_is_secure_over_https(settings: Settings, ids) -> None:
    from review.app import create_app

    client = TestClient(create_app(settings), base_url="https://testserver",
                        follow_redirects=False)
    assert "secure" in _login(client).headers["set-cookie"].lower()
    assert client.get("/").status_code == 200


def test_switched_off_user_is_signed_out_and_cannot_sign_in(client: TestClient,
                                                            settings: Settings) -> None:
    _logged_in(client)
    with session_scope(settings.resolved_database_url) as session:
        session.scalar(select(User).where(User.username == "officer1")).active = False
    assert client.get("/").status_code == 303
    assert _login(client).status_code == 401


def test_officers_cannot_reach_manager_pages(client: TestClient) -> None:
    _logged_in(client)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/reports").status_code == 403
    token = _token(client)
    response = client.post("/admin/users", data={"csrf_token": token, "username": "mallory",
                                                 "role": "manager", "password": "x" * 12})
    assert response.status_code == 403
    assert "Users" not in client.get("/").text.split("<main")[0]


def test_manager_adds_changes_and_switches_off_users(client: TestClient,
                                                     settings: Settings) -> None:
    _logged_in(client, "boss")
    token = _token(client, "/admin/users")
    added = client.post("/admin/users", data={"csrf_token": token, "username": "newbie",
                                              "role": "officer", "password": "long enough 1"})
    assert added.status_code == 303
    assert "newbie" in client.get("/admin/users").text
    short = client.post("/admin/users", data={"csrf_token": token, "username": "x",
                                              "role": "officer", "password": "short"})
    assert "at least 8" in client.get(short.headers["location"]).text or "8 to" in \
        client.get("/admin/users").text
    client.post("/admin/users/newbie", data={"csrf_token": token, "role": "manager",
                                             "active": "no"})
    with session_scope(settings.resolved_database_url) as session:
        newbie = session.scalar(select(User).where(User.username == "newbie"))
        assert newbie.role == "manager" and newbie.active is False
    demote_self = client.post("/admin/users/boss", data={"csrf_token": token,
                                                         "role": "officer"})
    assert "cannot switch off or demote" in client.get(demote_self.headers["location"]).text
    client.post("/admin/users/officer1", data={"csrf_token": token,
                                               "password": "a new password"})
    other = TestClient(client.app, follow_redirects=False)
    assert _login(other, "officer1", "a new password").status_code == 303


def test_manager_sets_report_settings(client: TestClient, settings: Settings) -> None:
    _logged_in(client, "boss")
    token = _token(client, "/admin/reports")
    response = client.post("/admin/reports/code-2024", data={
        "csrf_token": token, "homes": "12500", "due_soon_days": "5"})
    assert response.status_code == 303
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(ReportSetting, "code-2024")
        assert (row.homes, row.due_soon_days, row.updated_by) == (12500, 5, "boss")
    bad = client.post("/admin/reports/code-2024", data={"csrf_token": token, "homes": "-3",
                                                        "due_soon_days": "5"})
    assert "whole number" in client.get(bad.headers["location"]).text
    assert client.post("/admin/reports/nonsense", data={"csrf_token": token, "homes": "1",
                                                        "due_soon_days": "1"}).status_code == 404


def test_security_headers(client: TestClient) -> None:
    for response in (client.get("/login"), client.get("/"), _logged_in(client).get("/")):
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
    page = client.get("/").text
    assert "<script>" not in page and 'src="/static/review.js"' in page
    assert " style=" not in page and " onclick" not in page


# --- the queue and the item page --------------------------------------------------------

def _queue_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="queue-link" href="/items/(\d+)', html)]


def test_queue_orders_hazard_then_deadline_then_confidence(client: TestClient,
                                                           ids: dict[str, int]) -> None:
    page = _logged_in(client).get("/")
    assert page.status_code == 200
    assert _queue_ids(page.text) == [ids["hazard"], ids["soonest"], ids["unsure"],
                                     ids["letter"], ids["exclusion"], ids["html"]]
    assert "Carol Hazard" in page.text and "LA1 3CC" in page.text
    assert "6 waiting for an officer" in page.text and "1 quarantined" in page.text


def test_queue_filters_by_category_source_and_reason(client: TestClient,
                                                     ids: dict[str, int]) -> None:
    _logged_in(client)
    assert _queue_ids(client.get("/?category=excluded").text) == [ids["exclusion"]]
    assert _queue_ids(client.get("/?source=letter").text) == [ids["letter"]]
    assert _queue_ids(client.get("/?reason=proposed-exclusion").text) == [ids["exclusion"]]
    assert len(_queue_ids(client.get("/?category=nonsense").text)) == 6  # unknown: ignored


def test_queue_pages(client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    for n in range(55):
        add_waiting_item(settings, subject=f"Bulk {n}", category="other", text="x",
                         confidence=0.9, received=BASE, review_due=TODAY + timedelta(days=20))
    _logged_in(client)
    first, last = client.get("/").text, client.get("/?page=2").text
    assert len(_queue_ids(first)) == 50 and len(_queue_ids(last)) == 11
    assert "Page 1 of 2" in first and "page=2" in first


def test_item_content_is_escaped(client: TestClient, ids: dict[str, int]) -> None:
    _logged_in(client)
    for path in ("/", f"/items/{ids['soonest']}"):
        page = client.get(path)
        assert page.status_code == 200
        assert HOSTILE not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;b&gt;named&lt;/b&gt;" in client.get(f"/items/{ids['soonest']}").text


def test_email_html_is_shown_only_sanitised(client: TestClient, ids: dict[str, int]) -> None:
    page = _logged_in(client).get(f"/items/{ids['html']}").text
    html = page.split('class="email-html"')[1].split("</div>")[0]
    assert "<b>the damp is back</b>" in html
    assert 'href="https://example.org/photos"' in html and "noopener" in html
    for active in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe",
                   "<form", "<style", "<object", "<img", "<svg"):
        assert active not in html.lower(), active


def test_item_page_shows_prediction_fields_and_keyboard_buttons(
        client: TestClient, ids: dict[str, int]) -> None:
    page = _logged_in(client).get(f"/items/{ids['hazard']}").text
    assert "70%" in page and "Carol Hazard" in page
    assert 'data-key="a"' in page
    for key, name in enumerate(("complaint", "service_request", "excluded", "compliment",
                                "other"), start=1):
        assert f'value="{name}" data-key="{key}"' in page
    for field in ("name", "postcode", "incident_date", "staff"):
        assert f'<label for="field-{field}">' in page and f'id="field-{field}"' in page
    assert 'id="next-item"' in page and "1 of 6 in the queue" in page
    assert client.get("/items/999").status_code == 404


def test_exclusion_page_offers_confirm_and_refuse(client: TestClient,
                                                  ids: dict[str, int]) -> None:
    page = _logged_in(client).get(f"/items/{ids['exclusion']}").text
    assert 'value="confirm_exclusion"' in page and 'value="refuse_exclusion"' in page
    assert ('id="reason-legal_proceedings" name="excluded_reason" value="legal_proceedings" '
            'checked>') in page


def test_letter_pages_are_rendered_from_the_stored_pdf(client: TestClient,
                                                       ids: dict[str, int]) -> None:
    _logged_in(client)
    page = client.get(f"/items/{ids['letter']}").text
    assert f'src="/items/{ids["letter"]}/pages/1.png"' in page
    assert f'src="/items/{ids["letter"]}/pages/2.png"' in page
    assert 'alt="Scanned page 2' in page and "Please fix the gate." in page
    image = client.get(f"/items/{ids['letter']}/pages/1.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert client.get(f"/items/{ids['letter']}/pages/3.png").status_code == 404
    assert client.get(f"/items/{ids['unsure']}/pages/1.png").status_code == 404


# --- decisions --------------------------------------------------------------------------

def test_accepting_a_complaint_opens_its_case_and_records_the_label(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    response = _decide(client, ids["unsure"], action="accept", note="checked the text")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/items/")  # on to the next item
    item = _item(settings, ids["unsure"])
    assert item.status == "staged" and item.case is not None
    assert item.case.ref.startswith("CMP-2026-") and item.case.stage == 1
    assert [e.kind for e in item.case.events] == ["opened"]
    assert [d.kind for d in _drafts(settings, item.case.id)] == ["acknowledgement"]
    [decision] = _decisions(settings, ids["unsure"])
    assert (decision.officer, decision.action, decision.category) == (
        "officer1", "accept", "complaint")
    assert decision.note == "checked the text" and decision.decided_at is not None
    flash = client.get(response.headers["location"]).text
    assert f"case {item.case.ref} opened" in flash and f'href="/cases/{item.case.ref}"' in flash
    assert ids["unsure"] not in _queue_ids(client.get("/").text)


def test_correcting_to_a_service_request_opens_no_case(client: TestClient, settings: Settings,
                                                       ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["hazard"], correct="service_request")
    item = _item(settings, ids["hazard"])
    assert item.status == "staged" and item.case_id is None
    with session_scope(settings.resolved_database_url) as session:
        record = session.scalar(select(IntakeRecord).where(IntakeRecord.item_id == item.id))
        assert record.kind == "service_request" and record.detail["hazard"] == "damp_mould"
        [reply] = session.scalars(select(DraftLetter).where(DraftLetter.item_id == item.id))
        assert reply.kind == "service_request"
    assert "Letters drafted for this item" in client.get(f"/items/{ids['hazard']}").text
    [decision] = _decisions(settings, ids["hazard"])
    assert (decision.action, decision.category, decision.hazard) == (
        "correct", "service_request", "damp_mould")


def test_correcting_to_other_archives(client: TestClient, settings: Settings,
                                      ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["letter"], correct="other")
    assert _item(settings, ids["letter"]).status == "ignored"
    assert _decisions(settings, ids["letter"])[0].category == "other"


def test_an_exclusion_needs_a_reason_the_policy_allows(client: TestClient, settings: Settings,
                                                       ids: dict[str, int]) -> None:
    _logged_in(client)
    missing = _decide(client, ids["unsure"], correct="excluded")
    assert "needs its reason" in client.get(missing.headers["location"]).text
    refused = _decide(client, ids["unsure"], correct="excluded",
                      excluded_reason="policy_disagreement")
    assert "does not allow" in client.get(refused.headers["location"]).text
    assert _decisions(settings, ids["unsure"]) == []
    assert _item(settings, ids["unsure"]).status == "needs_review"
    _decide(client, ids["unsure"], correct="excluded", excluded_reason="out_of_time")
    [decision] = _decisions(settings, ids["unsure"])
    assert (decision.category, decision.excluded_reason) == ("excluded", "out_of_time")
    assert _item(settings, ids["unsure"]).status == "staged"


def test_confirming_a_proposed_exclusion(client: TestClient, settings: Settings,
                                         ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["exclusion"], action="confirm_exclusion",
            excluded_reason="legal_proceedings")
    [decision] = _decisions(settings, ids["exclusion"])
    assert (decision.action, decision.category, decision.excluded_reason) == (
        "confirm_exclusion", "excluded", "legal_proceedings")
    item = _item(settings, ids["exclusion"])
    assert item.status == "staged"
    assert (item.case.status, item.case.refused_reason) == ("refused", "legal_proceedings")
    assert [e.kind for e in item.case.events] == ["opened", "refused"]
    assert item.case.events[-1].detail["by"] == "officer1"
    [refusal] = _drafts(settings, item.case.id)
    assert refusal.kind == "refusal" and "Ombudsman" in refusal.body
    with session_scope(settings.resolved_database_url) as session:
        record = session.scalar(select(IntakeRecord).where(IntakeRecord.item_id == item.id))
        assert record is None or (record.status, record.case_id) == ("confirmed", item.case.id)


def test_refusing_a_proposed_exclusion_opens_a_case(client: TestClient, settings: Settings,
                                                    ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["exclusion"], action="refuse_exclusion")
    item = _item(settings, ids["exclusion"])
    assert item.case is not None and item.status == "staged"
    decision = _decisions(settings, ids["exclusion"])[0]
    assert (decision.category, decision.excluded_reason) == ("complaint", None)


def test_attach_to_an_existing_case_and_escalate(client: TestClient, settings: Settings,
                                                 ids: dict[str, int]) -> None:
    _logged_in(client)
    unknown = _decide(client, ids["unsure"], action="attach", case_ref="CMP-2025-09999")
    assert "no case CMP-2025-09999" in client.get(unknown.headers["location"]).text
    _decide(client, ids["unsure"], action="attach", case_ref="cmp-2025-00002")
    item = _item(settings, ids["unsure"])
    assert item.case.ref == "CMP-2025-00002"
    assert [e.kind for e in item.case.events] == ["opened", "follow_up"]
    _decide(client, ids["soonest"], action="attach", case_ref="CMP-2025-00002",
            escalate="yes")
    case = _item(settings, ids["soonest"]).case
    assert case.stage == 2 and [e.kind for e in case.events][-1] == "escalated"
    assert [d.action for d in _decisions(settings, ids["soonest"])] == ["attach"]


def test_a_decided_item_cannot_be_decided_again(client: TestClient, settings: Settings,
                                                ids: dict[str, int]) -> None:
    _logged_in(client)
    token = _token(client, f"/items/{ids['unsure']}")
    client.post(f"/items/{ids['unsure']}/decision", data={"csrf_token": token,
                                                          "action": "accept"})
    again = client.post(f"/items/{ids['unsure']}/decision",
                        data={"csrf_token": token, "correct": "other"})
    assert "no longer waits for review: officer1 decided it" in client.get(
        again.headers["location"]).text
    assert len(_decisions(settings, ids["unsure"])) == 1


def test_marking_a_hazard_puts_the_item_first(client: TestClient, settings: Settings,
                                              ids: dict[str, int]) -> None:
    _logged_in(client)
    token = _token(client, f"/items/{ids['html']}")
    client.post(f"/items/{ids['html']}/hazard", data={"csrf_token": token, "hazard": "gas"})
    queue = _queue_ids(client.get("/").text)
    assert queue[:2] == [ids["html"], ids["hazard"]]  # hazards, nearest deadline first
    [decision] = _decisions(settings, ids["html"])
    assert (decision.action, decision.hazard, decision.category) == ("mark_hazard", "gas", None)
    bad = client.post(f"/items/{ids['html']}/hazard", data={"csrf_token": token,
                                                            "hazard": "ghosts"})
    assert "unknown hazard" in client.get(bad.headers["location"]).text


def test_hazard_on_a_case_is_logged(client: TestClient, settings: Settings,
                                    ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["unsure"], action="accept")
    token = _token(client, f"/items/{ids['unsure']}")
    client.post(f"/items/{ids['unsure']}/hazard", data={"csrf_token": token,
                                                        "hazard": "electrical"})
    case = _item(settings, ids["unsure"]).case
    assert case.hazard == "electrical" and case.events[-1].kind == "hazard_marked"


def test_editing_fields(client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    token = _token(client, f"/items/{ids['unsure']}")
    client.post(f"/items/{ids['unsure']}/fields", data={
        "csrf_token": token, "name": "  Dana   Resident ", "postcode": "la1 4dd",
        "staff": "Tom, Daniel Hughes", "incident_date": "2026-02-20",
        "contact_method": "phone"})
    with session_scope(settings.resolved_database_url) as session:
        fields = session.get(ExtractedFields, ids["unsure"])
        assert (fields.name, fields.postcode, fields.staff, fields.incident_date,
                fields.contact_method) == ("Dana Resident", "LA1 4DD", ["Tom", "Daniel Hughes"],
                                           date(2026, 2, 20), "phone")
    [decision] = _decisions(settings, ids["unsure"])
    assert decision.action == "edit_fields" and decision.category is None
    assert "name" in decision.note and "Dana" not in decision.note
    bad = client.post(f"/items/{ids['unsure']}/fields", data={"csrf_token": token,
                                                              "incident_date": "31/02/2026"})
    assert "incident date must be a date" in client.get(bad.headers["location"]).text


def test_confirmed_labels_are_the_latest_settled_decisions(client: TestClient,
                                                           settings: Settings,
                                                           ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["hazard"], correct="compliment")
    _decide(client, ids["exclusion"], action="confirm_exclusion",
            excluded_reason="legal_proceedings")
    token = _token(client, f"/items/{ids['hazard']}")
    client.post(f"/items/{ids['hazard']}/hazard", data={"csrf_token": token, "hazard": ""})
    with session_scope(settings.resolved_database_url) as session:
        settled = session.execute(select(ReviewDecision.item_id, ReviewDecision.category,
                                         ReviewDecision.excluded_reason)
                                  .where(ReviewDecision.category.is_not(None))
                                  .order_by(ReviewDecision.id)).all()
    assert [tuple(row) for row in settled] == [
        (ids["hazard"], "compliment", None),
        (ids["exclusion"], "excluded", "legal_proceedings")]


# --- cases and quarantine ---------------------------------------------------------------

def test_cases_highlight_overdue_and_due_soon(client: TestClient) -> None:
    page = _logged_in(client).get("/cases").text
    rows = {ref: re.search(rf'<tr id="case-{ref}"([^>]*)>', page).group(1)
            for ref in ("CMP-2025-00001", "CMP-2025-00002", "CMP-2025-00003")}
    assert 'class="overdue"' in rows["CMP-2025-00001"]
    assert rows["CMP-2025-00002"] == ""
    assert 'class="due-soon"' in rows["CMP-2025-00003"]
    assert "Ann Overdue" in client.get("/cases?due=overdue").text
    assert "Bob Current" not in client.get("/cases?due=overdue").text
    soon = client.get("/cases?due=soon").text
    assert "Cy Soon" in soon and "Ann Overdue" not in soon and "Bob Current" not in soon
    assert "Bob Current" in client.get("/cases?ref=LA1 2BB").text


def test_case_page_shows_timeline_and_items(client: TestClient, ids: dict[str, int]) -> None:
    _logged_in(client)
    _decide(client, ids["unsure"], action="attach", case_ref="CMP-2025-00001")
    page = client.get("/cases/CMP-2025-00001").text
    assert "Timeline" in page and "opened" in page and "follow up" in page
    assert f'href="/items/{ids["unsure"]}"' in page and "Repairs late" in page
    assert "(overdue)" in page
    assert client.get("/cases/CMP-1999-00001").status_code == 404


def test_case_page_shows_the_log_and_letters_escaped(settings: Settings,
                                                     client: TestClient) -> None:
    with session_scope(settings.resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.ref == "CMP-2025-00001"))
        session.add(CaseEvent(case_id=case.id, kind="extended", stage=1,
                              detail={"reason": HOSTILE, "days": 5}))
        session.add(DraftLetter(case_id=case.id, kind="acknowledgement", stage=1,
                                subject="Your complaint CMP-2025-00001",
                                body=f"We understand: {HOSTILE}"))
    _logged_in(client)
    assert 'href="/cases/CMP-2025-00001"' in client.get("/cases").text
    page = client.get("/cases/CMP-2025-00001")
    assert page.status_code == 200
    assert HOSTILE not in page.text
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "acknowledgement, stage 1: Your complaint CMP-2025-00001" in page.text
    assert "Not sent" in page.text


def test_quarantine_lists_reasons_with_a_retry_button(client: TestClient,
                                                      ids: dict[str, int]) -> None:
    page = _logged_in(client).get("/quarantine").text
    assert "pdf_unreadable" in page and "the PDF has no pages" in page
    assert f'action="/quarantine/{ids["quarantined"]}/retry"' in page
    token = csrf_of(page)
    not_quarantined = client.post(f"/quarantine/{ids['unsure']}/retry",
                                  data={"csrf_token": token})
    assert "is not quarantined" in client.get(not_quarantined.headers["location"]).text


def test_retry_reads_a_quarantined_item_again(tmp_path: Path, model_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The retry button runs the batch code over the stored bytes; the item leaves quarantine."""
    import shutil

    from review.app import create_app

    monkeypatch.delenv("TRIAGE_SECRET_KEY", raising=False)
    data_dir = tmp_path / "var"
    shutil.copytree(model_dir, data_dir / "models")
    configured = Settings(data_dir=data_dir, _env_file=None)
    migrate(configured.resolved_database_url)
    add_user(configured, "officer1", "officer", PASSWORD)
    raw = email_bytes("Leak", "Water is coming through my ceiling again and nobody has "
                      "come to fix it. Dana Resident, 4 Mill Lane, PR1 4AB")
    item_id = add_waiting_item(configured, subject="", text="", category="other",
                               confidence=0.1, received=BASE, raw=raw, status="quarantined")
    client = TestClient(create_app(configured), follow_redirects=False)
    _logged_in(client)
    response = client.post(f"/quarantine/{item_id}/retry",
                           data={"csrf_token": _token(client, "/quarantine")})
    assert "retried: now" in client.get(response.headers["location"]).text
    item = _item(configured, item_id)
    assert item.status != "quarantined" and item.text and "ceiling" in item.text


def test_performance_page_draws_the_report_figures(client: TestClient, settings: Settings,
                                                   ids: dict[str, int]) -> None:
    _logged_in(client, "boss")
    client.post("/admin/reports/code-2024", data={"csrf_token": _token(client, "/admin/reports"),
                                                  "homes": "2000", "due_soon_days": "3"})
    _decide(client, ids["unsure"], action="accept")
    _decide(client, ids["exclusion"], action="confirm_exclusion",
            excluded_reason="legal_proceedings")
    _decide(client, ids["letter"], correct="complaint")  # counted as the officer settled it
    page = client.get("/performance?year=2025")  # 1 April 2025 to 31 March 2026
    assert page.status_code == 200
    text = page.text
    assert "2025-04-01 to 2026-03-31" in text and "2,000 homes" in text
    stage_1 = re.search(r"<th scope=\"row\">Stage 1</th>\s*<td>(\d+)</td>\s*<td>([^<]+)</td>",
                        text)
    assert stage_1 and stage_1.groups() == ("2", "1.0")  # two complaints, 2,000 homes
    by_category = text.split('id="by-category"')[1].split("</table>")[0]
    assert "<td>complaint</td><td>5</td>" in by_category
    assert "service request" not in by_category
    refusals = text.split('id="refusals"')[1]
    assert "(1)" in refusals.split("</h2>")[0] and "legal proceedings" in refusals
    assert text.count('<svg class="chart" role="img"') >= 3
    assert "<script" not in text.split("<main")[1]
    assert client.get("/performance?year=1900").status_code == 200  # falls back to this year


# --- keys and secrets -------------------------------------------------------------------

def test_logout_needs_csrf_and_ends_the_session(client: TestClient) -> None:
    page = _logged_in(client).get("/").text
    assert client.post("/logout", data={}).status_code == 403
    response = client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/").status_code == 303


def test_secret_key_file_is_private_and_kept(settings: Settings) -> None:
    from review.auth import secret_key

    first = secret_key(settings.data_dir)
    path = settings.data_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(settings.data_dir) == first


def test_secret_key_from_environment(settings: Settings, monkeypatch) -> None:
    from review.auth import secret_key

    monkeypatch.setenv("TRIAGE_SECRET_KEY", "from-the-environment")
    assert secret_key(settings.data_dir) == "from-the-environment"



def test_item_page_shows_why_beside_the_probabilities(client: TestClient, settings: Settings,
                                                      trained_model) -> None:
    """An item triaged by the real model: its page names the phrases that weighed most."""
    import html

    from ingest.items import RawItem
    from ingest.reading import read_item
    from models.db import session_scope
    from models.plans import save_result
    from models.repository import record_raw
    from workflow.policy import load_policy
    from workflow.rules import Thresholds
    from workflow.triage import triage_item

    raw = email_bytes("Black mould in the bedroom AGAIN", (
        "I have reported the black mould in my son's bedroom three times since January and "
        "nobody has come. The wall is wet and the mould is spreading to the ceiling.\n\n"
        "Joan Whitmore\n5 Alder Court, Preston PR2 6QQ"))
    arrived = RawItem("email", raw, "file:why.eml", datetime(2026, 3, 2, 10, tzinfo=UTC))
    policy = load_policy("code-2024")
    result = triage_item(read_item(arrived), model=trained_model, policy=policy,
                         thresholds=Thresholds(auto=1.0, suggest=0.3))
    with session_scope(settings.resolved_database_url) as session:
        row, _ = record_raw(session, settings.raw_dir, arrived)
        session.flush()
        save_result(session, row, result, policy)
        item_id = row.id
    page = _logged_in(client).get(f"/items/{item_id}").text
    assert result.prediction.explanation
    assert "the words that weighed most" in page
    for phrase in result.prediction.explanation:
        assert f"“{html.escape(phrase.text)}”" in page
        assert f"{phrase.weight:+.2f}" in page
