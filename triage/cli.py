"""The `triage` command: the shapes in ../shared/spec/cli.md, with rich output for people."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from triage.settings import Settings, get_settings

app = typer.Typer(help="Intake and triage of housing complaints.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
ingest_app = typer.Typer(help="One pass over a source, then triage of what it brought in.")
policy_app = typer.Typer(help="Complaints policies.")
user_app = typer.Typer(help="Users of the review web app.")
app.add_typer(ingest_app, name="ingest")
app.add_typer(policy_app, name="policy")
app.add_typer(user_app, name="user")

# Piped output (CI logs, `make demo | tee`) gets a width the demo table fits in.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)


def _ready(settings: Settings) -> None:
    from models.db import migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.resolved_database_url)


def _print_jsonl(rows) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


@app.command()
def demo() -> None:
    """Run the whole pipeline over data/samples/ on the embedded default and show the result."""
    from triage.demo import run_demo

    settings = get_settings()
    _ready(settings)
    raise typer.Exit(run_demo(settings, out))


@app.command()
def inspect(
    paths: Annotated[list[Path], typer.Argument(help="`.eml` files or scanned letters")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one per path")] = False,
) -> None:
    """Extract and classify items without writing anything to the database."""
    from triage.inspecting import inspect_paths

    failed = inspect_paths(paths, get_settings(), as_json=as_json, console=out, errors=err)
    raise typer.Exit(1 if failed else 0)


@ingest_app.command("scans")
def ingest_scans(
    folder: Annotated[Path | None, typer.Argument(help="default: TRIAGE_SCAN_DIR")] = None,
) -> None:
    """One pass over the scan folder: complete files are taken, triaged, then archived."""
    from ingest.errors import SourceConfigError
    from triage.runs import run_scan_pass

    settings = get_settings()
    _ready(settings)
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
    from ingest.errors import SourceConfigError, TransientSourceError
    from triage.runs import run_mailbox

    settings = get_settings()
    _ready(settings)
    try:
        report = run_mailbox(settings)
    except (SourceConfigError, TransientSourceError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    out.print(f"stored {len(report.stored)} new, {report.duplicates} already seen; "
              f"outcomes: {dict(report.outcomes)}")


@app.command()
def items(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every ingested item."""
    from triage.listing import item_rows, print_items

    settings = get_settings()
    _ready(settings)
    rows = item_rows(settings)
    _print_jsonl(rows) if as_json else print_items(rows, out)


@app.command()
def cases(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    due: Annotated[int | None, typer.Option("--due", help="only cases due within N working "
                                            "days, or overdue")] = None,
) -> None:
    """Every case, with its deadlines."""
    from triage.listing import case_rows, print_cases

    settings = get_settings()
    _ready(settings)
    rows = case_rows(settings, due_within=due)
    _print_jsonl(rows) if as_json else print_cases(rows, out)


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
        _print_jsonl([payload])
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
    from triage.users import UserError, add_user, read_password

    settings = get_settings()
    _ready(settings)
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
    _ready(settings)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command()
def retry(
    item_ids: Annotated[list[int] | None, typer.Argument()] = None,
    all_failed: Annotated[bool, typer.Option("--all", help="every quarantined item")] = False,
) -> None:
    """Reprocess failed or quarantined items from their stored raw bytes."""
    from triage.runs import run_retry

    if not item_ids and not all_failed:
        err.print("error: name item ids or pass --all")
        raise typer.Exit(2)
    settings = get_settings()
    _ready(settings)
    report = run_retry(settings, None if all_failed else list(item_ids or []))
    out.print(f"retried {sum(report.outcomes.values())}: {dict(report.outcomes)}")


@app.command()
def evaluate(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Development-set figures, also written as a Markdown report with two charts."""
    from classify.evaluate import evaluate_dev_set, print_evaluation, write_report
    from classify.retrain import record_dev_figures
    from triage.batch import load_model, thresholds_of

    settings = get_settings()
    model = load_model(settings)
    report = evaluate_dev_set(model, settings.dev_dir, thresholds_of(settings, model),
                              settings.policy)
    path = write_report(report, settings.data_dir / "reports" / "evaluation")
    record_dev_figures(model, report, settings.dev_dir, settings.model_dir)
    report["report_path"] = str(path)
    if as_json:
        _print_jsonl([report])
    else:
        print_evaluation(report, out)
        out.print(f"report: {path}")


@app.command()
def train() -> None:
    """Retrain on the training data plus officers' confirmed labels; promote if no worse."""
    from classify.evaluate import evaluate_dev_set
    from classify.retrain import retrain
    from models.db import session_scope
    from models.repository import confirmed_labels
    from triage.batch import forget_loaded_models, thresholds_of

    settings = get_settings()
    _ready(settings)
    with session_scope(settings.resolved_database_url) as session:
        labels = confirmed_labels(session)

    def score(model):
        return evaluate_dev_set(model, settings.dev_dir, thresholds_of(settings, model),
                                settings.policy)

    outcome = retrain(settings.training_dir, settings.dev_dir, settings.model_dir, labels, score)
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


if __name__ == "__main__":
    app()
