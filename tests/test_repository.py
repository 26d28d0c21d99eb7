"""Persistence on SQLite and PostgreSQL: raw bytes first, references, the append-only log."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from ingest.items import RawItem
from models.casework import allocate_reference
from models.db import migrate, session_scope
from models.rawstore import load_raw
from models.repository import record_raw
from models.tables import AppendOnlyViolation, Case, CaseEvent, Item


def test_migration_is_idempotent(database_settings) -> None:
    migrate(database_settings.resolved_database_url)
    with session_scope(database_settings.resolved_database_url) as session:
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    from alembic.script import ScriptDirectory

    from models.db import alembic_config

    config = alembic_config(database_settings.resolved_database_url)
    assert [version] == ScriptDirectory.from_config(config).get_heads()


def test_raw_bytes_are_kept_byte_for_byte_and_stored_once(database_settings) -> None:
    raw = RawItem("email", b"From: a@example.org\r\n\r\n\xff\xfe odd bytes\r\n", "file:x.eml")
    url = database_settings.resolved_database_url
    with session_scope(url) as session:
        item, created = record_raw(session, database_settings.raw_dir, raw)
        session.flush()
        first_id = item.id
    assert created
    with session_scope(url) as session:
        again, created_again = record_raw(session, database_settings.raw_dir,
                                          RawItem("email", raw.raw, "INBOX:7:42"))
        stored = session.get(Item, first_id)
        assert stored is not None
        assert load_raw(database_settings.raw_dir, stored.raw_path, stored.sha256) == raw.raw
    assert (again.id, created_again) == (first_id, False)


def test_case_references_count_up_per_year(database_settings) -> None:
    url = database_settings.resolved_database_url
    with session_scope(url) as session:
        refs = [allocate_reference(session, 2026) for _ in range(3)]
        refs.append(allocate_reference(session, 2027))
    with session_scope(url) as session:
        refs.append(allocate_reference(session, 2026))
    assert refs == ["CMP-2026-00001", "CMP-2026-00002", "CMP-2026-00003", "CMP-2027-00001",
                    "CMP-2026-00004"]


def _case_with_event(url: str) -> int:
    from datetime import UTC, date, datetime

    with session_scope(url) as session:
        case = Case(ref="CMP-2026-00099", policy="code-2024", stage=1,
                    received_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
                    stage_started=date(2026, 11, 2), respond_by=date(2026, 11, 23))
        session.add(case)
        session.flush()
        event = CaseEvent(case_id=case.id, kind="opened", stage=1, detail={})
        session.add(event)
        session.flush()
        return event.id


def test_case_events_refuse_edits_in_the_orm(database_settings) -> None:
    url = database_settings.resolved_database_url
    event_id = _case_with_event(url)
    with pytest.raises(AppendOnlyViolation), session_scope(url) as session:
        event = session.get(CaseEvent, event_id)
        assert event is not None
        event.kind = "tampered"
        session.flush()
    with pytest.raises(AppendOnlyViolation), session_scope(url) as session:
        session.delete(session.get(CaseEvent, event_id))
        session.flush()


def test_case_events_refuse_edits_in_the_database_itself(database_settings) -> None:
    url = database_settings.resolved_database_url
    event_id = _case_with_event(url)
    for statement in ("UPDATE case_events SET kind = 'tampered' WHERE id = :id",
                      "DELETE FROM case_events WHERE id = :id"):
        with pytest.raises(DatabaseError, match="append-only"), session_scope(url) as session:
            session.execute(text(statement), {"id": event_id})
    with session_scope(url) as session:
        assert session.scalar(select(CaseEvent.kind).where(CaseEvent.id == event_id)) == "opened"
