"""One settings object, read from TRIAGE_* environment variables and an optional `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The checkout the package is installed from (editable install): where `data/` lives.
REPO_ROOT = Path(__file__).resolve().parents[1]


def default_data_dir() -> Path:
    """The user's data dir, the same wherever a command runs from (a cron line, a home
    directory, the checkout): $XDG_DATA_HOME/housing-triage, else
    ~/.local/share/housing-triage."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "housing-triage"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRIAGE_", env_file=".env", extra="ignore")

    # Database (SQLite), raw bytes, models, the secret key, Prefect's home: see the README's
    # "Where the data lives". Never relative to the working directory unless set so.
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    policy: str = "code-2024"
    # Awaab's Law's clocks (workflow/policies/awaabs-law.toml), or a path to a landlord's
    # stricter standard, or another nation's rules, in the same shape.
    hazard_policy: str = "awaabs-law"

    imap_host: str | None = None
    imap_port: int | None = None
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    imap_timeout_seconds: float = Field(30.0, gt=0)
    # "xoauth2": TRIAGE_IMAP_PASSWORD holds an OAuth2 access token (Exchange Online).
    imap_auth: Literal["password", "xoauth2"] = "password"
    # With xoauth2: a command that prints a fresh access token, run before each pass
    # (tokens last about an hour; a scheduled poll cannot live on one in the environment).
    imap_oauth2_token_command: str | None = None
    # A CA bundle for a server whose certificate the system store does not know.
    imap_ca_file: Path | None = None
    # After a message's item and case are committed: move it to the processed folder, add
    # the keyword as a flag, or leave it as it is. Failed items' messages always stay put.
    imap_processed_action: Literal["move", "flag", "leave"] = "move"
    imap_processed_folder: str = "Processed"
    imap_processed_keyword: str = "$Triaged"
    # Messages over this size are quarantined from their headers, never fetched whole.
    imap_max_message_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    # A dropped connection or busy server is retried this many times, with backoff.
    imap_attempts: int = Field(4, ge=1)
    imap_backoff_seconds: float = Field(1.0, ge=0)

    scan_dir: Path | None = None
    # The post room's scan folder (issue 6): a file is taken once its size and modification
    # time have been still this long; the work folders default to subfolders of scan_dir and
    # must be on the same file system (moves are renames); a claim no worker stored within
    # scan_reclaim_seconds (its worker died) is taken over.
    scan_settle_seconds: float = Field(30.0, ge=0)
    scan_processing_dir: Path | None = None
    scan_archive_dir: Path | None = None
    scan_quarantine_dir: Path | None = None
    scan_reclaim_seconds: float = Field(3600.0, gt=0)
    # Pixels a scanned page may decode to (a decompression bomb is a small file that
    # inflates into billions); a page at 300 dpi is ~9 million.
    max_image_pixels: int = Field(60_000_000, ge=1_000_000)
    # A letter whose worst page Tesseract read below this mean confidence goes to review.
    ocr_review_threshold: float = Field(0.60, ge=0, le=1)
    # The landlord's own identity, never taken for the resident's (JSON lists in env vars).
    landlord_names: list[str] = ["Northbrook Homes"]
    landlord_postcodes: list[str] = ["PR1 2AB"]
    landlord_email_domains: list[str] = ["northbrook-homes.example.org"]
    landlord_addresses: list[str] = ["Civic House, 1 Fishergate, Preston PR1 2AB"]

    # Items at or above this calibrated confidence are staged without a person. Unset, the
    # threshold chosen on the development set when the model was trained applies.
    auto_threshold: float | None = Field(None, ge=0, le=1)
    # Items above this (and below the automatic threshold) carry the prediction as a
    # suggestion; unset, the model's chosen one.
    suggest_threshold: float | None = Field(None, ge=0, le=1)
    # Larger items are quarantined unread rather than parsed.
    max_item_bytes: int = 25 * 1024 * 1024
    max_pdf_pages: int = 50
    batch_size: int = Field(25, ge=1)
    # A poll's lease on its mailbox or scan folder lasts this long unless renewed (its holder
    # renews it every third of this while it works); a dead worker's lapses after it.
    lease_seconds: float = Field(300.0, ge=5)
    # Outgoing letters: sent only when an SMTP server is configured (`triage drafts --send`);
    # otherwise officers send the stored drafts from the landlord's own mail system.
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["ssl", "starttls", "none"] = "starttls"
    smtp_from: str | None = None
    smtp_timeout_seconds: float = 30.0
    # Signs the web app's log-in form cookie (sessions are kept on the server); unset, a
    # random key kept in the data dir (0600).
    secret_key: SecretStr | None = None

    # The review app's log-in (issue 17): this many wrong passwords for one account, or from
    # one address, within the window lock it out for the lock-out time.
    login_failures_per_account: int = Field(5, ge=1)
    login_failures_per_address: int = Field(20, ge=1)
    login_window_minutes: float = Field(15.0, gt=0)
    login_lockout_minutes: float = Field(15.0, gt=0)
    # A signed-in session ends after this many hours, or at log-out, a password change or
    # reset, or when a manager switches the account off.
    session_hours: float = Field(8.0, gt=0, le=24 * 7)
    # Opening an item in the queue holds it for the officer this long (others see who holds
    # it and cannot decide it meanwhile); an item assigned to an officer is held for a day.
    claim_minutes: float = Field(20.0, gt=0)
    assignment_hours: float = Field(24.0, gt=0)

    samples_dir: Path = REPO_ROOT / "data" / "samples"
    training_dir: Path = REPO_ROOT / "data" / "training"
    dev_dir: Path = REPO_ROOT / "data" / "dev"
    # Written by other writers in voices the training set lacks, grouped by writer: the
    # confidence thresholds are chosen here, and `triage evaluate` reports it held out by writer.
    outside_dir: Path = REPO_ROOT / "data" / "outside"

    # The letters development set: letter content rendered as scans at evaluation (postroom/).
    letters_dir: Path = REPO_ROOT / "data" / "letters"

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        """`~` expanded and a relative TRIAGE_DATA_DIR made absolute once, at start-up, so
        every message names the one folder in use."""
        return Path(value).expanduser().absolute()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'triage.db').as_posix()}"

    @property
    def resolved_scan_dir(self) -> Path:
        return self.scan_dir or self.data_dir / "scans" / "incoming"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models"


@lru_cache
def get_settings() -> Settings:
    return Settings()
