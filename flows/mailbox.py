"""The mailbox poll: new messages' bytes stored with their ledger rows, then triaged."""

from __future__ import annotations

import contextlib

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.intake import triage_in_batches
from ingest.errors import SourceConfigError, TransientSourceError
from ingest.imap import MailboxConfig, connect, fetch_new_messages, select_folder
from models.db import session_scope
from models.ledger import known_uids, record_message
from triage import batch
from triage.batch import BatchReport
from triage.settings import Settings


def mailbox_config(settings: Settings) -> MailboxConfig:
    if not (settings.imap_host and settings.imap_user and settings.imap_password):
        raise SourceConfigError(
            "set TRIAGE_IMAP_HOST, TRIAGE_IMAP_USER and TRIAGE_IMAP_PASSWORD")
    default_port = {"ssl": 993, "starttls": 143, "none": 143}[settings.imap_security]
    return MailboxConfig(
        host=settings.imap_host, port=settings.imap_port or default_port,
        user=settings.imap_user, password=settings.imap_password.get_secret_value(),
        folder=settings.imap_folder, security=settings.imap_security,
        timeout=settings.imap_timeout_seconds, max_bytes=settings.max_item_bytes,
        batch_size=settings.batch_size,
    )


def _transient(task, task_run, state) -> bool:
    try:
        state.result()
    except TransientSourceError:
        return True
    except Exception:
        return False
    return False


@task(name="fetch-mailbox", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30],
      retry_condition_fn=_transient, timeout_seconds=900)
def fetch_mailbox(settings: Settings) -> BatchReport:
    """Store every new message, committing each with its ledger row before the next."""
    config = mailbox_config(settings)
    report = BatchReport()
    client = connect(config)
    try:
        uidvalidity = select_folder(client, config.folder)
        with session_scope(settings.resolved_database_url) as session:
            known = known_uids(session, config.account, config.folder, uidvalidity)
        for message in fetch_new_messages(client, uidvalidity, known,
                                          max_bytes=config.max_bytes,
                                          batch_size=config.batch_size):
            with session_scope(settings.resolved_database_url) as session:
                item_id, created = record_message(session, settings.raw_dir, config.account,
                                                  config.folder, message)
            if created and item_id is not None:
                report.stored.append(item_id)
            else:
                report.duplicates += 1
    except OSError as exc:
        raise TransientSourceError(f"mailbox connection lost: {type(exc).__name__}") from exc
    finally:
        with contextlib.suppress(Exception):
            client.logout()
    return report


@flow(name="mailbox-poll")
def mailbox_poll(settings: Settings) -> BatchReport:
    """One pass over the mailbox, then triage of everything stored and not yet triaged."""
    report = fetch_mailbox(settings)
    report.merge(triage_in_batches(settings, batch.item_ids_with_status(settings, ("pending",))))
    return report
