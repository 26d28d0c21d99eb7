"""The mailbox poll: store new messages with their ledger rows, triage them, then settle."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from core.settings import Settings
from flows.intake_flow import triage_in_batches
from flows.retrying import SOURCE_OR_DATABASE_BUSY
from ingest.imap import Mailbox
from models.leases import lease
from pipeline import batch
from pipeline import mailbox_pass as mailbox_pass
from pipeline.mailbox_pass import MailboxPassReport


@task(name="store-mailbox", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30],
      retry_condition_fn=SOURCE_OR_DATABASE_BUSY, timeout_seconds=900)
def store_mailbox(settings: Settings) -> MailboxPassReport:
    """Every new message's bytes and ledger row, committed one message at a time."""
    with Mailbox(mailbox_pass.mailbox_config(settings)) as mailbox:
        return mailbox_pass.store_new_messages(settings, mailbox)


@task(name="settle-mailbox", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30],
      retry_condition_fn=SOURCE_OR_DATABASE_BUSY, timeout_seconds=600)
def settle_mailbox(settings: Settings, report: MailboxPassReport) -> MailboxPassReport:
    """Move (or flag) the messages whose items and cases are committed."""
    with Mailbox(mailbox_pass.mailbox_config(settings)) as mailbox:
        return mailbox_pass.settle_done_messages(settings, mailbox, report)


@flow(name="mailbox-poll")
def mailbox_poll(settings: Settings) -> MailboxPassReport:
    """One pass over the mailbox: store, triage everything pending in batches, settle.

    A database lease makes polls of one mailbox take turns, whichever machine runs them; a
    poll that finds it held is skipped (the holder is doing the work).
    """
    config = mailbox_pass.mailbox_config(settings)
    with lease(settings.resolved_database_url, mailbox_pass.lease_name(config),
               ttl_seconds=settings.lease_seconds) as held:
        if not held.held:
            return MailboxPassReport(skipped_because=f"another poll holds it ({held.holder})")
        report = store_mailbox(settings)
        report.batch.merge(triage_in_batches(
            settings, batch.item_ids_with_status(settings, ("pending",))))
        return settle_mailbox(settings, report)
