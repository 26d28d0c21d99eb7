"""Emails per second through extraction and classification, against bare spaCy NER; memory.

Prints figures; asserts nothing. Both paths run in this one process over the same texts, so
the ratio is the figure to compare (the issue's target: at least 0.8 of bare spaCy). Then
10,000 items go through in batches while the resident memory is sampled, to show the peak
(target under 1 GB) and that it does not grow with the count. The pipeline includes whatever
the model reads (TF-IDF, wordllama's embeddings or both: `--representation`) and the
explanation of each prediction, as triage computes them.

    .venv/bin/python -m bench.throughput [--items 2000] [--memory-items 10000]
        [--representation tfidf|wordllama|tfidf+wordllama]
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

from classify.dataset import load_examples
from classify.explain import explain
from classify.fields import own_text
from classify.model import (
    DEFAULT_REPRESENTATION,
    choose_model_thresholds,
    threshold_examples,
    train,
)
from classify.nlp import MAX_NER_CHARS, NER_BATCH_SIZE, load_english
from classify.representation import REPRESENTATIONS
from classify.text import classifier_text
from ingest.items import IntakeItem
from workflow.policy import load_policy
from workflow.rules import Thresholds
from workflow.triage import triage_many

REPO = Path(__file__).resolve().parents[1]

BATCH = 64


def _items(count: int) -> list[IntakeItem]:
    """Every labelled email, training and development alike, repeated up to `count`."""
    examples = [e for folder in ("training", "dev")
                for e in load_examples(REPO / "data" / folder) if e.source == "email"]
    items = []
    for index in range(count):
        example = examples[index % len(examples)]
        items.append(IntakeItem(
            source="email", text=example.body, subject=example.subject,
            received_at=datetime.combine(example.received_at, clock(10), tzinfo=UTC),
            sender_name=None, sender_address=None,
        ))
    return items


def _rss_mb() -> float:
    with open("/proc/self/statm") as stream:
        pages = int(stream.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_spacy(items: list[IntakeItem]) -> int:
    """spaCy's NER alone over the same texts, batched, with the same components loaded."""
    nlp = load_english()
    texts = (own_text(item.text)[:MAX_NER_CHARS] for item in items)
    return sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=NER_BATCH_SIZE))


def pipeline(items: list[IntakeItem], model, policy) -> int:
    staged = 0
    for start in range(0, len(items), BATCH):
        results = triage_many(items[start : start + BATCH], model=model, policy=policy,
                              thresholds=Thresholds(auto=model.auto_threshold,
                                                    suggest=model.suggest_threshold))
        staged += sum(not r.decision.needs_review for r in results)
    return staged


def explanations(items: list[IntakeItem], model) -> float:
    """CPU seconds of the explanations alone (the part of `predict_many` they take)."""
    texts = [classifier_text(item.subject, item.text) for item in items]
    matrix = model.matrix(texts)
    classes = [str(c) for c in model.category.classes_]
    chosen = [classes[int(row.argmax())] for row in model.category.predict_proba(matrix)]
    started = time.process_time()
    for index, text in enumerate(texts):
        explain(model, text, matrix[index], chosen[index])
    return time.process_time() - started


def _timed(work) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process, all its threads) of one run of `work`."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--memory-items", type=int, default=10_000)
    parser.add_argument("--representation", choices=REPRESENTATIONS,
                        default=DEFAULT_REPRESENTATION)
    args = parser.parse_args()

    started = time.perf_counter()
    model = train(load_examples(REPO / "data" / "training"), "bench",
                  representation=args.representation)
    choose_model_thresholds(model, *threshold_examples(REPO / "data" / "dev",
                                                       REPO / "data" / "outside"))
    print(f"model reading {model.representation}, trained on {model.n_examples} examples in "
          f"{time.perf_counter() - started:.1f} s; thresholds auto {model.auto_threshold}, "
          f"suggest {model.suggest_threshold} ({model.thresholds.get('chosen_on')})")
    policy = load_policy("code-2024")
    items = _items(args.items)
    # Warm both paths so neither pays for loading spaCy or the first batch's allocations.
    bare_spacy(items[:BATCH])
    pipeline(items[:BATCH], model, policy)

    spacy_wall, spacy_cpu = _timed(lambda: bare_spacy(items))
    ours_wall, ours_cpu = _timed(lambda: pipeline(items, model, policy))
    count = len(items)
    print(f"bare spaCy NER (ner only, nlp.pipe batch {NER_BATCH_SIZE}): {count} emails, "
          f"{count / spacy_wall:.1f}/s wall, {count / spacy_cpu:.1f}/s of CPU")
    print(f"extraction + classification (batches of {BATCH}): {count} emails, "
          f"{count / ours_wall:.1f}/s wall, {count / ours_cpu:.1f}/s of CPU")
    print(f"ratio pipeline / bare spaCy: {spacy_wall / ours_wall:.3f} wall, "
          f"{spacy_cpu / ours_cpu:.3f} CPU (target >= 0.8; on a busy machine the CPU ratio "
          f"is the fairer one)")
    explaining = explanations(items, model)
    print(f"of which the explanations: {explaining:.1f} s of CPU "
          f"({explaining / ours_cpu:.1%}); without them the CPU ratio would be "
          f"{spacy_cpu / (ours_cpu - explaining):.3f}")

    memory_items = _items(args.memory_items)
    print(f"memory over {len(memory_items)} items (resident MB after each 1,000):")
    samples = []
    for start in range(0, len(memory_items), 1000):
        pipeline(memory_items[start : start + 1000], model, policy)
        samples.append(_rss_mb())
    print("  " + ", ".join(f"{mb:.0f}" for mb in samples))
    print(f"peak resident memory {_peak_mb():.0f} MB (target < 1024); growth from the first "
          f"1,000 to the last: {samples[-1] - samples[0]:+.0f} MB")


if __name__ == "__main__":
    main()
