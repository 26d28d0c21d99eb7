"""The retention run: for each class of the schedule, what is due, and (unless a dry run)
its personal data removed in chunks, with one audit row per class saying how many records of
which class went, never which or whose."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from core.settings import Settings
from models.db import session_scope
from models.retention import (
    audit,
    chunks,
    count,
    count_log_entries,
    delete_log_entries,
    delete_raw_files,
    due_cases,
    due_items,
    purge_cases,
    purge_items,
)
from pipeline.casework.cases import landlord_today
from workflow.retention import LOG_CLASSES, RetentionClass, load_schedule

CHUNK = 1000


def run_retention(settings: Settings, *, today: date | None = None, dry_run: bool = False,
                  schedule: Path | None = None) -> list[dict[str, Any]]:
    """Each class's cut-off and how many items and cases were (or, dry, would be) due."""
    today = today or landlord_today()
    report = []
    for klass in load_schedule(schedule):
        url = settings.resolved_database_url
        if klass.name in LOG_CLASSES:
            report.append(_expire_log(url, klass, today, dry_run))
            continue
        with session_scope(url) as session:
            items, cases = (count(session, due_items(klass, today)),
                            count(session, due_cases(klass, today)))
        row = {"class": klass.name, "action": klass.action, "days": klass.days,
               "cutoff": klass.cutoff(today).isoformat(), "items": items, "cases": cases,
               "dry_run": dry_run}
        started = time.perf_counter()
        if not dry_run and (items or cases):
            row["items"], row["cases"] = _purge(settings, klass, today)
        row["seconds"] = round(time.perf_counter() - started, 2)
        if not dry_run:
            with session_scope(url) as session:
                audit(session, kind="retention", record_class=klass.name,
                      action=klass.action, count=row["items"] + row["cases"],
                      detail={"items": row["items"], "cases": row["cases"],
                              "cutoff": row["cutoff"], "days": klass.days})
        report.append(row)
    return report


def _expire_log(url: str, klass: RetentionClass, today: date, dry_run: bool
                ) -> dict[str, Any]:
    """A log class: its old rows counted, and deleted unless a dry run; audited by count."""
    with session_scope(url) as session:
        entries = (count_log_entries(session, klass, today) if dry_run
                   else delete_log_entries(session, klass, today))
        if not dry_run:
            audit(session, kind="retention", record_class=klass.name, action=klass.action,
                  count=entries, detail={"entries": entries,
                                         "cutoff": klass.cutoff(today).isoformat(),
                                         "days": klass.days})
    return {"class": klass.name, "action": klass.action, "days": klass.days,
            "cutoff": klass.cutoff(today).isoformat(), "items": 0, "cases": 0,
            "entries": entries, "dry_run": dry_run}


def _purge(settings: Settings, klass: RetentionClass, today: date) -> tuple[int, int]:
    url = settings.resolved_database_url
    done_items = done_cases = after = 0
    while True:  # each chunk its own transaction; raw files go once it has committed
        with session_scope(url) as session:
            ids = next(chunks(session, due_items(klass, today), CHUNK, after), [])
            paths = purge_items(session, ids, klass.action) if ids else []
        delete_raw_files(settings.raw_dir, paths)
        done_items += len(ids)
        if len(ids) < CHUNK:
            break
        after = ids[-1]
    after = 0
    while klass.name == "closed_cases":
        with session_scope(url) as session:
            ids = next(chunks(session, due_cases(klass, today), CHUNK, after), [])
            if ids:
                purge_cases(session, ids)
        done_cases += len(ids)
        if len(ids) < CHUNK:
            break
        after = ids[-1]
    return done_items, done_cases
