"""When a failed task is worth retrying: only for a passing fault, never for bad input."""

from __future__ import annotations

from collections.abc import Callable

from ingest.imap import is_transient
from pipeline.batch import is_transient_database_error


def retry_when(passing: Callable[[BaseException], bool]) -> Callable[..., bool]:
    """A Prefect `retry_condition_fn` that retries when the task's exception passes."""
    def condition(task, task_run, state) -> bool:
        try:
            state.result()
        except Exception as exc:
            return passing(exc)
        return False

    return condition


# A locked SQLite file or a dropped PostgreSQL connection.
DATABASE_BUSY = retry_when(is_transient_database_error)
# That, or the network or a busy mail server.
SOURCE_OR_DATABASE_BUSY = retry_when(
    lambda exc: is_transient(exc) or is_transient_database_error(exc))
