"""Retraining on officers' confirmed labels: the one sequence `triage train` and the retrain
flow share (read the labels, train, score both models on the development set, promote)."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from classify.model import ModelNotTrained, train_base
from classify.retrain import RetrainOutcome
from core.settings import Settings


def ensure_model(settings: Settings, say: Callable[[str], None] | None = None) -> bool:
    """Train the base model once if none is saved for today's training files, saying so;
    True if it trained. Called before work starts (demo, serve, one-shot commands), never
    inside a triage batch."""
    from pipeline.batch import load_model

    try:
        load_model(settings)  # loaded once for the process, as the batches will want it
        return False
    except ModelNotTrained:
        pass
    if say:
        say(f"training the model on {settings.training_dir} (once; it is saved in "
            f"{settings.model_dir})...")
    started = monotonic()
    train_base(settings.training_dir, settings.model_dir, settings.dev_dir,
               settings.outside_dir)
    if say:
        say(f"model trained in {monotonic() - started:.0f} s")
    return True


def retrain_from_reviews(settings: Settings) -> RetrainOutcome:
    """Train on the training files plus the labels officers confirmed; promote if no worse.

    The caller forgets its loaded models after a promotion (`batch.forget_loaded_models`), so
    its next batch reads the promoted one.
    """
    from classify.retrain import retrain
    from models.db import session_scope
    from models.repository import confirmed_labels
    from pipeline.batch import thresholds_of
    from pipeline.evaluation import evaluate_dev_set

    with session_scope(settings.resolved_database_url) as session:
        labels = confirmed_labels(session)

    def score(model):
        return evaluate_dev_set(model, settings.dev_dir, thresholds_of(settings, model),
                                settings.policy)

    return retrain(settings.training_dir, settings.dev_dir, settings.model_dir, labels, score,
                   settings.outside_dir)


def outcome_summary(outcome: RetrainOutcome) -> dict[str, object]:
    """Versions, counts and figures only: what a flow run may log and keep."""
    return {
        "promoted": outcome.promoted,
        "current_version": outcome.current.version,
        "candidate_version": outcome.candidate.version,
        "current_macro_f1": round(outcome.current_macro_f1, 4),
        "candidate_macro_f1": round(outcome.candidate_macro_f1, 4),
        "officer_labels": outcome.officer_labels,
        "skipped_labels": outcome.skipped_labels,
    }
