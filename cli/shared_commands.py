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
    """The data dir exists and the database is migrated to the current schema."""
    from models.db import migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.resolved_database_url)


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
