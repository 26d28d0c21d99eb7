"""One pass over the post room's scan folder, at the edge: take, store, then file each scan.

The flow (flows/scan_flow.py) calls `take_and_store`, then triages the stored items in batches,
then `file_done_scans`. A file's bytes (and each letter cut out of a batch scan) are committed
before anything reads them; the file is filed (archived or quarantined) only once every item
it became has been triaged and committed, so a crash at any point leaves it in `processing`,
where the next pass, of this worker or another, finds it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from sqlalchemy.exc import InterfaceError, OperationalError

from core.settings import Settings
from ingest.errors import QuarantineReason, SourceConfigError
from ingest.items import RawItem
from ingest.scanfile import ScanLimits
from ingest.scanfolder import ClaimedScan, ScanFolder, ScanFolders
from ingest.splitting import split_letters
from models.db import session_scope
from models.rawstore import sha256_of, store_raw
from models.repository import record_raw
from models.scans import items_of_scan
from models.tables import Item, ItemStatus
from pipeline.batch import BatchReport, Progress, triage_in_batches
from pipeline.passes import PassReport, PassSteps, run_steps

log = logging.getLogger("triage.scans")
_MAX_NAME = 200


@dataclass
class ScanPassReport(PassReport):
    """What the pass did with files (names are the post room's, not personal data)."""

    waiting: list[str] = field(default_factory=list)  # still being written: left for later
    taken: int = 0
    letters: int = 0
    archived: int = 0
    quarantined: int = 0
    in_progress: int = 0
    # Names starting with a dot: never taken, always counted and named (rename to take).
    hidden: list[str] = field(default_factory=list)
    source: ClassVar[str] = "scan folder"

    def counts(self) -> str:
        counted = (f"{self.taken} files taken ({self.letters} letters), {len(self.waiting)} "
                   f"still being written (left for the next pass), {self.archived} archived, "
                   f"{self.quarantined} quarantined, {self.in_progress} in progress, "
                   f"{len(self.hidden)} hidden files left alone")
        if self.hidden:
            counted += (" (names starting with a dot are never taken; rename any that is a "
                        f"scan: {', '.join(self.hidden[:10])}"
                        f"{', ...' if len(self.hidden) > 10 else ''})")
        return counted


def lease_name(incoming: Path) -> str:
    """One lease per scan folder, however its path was written."""
    return f"scans:{Path(incoming).resolve()}"


def scan_folder(settings: Settings, incoming=None) -> ScanFolder:
    incoming = incoming or settings.resolved_scan_dir
    folders = ScanFolders.under(incoming, processing=settings.scan_processing_dir,
                                archive=settings.scan_archive_dir,
                                quarantine=settings.scan_quarantine_dir)
    return ScanFolder(folders, settle_seconds=settings.scan_settle_seconds)


def take_and_store(settings: Settings, folder: ScanFolder,
                   progress: Progress | None = None) -> ScanPassReport:
    """Claim every complete file (and any claim a dead worker left), store its letters."""
    folder.prepare()
    report = ScanPassReport()
    claims, unsupported, report.waiting = folder.claim_ready()
    report.hidden = folder.hidden_files()
    if report.hidden:
        log.warning("%d hidden files in the scan folder left alone (names starting with a "
                    "dot are never taken; rename any that is a scan)", len(report.hidden))
    claims += _abandoned_claims(settings, folder)
    for odd in unsupported:
        _quarantine_file(folder, odd.claim, file_digest(odd.claim.path),
                         QuarantineReason.UNSUPPORTED_TYPE, f"{odd.claim.shown!r} is not a "
                         "scan the intake reads (PDF, TIFF, JPEG or PNG)", report)
    for claim in claims:
        report.taken += 1
        try:
            _store_claim(settings, folder, claim, report)
        except (OperationalError, InterfaceError):
            raise  # the database, not the file: the pass is retried, the claim kept
        except Exception as exc:  # one file never stops the pass: kept aside, with why
            log.exception("scan %s could not be stored", claim.shown)
            _quarantine_unexpected(folder, claim, exc, report)
        if progress:
            progress("stored", 1)
    return report


def _quarantine_unexpected(folder: ScanFolder, claim: ClaimedScan, exc: Exception,
                           report: ScanPassReport) -> None:
    try:
        digest = file_digest(claim.path)
    except OSError:
        digest = None
    _quarantine_file(folder, claim, digest, QuarantineReason.INTERNAL_ERROR,
                     f"{type(exc).__name__}: {exc}", report)


def _quarantine_file(folder: ScanFolder, claim: ClaimedScan, digest: str | None,
                     reason: QuarantineReason, detail: str, report: ScanPassReport, *,
                     unhashed: str = "unhashed") -> None:
    """A file set aside before any item was stored from it, with its reason file."""
    folder.quarantine(claim, digest or unhashed,
                      reason_text(claim, digest, reason.value, detail, []))
    report.quarantined += 1


def _abandoned_claims(settings: Settings, folder: ScanFolder) -> list[ClaimedScan]:
    """Files left in processing longer than scan_reclaim_seconds and never stored."""
    now = datetime.now(UTC)
    taken = []
    for claim in folder.claimed():
        if (now - claim.claimed_at).total_seconds() < settings.scan_reclaim_seconds:
            continue
        try:
            digest = file_digest(claim.path)
        except FileNotFoundError:
            continue
        with session_scope(settings.resolved_database_url) as session:
            if items_of_scan(session, digest):
                continue  # stored: filing it is file_done_scans' work
        fresh = folder.reclaim(claim)
        if fresh is not None:
            log.warning("took over a scan another worker claimed and never stored")
            taken.append(fresh)
    return taken


def _store_claim(settings: Settings, folder: ScanFolder, claim: ClaimedScan,
                 report: ScanPassReport) -> None:
    try:
        size = claim.path.stat().st_size
        if size > settings.max_item_bytes:
            _quarantine_file(folder, claim, None, QuarantineReason.TOO_LARGE,
                             f"{size} bytes; the limit is {settings.max_item_bytes} "
                             "(TRIAGE_MAX_ITEM_BYTES)", report, unhashed="unhashed-too-large")
            return
        raw = claim.path.read_bytes()
    except FileNotFoundError:  # another worker filed it (a duplicate it settled)
        return
    if len(raw) != claim.size:  # still being written after all: give it back
        folder.release(claim)
        report.taken -= 1
        report.waiting.append(claim.shown)
        return
    digest = sha256_of(raw)
    with session_scope(settings.resolved_database_url) as session:
        if items_of_scan(session, digest):
            report.batch.duplicates += 1
            return
    parts = split_letters(raw, ScanLimits(settings.max_pdf_pages, settings.max_image_pixels))
    name = claim.shown[:_MAX_NAME]
    # All the letters of one file in one transaction: a crash stores all of them or none.
    with session_scope(settings.resolved_database_url) as session:
        if len(parts) > 1:
            store_raw(settings.raw_dir, raw)  # the batch file itself, byte for byte
        for part in parts:
            ref = f"scan:{name}"
            if part.page_range:
                ref += f"#pages={part.page_range[0]}-{part.page_range[1]}"
            item, created = record_raw(session, settings.raw_dir, RawItem(
                "letter", part.raw, ref, claim.received_at, scan_sha256=digest,
                page_range=part.page_range))
            session.flush()
            if created:
                report.batch.stored.append(item.id)
                report.letters += 1
            else:
                report.batch.duplicates += 1


def file_done_scans(settings: Settings, folder: ScanFolder) -> ScanPassReport:
    """Archive each claimed file whose items are all triaged; quarantine the unreadable."""
    report = ScanPassReport()
    for claim in folder.claimed():
        try:
            digest = file_digest(claim.path)
        except FileNotFoundError:
            continue
        with session_scope(settings.resolved_database_url) as session:
            items = items_of_scan(session, digest)
            states = [(item.id, item.status, item.error_code, item.error, _pages_of(item))
                      for item in items]
        if not states or any(status == ItemStatus.PENDING for _, status, *_ in states):
            report.in_progress += 1
            continue
        bad = [state for state in states if state[1] == ItemStatus.QUARANTINED]
        if bad:
            _, _, code, detail, _ = bad[0]
            folder.quarantine(claim, digest, reason_text(claim, digest, code or "unknown",
                                                         detail or "", states))
            report.quarantined += 1
        else:
            folder.archive(claim, digest)
            report.archived += 1
    return report


class FolderSteps:
    """The pass's steps over one scan folder, without Prefect."""

    def __init__(self, settings: Settings, incoming: Path | None = None,
                 progress: Progress | None = None) -> None:
        self.settings, self.progress = settings, progress
        self.folder = scan_folder(settings, incoming)
        self.lease = lease_name(self.folder.folders.incoming)

    def store(self) -> ScanPassReport:
        return take_and_store(self.settings, self.folder, self.progress)

    def triage(self, item_ids: list[int]) -> BatchReport:
        return triage_in_batches(self.settings, item_ids, progress=self.progress)

    def finish(self, report: ScanPassReport) -> ScanPassReport:
        return add_filed(report, file_done_scans(self.settings, self.folder))


def run_pass(settings: Settings, incoming: Path | None = None, *,
             progress: Progress | None = None, steps: PassSteps[ScanPassReport] | None = None,
             take_turns: bool = True) -> ScanPassReport:
    """One pass over the scan folder: take and store, triage, file (pipeline/passes.py).
    The flow gives its Prefect tasks as `steps`."""
    return run_steps(settings, steps or FolderSteps(settings, incoming, progress),
                     skipped=lambda why: ScanPassReport(skipped_because=why),
                     take_turns=take_turns)


def add_filed(report: ScanPassReport, filed: ScanPassReport) -> ScanPassReport:
    """The pass's report with what filing did added to it."""
    report.archived += filed.archived
    report.quarantined += filed.quarantined
    report.in_progress = filed.in_progress
    return report


def file_digest(path) -> str:
    """SHA-256 of a file read in chunks (an unsupported file may be anything, of any size)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _pages_of(item: Item) -> str:
    return f"pages {item.first_page}-{item.last_page}" if item.first_page else "whole file"


def reason_text(claim: ClaimedScan, digest: str | None, code: str, detail: str,
                states: list[tuple]) -> str:
    """The reason file beside a quarantined scan: what went wrong and what to do."""
    lines = [
        f"file: {claim.shown}",
        f"sha256: {digest or 'not hashed'}",
        f"scanned: {claim.received_at.isoformat(timespec='seconds')}",
        f"quarantined: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"reason: {code}",
        f"detail: {detail}",
    ]
    for item_id, status, item_code, _detail, pages in states:
        lines.append(f"item {item_id} ({pages}): {status}"
                     + (f" [{item_code}]" if item_code else ""))
    lines += ["", "The file is kept here byte for byte."]
    if states:
        lines += ["The items listed are in the triage database: once the cause is mended,",
                  "`triage retry ITEM_ID` re-reads them from their stored bytes."]
    lines += ["A re-scanned, unlocked or converted copy can be put into the incoming folder."]
    return "\n".join(lines) + "\n"


__all__ = ["ScanPassReport", "SourceConfigError", "file_done_scans", "scan_folder",
           "take_and_store"]
