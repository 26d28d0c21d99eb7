"""`triage case …` and `triage exclusion …`: casework, each change an event in the case's log."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cli.shared_commands import out, print_jsonl, run_casework

case_app = typer.Typer(help="One case's lifecycle: every change is an event in its log.")
exclusion_app = typer.Typer(help="Proposed exclusions: an officer confirms or rejects each.")

OnOption = Annotated[str | None, typer.Option("--on", help="ISO date (default: today, UK)")]
ByOption = Annotated[str | None, typer.Option("--by", help="the officer making the change")]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ValueError(f"not an ISO date: {value!r}") from exc


def _print_case(view: dict, as_json: bool = False) -> None:
    from pipeline.listing import print_case_detail

    print_jsonl([view]) if as_json else print_case_detail(view, out)


@case_app.command("show")
def case_show(ref: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A case's present, its event log and its drafted letters."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.show(s, ref)), as_json)


@case_app.command("acknowledge")
def case_acknowledge(ref: str, on: OnOption = None, by: ByOption = None) -> None:
    """Record that the current stage was acknowledged (re-dates a response counted from it)."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.acknowledge(s, ref, _day(on), by)))


@case_app.command("assign")
def case_assign(ref: str, officer: str) -> None:
    """Name the officer handling the current stage (an independent stage needs someone new)."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.assign(s, ref, officer)))


@case_app.command("extend")
def case_extend(
    ref: str,
    days: Annotated[int, typer.Option("--days", help="working days to add")],
    reason: Annotated[str, typer.Option("--reason", help="the reason the resident is given")],
    on: OnOption = None, by: ByOption = None,
) -> None:
    """Extend the response deadline, within the stage's maximum; drafts the letter."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.extend(s, ref, days, reason, _day(on), by)))


@case_app.command("escalate")
def case_escalate(
    ref: str, on: OnOption = None,
    officer: Annotated[str | None, typer.Option("--officer", help="who handles the new stage")]
    = None,
) -> None:
    """The resident asked for the next stage (by phone or letter): new deadlines and handler."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.escalate(s, ref, _day(on), officer)))


@case_app.command("close")
def case_close(
    ref: str,
    outcome: Annotated[str, typer.Option("--outcome", help="upheld, partly_upheld, not_upheld, "
                                         "resolved or withdrawn")],
    remedy: Annotated[str | None, typer.Option("--remedy", help="what was put right")] = None,
    on: OnOption = None, by: ByOption = None,
) -> None:
    """The stage's response was sent: record its outcome and any remedy."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.close(s, ref, outcome, remedy, _day(on), by)))


@case_app.command("refuse")
def case_refuse(
    ref: str,
    reason: Annotated[str, typer.Option("--reason", help="one of the policy's exclusions")],
    officer: Annotated[str, typer.Option("--officer")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    on: OnOption = None,
) -> None:
    """Refuse an open case for a reason the policy allows; drafts the refusal letter."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.refuse(s, ref, reason, officer, note, _day(on))))


@exclusion_app.command("confirm")
def exclusion_confirm(
    item_id: int,
    officer: Annotated[str, typer.Option("--officer")],
    reason: Annotated[str | None, typer.Option("--reason", help="default: the proposed one")]
    = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Confirm a proposed exclusion: logged as refused, with a refusal letter drafted."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.confirm_exclusion(s, item_id, officer, reason,
                                                               note)))


@exclusion_app.command("reject")
def exclusion_reject(
    item_id: int, officer: Annotated[str, typer.Option("--officer")],
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """It is a complaint after all: open a case at stage 1."""
    from pipeline import casework

    _print_case(run_casework(lambda s: casework.reject_exclusion(s, item_id, officer, note)))
