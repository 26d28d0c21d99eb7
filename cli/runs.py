"""Entry points the command line shares: each runs a Prefect flow on the configured settings."""

from __future__ import annotations

import sys
from pathlib import Path

from core.settings import Settings
from flows.prefect_env import configure_prefect
from pipeline.batch import BatchReport
from pipeline.training import ensure_model


def _ready(settings: Settings) -> None:
    """Prefect configured and the model trained (once, visibly) before any flow runs."""
    configure_prefect(settings.data_dir)
    ensure_model(settings, lambda line: print(line, file=sys.stderr, flush=True))


def run_intake(settings: Settings, *, mailbox_dir: Path | None = None,
               scans_dir: Path | None = None, progress=None) -> BatchReport:
    """The intake flow over folders (the demo's mailbox, the post room's scan folder)."""
    _ready(settings)
    from flows import intake_flow as intake_module

    intake_module.progress_hook = progress
    try:
        return intake_module.intake(settings, mailbox_dir, scans_dir)
    finally:
        intake_module.progress_hook = None


def run_mailbox(settings: Settings):
    """One mailbox pass (store, triage, settle) as the mailbox-poll flow; missing settings
    are refused before Prefect or the model is started (`triage ingest mailbox` opens the
    mailbox itself first: pipeline/mailbox_connect.check_mailbox)."""
    from pipeline.mailbox_connect import require_mailbox_settings

    require_mailbox_settings(settings)
    _ready(settings)
    from flows.mailbox_flow import mailbox_poll

    return mailbox_poll(settings)


def run_retry(settings: Settings, item_ids: list[int] | None) -> BatchReport:
    """Reprocess quarantined (or named) items from their stored bytes."""
    _ready(settings)
    from flows.intake_flow import retry_items

    return retry_items(settings, item_ids)


def run_scan_pass(settings: Settings, incoming: Path):
    """One pass over the post room's scan folder (take, store, triage, file); a missing
    folder is refused before Prefect or the model is started."""
    from ingest.scanfolder import require_scan_folder

    require_scan_folder(incoming)
    _ready(settings)
    from flows.scan_flow import scan_folder_pass

    return scan_folder_pass(settings, incoming)
