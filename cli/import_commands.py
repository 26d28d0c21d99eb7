"""`triage import cases FILE.csv`: the landlord's existing cases, checked whole, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.shared_commands import err, out, ready
from core.settings import get_settings

import_app = typer.Typer(help="Bring in records the landlord already holds.")


@import_app.command("cases")
def import_cases_command(
    path: Annotated[Path, typer.Argument(help="CSV file: a header row, one case a row "
                                              "(README: Importing open cases)")],
) -> None:
    """Import existing cases; any bad row is reported by line and nothing is imported."""
    from pipeline.case_import import import_cases

    if not path.is_file():
        err.print(f"[red]error:[/] no such file: {path}")
        raise typer.Exit(1)
    settings = get_settings()
    ready(settings)
    report = import_cases(settings, path)
    if report.problems:
        for problem in report.problems:
            err.print(f"{path.name}:{problem.line}: {problem.reason}", markup=False)
        err.print(f"[red]nothing imported:[/] {len(report.problems)} problem(s) in "
                  f"{report.rows} row(s); correct the file and run again")
        raise typer.Exit(1)
    out.print(f"{report.imported} case(s) imported, {report.unchanged} already held "
              f"unchanged, from {report.rows} row(s)")
