"""Retention by schedule (dry run, purge, audit, legal hold), a resident's subject access
export and erasure, and corrections kept with old and new values (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from classify.fields import Extraction
from models.db import session_scope
from models.tables import Case, DataAudit, ExtractedFields, Item, Resident
from pipeline import casework
from pipeline.casework.cases import CaseworkError
from pipeline.resident_rights import erase_resident, export_resident
from pipeline.retention import run_retention
from tests.residency_support import email_item, stage_item
from workflow.retention import ScheduleError, load_schedule

ANN = Extraction(name="Ann Smith", email="ann.smith@example.org", postcode="PR2 4XT",
                 address="14 Ribble Street, Preston")


def rows(settings, model, *where):
    with session_scope(settings.resolved_database_url) as session:
        return list(session.scalars(select(model).where(*where)))


def test_retention_counts_then_purges_what_is_due_and_audits_classes(database_settings):
    other = stage_item(database_settings, email_item("Win a prize!", day=2), Extraction(),
                       "other")
    request = stage_item(database_settings, email_item("My gate is broken.", day=3), ANN,
                         "service_request")
    complaint = stage_item(database_settings, email_item("The leak is still not fixed.",
                                                         day=4), ANN)
    in_2027 = date(2027, 3, 1)  # the other mail is past 90 days, nothing else is due yet
    dry = {r["class"]: r for r in run_retention(database_settings, today=in_2027,
                                                dry_run=True)}
    assert dry["other_mail"]["items"] == 1 and dry["service_requests"]["items"] == 0
    assert rows(database_settings, DataAudit) == []  # a dry run changes nothing
    raw = database_settings.raw_dir / rows(database_settings, Item, Item.id == other)[0].raw_path
    assert raw.exists()
    done = {r["class"]: r for r in run_retention(database_settings, today=in_2027)}
    assert done["other_mail"]["items"] == 1 and not raw.exists()
    (purged,) = rows(database_settings, Item, Item.id == other)
    assert purged.text is None and purged.purged_at is not None and purged.raw_path == ""
    audits = {a.record_class: a for a in rows(database_settings, DataAudit)}
    assert audits["other_mail"].count == 1 and "Win" not in json.dumps(audits["other_mail"]
                                                                        .detail)
    # Years on: the request goes; the complaint's case is open, so its item stays.
    later = {r["class"]: r for r in run_retention(database_settings, today=date(2033, 1, 1))}
    assert later["service_requests"]["items"] == 1 and later["closed_cases"]["items"] == 0
    assert rows(database_settings, ExtractedFields, ExtractedFields.item_id == request) == []
    assert rows(database_settings, Item, Item.id == complaint)[0].text is not None
    # Closed, it goes six years after closure, unless under a legal hold.
    casework.close(database_settings, "CMP-2026-00001", "upheld", None, date(2026, 11, 20), "amina")
    with session_scope(database_settings.resolved_database_url) as session:
        session.scalar(select(Case)).legal_hold = True
    held = {r["class"]: r for r in run_retention(database_settings, today=date(2033, 1, 1))}
    assert held["closed_cases"]["items"] == 0
    with session_scope(database_settings.resolved_database_url) as session:
        session.scalar(select(Case)).legal_hold = False
    gone = {r["class"]: r for r in run_retention(database_settings, today=date(2033, 1, 1))}
    assert (gone["closed_cases"]["items"], gone["closed_cases"]["cases"]) == (1, 1)
    with session_scope(database_settings.resolved_database_url) as session:
        case = session.scalar(select(Case))
        assert case.name is None and case.outcome == "upheld"
        assert case.drafts[0].body.startswith("(removed")


def test_the_review_apps_logs_expire_after_a_year_and_are_audited_by_count(database_settings):
    from datetime import UTC, datetime

    from models.web_tables import AccessEntry, LoginAttempt

    with session_scope(database_settings.resolved_database_url) as session:
        for when in (datetime(2025, 1, 10, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)):
            session.add(AccessEntry(at=when, username="amina", action="viewed",
                                    target_kind="item", target="1", path="/items/1"))
            session.add(LoginAttempt(at=when, username="amina", address="127.0.0.1",
                                     outcome="wrong"))
    today = date(2026, 12, 5)
    dry = {r["class"]: r for r in run_retention(database_settings, today=today, dry_run=True)}
    assert (dry["access_log"]["entries"], dry["login_attempts"]["entries"]) == (1, 1)
    assert len(rows(database_settings, AccessEntry)) == 2  # a dry run deletes nothing
    done = {r["class"]: r for r in run_retention(database_settings, today=today)}
    assert done["access_log"]["entries"] == 1
    assert [e.at.year for e in rows(database_settings, AccessEntry)] == [2026]
    assert [e.at.year for e in rows(database_settings, LoginAttempt)] == [2026]
    audits = {a.record_class: a for a in rows(database_settings, DataAudit)}
    assert audits["access_log"].count == 1 and "amina" not in json.dumps(
        audits["access_log"].detail)


def test_only_the_logs_may_be_deleted_outright(tmp_path) -> None:
    bad = tmp_path / "schedule.toml"
    bad.write_text('[[class]]\nname = "compliments"\ndays = 30\naction = "delete"\n')
    with pytest.raises(ScheduleError, match="delete"):
        load_schedule(bad)


def test_a_schedule_naming_an_unknown_class_is_refused(tmp_path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[[class]]\nname = "everything"\ndays = 1\naction = "anonymise"\n')
    with pytest.raises(ScheduleError, match="unknown name"):
        load_schedule(path)
    assert [c.name for c in load_schedule()][:2] == ["closed_cases", "service_requests"]


def test_export_holds_everything_and_erase_waits_for_open_cases(database_settings, tmp_path):
    first = stage_item(database_settings, email_item("The leak is still not fixed.", day=2),
                       ANN)
    for day in range(3, 52):
        stage_item(database_settings, email_item(f"Note {day} about my gate.", day=day % 28 + 1,
                                                 month=10), ANN, "service_request")
    casework.edit_fields(database_settings, first, "amina", {"phone": "07700 900111"})
    resident_id = rows(database_settings, Item, Item.id == first)[0].resident_id
    out = tmp_path / "sar.zip"
    started = time.perf_counter()
    held = export_resident(database_settings, resident_id, out, by="dpo")
    seconds = time.perf_counter() - started
    assert held["items"] == 50 and held["originals"] == 50 and held["cases"] == 1
    print(f"subject access export of 50 items: {seconds:.2f} s")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        records = json.loads(archive.read("records.json"))
        original = archive.read(f"originals/item-{first}.eml")
        assert "index.html" in names and any(n.startswith("letters/") for n in names)
    stored = rows(database_settings, Item, Item.id == first)[0]
    assert original == (database_settings.raw_dir / stored.raw_path).read_bytes()
    assert records["resident"]["email"] == "ann.smith@example.org"
    (correction,) = rows(database_settings, DataAudit, DataAudit.kind == "correction")
    assert correction.detail["changes"]["phone"] == {"old": None, "new": "07700 900111"}
    with pytest.raises(CaseworkError, match="open cases"):
        erase_resident(database_settings, resident_id, "asked to be forgotten")
    casework.close(database_settings, "CMP-2026-00001", "resolved", None, date(2026, 11, 20),
                   "amina")
    done = erase_resident(database_settings, resident_id, "asked to be forgotten", by="dpo")
    assert done["items"] == 50
    (resident,) = rows(database_settings, Resident, Resident.id == resident_id)
    assert resident.name is None and resident.email is None and resident.erased_at
    assert not (database_settings.raw_dir / stored.raw_path).exists()
    (erasure,) = rows(database_settings, DataAudit, DataAudit.kind == "erasure")
    assert erasure.reason == "asked to be forgotten" and erasure.by == "dpo"
    (correction,) = rows(database_settings, DataAudit, DataAudit.kind == "correction")
    assert correction.detail == {"item_id": first, "fields": ["phone"]}
