# ruff: noqa: F811 - the app tests' fixtures are imported, then asked for by name
"""The item page of a scanned letter says which block of the page each field came from and
how well OCR read it: a letter rendered by the post room, read by real Tesseract, triaged
and stored as the batch runner does, then shown by the review app."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from ingest.items import RawItem
from ingest.reading import read_item
from models.db import session_scope
from models.plans import save_result
from models.repository import record_raw
from pipeline.batch import landlord_of
from postroom.letter import load_letters
from postroom.render import render_pdf
from tests.conftest import REPO
from tests.test_review_app import (  # noqa: F401 - fixtures shared with the app's tests
    _logged_in,
    client,
    ids,
    seeded,
    settings,
)
from workflow.policy import load_policy
from workflow.rules import Thresholds
from workflow.triage import triage_item


def _stored_letter(settings: Settings, model) -> int:
    letter = next(one for one in load_letters(REPO / "data" / "letters") if one.id == "let-0001")
    raw = RawItem("letter", render_pdf(letter), "file:let-0001.pdf",
                  datetime(2026, 1, 20, 9, tzinfo=UTC))
    item = read_item(raw)
    assert any(page.blocks for page in item.pages)
    result = triage_item(item, model=model, policy=load_policy("code-2024"),
                         thresholds=Thresholds(), landlord=landlord_of(settings))
    assert result.extraction.postcode == "PR2 1QT"
    with session_scope(settings.resolved_database_url) as session:
        row, _ = record_raw(session, settings.raw_dir, raw)
        session.flush()
        save_result(session, row, result, load_policy("code-2024"))
        return row.id


@pytest.mark.ocr
def test_each_field_of_a_scanned_letter_names_its_block_and_confidence(
        client: TestClient, settings: Settings, trained_model) -> None:
    item_id = _stored_letter(settings, trained_model)
    page = _logged_in(client).get(f"/items/{item_id}").text
    postcode = re.search(r'id="source-postcode">From ([^<]*)</span>', page)
    assert postcode is not None
    assert re.fullmatch(r"the sender&#39;s block, page 1, read at 0\.\d\d", postcode.group(1))
    address = re.search(r'id="source-address">From ([^<]*)</span>', page)
    assert address is not None and address.group(1).startswith("the sender&#39;s block")
    # The letter's own date is shown with the fields, and no field claims a block falsely.
    assert 'name="written_on" type="date" value="2026-01-12"' in page
    assert "the recipient&#39;s block" not in page


def test_an_email_shows_no_provenance(client: TestClient, ids: dict[str, int]) -> None:
    page = _logged_in(client).get(f"/items/{ids['hazard']}").text
    assert 'value="LA1 3CC"' in page and "provenance" not in page
