"""Throughput of each stage on this machine, over data/samples/. Prints figures; asserts nothing.

Run with `make bench`. Figures are from one run: compare ratios, not absolute times.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from classify.fields import extract_fields
from classify.model import load_or_train
from classify.predict import predict_category
from ingest.letters import extract_letter_text
from ingest.mail import parse_message
from workflow.policy import load_policy
from workflow.rules import Thresholds
from workflow.triage import triage_item

REPO = Path(__file__).resolve().parents[1]


def timed(label: str, count: int, func) -> float:
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    print(f"{label:<42} {count:>5} items {elapsed:8.3f} s {count / elapsed:9.1f} items/s "
          f"{1000 * elapsed / count:8.2f} ms/item")
    return elapsed


def main() -> None:
    emails = [p.read_bytes() for p in sorted((REPO / "data/samples/mailbox").glob("*.eml"))]
    letters = [p.read_bytes() for p in sorted((REPO / "data/samples/scans").glob("*.pdf"))]
    with tempfile.TemporaryDirectory() as models:
        start = time.perf_counter()
        model = load_or_train(REPO / "data/training", Path(models))
        print(f"training the model on {model.n_examples} examples: "
              f"{time.perf_counter() - start:.2f} s")
    policy = load_policy("code-2024")
    parsed = [parse_message(raw) for raw in emails]
    received = datetime.now(UTC).date()
    timed("parse email (mail-parser)", len(emails), lambda: [parse_message(r) for r in emails])
    timed("extract fields (spaCy + rules)", len(parsed),
          lambda: [extract_fields(i.text, received=received) for i in parsed])
    timed("predict category (scikit-learn)", len(parsed),
          lambda: [predict_category(model, i.subject, i.text) for i in parsed])
    full = timed("whole triage of a parsed email", len(parsed),
                 lambda: [triage_item(i, model=model, policy=policy, thresholds=Thresholds())
                          for i in parsed])
    if letters:
        per_letter = []
        for raw in letters:
            start = time.perf_counter()
            extract_letter_text(raw)
            per_letter.append(time.perf_counter() - start)
        total = sum(per_letter)
        print(f"{'OCR a scanned letter (Tesseract, 300 dpi)':<42} {len(letters):>5} items "
              f"{total:8.3f} s {len(letters) / total:9.1f} items/s "
              f"{1000 * statistics.median(per_letter):8.2f} ms/item (median)")
        ratio = statistics.median(per_letter) / (full / len(parsed))
        print(f"ratio: one letter's OCR costs {ratio:.0f}x one email's whole triage")


if __name__ == "__main__":
    main()
