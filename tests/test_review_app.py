"""The review web app against a real SQLite database: log-in, CSRF, the pages and escaping."""

from __future__ import annotations

import re
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.db import migrate, session_scope
from models.tables import Case, Classification, ExtractedFields, Item
from triage.settings import Settings
from triage.users import add_user

PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script>"


def _item(n: int, status: str, received: datetime, subject: str, text: str = "") -> Item:
    return Item(source="email", source_ref=f"INBOX:1:{n}", sha256=f"{n:064x}",
                raw_path=f"raw/{n}.eml", size_bytes=100, received_at=received,
                subject=subject, text=text, status=status)


def _label(item_id: int, category: str, confidence: float, hazard: str | None) -> Classification:
    return Classification(
        item_id=item_id, category=category, confidence=confidence, hazard=hazard,
        probabilities={category: confidence, "other": 1 - confidence},
        model_version="test", needs_review=True, action="review", policy="code-2024",
        rule_results={"results": [{"rule": "hazard", "hit": hazard is not None,
                                   "reason": "damp & mould <b>named</b>"}]},
    )


def _seed(settings: Settings) -> None:
    base = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    today = date.today()
    with session_scope(settings.resolved_database_url) as session:
        overdue = Case(ref="HC-2025-0001", policy="code-2024", received_at=base,
                       stage_started=today - timedelta(days=40),
                       respond_by=today - timedelta(days=5), name="Ann Overdue",
                       postcode="LA1 1AA")
        current = Case(ref="HC-2025-0002", policy="code-2024", received_at=base,
                       stage_started=today, respond_by=today + timedelta(days=10),
                       name="Bob Current", postcode="LA1 2BB")
        session.add_all([overdue, current])
        session.flush()
        older = _item(1, "needs_review", base, "Repairs late", "The boiler is broken.")
        hazard = _item(2, "needs_review", base + timedelta(days=1), "Mould everywhere",
                       "Black mould in the bedroom.")
        hostile = _item(3, "needs_review", base + timedelta(days=2), f"Hi {HOSTILE}",
                        f"Please read {HOSTILE} now")
        broken = _item(4, "quarantined", base, "Broken scan")
        broken.error_code, broken.error = "pdf_unreadable", "the PDF has no pages"
        hostile.case_id = overdue.id
        session.add_all([older, hazard, hostile, broken])
        session.flush()
        session.add_all([
            _label(older.id, "repairs", 0.40, None),
            _label(hazard.id, "damp_mould", 0.90, "damp_mould"),
            _label(hostile.id, "staff_conduct", 0.30, None),
            ExtractedFields(item_id=hazard.id, name="Carol Hazard", postcode="LA1 3CC"),
        ])


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("TRIAGE_SECRET_KEY", raising=False)
    configured = Settings(data_dir=tmp_path / "var", _env_file=None)
    migrate(configured.resolved_database_url)
    add_user(configured, "officer1", "officer", PASSWORD)
    _seed(configured)
    return configured


@pytest.fixture
def client(settings: Settings) -> TestClient:
    from review.app import create_app

    return TestClient(create_app(settings), follow_redirects=False)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _login(client: TestClient, password: str = PASSWORD):
    token = _csrf(client.get("/login").text)
    return client.post("/login", data={"username": "officer1", "password": password,
                                       "csrf_token": token})


def _logged_in(client: TestClient) -> TestClient:
    response = _login(client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    return client


@pytest.mark.parametrize("path", ["/", "/cases", "/items/1", "/nowhere"])
def test_pages_redirect_to_login_without_a_session(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_login_page_and_static_files_are_public(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert '<label for="username">' in page.text and '<label for="password">' in page.text
    assert client.get("/static/style.css").status_code == 200


def test_wrong_password_gives_no_session(client: TestClient) -> None:
    response = _login(client, "not the password")
    assert response.status_code == 401
    assert "username or password is wrong" in response.text
    assert client.get("/").status_code == 303


def test_login_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "officer1", "password": PASSWORD})
    assert response.status_code == 403
    wrong = client.post("/login", data={"username": "officer1", "password": PASSWORD,
                                        "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert client.get("/").status_code == 303


def test_session_cookie_flags(client: TestClient) -> None:
    cookie = _login(client).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http here


def test_session_cookie_is_secure_over_https(settings: Settings) -> None:
    from review.app import create_app

    client = TestClient(create_app(settings), base_url="https://testserver",
                        follow_redirects=False)
    assert "secure" in _login(client).headers["set-cookie"].lower()
    assert client.get("/").status_code == 200


def test_queue_lists_hazard_first(client: TestClient) -> None:
    page = _logged_in(client).get("/")
    assert page.status_code == 200
    ids = [int(i) for i in re.findall(r'<td><a href="/items/(\d+)">\d+</a></td>', page.text)]
    assert ids[:3] == [2, 1, 3]  # the hazard, then oldest received
    assert ids[3:] == [4]  # the quarantined table
    assert "pdf_unreadable" in page.text and "the PDF has no pages" in page.text
    assert "Carol Hazard" in page.text and "LA1 3CC" in page.text


def test_queue_filters_by_category(client: TestClient) -> None:
    page = _logged_in(client).get("/", params={"category": "repairs"})
    needs_review = page.text.split('id="quarantined"')[0]
    assert "Repairs late" in needs_review and "Mould everywhere" not in needs_review


def test_item_content_is_escaped(client: TestClient) -> None:
    _logged_in(client)
    for path in ("/", "/items/3"):
        page = client.get(path)
        assert page.status_code == 200
        assert HOSTILE not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    detail = client.get("/items/3").text
    assert "<pre" in detail and "HC-2025-0001" in detail
    assert "&lt;b&gt;named&lt;/b&gt;" in detail  # rule reasons are escaped too



def test_item_detail_shows_classification(client: TestClient) -> None:
    page = _logged_in(client).get("/items/2")
    assert "damp_mould" in page.text and "90%" in page.text and "Carol Hazard" in page.text
    assert client.get("/items/999").status_code == 404


def test_security_headers(client: TestClient) -> None:
    for response in (client.get("/login"), client.get("/"), _logged_in(client).get("/")):
        assert response.headers["content-security-policy"] == "default-src 'self'"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"


def test_cases_highlight_overdue(client: TestClient) -> None:
    page = _logged_in(client).get("/cases").text
    overdue = re.search(r'<tr id="case-HC-2025-0001"([^>]*)>', page)
    current = re.search(r'<tr id="case-HC-2025-0002"([^>]*)>', page)
    assert overdue and 'class="overdue"' in overdue.group(1)
    assert current and "overdue" not in current.group(1)


def test_logout_needs_csrf_and_ends_the_session(client: TestClient) -> None:
    page = _logged_in(client).get("/").text
    assert client.post("/logout", data={}).status_code == 403
    response = client.post("/logout", data={"csrf_token": _csrf(page)})
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


def test_case_page_shows_the_log_and_letters_escaped(settings: Settings,
                                                     client: TestClient) -> None:
    from sqlalchemy import select

    from models.tables import CaseEvent, DraftLetter

    with session_scope(settings.resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.ref == "HC-2025-0001"))
        session.add(CaseEvent(case_id=case.id, kind="extended", stage=1,
                              detail={"reason": HOSTILE, "days": 5}))
        session.add(DraftLetter(case_id=case.id, kind="acknowledgement", stage=1,
                                subject="Your complaint HC-2025-0001",
                                body=f"We understand: {HOSTILE}"))
    _logged_in(client)
    assert 'href="/cases/HC-2025-0001"' in client.get("/cases").text
    page = client.get("/cases/HC-2025-0001")
    assert page.status_code == 200
    assert HOSTILE not in page.text
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "acknowledgement (stage 1): Your complaint HC-2025-0001" in page.text
    assert "Not sent" in page.text
    assert client.get("/cases/HC-2099-0001").status_code == 404
