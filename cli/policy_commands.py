"""`triage policy …`: a complaints policy's deadlines, and where it departs from the Code."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cli.shared_commands import err, out, print_jsonl

policy_app = typer.Typer(help="Complaints policies.")


@policy_app.command("deadlines")
def policy_deadlines(
    policy: Annotated[str, typer.Argument(help="code-2024, lancaster, lumen or a file")],
    received: Annotated[str, typer.Option("--received", help="ISO date of receipt")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The deadlines a complaint received that day gets at each stage."""
    from workflow.policy import PolicyError, load_policy

    try:
        loaded = load_policy(policy)
        day = date.fromisoformat(received)
    except (PolicyError, ValueError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    payload = {"policy": loaded.id, "received": day.isoformat(),
               "stages": loaded.deadline_table(day)}
    if as_json:
        print_jsonl([payload])
        return
    out.print(f"{loaded.name} — received {day.isoformat()} (day 0), {loaded.nation} holidays")
    for row in payload["stages"]:
        out.print(f"  stage {row['stage']}: acknowledge by {row['acknowledge_by'] or '—'}, "
                  f"respond by {row['respond_by']}")


@policy_app.command("check")
def policy_check(
    policy: Annotated[str, typer.Argument(help="code-2024, lancaster, lumen or a file")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    warn_only: Annotated[bool, typer.Option(
        "--warn-only", help="exit 0 even when the policy departs from the Code")] = False,
) -> None:
    """Where a policy departs from the Housing Ombudsman's Complaint Handling Code 2024; exit 1
    when it does (a check a deployment can gate on), unless --warn-only."""
    from workflow.conformance import check_against_code
    from workflow.policy import PolicyError, load_policy

    try:
        loaded = load_policy(policy)
    except PolicyError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    departures = check_against_code(loaded)
    breaks = sum(1 for d in departures if d.severity == "departure")
    failed = 1 if breaks and not warn_only else 0
    if as_json:
        print_jsonl([{"policy": loaded.id, "departures": [d.as_dict() for d in departures]}])
        raise typer.Exit(failed)
    from rich.markup import escape

    notes = len(departures) - breaks
    out.print(f"{escape(loaded.name)}: {breaks} departures from the Complaint Handling Code "
              f"2024, {notes} notes")
    for d in departures:
        out.print(escape(f"  [{d.severity}] {d.code}: {d.message}"))
    raise typer.Exit(failed)
