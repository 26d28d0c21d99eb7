"""The review's pure parts without a server: what a decision settles, why and by when an item
waits, the HTML sanitiser and the charts; and a decision on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.charts import bar_chart, stacked_bars
from review.original import sanitise_html
from workflow.officer_review import (
    DecisionError,
    OfficerChoice,
    Prior,
    review_deadline,
    review_reason_of,
    settle,
)
from workflow.policy import load_policy

CODE = load_policy("code-2024")
UNSURE = Prior("service_request", None, None, False, 0.5)
EXCLUSION = Prior("excluded", "legal_proceedings", None, False, 0.6)


@pytest.mark.parametrize(("choice", "prior", "expected"), [
    (OfficerChoice("accept"), UNSURE, ("service_request", None, "record_service_request")),
    (OfficerChoice("correct", category="complaint"), UNSURE, ("complaint", None, "open_case")),
    (OfficerChoice("correct", category="other"), UNSURE, ("other", None, "archive")),
    (OfficerChoice("correct", category="compliment"), UNSURE,
     ("compliment", None, "record_compliment")),
    (OfficerChoice("accept"), EXCLUSION, ("excluded", "legal_proceedings", "refuse_complaint")),
    (OfficerChoice("confirm_exclusion", excluded_reason="out_of_time"), EXCLUSION,
     ("excluded", "out_of_time", "refuse_complaint")),
    (OfficerChoice("refuse_exclusion"), EXCLUSION, ("complaint", None, "open_case")),
    (OfficerChoice("attach", case_ref="CMP-2026-00001"), UNSURE,
     ("complaint", None, "add_to_case")),
    (OfficerChoice("attach", case_ref="CMP-2026-00001", escalate=True), UNSURE,
     ("complaint", None, "escalate_case")),
])
def test_settle(choice: OfficerChoice, prior: Prior, expected: tuple) -> None:
    decision = settle(choice, prior, CODE, "officer1")
    assert (decision.category, decision.excluded_reason, decision.action) == expected
    assert not decision.needs_review and decision.final
    assert decision.results[0].rule == "officer" and "officer1" in decision.results[0].reason


@pytest.mark.parametrize(("choice", "prior", "message"), [
    (OfficerChoice("correct", category="excluded"), UNSURE, "needs its reason"),
    (OfficerChoice("correct", category="excluded", excluded_reason="rent_or_charge_level"),
     UNSURE, "does not allow"),
    (OfficerChoice("correct", category="repairs"), UNSURE, "choose a category"),
    (OfficerChoice("confirm_exclusion", excluded_reason="out_of_time"), UNSURE,
     "not a proposed exclusion"),
    (OfficerChoice("attach"), UNSURE, "give the reference"),
    (OfficerChoice("delete"), UNSURE, "unknown action"),
    (OfficerChoice("accept", hazard="ghosts"), UNSURE, "unknown hazard"),
])
def test_settle_refuses(choice: OfficerChoice, prior: Prior, message: str) -> None:
    with pytest.raises(DecisionError, match=message):
        settle(choice, prior, CODE, "officer1")


def test_compliments_are_archived_where_the_policy_records_none() -> None:
    lumen = load_policy("lumen")
    decision = settle(OfficerChoice("correct", category="compliment"), UNSURE, lumen, "o")
    assert decision.action == ("record_compliment" if lumen.records_compliments else "archive")


def test_review_reason_is_the_first_rule_in_chain_order() -> None:
    assert review_reason_of(["low-confidence", "proposed-exclusion"]) == "proposed-exclusion"
    assert review_reason_of(["urgent-hazard", "low-ocr-confidence"]) == "low-ocr-confidence"
    assert review_reason_of(["choose-action"]) == "other"


@settings(deadline=None)  # the first date of each year computes its bank holidays
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_review_deadline_is_the_acknowledgement_deadline(received: date) -> None:
    due = review_deadline(CODE, received)
    assert due == CODE.stage_deadlines(1, received)[0]
    assert received < due <= received + timedelta(days=14)
    assert review_deadline(CODE, received, stage=9) == CODE.stage_deadlines(2, received)[0]


def test_sanitiser_keeps_reading_markup_and_removes_everything_active() -> None:
    cleaned = sanitise_html(
        '<p style="color:red" onclick="x()">Hi <b>there</b></p><script>bad()</script>'
        '<a href="javascript:bad()">a</a><a href="https://example.org/">b</a>'
        '<img src="https://tracker.example/p.gif" onerror="bad()"><style>p{}</style>'
        '<iframe src="https://evil.example"></iframe><a href="data:text/html,x">c</a>'
        '<table><tr><td>cell</td></tr></table>')
    assert "<b>there</b>" in cleaned and "<td>cell</td>" in cleaned
    assert 'href="https://example.org/"' in cleaned and 'rel="noopener noreferrer nofollow"' \
        in cleaned
    for active in ("script", "onclick", "onerror", "style", "javascript:", "<img", "iframe",
                   "tracker", "data:"):
        assert active not in cleaned, active


@settings(deadline=None)
@given(st.text(max_size=300))
def test_sanitiser_never_lets_a_script_tag_through(text: str) -> None:
    cleaned = sanitise_html(f"<div>{text}</div><scr<script>ipt>x</script>")
    assert "<script" not in cleaned.lower()


def test_charts_escape_labels_and_scale_bars() -> None:
    svg = str(bar_chart({"out_of_time": 4, "<b>x</b>": 2}, "Refused"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg
    assert "out of time" in svg
    assert str(bar_chart({}, "Nothing")) == ""
    months = [{"month": "2026-04", "complaint": 3, "other": 1}, {"month": "2026-05"}]
    stacked = str(stacked_bars(months, "By month"))
    assert stacked.count("<rect") == 2 + 2  # two segments, two legend keys
    assert str(stacked_bars([{"month": "2026-04"}], "Empty")) == ""


def test_decision_on_both_databases(database_settings) -> None:
    """The decision and the queue's SQL on the embedded default and on PostgreSQL."""
    from models.db import session_scope
    from models.tables import Item, ReviewDecision
    from pipeline import casework
    from review import queries
    from tests.review_fixtures import add_waiting_item

    received = datetime(2026, 3, 2, 9, tzinfo=UTC)
    first = add_waiting_item(database_settings, subject="Leak", text="Leak again.",
                             category="complaint", confidence=0.4, received=received,
                             hazard="water_leak")
    second = add_waiting_item(database_settings, subject="Gate", text="Gate broken.",
                              category="service_request", confidence=0.3, received=received)
    url = database_settings.resolved_database_url
    page = queries.queue_page(url, queries.QueueFilter())
    assert [row["id"] for row in page["rows"]] == [first, second] and page["total"] == 2
    outcome = casework.decide(database_settings, first, "officer1", OfficerChoice("accept"))
    assert outcome.case_ref and outcome.case_ref.startswith("CMP-2026-")
    with pytest.raises(DecisionError, match="no longer waits"):
        casework.decide(database_settings, first, "officer2", OfficerChoice("accept"))
    with session_scope(url) as session:
        item = session.get(Item, first)
        assert item.status == "staged" and item.case.hazard == "water_leak"
        assert [(d.officer, d.category) for d in session.query(ReviewDecision)] == [
            ("officer1", "complaint")]
    listing = queries.cases_page(url, status="all")
    assert [case["ref"] for case in listing["cases"]] == [outcome.case_ref]
    assert queries.case_detail(url, outcome.case_ref)["items"][0]["id"] == first


def test_migration_0005_backfills_items_already_waiting(tmp_path) -> None:
    """Items triaged before 0005 get their hazard, and those in review their reason and
    deadline, as triage now sets them."""
    import json

    from alembic import command
    from sqlalchemy import text

    from models.db import alembic_config, get_engine, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = get_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    rules = json.dumps({"results": [{"rule": "low-confidence", "hit": True, "reason": ""},
                                    {"rule": "urgent-hazard", "hit": True, "reason": ""}]})
    with engine.begin() as connection:
        for n, status in ((1, "needs_review"), (2, "staged")):
            connection.execute(text(
                "INSERT INTO items (id, source, source_ref, sha256, raw_path, size_bytes, "
                "received_at, status, attempts, created_at, updated_at) VALUES (:id, 'email', "
                "'x', :sha, 'r', 1, '2026-03-02 09:00:00.000000', :status, 1, "
                "'2026-03-02 09:00:00', '2026-03-02 09:00:00')"),
                {"id": n, "sha": f"{n:064x}", "status": status})
            connection.execute(text(
                "INSERT INTO classifications (item_id, category, escalation, hazard, confidence,"
                " probabilities, model_version, needs_review, action, rule_results, policy, "
                "created_at) VALUES (:id, 'complaint', 0, 'gas', 0.5, '{}', 't', 1, "
                "'open_case', :rules, 'code-2024', '2026-03-02 09:00:00')"),
                {"id": n, "rules": rules})
    migrate(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, hazard, review_reason, review_due FROM items ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        (1, "gas", "low-confidence", CODE.stage_deadlines(1, date(2026, 3, 2))[0].isoformat()),
        (2, "gas", None, None)]
