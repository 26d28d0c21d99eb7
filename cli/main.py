"""The `triage` command: the shapes in ../shared/spec/cli.md, with rich output for people."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.shared_commands import err, out, print_jsonl, ready
from core.settings import get_settings

app = typer.Typer(help="Intake and triage of housing complaints.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
ingest_app = typer.Typer(help="One pass over a source, then triage of what it brought in.")
policy_app = typer.Typer(help="Complaints policies.")
user_app = typer.Typer(help="Users of the review web app.")
app.add_typer(ingest_app, name="ingest")
app.add_typer(policy_app, name="policy")
app.add_typer(user_app, name="user")

@app.command()
def demo() -> None:
    """Run the whole pipeline over data/samples/ on the embedded default and show the result."""
    from cli.demo import run_demo

    settings = get_settings()
    ready(settings)
    raise typer.Exit(run_demo(settings, out))


@app.command()
def inspect(
    paths: Annotated[list[Path], typer.Argument(help="`.eml` files or scanned letters")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one per path")] = False,
) -> None:
    """Extract and classify items without writing anything to the database."""
    from cli.inspecting import inspect_paths

    failed = inspect_paths(paths, get_settings(), as_json=as_json, console=out, errors=err)
    raise typer.Exit(1 if failed else 0)


@ingest_app.command("scans")
def ingest_scans(
    folder: Annotated[Path | None, typer.Argument(help="default: TRIAGE_SCAN_DIR")] = None,
) -> None:
    """One pass over the scan folder: complete files are taken, triaged, then archived."""
    from cli.runs import run_scan_pass
    from ingest.errors import SourceConfigError

    settings = get_settings()
    ready(settings)
    try:
        scans = run_scan_pass(settings, folder or settings.resolved_scan_dir)
    except SourceConfigError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    report = scans.batch
    out.print(f"stored {len(report.stored)} new, {report.duplicates} already seen; "
              f"outcomes: {dict(report.outcomes)}")
    out.print(scans.summary())


@ingest_app.command("mailbox")
def ingest_mailbox() -> None:
    """One pass over the configured IMAP mailbox, then triage of what it brought in."""
    from cli.runs import run_mailbox
    from ingest.errors import SourceConfigError, TransientSourceError

    settings = get_settings()
    ready(settings)
    try:
        report = run_mailbox(settings)
    except (SourceConfigError, TransientSourceError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    out.print(f"stored {len(report.batch.stored)} new, {report.batch.duplicates} already seen; "
              f"outcomes: {dict(report.batch.outcomes)}")
    out.print(report.summary())


@app.command()
def items(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every ingested item."""
    from pipeline.listing import item_rows, print_items

    settings = get_settings()
    ready(settings)
    rows = item_rows(settings)
    print_jsonl(rows) if as_json else print_items(rows, out)


@app.command()
def cases(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    due: Annotated[int | None, typer.Option("--due", help="only cases due within N working "
                                            "days, or overdue")] = None,
) -> None:
    """Every case, with its deadlines."""
    from pipeline.listing import case_rows, print_cases

    settings = get_settings()
    ready(settings)
    rows = case_rows(settings, due_within=due)
    print_jsonl(rows) if as_json else print_cases(rows, out)


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


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option("--role", help="officer or manager")] = "officer",
) -> None:
    """Create a user of the review web app; the password comes from stdin or a prompt."""
    from pipeline.users import UserError, add_user, read_password

    settings = get_settings()
    ready(settings)
    try:
        add_user(settings, username, role, read_password())
    except UserError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    out.print(f"user {username} added as {role}")


@app.command()
def web(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """Serve the review web app."""
    import uvicorn

    from review.app import create_app

    settings = get_settings()
    ready(settings)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command()
def serve(
    web_app: Annotated[bool, typer.Option("--web/--no-web", help="the review web app too")]
    = True,
    web_host: Annotated[str, typer.Option("--web-host")] = "127.0.0.1",
    web_port: Annotated[int, typer.Option("--web-port")] = 8000,
    prefect_port: Annotated[int, typer.Option(
        "--prefect-port", help="the local Prefect server's port when PREFECT_API_URL is unset "
        "(default: any free one)")] = 0,
) -> None:
    """Run the scheduled flows (scan folder, mailbox, deadline watch, retrain) and the review
    web app in one process until SIGINT or SIGTERM (exit 0)."""
    from cli.serving import serve as serve_all

    settings = get_settings()
    ready(settings)
    raise typer.Exit(serve_all(settings, web=web_app, web_host=web_host, web_port=web_port,
                               prefect_port=prefect_port, console=err))


@app.command()
def retry(
    item_ids: Annotated[list[int] | None, typer.Argument()] = None,
    all_failed: Annotated[bool, typer.Option("--all", help="every quarantined item")] = False,
) -> None:
    """Reprocess failed or quarantined items from their stored raw bytes."""
    from cli.runs import run_retry

    if not item_ids and not all_failed:
        err.print("error: name item ids or pass --all")
        raise typer.Exit(2)
    settings = get_settings()
    ready(settings)
    report = run_retry(settings, None if all_failed else list(item_ids or []))
    out.print(f"retried {sum(report.outcomes.values())}: {dict(report.outcomes)}")


@app.command()
def evaluate(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Development-set figures, also written as a Markdown report with two charts."""
    from classify.retrain import record_dev_figures
    from pipeline.batch import load_model, thresholds_of
    from pipeline.evaluation import evaluate_dev_set, print_evaluation, write_report

    settings = get_settings()
    model = load_model(settings)
    report = evaluate_dev_set(model, settings.dev_dir, thresholds_of(settings, model),
                              settings.policy)
    path = write_report(report, settings.data_dir / "reports" / "evaluation")
    record_dev_figures(model, report, settings.dev_dir, settings.model_dir)
    report["report_path"] = str(path)
    if as_json:
        print_jsonl([report])
    else:
        print_evaluation(report, out)
        out.print(f"report: {path}")


@app.command()
def train() -> None:
    """Retrain on the training data plus officers' confirmed labels; promote if no worse."""
    from pipeline.batch import forget_loaded_models
    from pipeline.training import retrain_from_reviews

    settings = get_settings()
    ready(settings)
    outcome = retrain_from_reviews(settings)
    forget_loaded_models()
    current = outcome.current
    out.print(f"current model {current.version}: {current.n_examples} examples "
              f"({current.n_officer_labels} from officers), dev macro-F1 "
              f"{outcome.current_macro_f1:.4f}, thresholds auto {current.auto_threshold} "
              f"suggest {current.suggest_threshold}")
    if outcome.officer_labels == 0:
        out.print(f"no officer-confirmed labels to learn from "
                  f"({outcome.skipped_labels} skipped): the current model stays")
        return
    candidate = outcome.candidate
    verdict = "promoted" if outcome.promoted else "not promoted (dev macro-F1 would fall)"
    out.print(f"candidate {candidate.version}: {candidate.n_examples} examples "
              f"({outcome.officer_labels} officer labels, {outcome.skipped_labels} skipped), "
              f"dev macro-F1 {outcome.candidate_macro_f1:.4f}: {verdict}")


# --- Casework, drafts, reporting and policy check (issue 3) ---------------------------------

case_app = typer.Typer(help="One case's lifecycle: every change is an event in its log.")
exclusion_app = typer.Typer(help="Proposed exclusions: an officer confirms or rejects each.")
app.add_typer(case_app, name="case")
app.add_typer(exclusion_app, name="exclusion")

OnOption = Annotated[str | None, typer.Option("--on", help="ISO date (default: today, UK)")]
ByOption = Annotated[str | None, typer.Option("--by", help="the officer making the change")]


def _casework(action):
    """Run one casework change; a refused transition or a bad argument exits 1 with why."""
    from pipeline.casework import CaseworkError
    from workflow.drafts import DraftError
    from workflow.lifecycle import RefusedTransition
    from workflow.policy import PolicyError

    settings = get_settings()
    ready(settings)
    try:
        return action(settings)
    except (RefusedTransition, CaseworkError, PolicyError, DraftError, ValueError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc


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

    _print_case(_casework(lambda s: casework.show(s, ref)), as_json)


@case_app.command("acknowledge")
def case_acknowledge(ref: str, on: OnOption = None, by: ByOption = None) -> None:
    """Record that the current stage was acknowledged (re-dates a response counted from it)."""
    from pipeline import casework

    _print_case(_casework(lambda s: casework.acknowledge(s, ref, _day(on), by)))


@case_app.command("assign")
def case_assign(ref: str, officer: str) -> None:
    """Name the officer handling the current stage (an independent stage needs someone new)."""
    from pipeline import casework

    _print_case(_casework(lambda s: casework.assign(s, ref, officer)))


@case_app.command("extend")
def case_extend(
    ref: str,
    days: Annotated[int, typer.Option("--days", help="working days to add")],
    reason: Annotated[str, typer.Option("--reason", help="the reason the resident is given")],
    on: OnOption = None, by: ByOption = None,
) -> None:
    """Extend the response deadline, within the stage's maximum; drafts the letter."""
    from pipeline import casework

    _print_case(_casework(lambda s: casework.extend(s, ref, days, reason, _day(on), by)))


@case_app.command("escalate")
def case_escalate(
    ref: str, on: OnOption = None,
    officer: Annotated[str | None, typer.Option("--officer", help="who handles the new stage")]
    = None,
) -> None:
    """The resident asked for the next stage (by phone or letter): new deadlines and handler."""
    from pipeline import casework

    _print_case(_casework(lambda s: casework.escalate(s, ref, _day(on), officer)))


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

    _print_case(_casework(lambda s: casework.close(s, ref, outcome, remedy, _day(on), by)))


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

    _print_case(_casework(lambda s: casework.refuse(s, ref, reason, officer, note, _day(on))))


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

    _print_case(_casework(lambda s: casework.confirm_exclusion(s, item_id, officer, reason,
                                                               note)))


@exclusion_app.command("reject")
def exclusion_reject(
    item_id: int, officer: Annotated[str, typer.Option("--officer")],
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """It is a complaint after all: open a case at stage 1."""
    from pipeline import casework

    _print_case(_casework(lambda s: casework.reject_exclusion(s, item_id, officer, note)))


@app.command()
def records(
    kind: Annotated[str | None, typer.Option("--kind", help="service_request, compliment, "
                                             "proposed_exclusion or archived")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What became of items that opened no case: service requests, compliments, exclusions."""
    from pipeline.listing import print_records, record_rows

    settings = get_settings()
    ready(settings)
    rows = record_rows(settings, kind)
    print_jsonl(rows) if as_json else print_records(rows, out)


@app.command()
def drafts(
    unsent: Annotated[bool, typer.Option("--unsent", help="only drafts not yet sent")] = False,
    send: Annotated[bool, typer.Option("--send", help="send unsent drafts by SMTP "
                                       "(TRIAGE_SMTP_HOST)")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Letters drafted for cases and service requests; sending needs an SMTP server."""
    from pipeline.outbox import draft_rows, print_drafts, send_unsent

    settings = get_settings()
    ready(settings)
    if send:
        try:
            report = send_unsent(settings)
        except ValueError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(1) from exc
        out.print(f"sent {report['sent']}, failed {report['failed']}, "
                  f"no address {report['no_address']}")
        raise typer.Exit(1 if report["failed"] else 0)
    rows = draft_rows(settings, unsent_only=unsent)
    print_jsonl(rows) if as_json else print_drafts(rows, out)


@app.command()
def report(
    year: Annotated[int, typer.Option("--year", help="the reporting year from 1 April")],
    homes: Annotated[int | None, typer.Option("--homes", help="homes managed, for CH01")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="write the figures as CSV")]
    = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="write a PNG chart")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Complaint performance for the year: CH01, CH02, refusals, volumes, median days."""
    from pipeline.reports import print_report, report_for_year, write_chart, write_csv

    settings = get_settings()
    ready(settings)
    if homes is not None and homes <= 0:
        err.print("[red]error:[/] --homes must be a positive number of homes")
        raise typer.Exit(2)
    figures = report_for_year(settings, year, homes)
    if csv_path:
        write_csv(figures, csv_path)
    if chart:
        write_chart(figures, chart)
    if as_json:
        print_jsonl([figures])
    else:
        print_report(figures, out)
        for path in (csv_path, chart):
            if path:
                out.print(f"wrote {path}")


@policy_app.command("check")
def policy_check(
    policy: Annotated[str, typer.Argument(help="code-2024, lancaster, lumen or a file")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Where a policy departs from the Housing Ombudsman's Complaint Handling Code 2024."""
    from workflow.conformance import check_against_code
    from workflow.policy import PolicyError, load_policy

    try:
        loaded = load_policy(policy)
    except PolicyError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    departures = check_against_code(loaded)
    if as_json:
        print_jsonl([{"policy": loaded.id, "departures": [d.as_dict() for d in departures]}])
        return
    from rich.markup import escape

    breaks = sum(1 for d in departures if d.severity == "departure")
    notes = len(departures) - breaks
    out.print(f"{escape(loaded.name)}: {breaks} departures from the Complaint Handling Code "
              f"2024, {notes} notes")
    for d in departures:
        out.print(escape(f"  [{d.severity}] {d.code}: {d.message}"))


if __name__ == "__main__":
    app()
