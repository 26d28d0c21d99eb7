"""The IMAP ledger: which (account, folder, UIDVALIDITY, UID) have been taken, and how."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.imap import FetchedMessage
from ingest.items import RawItem
from models.repository import record_raw
from models.tables import MailboxMessage


def known_uids(session: Session, account: str, folder: str, uidvalidity: int) -> set[int]:
    return set(session.scalars(select(MailboxMessage.uid).where(
        MailboxMessage.account == account, MailboxMessage.folder == folder,
        MailboxMessage.uidvalidity == uidvalidity)))


def record_message(session: Session, raw_dir: Path, account: str, folder: str,
                   message: FetchedMessage) -> tuple[int | None, bool]:
    """Store the message's bytes and its ledger row together; (item id, newly stored)."""
    row = MailboxMessage(account=account, folder=folder, uidvalidity=message.uidvalidity,
                         uid=message.uid, status="stored")
    item_id, created = None, False
    if message.raw is None:
        row.status = "too_large"
        row.error = f"{message.size} bytes: over the size limit, not fetched"
    else:
        raw = RawItem("email", message.raw, message.source_ref(folder), message.internal_date)
        item, created = record_raw(session, raw_dir, raw)
        session.flush()
        item_id, row.item_id, row.sha256 = item.id, item.id, item.sha256
        if not created:
            row.status = "duplicate"
    session.add(row)
    return item_id, created
