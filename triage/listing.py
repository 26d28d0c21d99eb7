"""Rows for `triage items` and `triage cases`, as JSON-ready dicts and as tables."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models.db import session_scope
from models.tables import Case, Item
from triage.settings import Settings
from workflow.calendar import working_days_between
from workflow.policy import load_policy


def item_rows(settings: Settings) -> list[dict[str, object]]:
    with session_scope(settings.resolved_database_url) as session:
        items = session.scalars(
            select(Item).options(selectinload(Item.classifications), selectinload(Item.case))
            .order_by(Item.id)
        )
        return [
            {
                "id": item.id,
                "source": item.source,
                "source_ref": item.source_ref,
                "message_id": item.message_id,
                "sha256": item.sha256,
                "status": item.status,
                "category": item.classification.category if item.classification else None,
                "case_ref": item.case.ref if item.case else None,
                "error": f"{item.error_code}: {item.error}" if item.error_code else None,
            }
            for item in items
        ]


def case_rows(settings: Settings, due_within: int | None = None,
              today: date | None = None) -> list[dict[str, object]]:
    """Every case; with `due_within`, only open cases due within that many working days."""
    today = today or date.today()
    with session_scope(settings.resolved_database_url) as session:
        cases = session.scalars(select(Case).options(selectinload(Case.items)).order_by(Case.id))
        rows = []
        for case in cases:
            nation = load_policy(case.policy).nation if due_within is not None else None
            if nation is not None and (
                case.status != "open"
                or working_days_between(today, _next_deadline(case, today), nation) > due_within
            ):
                continue
            rows.append({
                "ref": case.ref,
                "policy": case.policy,
                "stage": case.stage,
                "status": case.status,
                "received_at": case.received_at.isoformat(),
                "acknowledge_by": case.acknowledge_by.isoformat() if case.acknowledge_by else None,
                "respond_by": case.respond_by.isoformat(),
                "name": case.name,
                "postcode": case.postcode,
                "item_ids": [item.id for item in case.items],
            })
        return rows


def _next_deadline(case: Case, today: date) -> date:
    acknowledged = any(event.kind == "acknowledged" for event in case.events)
    if case.acknowledge_by and not acknowledged:
        return case.acknowledge_by
    return case.respond_by


def print_items(rows: list[dict[str, object]], console: Console) -> None:
    table = Table("id", "source", "status", "category", "case", "error")
    for row in rows:
        table.add_row(str(row["id"]), str(row["source"]), str(row["status"]),
                      str(row["category"] or ""), str(row["case_ref"] or ""),
                      str(row["error"] or ""))
    console.print(table)


def print_cases(rows: list[dict[str, object]], console: Console) -> None:
    table = Table("ref", "policy", "stage", "status", "acknowledge by", "respond by", "name",
                  "postcode", "items")
    for row in rows:
        table.add_row(str(row["ref"]), str(row["policy"]), str(row["stage"]), str(row["status"]),
                      str(row["acknowledge_by"] or "—"), str(row["respond_by"]),
                      str(row["name"] or ""), str(row["postcode"] or ""),
                      ", ".join(str(i) for i in row["item_ids"]))
    console.print(table)
