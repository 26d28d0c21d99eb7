"""How the classifier reads writing it has never seen: the outside-voices set held out by
writer, and writer-grouped cross-validation over every labelled example, beside the in-house
development set (`triage evaluate`).

- **Outside voices** (`data/outside/`): the model trained on `data/training/` runs the whole
  triage path; the writers are split into folds and each fold is triaged under thresholds
  chosen on the other folds' items only, so the automatic share and its accuracy are figures
  for writers the thresholds never saw.
- **Writer-grouped cross-validation**: training, development and outside examples together,
  folds by writer; the category model alone is refitted per fold (the whole path's fields and
  rules are the same code as above), and thresholds are again chosen on the other folds.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sklearn.metrics import f1_score, precision_recall_fscore_support

from classify.calibration import choose_held_out, staged_figures
from classify.crossval import cross_validate
from classify.dataset import CATEGORIES, Example, load_examples, writer_of
from classify.model import (
    FORMAT_VERSION,
    TrainedModel,
    category_label,
    example_text,
    labelled_examples,
)
from core.settings import Settings
from pipeline.evaluation import evaluate_examples, judged_targets, target_rows
from workflow.rules import Thresholds

# The targets issue 14 sets on the outside-voices set, held out by writer.
OUTSIDE_TARGETS = {
    "macro_f1": 0.88, "auto_accuracy": 0.97, "review_rate_low_confidence_max": 0.30,
    "hazard_recall": 0.97, "name": 0.92, "staff": 0.88, "desired_outcome": 0.85,
}
COLUMNS = ("in_house", "outside_voices", "writer_grouped_cv")
ROWS = ("examples", "writers", "macro_f1", "accuracy", "auto_share", "auto_accuracy",
        "review_rate", "review_rate_low_confidence")


def _category_rows(model: TrainedModel, examples: list[Example]
                   ) -> tuple[list[float], list[bool], list[bool]]:
    """Each example's category confidence, whether the category is right, and whether it
    could be staged automatically (a proposed exclusion never is)."""
    matrix = model.matrix([example_text(e) for e in examples])
    classes = [str(c) for c in model.category.classes_]
    confidences, correct, eligible = [], [], []
    for example, row in zip(examples, model.category.predict_proba(matrix), strict=True):
        best = classes[int(row.argmax())]
        confidences.append(float(row.max()))
        correct.append(best == category_label(example))
        eligible.append(best != "excluded")
    return confidences, correct, eligible


def evaluate_outside(model: TrainedModel, examples: list[Example],
                     policy_name: str) -> dict[str, object]:
    """The whole path over the outside-voices set, each fold of writers under thresholds
    chosen on the others."""
    groups = [writer_of(e) for e in examples]
    confidences, correct, eligible = _category_rows(model, examples)
    folds = choose_held_out(confidences, correct, eligible, groups)
    parts = [(fold.indices, Thresholds(auto=fold.chosen.auto, suggest=fold.chosen.suggest))
             for fold in folds]
    report = evaluate_examples(model, examples, parts, policy_name)
    report["held_out_thresholds"] = [
        {"writers": len({groups[i] for i in fold.indices}), "items": len(fold.indices),
         "auto": fold.chosen.auto, "suggest": fold.chosen.suggest} for fold in folds]
    report["targets"] = targets_met(report)
    return report


def targets_met(report: dict[str, object]) -> dict[str, dict[str, object]]:
    fields = report.get("fields") or {}
    measured = {key: report.get(key.removesuffix("_max"),
                                fields.get(key.removesuffix("_max")))  # type: ignore[union-attr]
                for key in OUTSIDE_TARGETS}
    return judged_targets(OUTSIDE_TARGETS, measured)


def _cache_key(examples: list[Example], representation: str) -> str:
    import sklearn

    digest = hashlib.sha256(f"{FORMAT_VERSION}|{representation}|{sklearn.__version__}".encode())
    for example in examples:
        digest.update(json.dumps([example.id, writer_of(example), category_label(example),
                                  example.subject, example.body]).encode())
    return digest.hexdigest()[:16]


def writer_grouped_cv(examples: list[Example], representation: str,
                      cache_dir: Path | None = None) -> dict[str, object]:
    """Category figures by writer-grouped cross-validation, kept in `cache_dir` by a hash of
    the examples and the representation (refitting five models takes a minute)."""
    cached = cache_dir / f"crossval-{_cache_key(examples, representation)}.json" if (
        cache_dir) else None
    if cached is not None and cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))
    folds = cross_validate(examples, representation)
    report: dict[str, object] = {
        "scored": "category model alone, refitted per fold; folds by writer",
        "representation": representation,
        "examples": len(examples),
        **held_out_figures(folds.gold, folds.predicted, folds.confidence, folds.groups),
    }
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


def held_out_figures(gold: list[str], predicted: list[str], confidence: list[float],
                     groups: list[str]) -> dict[str, object]:
    """Category figures, and what thresholds chosen on the other writers' items stage."""
    correct = [g == p for g, p in zip(gold, predicted, strict=True)]
    eligible = [p != "excluded" for p in predicted]
    held = choose_held_out(confidence, correct, eligible, groups)
    autos = [0.0] * len(gold)
    for fold in held:
        for index in fold.indices:
            autos[index] = fold.chosen.auto
    staged = staged_figures(confidence, correct, eligible, autos)
    return {
        "writers": len(set(groups)),
        "folds": len(held),
        "macro_f1": round(float(f1_score(gold, predicted, labels=list(CATEGORIES),
                                         average="macro", zero_division=0)), 4),
        "accuracy": round(sum(correct) / len(correct), 4),
        "auto_share": staged.auto_share,
        "auto_accuracy": staged.auto_accuracy,
        "auto_items": staged.auto_items,
        "review_rate": round(1 - staged.auto_share, 4),
        "review_rate_low_confidence": staged.low_confidence_share,
        "held_out_thresholds": [fold.chosen.auto for fold in held],
        "per_class": per_class(gold, predicted),
    }


def per_class(gold: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    labels = list(CATEGORIES)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0)
    return {label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                    "f1": round(float(f), 4), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)}


def side_by_side(reports: dict[str, dict[str, object] | None]) -> list[dict[str, object]]:
    """One row per figure (and per class F1), one column per evaluation."""
    rows = []
    for name in ROWS:
        rows.append({"figure": name, **{column: (reports[column] or {}).get(name)
                                         for column in COLUMNS}})
    for label in CATEGORIES:
        rows.append({"figure": f"F1 {label}", **{
            column: ((reports[column] or {}).get("per_class") or {}).get(label, {}).get("f1")  # type: ignore[union-attr]
            for column in COLUMNS}})
    return rows


def print_side_by_side(reports: dict[str, dict[str, object] | None], console: Console) -> None:
    table = Table("figure", "in-house dev", "outside voices (writers held out)",
                  "writer-grouped CV (all data)")
    for row in side_by_side(reports):
        table.add_row(str(row["figure"]), *("—" if row[c] is None else str(row[c])
                                            for c in COLUMNS))
    console.print(table)
    outside = reports.get("outside_voices")
    if outside is None:
        console.print("no outside-voices set: thresholds were chosen on the development set")
        return
    targets = Table("target (outside voices)", "wanted", "measured", "met")
    for row in target_rows(outside["targets"]):  # type: ignore[arg-type]
        targets.add_row(*row)
    console.print(targets)


def evaluate_beside(model: TrainedModel, settings: Settings, in_house: dict[str, object],
                    *, crossval: bool = True) -> dict[str, dict[str, object] | None]:
    """The in-house report with the outside-voices and writer-grouped figures beside it."""
    outside_examples = labelled_examples(settings.outside_dir)
    outside = (evaluate_outside(model, outside_examples, settings.policy)
               if outside_examples else None)
    grouped = None
    if crossval:
        everything = (load_examples(settings.training_dir)
                      + labelled_examples(settings.dev_dir) + outside_examples)
        grouped = writer_grouped_cv(everything, model.representation,
                                    settings.data_dir / "reports")
    return {"in_house": in_house, "outside_voices": outside, "writer_grouped_cv": grouped}
