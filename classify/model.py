"""The scikit-learn classifier: trained on `data/training`, cached under the data dir."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import joblib
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classify.dataset import Example, fingerprint, load_examples
from classify.text import classifier_text

# Bump when the features or the saved layout change: older files are then retrained.
FORMAT_VERSION = 1
NO_HAZARD = "none"


@dataclass
class TrainedModel:
    """Every fitted part, with the version that ties a prediction to its training data."""

    version: str
    sklearn_version: str
    trained_at: str
    n_examples: int
    category: Pipeline
    reason: Pipeline
    escalation: Pipeline
    hazard: Pipeline


def _features() -> FeatureUnion:
    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                  lowercase=True, strip_accents="unicode")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                  min_df=2, lowercase=True, max_features=150_000)),
    ])


def _calibrated_pipeline(cv: int) -> Pipeline:
    """A linear SVM whose scores are calibrated into probabilities by cross-validation."""
    svm = LinearSVC(C=0.5, class_weight="balanced")
    return Pipeline([
        ("features", _features()),
        ("classifier", CalibratedClassifierCV(svm, method="sigmoid", cv=cv)),
    ])


def _logistic_pipeline() -> Pipeline:
    return Pipeline([
        ("features", _features()),
        ("classifier", LogisticRegression(C=10, max_iter=3000, class_weight="balanced")),
    ])


def category_label(example: Example) -> str:
    """Out-of-time is judged from dates by a policy rule, so the text model sees a complaint."""
    if example.excluded_reason == "out_of_time":
        return "complaint"
    return example.category


def example_text(example: Example) -> str:
    return classifier_text(example.subject, example.body)


def train(examples: list[Example], version: str) -> TrainedModel:
    """Fit the category, excluded-reason, escalation and hazard models."""
    texts = [example_text(e) for e in examples]
    category = _calibrated_pipeline(cv=5).fit(texts, [category_label(e) for e in examples])
    excluded = [e for e in examples if e.category == "excluded" and e.excluded_reason
                and e.excluded_reason != "out_of_time"]
    reason = _logistic_pipeline().fit(
        [example_text(e) for e in excluded], [e.excluded_reason for e in excluded]
    )
    complaints = [e for e in examples if category_label(e) == "complaint"]
    escalation = _logistic_pipeline().fit(
        [example_text(e) for e in complaints], [e.escalation for e in complaints]
    )
    hazard = _logistic_pipeline().fit(texts, [e.hazard or NO_HAZARD for e in examples])
    return TrainedModel(
        version=version,
        sklearn_version=sklearn.__version__,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_examples=len(examples),
        category=category,
        reason=reason,
        escalation=escalation,
        hazard=hazard,
    )


def model_version(training_dir: Path) -> str:
    return f"v{FORMAT_VERSION}-{fingerprint(training_dir)[:12]}"


def load_or_train(training_dir: Path, model_dir: Path) -> TrainedModel:
    """The cached model for this training data, or a freshly trained (and cached) one."""
    version = model_version(training_dir)
    path = model_dir / f"classifier-{version}.joblib"
    if path.exists():
        model = joblib.load(path)
        # A model pickled under another scikit-learn may predict wrongly: retrain instead.
        if isinstance(model, TrainedModel) and model.sklearn_version == sklearn.__version__:
            return model
    model = train(load_examples(training_dir), version)
    save_model(model, path)
    return model


def save_model(model: TrainedModel, path: Path) -> None:
    """Write through a temporary file then rename, so a crash never leaves half a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        joblib.dump(model, temp_name)
        os.replace(temp_name, path)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
