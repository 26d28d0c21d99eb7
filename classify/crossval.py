"""Writer-grouped cross-validation of the category model over every labelled example.

Each fold holds out whole writers: no writer's text is both trained on and scored, so the
figures say how the model reads a hand it has never seen. The TF-IDF vocabularies are fitted on
the training folds alone; the embeddings are pretrained and fitted on nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from classify.calibration import group_folds
from classify.dataset import Example, writer_of
from classify.model import category_label, example_text, fit_category, fit_features
from classify.representation import build_matrix, embed, uses_embeddings

N_SPLITS = 5


@dataclass(frozen=True)
class OutOfFold:
    """Each example's category as a model trained without its writer predicted it."""

    gold: list[str]
    predicted: list[str]
    confidence: list[float]
    groups: list[str]
    fold: list[int]


def cross_validate(examples: list[Example], representation: str,
                   n_splits: int = N_SPLITS) -> OutOfFold:
    """Out-of-fold category predictions, folds by writer (`writer_of`)."""
    texts = [example_text(e) for e in examples]
    gold = [category_label(e) for e in examples]
    groups = [writer_of(e) for e in examples]
    embedded = embed(texts) if uses_embeddings(representation) else None
    predicted = [""] * len(examples)
    confidence = [0.0] * len(examples)
    fold_of = [0] * len(examples)
    for number, test in enumerate(group_folds(groups, n_splits)):
        held = set(test)
        train = [i for i in range(len(examples)) if i not in held]
        features = fit_features([texts[i] for i in train], representation)
        matrix = build_matrix(features, representation, texts, embedded)
        model = fit_category(matrix[train], [gold[i] for i in train])
        classes = [str(c) for c in model.classes_]
        for index, row in zip(test, model.predict_proba(matrix[test]), strict=True):
            best = int(row.argmax())
            predicted[index], confidence[index] = classes[best], float(row[best])
            fold_of[index] = number
    return OutOfFold(gold=gold, predicted=predicted, confidence=confidence, groups=groups,
                     fold=fold_of)
