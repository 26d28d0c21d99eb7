"""The retrain flow: the `triage train` sequence as one task with a time limit; a promoted
model is then the one this process loads next."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from core.settings import Settings
from pipeline import batch
from pipeline.training import outcome_summary, retrain_from_reviews

# Training and scoring both models takes minutes here; an hour means something is stuck.
RETRAIN_TIMEOUT_SECONDS = 3600


@task(name="retrain-model", cache_policy=NO_CACHE, timeout_seconds=RETRAIN_TIMEOUT_SECONDS)
def retrain_model(settings: Settings) -> dict[str, object]:
    return outcome_summary(retrain_from_reviews(settings))


@flow(name="retrain", log_prints=False)
def retrain(settings: Settings) -> dict[str, object]:
    """Retrain on officers' confirmed labels; promote only if dev macro-F1 does not fall."""
    summary = retrain_model(settings)
    if summary["promoted"]:
        batch.forget_loaded_models()
    get_run_logger().info(
        "retrain: %s labels (%s skipped); candidate %s macro-F1 %s vs current %s %s: %s",
        summary["officer_labels"], summary["skipped_labels"], summary["candidate_version"],
        summary["candidate_macro_f1"], summary["current_version"],
        summary["current_macro_f1"], "promoted" if summary["promoted"] else "not promoted")
    return summary
