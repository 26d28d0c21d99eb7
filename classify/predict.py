"""Predict an item's category, excluded reason, escalation and hazard with the trained model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


def predict_category(model: TrainedModel, subject: str, body: str) -> Prediction:
    """Run every part of the model over the item's text."""
    text = classifier_text(subject, body)
    probabilities = _probabilities(model.category, text)
    category = max(probabilities, key=probabilities.__getitem__)
    reason_probabilities = _probabilities(model.reason, text)
    excluded_reason = (
        max(reason_probabilities, key=reason_probabilities.__getitem__)
        if category == "excluded" else None
    )
    escalation = False
    if category == "complaint":
        escalation_probabilities = _probabilities(model.escalation, text)
        escalation = escalation_probabilities.get("True", 0.0) >= 0.5 or bool(
            _ESCALATION_CUES.search(text)
        )
    hazard_probabilities = _probabilities(model.hazard, text)
    hazard = max(hazard_probabilities, key=hazard_probabilities.__getitem__)
    return Prediction(
        category=category,
        confidence=round(probabilities[category], 4),
        probabilities={k: round(v, 4) for k, v in probabilities.items()},
        excluded_reason=excluded_reason,
        reason_probabilities={k: round(v, 4) for k, v in reason_probabilities.items()},
        escalation=escalation,
        hazard=None if hazard == NO_HAZARD else hazard,
        hazard_confidence=round(hazard_probabilities[hazard], 4),
        model_version=model.version,
    )


def _probabilities(pipeline, text: str) -> dict[str, float]:
    scores = pipeline.predict_proba([text])[0]
    return {str(label): float(score) for label, score in zip(pipeline.classes_, scores,
                                                             strict=True)}
