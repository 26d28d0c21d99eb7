"""`triage import cases`: the landlord's existing cases, checked whole, all or nothing, and
threaded onto by mail that quotes them (SQLite and PostgreSQL; the real triage pipeline)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from ingest.items import RawItem
from models.db import session_scope
from models.tables import Case, CaseEvent, Item
from pipeline.batch import store_raw_items, triage_stored_items
from pipeline.case_import import import_cases
from tests.conftest import REPO, triage_in_process
from workflow.references import is_reference, quoted_reference_keys, reference_key

EXAMPLE = REPO / "data" / "examples" / "open-cases.csv"
TODAY = date(2026, 11, 20)
HEADER = "reference,stage,status,received_at,acknowledged_at,stage_started,name,postcode,email"


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def count_cases(settings) -> int:
    with session_scope(settings.resolved_database_url) as session:
        return session.scalar(select(func.count()).select_from(Case))


def test_the_example_file_imports_and_a_second_run_changes_nothing(database_settings) -> None:
    first = import_cases(database_settings, EXAMPLE, TODAY)
    assert (first.imported, first.unchanged, first.problems) == (4, 0, [])
    with session_scope(database_settings.resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.ref == "HC/2026/0412"))
        # code-2024 stage 1: acknowledge within 5 working days of receipt, respond within 10
        # of the acknowledgement (21 October, so 4 November).
        assert (case.acknowledge_by, case.respond_by) == (date(2026, 10, 26), date(2026, 11, 4))
        assert (case.postcode, case.email, case.ref_key) == (
            "PR1 3LT", "joan.whitfield@example.org", "HC20260412")
        (event,) = case.events
        assert event.kind == "imported" and event.detail["line"] == 2
        assert event.detail["deadlines"] == "computed"
        given_ = session.scalar(select(Case).where(Case.ref == "HC/2026/0440"))
        assert given_.respond_by == date(2026, 12, 7)  # the file's own deadline is kept
        stage2 = session.scalar(select(Case).where(Case.ref == "HC/2026/0433"))
        assert (stage2.stage, stage2.stage_started, stage2.acknowledged_on) == (
            2, date(2026, 10, 30), date(2026, 11, 3))
        events_before = session.scalar(select(func.count()).select_from(CaseEvent))
    again = import_cases(database_settings, EXAMPLE, TODAY)
    assert (again.imported, again.unchanged, again.problems) == (0, 4, [])
    assert count_cases(database_settings) == 4
    with session_scope(database_settings.resolved_database_url) as session:
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == events_before


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(database_settings,
                                                              tmp_path: Path) -> None:
    path = write(tmp_path,
                 "HC-100,1,open,2026-11-02,,,Ann Lee,PR2 4XT,ann@example.org",
                 "HC-101,7,open,2026-11-02,,,Bo Wu,PR2 4XT,",
                 "HC-102,1,pending,2026-11-02,,,Cy Ng,PR2 4XT,",
                 "HC-103,1,open,02/11/2026,,,Di Ray,PR2 4XT,",
                 "HC-104,1,open,2026-11-02,2026-10-01,,Ed Fox,PR2 4XT,",
                 "HC-105,2,open,2026-11-02,,,Flo Kay,PR2 4XT,",
                 "HC-106,1,open,2026-11-02,,,Gus Orr,ZZ99 9ZZX,",
                 "HC-100,1,open,2026-11-03,,,Hal Poe,PR2 4XT,",
                 "HC-107,1,open,2027-01-05,,,Ivy Roe,PR2 4XT,",
                 "HC-108,1,open,2026-11-02,,,,,",
                 "HC-109,1,open,2026-11-02,,,Jo Sim,PR2 4XT,not-an-address",
                 "HC-110,1,open")
    report = import_cases(database_settings, path, TODAY)
    assert report.imported == 0 and count_cases(database_settings) == 0
    reasons = {p.line: p.reason for p in report.problems}
    assert sorted(reasons) == list(range(3, 14))
    assert "stage '7'" in reasons[3] and "status 'pending'" in reasons[4]
    assert "not an ISO date" in reasons[5] and "before the stage began" in reasons[6]
    assert "needs stage_started" in reasons[7] and "not a UK postcode" in reasons[8]
    assert "also on line 2" in reasons[9] and "in the future" in reasons[10]
    assert "no name, email or phone" in reasons[11] and "not an email" in reasons[12]
    assert "has 3 fields; the header has 9" in reasons[13]


def test_a_header_that_is_wrong_is_reported_on_line_1(database_settings, tmp_path) -> None:
    path = write(tmp_path, "HC-1,1,open,2026-11-02", header="reference,stage,state,received")
    report = import_cases(database_settings, path, TODAY)
    reasons = [p.reason for p in report.problems if p.line == 1]
    assert "missing column 'status'" in reasons and "missing column 'received_at'" in reasons
    assert any("unknown column 'state'" in r for r in reasons)


def test_a_changed_row_for_a_held_reference_is_refused(database_settings, tmp_path) -> None:
    import_cases(database_settings, write(
        tmp_path, "HC-200,1,open,2026-11-02,,,Ann Lee,PR2 4XT,"), TODAY)
    report = import_cases(database_settings, write(
        tmp_path, "HC-200,1,open,2026-11-03,,,Ann Lee,PR2 4XT,",
        "hc 201,1,open,2026-11-03,,,Bo Wu,PR2 4XT,"), TODAY)
    assert [(p.line, "imported with other values" in p.reason) for p in report.problems] == [
        (2, True)]
    assert count_cases(database_settings) == 1  # HC 201 waits until the file is right


def test_our_own_references_imported_are_never_issued_again(database_settings,
                                                            tmp_path) -> None:
    from models.casework import allocate_reference

    import_cases(database_settings, write(
        tmp_path, "CMP-2026-00041,1,open,2026-11-02,,,Ann Lee,PR2 4XT,"), TODAY)
    with session_scope(database_settings.resolved_database_url) as session:
        assert allocate_reference(session, 2026) == "CMP-2026-00042"


def test_the_command_reports_bad_lines_and_exits_1(command_env, tmp_path) -> None:
    bad = write(tmp_path, "HC-11,1,open,2026-11-02,,,Ann,PR2 4XT,", "HC-12,x,open,2026-11-02,,,B,,")
    result = triage_in_process("import", "cases", str(bad), env=command_env)
    assert result.returncode == 1
    assert "cases.csv:3: stage 'x'" in result.stderr and "nothing imported" in result.stderr
    good = triage_in_process("import", "cases", str(EXAMPLE), env=command_env)
    assert good.returncode == 0 and "4 case(s) imported" in good.stdout
    again = triage_in_process("import", "cases", str(EXAMPLE), env=command_env)
    assert again.returncode == 0 and "0 case(s) imported, 4 already held" in again.stdout
    listed = triage_in_process("cases", "--json", env=command_env)
    assert listed.stdout.count('"ref": "HC/2026/') == 4


ESCALATION = (
    "From: Joan Whitfield <joan.whitfield@example.org>\r\n"
    "To: complaints@example-housing.org.uk\r\n"
    "Subject: Complaint HC/2026/0412 - please escalate to stage 2\r\n"
    "Date: Wed, 18 Nov 2026 09:12:00 +0000\r\n"
    "Message-ID: <escalate-0412@example.org>\r\n\r\n"
    "Dear Complaints Team,\r\n\r\n"
    "I complained in October about the damp in my bedroom at Flat 3, Calder House, Moor Lane, "
    "Preston PR1 3LT (your reference HC/2026/0412). Your stage 1 response did not put things "
    "right and the mould is back. I am not satisfied and I want my complaint escalated to "
    "stage 2 of your complaints procedure.\r\n\r\nYours sincerely,\r\nJoan Whitfield\r\n")


@pytest.fixture
def pipeline_settings(database_settings, model_dir: Path):
    shutil.copytree(model_dir, database_settings.model_dir)
    return database_settings


def test_mail_quoting_an_imported_reference_threads_onto_it(pipeline_settings) -> None:
    import_cases(pipeline_settings, EXAMPLE, TODAY)
    stored = store_raw_items(pipeline_settings, [RawItem("email", ESCALATION.encode(),
                                                         "file:escalate.eml")])
    triage_stored_items(pipeline_settings, stored.stored)
    with session_scope(pipeline_settings.resolved_database_url) as session:
        item = session.get(Item, stored.stored[0])
        case = session.scalar(select(Case).where(Case.ref == "HC/2026/0412"))
        assert item.case_id == case.id
        assert [e.kind for e in case.events] == ["imported", "escalated"]
        assert case.stage == 2 and case.stage_started == date(2026, 11, 18)
        assert session.scalar(select(func.count()).select_from(Case)) == 4  # none opened


REFERENCE = st.from_regex(r"\A[A-Z]{1,4}[-/][0-9]{2,4}[-/][0-9]{3,6}\Z")


@given(REFERENCE, st.sampled_from(["-", "/", " ", ""]), st.booleans())
def test_a_reference_is_found_however_its_separators_are_written(reference, sep, lower):
    written = reference.replace("-", sep).replace("/", sep)
    written = written.lower() if lower else written
    text = f"Dear team, about my complaint ref {written}, nothing has happened since."
    assert is_reference(reference)
    assert reference_key(reference) in quoted_reference_keys("", text)


def test_dates_and_phone_numbers_never_match_a_reference_they_are_not() -> None:
    keys = quoted_reference_keys("Re: CMP-2026-00007", "Call 07700 900123 on 12/03/2026.")
    assert keys[0] == "CMP202600007" and "HC20260412" not in keys


def test_migration_0011_backfills_reference_keys_and_goes_down_again(database_settings
                                                                     ) -> None:
    from alembic import command

    from models.db import alembic_config, get_engine, migrate
    from tests.test_casework import COMPLAINT, email_item, triage

    url = database_settings.resolved_database_url
    triage(database_settings, b"c1", email_item(COMPLAINT, day=2, message_id="<a@x>"),
           "complaint")
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    migrate(url)
    with session_scope(url) as session:
        assert session.scalar(select(Case.ref_key)) == "CMP202600001"
