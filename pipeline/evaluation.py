"""Development-set figures: the numbers officers' trust rests on, measured, never assumed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from classify.calibration import expected_calibration_error, reliability_bins
from classify.dataset import CATEGORIES, Example, load_examples, writer_of
from classify.model import TrainedModel
from ingest.items import IntakeItem
from workflow.policy import load_policy
from workflow.rules import Thresholds

if TYPE_CHECKING:
    from workflow.triage import TriageResult

FIELD_NAMES = ("name", "representative", "address", "postcode", "staff", "desired_outcome",
               "contact_method", "phone", "email", "incident_date")
# How each field is scored: exact (after normalising case, spaces and punctuation), token F1
# averaged over items, micro F1 over the names in the list, or "at least half the tokens".
FIELD_METRICS = {"address": "token_f1", "staff": "list_f1", "desired_outcome": "overlap_half"}
# The targets issue 4 sets on the development set.
TARGETS = {
    "macro_f1": 0.92, "auto_accuracy": 0.97, "review_rate_max": 0.25,
    "name": 0.90, "postcode": 0.95, "staff": 0.85, "desired_outcome": 0.80, "address": 0.85,
}
BATCH = 64


def _as_item(example: Example) -> IntakeItem:
    return IntakeItem(
        source="letter" if example.source == "letter" else "email",
        text=example.body,
        subject=example.subject,
        received_at=datetime.combine(example.received_at, time(10), tzinfo=UTC),
    )


def normalise(field: str, value: object) -> object:
    """A field's value as scored: empty is None, staff a set of names, a phone its digits
    without the country code, anything else lower case with each run of spaces, commas and
    full stops as one space."""
    if value is None or value == "" or value == []:
        return None
    if field == "staff":
        return frozenset(normalise("name", v) for v in value)  # type: ignore[union-attr]
    if field == "phone":
        return re.sub(r"\D", "", str(value)).removeprefix("44").lstrip("0")
    return re.sub(r"[\s,.]+", " ", str(value)).strip().lower()


def _tokens(value: object) -> list[str]:
    return re.findall(r"[a-z0-9']+", str(value or "").lower())


def token_f1(gold: object, found: object) -> float:
    """Token-level F1 of two strings; both empty counts as a full match."""
    gold_tokens, found_tokens = Counter(_tokens(gold)), Counter(_tokens(found))
    if not gold_tokens and not found_tokens:
        return 1.0
    common = sum((gold_tokens & found_tokens).values())
    if not common:
        return 0.0
    precision = common / sum(found_tokens.values())
    recall = common / sum(gold_tokens.values())
    return 2 * precision * recall / (precision + recall)


class FieldScores:
    """Running per-field scores over the development items that carry fields."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.items = 0
        self.staff = Counter()  # true positives, false positives, false negatives

    def add(self, gold: dict[str, object], found: dict[str, object]) -> None:
        self.items += 1
        for name in FIELD_NAMES:
            expected, got = gold.get(name), found[name]
            metric = FIELD_METRICS.get(name, "exact")
            if metric == "token_f1":
                self.hits[name] += token_f1(expected, got)
            elif metric == "overlap_half":
                self.hits[name] += token_f1(expected, got) >= 0.5
            elif metric == "list_f1":
                gold_names = normalise(name, expected) or frozenset()
                found_names = normalise(name, got) or frozenset()
                self.staff["tp"] += len(gold_names & found_names)
                self.staff["fp"] += len(found_names - gold_names)
                self.staff["fn"] += len(gold_names - found_names)
            else:
                self.hits[name] += normalise(name, got) == normalise(name, expected)

    def scores(self) -> dict[str, float | None]:
        if not self.items:
            return dict.fromkeys(FIELD_NAMES)
        result: dict[str, float | None] = {}
        for name in FIELD_NAMES:
            if FIELD_METRICS.get(name) == "list_f1":
                tp, fp, fn = self.staff["tp"], self.staff["fp"], self.staff["fn"]
                result[name] = round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 1.0
            else:
                result[name] = round(self.hits[name] / self.items, 4)
        return result


class _DevTally:
    """What triage got right on each development example, gathered for the report."""

    def __init__(self) -> None:
        self.gold: list[str] = []
        self.predicted: list[str] = []
        self.reviewed: list[bool] = []
        self.confident_review: list[bool] = []
        self.confidences: list[float] = []
        self.correct: list[bool] = []
        self.reason_hits = self.reason_total = self.escalation_hits = self.hazard_hits = 0
        self.hazard_gold = self.hazard_found = 0
        self.fields = FieldScores()

    def add(self, example: Example, result: TriageResult) -> None:
        decision = result.decision
        self.gold.append(example.category)
        self.predicted.append(decision.category)
        self.reviewed.append(decision.needs_review)
        self.confident_review.append(any(r.hit and r.rule == "low-confidence"
                                         for r in decision.results))
        self.confidences.append(result.prediction.confidence)
        self.correct.append(result.prediction.category == (
            "complaint" if example.excluded_reason == "out_of_time" else example.category))
        if example.category == "excluded" and decision.category == "excluded":
            self.reason_total += 1
            self.reason_hits += decision.excluded_reason == example.excluded_reason
        self.escalation_hits += decision.escalation == example.escalation
        self.hazard_hits += decision.hazard == example.hazard
        self.hazard_gold += example.hazard is not None
        self.hazard_found += example.hazard is not None and decision.hazard is not None
        if example.fields is not None:
            self.fields.add(example.fields, result.extraction.as_contract())


def evaluate_dev_set(model: TrainedModel, dev_dir: Path, thresholds: Thresholds,
                     policy_name: str) -> dict[str, object]:
    """Run the whole triage path over every development example and score it."""
    examples = load_examples(dev_dir)
    return evaluate_examples(model, examples, [(list(range(len(examples))), thresholds)],
                             policy_name)


def evaluate_examples(model: TrainedModel, examples: list[Example],
                      parts: list[tuple[list[int], Thresholds]],
                      policy_name: str) -> dict[str, object]:
    """The whole triage path over the examples, each part (indices into `examples`) under its
    own thresholds (writers held out: thresholds chosen on the other writers), scored."""
    from workflow.triage import triage_many

    policy = load_policy(policy_name)
    tally = _DevTally()
    for indices, thresholds in parts:
        for start in range(0, len(indices), BATCH):
            chunk = [examples[i] for i in indices[start : start + BATCH]]
            results = triage_many([_as_item(e) for e in chunk], model=model, policy=policy,
                                  thresholds=thresholds)
            for example, result in zip(chunk, results, strict=True):
                tally.add(example, result)
    first = parts[0][1]
    report: dict[str, object] = {
        "examples": len(examples),
        "writers": len({writer_of(e) for e in examples}),
        "model_version": model.version,
        "model_examples": model.n_examples,
        "officer_labels": model.n_officer_labels,
        "policy": policy.id,
        "thresholds": {"auto": first.auto, "suggest": first.suggest},
        **_category_figures(tally),
        **_decision_figures(tally),
        **_per_class(tally),
        "fields": tally.fields.scores(),
        "field_items": tally.fields.items,
        "field_metrics": {name: FIELD_METRICS.get(name, "exact") for name in FIELD_NAMES},
    }
    report["targets"] = _targets(report)
    return report


def _category_figures(tally: _DevTally) -> dict[str, object]:
    """How often the category is right, overall and where staged without review; calibration."""
    gold, predicted, total = tally.gold, tally.predicted, len(tally.gold)
    auto = [(g, p) for g, p, r in zip(gold, predicted, tally.reviewed, strict=True) if not r]
    return {
        "macro_f1": round(float(f1_score(gold, predicted, labels=list(CATEGORIES),
                                         average="macro", zero_division=0)), 4),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / total, 4),
        "auto_accuracy": round(sum(g == p for g, p in auto) / len(auto), 4) if auto else None,
        "auto_items": len(auto),
        "auto_share": round(len(auto) / total, 4),
        "review_rate": round(sum(tally.reviewed) / total, 4),
        "review_rate_low_confidence": round(sum(tally.confident_review) / total, 4),
        "calibration_error": round(expected_calibration_error(tally.confidences, tally.correct),
                                   4),
        "reliability": [
            {"lower": b.lower, "upper": b.upper, "count": b.count,
             "mean_confidence": round(b.mean_confidence, 4), "accuracy": round(b.accuracy, 4)}
            for b in reliability_bins(tally.confidences, tally.correct)
        ],
    }


def _decision_figures(tally: _DevTally) -> dict[str, object]:
    """The decision beyond the category: missed complaints, excluded reason, escalation, hazard."""
    total = len(tally.gold)
    return {
        "complaints_missed_as_service_requests": sum(
            g == "complaint" and p == "service_request"
            for g, p in zip(tally.gold, tally.predicted, strict=True)),
        "excluded_reason_accuracy": (round(tally.reason_hits / tally.reason_total, 4)
                                     if tally.reason_total else None),
        "escalation_accuracy": round(tally.escalation_hits / total, 4),
        "hazard_accuracy": round(tally.hazard_hits / total, 4),
        "hazard_recall": (round(tally.hazard_found / tally.hazard_gold, 4)
                          if tally.hazard_gold else None),
    }


def _per_class(tally: _DevTally) -> dict[str, object]:
    """Precision, recall and F1 of each category, and the confusion matrix."""
    labels = list(CATEGORIES)
    precision, recall, f1, support = precision_recall_fscore_support(
        tally.gold, tally.predicted, labels=labels, zero_division=0
    )
    return {
        "per_class": {
            label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                    "f1": round(float(f), 4), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": {
            "labels": labels,
            "rows_gold_columns_predicted": confusion_matrix(tally.gold, tally.predicted,
                                                            labels=labels).tolist(),
        },
    }


def _targets(report: dict[str, object]) -> dict[str, dict[str, object]]:
    fields = report["fields"]
    measured = {
        "macro_f1": report["macro_f1"], "auto_accuracy": report["auto_accuracy"],
        "review_rate_max": report["review_rate"],
        **{name: fields[name] for name in ("name", "postcode", "staff", "desired_outcome",  # type: ignore[index]
                                           "address")},
    }
    return judged_targets(TARGETS, measured)


def judged_targets(targets: dict[str, float], measured: dict[str, object]
                   ) -> dict[str, dict[str, object]]:
    """Each target with its measured value and whether it is met (None: nothing measured);
    a target whose key ends in `_max` is a ceiling, any other a floor."""
    result = {}
    for key, target in targets.items():
        value = measured[key]
        met = None if value is None else (value <= target if key.endswith("_max")
                                          else value >= target)
        result[key] = {"target": target, "measured": value, "met": met}
    return result


def target_rows(targets: dict[str, dict[str, object]], *, markdown: bool = False
                ) -> list[tuple[str, str, str, str]]:
    """Judged targets as table rows: the key, what is wanted, what was measured, met or not
    (a miss is shouted on the console, written plainly in Markdown)."""
    words = {True: "yes", False: "no" if markdown else "NO", None: "—"}
    return [(key, f"≤ {row['target']}" if key.endswith("_max") else f"≥ {row['target']}",
             str(row["measured"]), words[row["met"]])  # type: ignore[index]
            for key, row in targets.items()]


def print_evaluation(report: dict[str, object], console: Console) -> None:
    console.print(f"Development set: {report['examples']} examples, model "
                  f"{report['model_version']} ({report['model_examples']} training examples, "
                  f"{report['officer_labels']} officer labels), policy {report['policy']}")
    thresholds = report["thresholds"]
    console.print(f"thresholds: auto {thresholds['auto']}, suggest {thresholds['suggest']}")  # type: ignore[index]
    console.print(f"macro F1 {report['macro_f1']}, accuracy {report['accuracy']}, "
                  f"auto-staged accuracy {report['auto_accuracy']} "
                  f"({report['auto_items']} items), review rate {report['review_rate']} "
                  f"(low confidence alone {report['review_rate_low_confidence']}), "
                  f"calibration error {report['calibration_error']}")
    table = Table("category", "precision", "recall", "F1", "support")
    for label, row in report["per_class"].items():  # type: ignore[union-attr]
        table.add_row(label, str(row["precision"]), str(row["recall"]), str(row["f1"]),
                      str(row["support"]))
    console.print(table)
    matrix = report["confusion_matrix"]
    confusion = Table("gold \\ predicted", *matrix["labels"])  # type: ignore[index]
    for label, row in zip(matrix["labels"], matrix["rows_gold_columns_predicted"],  # type: ignore[index]
                          strict=True):
        confusion.add_row(label, *(str(v) for v in row))
    console.print(confusion)
    fields = Table("field", "score", "metric")
    for name, score in report["fields"].items():  # type: ignore[union-attr]
        fields.add_row(name, "—" if score is None else f"{score:.2f}",
                       report["field_metrics"][name])  # type: ignore[index]
    console.print(fields)
    targets = Table("target", "wanted", "measured", "met")
    for row in target_rows(report["targets"]):  # type: ignore[arg-type]
        targets.add_row(*row)
    console.print(targets)


def write_report(report: dict[str, object], directory: Path) -> Path:
    """The figures as Markdown, with a confusion-matrix and a reliability-diagram PNG."""
    directory.mkdir(parents=True, exist_ok=True)
    _confusion_png(report, directory / "confusion-matrix.png")
    _reliability_png(report, directory / "reliability.png")
    matrix = report["confusion_matrix"]
    labels = matrix["labels"]  # type: ignore[index]
    lines = [
        f"# Development-set evaluation — model {report['model_version']}",
        "",
        f"{report['examples']} development examples (never trained on); policy "
        f"{report['policy']}; thresholds auto {report['thresholds']['auto']}, suggest "  # type: ignore[index]
        f"{report['thresholds']['suggest']}.",  # type: ignore[index]
        "",
        "| figure | value |", "|---|---|",
        f"| macro F1 | {report['macro_f1']} |",
        f"| accuracy | {report['accuracy']} |",
        f"| auto-staged accuracy | {report['auto_accuracy']} ({report['auto_items']} items) |",
        f"| share sent to review | {report['review_rate']} |",
        f"| share sent to review by low confidence alone | "
        f"{report['review_rate_low_confidence']} |",
        f"| expected calibration error | {report['calibration_error']} |",
        f"| complaints read as service requests | "
        f"{report['complaints_missed_as_service_requests']} |",
        f"| excluded reason accuracy | {report['excluded_reason_accuracy']} |",
        f"| escalation accuracy | {report['escalation_accuracy']} |",
        f"| hazard accuracy / recall | {report['hazard_accuracy']} / {report['hazard_recall']} |",
        "", "## Per class", "", "| category | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for label, row in report["per_class"].items():  # type: ignore[union-attr]
        lines.append(f"| {label} | {row['precision']} | {row['recall']} | {row['f1']} | "
                     f"{row['support']} |")
    lines += ["", "## Confusion matrix (rows gold, columns predicted)", "",
              "| | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, matrix["rows_gold_columns_predicted"], strict=True):  # type: ignore[index]
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "![confusion matrix](confusion-matrix.png)", "",
              "![reliability diagram](reliability.png)", "",
              f"## Fields ({report['field_items']} items carry labelled fields)", "",
              "| field | score | metric |", "|---|---|---|"]
    for name, score in report["fields"].items():  # type: ignore[union-attr]
        lines.append(f"| {name} | {score} | {report['field_metrics'][name]} |")  # type: ignore[index]
    lines += ["", "## Targets", "", "| target | wanted | measured | met |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |"
              for row in target_rows(report["targets"], markdown=True)]  # type: ignore[arg-type]
    path = directory / "evaluation.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display, no GUI toolkit
    import matplotlib.pyplot as plt

    return plt


def _confusion_png(report: dict[str, object], path: Path) -> None:
    plt = _pyplot()
    matrix = report["confusion_matrix"]
    labels = matrix["labels"]  # type: ignore[index]
    values = matrix["rows_gold_columns_predicted"]  # type: ignore[index]
    figure, axes = plt.subplots(figsize=(6.5, 5.5), dpi=110)
    image = axes.imshow(values, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    peak = max(max(row) for row in values) or 1
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            axes.text(j, i, str(value), ha="center", va="center",
                      color="white" if value > peak / 2 else "black")
    figure.colorbar(image, ax=axes)
    axes.set_title(f"Confusion matrix, {report['examples']} development items")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _reliability_png(report: dict[str, object], path: Path) -> None:
    plt = _pyplot()
    bins = report["reliability"]
    figure, axes = plt.subplots(figsize=(5.5, 5.5), dpi=110)
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    axes.bar([b["lower"] for b in bins], [b["accuracy"] for b in bins], width=0.1,  # type: ignore[index]
             align="edge", edgecolor="black", alpha=0.7, label="accuracy in bin")
    axes.plot([b["mean_confidence"] for b in bins], [b["accuracy"] for b in bins],  # type: ignore[index]
              marker="o", color="darkred", label="mean confidence vs accuracy")
    auto = report["thresholds"]["auto"]  # type: ignore[index]
    axes.axvline(auto, color="green", label=f"auto threshold {auto}")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("confidence")
    axes.set_ylabel("accuracy")
    axes.set_title(f"Reliability (ECE {report['calibration_error']})")
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
