"""The scan-folder flow: take and store complete scans, triage them in batches, file them."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from core.settings import Settings
from flows import intake_flow as intake_flows
from models.leases import lease
from pipeline import batch
from pipeline import scan_pass as scanpass
from pipeline.scan_pass import ScanPassReport


@task(name="take-scans", cache_policy=NO_CACHE, timeout_seconds=900)
def take_scans(settings: Settings, incoming: Path) -> ScanPassReport:
    folder = scanpass.scan_folder(settings, incoming)
    return scanpass.take_and_store(settings, folder, intake_flows.progress_hook)


@task(name="file-scans", cache_policy=NO_CACHE, timeout_seconds=600)
def file_scans(settings: Settings, incoming: Path) -> ScanPassReport:
    return scanpass.file_done_scans(settings, scanpass.scan_folder(settings, incoming))


@flow(name="scan-folder", log_prints=False)
def scan_pass(settings: Settings, incoming: Path) -> ScanPassReport:
    """One pass: one task to take and store, one per batch to triage, one to file.

    Passes over one folder take turns through a database lease (claims by rename already
    keep two workers off one file; the lease spares them racing for every file).
    """
    with lease(settings.resolved_database_url, scanpass.lease_name(incoming),
               ttl_seconds=settings.lease_seconds) as held:
        if not held.held:
            return ScanPassReport(skipped_because=f"another poll holds it ({held.holder})")
        return _scan_pass(settings, incoming)


def _scan_pass(settings: Settings, incoming: Path) -> ScanPassReport:
    report = take_scans(settings, incoming)
    pending = batch.item_ids_with_status(settings, ("pending",))
    report.batch.merge(intake_flows.triage_in_batches(settings, pending))
    filed = file_scans(settings, incoming)
    report.archived += filed.archived
    report.quarantined += filed.quarantined
    report.in_progress = filed.in_progress
    return report
