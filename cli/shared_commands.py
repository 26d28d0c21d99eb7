"""What every module of `triage` commands shares: the two consoles, a ready database, JSON Lines."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console

from core.settings import Settings, get_settings

# Piped output (CI logs, `make demo | tee`) gets a width the demo table fits in.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
# Errors are never wrapped: a path or reference in one must survive copying.
err = Console(stderr=True, highlight=False, soft_wrap=True)


def ready(settings: Settings) -> None:
    """The data dir exists (the owner's only) and the database's schema is this version's.

    Nothing is migrated here but a brand-new SQLite database, created on first use: any
    other schema that is not this version's is refused with what to do (`triage migrate`).
    A new or empty data dir is announced on stderr, naming it, so a command run from the
    wrong place or with the wrong TRIAGE_DATA_DIR never passes for an empty system silently.
    """
    from core.files import private_dir
    from models.schema import SchemaMismatch, open_database

    data_dir = settings.data_dir
    was_empty = not data_dir.exists() or not any(data_dir.iterdir())
    private_dir(data_dir)
    try:
        created = open_database(settings.resolved_database_url)
    except SchemaMismatch as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    if was_empty or created:
        what = "was empty" if was_empty else "had no database"
        err.print(f"[yellow]note:[/] the data dir {data_dir} {what}: a new, empty database "
                  "was created there. If you expected your cases, set TRIAGE_DATA_DIR (or "
                  "TRIAGE_DATABASE_URL) to where they are.", markup=True)


def print_jsonl(rows) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def run_casework(action):
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
