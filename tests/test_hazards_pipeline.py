"""Hazards and vulnerability through the product: `triage inspect --json` carries both keys
on every item in the contract's shape, triage stores them with the classification, and the
item page shows each hazard's evidence beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from fastapi.testclient import TestClient

from core.labels import HAZARDS
from core.settings import Settings
from ingest.items import RawItem
from ingest.reading import read_item
from models.db import migrate, session_scope
from models.plans import save_result
from models.repository import record_raw
from models.tables import Item
from pipeline.users import add_user
from tests.conftest import triage_in_process
from tests.review_fixtures import PASSWORD, csrf_of
from workflow.policy import load_policy
from workflow.rules import Thresholds
from workflow.triage import triage_item

MESSAGES = {
    "hazards.eml": ("Ceiling and gas", "Dear Northbrook Homes,\n\nThe ceiling above the bath "
                    "is bulging and water's coming out of the light. I can also smell gas by "
                    "the cooker. My mother is 87 years old and uses a wheelchair.\n\n"
                    "Please send someone today.\n\nJean Holt\n07700 900123\n"),
    "reply.eml": ("Re: your repair", "Thank you, the plumber came and all is well now.\n\n"
                  "On Tue, 3 Mar 2026 at 09:14, Repairs <repairs@example.org> wrote:\n"
                  "> We are sorry about the leak through your ceiling and the black mould.\n"
                  "> An engineer will attend on Monday.\n"),
    "plain.eml": ("Rent card", "Please could you send me a new rent card.\n\nTom Reed\n"),
}


def _email(subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Resident <resident@example.org>"
    message["To"] = "complaints@northbrook-homes.example.org"
    message["Subject"] = subject
    message["Date"] = "Mon, 02 Mar 2026 09:14:00 +0000"
    message.set_content(body)
    return message.as_bytes()


def test_inspect_json_carries_hazards_and_vulnerability_on_every_item(
        command_env: dict[str, str], tmp_path: Path) -> None:
    paths = []
    for name, (subject, body) in MESSAGES.items():
        path = tmp_path / name
        path.write_bytes(_email(subject, body))
        paths.append(str(path))
    done = triage_in_process("inspect", *paths, "--json", env=command_env)
    assert done.returncode == 0, done.stderr
    views = {Path(v["path"]).name: v for v in map(json.loads, done.stdout.splitlines())}
    assert set(views) == set(MESSAGES)
    for name, view in views.items():
        assert isinstance(view["hazards"], list) and isinstance(view["vulnerability"], list)
        for hazard in view["hazards"]:
            assert set(hazard) == {"type", "evidence"} and hazard["type"] in HAZARDS
            assert hazard["evidence"] and hazard["evidence"] in MESSAGES[name][1] + \
                MESSAGES[name][0]
        for cue in view["vulnerability"]:
            assert set(cue) == {"cue", "evidence"} and cue["evidence"] in MESSAGES[name][1]
        assert view["hazard"] == (view["hazards"][0]["type"] if view["hazards"] else None)
    found = views["hazards.eml"]
    assert [h["type"] for h in found["hazards"]][:1] == ["gas"]
    assert {"gas", "structural", "water_leak"} <= {h["type"] for h in found["hazards"]}
    assert {"age", "disability"} <= {c["cue"] for c in found["vulnerability"]}
    assert views["reply.eml"]["hazards"] == []  # only the landlord's quoted words name them
    assert views["plain.eml"]["hazards"] == [] and views["plain.eml"]["hazard"] is None


def test_triage_stores_hazards_and_the_item_page_shows_their_evidence(
        tmp_path: Path, trained_model) -> None:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    migrate(settings.resolved_database_url)
    add_user(settings, "officer1", "officer", PASSWORD)
    subject, body = MESSAGES["hazards.eml"]
    raw = RawItem("email", _email(subject, body), "file:hazards.eml",
                  datetime(2026, 3, 2, 9, 14, tzinfo=UTC))
    policy = load_policy("code-2024")
    result = triage_item(read_item(raw), model=trained_model, policy=policy,
                         thresholds=Thresholds())
    assert result.decision.hazard == "gas"
    with session_scope(settings.resolved_database_url) as session:
        row, _ = record_raw(session, settings.raw_dir, raw)
        session.flush()
        save_result(session, row, result, policy)
        item_id = row.id
    with session_scope(settings.resolved_database_url) as session:
        stored = session.get(Item, item_id).classification.rule_results
        assert stored["hazards"][0]["type"] == "gas"
        assert all(h["evidence"] in body for h in stored["hazards"])
        assert {c["cue"] for c in stored["vulnerability"]} >= {"age", "disability"}

    from review.app import create_app

    client = TestClient(create_app(settings), follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    client.post("/login", data={"username": "officer1", "password": PASSWORD,
                                "csrf_token": token})
    page = client.get(f"/items/{item_id}").text
    assert 'id="hazard-evidence"' in page and 'id="vulnerability-evidence"' in page
    gas = next(h for h in stored["hazards"] if h["type"] == "gas")["evidence"]
    assert gas in page
