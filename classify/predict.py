"""Predict an item's category, excluded reason, escalation and hazard with the trained model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from classify.explain import Phrase, explain
from classify.model import NO_HAZARD, TrainedModel
from classify.text import classifier_text

# A reply that names a case and asks to go further is an escalation whatever the model says.
_ESCALATION_CUES = re.compile(
    r"\b(?:stage\s*(?:2|two)|escalat\w+|(?:independent |formal )?review of (?:my|the|this) "
    r"complaint|not (?:happy|satisfied) with (?:your|the) (?:stage 1 |first )?(?:response|reply|"
    r"outcome|answer)|take (?:my|this|the) complaint further|(?:to|at) the next stage|"
    r"(?:looked at|reviewed|considered) (?:again )?by (?:a|someone|somebody) (?:more )?"
    r"(?:senior|higher up|manager))",
    re.I,
)


@dataclass(frozen=True)
class Prediction:
    """The model's view of one item; `confidence` is the calibrated probability of `category`."""

    category: str
    confidence: float
    probabilities: dict[str, float]
    excluded_reason: str | None
    reason_probabilities: dict[str, float] = field(default_factory=dict)
    escalation: bool = False
    hazard: str | None = None
    hazard_confidence: float = 0.0
    model_version: str = ""
    # The phrases that weighed most for `category` (classify/explain.py).
    explanation: tuple[Phrase, ...] = ()


def predict_category(model: TrainedModel, subject: str, body: str) -> Prediction:
    """Run every part of the model over one item's text."""
    return predict_many(model, [(subject, body)])[0]


def predict_many(model: TrainedModel, items: list[tuple[str, str]]) -> list[Prediction]:
    """Every part of the model over many (subject, body) pairs at once.

    One vectorisation per part for the whole batch costs far less than one per item.
    """
    if not items:
        return []
    texts = [classifier_text(subject, body) for subject, body in items]
    matrix = model.matrix(texts)
    categories = _probability_rows(model.category, matrix)
    reasons = _probability_rows(model.reason, matrix)
    hazards = _probability_rows(model.hazard, matrix)
    complaint_rows = [i for i, row in enumerate(categories) if _best(row) == "complaint"]
    escalations = dict(zip(complaint_rows, _probability_rows(
        model.escalation, matrix[complaint_rows]), strict=True))
    predictions = []
    for index, text in enumerate(texts):
        probabilities = categories[index]
        category = _best(probabilities)
        reason_probabilities = reasons[index]
        escalation = False
        if index in escalations:
            escalation = escalations[index].get("True", 0.0) >= 0.5 or bool(
                _ESCALATION_CUES.search(text))
        hazard = _best(hazards[index])
        predictions.append(Prediction(
            category=category,
            confidence=round(probabilities[category], 4),
            probabilities={k: round(v, 4) for k, v in probabilities.items()},
            excluded_reason=_best(reason_probabilities) if category == "excluded" else None,
            reason_probabilities={k: round(v, 4) for k, v in reason_probabilities.items()},
            escalation=escalation,
            hazard=None if hazard == NO_HAZARD else hazard,
            hazard_confidence=round(hazards[index][hazard], 4),
            model_version=model.version,
            explanation=tuple(explain(model, text, matrix[index], category)),
        ))
    return predictions


def _best(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=probabilities.__getitem__)


def _probability_rows(classifier, matrix) -> list[dict[str, float]]:
    if matrix.shape[0] == 0:
        return []
    labels = [str(label) for label in classifier.classes_]
    return [{label: float(score) for label, score in zip(labels, row, strict=True)}
            for row in classifier.predict_proba(matrix)]
