"""`triage demo`: the intake flow over data/samples/, a progress bar, then what it did."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cli.runs import run_intake
from core.settings import Settings
from ingest.folder import list_folder
from models.db import session_scope
from models.tables import Item


def run_demo(settings: Settings, console: Console) -> int:
    mailbox = settings.samples_dir / "mailbox"
    scans = settings.samples_dir / "scans"
    if not mailbox.is_dir() and not scans.is_dir():
        console.print(f"[red]no samples at {settings.samples_dir}[/]")
        return 1
    files = len(list_folder(mailbox, "email")) + len(list_folder(scans, "letter"))
    console.print(f"Intake of {files} sample files from {settings.samples_dir} "
                  f"into {settings.resolved_database_url} (policy {settings.policy})")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        stored = progress.add_task("store raw bytes", total=files)
        triaged = progress.add_task("triage", total=None)

        def advance(phase: str, count: int) -> None:
            if phase == "triage_total":
                progress.update(triaged, total=count)
            else:
                progress.advance(stored if phase == "stored" else triaged, count)

        report = run_intake(settings, mailbox_dir=mailbox, scans_dir=scans, progress=advance)
    if not report.stored:
        console.print(f"Nothing new: all {report.duplicates} sample files were already ingested. "
                      f"Delete the data dir ({settings.data_dir}) to start again.")
    else:
        console.print(f"Stored {len(report.stored)} new items "
                      f"({report.duplicates} already seen).")
    print_item_table(settings, console)
    print_casework_summary(settings, console)
    print_hazard_lane(settings, console)
    print_residents_summary(settings, console)
    return 0


def print_hazard_lane(settings: Settings, console: Console) -> None:
    """Every hazard the samples reported, whatever their category, with its clock."""
    from cli.hazard_commands import print_hazards
    from pipeline.hazards import hazard_policy, open_hazards

    rows = open_hazards(settings)
    print_hazards(rows, console)
    policy = hazard_policy(settings)
    overdue = sum(row["overdue"] for row in rows)
    console.print(f"Hazard watch ({policy.id}): {len(rows)} open, "
                  f"{sum(r['severity'] == 'emergency' for r in rows)} emergency, {overdue} "
                  "past a clock (counted from when the mail arrived); `triage hazards --due 24` "
                  "for those due within a day, `triage hazard show ID` for one's clocks.")


def print_residents_summary(settings: Settings, console: Console) -> None:
    """Residents made and linked, and items held as about a case already open."""
    from pipeline.casework.residents import linking_summary

    summary = linking_summary(settings)
    console.print(f"Residents: {summary['residents']}, with {summary['linked_items']} items "
                  f"linked and {summary['proposed_residents']} proposed for an officer "
                  "(`triage resident proposed`).")
    for link in summary["same_matter"]:
        console.print(f"  item {link['item_id']}: same matter as open case "
                      f"{link['case_ref']} (score {link['score']:.2f}); no second case opened")


def print_casework_summary(settings: Settings, console: Console) -> None:
    """The letters drafted and the deadline watch, so the demo shows what is due next."""
    from models.tables import DraftLetter
    from pipeline.listing import case_rows

    with session_scope(settings.resolved_database_url) as session:
        kinds = Counter(session.scalars(select(DraftLetter.kind)))
    sending = "sent by SMTP" if settings.smtp_host else "kept for officers to send"
    console.print("Letters drafted (" + sending + "): "
                  + (", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
                     or "none"))
    due = case_rows(settings, due_within=3)
    console.print(f"Deadline watch: {len(due)} open cases due within 3 working days or "
                  "overdue (`triage cases --due 3`); `triage report --year YEAR` for the "
                  "year's figures.")


def print_item_table(settings: Settings, console: Console) -> None:
    """One row per item with its case and deadlines, then counts per category and for review."""
    table = Table("case", "source", "category", "conf.", "review", "stage", "acknowledge by",
                  "respond by", "name", "postcode", title="Items")
    categories: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    with session_scope(settings.resolved_database_url) as session:
        items = session.scalars(
            select(Item).options(selectinload(Item.classifications), selectinload(Item.case),
                                 selectinload(Item.fields))
            .order_by(Item.received_at, Item.id)
        )
        for item in items:
            statuses[item.status] += 1
            verdict, case, fields = item.classification, item.case, item.fields
            category = verdict.category if verdict else f"[red]{item.error_code}[/]"
            if verdict and verdict.excluded_reason:
                category += f" ({verdict.excluded_reason})"
            if verdict and verdict.hazard:
                category += f" [bold red]{verdict.hazard}[/]"
            categories[verdict.category if verdict else "quarantined"] += 1
            table.add_row(
                case.ref if case else "—",
                item.source,
                category,
                f"{verdict.confidence:.2f}" if verdict else "",
                "yes" if item.status in {"needs_review", "quarantined"} else "no",
                str(case.stage) if case else "",
                case.acknowledge_by.isoformat() if case and case.acknowledge_by else "",
                case.respond_by.isoformat() if case else "",
                (fields.name if fields else None) or "",
                (fields.postcode if fields else None) or "",
            )
    console.print(table)
    counts = ", ".join(f"{name} {count}" for name, count in sorted(categories.items()))
    console.print(f"By category: {counts}")
    console.print(f"Review queue: {statuses['needs_review']} items need an officer; "
                  f"{statuses['quarantined']} quarantined; {statuses['staged']} staged; "
                  f"{statuses['ignored']} ignored.")
