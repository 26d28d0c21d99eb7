"""When a failed task is worth retrying: only for a passing fault, never for bad input."""

from __future__ import annotations

from collections.abc import Callable

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


# A locked SQLite file or a dropped PostgreSQL connection. A passing mailbox fault is not
# here: ingest.imap.Mailbox retries it on a new connection (TRIAGE_IMAP_ATTEMPTS), and a
# second layer of retries on top would multiply the attempts and the wait.
DATABASE_BUSY = retry_when(is_transient_database_error)
