"""Operations: `triage migrate`, `triage backup PATH`, `triage restore PATH`.

Registered on the main app by `register`; each is thin over models/schema.py and
pipeline/backup.py. None of them migrates on the way (`ready` is not called): they are the
commands an operator runs with the workers stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.shared_commands import err, out
from core.settings import get_settings


def migrate() -> None:
    """Bring the database's schema to this version's newest migration (stop workers first)."""
    from core.files import private_dir
    from models.schema import SchemaMismatch, migrate_to_head

    settings = get_settings()
    private_dir(settings.data_dir)
    try:
        before, after = migrate_to_head(settings.resolved_database_url)
    except SchemaMismatch as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    if before == after:
        out.print(f"the schema is already at {after}: nothing to do")
    else:
        out.print(f"migrated the schema from {before or 'nothing'} to {after}")


def backup(path: Annotated[Path, typer.Argument(
        help="a new (or empty) folder for the back-up")]) -> None:
    """A consistent copy of the database, raw bytes, models, secret key and scan archive."""
    from pipeline.backup import BackupError, back_up

    settings = get_settings()
    try:
        report = back_up(settings, path)
    except BackupError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    files = ", ".join(f"{name} {count}" for name, count in report.files.items())
    out.print(f"backed up the {report.database} database (schema {report.schema_revision}) "
              f"and files ({files}) to {report.path}", markup=False)
    for note in report.notes:
        err.print(f"[yellow]warning:[/] {note}")
    raise typer.Exit(0 if report.complete else 1)


def restore(
    path: Annotated[Path, typer.Argument(help="a folder made by `triage backup`")],
    force: Annotated[bool, typer.Option(
        "--force", help="replace a database that already holds data")] = False,
) -> None:
    """Put a back-up back under the configured database and data dir (workers stopped)."""
    from models.schema import SchemaMismatch
    from pipeline.backup import BackupError
    from pipeline.backup import restore as restore_backup

    settings = get_settings()
    try:
        report = restore_backup(settings, path, force=force)
    except (BackupError, SchemaMismatch) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    files = ", ".join(f"{name} {count}" for name, count in report.files.items())
    out.print(f"restored the {report.database} database (schema {report.schema_revision}) "
              f"and files ({files}) from {report.path}", markup=False)
    for note in report.notes:
        err.print(f"[yellow]note:[/] {note}")


def register(app: typer.Typer) -> None:
    app.command()(migrate)
    app.command()(backup)
    app.command()(restore)
