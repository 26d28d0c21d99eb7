"""Which text representation the category model should read, judged on writing it never saw.

For each candidate (TF-IDF alone, wordllama's shipped embeddings alone, both side by side):

- **outside voices**: the category model trained on `data/training/` scores `data/outside/`,
  its thresholds chosen writer-fold by writer-fold on the other writers' items;
- **writer-grouped CV**: training, development and outside examples together, five folds by
  writer, the model refitted per fold;
- **in-house dev** for reference only (it flatters every candidate alike; never the choice);
- seconds to fit on the training set, and items per second to predict.

Prints a table; asserts nothing. `.venv/bin/python -m bench.representations [--only tfidf]`
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from classify.crossval import cross_validate
from classify.dataset import load_examples, writer_of
from classify.model import (
    category_label,
    example_text,
    fit_category,
    fit_features,
    labelled_examples,
)
from classify.representation import REPRESENTATIONS, build_matrix
from pipeline.generalisation import held_out_figures

REPO = Path(__file__).resolve().parents[1]
SHOWN = ("examples", "writers", "macro_f1", "accuracy", "auto_share", "auto_accuracy",
         "review_rate_low_confidence")


def _scored(representation: str, training, held_out) -> tuple[dict[str, object], float, float]:
    """Fit on `training`, score `held_out`: figures, seconds to fit, items per second."""
    started = time.perf_counter()
    texts = [example_text(e) for e in training]
    features = fit_features(texts, representation)
    model = fit_category(build_matrix(features, representation, texts),
                         [category_label(e) for e in training])
    fitted = time.perf_counter() - started
    started = time.perf_counter()
    rows = model.predict_proba(build_matrix(features, representation,
                                            [example_text(e) for e in held_out]))
    rate = len(held_out) / (time.perf_counter() - started)
    classes = [str(c) for c in model.classes_]
    figures = held_out_figures([category_label(e) for e in held_out],
                               [classes[int(r.argmax())] for r in rows],
                               [float(r.max()) for r in rows], [writer_of(e) for e in held_out])
    return {"examples": len(held_out), **figures}, fitted, rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=REPRESENTATIONS, action="append")
    args = parser.parse_args()
    training = load_examples(REPO / "data" / "training")
    dev = labelled_examples(REPO / "data" / "dev")
    outside = labelled_examples(REPO / "data" / "outside")
    print(f"training {len(training)}, in-house dev {len(dev)}, outside voices {len(outside)} "
          f"({len({writer_of(e) for e in outside})} writers)")
    for representation in args.only or REPRESENTATIONS:
        columns = {}
        in_house, fitted, rate = _scored(representation, training, dev)
        columns["in-house dev"] = in_house
        if outside:
            columns["outside voices"] = _scored(representation, training, outside)[0]
        started = time.perf_counter()
        folds = cross_validate(training + dev + outside, representation)
        columns["writer-grouped CV"] = {"examples": len(folds.gold), **held_out_figures(
            folds.gold, folds.predicted, folds.confidence, folds.groups)}
        print(f"\n== {representation}: fit {fitted:.1f} s on the training set, predicts "
              f"{rate:.0f} items/s; cross-validation {time.perf_counter() - started:.0f} s")
        print(f"{'figure':28}" + "".join(f"{name:>20}" for name in columns))
        for figure in SHOWN:
            print(f"{figure:28}" + "".join(f"{column.get(figure)!s:>20}"
                                           for column in columns.values()))
        for label in ("complaint", "service_request", "excluded", "compliment", "other"):
            print(f"{'F1 ' + label:28}" + "".join(
                f"{column['per_class'][label]['f1']!s:>20}" for column in columns.values()))


if __name__ == "__main__":
    main()
