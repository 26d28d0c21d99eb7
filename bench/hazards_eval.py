"""Hazard recall, precision and type right: the lexicon alone, the model alone, and the two
combined at each threshold at which the model may add a hazard the lexicon missed.

    .venv/bin/python -m bench.hazards_eval [--set NAME=GLOB ...] [--show-misses NAME]

Sets by default: the development set's tuning part (dev.jsonl, dev-mine*.jsonl), its
held-out part (dev-h5.jsonl), the training set (the model's own text: only the lexicon's
figure means anything there) and, when present, data/outside/*.jsonl. Figures are per item
(see pipeline/hazard_scores.py). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from classify.dataset import split_subject
from classify.hazards import find_hazards, model_add_threshold, model_addition
from classify.model import NO_HAZARD, load_or_train
from classify.text import classifier_text
from pipeline.hazard_scores import HazardTally, gold_hazards, read_rows

REPO = Path(__file__).resolve().parents[1]
# The types the in-house sets could be labelled with: the lexicon's falls, asbestos and
# pests_hygiene are not wrong there merely because no label could name them.
LABELLED_BEFORE = ("damp_mould", "gas", "electrical", "water_leak", "no_heating", "structural",
                   "fire_safety")
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
DEFAULT_SETS = {
    "dev-tuning": ["data/dev/dev.jsonl", "data/dev/dev-mine*.jsonl"],
    "dev-heldout": ["data/dev/dev-h5.jsonl"],
    "training": ["data/training/*.jsonl"],
    "outside": ["data/outside/*.jsonl"],
}


def _paths(globs: list[str]) -> list[Path]:
    return sorted({p for g in globs for p in REPO.glob(g)})


def _model_rows(model, rows) -> list[tuple[str | None, float, bool]]:
    """The hazard model's likeliest hazard and its probability, and whether the category
    model calls the item `other` (whose hazards the decision drops, as triage does)."""
    texts = [classifier_text(*split_subject(str(r["text"]))) for r in rows]
    matrix = model.matrix(texts)
    probabilities = model.hazard.predict_proba(matrix)
    classes = [str(c) for c in model.hazard.classes_]
    categories = [str(c) for c in model.category.predict(matrix)]
    best = []
    for row, category in zip(probabilities, categories, strict=True):
        pairs = [(p, c) for p, c in zip(row, classes, strict=True) if c != NO_HAZARD]
        p, c = max(pairs)
        best.append((c, float(p), category == "other"))
    return best


def score_set(model, rows, show_misses: bool) -> dict[str, object]:
    """Lexicon, model and combined figures over one set's rows."""
    golds = [gold_hazards(r) for r in rows]
    texts = [split_subject(str(r["text"])) for r in rows]
    findings = [find_hazards(subject, body) for subject, body in texts]
    lexicon = [[f.type for f in found] for found in findings]
    model_best = _model_rows(model, rows)
    probabilities = _probabilities(model, texts)
    # What the model would add at any threshold, read on the item's own words (as triage does).
    additions = [model_addition(model, s, b, found, p, 0.0) for (s, b), found, p
                 in zip(texts, findings, probabilities, strict=True)]
    figures: dict[str, object] = {}
    tally, known = HazardTally(), HazardTally()
    for gold, found, (_kind, _p, other) in zip(golds, lexicon, model_best, strict=True):
        tally.add(gold, [] if other else found)
        known.add(gold, [] if other else [k for k in found if k in LABELLED_BEFORE])
    figures["lexicon"] = tally.figures()
    figures["lexicon_labelled_types_only"] = _short(known.figures())
    chosen = model_add_threshold()
    for threshold in sorted({*THRESHOLDS, chosen}):
        alone, combined = HazardTally(), HazardTally()
        for gold, found, (kind, p, other), added in zip(golds, lexicon, model_best, additions,
                                                        strict=True):
            alone.add(gold, [kind] if p >= threshold and not other else [])
            extra = ([added.type] if added and p >= threshold
                     and (added.confidence or 0) >= threshold else [])
            combined.add(gold, [] if other else found + extra)
        figures[f"model>={threshold}"] = _short(alone.figures())
        figures[f"combined>={threshold}"] = (combined.figures() if threshold == chosen
                                             else _short(combined.figures()))
    if show_misses:
        figures["misses"] = [
            {"id": r.get("id"), "gold": g, "found": f, "text": str(r["text"])[:400]}
            for r, g, f, m in zip(rows, golds, lexicon, model_best, strict=True)
            if (not m[2] and bool(g) != bool(f))
            or (not m[2] and g and f and not set(g) & set(f))]
    return figures


def _probabilities(model, texts: list[tuple[str, str]]) -> list[dict[str, float]]:
    matrix = model.matrix([classifier_text(s, b) for s, b in texts])
    classes = [str(c) for c in model.hazard.classes_]
    return [dict(zip(classes, map(float, row), strict=True))
            for row in model.hazard.predict_proba(matrix)]


def _short(figures: dict[str, object]) -> dict[str, object]:
    return {k: figures[k] for k in ("recall", "precision", "type_right", "type_right_first")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=GLOB")
    parser.add_argument("--show-misses", action="append", default=[], metavar="NAME")
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    sets = dict(DEFAULT_SETS)
    for spec in args.set:
        name, _, glob = spec.partition("=")
        sets[name] = [glob]
    model_dir = args.model_dir or Path(tempfile.mkdtemp(prefix="hazards-eval-"))
    model = load_or_train(REPO / "data" / "training", model_dir, REPO / "data" / "dev")
    report = {}
    for name, globs in sets.items():
        paths = _paths(globs)
        if not paths:
            continue
        report[name] = score_set(model, read_rows(paths), name in args.show_misses)
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
