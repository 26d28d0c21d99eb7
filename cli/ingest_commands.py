"""`triage ingest …`: one pass over a source, then triage of what it brought in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.shared_commands import err, out, ready
from core.settings import get_settings

ingest_app = typer.Typer(help="One pass over a source, then triage of what it brought in.")


@ingest_app.command("scans")
def ingest_scans(
    folder: Annotated[Path | None, typer.Argument(help="default: TRIAGE_SCAN_DIR")] = None,
) -> None:
    """One pass over the scan folder: complete files are taken, triaged, then archived."""
    from ingest.errors import SourceConfigError
    from ingest.scanfolder import require_scan_folder

    settings = get_settings()
    incoming = folder or settings.resolved_scan_dir
    try:
        require_scan_folder(incoming)  # said at once, before anything heavy is loaded
    except SourceConfigError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    from cli.runs import run_scan_pass

    ready(settings)
    try:
        scans = run_scan_pass(settings, incoming)
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
    from pipeline.mailbox_connect import check_mailbox

    settings = get_settings()
    try:
        # The mailbox first, with nothing heavy loaded: a wrong setting is said at once, an
        # unreachable server after the mailbox's own tries (the one layer of retries).
        check_mailbox(settings)
    except (SourceConfigError, TransientSourceError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    from cli.runs import run_mailbox

    ready(settings)
    try:
        report = run_mailbox(settings)
    except (SourceConfigError, TransientSourceError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    out.print(f"stored {len(report.batch.stored)} new, {report.batch.duplicates} already seen; "
              f"outcomes: {dict(report.batch.outcomes)}")
    out.print(report.summary())
