"""Prefect settings for the embedded default, applied before Prefect is first imported."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any


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
        # The command line reports failures itself, in one line; Prefect's own account of a
        # failed task (with its traceback) is kept in the run's logs on the API.
        defaults["PREFECT_LOGGING_LEVEL"] = "CRITICAL"
        defaults["PREFECT_LOGGING_LOG_PRINTS"] = "false"
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    if quiet:  # a one-shot command on the ephemeral API (`triage serve` runs a real server)
        home = Path(os.environ["PREFECT_HOME"])
        home.mkdir(parents=True, exist_ok=True)
        log_ephemeral_server_to(home / "ephemeral-server.log")


class _LoggingSubprocess:
    """The `subprocess` module as Prefect's server module sees it: Popen writes to a log."""

    def __init__(self, log_path: Path) -> None:
        self._log_path = log_path

    def __getattr__(self, name: str) -> object:
        return getattr(subprocess, name)

    def Popen(self, *args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        with open(self._log_path, "ab") as log:
            kwargs.setdefault("stdout", log)
            kwargs.setdefault("stderr", subprocess.STDOUT)
            return subprocess.Popen(*args, **kwargs)


def log_ephemeral_server_to(log_path: Path) -> None:
    """Send the ephemeral API server's output to a file instead of the user's terminal.

    Prefect 3.8 runs that server as a subprocess sharing our terminal and terminates it when
    the command exits, often mid-request; its shutdown then prints tracebacks (a pending
    asyncio task, a pooled SQLite connection finalised) that say nothing about our work.
    An engineer still finds them in the log.

    No Prefect setting does this: Prefect starts that server with no output argument, and
    PREFECT_SERVER_LOGGING_LEVEL quiets only its `prefect.server`, uvicorn and fastapi
    loggers, while SQLAlchemy's pool logs the same shutdown through the root logger. The
    server reads the same logging config as this process, whose root logger carries the
    command's own warnings (an IMAP reconnect), so quieting root there would hide those.
    """
    from prefect.server.api import server as ephemeral

    if not isinstance(ephemeral.subprocess, _LoggingSubprocess):
        ephemeral.subprocess = _LoggingSubprocess(log_path)  # type: ignore[assignment]
