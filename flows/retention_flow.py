"""The retention run as a Prefect flow: one task, the schedule's classes purged in chunks;
the run's artifact holds counts per class only, never whose records went."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from core.settings import Settings
from flows.retrying import DATABASE_BUSY
from pipeline.retention import run_retention


@task(name="apply-retention", cache_policy=NO_CACHE, timeout_seconds=3600, retries=3,
      retry_delay_seconds=[5, 30, 120], retry_condition_fn=DATABASE_BUSY)
def apply_retention(settings: Settings, dry_run: bool) -> list[dict]:
    # A retry is safe: what was purged is no longer due, so it is not counted twice.
    return run_retention(settings, dry_run=dry_run)


@flow(name="retention", log_prints=False)
def retention(settings: Settings, dry_run: bool = False) -> list[dict]:
    """Delete or anonymise what the retention schedule says is due (or only count it)."""
    rows = apply_retention(settings, dry_run)
    get_run_logger().info("retention%s: %s", " (dry run)" if dry_run else "", ", ".join(
        f"{r['class']} {r['items']} items {r['cases']} cases" for r in rows))
    create_table_artifact(key="retention", table=rows,
                          description="Records due under the retention schedule (counts)")
    return rows
