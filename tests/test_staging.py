"""Staging results into cases on SQLite and PostgreSQL: open, follow up, escalate, threads."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from classify.fields import Extraction
from ingest.items import IntakeItem
from models.db import session_scope
from models.tables import Case, Item
from tests.staging_support import POLICY, stage_with_category


def stage(settings, raw: bytes, item: IntakeItem, category: str, **kwargs) -> int:
    return stage_with_category(settings, raw, item, category,
                               Extraction(name="Ann Smith", postcode="PR2 4XT"), **kwargs)


def email(text: str, *, day: int, message_id: str, subject: str = "Repairs",
          in_reply_to: tuple[str, ...] = ()) -> IntakeItem:
    return IntakeItem(source="email", text=text, subject=subject,
                      received_at=datetime(2026, 11, day, 10, tzinfo=UTC),
                      message_id=message_id, in_reply_to=in_reply_to)


def test_complaint_then_follow_up_then_escalation(database_settings) -> None:
    url = database_settings.resolved_database_url
    original = email("The leak is still not fixed.", day=2, message_id="<a@example.org>")
    first = stage(database_settings, b"one", original, "complaint")
    with session_scope(url) as session:
        case = session.scalar(select(Case))
        assert case is not None
        assert (case.ref, case.stage) == ("CMP-2026-00001", 1)
        assert (case.acknowledge_by, case.respond_by) == (date(2026, 11, 9), date(2026, 11, 23))
        assert session.get(Item, first).status == "staged"

    by_reference = email("Any news?", day=4, message_id="<b@example.org>",
                         subject="Re: CMP-2026-00001")
    stage(database_settings, b"two", by_reference, "complaint")
    escalation = email("Not happy with your stage 1 response, please escalate.", day=24,
                       message_id="<c@example.org>", in_reply_to=("<a@example.org>",))
    stage(database_settings, b"three", escalation, "complaint", escalation=True)

    with session_scope(url) as session:
        cases = session.scalars(select(Case)).all()
        assert len(cases) == 1, "follow-ups and escalations never open a second case"
        case = cases[0]
        assert [event.kind for event in case.events] == ["opened", "follow_up", "escalated"]
        assert case.stage == 2
        # Stage 2: acknowledge within 5 WD of the request, respond within 20 WD of that;
        # Christmas Day and Boxing Day (observed Monday 28 December) are not working days.
        assert (case.acknowledge_by, case.respond_by) == (date(2026, 12, 1), date(2026, 12, 31))
        assert [item.id for item in case.items] == [first, first + 1, first + 2]
        assert case.events[2].detail["handler"] == POLICY.stage(2).handler


def test_service_request_and_compliment_open_no_case(database_settings) -> None:
    stage(database_settings, b"sr", email("Boiler broke today.", day=2, message_id="<d@x>"),
          "service_request")
    stage(database_settings, b"cp", email("Thanks Tom!", day=2, message_id="<e@x>"),
          "compliment")
    with session_scope(database_settings.resolved_database_url) as session:
        assert session.scalar(select(Case)) is None
        assert {i.status for i in session.scalars(select(Item))} == {"staged"}
