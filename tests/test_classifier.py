"""The classifier's files, thresholds, calibration figures and retraining on officers' labels."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import skops.io as sio
from hypothesis import given
from hypothesis import strategies as st

from classify.calibration import (
    MIN_AUTO,
    choose_thresholds,
    expected_calibration_error,
    reliability_bins,
)
from classify.dataset import load_examples
from classify.model import (
    PROMOTED,
    ModelFileRefused,
    load_model_file,
    load_or_train,
    model_path,
)
from classify.predict import predict_category, predict_many
from classify.retrain import officer_examples, retrain

REPO = Path(__file__).resolve().parents[1]
TRAINING = REPO / "data" / "training"
DEV = REPO / "data" / "dev"


# --- thresholds and calibration: plain functions over (confidence, correct) -----------------

def test_the_lowest_threshold_meeting_the_accuracy_target_is_chosen() -> None:
    # 100 items: everything at 0.9 and above is right, 0.7-0.9 is right 19 times in 20.
    confidences = [0.95] * 60 + [0.8] * 20 + [0.65] * 20
    correct = [True] * 60 + [True] * 19 + [False] + [True] * 10 + [False] * 10
    chosen = choose_thresholds(confidences, correct, auto_target=0.97)
    assert chosen.auto == 0.66  # above the 0.65 band, which would drag accuracy to 0.89
    assert chosen.auto_accuracy == pytest.approx(79 / 80, abs=1e-4)
    assert chosen.auto_share == 0.8
    assert chosen.suggest <= chosen.auto


def test_the_automatic_threshold_never_falls_below_its_floor() -> None:
    # Right even at 0.35, but a calibrated 0.35 is never trusted to stage on its own.
    chosen = choose_thresholds([0.35] * 50 + [0.9] * 30, [True] * 80)
    assert chosen.auto == MIN_AUTO
    assert chosen.suggest == 0.30


def test_no_automatic_staging_when_the_target_cannot_be_met() -> None:
    chosen = choose_thresholds([0.99] * 30 + [0.9] * 30, [False] * 30 + [True] * 30)
    assert chosen.auto == 1.0
    assert chosen.auto_accuracy is None
    assert chosen.basis == "target not met"


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=200))
def test_chosen_thresholds_are_ordered_and_meet_the_target_when_they_stage(pairs) -> None:
    confidences, correct = [p[0] for p in pairs], [p[1] for p in pairs]
    chosen = choose_thresholds(confidences, correct)
    assert 0 <= chosen.suggest <= chosen.auto <= 1
    if chosen.auto_accuracy is not None:
        staged = [ok for c, ok in pairs if c >= chosen.auto]
        assert sum(staged) / len(staged) >= 0.97
        assert chosen.auto >= MIN_AUTO


def test_calibration_error_is_zero_when_confidence_matches_accuracy() -> None:
    confidences = [0.75] * 8
    correct = [True] * 6 + [False] * 2
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.0)
    assert expected_calibration_error([0.95] * 4, [False] * 4) == pytest.approx(0.95)
    bins = reliability_bins([0.05, 0.55, 1.0], [False, True, True])
    assert [(b.lower, b.count) for b in bins] == [(0.0, 1), (0.5, 1), (0.9, 1)]


# --- the trained model and its files ------------------------------------------------------

def test_a_model_is_saved_with_skops_and_metadata_and_loaded_back(model_dir: Path,
                                                                  trained_model) -> None:
    path = model_path(model_dir, trained_model.version)
    assert path.exists() and not list(model_dir.glob("*.joblib"))
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["version"] == trained_model.version
    assert meta["training_hash"] and meta["n_examples"] == len(load_examples(TRAINING))
    assert meta["thresholds"]["auto"] >= MIN_AUTO
    again = load_model_file(path)
    assert again.thresholds == trained_model.thresholds
    text = "Subject: boiler\n\nThird time I have reported the boiler and nobody has come."
    assert predict_category(again, "boiler", text) == predict_category(trained_model, "boiler",
                                                                       text)


class Smuggled:
    """A type no model file has any business holding."""

    def __init__(self) -> None:
        self.payload = "os.system"


def test_a_model_file_holding_an_unknown_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "classifier-v2-evil.skops"
    sio.dump({"category": Smuggled()}, path)
    with pytest.raises(ModelFileRefused, match="allowlist"):
        load_model_file(path)


def test_a_refused_or_foreign_model_file_is_replaced_by_training(tmp_path: Path) -> None:
    training, models = _small_training_dir(tmp_path), tmp_path / "models"
    first = load_or_train(training, models)
    path = model_path(models, first.version)
    sio.dump({"category": Smuggled()}, path)
    again = load_or_train(training, models)  # refused, so retrained and rewritten
    assert again.version == first.version
    assert load_model_file(path).version == first.version
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["sklearn_version"] = "0.0"  # fitted under another scikit-learn
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileRefused, match="scikit-learn"):
        load_model_file(path)
    assert load_or_train(training, models).sklearn_version != "0.0"


def test_batch_prediction_matches_one_at_a_time(trained_model) -> None:
    examples = load_examples(DEV)[:12]
    pairs = [(e.subject, e.body) for e in examples]
    together = predict_many(trained_model, pairs)
    assert together == [predict_category(trained_model, s, b) for s, b in pairs]


# --- learning from officers ---------------------------------------------------------------

def _small_training_dir(tmp_path: Path, per_category: int = 14) -> Path:
    """A real but small slice of the training set, so retraining takes a second."""
    folder = tmp_path / "training"
    folder.mkdir()
    rows: dict[str, list[str]] = {}
    for path in sorted(TRAINING.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            key = row["category"] if row["category"] != "excluded" else (
                f"excluded:{row['excluded_reason']}")
            bucket = rows.setdefault(key, [])
            if len(bucket) < per_category:
                bucket.append(line)
    (folder / "slice.jsonl").write_text("\n".join(line for b in rows.values() for line in b)
                                        + "\n", encoding="utf-8")
    return folder


def _small_dev_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "dev"
    folder.mkdir()
    lines = (DEV / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    (folder / "dev.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _officer_label(item_id: int, category: str, text: str, **extra) -> dict[str, object]:
    return {"item_id": item_id, "source": "email", "subject": "", "text": text,
            "received_at": datetime(2026, 5, 1, 9, tzinfo=UTC), "category": category,
            "excluded_reason": extra.get("excluded_reason"), "hazard": extra.get("hazard"),
            "escalation": False}


def test_officer_labels_become_examples_and_bad_ones_are_skipped() -> None:
    examples, skipped = officer_examples([
        _officer_label(1, "service_request", "Please send someone, the gate latch broke."),
        _officer_label(2, "excluded", "Your pet policy is wrong.",
                       excluded_reason="policy_disagreement"),
        _officer_label(3, "excluded", "No reason given."),
        _officer_label(4, "complaint", "Mould again.", hazard="radioactive"),
    ])
    assert [e.id for e in examples] == ["officer-1", "officer-2"]
    assert examples[1].excluded_reason == "policy_disagreement"
    assert skipped == 2


def test_retraining_promotes_only_a_model_that_does_not_fall_on_the_dev_set(
        tmp_path: Path) -> None:
    training, dev, models = _small_training_dir(tmp_path), _small_dev_dir(tmp_path), (
        tmp_path / "models")
    labels = [_officer_label(i, "service_request", f"Hello, could you send a form for a "
                             f"parking permit for bay {i} please") for i in range(1, 6)]
    scores = iter([0.80, 0.75])  # the current model, then a worse candidate
    worse = retrain(training, dev, models, labels, lambda m: {"macro_f1": next(scores)})
    assert (worse.promoted, worse.officer_labels) == (False, 5)
    assert not (models / PROMOTED).exists()
    assert load_or_train(training, models, dev).version == worse.current.version

    # The current model's figure is kept in its metadata: only the candidate is scored now.
    better = retrain(training, dev, models, labels, lambda m: {"macro_f1": 0.80})
    assert better.promoted and better.current_macro_f1 == 0.80
    loaded = load_or_train(training, models, dev)
    assert loaded.version == better.candidate.version != better.current.version
    assert loaded.n_officer_labels == 5


def test_retraining_with_no_officer_labels_keeps_the_model(tmp_path: Path) -> None:
    training, dev, models = _small_training_dir(tmp_path), _small_dev_dir(tmp_path), (
        tmp_path / "models")
    outcome = retrain(training, dev, models, [], lambda m: {"macro_f1": 0.5})
    assert not outcome.promoted and outcome.candidate is outcome.current


def test_officer_decisions_are_read_back_as_confirmed_labels(database_settings) -> None:
    from ingest.items import RawItem
    from models.db import session_scope
    from models.repository import confirmed_labels, record_raw
    from models.tables import ReviewDecision

    url = database_settings.resolved_database_url
    with session_scope(url) as session:
        ids = []
        for number in range(3):
            item, _ = record_raw(session, database_settings.raw_dir,
                                 RawItem("email", f"Subject: {number}\r\n\r\nbody {number}\r\n"
                                         .encode(), f"file:{number}.eml"))
            item.text = f"body {number}"
            item.received_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
            session.flush()
            ids.append(item.id)
        session.add_all([
            ReviewDecision(item_id=ids[0], officer="amina", action="correct",
                           category="complaint"),
            ReviewDecision(item_id=ids[0], officer="lee", action="correct",
                           category="service_request"),  # the later decision wins
            ReviewDecision(item_id=ids[1], officer="amina", action="confirm_exclusion",
                           category="excluded", excluded_reason="legal_proceedings"),
            ReviewDecision(item_id=ids[2], officer="amina", action="note", category=None),
        ])
    with session_scope(url) as session:
        labels = confirmed_labels(session)
    assert [(lab["item_id"], lab["category"]) for lab in labels] == [
        (ids[0], "service_request"), (ids[1], "excluded")]
    assert labels[1]["excluded_reason"] == "legal_proceedings"


def test_triage_never_trains_a_model_and_setting_up_trains_it_once(tmp_path) -> None:
    """A batch only loads; `ensure_model` (demo, serve, `triage train --base`) trains once."""
    from classify.model import ModelNotTrained
    from core.settings import Settings
    from pipeline import batch
    from pipeline.training import ensure_model

    settings = Settings(data_dir=tmp_path / "var", training_dir=_small_training_dir(tmp_path),
                        dev_dir=_small_dev_dir(tmp_path), _env_file=None)
    with pytest.raises(ModelNotTrained, match="triage train --base"):
        batch.load_model(settings)
    said: list[str] = []
    assert ensure_model(settings, said.append) is True
    assert said[0].startswith("training the model") and said[1].startswith("model trained")
    assert ensure_model(settings, said.append) is False and len(said) == 2
    assert batch.load_model(settings).version.startswith("v")
