"""The scikit-learn classifier: trained on `data/training`, saved with skops under the data dir.

A model file is never unpickled: skops rebuilds only the types it knows, and the few that it
does not trust by default are allowed by name here. Beside each `.skops` file a JSON file
holds its metadata (version, training-data hash, chosen thresholds, development figures) and
the TF-IDF vocabularies as plain term lists: skops writes a dict entry by entry, which for
100,000 terms takes a minute, where a list in JSON takes milliseconds and is data, not code.

One feature union (word and character TF-IDF) is fitted on all the training text and shared
by the four classifiers, so an item is vectorised once.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classify.calibration import FALLBACK_AUTO, FALLBACK_SUGGEST, choose_thresholds
from classify.dataset import Example, fingerprint, load_examples
from classify.representation import (
    EMBEDDING_CONFIG,
    EMBEDDING_DIM,
    EMBEDDING_WEIGHT,
    REPRESENTATIONS,
    TFIDF,
    build_matrix,
    embeddings_version,
    uses_embeddings,
    uses_tfidf,
)
from classify.text import classifier_text
from core.files import private_dir

if TYPE_CHECKING:  # scikit-learn and skops take seconds to import: only where a model is used
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

log = logging.getLogger("classify.model")

# Bump when the features or the saved layout change: older files are then retrained.
FORMAT_VERSION = 5
# What the classifiers read (classify/representation.py), chosen by the outside-voices and
# writer-grouped figures (`python -m bench.representations`), never the in-house dev set.
DEFAULT_REPRESENTATION = TFIDF
NO_HAZARD = "none"
PARTS = ("features", "category", "reason", "escalation", "hazard")
# Types a model file may hold beyond skops' defaults. Anything else and the file is refused.
ALLOWED_TYPES = frozenset({
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
})
PROMOTED = "promoted.json"


class ModelFileRefused(ValueError):
    """A model file holds types outside the allowlist, or does not match its metadata."""


@dataclass
class TrainedModel:
    """Every fitted part, with the metadata that ties a prediction to its training data."""

    version: str
    sklearn_version: str
    trained_at: str
    n_examples: int
    features: FeatureUnion | None
    category: Any
    reason: Any
    escalation: Any
    hazard: Any
    training_hash: str = ""
    n_officer_labels: int = 0
    thresholds: dict[str, Any] = field(default_factory=dict)
    dev_figures: dict[str, Any] = field(default_factory=dict)
    representation: str = TFIDF

    def matrix(self, texts: list[str]):
        """The rows every part of the model reads, for these classifier texts."""
        return build_matrix(self.features, self.representation, texts)

    @property
    def auto_threshold(self) -> float:
        return float(self.thresholds.get("auto", FALLBACK_AUTO))

    @property
    def suggest_threshold(self) -> float:
        return float(self.thresholds.get("suggest", FALLBACK_SUGGEST))

    def metadata(self) -> dict[str, Any]:
        import skops

        return {
            "format_version": FORMAT_VERSION,
            "version": self.version,
            "sklearn_version": self.sklearn_version,
            "skops_version": skops.__version__,
            "trained_at": self.trained_at,
            "n_examples": self.n_examples,
            "n_officer_labels": self.n_officer_labels,
            "training_hash": self.training_hash,
            "thresholds": self.thresholds,
            "dev_figures": self.dev_figures,
            "representation": self.representation,
            # Read from the installed package, never from the model file.
            "embeddings": ({"package": "wordllama", "version": embeddings_version(),
                            "config": EMBEDDING_CONFIG, "dim": EMBEDDING_DIM,
                            "weight": EMBEDDING_WEIGHT}
                           if uses_embeddings(self.representation) else None),
        }


def _features() -> FeatureUnion:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                  lowercase=True, strip_accents="unicode")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                  min_df=2, lowercase=True, max_features=150_000)),
    ])


def _calibrated_svm(cv: int) -> CalibratedClassifierCV:
    """A linear SVM whose scores are calibrated into probabilities by cross-validation."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    return CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"), method="sigmoid",
                                  cv=cv)


def _fit_calibrated(matrix, labels: list[Any], cv: int) -> CalibratedClassifierCV:
    """Fit a calibrated SVM, with no more folds than the rarest label allows.

    A label seen once cannot be calibrated by cross-validation; it is left out (and logged)
    rather than failing the whole training run.
    """
    counts = Counter(labels)
    rare = {label for label, count in counts.items() if count < 2}
    rows = list(range(len(labels)))
    if rare:
        log.warning("labels seen only once are left out of training: %s", sorted(rare))
        rows = [i for i in rows if labels[i] not in rare]
    kept = [labels[i] for i in rows]
    folds = max(2, min(cv, *Counter(kept).values()))
    return _calibrated_svm(folds).fit(matrix[rows], kept)


def _logistic(matrix, labels: list[Any]) -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(matrix, labels)


def category_label(example: Example) -> str:
    """Out-of-time is judged from dates by a policy rule, so the text model sees a complaint."""
    if example.excluded_reason == "out_of_time":
        return "complaint"
    return example.category


def example_text(example: Example) -> str:
    return classifier_text(example.subject, example.body)


def fit_features(texts: list[str], representation: str) -> FeatureUnion | None:
    """The TF-IDF vocabularies, when the representation reads them (embeddings need no fit)."""
    if representation not in REPRESENTATIONS:
        raise ValueError(f"unknown representation {representation!r}")
    return _features().fit(texts) if uses_tfidf(representation) else None


def fit_category(matrix, labels: list[str]) -> CalibratedClassifierCV:
    """The category model: a calibrated linear SVM."""
    return _fit_calibrated(matrix, labels, cv=5)


def train(examples: list[Example], version: str, *, training_hash: str = "",
          n_officer_labels: int = 0, representation: str = DEFAULT_REPRESENTATION
          ) -> TrainedModel:
    """Fit the shared features, then the category, excluded-reason, escalation and hazard models."""
    import sklearn

    texts = [example_text(e) for e in examples]
    features = fit_features(texts, representation)
    matrix = build_matrix(features, representation, texts)
    category = fit_category(matrix, [category_label(e) for e in examples])
    excluded = [i for i, e in enumerate(examples) if e.category == "excluded"
                and e.excluded_reason and e.excluded_reason != "out_of_time"]
    reason = _logistic(matrix[excluded], [examples[i].excluded_reason for i in excluded])
    complaints = [i for i, e in enumerate(examples) if category_label(e) == "complaint"]
    escalation = _logistic(matrix[complaints], [examples[i].escalation for i in complaints])
    # As accurate as a logistic regression on the development set, at a third of the time.
    hazard = _fit_calibrated(matrix, [e.hazard or NO_HAZARD for e in examples], cv=3)
    return TrainedModel(
        version=version,
        sklearn_version=sklearn.__version__,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_examples=len(examples),
        features=features,
        category=category,
        reason=reason,
        escalation=escalation,
        hazard=hazard,
        training_hash=training_hash,
        n_officer_labels=n_officer_labels,
        representation=representation,
    )


def choose_model_thresholds(model: TrainedModel, dev_examples: list[Example],
                            chosen_on: str = "development set") -> None:
    """Set the two thresholds from the category model's accuracy on held-out examples.

    Proposed exclusions always go to an officer, so they play no part in the choice.
    """
    if not dev_examples:
        model.thresholds = {"auto": FALLBACK_AUTO, "suggest": FALLBACK_SUGGEST,
                            "basis": "no development set: defaults"}
        return
    from sklearn.metrics import f1_score

    texts = [example_text(e) for e in dev_examples]
    probabilities = model.category.predict_proba(model.matrix(texts))
    classes = [str(c) for c in model.category.classes_]
    confidences, correct = [], []
    for example, row in zip(dev_examples, probabilities, strict=True):
        best = int(row.argmax())
        if classes[best] == "excluded":
            continue
        confidences.append(float(row[best]))
        correct.append(classes[best] == category_label(example))
    chosen = choose_thresholds(confidences, correct)
    model.thresholds = {"auto": chosen.auto, "suggest": chosen.suggest, "basis": chosen.basis,
                        "dev_auto_accuracy": chosen.auto_accuracy,
                        "dev_auto_share": chosen.auto_share, "dev_items": len(dev_examples),
                        "chosen_on": chosen_on}
    gold = [category_label(e) for e in dev_examples]
    predicted = [classes[int(row.argmax())] for row in probabilities]
    model.dev_figures = {
        "scored": "category model alone, when trained",
        "examples": len(dev_examples),
        "category_macro_f1": round(float(f1_score(gold, predicted, average="macro")), 4),
        "category_accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True))
                                   / len(gold), 4),
    }


def model_version(training_dir: Path, extra: str = "") -> str:
    digest = fingerprint(training_dir)
    if extra:
        import hashlib

        digest = hashlib.sha256((digest + extra).encode()).hexdigest()
    return f"v{FORMAT_VERSION}-{digest[:12]}"


def model_path(model_dir: Path, version: str) -> Path:
    return model_dir / f"classifier-{version}.skops"


class ModelNotTrained(RuntimeError):
    """No usable model for today's training files: triage never trains, so say how to."""


def load_trained(training_dir: Path, model_dir: Path) -> TrainedModel:
    """The promoted model for this training data, else the saved base one; never trains."""
    training_hash = fingerprint(training_dir)
    promoted = _promoted_version(model_dir, training_hash)
    if promoted:
        try:
            return load_model_file(model_path(model_dir, promoted))
        except (OSError, ModelFileRefused, ValueError) as exc:
            log.warning("promoted model %s not usable (%s): using the base model", promoted, exc)
    version = model_version(training_dir)
    path = model_path(model_dir, version)
    if not path.exists():
        raise ModelNotTrained(f"no model trained on the training files in {training_dir} "
                              f"is saved in {model_dir}: run `triage train --base` once")
    try:
        return load_model_file(path)
    except (OSError, ModelFileRefused, ValueError) as exc:
        raise ModelNotTrained(f"the saved model {version} is not usable ({exc}): run "
                              "`triage train --base` once") from exc


def train_base(training_dir: Path, model_dir: Path, dev_dir: Path | None = None,
               outside_dir: Path | None = None) -> TrainedModel:
    """Train on the training files, choose thresholds on the outside-voices set (the
    development set when there is none), and save."""
    version = model_version(training_dir)
    model = train(load_examples(training_dir), version,
                  training_hash=fingerprint(training_dir))
    choose_model_thresholds(model, *threshold_examples(dev_dir, outside_dir))
    save_model(model, model_path(model_dir, version))
    return model


def load_or_train(training_dir: Path, model_dir: Path, dev_dir: Path | None = None,
                  outside_dir: Path | None = None) -> TrainedModel:
    """The saved model for this training data, trained first if there is none (setting up,
    retraining and benchmarks; triage itself only loads, `load_trained`)."""
    try:
        return load_trained(training_dir, model_dir)
    except ModelNotTrained as missing:
        log.info("%s: training it now", missing)
    return train_base(training_dir, model_dir, dev_dir, outside_dir)


def labelled_examples(folder: Path | None) -> list[Example]:
    """The examples in `folder`, or none when it is missing or empty."""
    if folder is None or not folder.is_dir() or not any(folder.glob("*.jsonl")):
        return []
    return load_examples(folder)


def threshold_examples(dev_dir: Path | None, outside_dir: Path | None
                       ) -> tuple[list[Example], str]:
    """Where the thresholds are chosen: the outside-voices set, written unlike the training
    set, when there is one (the in-house development set flatters the model), else the
    development set."""
    outside = labelled_examples(outside_dir)
    if outside:
        return outside, "outside voices"
    return labelled_examples(dev_dir), "development set"


def _promoted_version(model_dir: Path, training_hash: str) -> str | None:
    """The version `triage train` promoted, if it was trained on today's training files."""
    try:
        pointer = json.loads((model_dir / PROMOTED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if pointer.get("training_hash") != training_hash:
        return None
    return str(pointer.get("version") or "") or None


def promote(model: TrainedModel, model_dir: Path) -> None:
    """Make `model` the one every process loads (written atomically)."""
    _atomic_write(model_dir / PROMOTED, json.dumps(
        {"version": model.version, "training_hash": model.training_hash,
         "promoted_at": datetime.now(UTC).isoformat(timespec="seconds")}, indent=2).encode())


def load_model_file(path: Path) -> TrainedModel:
    """Rebuild a model from its skops file, refusing any type outside the allowlist."""
    import sklearn
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=path))
    refused = untrusted - ALLOWED_TYPES
    if refused:
        raise ModelFileRefused(f"{path.name} holds types outside the allowlist: {sorted(refused)}")
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileRefused(f"{path.name}: format {meta.get('format_version')}, "
                               f"expected {FORMAT_VERSION}")
    representation = meta.get("representation", TFIDF)
    if representation not in REPRESENTATIONS:
        raise ModelFileRefused(f"{path.name}: unknown representation {representation!r}")
    embeddings = meta.get("embeddings") or {}
    if uses_embeddings(representation) and embeddings.get("version") != embeddings_version():
        # Other embeddings give other rows: the classifier fitted on them would be wrong.
        raise ModelFileRefused(f"{path.name}: trained on wordllama {embeddings.get('version')}"
                               f", installed {embeddings_version()}")
    if meta.get("sklearn_version") != sklearn.__version__:
        # A model fitted under another scikit-learn may predict wrongly: retrain instead.
        raise ModelFileRefused(f"{path.name}: trained with scikit-learn "
                               f"{meta.get('sklearn_version')}, running {sklearn.__version__}")
    parts = sio.load(path, trusted=sorted(untrusted))
    if not isinstance(parts, dict) or set(parts) != set(PARTS):
        raise ModelFileRefused(f"{path.name} does not hold the parts {PARTS}")
    _attach_vocabularies(parts["features"], meta.get("vocabularies") or {}, path)
    return TrainedModel(
        version=meta["version"], sklearn_version=meta["sklearn_version"],
        trained_at=meta["trained_at"], n_examples=int(meta["n_examples"]),
        training_hash=meta.get("training_hash", ""),
        n_officer_labels=int(meta.get("n_officer_labels", 0)),
        thresholds=dict(meta.get("thresholds") or {}),
        dev_figures=dict(meta.get("dev_figures") or {}),
        representation=representation,
        **{name: parts[name] for name in PARTS},
    )


def save_model(model: TrainedModel, path: Path) -> None:
    """The skops file and its metadata, each written through a temporary file then renamed.

    The metadata goes last: a crash in between leaves a model file nothing points at yet.
    """
    import skops.io as sio

    private_dir(path.parent)  # the vocabulary holds words of residents' letters
    handle, temp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    vocabularies = _detach_vocabularies(model.features)
    try:
        sio.dump({name: getattr(model, name) for name in PARTS}, temp_name)
        os.replace(temp_name, path)
    finally:
        _attach_vocabularies(model.features, vocabularies, path)
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    write_metadata(model, path)


def _vectorizers(features: FeatureUnion | None) -> list[tuple[str, TfidfVectorizer]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if features is None:
        return []
    return [(name, step) for name, step in features.transformer_list
            if isinstance(step, TfidfVectorizer)]


def _detach_vocabularies(features: FeatureUnion) -> dict[str, list[str]]:
    """Each vectoriser's terms in column order, its vocabulary emptied for the skops file."""
    vocabularies = _vocabularies(features)
    for _name, vectorizer in _vectorizers(features):
        vectorizer.vocabulary_ = {}
    return vocabularies


def _vocabularies(features: FeatureUnion) -> dict[str, list[str]]:
    """Each vectoriser's terms in column order: the form kept in the metadata file."""
    vocabularies = {}
    for name, vectorizer in _vectorizers(features):
        terms = [""] * len(vectorizer.vocabulary_)
        for term, column in vectorizer.vocabulary_.items():
            terms[column] = term
        vocabularies[name] = terms
    return vocabularies


def _attach_vocabularies(features: FeatureUnion, vocabularies: dict[str, list[str]],
                         path: Path) -> None:
    for name, vectorizer in _vectorizers(features):
        terms = vocabularies.get(name)
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ModelFileRefused(f"{path.name}: no vocabulary for {name!r} in its metadata")
        vectorizer.vocabulary_ = {term: column for column, term in enumerate(terms)}


def write_metadata(model: TrainedModel, path: Path) -> None:
    metadata = {**model.metadata(), "vocabularies": _vocabularies(model.features)}
    _atomic_write(path.with_suffix(".json"),
                  json.dumps(metadata, indent=1, sort_keys=True, ensure_ascii=False).encode())


def _atomic_write(path: Path, data: bytes) -> None:
    private_dir(path.parent)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp_name, path)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
