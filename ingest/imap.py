"""The complaints mailbox over IMAP: new UIDs only, read with BODY.PEEK so none is marked read.

Every call has a timeout (the socket's); a dropped connection or a busy server is retried
with backoff on a fresh connection, while a refused log-in or a missing folder is not.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import logging
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from ingest.errors import SourceConfigError, TransientSourceError

log = logging.getLogger("ingest.imap")
T = TypeVar("T")

ProcessedAction = Literal["move", "flag", "leave"]
_MESSAGE_ID_FIELD = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"
# Response codes (RFC 5530) and words with which a server says "not now" rather than "never".
_BUSY = re.compile(rb"UNAVAILABLE|INUSE|LIMIT|SERVERBUG|try again|too many|busy|timed? ?out",
                   re.I)


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    user: str
    # The password, or with auth "xoauth2" the OAuth2 access token (Exchange Online).
    secret: str
    folder: str = "INBOX"
    security: Literal["ssl", "starttls", "none"] = "ssl"
    auth: Literal["password", "xoauth2"] = "password"
    ca_file: str | None = None
    timeout: float = 30.0
    max_bytes: int = 25 * 1024 * 1024
    batch_size: int = 25
    processed_action: ProcessedAction = "move"
    processed_folder: str = "Processed"
    processed_keyword: str = "$Triaged"
    attempts: int = 4
    backoff_seconds: float = 1.0

    @property
    def account(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


@dataclass(frozen=True)
class Envelope:
    """What is fetched before the body: enough to skip, resynchronise or refuse a message."""

    uid: int
    size: int
    internal_date: datetime | None
    message_id: str | None


class UidValidityChanged(TransientSourceError):
    """The folder was recreated while we were connected; the next pass resynchronises."""


# A host name the resolver says does not exist (as opposed to "try again": EAI_AGAIN).
_NO_SUCH_HOST = {getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_SERVICE")
                 if hasattr(socket, name)}


def is_unknown_host(exc: BaseException) -> bool:
    """The name in TRIAGE_IMAP_HOST does not resolve at all: a setting, not a passing fault."""
    return isinstance(exc, socket.gaierror) and exc.errno in _NO_SUCH_HOST


def is_transient(exc: BaseException) -> bool:
    """Network trouble and a busy server pass; a refused log-in, an untrusted certificate, an
    unknown host or a bad command does not."""
    if isinstance(exc, TransientSourceError):
        return True
    if isinstance(exc, ssl.SSLCertVerificationError) or is_unknown_host(exc):
        return False
    if isinstance(exc, (OSError, socket.timeout, IMAPClientAbortError, imaplib.IMAP4.abort)):
        return True
    if isinstance(exc, (IMAPClientError, imaplib.IMAP4.error)):
        text = str(exc).encode(errors="replace")
        return bool(_BUSY.search(text))
    return False


def _as_source_error(exc: BaseException, doing: str) -> Exception:
    if is_transient(exc):
        return TransientSourceError(f"{doing}: {type(exc).__name__}: {_short(exc)}")
    return SourceConfigError(f"{doing}: {_short(exc)}")


def _short(exc: BaseException) -> str:
    return str(exc).replace("\r", " ").replace("\n", " ")[:200]


def connect(config: MailboxConfig) -> IMAPClient:
    """Log in over implicit TLS, STARTTLS or (local tests only) plain text."""
    context = ssl.create_default_context(cafile=config.ca_file)
    try:
        client = IMAPClient(config.host, port=config.port, ssl=config.security == "ssl",
                            timeout=config.timeout, ssl_context=context)
        if config.security == "starttls":
            client.starttls(context)
    except ssl.SSLCertVerificationError as exc:
        raise SourceConfigError(
            f"the certificate of {config.host} is not trusted ({_short(exc)}); set "
            "TRIAGE_IMAP_CA_FILE to the CA bundle that signed it") from exc
    except OSError as exc:
        if is_unknown_host(exc):
            raise SourceConfigError(
                f"the mailbox host {config.host!r} does not exist ({_short(exc)}); check "
                "TRIAGE_IMAP_HOST") from exc
        raise _as_source_error(exc, f"cannot reach the mailbox at {config.host}") from exc
    except Exception as exc:
        raise _as_source_error(exc, f"cannot reach the mailbox at {config.host}") from exc
    try:
        if config.auth == "xoauth2":
            client.oauth2_login(config.user, config.secret)
        else:
            client.login(config.user, config.secret)
    except Exception as exc:
        _close(client)
        if isinstance(exc, LoginError) and not is_transient(exc):
            secret = ("TRIAGE_IMAP_PASSWORD (the OAuth2 access token) or "
                      "TRIAGE_IMAP_OAUTH2_TOKEN_COMMAND" if config.auth == "xoauth2"
                      else "TRIAGE_IMAP_PASSWORD")
            raise SourceConfigError(
                f"the mailbox refused the log-in for {config.user} ({config.auth}); check "
                f"TRIAGE_IMAP_USER and {secret}") from exc
        raise _as_source_error(exc, "log-in") from exc
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


class Mailbox:
    """One folder of one account, kept connected: each call is retried on a new connection.

    The UIDVALIDITY seen when the folder was first selected is pinned; if a reconnect finds
    another, the pass stops (`UidValidityChanged`) rather than mixing two numberings.
    """

    def __init__(self, config: MailboxConfig, *, sleep: Callable[[float], None] = time.sleep,
                 connector: Callable[[MailboxConfig], IMAPClient] = connect) -> None:
        self.config = config
        self._sleep = sleep
        self._connector = connector
        self._client: IMAPClient | None = None
        self.uidvalidity: int | None = None
        self.reconnects = 0

    def __enter__(self) -> Mailbox:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> int:
        """Connect, select the folder and return its UIDVALIDITY."""
        self._call(lambda client: None, "open the mailbox")
        assert self.uidvalidity is not None
        return self.uidvalidity

    def close(self) -> None:
        if self._client is not None:
            _close(self._client)
            self._client = None

    def _connect(self) -> IMAPClient:
        client = self._connector(self.config)
        try:
            status = client.select_folder(self.config.folder,
                                          readonly=self.config.processed_action == "leave")
        except Exception as exc:
            _close(client)
            if is_transient(exc):
                raise
            raise SourceConfigError(
                f"cannot open folder {self.config.folder!r}: {_short(exc)}; check "
                "TRIAGE_IMAP_FOLDER") from exc
        uidvalidity = int(status[b"UIDVALIDITY"])
        if self.uidvalidity is not None and uidvalidity != self.uidvalidity:
            _close(client)
            raise UidValidityChanged(
                f"UIDVALIDITY of {self.config.folder!r} changed from {self.uidvalidity} to "
                f"{uidvalidity} during the pass")
        self.uidvalidity = uidvalidity
        return client

    def _call(self, operation: Callable[[IMAPClient], T], doing: str) -> T:
        delay = self.config.backoff_seconds
        for attempt in range(1, self.config.attempts + 1):
            try:
                if self._client is None:
                    self._client = self._connect()
                return operation(self._client)
            except (SourceConfigError, UidValidityChanged):
                raise
            except Exception as exc:
                if self._client is not None:
                    _close(self._client)
                    self._client = None
                if not is_transient(exc):
                    raise _as_source_error(exc, doing) from exc
                if attempt == self.config.attempts:
                    raise _as_source_error(exc, f"{doing} (after {attempt} attempts)") from exc
                log.warning("IMAP %s failed (%s); reconnecting in %.1f s", doing,
                            type(exc).__name__, delay)
                self.reconnects += 1
                self._sleep(delay)
                delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")

    def uids(self, *, sync: bool = False) -> list[int]:
        """Every UID in the folder: ALL, never UNSEEN (someone may have opened it in Outlook).

        With `sync`, a NOOP first collects other sessions' expunges, so moved messages are
        not listed.
        """
        def search(client: IMAPClient) -> list[int]:
            if sync:
                client.noop()
            return client.search("ALL")

        return sorted(self._call(search, "search the folder"))

    def envelopes(self, uids: list[int]) -> dict[int, Envelope]:
        """Size, internal date and Message-ID, peeked, for UIDs still in the folder."""
        if not uids:
            return {}
        fetched = self._call(lambda client: client.fetch(
            uids, ["RFC822.SIZE", "INTERNALDATE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]),
            "fetch envelopes")
        found = {}
        for uid, meta in fetched.items():
            internal = meta.get(b"INTERNALDATE")
            if isinstance(internal, datetime) and internal.tzinfo is not None:
                internal = internal.astimezone(UTC)
            elif isinstance(internal, datetime):
                internal = internal.replace(tzinfo=UTC)
            found[uid] = Envelope(uid=uid, size=int(meta.get(b"RFC822.SIZE", 0)),
                                  internal_date=internal,
                                  message_id=_message_id(meta.get(_MESSAGE_ID_FIELD)))
        return found

    def bodies(self, uids: list[int]) -> dict[int, bytes]:
        """Whole messages, peeked so that none is marked read."""
        if not uids:
            return {}
        fetched = self._call(lambda client: client.fetch(uids, ["BODY.PEEK[]"]),
                             "fetch messages")
        return {uid: meta[b"BODY[]"] for uid, meta in fetched.items() if b"BODY[]" in meta}

    def headers(self, uids: list[int]) -> dict[int, bytes]:
        """The header block alone: what is kept of a message too large to fetch."""
        if not uids:
            return {}
        fetched = self._call(lambda client: client.fetch(uids, ["BODY.PEEK[HEADER]"]),
                             "fetch headers")
        return {uid: meta[b"BODY[HEADER]"] for uid, meta in fetched.items()
                if b"BODY[HEADER]" in meta}

    def settle(self, uids: Iterable[int]) -> None:
        """Mark messages done as configured: move them, flag them with a keyword, or leave them.

        Safe to repeat: a UID already moved away is simply not there any more.
        """
        uids = sorted(uids)
        if not uids or self.config.processed_action == "leave":
            return
        if self.config.processed_action == "flag":
            keyword = self.config.processed_keyword.encode()
            self._call(lambda client: client.add_flags(uids, [keyword]), "flag processed")
            return
        target = self.config.processed_folder
        self._call(lambda client: _ensure_folder(client, target), "create the processed folder")
        self._call(lambda client: _move(client, uids, target), "move processed messages")


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    if not client.folder_exists(folder):
        try:
            client.create_folder(folder)
        except IMAPClientError:
            if not client.folder_exists(folder):  # another worker may have just made it
                raise


def _move(client: IMAPClient, uids: list[int], folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move(uids, folder)
        return
    client.copy(uids, folder)
    client.add_flags(uids, [b"\\Deleted"])
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:
        client.expunge()


def _message_id(header: bytes | None) -> str | None:
    if not header:
        return None
    parsed = email.message_from_bytes(header, policy=email.policy.compat32)
    value = parsed.get("Message-ID")
    if value is None:
        return None
    found = re.search(r"<[^<>\s]+>", str(value))
    return found.group(0)[:998] if found else None
