"""The deployments in one place: what runs when, for `triage serve` (`build_deployments`) and,
with the same names and schedules, `prefect.yaml` for workers.

The flows take a `Settings` object, which is no JSON parameter (and holds secrets that must
never reach the Prefect API). So each deployment runs a thin entry flow from this module whose
parameters are plain JSON and which reads the settings from its own environment (TRIAGE_* and
`.env`, through `get_settings()`, as every `triage` command does), then calls the flow as a
subflow. A worker's settings are thus its machine's environment, never a deployment's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from prefect import Flow, flow
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from core.settings import Settings, get_settings
from flows.deadline_flow import DEFAULT_HAZARD_HOURS, DEFAULT_WITHIN_DAYS, deadline_watch
from flows.mailbox_flow import mailbox_poll
from flows.retention_flow import retention
from flows.retrain_flow import retrain
from flows.scan_flow import scan_folder_pass
from models.schema import open_database

TIMEZONE = "Europe/London"


def checked_settings() -> Settings:
    """This machine's settings, once the database is known to be this version's schema: a
    worker never runs against a schema older or newer than its code (SchemaMismatch says
    which revision and what to do); a brand-new SQLite database is created."""
    settings = get_settings()
    open_database(settings.resolved_database_url)
    return settings


@flow(name="scheduled-mailbox-poll")
def scheduled_mailbox_poll():
    """One mailbox pass on this machine's settings."""
    return mailbox_poll(checked_settings())


@flow(name="scheduled-scan-folder")
def scheduled_scan_folder(incoming: str | None = None):
    """One pass over the scan folder (default: this machine's TRIAGE_SCAN_DIR)."""
    settings = checked_settings()
    return scan_folder_pass(settings, Path(incoming) if incoming else settings.resolved_scan_dir)


@flow(name="scheduled-deadline-watch")
def scheduled_deadline_watch(within_days: int = DEFAULT_WITHIN_DAYS):
    """Counts of open cases overdue and due within `within_days` working days."""
    return deadline_watch(checked_settings(), within_days)


@flow(name="scheduled-hazard-watch")
def scheduled_hazard_watch(hazard_hours: int = DEFAULT_HAZARD_HOURS):
    """Hourly, for emergency hazards' 24 hours: the deadline watch with hazards' clocks."""
    return deadline_watch(checked_settings(), DEFAULT_WITHIN_DAYS, hazard_hours=hazard_hours)


@flow(name="scheduled-retrain")
def scheduled_retrain():
    """Retrain on officers' confirmed labels; promote only if no worse."""
    return retrain(checked_settings())


@flow(name="scheduled-retention")
def scheduled_retention(dry_run: bool = False):
    """Delete or anonymise what the retention schedule says is due."""
    return retention(get_settings(), dry_run)


@dataclass(frozen=True)
class DeploymentSpec:
    """A deployment's name, entry flow and schedule: an interval, or a cron in UK time."""

    name: str
    entry: Flow
    interval_seconds: int | None = None
    cron: str | None = None

    @property
    def entrypoint(self) -> str:
        """The entry flow as `prefect.yaml` names it (a file path from the checkout)."""
        return f"flows/deployments.py:{self.entry.fn.__name__}"


SCHEDULES = (
    DeploymentSpec("mailbox-poll", scheduled_mailbox_poll, interval_seconds=120),
    DeploymentSpec("scan-folder", scheduled_scan_folder, interval_seconds=60),
    DeploymentSpec("deadline-watch", scheduled_deadline_watch, cron="0 7 * * *"),
    DeploymentSpec("hazard-watch", scheduled_hazard_watch, cron="0 * * * *"),
    DeploymentSpec("retrain", scheduled_retrain, cron="30 2 * * *"),
    DeploymentSpec("retention", scheduled_retention, cron="0 3 * * 0"),
)


def schedules_for(settings: Settings) -> list[DeploymentSpec]:
    """Every schedule, but the mailbox poll only where a mailbox is configured."""
    return [s for s in SCHEDULES if s.name != "mailbox-poll" or settings.imap_host]


def parameters_for(schedule: DeploymentSpec, settings: Settings) -> dict[str, object]:
    """The scan folder is shown on the served deployment; the rest use their defaults."""
    if schedule.name == "scan-folder":
        return {"incoming": str(settings.resolved_scan_dir.resolve())}
    return {}


def build_deployments(settings: Settings) -> list[RunnerDeployment]:
    """The deployments `triage serve` runs in its own process (module entrypoints, so a run
    needs no particular working directory)."""
    deployments = []
    for schedule in schedules_for(settings):
        when: dict[str, object] = (
            {"interval": timedelta(seconds=schedule.interval_seconds)}
            if schedule.interval_seconds else
            {"schedule": Cron(schedule.cron, timezone=TIMEZONE)})
        deployments.append(schedule.entry.to_deployment(
            name=schedule.name, parameters=parameters_for(schedule, settings),
            entrypoint_type=EntrypointType.MODULE_PATH, **when))
    return deployments
