"""`prefect server start`, with the one repair Prefect 3.8.8's scheduler needs under
SQLAlchemy 2.1: run as `python -m flows.prefect_server start [OPTIONS]` (the options of
`prefect server start`).

The scheduler inserts its runs in bulk with each run's first state under the key `state`,
which is a hybrid property on the flow-run model; SQLAlchemy 2.0 ignored that key (the
states are inserted next, on their own), SQLAlchemy 2.1 refuses a hybrid without a
`bulk_dml` hook ("Can't evaluate bulk DML statement"), so no deployment ever gets a
scheduled run. The hook added here ignores the key again, as 2.0 did.
"""

from __future__ import annotations

import runpy
import sys


def _ignore(cls, mapping, value) -> None:
    """The run's state is not a column: the scheduler inserts it next, on its own."""


def repair_scheduler_bulk_insert() -> bool:
    """Give the flow-run `state` hybrid a bulk-DML hook where it has none; True if added."""
    from prefect.server.database.orm_models import FlowRun

    state = FlowRun.__dict__["state"]
    if not hasattr(state, "bulk_dml_setter") or state.bulk_dml_setter is not None:
        return False
    state.bulk_dml_setter = _ignore
    return True


if __name__ == "__main__":
    repair_scheduler_bulk_insert()
    sys.argv = ["prefect", "server", *sys.argv[1:]]
    runpy.run_module("prefect", run_name="__main__", alter_sys=True)
