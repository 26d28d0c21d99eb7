"""The review app's resident page and the item page's resident block, in process: an item
held as about an open case shows the proposal and the resident's other open matters; an
officer links, unlinks, merges and splits through the forms."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from classify.fields import Extraction
from core.settings import Settings
from models.db import migrate
from pipeline.case_import import import_cases
from pipeline.users import add_user
from tests.conftest import REPO
from tests.residency_support import email_item, stage_item
from tests.review_fixtures import PASSWORD, csrf_of

ANN = Extraction(name="Ann Smith", email="ann.smith@example.org", postcode="PR2 4XT",
                 address="14 Ribble Street, Preston")


@pytest.fixture
def app_settings(tmp_path) -> Settings:
    configured = Settings(data_dir=tmp_path / "var", _env_file=None)
    migrate(configured.resolved_database_url)
    add_user(configured, "officer1", "officer", PASSWORD)
    return configured


def signed_in(settings: Settings) -> TestClient:
    from review.app import create_app

    client = TestClient(create_app(settings), follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    assert client.post("/login", data={"username": "officer1", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 303
    return client


def test_resident_page_and_related_item(app_settings: Settings) -> None:
    first = stage_item(app_settings, email_item(
        "Water leaks through my bathroom ceiling onto the landing. Please fix the leak.",
        day=2, subject="Leak"), ANN)
    again = stage_item(app_settings, email_item(
        "The bathroom ceiling leak is still dripping water onto the landing.", day=12,
        subject="Leak still"), ANN)
    client = signed_in(app_settings)
    page = client.get(f"/items/{again}").text
    assert "Seems to be about open case" in page and "CMP-2026-00001" in page
    assert "other open matters" in page and 'href="/residents/1"' in page
    resident = client.get("/residents/1").text
    assert resident.index(f'href="/items/{again}"') < resident.index(f'href="/items/{first}"')
    assert "CMP-2026-00001" in resident and "acknowledgement" in resident
    token = csrf_of(page)
    done = client.post(f"/items/{again}/resident", data={"csrf_token": token,
                                                         "action": "unlink"})
    assert done.status_code == 303
    assert "No resident is linked" in client.get(f"/items/{again}").text
    client.post(f"/items/{again}/resident", data={"csrf_token": token, "resident_id": "1"})
    assert "Linked to" in client.get(f"/items/{again}").text
    split = client.post("/residents/1/split", data={"csrf_token": token,
                                                     "item_ids": str(again)})
    assert split.headers["location"] == "/residents/2"
    merged = client.post("/residents/1/merge", data={"csrf_token": token, "other_id": "2"})
    assert merged.headers["location"] == "/residents/1"
    assert f'href="/items/{again}"' in client.get("/residents/1").text
    missing = client.get("/residents/99")
    assert missing.status_code == 404
    officer_export = client.post("/residents/1/export", data={"csrf_token": token})
    assert officer_export.status_code == 403  # a manager's button


def test_a_manager_downloads_a_subject_access_archive(app_settings: Settings) -> None:
    import io
    import zipfile

    stage_item(app_settings, email_item("The gate is broken.", day=2), ANN, "service_request")
    add_user(app_settings, "boss", "manager", PASSWORD)
    from review.app import create_app

    client = TestClient(create_app(app_settings), follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    page = client.get("/residents/1").text
    assert "Export everything held" in page
    archive = client.post("/residents/1/export", data={"csrf_token": csrf_of(page)})
    assert archive.status_code == 200
    assert "index.html" in zipfile.ZipFile(io.BytesIO(archive.content)).namelist()


def test_an_imported_case_with_a_slash_in_its_reference_has_a_page(app_settings) -> None:
    import_cases(app_settings, REPO / "data" / "examples" / "open-cases.csv", date(2026, 11, 20))
    client = signed_in(app_settings)
    page = client.get("/cases/HC/2026/0412")
    assert page.status_code == 200 and "imported" in page.text
