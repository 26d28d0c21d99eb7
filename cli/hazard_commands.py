"""`triage hazards` and `triage hazard …`: the hazard lane under Awaab's Law, each change an
event in the hazard's append-only log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.shared_commands import out, print_jsonl, run_casework

hazard_app = typer.Typer(help="One hazard's lifecycle under the hazard policy (Awaab's Law).")

AtOption = Annotated[str | None, typer.Option(
    "--at", help="ISO date-time it happened, e.g. 2026-11-14T09:30+00:00 (default: now)")]
ByOption = Annotated[str, typer.Option("--by", help="the officer who did it")]


def _at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not an ISO date-time: {value!r}") from exc
    if when.tzinfo is None:
        from workflow.staging import LANDLORD_TIMEZONE

        when = when.replace(tzinfo=LANDLORD_TIMEZONE)  # a time as written in the UK
    return when


def print_hazards(rows: list[dict[str, Any]], console: Console) -> None:
    from pipeline.hazards import time_left_text

    table = Table("id", "item", "case", "vulnerability", "type", "severity", "next step",
                  "due", "time left", title=f"{len(rows)} open hazards")
    for row in rows:
        cues = ", ".join(c.get("cue", "") for c in row["vulnerability"])
        severity = row["severity"] + ("" if row["confirmed"] else " (proposed)")
        left = time_left_text(row)
        table.add_row(str(row["id"]), str(row["item_id"]), row["case_ref"] or "", cues,
                      row["type"].replace("_", " "), severity, row["next_step"] or "",
                      row["due_text"] or (row["not_yet_in_force"] or ""),
                      f"[red]{left}[/]" if row["overdue"] else left)
    console.print(table)


def print_hazard(view: dict[str, Any], console: Console) -> None:
    console.print(f"Hazard {view['id']} ({view['status']}): {view['type'].replace('_', ' ')}, "
                  f"{view['severity']}{'' if view['confirmed'] else ' (proposed)'}; item "
                  f"{view['item_id']}" + (f", case {view['case_ref']}" if view['case_ref']
                                          else ""), markup=False)
    for cue in view["vulnerability"]:
        console.print(f"  vulnerability: {cue.get('cue')}: {cue.get('evidence')}", markup=False)
    console.print(f"  evidence: {view['evidence']}", markup=False)
    for clock in view["clocks"]:
        state = ("met on time" if clock["on_time"] else "met late") if clock["met_at"] else (
            "OVERDUE" if clock["overdue"] else "running")
        console.print(f"  {clock['step']}: due {clock['due_on'] or clock['due_at']} "
                      f"({clock['length']} {clock['unit'].replace('_', ' ')}), {state}",
                      markup=False)
    for event in view["events"]:
        console.print(f"  {event['at']} {event['kind']}" + (f" by {event['by']}"
                                                          if event["by"] else ""), markup=False)


def _change(hazard_id: int, step: str, at: str | None, by: str, **values: Any) -> None:
    from pipeline import hazards

    view = run_casework(lambda s: hazards.change(s, hazard_id, step, at=_at(at), by=by,
                                                 **values))
    print_hazard(view, out)


@hazard_app.command("show")
def hazard_show(hazard_id: int, as_json: Annotated[bool, typer.Option("--json")] = False
                ) -> None:
    """A hazard's clocks and its event log."""
    from pipeline import hazards

    view = run_casework(lambda s: hazards.show(s, hazard_id))
    print_jsonl([view]) if as_json else print_hazard(view, out)


@hazard_app.command("confirm")
def hazard_confirm(hazard_id: int,
                   severity: Annotated[str, typer.Option("--severity",
                                                         help="emergency or significant")],
                   by: ByOption,
                   reason: Annotated[str, typer.Option("--reason",
                                                       help="needed when changing it")] = "",
                   at: AtOption = None) -> None:
    """Confirm the proposed severity, or change it with a reason."""
    _change(hazard_id, "confirm_severity", at, by, severity=severity, reason=reason)


@hazard_app.command("investigate")
def hazard_investigate(hazard_id: int, by: ByOption,
                       found: Annotated[bool, typer.Option("--found/--not-found")],
                       note: Annotated[str | None, typer.Option("--note")] = None,
                       at: AtOption = None) -> None:
    """Record the investigation (drafts the written summary for the resident)."""
    _change(hazard_id, "investigate", at, by, found=found, note=note)


@hazard_app.command("summary-sent")
def hazard_summary_sent(hazard_id: int, by: ByOption, at: AtOption = None) -> None:
    """Record that the written summary of the findings was sent."""
    _change(hazard_id, "send_summary", at, by)


@hazard_app.command("made-safe")
def hazard_made_safe(hazard_id: int, by: ByOption,
                     how: Annotated[str | None, typer.Option("--how")] = None,
                     at: AtOption = None) -> None:
    """Record the work that made the home safe."""
    _change(hazard_id, "make_safe", at, by, how=how)


@hazard_app.command("accommodation")
def hazard_accommodation(hazard_id: int, by: ByOption,
                         where: Annotated[str | None, typer.Option("--where")] = None,
                         at: AtOption = None) -> None:
    """Record suitable alternative accommodation offered."""
    _change(hazard_id, "offer_accommodation", at, by, where=where)


@hazard_app.command("preventative")
def hazard_preventative(hazard_id: int, by: ByOption,
                        what: Annotated[str | None, typer.Option("--what")] = None,
                        at: AtOption = None) -> None:
    """Record further preventative work started (or steps taken to start it)."""
    _change(hazard_id, "start_preventative", at, by, what=what)


@hazard_app.command("complete")
def hazard_complete(hazard_id: int, by: ByOption,
                    note: Annotated[str | None, typer.Option("--note")] = None,
                    at: AtOption = None) -> None:
    """Close the hazard: investigated, summary sent and, if found, made safe."""
    _change(hazard_id, "complete", at, by, note=note)
