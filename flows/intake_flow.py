"""The intake flow: store every new item's bytes, then triage stored items in batches."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from core.settings import Settings
from flows.retrying import DATABASE_BUSY
from ingest.folder import read_folder
from ingest.items import Source
from pipeline import batch
from pipeline.batch import BatchReport

# Set by the command line to drive its progress bar; flows run in-process.
progress_hook: batch.Progress | None = None


@task(name="store-folder", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5],
      retry_condition_fn=DATABASE_BUSY, timeout_seconds=600)
def store_folder(settings: Settings, folder: Path, source: Source) -> BatchReport:
    return batch.store_raw_items(settings, read_folder(folder, source), progress_hook)


@task(name="triage-batch", cache_policy=NO_CACHE, timeout_seconds=1800, retries=3,
      retry_delay_seconds=[1, 5, 20], retry_condition_fn=DATABASE_BUSY)
def triage_batch(settings: Settings, item_ids: list[int],
                 claimable: tuple[str, ...] = ("pending",)) -> BatchReport:
    """Bad input is quarantined inside the batch; only a database lock or drop is retried."""
    return batch.triage_stored_items(settings, item_ids, progress_hook, claimable)


@flow(name="intake", log_prints=False)
def intake(settings: Settings, mailbox_dir: Path | None, scans_dir: Path | None) -> BatchReport:
    """Folders in, staged items out: one task per folder to store, one per batch to triage."""
    report = BatchReport()
    for folder, source in ((mailbox_dir, "email"), (scans_dir, "letter")):
        if folder is not None and folder.is_dir():
            report.merge(store_folder(settings, folder, source))
    report.merge(triage_in_batches(settings, batch.item_ids_with_status(settings, ("pending",))))
    return report


def triage_in_batches(settings: Settings, item_ids: list[int],
                      claimable: tuple[str, ...] = ("pending",)) -> BatchReport:
    """One triage task per batch of items, never one per item (Prefect costs ~70 ms a task)."""
    return batch.triage_in_batches(
        settings, item_ids, claimable, progress=progress_hook,
        run_batch=lambda ids: triage_batch(settings, ids, claimable))


@flow(name="retry")
def retry_items(settings: Settings, item_ids: list[int] | None) -> BatchReport:
    """Reprocess quarantined items (or the ones named) from their stored raw bytes."""
    statuses = ("quarantined", "pending")
    retryable = batch.item_ids_with_status(settings, statuses)
    return triage_in_batches(settings,
                             [i for i in item_ids if i in retryable] if item_ids else retryable,
                             statuses)
