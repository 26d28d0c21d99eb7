"""`triage retention`: apply the retention schedule now (the `retention` flow does it weekly)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.shared_commands import err, out, print_jsonl, ready
from core.settings import get_settings


def retention_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only count what is due")] = False,
    schedule: Annotated[Path | None, typer.Option("--schedule", help="a schedule file of your "
                                                  "own (default: the shipped one)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Delete or anonymise what the retention schedule says is due; an audit row per class."""
    from pipeline.retention import run_retention
    from workflow.retention import ScheduleError

    settings = get_settings()
    ready(settings)
    try:
        rows = run_retention(settings, dry_run=dry_run, schedule=schedule)
    except ScheduleError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    if as_json:
        print_jsonl(rows)
        return
    verb = "due (dry run, nothing changed)" if dry_run else "done"
    for row in rows:
        counted = (f"{row['entries']} log entries" if "entries" in row
                   else f"{row['items']} items, {row['cases']} cases")
        out.print(f"{row['class']}: {row['action']} after {row['days']} days (before "
                  f"{row['cutoff']}): {counted} {verb}", markup=False)
