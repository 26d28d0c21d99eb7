"""The one shape of an intake pass, for the mailbox and the scan folder alike: take turns
with other workers, store what is new, triage everything pending in batches, then finish
(settle messages on the server, file scans). The flows run the same sequence with each
step as a Prefect task; the command line, the tests and bench/ run it directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, TypeVar

from core.labels import ItemStatus
from core.settings import Settings
from models.leases import lease
from pipeline import batch
from pipeline.batch import BatchReport


@dataclass
class PassReport:
    """What a pass did, in counts and ids only (never personal data)."""

    batch: BatchReport = field(default_factory=BatchReport)
    # Set when the pass did not run: another worker was polling the same source.
    skipped_because: str | None = None
    source: ClassVar[str] = "pass"

    def summary(self) -> str:
        if self.skipped_because:
            return f"{self.source}: skipped, {self.skipped_because}"
        return f"{self.source}: {self.counts()}"

    def counts(self) -> str:
        return f"{len(self.batch.stored)} stored"


Report = TypeVar("Report", bound=PassReport)


class PassSteps(Protocol[Report]):
    """A pass's steps; `lease` names what passes take turns over (a mailbox, a folder)."""

    lease: str

    def store(self) -> Report: ...

    def triage(self, item_ids: list[int]) -> BatchReport: ...

    def finish(self, report: Report) -> Report: ...


def run_steps(settings: Settings, steps: PassSteps[Report], *,
              skipped: Callable[[str], Report], take_turns: bool = True) -> Report:
    """Store, triage, finish; skipped (with who holds it) while another pass has its turn.

    `take_turns=False` runs without the lease: the claims on messages, files and items still
    keep two workers from doing one thing twice (the crash and concurrency tests rely on it).
    """
    if not take_turns:
        return _run(settings, steps)
    with lease(settings.resolved_database_url, steps.lease,
               ttl_seconds=settings.lease_seconds) as held:
        if not held.held:
            return skipped(f"another poll holds it ({held.holder})")
        return _run(settings, steps)


def _run(settings: Settings, steps: PassSteps[Report]) -> Report:
    report = steps.store()
    pending = batch.item_ids_with_status(settings, (ItemStatus.PENDING,))
    report.batch.merge(steps.triage(pending))
    return steps.finish(report)
