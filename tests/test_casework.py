"""Cases, records and drafted letters in the database (SQLite and PostgreSQL), officers'
changes through `pipeline.casework`, the deadline watch, and sending by a real SMTP server."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from classify.fields import Extraction
from ingest.items import IntakeItem
from ingest.mail import OUTBOUND_MARKER_HEADER
from models.db import session_scope
from models.tables import Case, CaseEvent, DraftLetter, IntakeRecord, Item, ReviewDecision
from pipeline import casework
from pipeline.listing import case_rows
from tests.conftest import REPO
from tests.staging_support import stage_with_category
from workflow.lifecycle import RefusedTransition

COMPLAINT = ("Dear Sir or Madam,\nThe leak under my kitchen sink has been reported three "
             "times since August and nobody has come. The cupboard is rotten.\n"
             "I would like the leak fixed and the cupboard replaced.\nAnn Smith")


def email_item(text: str, *, day: int, message_id: str, subject: str = "Kitchen leak",
               in_reply_to: tuple[str, ...] = ()) -> IntakeItem:
    return IntakeItem(source="email", text=text, subject=subject,
                      received_at=datetime(2026, 11, day, 10, tzinfo=UTC),
                      message_id=message_id, in_reply_to=in_reply_to)


def triage(settings, raw: bytes, item: IntakeItem, category: str, *,
           excluded_reason: str | None = None, escalation: bool = False,
           hazard: str | None = None, staff: tuple[str, ...] = ()) -> int:
    """Stage one item as the pipeline would, with the category given."""
    extraction = Extraction(name="Ann Smith", postcode="PR2 4XT", email="ann@example.org",
                            desired_outcome="the leak fixed and the cupboard replaced",
                            staff=staff)
    return stage_with_category(settings, raw, item, category, extraction,
                               excluded_reason=excluded_reason, escalation=escalation,
                               hazard=hazard)


def drafts_of(settings, ref: str) -> list[DraftLetter]:
    with session_scope(settings.resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        return list(case.drafts)


def test_a_complaint_opens_a_case_with_its_acknowledgement_drafted(database_settings) -> None:
    triage(database_settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"),
           "complaint")
    (draft,) = drafts_of(database_settings, "CMP-2026-00001")
    assert draft.kind == "acknowledgement" and draft.stage == 1 and draft.sent_at is None
    assert draft.subject == "Your complaint CMP-2026-00001: logged at Stage 1"
    assert "Dear Ann Smith" in draft.body
    assert "The leak under my kitchen sink has been reported three times" in draft.body
    assert "the leak fixed and the cupboard replaced" in draft.body
    assert "Monday 23 November 2026" in draft.body  # the response deadline
    with session_scope(database_settings.resolved_database_url) as session:
        case = session.scalar(select(Case))
        assert case.received_on == date(2026, 11, 2)
        assert [e.kind for e in case.events] == ["opened"]


def test_escalation_drafts_the_stage_two_acknowledgement(sqlite_settings) -> None:
    triage(sqlite_settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"),
           "complaint")
    triage(sqlite_settings, b"c2",
           email_item("I am not happy with the stage 1 reply. Please escalate.", day=24,
                      message_id="<b@x>", subject="Re: CMP-2026-00001"),
           "complaint", escalation=True)
    kinds = [d.kind for d in drafts_of(sqlite_settings, "CMP-2026-00001")]
    assert kinds == ["acknowledgement", "stage_acknowledgement"]
    body = drafts_of(sqlite_settings, "CMP-2026-00001")[1].body
    assert "request of Tuesday 24 November 2026" in body
    assert "Thursday 31 December 2026" in body


def proposed_exclusion(settings, reason: str = "out_of_time") -> int:
    return triage(settings, b"ex", email_item("My neighbour's fence fell on my shed in 2023.",
                                              day=3, message_id="<e@x>"),
                  "excluded", excluded_reason=reason)


def test_a_proposed_exclusion_waits_then_an_officer_confirms_it(database_settings) -> None:
    item_id = proposed_exclusion(database_settings)
    url = database_settings.resolved_database_url
    with session_scope(url) as session:
        assert session.get(Item, item_id).status == "needs_review"
        assert session.scalar(select(Case)) is None, "no refusal without a person"
        record = session.scalar(select(IntakeRecord))
        assert (record.kind, record.status) == ("proposed_exclusion", "awaiting_officer")
    view = casework.confirm_exclusion(database_settings, item_id, "ayesha", None,
                                      "The fence fell in March 2023.")
    assert (view["status"], view["refused_reason"]) == ("refused", "out_of_time")
    assert [e["kind"] for e in view["events"]] == ["opened", "refused"]
    assert view["events"][1]["detail"]["officer"] == "ayesha"
    (letter,) = view["drafts"]
    assert letter["kind"] == "refusal"
    assert "more than 12 months before you complained" in letter["body"]
    assert "The fence fell in March 2023." in letter["body"]
    assert "Housing Ombudsman Service, PO Box 1484" in letter["body"]
    with session_scope(url) as session:
        assert session.get(Item, item_id).status == "staged"
        decision = session.scalar(select(ReviewDecision))
        assert (decision.officer, decision.action) == ("ayesha", "confirm_exclusion")
        assert session.scalar(select(IntakeRecord)).status == "confirmed"
    with pytest.raises(casework.CaseworkError, match="not a proposed exclusion"):
        casework.confirm_exclusion(database_settings, item_id, "ayesha", None, None)


def test_a_reason_the_policy_does_not_allow_is_refused_and_nothing_written(
        database_settings) -> None:
    item_id = proposed_exclusion(database_settings, reason="rent_or_charge_level")
    with pytest.raises(RefusedTransition, match="code-2024 does not allow"):
        casework.confirm_exclusion(database_settings, item_id, "ayesha", None, None)
    with session_scope(database_settings.resolved_database_url) as session:
        assert session.scalar(select(Case)) is None
        assert session.get(Item, item_id).status == "needs_review"
    # An officer may instead decide it is a complaint after all.
    view = casework.reject_exclusion(database_settings, item_id, "ayesha", "it is a repair")
    assert (view["status"], view["stage"]) == ("open", 1)
    assert [d["kind"] for d in view["drafts"]] == ["acknowledgement"]


def test_escalating_a_refused_case_waits_for_an_officer(database_settings) -> None:
    item_id = proposed_exclusion(database_settings)
    ref = casework.confirm_exclusion(database_settings, item_id, "ayesha", None, None)["ref"]
    again = triage(database_settings, b"esc",
                   email_item("I want this escalated to stage 2.", day=10, message_id="<f@x>",
                              subject=f"Re: {ref}"), "complaint", escalation=True)
    with session_scope(database_settings.resolved_database_url) as session:
        assert session.get(Item, again).status == "needs_review"
        case = session.scalar(select(Case).where(Case.ref == ref))
        assert (case.status, case.stage) == ("refused", 1)
        assert case.events[-1].kind == "escalation_refused"
        assert "it was refused (out_of_time)" in case.events[-1].detail["reason"]
    with pytest.raises(RefusedTransition, match="refused"):
        casework.escalate(database_settings, ref, date(2026, 11, 11), None)


def test_officers_change_a_case_and_every_change_is_logged(database_settings) -> None:
    triage(database_settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"),
           "complaint")
    ref, settings = "CMP-2026-00001", database_settings
    assert casework.assign(settings, ref, "ayesha")["officer"] == "ayesha"
    view = casework.acknowledge(settings, ref, date(2026, 11, 4), "ayesha")
    assert (view["acknowledged_on"], view["respond_by"]) == ("2026-11-04", "2026-11-18")
    with pytest.raises(RefusedTransition, match="allows at most 10"):
        casework.extend(settings, ref, 11, "surveyor", date(2026, 11, 16), "ayesha")
    view = casework.extend(settings, ref, 5, "waiting for the surveyor", date(2026, 11, 16),
                           "ayesha")
    assert view["respond_by"] == "2026-11-25"
    assert view["drafts"][-1]["kind"] == "extension"
    assert "waiting for the surveyor" in view["drafts"][-1]["body"]
    assert "Wednesday 25 November 2026" in view["drafts"][-1]["body"]
    view = casework.close(settings, ref, "partly_upheld", "£50 and a new cupboard",
                          date(2026, 11, 24), "ayesha")
    assert (view["status"], view["outcome"], view["remedy"]) == (
        "closed", "partly_upheld", "£50 and a new cupboard")
    with pytest.raises(RefusedTransition, match="ayesha handled an earlier stage"):
        casework.escalate(settings, ref, date(2026, 11, 30), "ayesha")
    view = casework.escalate(settings, ref, date(2026, 11, 30), "bob")
    assert (view["stage"], view["officer"]) == (2, "bob")
    kinds = [e["kind"] for e in view["events"]]
    assert kinds == ["opened", "assigned", "acknowledged", "extended", "closed", "escalated"]
    assert view["events"][3]["detail"]["by"] == "ayesha"
    assert [d["kind"] for d in view["drafts"]] == ["acknowledgement", "extension",
                                                   "stage_acknowledgement"]
    with pytest.raises(casework.CaseworkError, match="no case CMP-2026-00099"):
        casework.show(settings, "CMP-2026-00099")
    with session_scope(settings.resolved_database_url) as session:
        assert len(session.scalars(select(CaseEvent)).all()) == 6


def test_service_requests_and_compliments_are_recorded(sqlite_settings) -> None:
    sr = triage(sqlite_settings, b"sr", email_item("The boiler broke today.", day=2,
                                                     message_id="<s@x>"),
                "service_request", hazard="no_heating")
    cp = triage(sqlite_settings, b"cp", email_item("Tom Price was brilliant.", day=2,
                                                     message_id="<t@x>"),
                "compliment", staff=("Tom Price",))
    with session_scope(sqlite_settings.resolved_database_url) as session:
        assert session.scalar(select(Case)) is None
        records = {r.item_id: r for r in session.scalars(select(IntakeRecord))}
        assert records[sr].kind == "service_request"
        assert "within 24 hours" in records[sr].detail["next_step"]
        assert records[cp].kind == "compliment"
        assert records[cp].detail["staff"] == ["Tom Price"]
        (reply,) = session.scalars(select(DraftLetter)).all()
        assert (reply.kind, reply.item_id, reply.case_id) == ("service_request", sr, None)
        assert "make a complaint" in reply.body and "The boiler broke today." in reply.body
    from pipeline.listing import record_rows

    (compliment,) = record_rows(sqlite_settings, "compliment")
    assert (compliment["item_id"], compliment["detail"]["staff"]) == (cp, ["Tom Price"])
    assert [row["kind"] for row in record_rows(sqlite_settings)] == ["service_request",
                                                                     "compliment"]


def test_due_watch_lists_cases_due_within_n_working_days_or_overdue(sqlite_settings) -> None:
    triage(sqlite_settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"),
           "complaint")  # acknowledge by Monday 9 November
    triage(sqlite_settings, b"c2", email_item("Second complaint about the lift.", day=16,
                                                message_id="<b@x>"),
           "complaint")  # acknowledge by Monday 23 November
    settings = sqlite_settings

    def due(within: int, today: date) -> list[str]:
        return [row["ref"] for row in case_rows(settings, due_within=within, today=today)]

    assert due(3, date(2026, 11, 4)) == ["CMP-2026-00001"]
    assert due(2, date(2026, 11, 4)) == []
    assert due(0, date(2026, 11, 20)) == ["CMP-2026-00001"]  # overdue
    assert due(1, date(2026, 11, 20)) == ["CMP-2026-00001", "CMP-2026-00002"]
    casework.acknowledge(settings, "CMP-2026-00001", date(2026, 11, 6), None)
    # Acknowledged: the next deadline is its response, 10 WD from the 6th (the 20th).
    assert due(0, date(2026, 11, 19)) == []
    casework.close(settings, "CMP-2026-00001", "upheld", None, date(2026, 11, 19), None)
    assert due(30, date(2026, 11, 20)) == ["CMP-2026-00002"]
    rows = case_rows(settings)
    assert set(rows[0]) == {"ref", "policy", "stage", "status", "received_at",
                            "acknowledge_by", "respond_by", "name", "postcode", "item_ids"}


def test_deadline_counts_split_overdue_from_due_and_name_no_one(sqlite_settings) -> None:
    from pipeline.listing import deadline_counts

    triage(sqlite_settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"),
           "complaint")  # acknowledge by Monday 9 November
    triage(sqlite_settings, b"c2", email_item("Second complaint about the lift.", day=16,
                                                message_id="<b@x>"),
           "complaint")  # acknowledge by Monday 23 November

    def counts(within: int, today: date) -> tuple[int, int, int, int]:
        c = deadline_counts(sqlite_settings, within, today)
        return c.open, c.overdue, c.overdue_acknowledgements, c.due

    assert counts(3, date(2026, 11, 4)) == (2, 0, 0, 1)
    assert counts(1, date(2026, 11, 20)) == (2, 1, 1, 1)  # the same two `--due 1` lists
    casework.acknowledge(sqlite_settings, "CMP-2026-00001", date(2026, 11, 6), None)
    assert counts(0, date(2026, 11, 23)) == (2, 1, 0, 1)  # its response (the 20th) passed
    recorded = deadline_counts(sqlite_settings, 0, date(2026, 11, 23)).as_dict()
    assert set(recorded) == {"within_days", "today", "open", "due", "overdue",
                             "overdue_acknowledgements"}


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it is sent."""
    import socket

    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self) -> None:
            self.messages: list[tuple[list[str], bytes]] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


@pytest.fixture
def sqlite_settings(tmp_path):
    from core.settings import Settings
    from models.db import migrate

    configured = Settings(data_dir=tmp_path / "var", _env_file=None)
    migrate(configured.resolved_database_url)
    return configured


def test_drafts_are_sent_only_by_a_configured_smtp_server(sqlite_settings, smtp_server) -> None:
    from pipeline.outbox import draft_rows, send_unsent

    settings = sqlite_settings
    port, server = smtp_server
    triage(settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"), "complaint")
    with pytest.raises(ValueError, match="TRIAGE_SMTP_HOST"):
        send_unsent(settings)
    configured = settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
        "smtp_from": "complaints@landlord.example"})
    assert send_unsent(configured) == {"sent": 1, "failed": 0, "no_address": 0, "by_phone": 0}
    ((recipients, raw),) = server.messages
    assert recipients == ["ann@example.org"]
    message = email.message_from_bytes(raw)
    assert message[OUTBOUND_MARKER_HEADER] == "draft-1"
    assert message["In-Reply-To"] == "<a@x>"
    assert message["Subject"] == "Your complaint CMP-2026-00001: logged at Stage 1"
    (row,) = draft_rows(configured)
    assert row["sent_to"] == "ann@example.org" and row["sent_at"]
    # Sending the acknowledgement is the acknowledgement.
    view = casework.show(configured, "CMP-2026-00001")
    assert view["acknowledged_on"] == casework.landlord_today().isoformat()
    assert view["events"][-1]["kind"] == "acknowledged"
    assert send_unsent(configured)["sent"] == 0, "nothing is sent twice"


def test_cases_find_their_policy_under_a_landlords_own_file(tmp_path, sqlite_settings) -> None:
    from workflow.policy import PolicyError

    own = tmp_path / "ours.toml"
    own.write_text((REPO / "workflow" / "policies" / "code-2024.toml").read_text()
                   .replace('id = "code-2024"', 'id = "ours"'))
    settings = sqlite_settings.model_copy(update={"policy": str(own)})
    assert casework.policy_for(settings, "ours").id == "ours"
    assert casework.policy_for(settings, "lumen").id == "lumen"
    with pytest.raises(PolicyError, match="need TRIAGE_POLICY to point at that policy's file"):
        casework.policy_for(settings, "theirs")


def test_a_complaint_about_a_service_request_is_raised_while_the_request_goes_on(
        sqlite_settings) -> None:
    request = triage(sqlite_settings, b"sr", email_item("The gutter is blocked.", day=2,
                                                        message_id="<gutter@x>"),
                     "service_request")
    triage(sqlite_settings, b"cm",
           email_item("Nobody came about the gutter and the wall is now wet. I want to "
                      "complain.", day=16, message_id="<angry@x>",
                      in_reply_to=("<gutter@x>",)), "complaint")
    with session_scope(sqlite_settings.resolved_database_url) as session:
        case = session.scalar(select(Case))
        assert case.events[0].detail["raised_from_service_request"] == request
        record = session.scalar(select(IntakeRecord).where(IntakeRecord.item_id == request))
        assert (record.status, record.detail["complaint_raised"]) == ("open", case.ref)


def test_a_letter_the_server_refuses_stays_unsent_with_the_reason(sqlite_settings) -> None:
    import socket

    from aiosmtpd.controller import Controller

    from pipeline.outbox import draft_rows, send_unsent

    class RefuseEveryone:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 mailbox unavailable"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(RefuseEveryone(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        triage(sqlite_settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"),
               "complaint")
        configured = sqlite_settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
            "smtp_from": "complaints@landlord.example"})
        assert send_unsent(configured) == {"sent": 0, "failed": 1, "no_address": 0, "by_phone": 0}
    finally:
        controller.stop()
    (row,) = draft_rows(configured)
    assert row["sent_at"] is None and "mailbox unavailable" in row["send_error"]
    assert casework.show(configured, "CMP-2026-00001")["acknowledged_on"] is None


def test_cases_opened_before_migration_0002_carry_on(tmp_path) -> None:
    from alembic import command
    from sqlalchemy import text

    from core.settings import Settings
    from models.db import alembic_config, get_engine, migrate

    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    url = settings.resolved_database_url
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text(
            "INSERT INTO cases (ref, policy, stage, status, handler, received_at, "
            "stage_started, acknowledge_by, respond_by, created_at, updated_at) VALUES "
            "('CMP-2026-00001', 'code-2024', 1, 'open', 'complaints officer', "
            "'2026-11-02 10:00:00', '2026-11-02', '2026-11-09', '2026-11-23', "
            "'2026-11-02 10:00:00', '2026-11-02 10:00:00')"))
    migrate(url)
    view = casework.acknowledge(settings, "CMP-2026-00001", date(2026, 11, 4), "ayesha")
    assert (view["received"], view["extension_days"]) == ("2026-11-02", 0)
    assert view["respond_by"] == "2026-11-18"
    assert casework.escalate(settings, "CMP-2026-00001", date(2026, 11, 20), "bob")["stage"] == 2


def test_a_day_after_today_is_refused_for_what_has_already_happened(database_settings) -> None:
    from datetime import timedelta

    triage(database_settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"),
           "complaint")
    ref, tomorrow = "CMP-2026-00001", casework.landlord_today() + timedelta(days=1)
    for change in (lambda: casework.acknowledge(database_settings, ref, tomorrow, "ayesha"),
                   lambda: casework.close(database_settings, ref, "upheld", None, tomorrow,
                                          "ayesha"),
                   lambda: casework.extend(database_settings, ref, 2, "surveyor", tomorrow,
                                           "ayesha")):
        with pytest.raises(casework.CaseworkError, match="after today"):
            change()
    view = casework.show(database_settings, ref)
    assert [event["kind"] for event in view["events"]] == ["opened"]
    assert casework.acknowledge(database_settings, ref, None, "ayesha")["acknowledged_on"] == (
        casework.landlord_today().isoformat())
