"""Prefect settings for the embedded default, applied before Prefect is first imported."""

from __future__ import annotations

import os
from pathlib import Path


def configure_prefect(data_dir: Path, *, quiet: bool = True) -> None:
    """Ephemeral API and SQLite under the data dir, no analytics, no network; user values win."""
    defaults = {
        "PREFECT_HOME": str((data_dir / "prefect").resolve()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_UI_ENABLED": "false",
    }
    if quiet:
        defaults["PREFECT_LOGGING_LEVEL"] = "WARNING"
        defaults["PREFECT_LOGGING_LOG_PRINTS"] = "false"
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
