"""Development-set figures: the numbers officers' trust rests on, measured, never assumed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sklearn.metrics import f1_score, precision_recall_fscore_support

from classify.dataset import CATEGORIES, Example, load_examples
from classify.model import TrainedModel
from ingest.items import IntakeItem
from workflow.policy import load_policy
from workflow.rules import Thresholds

FIELD_NAMES = ("name", "representative", "address", "postcode", "staff", "desired_outcome",
               "contact_method", "phone", "email", "incident_date")


def _as_item(example: Example) -> IntakeItem:
    return IntakeItem(
        source="letter" if example.source == "letter" else "email",
        text=example.body,
        subject=example.subject,
        received_at=datetime.combine(example.received_at, time(10), tzinfo=UTC),
    )


def _normalise(field: str, value: object) -> object:
    if value is None or value == "" or value == []:
        return None
    if field == "staff":
        return frozenset(_normalise("name", v) for v in value)  # type: ignore[union-attr]
    if field == "phone":
        return re.sub(r"\D", "", str(value)).removeprefix("44").lstrip("0")
    return re.sub(r"[\s,.]+", " ", str(value)).strip().lower()


def evaluate_dev_set(model: TrainedModel, dev_dir: Path, thresholds: Thresholds,
                     policy_name: str) -> dict[str, object]:
    """Run the whole triage path over every development example and score it."""
    from triage.pipeline import triage_item

    policy = load_policy(policy_name)
    examples = load_examples(dev_dir)
    gold, predicted, reviewed = [], [], []
    reason_hits = reason_total = escalation_hits = hazard_hits = 0
    field_hits: Counter[str] = Counter()
    field_total = 0
    for example in examples:
        result = triage_item(_as_item(example), model=model, policy=policy,
                             thresholds=thresholds)
        decision = result.decision
        gold.append(example.category)
        predicted.append(decision.category)
        reviewed.append(decision.needs_review)
        if example.category == "excluded" and decision.category == "excluded":
            reason_total += 1
            reason_hits += decision.excluded_reason == example.excluded_reason
        escalation_hits += decision.escalation == example.escalation
        hazard_hits += decision.hazard == example.hazard
        if example.fields is not None:
            field_total += 1
            found = result.extraction.as_contract()
            for name in FIELD_NAMES:
                field_hits[name] += (_normalise(name, found[name])
                                     == _normalise(name, example.fields.get(name)))
    total = len(examples)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=list(CATEGORIES), zero_division=0
    )
    auto = [(g, p) for g, p, r in zip(gold, predicted, reviewed, strict=True) if not r]
    return {
        "examples": total,
        "model_version": model.version,
        "policy": policy.id,
        "thresholds": {"auto": thresholds.auto, "suggest": thresholds.suggest},
        "macro_f1": round(float(f1_score(gold, predicted, labels=list(CATEGORIES),
                                         average="macro", zero_division=0)), 4),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / total, 4),
        "auto_accuracy": round(sum(g == p for g, p in auto) / len(auto), 4) if auto else None,
        "review_rate": round(sum(reviewed) / total, 4),
        "complaints_missed_as_service_requests": sum(
            g == "complaint" and p == "service_request" for g, p in zip(gold, predicted,
                                                                         strict=True)),
        "excluded_reason_accuracy": round(reason_hits / reason_total, 4) if reason_total else None,
        "escalation_accuracy": round(escalation_hits / total, 4),
        "hazard_accuracy": round(hazard_hits / total, 4),
        "per_class": {
            label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                    "f1": round(float(f), 4), "support": int(s)}
            for label, p, r, f, s in zip(CATEGORIES, precision, recall, f1, support,
                                         strict=True)
        },
        "fields": {name: round(field_hits[name] / field_total, 4) if field_total else None
                   for name in FIELD_NAMES},
    }


def print_evaluation(report: dict[str, object], console: Console) -> None:
    console.print(f"Development set: {report['examples']} examples, model "
                  f"{report['model_version']}, policy {report['policy']}")
    console.print(f"macro F1 {report['macro_f1']}, accuracy {report['accuracy']}, "
                  f"auto-staged accuracy {report['auto_accuracy']}, "
                  f"review rate {report['review_rate']}")
    table = Table("category", "precision", "recall", "F1", "support")
    for label, row in report["per_class"].items():  # type: ignore[union-attr]
        table.add_row(label, str(row["precision"]), str(row["recall"]), str(row["f1"]),
                      str(row["support"]))
    console.print(table)
    fields = Table("field", "exact match")
    for name, score in report["fields"].items():  # type: ignore[union-attr]
        fields.add_row(name, "—" if score is None else f"{score:.2f}")
    console.print(fields)
