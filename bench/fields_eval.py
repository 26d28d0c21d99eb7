"""Field extraction alone over the development set, scored per field (no classifier needed).

    .venv/bin/python -m bench.fields_eval              # the tuning part and the held-out part
    .venv/bin/python -m bench.fields_eval --show name  # also list the tuning part's misses
    .venv/bin/python -m bench.fields_eval --outside    # and data/outside, its oa- and ob- files

The tuning part (dev.jsonl, dev-mine*.jsonl) is what rules are written against; the held-out
part (dev-h5.jsonl) is only ever scored, so its figure says how well the rules generalise.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from classify.dataset import Example, parse_example
from classify.fields import ExtractionRequest, extract_fields_many
from pipeline.evaluation import FIELD_METRICS, FIELD_NAMES, FieldScores, normalise, token_f1

DEV = Path(__file__).resolve().parents[1] / "data" / "dev"
OUTSIDE = DEV.parent / "outside"
PARTS = {"tune": ["dev.jsonl", "dev-mine.jsonl", "dev-mine-2.jsonl"], "held-out": ["dev-h5.jsonl"]}
BATCH = 64


def load(names: list[str], folder: Path = DEV) -> list[Example]:
    examples = []
    for name in names:
        path = folder / name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                example = parse_example(line, f"{path}:{number}")
                if example.fields is not None:
                    examples.append(example)
    return examples


def extract(examples: list[Example]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for start in range(0, len(examples), BATCH):
        chunk = examples[start : start + BATCH]
        requests = [ExtractionRequest(e.body, e.received_at) for e in chunk]
        found += [x.as_contract() for x in extract_fields_many(requests)]
    return found


def missed(field: str, gold: object, got: object) -> bool:
    metric = FIELD_METRICS.get(field, "exact")
    if metric == "token_f1":
        return token_f1(gold, got) < 0.999
    if metric == "overlap_half":
        return token_f1(gold, got) < 0.5
    return normalise(field, gold) != normalise(field, got)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="append", default=[], choices=FIELD_NAMES,
                        help="list the tuning part's misses for this field")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--outside", action="store_true",
                        help="also score data/outside (never tuned on), by writing session")
    args = parser.parse_args()
    results = {}
    parts = {part: (names, DEV) for part, names in PARTS.items()}
    if args.outside:
        for prefix in ("oa", "ob"):
            parts[f"outside-{prefix}"] = (
                sorted(p.name for p in OUTSIDE.glob(f"{prefix}*.jsonl")), OUTSIDE)
    for part, (names, folder) in parts.items():
        examples = load(names, folder)
        started = time.perf_counter()
        found = extract(examples)
        seconds = time.perf_counter() - started
        scores = FieldScores()
        for example, fields in zip(examples, found, strict=True):
            scores.add(example.fields or {}, fields)
            if part == "tune":
                for field in args.show:
                    gold = (example.fields or {}).get(field)
                    if missed(field, gold, fields[field]):
                        print(f"{example.id} {field}: gold={gold!r} got={fields[field]!r}")
        results[part] = scores.scores()
        if not args.json:
            print(f"{part}: {len(examples)} items, {seconds:.1f} s")
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'field':<16}" + "".join(f"{part:>12}" for part in results))
    for field in FIELD_NAMES:
        print(f"{field:<16}" + "".join(f"{results[p][field]:>12.3f}" for p in results))


if __name__ == "__main__":
    main()
