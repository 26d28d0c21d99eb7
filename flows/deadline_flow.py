"""The deadline watch: counts of open cases overdue and due soon, logged and kept as an
artifact on the run; run hourly (the `hazard-watch` deployment) it counts open hazards and
their clocks too, for emergencies' 24 hours. Counts only: no reference, name, address or
postcode leaves the database."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from core.settings import Settings
from flows.retrying import DATABASE_BUSY
from pipeline.hazards import HazardCounts, hazard_counts
from pipeline.listing import DeadlineCounts, deadline_counts

# The review app's default due-soon window (working days); `triage cases --due N` takes any N.
DEFAULT_WITHIN_DAYS = 3
# The hourly watch's window for hazards' clocks (hours).
DEFAULT_HAZARD_HOURS = 6


@task(name="count-deadlines", cache_policy=NO_CACHE, timeout_seconds=600, retries=3,
      retry_delay_seconds=[5, 30, 120], retry_condition_fn=DATABASE_BUSY)
def count_deadlines(settings: Settings, within_days: int) -> DeadlineCounts:
    return deadline_counts(settings, within_days)


@task(name="count-hazards", cache_policy=NO_CACHE, timeout_seconds=600, retries=3,
      retry_delay_seconds=[5, 30, 120], retry_condition_fn=DATABASE_BUSY)
def count_hazards(settings: Settings, within_hours: int) -> HazardCounts:
    return hazard_counts(settings, within_hours)


def _watch_hazards(settings: Settings, within_hours: int) -> HazardCounts:
    counts = count_hazards(settings, within_hours)
    message = (f"{counts.open} open hazards ({counts.emergency} emergency, "
               f"{counts.unconfirmed} severity unconfirmed): {counts.overdue} overdue "
               f"({counts.overdue_emergency} emergency), {counts.due} due within "
               f"{within_hours} hours")
    logger = get_run_logger()
    logger.warning(message) if counts.overdue else logger.info(message)
    create_table_artifact(key="hazard-watch", table=[counts.as_dict()],
                          description="Open hazards overdue and due soon (counts only)")
    return counts


@flow(name="deadline-watch", log_prints=False)
def deadline_watch(settings: Settings, within_days: int = DEFAULT_WITHIN_DAYS,
                   hazard_hours: int | None = None) -> DeadlineCounts:
    """One look at every open case's next deadline; overdue ones are logged as a warning.
    With `hazard_hours`, every open hazard's clocks as well."""
    if hazard_hours is not None:
        _watch_hazards(settings, hazard_hours)
    counts = count_deadlines(settings, within_days)
    logger = get_run_logger()
    message = (f"{counts.open} open cases: {counts.overdue} overdue "
               f"({counts.overdue_acknowledgements} unacknowledged), {counts.due} due within "
               f"{within_days} working days")
    if counts.overdue:
        logger.warning(message)
    else:
        logger.info(message)
    create_table_artifact(key="deadline-watch", table=[counts.as_dict()],
                          description="Open cases overdue and due soon (counts only)")
    return counts
