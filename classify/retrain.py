"""Retraining on officers' confirmed labels, promoted only when the development set says so."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from classify.dataset import CATEGORIES, EXCLUDED_REASONS, HAZARDS, Example, load_examples
from classify.model import (
    TrainedModel,
    choose_model_thresholds,
    fingerprint,
    load_or_train,
    model_path,
    model_version,
    promote,
    save_model,
    threshold_examples,
    train,
    write_metadata,
)

# Scores a model on the development set; returns the figures (at least `macro_f1`).
Scorer = Callable[[TrainedModel], dict[str, object]]


@dataclass(frozen=True)
class RetrainOutcome:
    current: TrainedModel
    candidate: TrainedModel
    current_macro_f1: float
    candidate_macro_f1: float
    promoted: bool
    officer_labels: int
    skipped_labels: int


def officer_examples(labels: list[dict[str, object]]) -> tuple[list[Example], int]:
    """Confirmed labels as training examples; ones that break the label rules are skipped."""
    examples, skipped = [], 0
    for label in labels:
        category = label["category"]
        reason = label.get("excluded_reason")
        hazard = label.get("hazard")
        if (category not in CATEGORIES or (category == "excluded") != (reason in EXCLUDED_REASONS)
                or (hazard is not None and hazard not in HAZARDS)):
            skipped += 1
            continue
        received = label["received_at"]
        examples.append(Example(
            id=f"officer-{label['item_id']}",
            subject=str(label.get("subject") or ""),
            body=str(label["text"]),
            source=str(label.get("source") or "email"),
            received_at=received.date() if isinstance(received, datetime) else (
                received or datetime.now(UTC).date()),
            category=str(category),
            excluded_reason=reason if category == "excluded" else None,  # type: ignore[arg-type]
            escalation=bool(label.get("escalation")) and category == "complaint",
            hazard=hazard,  # type: ignore[arg-type]
        ))
    return examples, skipped


def labels_digest(examples: list[Example]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.id, example.category, example.excluded_reason,
                                  example.hazard, example.escalation, example.body]).encode())
    return digest.hexdigest()


def dev_digest(dev_dir: Path) -> str:
    return fingerprint(dev_dir)[:12]


def retrain(training_dir: Path, dev_dir: Path, model_dir: Path,
            labels: list[dict[str, object]], score: Scorer,
            outside_dir: Path | None = None) -> RetrainOutcome:
    """Train on the training files plus officers' labels; promote if dev macro-F1 holds.

    The development set is never trained on, so the comparison is fair to both models.
    """
    current = load_or_train(training_dir, model_dir, dev_dir, outside_dir)
    current_f1 = _macro_f1(current, dev_dir, model_dir, score)
    extra, skipped = officer_examples(labels)
    base = load_examples(training_dir)
    training_hash = fingerprint(training_dir)
    if not extra:
        return RetrainOutcome(current, current, current_f1, current_f1, False, 0, skipped)
    version = model_version(training_dir, extra=labels_digest(extra))
    candidate = train(base + extra, version, training_hash=training_hash,
                      n_officer_labels=len(extra))
    choose_model_thresholds(candidate, *threshold_examples(dev_dir, outside_dir))
    candidate_f1 = _macro_f1(candidate, dev_dir, model_dir, score)
    save_model(candidate, model_path(model_dir, version))
    promoted = candidate_f1 >= current_f1
    if promoted:
        promote(candidate, model_dir)
    return RetrainOutcome(current, candidate, current_f1, candidate_f1, promoted, len(extra),
                          skipped)


def _macro_f1(model: TrainedModel, dev_dir: Path, model_dir: Path, score: Scorer) -> float:
    """The model's dev macro-F1, scored once per development set and kept in its metadata."""
    if model.dev_figures.get("dev_digest") != dev_digest(dev_dir) or (
            "macro_f1" not in model.dev_figures):
        record_dev_figures(model, score(model), dev_dir, model_dir)
    return float(model.dev_figures["macro_f1"])  # type: ignore[arg-type]


def record_dev_figures(model: TrainedModel, report: dict[str, object], dev_dir: Path,
                       model_dir: Path) -> None:
    """Keep the whole path's development figures with the model, in its metadata file."""
    model.dev_figures = {key: report[key] for key in (
        "macro_f1", "accuracy", "auto_accuracy", "review_rate", "review_rate_low_confidence",
        "calibration_error", "examples", "fields") if key in report}
    model.dev_figures["scored"] = "whole triage path (extraction, model, policy rules)"
    model.dev_figures["dev_digest"] = dev_digest(dev_dir)
    path = model_path(model_dir, model.version)
    if path.exists():
        write_metadata(model, path)
