"""Why an item was sorted so: phrases from its own text, weighed by the model's linear parts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from classify.dataset import load_examples
from classify.explain import class_weights, explain
from classify.model import example_text, train
from classify.predict import predict_many
from classify.representation import BOTH, WORDLLAMA, embed, load_embeddings, token_shares
from tests.conftest import REPO, SAMPLES, triage_in_process


def _in_text(phrase: str, text: str) -> bool:
    return phrase.lower() in text.lower()


def test_explanations_are_phrases_of_the_text_weighing_for_the_category(trained_model) -> None:
    examples = load_examples(REPO / "data" / "dev")[::7]
    predictions = predict_many(trained_model, [(e.subject, e.body) for e in examples])
    explained = 0
    for example, prediction in zip(examples, predictions, strict=True):
        text = example_text(example)
        weights = [p.weight for p in prediction.explanation]
        assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
        assert len(prediction.explanation) <= 5
        for phrase in prediction.explanation:
            assert _in_text(phrase.text, text), (example.id, phrase.text)
        explained += bool(prediction.explanation)
    assert explained >= 0.9 * len(examples)


def test_an_explanation_follows_the_words_that_carry_it(trained_model) -> None:
    text = ("Thank you so much to Gemma for sorting my boiler so quickly, she was brilliant "
            "and kept me informed. Thank you again.")
    (prediction,) = predict_many(trained_model, [("Thank you", text)])
    assert prediction.category == "compliment"
    assert any("thank" in p.text.lower() for p in prediction.explanation)


@pytest.fixture(scope="module")
def embedding_model():
    """A small model that reads TF-IDF and the embeddings (a fifth of the training set)."""
    examples = load_examples(REPO / "data" / "training")[::5]
    return train(examples, "test-both", representation=BOTH)


def test_token_shares_add_up_to_the_embedding_part_of_the_score() -> None:
    text = "Water is pouring through the kitchen ceiling light and nobody has come."
    weights = np.random.default_rng(7).normal(size=load_embeddings().embedding.shape[1])
    shares = token_shares(text, weights)
    assert shares and all(text[start:end] for (start, end), _ in shares)
    assert sum(share for _, share in shares) == pytest.approx(float(embed([text])[0] @ weights),
                                                              rel=1e-4)


def test_embedding_model_explains_from_the_text(embedding_model) -> None:
    examples = load_examples(REPO / "data" / "dev")[::25]
    predictions = predict_many(embedding_model, [(e.subject, e.body) for e in examples])
    for example, prediction in zip(examples, predictions, strict=True):
        assert prediction.explanation
        for phrase in prediction.explanation:
            assert _in_text(phrase.text, example_text(example))
    width = embedding_model.matrix(["x"]).shape[1]
    assert class_weights(embedding_model, "complaint").shape == (width,)


def test_embeddings_alone_are_explained_token_by_token() -> None:
    examples = load_examples(REPO / "data" / "training")[::6]
    model = train(examples, "test-embeddings", representation=WORDLLAMA)
    assert model.features is None
    text = "My boiler has broken down and there is no heating or hot water, please send someone"
    (prediction,) = predict_many(model, [("No heating", text)])
    phrases = explain(model, "No heating\n" + text, model.matrix(["No heating\n" + text])[0],
                      prediction.category)
    assert phrases and all(_in_text(p.text, "No heating\n" + text) for p in phrases)


def test_inspect_prints_the_explanation_only_when_asked(command_env: dict[str, str]) -> None:
    sample = str(sorted(SAMPLES.glob("mailbox/*.eml"))[0])
    plain = triage_in_process("inspect", sample, "--json", env=command_env)
    asked = triage_in_process("inspect", sample, "--json", "--explain", env=command_env)
    assert plain.returncode == asked.returncode == 0, plain.stderr + asked.stderr
    (without,), (with_it,) = (json.loads(plain.stdout.strip()),), (json.loads(asked.stdout),)
    assert "explanation" not in without
    assert {k: v for k, v in with_it.items() if k != "explanation"} == without
    raw = Path(sample).read_text(encoding="utf-8", errors="replace")
    body = re.sub(r"\s+", " ", raw)
    assert with_it["explanation"]
    for entry in with_it["explanation"]:
        assert set(entry) == {"phrase", "weight"} and entry["weight"] > 0
        assert re.sub(r"\s+", " ", entry["phrase"]).lower() in body.lower()
    table = triage_in_process("inspect", sample, "--explain", env=command_env)
    squashed = re.sub(r"[\s│]+", "", table.stdout)  # the table wraps long cells
    assert table.returncode == 0
    assert re.sub(r"\s+", "", f'"{with_it["explanation"][0]["phrase"]}"') in squashed


def test_a_model_reading_embeddings_is_saved_without_them_and_loads_the_same(
        embedding_model, tmp_path: Path) -> None:
    from classify.model import load_model_file, model_path, save_model

    path = model_path(tmp_path, embedding_model.version)
    save_model(embedding_model, path)
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["representation"] == BOTH
    assert meta["embeddings"]["package"] == "wordllama" and meta["embeddings"]["dim"] == 256
    # The 32,000 x 256 embedding matrix (32 MB) comes from the package, never the model
    # file: beside a TF-IDF model of the same examples, the file grows by the weights alone.
    tfidf = train(load_examples(REPO / "data" / "training")[::5], "test-tfidf")
    save_model(tfidf, model_path(tmp_path, tfidf.version))
    grown = path.stat().st_size - model_path(tmp_path, tfidf.version).stat().st_size
    assert grown < load_embeddings().embedding.nbytes / 8
    loaded = load_model_file(path)
    items = [(e.subject, e.body) for e in load_examples(REPO / "data" / "dev")[:20]]
    assert ([p.probabilities for p in predict_many(loaded, items)]
            == [p.probabilities for p in predict_many(embedding_model, items)])
    meta["embeddings"]["version"] = "0.0.1"
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    from classify.model import ModelFileRefused

    with pytest.raises(ModelFileRefused, match="wordllama"):
        load_model_file(path)
