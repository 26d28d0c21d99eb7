"""A letter's own date is kept with its fields and still counts for the time limit when an
officer corrects the item and decides it (pipeline.casework), and the window in which that
date is plausible is the policy's (`letter_date_max_age_days`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from classify.assessment import assess_items
from ingest.items import IntakeItem, RawItem
from models.db import session_scope
from models.plans import save_result
from models.repository import record_raw
from models.tables import Case, ExtractedFields, Item, ReviewDecision
from pipeline import casework
from workflow.officer_review import OfficerChoice
from workflow.policy import PolicyError, load_policy
from workflow.rules import Thresholds, time_limit_verdict
from workflow.triage import decide

POLICY = load_policy("code-2024")  # twelve months from the day the complaint was made
RECEIVED = datetime(2027, 1, 12, 10, tzinfo=UTC)  # five weeks after the letter's date
# The boiler failed within twelve months of the letter's date, but more than twelve months
# before the letter was received: only the letter's own date keeps it in time.
LETTER = ("27 Larch Grove\nPreston\nPR2 1QT\n\n9th December 2026\n\nDear Sir or Madam,\n\n"
          "Our boiler failed on 20th December 2025 and we have had no heating or hot water "
          "since. Your engineers came twice and left without repairing it. I want to "
          "complain about how this repair has been handled.\n\nI would like the boiler "
          "replaced and compensation for the year without heating.\n\n"
          "Yours faithfully,\n\nMargaret Doyle\n")


def _triaged_letter(settings, model) -> int:
    """The letter triaged as the batch runner does (real extraction and model), sent to an
    officer: every item waits for one under thresholds no prediction reaches."""
    item = IntakeItem(source="letter", text=LETTER, received_at=RECEIVED, text_source="ocr")
    ((extraction, prediction),) = assess_items([item], [RECEIVED.date()], model=model)
    assert extraction.written_on == date(2026, 12, 9)
    result = decide(item, extraction, prediction, policy=POLICY,
                    thresholds=Thresholds(auto=1.01, suggest=1.01))
    assert result.decision.needs_review and result.decision.excluded_reason is None
    with session_scope(settings.resolved_database_url) as session:
        row, _ = record_raw(session, settings.raw_dir,
                            RawItem("letter", LETTER.encode(), "file:letter.pdf", RECEIVED))
        session.flush()
        save_result(session, row, result, POLICY)
        return row.id


def test_the_letters_date_survives_a_correction_and_an_officers_decision(
        database_settings, trained_model) -> None:
    item_id = _triaged_letter(database_settings, trained_model)
    # The officer corrects the incident date: a few days earlier, still within twelve months
    # of the letter's date, more than twelve months before receipt.
    casework.edit_fields(database_settings, item_id, "officer1",
                         {"incident_date": "2025-12-15"})
    with session_scope(database_settings.resolved_database_url) as session:
        fields = session.get(ExtractedFields, item_id)
        assert (fields.incident_date, fields.written_on) == (date(2025, 12, 15),
                                                             date(2026, 12, 9))
    outcome = casework.decide(database_settings, item_id, "officer1",
                              OfficerChoice("correct", category="complaint"))
    assert outcome.case_ref is not None
    with session_scope(database_settings.resolved_database_url) as session:
        last = session.scalars(select(ReviewDecision).where(
            ReviewDecision.item_id == item_id).order_by(ReviewDecision.id)).all()[-1]
        verdict = last.detail["time_limit"]
        assert verdict["hit"] is False
        assert verdict["reason"] == ("incident on 2025-12-15 is within 12 months of the "
                                     "letter's date (2026-12-09)")
        case = session.scalar(select(Case).where(Case.ref == outcome.case_ref))
        # Deadlines still run from receipt, not from the letter's date.
        assert case.stage_started == date(2027, 1, 12)
        assert case.acknowledge_by == date(2027, 1, 19)
        assert session.get(Item, item_id).status == "staged"


def test_a_decision_on_an_item_without_the_letters_date_judges_from_receipt(
        settings, trained_model) -> None:
    """The same letter with its date line misread: receipt counts, and the officer's decision
    records that the incident is out of time."""
    item_id = _triaged_letter(settings, trained_model)
    with session_scope(settings.resolved_database_url) as session:
        session.get(ExtractedFields, item_id).written_on = None
    casework.decide(settings, item_id, "officer1", OfficerChoice("correct", category="complaint"))
    with session_scope(settings.resolved_database_url) as session:
        last = session.scalars(select(ReviewDecision).where(
            ReviewDecision.item_id == item_id)).all()[-1]
        assert last.detail["time_limit"]["hit"] is True
        assert last.detail["time_limit"]["reason"].endswith("12 months before receipt")


def test_the_plausible_window_of_a_letters_date_is_the_policys(tmp_path: Path) -> None:
    assert POLICY.letter_date_max_age_days == 90  # the default, when a policy says nothing
    text = (Path(__file__).parents[1] / "workflow" / "policies" / "code-2024.toml").read_text()
    own = tmp_path / "ours.toml"
    own.write_text(text.replace('id = "code-2024"', 'id = "ours"\nletter_date_max_age_days = 30'))
    ours = load_policy(str(own))
    assert ours.letter_date_max_age_days == 30
    received, incident = date(2027, 1, 12), date(2025, 12, 20)
    written = date(2026, 12, 9)  # 34 days before receipt: plausible at 90, not at 30
    assert not time_limit_verdict(received, written, incident, POLICY).hit
    late = time_limit_verdict(received, written, incident, ours)
    assert late.hit and late.reason.endswith("before receipt")
    for bad in ("0", "-5", '"ninety"', "true", "30.5"):
        own.write_text(text.replace('id = "code-2024"',
                                    f'id = "ours"\nletter_date_max_age_days = {bad}'))
        with pytest.raises(PolicyError, match="letter_date_max_age_days"):
            load_policy(str(own))
