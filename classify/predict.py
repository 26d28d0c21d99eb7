"""Predict an item's category, excluded reason, escalation and hazards: the trained model, and
for hazards and vulnerability the lexicons too (classify/hazards.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from classify.explain import Phrase, explain
from classify.hazards import (
    HazardFinding,
    VulnerabilityCue,
    combine,
    find_all,
    model_add_threshold,
    model_addition,
)
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
    # Every hazard found, most urgent first (`hazard` is the first one's type), and the
    # household's vulnerability cues, each with the words that raised it.
    hazards: tuple[HazardFinding, ...] = ()
    vulnerability: tuple[VulnerabilityCue, ...] = ()
    # The hazard model alone: its likeliest hazard (never "none") and that one's probability.
    model_hazard: str | None = None
    model_hazard_confidence: float = 0.0
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
        subject, body = items[index]
        lexicon_hazards, cues = find_all(subject, body)
        found = _hazards(model, subject, body, lexicon_hazards, hazards[index])
        predictions.append(Prediction(
            category=category,
            confidence=round(probabilities[category], 4),
            probabilities={k: round(v, 4) for k, v in probabilities.items()},
            excluded_reason=_best(reason_probabilities) if category == "excluded" else None,
            reason_probabilities={k: round(v, 4) for k, v in reason_probabilities.items()},
            escalation=escalation,
            hazard=found[0].type if found else None,
            hazard_confidence=_hazard_confidence(found, hazards[index]),
            model_version=model.version,
            hazards=tuple(found),
            vulnerability=tuple(cues),
            model_hazard=_likeliest_hazard(hazards[index]),
            model_hazard_confidence=round(
                hazards[index].get(_likeliest_hazard(hazards[index]) or "", 0.0), 4),
            explanation=tuple(explain(model, text, matrix[index], category)),
        ))
    return predictions


def _likeliest_hazard(probabilities: dict[str, float]) -> str | None:
    kinds = {k: v for k, v in probabilities.items() if k != NO_HAZARD}
    return max(kinds, key=kinds.__getitem__) if kinds else None


def _hazards(model: TrainedModel, subject: str, body: str, found: list[HazardFinding],
             probabilities: dict[str, float]) -> list[HazardFinding]:
    """The lexicon's hazards, with the model's added when it is confident of one more."""
    return combine(found, model_addition(model, subject, body, found, probabilities,
                                         model_add_threshold()))


def _hazard_confidence(found: list[HazardFinding], probabilities: dict[str, float]) -> float:
    """The model's probability of the first hazard (1.0 for the lexicon's own words when the
    model does not know the type), or of "none" when nothing was found."""
    if not found:
        return round(probabilities.get(NO_HAZARD, 1.0), 4)
    return round(probabilities.get(found[0].type, 1.0 if found[0].found_by == "lexicon"
                                   else 0.0), 4)


def _best(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=probabilities.__getitem__)


def _probability_rows(classifier, matrix) -> list[dict[str, float]]:
    if matrix.shape[0] == 0:
        return []
    labels = [str(label) for label in classifier.classes_]
    return [{label: float(score) for label, score in zip(labels, row, strict=True)}
            for row in classifier.predict_proba(matrix)]
