"""The `triage` command: the shapes in ../shared/spec/cli.md, with rich output for people.

The top-level commands are here; each group of sub-commands (`triage ingest …`, `policy …`,
`user …`, `case …`, `exclusion …`) is a module of its own, added to the app below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.case_commands import case_app, exclusion_app
from cli.hazard_commands import hazard_app
from cli.import_commands import import_app
from cli.ingest_commands import ingest_app
from cli.item_commands import item_app
from cli.ops_commands import register as register_operations
from cli.policy_commands import policy_app
from cli.resident_commands import resident_app
from cli.retention_commands import retention_command
from cli.shared_commands import err, out, print_jsonl, ready, run_casework
from cli.user_commands import user_app
from core.settings import get_settings

app = typer.Typer(help="Intake and triage of housing complaints.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
app.add_typer(ingest_app, name="ingest")
app.add_typer(policy_app, name="policy")
app.add_typer(user_app, name="user")
app.add_typer(case_app, name="case")
app.add_typer(exclusion_app, name="exclusion")
app.add_typer(item_app, name="item")
app.add_typer(hazard_app, name="hazard")
app.add_typer(import_app, name="import")
app.add_typer(resident_app, name="resident")
app.command("retention")(retention_command)
register_operations(app)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        out.print(f"housing-triage {version('housing-triage')}", markup=False)
        raise typer.Exit()


@app.callback()
def main(show_version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the installed version and exit")] = False) -> None:
    """Intake and triage of housing complaints."""


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
    explain: Annotated[bool, typer.Option(
        "--explain", help="The phrases that weighed most for each category (in JSON: an "
                          "`explanation` list of {phrase, weight})")] = False,
) -> None:
    """Extract and classify items without writing anything to the database."""
    from cli.inspecting import inspect_paths
    from pipeline.training import ensure_model

    settings = get_settings()
    ensure_model(settings, err.print)
    failed = inspect_paths(paths, settings, as_json=as_json, console=out, errors=err,
                           explain=explain)
    raise typer.Exit(1 if failed else 0)


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


@app.command()
def hazards(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    due: Annotated[float | None, typer.Option("--due", help="only hazards whose next clock "
                                              "falls due within HOURS, or is overdue")] = None,
) -> None:
    """Open hazards (Awaab's Law), most pressing first, with the time left on each."""
    from cli.hazard_commands import print_hazards
    from pipeline.hazards import open_hazards

    rows = run_casework(lambda s: open_hazards(s, due_hours=due))
    print_jsonl(rows) if as_json else print_hazards(rows, out)


@app.command()
def web(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """Serve the review web app."""
    import uvicorn

    from review.app import serving_app

    settings = get_settings()
    ready(settings)
    uvicorn.run(serving_app(settings), host=host, port=port, log_level="warning")


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
    from pipeline.training import ensure_model

    settings = get_settings()
    ready(settings)
    ensure_model(settings, err.print)  # a fresh install trains once, before the first poll
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
    from pipeline.casework import check_retryable

    settings = get_settings()
    ready(settings)
    if not all_failed:
        run_casework(lambda s: check_retryable(s, list(item_ids or [])))
    report = run_retry(settings, None if all_failed else list(item_ids or []))
    out.print(f"retried {sum(report.outcomes.values())}: {dict(report.outcomes)}")


@app.command()
def evaluate(as_json: Annotated[bool, typer.Option("--json")] = False,
             crossval: Annotated[bool, typer.Option(
                 help="Writer-grouped cross-validation over all labelled data (refits the "
                      "category model five times; kept under the data dir)")] = True,
             letters: Annotated[bool, typer.Option(
                 "--letters/--no-letters",
                 help="Also render the letters development set as scans, read it by OCR and "
                      "score it apart (minutes: every page through Tesseract)")] = True,
             letters_limit: Annotated[int, typer.Option(
                 "--letters-limit", help="Score only the first N letters (0: all)")] = 0,
             ) -> None:
    """Development-set figures (also written as a Markdown report with two charts), beside the
    outside-voices set held out by writer and writer-grouped cross-validation; the scanned
    letters' figures apart from the emails'."""
    from classify.retrain import record_dev_figures
    from pipeline.batch import load_model, thresholds_of
    from pipeline.evaluation import evaluate_dev_set, print_evaluation, write_report
    from pipeline.generalisation import evaluate_beside, print_side_by_side, side_by_side
    from pipeline.training import ensure_model

    settings = get_settings()
    ensure_model(settings, err.print)
    model = load_model(settings)
    report = evaluate_dev_set(model, settings.dev_dir, thresholds_of(settings, model),
                              settings.policy)
    path = write_report(report, settings.data_dir / "reports" / "evaluation")
    record_dev_figures(model, report, settings.dev_dir, settings.model_dir)
    report["report_path"] = str(path)
    beside = evaluate_beside(model, settings, dict(report), crossval=crossval)
    report["outside_voices"] = beside["outside_voices"]
    report["writer_grouped_cv"] = beside["writer_grouped_cv"]
    report["side_by_side"] = side_by_side(beside)
    if letters:
        from pipeline.batch import landlord_of
        from pipeline.letter_evaluation import evaluate_letters, write_letter_report

        report["letters"] = evaluate_letters(
            model, settings.letters_dir, thresholds_of(settings, model), settings.policy,
            landlord_of(settings), limit=letters_limit or None)
        write_letter_report(report["letters"], path.parent)
    if as_json:
        print_jsonl([report])
    else:
        print_evaluation(report, out)
        if letters:
            from pipeline.letter_evaluation import print_letter_evaluation

            print_letter_evaluation(report["letters"], out)
        out.print(f"report: {path}")
        print_side_by_side(beside, out)


@app.command()
def train(base: Annotated[bool, typer.Option(
        "--base", help="Only train the base model on the training files, if none is saved "
                       "for them (triage never trains by itself)")] = False) -> None:
    """Retrain on the training data plus officers' confirmed labels; promote if no worse."""
    from pipeline.batch import forget_loaded_models
    from pipeline.training import ensure_model, retrain_from_reviews

    settings = get_settings()
    if base:
        if not ensure_model(settings, out.print):
            out.print(f"a model trained on {settings.training_dir} is already saved")
        return
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


@app.command()
def records(
    kind: Annotated[str | None, typer.Option("--kind", help="service_request, compliment, "
                                             "proposed_exclusion or archived")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What became of items that opened no case: service requests, compliments, exclusions."""
    from pipeline.listing import RECORD_KINDS, print_records, record_rows

    if kind is not None and kind not in RECORD_KINDS:
        err.print(f"error: unknown kind {kind!r}; one of {', '.join(RECORD_KINDS)}")
        raise typer.Exit(2)
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
                  f"no address {report['no_address']}, to phone {report['by_phone']}")
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
    hazard_figures = _report_hazards(settings, year, csv_path, chart)
    if csv_path:
        from pipeline.hazard_figures import append_hazard_csv

        write_csv(figures, csv_path)
        append_hazard_csv(hazard_figures, csv_path)
    if chart:
        write_chart(figures, chart)
    if as_json:
        print_jsonl([{**figures, "hazards": hazard_figures}])
    else:
        print_report(figures, out)
        from pipeline.hazard_figures import print_hazard_report

        print_hazard_report(hazard_figures, out)
        for path in (csv_path, chart):
            if path:
                out.print(f"wrote {path}")
        if chart:
            from pipeline.hazard_figures import hazard_chart_path

            out.print(f"wrote {hazard_chart_path(chart)}")


def _report_hazards(settings, year: int, csv_path: Path | None, chart: Path | None) -> dict:
    """The year's hazard figures; their CSV rows follow the complaint figures' (written
    after them) and their chart is a PNG of its own beside the report's."""
    from pipeline.hazard_figures import hazard_chart_path, hazards_for_year, write_hazard_chart

    figures = hazards_for_year(settings, year)
    if chart:
        write_hazard_chart(figures, hazard_chart_path(chart))
    return figures


if __name__ == "__main__":
    app()
