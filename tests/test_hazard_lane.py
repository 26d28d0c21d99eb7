"""The hazard lane in the database (SQLite and PostgreSQL): a record for every hazard
reported whatever the item's category, surviving a confirmed exclusion and a recorded service
request; officers' changes through the service, refused ones changing nothing; letters
honouring the writer's adjustments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from classify.fields import Extraction
from classify.predict import Prediction
from ingest.items import IntakeItem, RawItem
from models.db import session_scope
from models.hazard_tables import HazardEvent, HazardRecord
from models.plans import save_result
from models.repository import record_raw
from models.tables import DraftLetter, IntakeRecord
from pipeline import casework, hazards
from tests.test_casework import smtp_server  # noqa: F401  (a pytest fixture)
from workflow.policy import load_policy
from workflow.rules import Thresholds
from workflow.triage import decide

POLICY = load_policy("code-2024")
LEGAL_DAMP = (
    "Dear Sirs,\nWe act for Mrs Joan Bell of 14 Mill Lane, Preston PR2 4XT. Proceedings were "
    "issued in the County Court last month. Our client's flat has black mould on the bedroom "
    "walls and ceiling and her clothes are ruined.\nYours faithfully,\nHart & Co Solicitors")
GAS_REQUEST = (
    "Hi, I can smell gas in the kitchen near the cooker since this morning. Please send "
    "someone. Please send any letters in large print as my eyesight is poor.\nTom Reid")


def stage(settings, raw: bytes, text: str, category: str, *, hazard: str | None,
          excluded_reason: str | None = None, received: datetime | None = None) -> int:
    """An item through `workflow.triage.decide` and `models.plans.save_result`, the
    batch runner's path, with the category and hazard given instead of predicted."""
    item = IntakeItem(source="email", text=text, subject="Repairs",
                      received_at=received or datetime.now(UTC) - timedelta(hours=2),
                      message_id=f"<{raw.decode()}@x>")
    extraction = Extraction(name="Joan Bell", address="14 Mill Lane, Preston",
                            postcode="PR2 4XT", email="jb@example.org")
    prediction = Prediction(category=category, confidence=0.97,
                            probabilities={category: 0.97}, excluded_reason=excluded_reason,
                            hazard=hazard, model_version="test")
    result = decide(item, extraction, prediction, policy=POLICY, thresholds=Thresholds())
    with session_scope(settings.resolved_database_url) as session:
        row, _ = record_raw(session, settings.raw_dir, RawItem("email", raw, "file:x"))
        session.flush()
        save_result(session, row, result, POLICY)
        return row.id


def hazard_of(settings, item_id: int) -> HazardRecord:
    with session_scope(settings.resolved_database_url) as session:
        return session.scalar(select(HazardRecord).where(HazardRecord.item_id == item_id))


def event_count(settings) -> int:
    with session_scope(settings.resolved_database_url) as session:
        return session.scalar(select(func.count()).select_from(HazardEvent))


def test_a_hazard_survives_a_confirmed_exclusion(database_settings) -> None:
    item_id = stage(database_settings, b"legal", LEGAL_DAMP, "excluded", hazard="damp_mould",
                    excluded_reason="legal_proceedings")
    row = hazard_of(database_settings, item_id)
    assert (row.type, row.severity, row.status) == ("damp_mould", "significant", "open")
    assert "black mould" in row.evidence and row.postcode == "PR2 4XT"
    refused = casework.confirm_exclusion(database_settings, item_id, "Ana", None, None)
    assert refused["status"] == "refused"
    (listed,) = hazards.open_hazards(database_settings)
    assert listed["id"] == row.id and listed["case_ref"] == refused["ref"]
    assert listed["next_step"] == "investigate" and listed["time_left_unit"] == "working days"
    assert listed["status"] == "open"


def test_a_hazard_survives_a_recorded_service_request(database_settings) -> None:
    item_id = stage(database_settings, b"gas", GAS_REQUEST, "service_request", hazard="gas")
    with session_scope(database_settings.resolved_database_url) as session:
        record = session.scalar(select(IntakeRecord).where(IntakeRecord.item_id == item_id))
        assert record.kind == "service_request"
        reply = session.scalar(select(DraftLetter).where(DraftLetter.item_id == item_id))
        # The writer asked for large print: the reply is its large-print variant.
        assert reply.large_print and reply.body.startswith("LARGE PRINT")
        assert max(len(line) for line in reply.body.splitlines()) <= 60
    (listed,) = hazards.open_hazards(database_settings)
    assert listed["severity"] == "emergency" and listed["priority"] == 1
    assert listed["signs"][0]["sign"] == "gas smell or carbon monoxide alarm"
    assert listed["time_left_unit"] == "hours" and 20 <= listed["time_left"] <= 22
    assert [a["adjustment"] for a in listed["adjustments"]] == ["large_print"]
    assert hazards.open_hazards(database_settings, due_hours=12) == []
    assert len(hazards.open_hazards(database_settings, due_hours=24)) == 1


def test_a_hazard_survives_an_officer_recording_a_service_request(database_settings
                                                                 ) -> None:
    from workflow.officer_review import OfficerChoice

    item_id = stage(database_settings, b"legal2", LEGAL_DAMP, "excluded", hazard="damp_mould",
                    excluded_reason="legal_proceedings")
    outcome = casework.decide(database_settings, item_id, "Ana",
                              OfficerChoice("correct", category="service_request"))
    assert "service request recorded" in outcome.message
    (listed,) = hazards.open_hazards(database_settings)
    assert listed["item_id"] == item_id and listed["status"] == "open"


def test_officers_take_a_hazard_through_its_life(database_settings) -> None:
    item_id = stage(database_settings, b"gas2", GAS_REQUEST, "service_request", hazard="gas")
    hazard_id = hazard_of(database_settings, item_id).id
    settings, start = database_settings, datetime.now(UTC) - timedelta(hours=1)
    before = event_count(settings)
    with pytest.raises(casework.RefusedTransition, match="before the hazard is investigated"):
        hazards.change(settings, hazard_id, "make_safe", by="Sam", at=start)
    with pytest.raises(hazards.HazardError, match="future"):
        hazards.change(settings, hazard_id, "investigate", by="Sam", found=True,
                       at=datetime.now(UTC) + timedelta(hours=1))
    assert event_count(settings) == before
    view = hazards.change(settings, hazard_id, "confirm_severity", by="Ana",
                          severity="emergency", reason="", at=start)
    assert view["severity_confirmed"]
    view = hazards.change(settings, hazard_id, "investigate", by="Sam", found=True,
                          note="gas escape at the cooker valve", at=start + timedelta(minutes=20))
    investigate = next(c for c in view["clocks"] if c["step"] == "investigate")
    assert investigate["on_time"] is True
    with session_scope(settings.resolved_database_url) as session:
        summary = session.scalar(select(DraftLetter).where(DraftLetter.hazard_id == hazard_id))
        assert summary.kind == "hazard_summary" and summary.large_print
        assert "LARGE PRINT" in summary.body and "gas escape at the cooker valve" in summary.body
    for step, extra in (("send_summary", {}), ("make_safe", {"how": "supply capped"}),
                        ("complete", {})):
        view = hazards.change(settings, hazard_id, step, by="Sam", **extra)
    assert view["status"] == "closed"
    assert [e["kind"] for e in view["events"]] == [
        "reported", "severity_confirmed", "investigated", "summary_sent", "made_safe",
        "completed"]
    assert hazards.open_hazards(settings) == []
    with pytest.raises(casework.RefusedTransition, match="closed"):
        hazards.change(settings, hazard_id, "make_safe", by="Sam")


def test_an_officer_marked_hazard_gets_its_record(database_settings) -> None:
    item_id = stage(database_settings, b"plain", "The stair rail came off in my hand and I "
                    "nearly fell down the stairs.", "complaint", hazard=None)
    assert hazard_of(database_settings, item_id) is None
    casework.mark_hazard(database_settings, item_id, "Ana", "falls", "loose stair rail")
    row = hazard_of(database_settings, item_id)
    assert (row.type, row.evidence, row.status) == ("falls", "loose stair rail", "open")
    casework.mark_hazard(database_settings, item_id, "Ana", None)
    assert hazard_of(database_settings, item_id).status == "open"


def test_triage_hazards_lists_and_changes_them(tmp_path) -> None:
    import json
    import os

    from core.settings import Settings
    from models.db import migrate
    from tests.conftest import triage_in_process

    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    migrate(settings.resolved_database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env["TRIAGE_DATA_DIR"] = str(settings.data_dir)
    stage(settings, b"legal", LEGAL_DAMP, "excluded", hazard="damp_mould",
          excluded_reason="legal_proceedings")
    stage(settings, b"gas", GAS_REQUEST, "service_request", hazard="gas")
    listed = triage_in_process("hazards", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    # The emergency first; the contract's keys on every line.
    assert [r["type"] for r in rows] == ["gas", "damp_mould"]
    for row in rows:
        assert {"id", "item_id", "case_ref", "type", "severity", "confirmed", "evidence",
                "aware_at", "investigate_by", "status"} <= set(row)
    assert "T" in rows[0]["investigate_by"] and "T" not in rows[1]["investigate_by"]
    due = triage_in_process("hazards", "--due", "24", "--json", env=env)
    assert [json.loads(line)["type"] for line in due.stdout.splitlines()] == ["gas"]
    table = triage_in_process("hazards", env=env)
    assert "2 open hazards" in table.stdout and "h left" in table.stdout
    refused = triage_in_process("hazard", "made-safe", str(rows[0]["id"]), "--by", "Sam",
                                env=env)
    assert refused.returncode == 1 and "before the hazard is investigated" in refused.stderr
    done = triage_in_process("hazard", "investigate", str(rows[0]["id"]), "--by", "Sam",
                             "--found", env=env)
    assert done.returncode == 0, done.stderr
    assert "investigate: due" in done.stdout and "met on time" in done.stdout


def test_hazard_counts(database_settings) -> None:
    stage(database_settings, b"legal", LEGAL_DAMP, "excluded", hazard="damp_mould",
          excluded_reason="legal_proceedings")
    stage(database_settings, b"gas", GAS_REQUEST, "service_request", hazard="gas",
          received=datetime.now(UTC) - timedelta(hours=25))
    counts = hazards.hazard_counts(database_settings, 6)
    assert (counts.open, counts.emergency, counts.unconfirmed, counts.overdue,
            counts.overdue_emergency, counts.due) == (2, 1, 2, 1, 1, 0)


@pytest.mark.slow
def test_the_hourly_watch_logs_hazard_counts_only(database_settings) -> None:
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    from flows.deadline_flow import deadline_watch

    stage(database_settings, b"gas", GAS_REQUEST, "service_request", hazard="gas",
          received=datetime.now(UTC) - timedelta(hours=25))
    with prefect_test_harness(server_startup_timeout=120):
        deadline_watch(database_settings, 3, hazard_hours=6)
        with get_client(sync_client=True) as client:
            artifacts = {a.key: str(a.data) for a in client.read_artifacts()}
    recorded = artifacts["hazard-watch"]
    assert "'overdue_emergency': 1" in recorded or '"overdue_emergency": 1' in recorded
    for personal in ("Joan Bell", "Tom Reid", "PR2 4XT", "Mill Lane", "smell gas"):
        assert personal not in recorded


def test_triage_report_carries_the_hazard_figures(tmp_path) -> None:
    import csv
    import json
    import os

    from core.settings import Settings
    from models.db import migrate
    from tests.conftest import triage_in_process

    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    migrate(settings.resolved_database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env["TRIAGE_DATA_DIR"] = str(settings.data_dir)
    stage(settings, b"gas", GAS_REQUEST, "service_request", hazard="gas",
          received=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    stage(settings, b"legal", LEGAL_DAMP, "excluded", hazard="damp_mould",
          excluded_reason="legal_proceedings", received=datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    out = triage_in_process("report", "--year", "2026", "--json", "--csv",
                            str(tmp_path / "r.csv"), "--chart", str(tmp_path / "r.png"),
                            env=env)
    assert out.returncode == 0, out.stderr
    hazards_json = json.loads(out.stdout)["hazards"]
    assert hazards_json["by_type_and_severity"] == [
        {"type": "damp_mould", "emergency": 0, "significant": 1},
        {"type": "gas", "emergency": 1, "significant": 0}]
    # Both investigations are past due and never recorded: 0% on time.
    assert {(r["severity"], r["step"], r["overdue"], r["on_time_percent"])
            for r in hazards_json["timeliness"]} == {
        ("emergency", "investigate", 1, 0.0), ("emergency", "make_safe", 1, 0.0),
        ("significant", "investigate", 1, 0.0)}
    rows = list(csv.reader((tmp_path / "r.csv").open()))
    assert ["hazards", "gas", "emergency", "1"] in rows
    assert (tmp_path / "r-hazards.png").read_bytes()[:4] == b"\x89PNG"
    table = triage_in_process("report", "--year", "2026", env=env)
    assert "Hazards (awaabs-law)" in table.stdout and "Hazard clocks" in table.stdout


def test_a_writer_who_asks_to_be_phoned_is_not_emailed(database_settings, smtp_server  # noqa: F811
                                                       ) -> None:
    from pipeline.outbox import send_unsent

    port, server = smtp_server
    text = ("The boiler has stopped and there is no hot water. I cannot read letters, please "
            "phone me instead of writing.\nTom Reid")
    item_id = stage(database_settings, b"phone", text, "service_request", hazard="no_heating")
    stage(database_settings, b"gas", GAS_REQUEST, "service_request", hazard="gas")
    with session_scope(database_settings.resolved_database_url) as session:
        reply = session.scalar(select(DraftLetter).where(DraftLetter.item_id == item_id))
        assert reply.send_by == "phone" and not reply.large_print
    configured = database_settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
        "smtp_from": "repairs@landlord.example"})
    assert send_unsent(configured) == {"sent": 1, "failed": 0, "no_address": 0, "by_phone": 1}
    assert len(server.messages) == 1
