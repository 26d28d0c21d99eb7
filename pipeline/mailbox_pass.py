"""One pass over the complaints mailbox: store, then triage, then settle; exactly once.

The order is what makes a crash at any moment harmless:
1. each new message's bytes and ledger row are committed together (a crash before that
   leaves the UID unknown, so the next pass fetches it again);
2. stored items are triaged, each in one transaction with its case (claimed, so two workers
   never stage one item);
3. only then is the message moved (or flagged) on the server, and the ledger row settled
   (a crash between the two moves it again next time, which is a no-op).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy.exc import IntegrityError

from core.settings import Settings
from ingest.imap import Mailbox, MailboxConfig
from models import ledger
from models.db import session_scope
from pipeline import batch
from pipeline.batch import BatchReport
from pipeline.mailbox_connect import mailbox_config
from pipeline.passes import PassReport, PassSteps, run_steps

log = logging.getLogger("pipeline.mailbox_pass")


@dataclass
class MailboxPassReport(PassReport):
    """What a mailbox pass did."""

    source: ClassVar[str] = "mailbox"
    uidvalidity: int | None = None
    resynced: int = 0  # already held under an earlier UIDVALIDITY: linked, not fetched
    too_large: int = 0
    settled: int = 0
    waiting: int = 0  # left in the mailbox: their items failed or are not yet triaged
    reconnects: int = 0

    def counts(self) -> str:
        return ", ".join([
            f"{self.settled} settled",
            f"{self.waiting} left in the mailbox (failed or not yet triaged)",
            f"{self.too_large} over the size limit",
            f"{self.resynced} resynchronised",
            f"{self.reconnects} reconnects",
        ])


def lease_name(config: MailboxConfig) -> str:
    return f"mailbox:{config.account}/{config.folder}"


def store_new_messages(settings: Settings, mailbox: Mailbox,
                       progress: batch.Progress | None = None) -> MailboxPassReport:
    """Fetch every UID the ledger lacks, a batch at a time; commit each with its row."""
    config = mailbox.config
    uidvalidity = mailbox.open()
    report = MailboxPassReport(uidvalidity=uidvalidity)
    url = settings.resolved_database_url
    with session_scope(url) as session:
        known = ledger.known_uids(session, config.account, config.folder, uidvalidity)
    new = [uid for uid in mailbox.uids() if uid not in known]
    for start in range(0, len(new), config.batch_size):
        envelopes = mailbox.envelopes(new[start : start + config.batch_size])
        to_fetch, too_large = [], []
        for uid in sorted(envelopes):
            envelope = envelopes[uid]
            with session_scope(url) as session:
                copy_of = ledger.earlier_copy(session, config.account, config.folder,
                                              uidvalidity, envelope)
            if copy_of is not None:
                _commit(report, url, lambda s, e=envelope, i=copy_of: ledger.record_copy(
                    s, config.account, config.folder, uidvalidity, e, i), "resynced")
            elif envelope.size > config.max_bytes:
                too_large.append(uid)
            else:
                to_fetch.append(uid)
        for uid, header in mailbox.headers(too_large).items():
            _commit(report, url, lambda s, e=envelopes[uid], h=header: ledger.record_too_large(
                s, settings.raw_dir, config.account, config.folder, uidvalidity, e, h,
                config.max_bytes), "too_large")
        for uid, raw in mailbox.bodies(to_fetch).items():
            stored = _commit(report, url, lambda s, e=envelopes[uid], r=raw: ledger.record_message(
                s, settings.raw_dir, config.account, config.folder, uidvalidity, e, r), None)
            if progress:
                progress("stored", 1)
            if stored is None:
                continue
            item_id, created = stored
            if created:
                report.batch.stored.append(item_id)
            else:
                report.batch.duplicates += 1
    report.reconnects = mailbox.reconnects
    return report


def _commit(report: MailboxPassReport, url: str, record: Callable, counter: str | None):
    """One message's transaction; another worker having taken the UID first is no error."""
    try:
        with session_scope(url) as session:
            result = record(session)
    except IntegrityError:
        report.batch.duplicates += 1
        return None
    if counter:
        setattr(report, counter, getattr(report, counter) + 1)
    return result


def settle_done_messages(settings: Settings, mailbox: Mailbox,
                         report: MailboxPassReport) -> MailboxPassReport:
    """Move (or flag) the messages whose items are committed; record that they were."""
    config = mailbox.config
    uidvalidity = mailbox.open()
    url = settings.resolved_database_url
    with session_scope(url) as session:
        candidates = ledger.settle_candidates(session, config.account, config.folder,
                                              uidvalidity)
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        with session_scope(url) as session:
            claimed = ledger.claim_for_settling(session, [row_id for row_id, _ in chunk])
            if claimed:
                # Asked after the claim, and after a NOOP: a message another session moved
                # must not be copied again from a stale view of the folder.
                present = set(mailbox.uids(sync=True))
                mailbox.settle([uid for uid in claimed if uid in present])
            report.settled += len(claimed)
    with session_scope(url) as session:
        report.waiting = ledger.waiting_in_mailbox(session, config.account, config.folder,
                                                   uidvalidity)
    report.reconnects = mailbox.reconnects
    return report


class ConnectedSteps:
    """The pass's steps over one open mailbox, without Prefect."""

    def __init__(self, settings: Settings, mailbox: Mailbox,
                 progress: batch.Progress | None = None) -> None:
        self.settings, self.mailbox, self.progress = settings, mailbox, progress
        self.lease = lease_name(mailbox.config)

    def store(self) -> MailboxPassReport:
        return store_new_messages(self.settings, self.mailbox, self.progress)

    def triage(self, item_ids: list[int]) -> BatchReport:
        return batch.triage_in_batches(self.settings, item_ids, progress=self.progress)

    def finish(self, report: MailboxPassReport) -> MailboxPassReport:
        return settle_done_messages(self.settings, self.mailbox, report)


def run_pass(settings: Settings, *, mailbox: Mailbox | None = None,
             progress: batch.Progress | None = None,
             steps: PassSteps[MailboxPassReport] | None = None,
             take_turns: bool = True) -> MailboxPassReport:
    """One pass over the mailbox: store, triage, settle (pipeline/passes.py). The flow gives
    its Prefect tasks as `steps`; otherwise one connection serves the whole pass."""
    if steps is not None:
        return run_steps(settings, steps, skipped=_skipped, take_turns=take_turns)
    own = mailbox is None
    mailbox = mailbox or Mailbox(mailbox_config(settings))
    try:
        return run_steps(settings, ConnectedSteps(settings, mailbox, progress),
                         skipped=_skipped, take_turns=take_turns)
    finally:
        if own:
            mailbox.close()


def _skipped(why: str) -> MailboxPassReport:
    return MailboxPassReport(skipped_because=why)
