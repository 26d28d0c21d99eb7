"""`triage item …`: an officer's decisions on items from the command line, through the same
casework service as the review web app's item page (pipeline/casework/items.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.shared_commands import out, run_casework

item_app = typer.Typer(help="Items waiting for an officer: decide, mark a hazard, retry.")
Officer = Annotated[str, typer.Option("--officer", help="the officer deciding")]
Note = Annotated[str | None, typer.Option("--note")]


@item_app.command("decide")
def item_decide(
    item_id: int, officer: Officer,
    action: Annotated[str, typer.Option(
        "--action", help="accept, correct, confirm_exclusion, refuse_exclusion or attach")],
    category: Annotated[str | None, typer.Option("--category", help="for correct")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="an exclusion's reason")]
    = None,
    hazard: Annotated[str | None, typer.Option("--hazard")] = None,
    case_ref: Annotated[str | None, typer.Option("--case", help="for attach")] = None,
    escalate: Annotated[bool, typer.Option("--escalate", help="attach and escalate")] = False,
    note: Note = None,
) -> None:
    """Settle an item waiting for review and move it on, as the web page's buttons do."""
    from pipeline import casework
    from workflow.officer_review import OfficerChoice

    choice = OfficerChoice(action, category=category, excluded_reason=reason, hazard=hazard,
                           case_ref=case_ref, escalate=escalate, note=note)
    outcome = run_casework(lambda s: casework.decide(s, item_id, officer, choice))
    out.print(outcome.message, markup=False)


@item_app.command("hazard")
def item_hazard(
    item_id: int, officer: Officer,
    hazard: Annotated[str | None, typer.Option("--hazard", help="none clears it")] = None,
    note: Note = None,
) -> None:
    """Mark (or clear) an item's hazard; its case, if any, carries it and logs the change."""
    from pipeline import casework

    outcome = run_casework(lambda s: casework.mark_hazard(s, item_id, officer, hazard, note))
    out.print(outcome.message, markup=False)


@item_app.command("retry")
def item_retry(item_id: int) -> None:
    """Reprocess one quarantined item from its stored bytes (the web's Retry button)."""
    from pipeline import casework

    outcome = run_casework(lambda s: casework.retry_quarantined(s, item_id))
    out.print(outcome.message, markup=False)
