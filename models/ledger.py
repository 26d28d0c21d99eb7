"""The IMAP ledger: which (account, folder, UIDVALIDITY, UID) have been taken, and how.

A row is written in the same transaction as the message's item, so a message is either
unknown (and fetched again next pass) or known with its bytes safely stored; it is settled
(moved or flagged on the server) only once its item has been triaged and committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ingest.errors import QuarantineReason
from ingest.imap import Envelope
from ingest.items import RawItem
from models.repository import mark_quarantined, record_raw
from models.tables import Item, ItemStatus, MailboxMessage, utcnow

# Items in these states have been through triage and committed: their messages can be settled.
DONE = (ItemStatus.STAGED, ItemStatus.NEEDS_REVIEW, ItemStatus.IGNORED)


def source_ref(folder: str, uidvalidity: int, uid: int) -> str:
    return f"{folder}:{uidvalidity}:{uid}"


def known_uids(session: Session, account: str, folder: str, uidvalidity: int) -> set[int]:
    return set(session.scalars(select(MailboxMessage.uid).where(
        MailboxMessage.account == account, MailboxMessage.folder == folder,
        MailboxMessage.uidvalidity == uidvalidity)))


def earlier_copy(session: Session, account: str, folder: str, uidvalidity: int,
                 envelope: Envelope) -> int | None:
    """The item of a message already taken under another UIDVALIDITY: same Message-ID and size.

    After a folder is recreated every UID is new; this spares refetching what we hold. Under
    the same UIDVALIDITY a new UID is a new message, even with the Message-ID and size of
    one we hold (senders reuse IDs): it is fetched, and its content hash decides, as it does
    for a message with no Message-ID.
    """
    if not envelope.message_id:
        return None
    matches = list(session.scalars(select(MailboxMessage.item_id).distinct().where(
        MailboxMessage.account == account, MailboxMessage.folder == folder,
        MailboxMessage.uidvalidity != uidvalidity,
        MailboxMessage.message_id == envelope.message_id,
        MailboxMessage.size == envelope.size, MailboxMessage.item_id.is_not(None)).limit(2)))
    # Two different messages we hold share that Message-ID and size: only the bytes can say
    # which this one is.
    return matches[0] if len(matches) == 1 else None


def _row(account: str, folder: str, uidvalidity: int, envelope: Envelope,
         status: str) -> MailboxMessage:
    return MailboxMessage(account=account, folder=folder, uidvalidity=uidvalidity,
                          uid=envelope.uid, message_id=envelope.message_id,
                          size=envelope.size, status=status)


def record_message(session: Session, raw_dir: Path, account: str, folder: str,
                   uidvalidity: int, envelope: Envelope, raw: bytes) -> tuple[int, bool]:
    """Store the message's bytes and its ledger row together; (item id, newly stored)."""
    item, created = record_raw(session, raw_dir, RawItem(
        "email", raw, source_ref(folder, uidvalidity, envelope.uid), envelope.internal_date))
    session.flush()
    row = _row(account, folder, uidvalidity, envelope, "stored" if created else "duplicate")
    row.item_id, row.sha256 = item.id, item.sha256
    session.add(row)
    return item.id, created


def record_copy(session: Session, account: str, folder: str, uidvalidity: int,
                envelope: Envelope, item_id: int) -> None:
    """A message we already hold under an earlier UIDVALIDITY: linked, not fetched or staged."""
    row = _row(account, folder, uidvalidity, envelope, "duplicate")
    row.item_id = item_id
    row.sha256 = session.scalar(select(Item.sha256).where(Item.id == item_id))
    session.add(row)


def record_too_large(session: Session, raw_dir: Path, account: str, folder: str,
                     uidvalidity: int, envelope: Envelope, header: bytes,
                     limit: int) -> int:
    """Quarantine a message over the size limit from its header block alone.

    The whole message stays on the server, untouched; the item keeps the headers (who sent
    it, when) and the message's real size, so a retry refuses it again for the same reason.
    """
    detail = (f"{envelope.size} bytes, over the limit of {limit}: not fetched; the message "
              f"is left in {folder} on the server")
    item, _ = record_raw(session, raw_dir, RawItem(
        "email", header or b"\r\n", source_ref(folder, uidvalidity, envelope.uid),
        envelope.internal_date))
    session.flush()
    item.size_bytes = envelope.size
    item.message_id = envelope.message_id
    mark_quarantined(item, QuarantineReason.TOO_LARGE.value, detail)
    row = _row(account, folder, uidvalidity, envelope, "too_large")
    row.item_id, row.sha256, row.error = item.id, item.sha256, detail
    session.add(row)
    return item.id


def settle_candidates(session: Session, account: str, folder: str,
                      uidvalidity: int) -> list[tuple[int, int]]:
    """(ledger row id, UID) of messages whose items are triaged and committed."""
    return [(row_id, uid) for row_id, uid in session.execute(
        select(MailboxMessage.id, MailboxMessage.uid)
        .join(Item, Item.id == MailboxMessage.item_id)
        .where(MailboxMessage.account == account, MailboxMessage.folder == folder,
               MailboxMessage.uidvalidity == uidvalidity,
               MailboxMessage.status.in_(("stored", "duplicate")), Item.status.in_(DONE))
        .order_by(MailboxMessage.uid))]


def claim_for_settling(session: Session, row_ids: Sequence[int],
                       when: datetime | None = None) -> list[int]:
    """Mark rows settled and return the UIDs this worker must move; commit after moving.

    The update locks the rows (PostgreSQL) or the database (SQLite) until the transaction
    ends, so a second worker settling at the same moment waits and then finds nothing left,
    and a worker that dies mid-move releases them unsettled (its lock goes with it).
    """
    if not row_ids:
        return []
    claimed = session.execute(
        update(MailboxMessage)
        .where(MailboxMessage.id.in_(row_ids),
               MailboxMessage.status.in_(("stored", "duplicate")))
        .values(status="settled", settled_at=when or utcnow())
        .returning(MailboxMessage.uid)
        .execution_options(synchronize_session=False))
    return sorted(claimed.scalars())


def waiting_in_mailbox(session: Session, account: str, folder: str, uidvalidity: int) -> int:
    """Messages left where they are: their items are pending or failed (see `triage retry`)."""
    return len(session.scalars(
        select(MailboxMessage.id).join(Item, Item.id == MailboxMessage.item_id)
        .where(MailboxMessage.account == account, MailboxMessage.folder == folder,
               MailboxMessage.uidvalidity == uidvalidity,
               MailboxMessage.status.in_(("stored", "duplicate")),
               Item.status.not_in(DONE))).all())
