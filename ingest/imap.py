"""The complaints mailbox over IMAP: new UIDs only, read with BODY.PEEK so none is marked read."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from ingest.errors import SourceConfigError, TransientSourceError


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    security: str = "ssl"
    timeout: float = 30.0
    max_bytes: int = 25 * 1024 * 1024
    batch_size: int = 25

    @property
    def account(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the server holds it; `raw` is None when it was too large to fetch."""

    uidvalidity: int
    uid: int
    size: int
    internal_date: datetime | None
    raw: bytes | None

    def source_ref(self, folder: str) -> str:
        return f"{folder}:{self.uidvalidity}:{self.uid}"


def connect(config: MailboxConfig) -> IMAPClient:
    """Log in over implicit TLS, STARTTLS or (local tests only) plain text."""
    try:
        client = IMAPClient(config.host, port=config.port, ssl=config.security == "ssl",
                            timeout=config.timeout, ssl_context=ssl.create_default_context())
        if config.security == "starttls":
            client.starttls(ssl.create_default_context())
    except (OSError, IMAPClientError) as exc:
        raise TransientSourceError(f"cannot reach the mailbox: {type(exc).__name__}") from exc
    try:
        client.login(config.user, config.password)
    except LoginError as exc:
        client.shutdown()
        raise SourceConfigError(f"the mailbox refused the log-in for {config.user}") from exc
    return client


def select_folder(client: IMAPClient, folder: str) -> int:
    """Select read-only (flags are never changed by reading) and return UIDVALIDITY."""
    status = client.select_folder(folder, readonly=True)
    return int(status[b"UIDVALIDITY"])


def fetch_new_messages(client: IMAPClient, uidvalidity: int, known_uids: set[int], *,
                       max_bytes: int, batch_size: int) -> Iterator[FetchedMessage]:
    """Every message whose UID is not in the ledger, in UID order, a batch at a time.

    Searches ALL rather than UNSEEN: a message someone opened in Outlook is still new to us.
    """
    new_uids = sorted(set(client.search("ALL")) - known_uids)
    for start in range(0, len(new_uids), batch_size):
        batch = new_uids[start : start + batch_size]
        sizes = client.fetch(batch, ["RFC822.SIZE", "INTERNALDATE"])
        small = [uid for uid in batch if sizes.get(uid, {}).get(b"RFC822.SIZE", 0) <= max_bytes]
        bodies = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
        for uid in batch:
            meta = sizes.get(uid)
            if meta is None:  # expunged between SEARCH and FETCH
                continue
            internal = meta.get(b"INTERNALDATE")
            if internal is not None and internal.tzinfo is None:
                internal = internal.astimezone(UTC)
            yield FetchedMessage(
                uidvalidity=uidvalidity,
                uid=uid,
                size=int(meta.get(b"RFC822.SIZE", 0)),
                internal_date=internal,
                raw=bodies.get(uid, {}).get(b"BODY[]"),
            )
