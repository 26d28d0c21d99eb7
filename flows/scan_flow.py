"""The scan-folder flow: the one scan pass (pipeline/scan_pass.py), each step a task."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from core.settings import Settings
from flows import intake_flow
from pipeline import scan_pass
from pipeline.batch import BatchReport
from pipeline.scan_pass import ScanPassReport


@task(name="take-scans", cache_policy=NO_CACHE, timeout_seconds=900)
def take_scans(settings: Settings, incoming: Path) -> ScanPassReport:
    folder = scan_pass.scan_folder(settings, incoming)
    return scan_pass.take_and_store(settings, folder, intake_flow.progress_hook)


@task(name="file-scans", cache_policy=NO_CACHE, timeout_seconds=600)
def file_scans(settings: Settings, incoming: Path) -> ScanPassReport:
    return scan_pass.file_done_scans(settings, scan_pass.scan_folder(settings, incoming))


class TaskSteps:
    """The pass's steps as Prefect tasks: one to take and store, one per batch, one to file."""

    def __init__(self, settings: Settings, incoming: Path) -> None:
        self.settings, self.incoming = settings, incoming
        self.lease = scan_pass.lease_name(incoming)

    def store(self) -> ScanPassReport:
        return take_scans(self.settings, self.incoming)

    def triage(self, item_ids: list[int]) -> BatchReport:
        return intake_flow.triage_in_batches(self.settings, item_ids)

    def finish(self, report: ScanPassReport) -> ScanPassReport:
        return scan_pass.add_filed(report, file_scans(self.settings, self.incoming))


@flow(name="scan-folder", log_prints=False)
def scan_folder_pass(settings: Settings, incoming: Path) -> ScanPassReport:
    """One pass over the scan folder.

    Passes over one folder take turns through a database lease (claims by rename already
    keep two workers off one file; the lease spares them racing for every file).
    """
    return scan_pass.run_pass(settings, incoming, steps=TaskSteps(settings, incoming))
