"""The mailbox from settings, and a first connection before any heavy start-up.

Kept apart from `mailbox_pass.py` (which brings in the database and the classifier) so that
`triage ingest mailbox` can open the mailbox, and refuse a wrong setting, within a second of
starting, before the database, Prefect or the model are loaded.
"""

from __future__ import annotations

import shlex
import subprocess

from core.settings import Settings
from ingest.errors import SourceConfigError, TransientSourceError
from ingest.imap import Mailbox, MailboxConfig


def mailbox_config(settings: Settings) -> MailboxConfig:
    """The mailbox from settings; a clear error naming what is missing."""
    token_command = require_mailbox_settings(settings)
    secret = (fresh_token(token_command) if token_command
              else settings.imap_password.get_secret_value())
    default_port = {"ssl": 993, "starttls": 143, "none": 143}[settings.imap_security]
    return MailboxConfig(
        host=settings.imap_host, port=settings.imap_port or default_port,
        user=settings.imap_user, secret=secret,
        folder=settings.imap_folder, security=settings.imap_security, auth=settings.imap_auth,
        ca_file=str(settings.imap_ca_file) if settings.imap_ca_file else None,
        timeout=settings.imap_timeout_seconds,
        max_bytes=min(settings.imap_max_message_bytes, settings.max_item_bytes),
        batch_size=settings.batch_size, processed_action=settings.imap_processed_action,
        processed_folder=settings.imap_processed_folder,
        processed_keyword=settings.imap_processed_keyword,
        attempts=settings.imap_attempts, backoff_seconds=settings.imap_backoff_seconds,
    )


def require_mailbox_settings(settings: Settings) -> str | None:
    """Refuse at once, naming the settings, when the mailbox is not configured; the OAuth2
    token command, if that is how the secret comes."""
    token_command = settings.imap_auth == "xoauth2" and settings.imap_oauth2_token_command
    if not (settings.imap_host and settings.imap_user
            and (settings.imap_password or token_command)):
        raise SourceConfigError(
            "set TRIAGE_IMAP_HOST, TRIAGE_IMAP_USER and TRIAGE_IMAP_PASSWORD "
            "(with TRIAGE_IMAP_AUTH=xoauth2 the password is the OAuth2 access token, or set "
            "TRIAGE_IMAP_OAUTH2_TOKEN_COMMAND)")
    return token_command or None


def check_mailbox(settings: Settings) -> None:
    """Connect, log in and open the folder once, before Prefect or the model is started, so
    a setting to change (unknown host, refused log-in, untrusted certificate, no such folder)
    is said within a second, and an unreachable server is given up after the mailbox's own
    tries (TRIAGE_IMAP_ATTEMPTS), never after Prefect's start-up on top."""
    with Mailbox(mailbox_config(settings)):
        pass


def fresh_token(command: str) -> str:
    """Run the configured token command; its standard output, stripped, is the token.

    Neither the token nor the command's error output is ever put in a message or a log.
    """
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TransientSourceError(
            f"the OAuth2 token command could not run: {type(exc).__name__}") from exc
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        raise TransientSourceError(
            f"the OAuth2 token command gave no token (exit {done.returncode})")
    return token
