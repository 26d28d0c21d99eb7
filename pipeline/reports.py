"""`triage report`: the year's figures from the database, as a table, CSV and a PNG chart."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.settings import Settings
from models.db import session_scope
from models.tables import Case, IntakeRecord, Item, ReviewDecision
from workflow.reporting import (
    Compliment,
    ItemVolume,
    RefusalRecord,
    build_report,
    plain_label,
    stage_records_from_events,
)
from workflow.staging import received_day


def is_automatic(rule_results: dict[str, Any] | None) -> bool:
    """Whether triage found the item to be automatic mail (the `automatic-mail` rule hit)."""
    results = (rule_results or {}).get("results") or []
    return any(r.get("rule") == "automatic-mail" and r.get("hit") for r in results)


def report_for_year(settings: Settings, year: int, homes: int | None) -> dict[str, Any]:
    """Read every case's log and every item's category, then compute the figures (months up
    to the landlord's today; automatic mail apart from residents' items)."""
    from pipeline.casework.cases import landlord_today

    stages, refusals, volumes, compliments = [], [], [], []
    with session_scope(settings.resolved_database_url) as session:
        for case in session.scalars(select(Case).options(selectinload(Case.events))):
            events = [(e.kind, e.stage, e.detail or {}) for e in case.events]
            stages.extend(stage_records_from_events(case.ref, events))
            if case.refused_reason:
                refusals.append(RefusalRecord(case.ref, case.received_on or case.stage_started,
                                        case.refused_reason))
        # An officer's settled category (the latest decision that set one) beats the model's.
        settled = {item_id: category for item_id, category in session.execute(
            select(ReviewDecision.item_id, ReviewDecision.category)
            .where(ReviewDecision.category.is_not(None)).order_by(ReviewDecision.id))}
        items = session.scalars(select(Item).options(selectinload(Item.classifications)))
        for item in items:
            latest = item.classification
            if item.received_at is not None and latest is not None:
                volumes.append(ItemVolume(received_day(item.received_at),
                                          settled.get(item.id, latest.category),
                                          item.id not in settled
                                          and is_automatic(latest.rule_results)))
        records = session.scalars(select(IntakeRecord).where(IntakeRecord.kind == "compliment"))
        for record in records:
            compliments.append(Compliment(record.received,
                                          tuple((record.detail or {}).get("staff") or ())))
    landlord = settings.landlord_names[0] if settings.landlord_names else ""
    return build_report(year, stages, refusals, volumes, homes, policy=settings.policy,
                        compliments=compliments, today=landlord_today(), landlord=landlord)


def _show(value: object, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


def print_report(figures: dict[str, Any], console: Console) -> None:
    console.print(figures["title"] + ("" if figures["homes"] else
                                      " (give --homes for CH01 per 1,000 homes)"))
    table = Table("stage", "received", "per 1,000 homes (CH01)", "responses", "on time",
                  "of which extended", "on time % (CH02)", "median WD to respond",
                  title="By stage")
    for row in figures["stages"]:
        table.add_row(str(row["stage"]), str(row["received"]), _show(row["per_1000_homes"]),
                      str(row["responses"]), str(row["on_time"]),
                      str(row["on_time_with_extension"]), _show(row["on_time_percent"], "%"),
                      _show(row["median_working_days_to_respond"]))
    console.print(table)
    refused = figures["refused_by_reason"]
    console.print("Refused: " + (", ".join(f"{k} {v}" for k, v in refused.items()) or "none"))
    volumes = figures["volumes_by_category"]
    console.print("Residents' items by category: "
                  + (", ".join(f"{plain_label(k)} {v}" for k, v in volumes.items()) or "none")
                  + f"; automatic mail (auto-replies, bounces, bulk) {figures['automatic_mail']}")
    staff = figures["compliments_by_staff"]
    console.print(f"Compliments: {figures['compliments']}"
                  + (" (" + ", ".join(f"{k} {v}" for k, v in staff.items()) + ")" if staff
                     else ""))
    categories = sorted(volumes)
    months = Table("month", *(plain_label(c) for c in categories), "Automatic mail",
                   title="Items by month (months begun so far)")
    for row, automatic in zip(figures["volumes_by_month"], figures["automatic_by_month"],
                              strict=True):
        months.add_row(row["month"], *(str(row.get(c, 0)) for c in categories),
                       str(automatic["count"]))
    if figures["volumes_by_month"]:
        console.print(months)


def csv_rows(figures: dict[str, Any]) -> list[list[str]]:
    """The figures flattened to (section, key, measure, value) rows."""
    rows = [["section", "key", "measure", "value"]]
    for name in ("ch01", "ch02"):
        for key, value in figures[name].items():
            rows.append([name, key, "per_1000_homes" if name == "ch01" else "on_time_percent",
                         _csv(value)])
    for row in figures["stages"]:
        for measure, value in row.items():
            if measure != "stage":
                rows.append(["stage", f"stage_{row['stage']}", measure, _csv(value)])
    for reason, count in figures["refused_by_reason"].items():
        rows.append(["refused", reason, "count", str(count)])
    for category, count in figures["volumes_by_category"].items():
        rows.append(["category", category, "count", str(count)])
    rows.append(["automatic_mail", "all", "count", str(figures["automatic_mail"])])
    rows.append(["compliments", "all", "count", str(figures["compliments"])])
    for name, count in figures["compliments_by_staff"].items():
        rows.append(["compliments", name, "count", str(count)])
    # Every month the table shows, each of its columns, zeros included.
    categories = sorted(figures["volumes_by_category"])
    for row, automatic in zip(figures["volumes_by_month"], figures["automatic_by_month"],
                              strict=True):
        for category in categories:
            rows.append(["month", row["month"], category, str(row.get(category, 0))])
        rows.append(["month", row["month"], "automatic_mail", str(automatic["count"])])
    return rows


def _csv(value: object) -> str:
    return "" if value is None else str(value)


def write_csv(figures: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(csv_rows(figures))


def write_chart(figures: dict[str, Any], path: Path) -> None:
    """The year on one PNG (pipeline/report_chart.py)."""
    from pipeline.report_chart import draw_chart

    path.parent.mkdir(parents=True, exist_ok=True)
    draw_chart(figures, path)
