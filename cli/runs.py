"""Entry points the command line shares: each runs a Prefect flow on the configured settings."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from flows.prefect_env import configure_prefect
from pipeline.batch import BatchReport


def run_intake(settings: Settings, *, mailbox_dir: Path | None = None,
               scans_dir: Path | None = None, progress=None) -> BatchReport:
    """The intake flow over folders (the demo's mailbox, the post room's scan folder)."""
    configure_prefect(settings.data_dir)
    from flows import intake_flow as intake_module

    intake_module.progress_hook = progress
    try:
        return intake_module.intake(settings, mailbox_dir, scans_dir)
    finally:
        intake_module.progress_hook = None


def run_mailbox(settings: Settings):
    """One mailbox pass (store, triage, settle) as the mailbox-poll flow."""
    configure_prefect(settings.data_dir)
    from flows.mailbox_flow import mailbox_poll

    return mailbox_poll(settings)


def run_retry(settings: Settings, item_ids: list[int] | None) -> BatchReport:
    """Reprocess quarantined (or named) items from their stored bytes."""
    configure_prefect(settings.data_dir)
    from flows.intake_flow import retry_items

    return retry_items(settings, item_ids)


def run_scan_pass(settings: Settings, incoming: Path):
    """One pass over the post room's scan folder (take, store, triage, file)."""
    configure_prefect(settings.data_dir)
    from flows.scan_flow import scan_folder_pass

    return scan_folder_pass(settings, incoming)
