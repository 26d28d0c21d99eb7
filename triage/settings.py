"""One settings object, read from TRIAGE_* environment variables and an optional `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The checkout the package is installed from (editable install): where `data/` lives.
REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRIAGE_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    policy: str = "code-2024"

    imap_host: str | None = None
    imap_port: int | None = None
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    imap_timeout_seconds: float = 30.0

    scan_dir: Path | None = None

    # Items at or above this calibrated confidence are staged without a person.
    auto_threshold: float = Field(0.80, ge=0, le=1)
    # Items above this (and below auto_threshold) carry the prediction as a suggestion.
    suggest_threshold: float = Field(0.45, ge=0, le=1)
    # Larger items are quarantined unread rather than parsed.
    max_item_bytes: int = 25 * 1024 * 1024
    max_pdf_pages: int = 50
    batch_size: int = Field(25, ge=1)
    # Outgoing letters: sent only when an SMTP server is configured (`triage drafts --send`);
    # otherwise officers send the stored drafts from the landlord's own mail system.
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["ssl", "starttls", "none"] = "starttls"
    smtp_from: str | None = None
    smtp_timeout_seconds: float = 30.0

    samples_dir: Path = REPO_ROOT / "data" / "samples"
    training_dir: Path = REPO_ROOT / "data" / "training"
    dev_dir: Path = REPO_ROOT / "data" / "dev"

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
