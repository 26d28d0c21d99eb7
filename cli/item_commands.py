"""`triage item …`: an officer's decisions on items from the command line, through the same
casework service as the review web app's item page (pipeline/casework/items.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.shared_commands import out, run_casework

item_app = typer.Typer(help="Items waiting for an officer: decide, mark a hazard, retry, "
                                 "reopen a decision, claim or release.")
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


@item_app.command("reopen")
def item_reopen(
    item_id: int, officer: Officer,
    reason: Annotated[str, typer.Option("--reason", help="why the decision is reopened "
                                                         "(kept with the item)")],
) -> None:
    """Put a decided item back in the queue (the web's Reopen button): an item that joined
    a case leaves it, a case it opened alone is withdrawn as opened in error."""
    from pipeline import casework

    outcome = run_casework(lambda s: casework.reopen_item(s, item_id, officer, reason))
    out.print(outcome.message, markup=False)


@item_app.command("claim")
def item_claim(
    item_id: int, officer: Officer,
    take_over: Annotated[bool, typer.Option(
        "--take-over", help="take it from the officer who holds it")] = False,
) -> None:
    """Hold a waiting item so others see who works on it (as opening it on the web does);
    the claim lapses after TRIAGE_CLAIM_MINUTES. Exit 1 if another holds it."""
    from pipeline import casework

    def hold(settings):
        held = casework.claim(settings, item_id, officer, take_over=take_over)
        if held is not None:
            return held
        other = casework.holders(settings, [item_id]).get(item_id)
        raise casework.CaseworkError(
            f"{other.officer} holds item {item_id} until {other.until_text()} (--take-over "
            f"takes it)" if other is not None else
            f"item {item_id} does not exist or no longer waits for review")

    held = run_casework(hold)
    out.print(f"{held.officer} holds item {item_id} until {held.until_text()}.", markup=False)


@item_app.command("release")
def item_release(item_id: int, officer: Officer) -> None:
    """Let go of an item the officer holds, for others (the web's Release button)."""
    from pipeline import casework

    def let_go(settings):
        other = casework.holders(settings, [item_id]).get(item_id)
        if other is None or other.officer != officer:
            raise casework.CaseworkError(f"{officer} does not hold item {item_id}"
                                         + (f" ({other.officer} does)" if other else ""))
        casework.release(settings, item_id, officer)

    run_casework(let_go)
    out.print(f"Item {item_id} released for others.", markup=False)
