"""Rows for `triage items` and `triage cases`, as JSON-ready dicts and as tables."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.settings import Settings
from models.db import session_scope
from models.tables import Case, Item


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
    """Every case; with `due_within`, only open cases whose next deadline (acknowledgement,
    else response) falls within that many working days of today, or has passed."""
    from models.casework import state_of
    from pipeline.casework import landlord_today, policy_for
    from workflow.lifecycle import is_due

    today = today or landlord_today()
    nations: dict[str, str] = {}
    with session_scope(settings.resolved_database_url) as session:
        cases = session.scalars(select(Case).options(selectinload(Case.items))
                                .order_by(Case.id))
        rows = []
        for case in cases:
            if due_within is not None:
                if case.policy not in nations:
                    nations[case.policy] = policy_for(settings, case.policy).nation
                if not is_due(state_of(case), today, due_within, nations[case.policy]):
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


@dataclass(frozen=True)
class DeadlineCounts:
    """What the deadline watch records: counts only, never a name, postcode or reference."""

    within_days: int
    today: date
    open: int
    due: int
    overdue: int
    overdue_acknowledgements: int

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "today": self.today.isoformat()}


def deadline_counts(settings: Settings, within_days: int,
                    today: date | None = None) -> DeadlineCounts:
    """The deadline watch: open cases whose next deadline has passed, and those due within
    `within_days` working days (the split of what `case_rows(due_within=N)` lists)."""
    from models.casework import state_of
    from pipeline.casework import landlord_today, policy_for
    from workflow.lifecycle import due_standing, next_deadline

    today = today or landlord_today()
    nations: dict[str, str] = {}
    counts = {"open": 0, "due": 0, "overdue": 0, "overdue_acknowledgements": 0}
    with session_scope(settings.resolved_database_url) as session:
        for case in session.scalars(select(Case).where(Case.status == "open")):
            if case.policy not in nations:
                nations[case.policy] = policy_for(settings, case.policy).nation
            state = state_of(case)
            counts["open"] += 1
            standing = due_standing(state, today, within_days, nations[case.policy])
            if standing:
                counts[standing] += 1
            if standing == "overdue" and next_deadline(state)[0] == "acknowledge":  # type: ignore[index]
                counts["overdue_acknowledgements"] += 1
    return DeadlineCounts(within_days=within_days, today=today, **counts)


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


def print_case_detail(view: dict[str, object], console: Console) -> None:
    """One case: where it stands, what is due next, its log and its drafts."""
    console.print(f"[bold]{view['ref']}[/] ({view['policy']}) stage {view['stage']}, "
                  f"{view['status']}; handler: {escape(str(view['handler']))}"
                  + (f", officer {escape(str(view['officer']))}" if view["officer"] else ""))
    console.print(f"  received {view['received']}; stage began {view['stage_started']}; "
                  f"acknowledge by {view['acknowledge_by'] or '—'}"
                  f" (acknowledged {view['acknowledged_on'] or 'not yet'}); "
                  f"respond by {view['respond_by']}"
                  + (f" (extended {view['extension_days']} WD)" if view["extension_days"]
                     else ""))
    upcoming = view["next_step"]
    if isinstance(upcoming, dict):
        console.print(f"  next: {upcoming['step']} by {upcoming['due']}")
    if view["outcome"]:
        console.print(f"  outcome {view['outcome']} on {view['responded_on'] or '—'}"
                      + (f"; remedy: {view['remedy']}" if view["remedy"] else ""))
    if view["refused_reason"]:
        console.print(f"  refused: {view['refused_reason']}")
    events = Table("at", "event", "stage", "item", "detail", title="Event log")
    for event in view["events"]:  # type: ignore[union-attr]
        detail = ", ".join(f"{k}={v}" for k, v in event["detail"].items()
                           if k not in {"recorded_at", "ombudsman_contact"} and v is not None)
        events.add_row(event["at"], event["kind"], str(event["stage"]),
                       str(event["item_id"] or ""), escape(detail))
    console.print(events)
    for draft in view["drafts"]:  # type: ignore[union-attr]
        sent = f"sent {draft['sent_at']} to {draft['sent_to']}" if draft["sent_at"] else "draft"
        console.print(f"[bold]{draft['kind']}[/] (stage {draft['stage']}, {escape(sent)}): "
                      f"{escape(draft['subject'])}")


# What an item that opens no case can become (workflow/records.py).
RECORD_KINDS = ("service_request", "compliment", "proposed_exclusion", "archived")


def record_rows(settings: Settings, kind: str | None = None) -> list[dict[str, object]]:
    """What became of items that opened no case, oldest first."""
    from models.tables import IntakeRecord

    query = select(IntakeRecord).order_by(IntakeRecord.received, IntakeRecord.id)
    if kind:
        query = query.where(IntakeRecord.kind == kind)
    with session_scope(settings.resolved_database_url) as session:
        return [{"item_id": r.item_id, "kind": r.kind, "policy": r.policy,
                 "received": r.received.isoformat(), "status": r.status, "detail": r.detail}
                for r in session.scalars(query)]


def _record_summary(kind: str, detail: dict) -> str:
    if kind == "compliment":
        return ", ".join(detail.get("staff") or []) or "the team"
    if kind == "service_request" and detail.get("complaint_raised"):
        return f"complaint raised: {detail['complaint_raised']}"
    if kind == "proposed_exclusion":
        return str(detail.get("proposed_reason") or "")
    return ""


def print_records(rows: list[dict[str, object]], console: Console) -> None:
    table = Table("item", "kind", "received", "status", "detail")
    for row in rows:
        detail = row["detail"] if isinstance(row["detail"], dict) else {}
        table.add_row(str(row["item_id"]), str(row["kind"]), str(row["received"]),
                      str(row["status"]), escape(_record_summary(str(row["kind"]), detail)))
    console.print(table)
