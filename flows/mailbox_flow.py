"""The mailbox poll: the one mailbox pass (pipeline/mailbox_pass.py), each step a task.

One retry policy per fault: a passing mailbox fault (dropped connection, busy server) is
retried inside the task by `ingest.imap.Mailbox` (TRIAGE_IMAP_ATTEMPTS, with backoff), never
again by Prefect on top; Prefect retries these tasks only for a busy database, which the
mailbox layer knows nothing of. A configuration fault is retried by neither.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from core.settings import Settings
from flows.intake_flow import triage_in_batches
from flows.retrying import DATABASE_BUSY
from ingest.imap import Mailbox
from pipeline import mailbox_pass
from pipeline.batch import BatchReport
from pipeline.mailbox_pass import MailboxPassReport


@task(name="store-mailbox", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30],
      retry_condition_fn=DATABASE_BUSY, timeout_seconds=900)
def store_mailbox(settings: Settings) -> MailboxPassReport:
    """Every new message's bytes and ledger row, committed one message at a time."""
    with Mailbox(mailbox_pass.mailbox_config(settings)) as mailbox:
        return mailbox_pass.store_new_messages(settings, mailbox)


@task(name="settle-mailbox", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30],
      retry_condition_fn=DATABASE_BUSY, timeout_seconds=600)
def settle_mailbox(settings: Settings, report: MailboxPassReport) -> MailboxPassReport:
    """Move (or flag) the messages whose items and cases are committed."""
    with Mailbox(mailbox_pass.mailbox_config(settings)) as mailbox:
        return mailbox_pass.settle_done_messages(settings, mailbox, report)


class TaskSteps:
    """The pass's steps as Prefect tasks, each with its own retries."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lease = mailbox_pass.lease_name(mailbox_pass.mailbox_config(settings))

    def store(self) -> MailboxPassReport:
        return store_mailbox(self.settings)

    def triage(self, item_ids: list[int]) -> BatchReport:
        return triage_in_batches(self.settings, item_ids)

    def finish(self, report: MailboxPassReport) -> MailboxPassReport:
        return settle_mailbox(self.settings, report)


@flow(name="mailbox-poll")
def mailbox_poll(settings: Settings) -> MailboxPassReport:
    """One pass over the mailbox: store, triage everything pending in batches, settle.

    A database lease makes polls of one mailbox take turns, whichever machine runs them; a
    poll that finds it held is skipped (the holder is doing the work).
    """
    return mailbox_pass.run_pass(settings, steps=TaskSteps(settings))
